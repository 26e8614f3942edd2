-- What a sync looks at: every change to what a sync uploads for a photo
-- (its row, owners, albums and their names, sidecars, hearts, comments
-- and uploads, thumbnails made again) gives the photo the next number of
-- a sequence that only grows ('change_seq' in settings; a photo's last
-- one in photo_changes). A remote remembers the number its last sync
-- reached (remotes.synced_seq): the next sync reads only the photos
-- above it, through photo_changes_by_seq, so a sync with nothing to do
-- reads nothing, whatever the size of the library. The numbers are
-- written by triggers in the transaction of the change, and the mark
-- moves in the transaction that ends a sync, so a crash loses neither
-- (docs/architecture.md, "Change tracking").
CREATE TABLE photo_changes (
    photo_id INTEGER PRIMARY KEY REFERENCES photos (id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL
);
CREATE INDEX photo_changes_by_seq ON photo_changes (seq);

ALTER TABLE remotes ADD COLUMN synced_seq INTEGER NOT NULL DEFAULT 0;

-- Every photo there is now is above every remote's mark of 0: the first
-- sync after this looks at all of them, as every sync did before.
INSERT INTO settings (key, value) VALUES ('change_seq', 1)
    ON CONFLICT (key) DO UPDATE SET value = 1;
INSERT INTO photo_changes (photo_id, seq) SELECT id, 1 FROM photos;

-- A row inserted here gives its photo the next number, when the photo
-- still exists. The triggers of the rows that hang on a photo fire only
-- while it does: its own deletion, which removes them, numbers nothing
-- (and an insert into a view costs a temporary table each time).
CREATE VIEW photo_touch AS SELECT NULL AS photo_id;
CREATE TRIGGER photo_touch_i INSTEAD OF INSERT ON photo_touch BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'change_seq';
    INSERT INTO photo_changes (photo_id, seq)
        SELECT id, (SELECT value FROM settings WHERE key = 'change_seq') FROM photos WHERE id = NEW.photo_id
        ON CONFLICT (photo_id) DO UPDATE SET seq = excluded.seq; END;

CREATE TRIGGER photos_sync_i AFTER INSERT ON photos BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (NEW.id); END;
CREATE TRIGGER photos_sync_u AFTER UPDATE ON photos BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (NEW.id); END;
CREATE TRIGGER photo_owners_sync_i AFTER INSERT ON photo_owners BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (NEW.photo_id); END;
CREATE TRIGGER photo_owners_sync_d AFTER DELETE ON photo_owners WHEN EXISTS (SELECT 1 FROM photos WHERE id = OLD.photo_id) BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (OLD.photo_id); END;
CREATE TRIGGER album_photos_sync_i AFTER INSERT ON album_photos BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (NEW.photo_id); END;
CREATE TRIGGER album_photos_sync_d AFTER DELETE ON album_photos WHEN EXISTS (SELECT 1 FROM photos WHERE id = OLD.photo_id) BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (OLD.photo_id); END;
-- A renamed album, or user, changes the sidecar of each of its photos.
CREATE TRIGGER albums_sync_u AFTER UPDATE OF name ON albums BEGIN
    INSERT INTO photo_touch (photo_id) SELECT photo_id FROM album_photos WHERE album_id = NEW.id; END;
CREATE TRIGGER users_sync_u AFTER UPDATE OF name ON users BEGIN
    INSERT INTO photo_touch (photo_id) SELECT photo_id FROM photo_owners WHERE user_id = NEW.id;
    INSERT INTO photo_touch (photo_id) SELECT photo_id FROM uploads WHERE user_id = NEW.id AND photo_id IS NOT NULL; END;
CREATE TRIGGER sidecars_sync_i AFTER INSERT ON sidecars BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (NEW.photo_id); END;
CREATE TRIGGER sidecars_sync_u AFTER UPDATE ON sidecars BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (OLD.photo_id);
    INSERT INTO photo_touch (photo_id) SELECT NEW.photo_id WHERE NEW.photo_id IS NOT OLD.photo_id; END;
CREATE TRIGGER sidecars_sync_d AFTER DELETE ON sidecars WHEN EXISTS (SELECT 1 FROM photos WHERE id = OLD.photo_id) BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (OLD.photo_id); END;
CREATE TRIGGER hearts_sync_i AFTER INSERT ON hearts BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (NEW.photo_id); END;
CREATE TRIGGER hearts_sync_u AFTER UPDATE ON hearts BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (OLD.photo_id);
    INSERT INTO photo_touch (photo_id) SELECT NEW.photo_id WHERE NEW.photo_id IS NOT OLD.photo_id; END;
CREATE TRIGGER hearts_sync_d AFTER DELETE ON hearts WHEN EXISTS (SELECT 1 FROM photos WHERE id = OLD.photo_id) BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (OLD.photo_id); END;
CREATE TRIGGER comments_sync_i AFTER INSERT ON comments BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (NEW.photo_id); END;
CREATE TRIGGER comments_sync_u AFTER UPDATE ON comments BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (OLD.photo_id);
    INSERT INTO photo_touch (photo_id) SELECT NEW.photo_id WHERE NEW.photo_id IS NOT OLD.photo_id; END;
CREATE TRIGGER comments_sync_d AFTER DELETE ON comments WHEN EXISTS (SELECT 1 FROM photos WHERE id = OLD.photo_id) BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (OLD.photo_id); END;
CREATE TRIGGER uploads_sync_i AFTER INSERT ON uploads BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (NEW.photo_id); END;
CREATE TRIGGER uploads_sync_u AFTER UPDATE ON uploads
WHEN EXISTS (SELECT 1 FROM photos WHERE id IN (OLD.photo_id, NEW.photo_id)) BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (OLD.photo_id);
    INSERT INTO photo_touch (photo_id) SELECT NEW.photo_id WHERE NEW.photo_id IS NOT OLD.photo_id; END;
CREATE TRIGGER uploads_sync_d AFTER DELETE ON uploads WHEN EXISTS (SELECT 1 FROM photos WHERE id = OLD.photo_id) BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (OLD.photo_id); END;
