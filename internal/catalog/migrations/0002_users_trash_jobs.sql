-- Family members and quotas, the trash, and the durable job queue.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    quota_bytes INTEGER,                    -- NULL: unlimited
    used_bytes  INTEGER NOT NULL DEFAULT 0, -- sum of the bytes of the originals the user owns
    created_at  TEXT    NOT NULL
);

-- A photo can be owned by several users (imported by each); it is stored
-- once and counts for each owner.
CREATE TABLE photo_owners (
    photo_id  INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users (id),
    taken_key INTEGER NOT NULL,  -- copy of photos.taken_key: per-user listings in index order
    added_at  TEXT    NOT NULL,
    PRIMARY KEY (photo_id, user_id)
) WITHOUT ROWID;

CREATE INDEX photo_owners_by_user ON photo_owners (user_id, taken_key DESC, photo_id DESC);

-- Bytes promised to an import in flight: taken before the copy, turned
-- into ownership or released after it. run names the process's scratch
-- dir, so that a crashed run's reservations are reclaimed.
CREATE TABLE reservations (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    bytes      INTEGER NOT NULL,
    run        TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

CREATE INDEX reservations_by_user ON reservations (user_id);
CREATE INDEX reservations_by_run ON reservations (run);

ALTER TABLE photos ADD COLUMN trashed_at TEXT; -- NULL: not in the trash

DROP INDEX photos_by_taken;
CREATE INDEX photos_live_by_taken ON photos (taken_key DESC, id DESC) WHERE trashed_at IS NULL;
CREATE INDEX photos_trashed ON photos (trashed_at) WHERE trashed_at IS NOT NULL;

-- The outbox: work that must happen after a commit (deleting files of
-- purged photos; later, uploads). A job is retried with backoff and ends
-- in the dead state after too many failures.
CREATE TABLE jobs (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL,
    target     TEXT    NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL, -- unix ms: not before
    last_error TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL
);

CREATE INDEX jobs_due ON jobs (state, next_at);
CREATE INDEX jobs_by_target ON jobs (target);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
