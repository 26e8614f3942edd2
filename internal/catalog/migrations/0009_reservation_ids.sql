-- A reservation's id is never given to another reservation: an import
-- that releases its reservation late, or twice, must not release someone
-- else's. AUTOINCREMENT keeps ids increasing even after the newest row
-- is deleted.
CREATE TABLE reservations_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    bytes      INTEGER NOT NULL,
    run        TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
INSERT INTO reservations_new (id, user_id, bytes, run, created_at)
    SELECT id, user_id, bytes, run, created_at FROM reservations;
DROP TABLE reservations;
ALTER TABLE reservations_new RENAME TO reservations;
CREATE INDEX reservations_by_user ON reservations (user_id);
CREATE INDEX reservations_by_run ON reservations (run);
