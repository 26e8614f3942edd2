-- Purging deletes trashed photos a batch at a time (Tx.Purge), and a
-- photo's deletion ran, per photo, what one statement can do for the
-- whole batch: usage_photo_d took its owners out one by one, each
-- moving its user's counters and numbering the photo for sync anew just
-- before it went. batch_photos holds the ids of the photos that a
-- statement-level change (a purge's batch) handles itself, for the
-- length of its transaction, and is empty outside it: the triggers that
-- keep counters per row skip those photos, and the change moves the
-- counters once for the batch (a sum by user). Their owners' rows go
-- with the photos by the foreign key's cascade.
CREATE TABLE batch_photos (
    photo_id INTEGER PRIMARY KEY
);

DROP TRIGGER usage_photo_d;
CREATE TRIGGER usage_photo_d BEFORE DELETE ON photos
WHEN NOT EXISTS (SELECT 1 FROM batch_photos WHERE photo_id = OLD.id) BEGIN
    DELETE FROM photo_owners WHERE photo_id = OLD.id; END;

-- The search index forgets the batch in one statement too, in the order
-- of its rowids: FTS5 writes what it is told in memory until a rowid
-- comes below the last one, and then writes it out and merges, which the
-- order of the photos' ids did for every other photo.
DROP TRIGGER photo_search_photo_d;
CREATE TRIGGER photo_search_photo_d AFTER DELETE ON photos
WHEN NOT EXISTS (SELECT 1 FROM batch_photos WHERE photo_id = OLD.id) BEGIN
    DELETE FROM photo_search WHERE rowid = ((max(min(OLD.taken_key / 1000, 34359738367), -34359738368) + 34359738368) << 27) | OLD.id; END;

-- The triggers of rows hanging on a photo that read the photo do nothing
-- once it is gone, when the cascade of its deletion removes them: they
-- now say so in their WHEN, instead of building a temporary table for
-- an IN list and evaluating the search view to find nothing.
DROP TRIGGER usage_owner_d;
CREATE TRIGGER usage_owner_d AFTER DELETE ON photo_owners
WHEN EXISTS (SELECT 1 FROM photos WHERE id = OLD.photo_id) BEGIN
    UPDATE users SET used_bytes = used_bytes - p.bytes,
        trashed_bytes = trashed_bytes - iif(p.trashed_at IS NULL, 0, p.bytes),
        photos = photos - (p.trashed_at IS NULL AND p.type = 'photo'),
        videos = videos - (p.trashed_at IS NULL AND p.type = 'video')
    FROM photos p WHERE p.id = OLD.photo_id AND users.id = OLD.user_id; END;

DROP TRIGGER photo_search_comment_d;
CREATE TRIGGER photo_search_comment_d AFTER DELETE ON comments
WHEN EXISTS (SELECT 1 FROM photos WHERE id = OLD.photo_id) BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows WHERE id = OLD.photo_id);
    INSERT INTO photo_search (rowid, name, text, album, camera, place, bigrams)
        SELECT sk, name, text, album, camera, place, bigrams FROM photo_search_rows WHERE id = OLD.photo_id; END;

-- A deleted photo's uploads keep their rows (ON DELETE SET NULL), found
-- through this index instead of a scan of every upload per photo.
CREATE INDEX uploads_by_photo ON uploads (photo_id);

-- Trashing a whole album (picup rm --album) and removing an album (album
-- rm) change up to 100,000 photos in one statement, and the per-row
-- triggers did for each what one statement does for all: moving the
-- owners', albums' and days' counters, numbering the photo for sync
-- (an insert into the photo_touch view, a temporary table each time),
-- and writing its search row again, in the order of the album rather
-- than of the index (FTS5 writes out and merges whenever a rowid comes
-- below the last). Those changes now put the photos' ids in batch_photos
-- too, which these triggers skip, and do the work once for the batch
-- (Tx.TrashAlbum, Tx.DeleteAlbum).
DROP TRIGGER usage_photo_u;
CREATE TRIGGER usage_photo_u AFTER UPDATE OF bytes, type, trashed_at ON photos
    WHEN (OLD.bytes IS NOT NEW.bytes OR OLD.type IS NOT NEW.type
        OR (OLD.trashed_at IS NULL) != (NEW.trashed_at IS NULL))
        AND NOT EXISTS (SELECT 1 FROM batch_photos WHERE photo_id = NEW.id) BEGIN
    UPDATE users SET used_bytes = used_bytes + NEW.bytes - OLD.bytes,
        trashed_bytes = trashed_bytes + iif(NEW.trashed_at IS NULL, 0, NEW.bytes) - iif(OLD.trashed_at IS NULL, 0, OLD.bytes),
        photos = photos + (NEW.trashed_at IS NULL AND NEW.type = 'photo') - (OLD.trashed_at IS NULL AND OLD.type = 'photo'),
        videos = videos + (NEW.trashed_at IS NULL AND NEW.type = 'video') - (OLD.trashed_at IS NULL AND OLD.type = 'video')
    WHERE id IN (SELECT user_id FROM photo_owners WHERE photo_id = NEW.id); END;

DROP TRIGGER album_counts_photo_u;
CREATE TRIGGER album_counts_photo_u AFTER UPDATE OF trashed_at, type ON photos
WHEN ((OLD.trashed_at IS NULL) != (NEW.trashed_at IS NULL) OR OLD.type != NEW.type)
    AND NOT EXISTS (SELECT 1 FROM batch_photos WHERE photo_id = NEW.id) BEGIN
    UPDATE albums SET
        photos = photos - (OLD.trashed_at IS NULL AND OLD.type = 'photo') + (NEW.trashed_at IS NULL AND NEW.type = 'photo'),
        videos = videos - (OLD.trashed_at IS NULL AND OLD.type = 'video') + (NEW.trashed_at IS NULL AND NEW.type = 'video')
    WHERE id IN (SELECT album_id FROM album_photos WHERE photo_id = NEW.id); END;

DROP TRIGGER photo_days_u;
CREATE TRIGGER photo_days_u AFTER UPDATE OF taken_at, taken_key, trashed_at ON photos
WHEN NOT EXISTS (SELECT 1 FROM batch_photos WHERE photo_id = NEW.id) BEGIN
    UPDATE photo_dates SET photos = photos - 1 WHERE OLD.trashed_at IS NULL AND date = substr(OLD.taken_at, 1, 10);
    UPDATE photo_key_days SET photos = photos - 1 WHERE OLD.trashed_at IS NULL
        AND day = (OLD.taken_key - (OLD.taken_key % 86400000 + 86400000) % 86400000) / 86400000;
    INSERT INTO photo_dates (date, photos) SELECT substr(NEW.taken_at, 1, 10), 1 WHERE NEW.trashed_at IS NULL
        ON CONFLICT (date) DO UPDATE SET photos = photos + 1;
    INSERT INTO photo_key_days (day, photos)
        SELECT (NEW.taken_key - (NEW.taken_key % 86400000 + 86400000) % 86400000) / 86400000, 1 WHERE NEW.trashed_at IS NULL
        ON CONFLICT (day) DO UPDATE SET photos = photos + 1; END;

DROP TRIGGER photos_sync_u;
CREATE TRIGGER photos_sync_u AFTER UPDATE ON photos
WHEN NOT EXISTS (SELECT 1 FROM batch_photos WHERE photo_id = NEW.id) BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (NEW.id); END;

DROP TRIGGER photo_search_album_photo_d;
CREATE TRIGGER photo_search_album_photo_d AFTER DELETE ON album_photos
WHEN EXISTS (SELECT 1 FROM photos WHERE id = OLD.photo_id)
    AND NOT EXISTS (SELECT 1 FROM batch_photos WHERE photo_id = OLD.photo_id) BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows WHERE id = OLD.photo_id);
    INSERT INTO photo_search (rowid, name, text, album, camera, place, bigrams)
        SELECT sk, name, text, album, camera, place, bigrams FROM photo_search_rows WHERE id = OLD.photo_id; END;

DROP TRIGGER album_photos_sync_d;
CREATE TRIGGER album_photos_sync_d AFTER DELETE ON album_photos
WHEN EXISTS (SELECT 1 FROM photos WHERE id = OLD.photo_id)
    AND NOT EXISTS (SELECT 1 FROM batch_photos WHERE photo_id = OLD.photo_id) BEGIN
    INSERT INTO photo_touch (photo_id) VALUES (OLD.photo_id); END;

DROP TRIGGER album_counts_d;
CREATE TRIGGER album_counts_d AFTER DELETE ON album_photos
WHEN (SELECT trashed_at IS NULL FROM photos WHERE id = OLD.photo_id)
    AND NOT EXISTS (SELECT 1 FROM batch_photos WHERE photo_id = OLD.photo_id) BEGIN
    UPDATE albums SET photos = photos - ((SELECT type FROM photos WHERE id = OLD.photo_id) = 'photo'),
        videos = videos - ((SELECT type FROM photos WHERE id = OLD.photo_id) = 'video')
    WHERE id = OLD.album_id; END;
