-- A share opens an album, a selection of photos (share_photos) or one
-- calendar year of the whole archive (year). bind_ip pins a link's media
-- URLs to the address that opened the page. album_id becomes nullable,
-- which SQLite can only do by rebuilding the table.
CREATE TABLE shares_new (
    id             INTEGER PRIMARY KEY,
    token_hash     TEXT    NOT NULL UNIQUE,   -- hex SHA-256 of the random token
    name           TEXT    NOT NULL DEFAULT '',
    album_id       INTEGER REFERENCES albums (id) ON DELETE CASCADE,  -- album shares
    year           INTEGER,                   -- year shares: photos taken in that year (local time)
    expires_at     TEXT,                      -- RFC 3339 UTC; NULL never expires
    revoked_at     TEXT,
    download       INTEGER NOT NULL DEFAULT 0,
    password_hash  TEXT,                      -- NULL: no password
    views          INTEGER NOT NULL DEFAULT 0,
    last_opened_at TEXT,
    created_at     TEXT    NOT NULL,
    bind_ip        INTEGER NOT NULL DEFAULT 0
);

INSERT INTO shares_new (id, token_hash, name, album_id, expires_at, revoked_at, download, password_hash,
                        views, last_opened_at, created_at)
    SELECT id, token_hash, name, album_id, expires_at, revoked_at, download, password_hash,
           views, last_opened_at, created_at FROM shares;

DROP TABLE shares;
ALTER TABLE shares_new RENAME TO shares;
CREATE INDEX shares_by_album ON shares (album_id);

-- The photos of a selection share, in the order they list (a copy of
-- photos.taken_key, as in album_photos).
CREATE TABLE share_photos (
    share_id  INTEGER NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
    photo_id  INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    taken_key INTEGER NOT NULL,
    PRIMARY KEY (share_id, photo_id)
) WITHOUT ROWID;

CREATE INDEX share_photos_by_taken ON share_photos (share_id, taken_key DESC, photo_id DESC);
CREATE INDEX share_photos_by_photo ON share_photos (photo_id);
