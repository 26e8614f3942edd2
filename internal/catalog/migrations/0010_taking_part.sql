-- The link becomes two-way: people who open a share link heart photos,
-- comment on them and upload their own, each under a name typed once on
-- their device. A device is a random id kept in a signed cookie of one
-- link; only its SHA-256 is stored here (device), so that what a device
-- wrote can be told apart without the catalog holding the secret.

-- What a link lets its guests do. upload_user_id: uploads are allowed and
-- owned by (charged to) this user; NULL: no uploads.
ALTER TABLE shares ADD COLUMN upload_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE shares ADD COLUMN upload_review INTEGER NOT NULL DEFAULT 0; -- uploads wait for approval
ALTER TABLE shares ADD COLUMN upload_max INTEGER NOT NULL DEFAULT 0;    -- bytes per file; 0: the default
ALTER TABLE shares ADD COLUMN no_comments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shares ADD COLUMN no_hearts INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER shares_taking_part_changed AFTER UPDATE OF upload_user_id, upload_review, upload_max,
    no_comments, no_hearts ON shares BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;

-- Comments are part of their photo (its sidecar carries them): any link
-- that shows the photo shows them. share_id is the link they came
-- through, NULL once that link is deleted or for comments restored from
-- a sidecar.
CREATE TABLE comments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    photo_id   INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    share_id   INTEGER REFERENCES shares (id) ON DELETE SET NULL,
    device     TEXT    NOT NULL DEFAULT '',
    name       TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX comments_by_photo ON comments (photo_id, id);

-- One heart per device and photo.
CREATE TABLE hearts (
    photo_id   INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    device     TEXT    NOT NULL,
    share_id   INTEGER REFERENCES shares (id) ON DELETE SET NULL,
    name       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (photo_id, device)
) WITHOUT ROWID;

-- The family feed: photos added to an album (by a command, the terminal
-- browser or a guest's upload), hearts and comments. Ids only grow
-- (AUTOINCREMENT), so "everything after id N" is what is new since N: the
-- viewer's live updates and each device's last-seen mark rest on that.
-- A run of photos added to one album by one person within minutes is one
-- row, rewritten under a new id as it grows.
CREATE TABLE activity (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL CHECK (kind IN ('photos', 'heart', 'comment')),
    share_id   INTEGER REFERENCES shares (id) ON DELETE SET NULL,
    album_id   INTEGER REFERENCES albums (id) ON DELETE CASCADE,  -- 'photos': the album they joined
    photo_id   INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,  -- the (first) photo
    photo_ids  TEXT    NOT NULL,  -- JSON array of every photo of the row
    comment_id INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    device     TEXT    NOT NULL DEFAULT '',
    name       TEXT    NOT NULL,
    text       TEXT    NOT NULL DEFAULT '',
    at         TEXT    NOT NULL
);
CREATE INDEX activity_by_album ON activity (album_id, id) WHERE album_id IS NOT NULL;
CREATE INDEX activity_by_photo ON activity (photo_id, id);
CREATE INDEX activity_by_share ON activity (share_id, id);

-- Files guests uploaded through a link. tus_id is the resumable upload's
-- id, so that a client that lost the final answer can ask again.
-- status: added (in the album), pending (waits for approval), rejected,
-- duplicate (the content was already in the library), refused (not
-- stored: over quota, not a photo or video …; reason says why).
CREATE TABLE uploads (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tus_id     TEXT    NOT NULL UNIQUE,
    share_id   INTEGER REFERENCES shares (id) ON DELETE SET NULL,
    photo_id   INTEGER REFERENCES photos (id) ON DELETE SET NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,  -- the owner it was charged to
    new_photo  INTEGER NOT NULL DEFAULT 0,  -- the upload stored the photo (not a duplicate)
    device     TEXT    NOT NULL DEFAULT '',
    name       TEXT    NOT NULL,
    file_name  TEXT    NOT NULL DEFAULT '',
    bytes      INTEGER NOT NULL DEFAULT 0,
    status     TEXT    NOT NULL CHECK (status IN ('added', 'pending', 'rejected', 'duplicate', 'refused')),
    reason     TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL,
    decided_at TEXT
);
CREATE INDEX uploads_by_share ON uploads (share_id, id);
CREATE INDEX uploads_pending ON uploads (id) WHERE status = 'pending';

-- Hearts, comments and who uploaded a photo are part of its record (the
-- sidecar a sync writes), so they change catalog_version too.
CREATE TRIGGER comments_changed_i AFTER INSERT ON comments BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER comments_changed_d AFTER DELETE ON comments BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER hearts_changed_i AFTER INSERT ON hearts BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER hearts_changed_d AFTER DELETE ON hearts BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER uploads_changed_i AFTER INSERT ON uploads BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER uploads_changed_u AFTER UPDATE OF status, photo_id ON uploads BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
