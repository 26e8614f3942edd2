-- Each album's photos and videos outside the trash, kept by triggers in
-- the transaction of every change, so that album ls reads a row an album
-- instead of counting every member of every album (10.7 s at 10M
-- photos). A photo added to or taken from an album, trashed, restored
-- or deleted, or changed from photo to video, moves its albums' counts;
-- a deleted photo's albums are counted down before its rows go (BEFORE
-- DELETE), and the removal of its album_photos rows that follows counts
-- nothing, the photo being gone.
ALTER TABLE albums ADD COLUMN photos INTEGER NOT NULL DEFAULT 0;
ALTER TABLE albums ADD COLUMN videos INTEGER NOT NULL DEFAULT 0;

UPDATE albums SET (photos, videos) = (
    SELECT coalesce(sum(p.type = 'photo'), 0), coalesce(sum(p.type = 'video'), 0)
    FROM album_photos ap JOIN photos p ON p.id = ap.photo_id
    WHERE ap.album_id = albums.id AND p.trashed_at IS NULL);

CREATE TRIGGER album_counts_i AFTER INSERT ON album_photos
WHEN (SELECT trashed_at IS NULL FROM photos WHERE id = NEW.photo_id) BEGIN
    UPDATE albums SET photos = photos + ((SELECT type FROM photos WHERE id = NEW.photo_id) = 'photo'),
        videos = videos + ((SELECT type FROM photos WHERE id = NEW.photo_id) = 'video')
    WHERE id = NEW.album_id; END;
CREATE TRIGGER album_counts_d AFTER DELETE ON album_photos
WHEN (SELECT trashed_at IS NULL FROM photos WHERE id = OLD.photo_id) BEGIN
    UPDATE albums SET photos = photos - ((SELECT type FROM photos WHERE id = OLD.photo_id) = 'photo'),
        videos = videos - ((SELECT type FROM photos WHERE id = OLD.photo_id) = 'video')
    WHERE id = OLD.album_id; END;
CREATE TRIGGER album_counts_photo_d BEFORE DELETE ON photos WHEN OLD.trashed_at IS NULL BEGIN
    UPDATE albums SET photos = photos - (OLD.type = 'photo'), videos = videos - (OLD.type = 'video')
    WHERE id IN (SELECT album_id FROM album_photos WHERE photo_id = OLD.id); END;
CREATE TRIGGER album_counts_photo_u AFTER UPDATE OF trashed_at, type ON photos
WHEN (OLD.trashed_at IS NULL) != (NEW.trashed_at IS NULL) OR OLD.type != NEW.type BEGIN
    UPDATE albums SET
        photos = photos - (OLD.trashed_at IS NULL AND OLD.type = 'photo') + (NEW.trashed_at IS NULL AND NEW.type = 'photo'),
        videos = videos - (OLD.trashed_at IS NULL AND OLD.type = 'video') + (NEW.trashed_at IS NULL AND NEW.type = 'video')
    WHERE id IN (SELECT album_id FROM album_photos WHERE photo_id = NEW.id); END;
