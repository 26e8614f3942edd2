-- photo_owners, album_photos and share_photos keep a copy of their
-- photo's taken_key, so that a user's, an album's and a link's photos
-- list in index order. A new capture time (picup redate, verify
-- --repair) changed the photo's key and left the copies as they were:
-- the photo kept its old place in those listings, and a cursor taken
-- there could skip or repeat it. A trigger now moves the copies with the
-- key, and the copies already stale are made right.
CREATE TRIGGER photos_taken_key_copies AFTER UPDATE OF taken_key ON photos
WHEN NEW.taken_key IS NOT OLD.taken_key BEGIN
    UPDATE photo_owners SET taken_key = NEW.taken_key WHERE photo_id = NEW.id;
    UPDATE album_photos SET taken_key = NEW.taken_key WHERE photo_id = NEW.id;
    UPDATE share_photos SET taken_key = NEW.taken_key WHERE photo_id = NEW.id; END;

UPDATE photo_owners SET taken_key = p.taken_key FROM photos p
    WHERE p.id = photo_owners.photo_id AND photo_owners.taken_key != p.taken_key;
UPDATE album_photos SET taken_key = p.taken_key FROM photos p
    WHERE p.id = album_photos.photo_id AND album_photos.taken_key != p.taken_key;
UPDATE share_photos SET taken_key = p.taken_key FROM photos p
    WHERE p.id = share_photos.photo_id AND share_photos.taken_key != p.taken_key;
