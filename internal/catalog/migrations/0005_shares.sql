-- Share links: an album opened by anyone holding the link's token. Only
-- the SHA-256 of the token is stored; the token itself is printed once.
CREATE TABLE shares (
    id             INTEGER PRIMARY KEY,
    token_hash     TEXT    NOT NULL UNIQUE,   -- hex SHA-256 of the random token
    name           TEXT    NOT NULL DEFAULT '',
    album_id       INTEGER NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    expires_at     TEXT,                      -- RFC 3339 UTC; NULL never expires
    revoked_at     TEXT,
    download       INTEGER NOT NULL DEFAULT 0,
    password_hash  TEXT,                      -- NULL: no password
    views          INTEGER NOT NULL DEFAULT 0,
    last_opened_at TEXT,
    created_at     TEXT    NOT NULL
);

CREATE INDEX shares_by_album ON shares (album_id);
