-- The trash log: every purge, written in the transaction that purges, so
-- that "picup trash log" can say afterwards what went, when and why. A
-- purge done in several transactions (a large trash) is one entry, added
-- to by each of them. Append-only: nothing deletes from it.
CREATE TABLE trash_log (
    id        INTEGER PRIMARY KEY,
    purged_at TEXT    NOT NULL,   -- RFC 3339 UTC, when the purge began
    reason    TEXT    NOT NULL CHECK (reason IN ('expired', 'emptied', 'older-than')),
    after_s   INTEGER,            -- expired: the retention; older-than: --older-than; in seconds
    photos    INTEGER NOT NULL DEFAULT 0,
    bytes     INTEGER NOT NULL DEFAULT 0
);

-- The photos of each purge, as they were: their rows are gone, so this
-- holds what a person needs to find them again (in a backup or a remote).
CREATE TABLE trash_log_photos (
    log_id        INTEGER NOT NULL REFERENCES trash_log (id),
    photo_id      INTEGER NOT NULL,  -- the id it had; not a reference, the row is gone
    path          TEXT    NOT NULL,
    original_name TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    bytes         INTEGER NOT NULL,
    trashed_at    TEXT    NOT NULL,
    PRIMARY KEY (log_id, photo_id)
) WITHOUT ROWID;
