-- S3-compatible remotes, what is synced where, and a change counter that
-- tells whether a new catalog snapshot is needed.

CREATE TABLE remotes (
    name           TEXT    PRIMARY KEY COLLATE NOCASE,
    bucket         TEXT    NOT NULL,
    prefix         TEXT    NOT NULL DEFAULT '',
    endpoint       TEXT    NOT NULL,
    region         TEXT    NOT NULL DEFAULT '',
    insecure       INTEGER NOT NULL DEFAULT 0, -- plain HTTP
    keep_snapshots INTEGER NOT NULL DEFAULT 7,
    created_at     TEXT    NOT NULL
) WITHOUT ROWID;

-- Objects known to be in a remote with this content: a sync uploads what is
-- missing here, without listing the bucket.
CREATE TABLE remote_objects (
    remote    TEXT    NOT NULL REFERENCES remotes (name) ON DELETE CASCADE ON UPDATE CASCADE,
    key       TEXT    NOT NULL, -- relative to the remote's prefix
    sha256    TEXT    NOT NULL,
    size      INTEGER NOT NULL,
    synced_at TEXT    NOT NULL,
    PRIMARY KEY (remote, key)
) WITHOUT ROWID;

CREATE TABLE remote_snapshots (
    remote     TEXT    NOT NULL REFERENCES remotes (name) ON DELETE CASCADE ON UPDATE CASCADE,
    key        TEXT    NOT NULL,
    version    INTEGER NOT NULL, -- catalog_version it was taken at
    created_at TEXT    NOT NULL,
    PRIMARY KEY (remote, key)
) WITHOUT ROWID;

-- catalog_version counts changes to what a snapshot holds.
INSERT INTO settings (key, value) VALUES ('catalog_version', '1')
    ON CONFLICT (key) DO NOTHING;

CREATE TRIGGER photos_changed_i AFTER INSERT ON photos BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER photos_changed_u AFTER UPDATE ON photos BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER photos_changed_d AFTER DELETE ON photos BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER albums_changed_i AFTER INSERT ON albums BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER albums_changed_u AFTER UPDATE ON albums BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER albums_changed_d AFTER DELETE ON albums BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER album_photos_changed_i AFTER INSERT ON album_photos BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER album_photos_changed_d AFTER DELETE ON album_photos BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER owners_changed_i AFTER INSERT ON photo_owners BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER owners_changed_d AFTER DELETE ON photo_owners BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER users_changed_i AFTER INSERT ON users BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER users_changed_d AFTER DELETE ON users BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER users_changed_u AFTER UPDATE OF name, quota_bytes ON users BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER sidecars_changed_i AFTER INSERT ON sidecars BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
