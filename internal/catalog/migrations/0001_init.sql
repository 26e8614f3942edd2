-- The catalog: one row per stored original, plus what makes re-imports fast.

CREATE TABLE photos (
    id            INTEGER PRIMARY KEY,
    sha256        TEXT    NOT NULL UNIQUE,
    path          TEXT    NOT NULL UNIQUE,  -- relative to the library, slash-separated
    original_name TEXT    NOT NULL,
    type          TEXT    NOT NULL CHECK (type IN ('photo', 'video')),
    format        TEXT    NOT NULL,
    mime          TEXT    NOT NULL,
    bytes         INTEGER NOT NULL,
    taken_at      TEXT    NOT NULL,         -- RFC 3339; no offset when the file records none
    taken_key     INTEGER NOT NULL,         -- sort key: unix ms of the instant (wall clock as UTC when no offset)
    taken_source  TEXT    NOT NULL,
    offset_known  INTEGER NOT NULL,
    width         INTEGER NOT NULL,         -- as displayed, after orientation
    height        INTEGER NOT NULL,
    orientation   INTEGER NOT NULL DEFAULT 1,
    camera_make   TEXT    NOT NULL DEFAULT '',
    camera_model  TEXT    NOT NULL DEFAULT '',
    lens          TEXT    NOT NULL DEFAULT '',
    lat           REAL,
    lon           REAL,
    altitude      REAL,
    duration_ms   INTEGER,
    thumbs        TEXT    NOT NULL CHECK (thumbs IN ('ok', 'placeholder')),
    imported_at   TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'missing', 'corrupt'))
);

CREATE INDEX photos_by_taken ON photos (taken_key DESC, id DESC);

CREATE TABLE sidecars (
    path     TEXT    PRIMARY KEY,           -- relative to the library
    photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    bytes    INTEGER NOT NULL,
    sha256   TEXT    NOT NULL
);

CREATE INDEX sidecars_by_photo ON sidecars (photo_id);

-- Files seen by earlier imports: an unchanged file is recognised without reading it.
CREATE TABLE sources (
    path     TEXT    PRIMARY KEY,           -- absolute, cleaned
    size     INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    inode    INTEGER NOT NULL,
    sha256   TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE albums (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
);

CREATE TABLE album_photos (
    album_id  INTEGER NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    photo_id  INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    taken_key INTEGER NOT NULL,  -- copy of photos.taken_key, so that an album lists in index order
    added_at  TEXT    NOT NULL,
    PRIMARY KEY (album_id, photo_id)
) WITHOUT ROWID;

CREATE INDEX album_photos_by_taken ON album_photos (album_id, taken_key DESC, photo_id DESC);
CREATE INDEX album_photos_by_photo ON album_photos (photo_id);
