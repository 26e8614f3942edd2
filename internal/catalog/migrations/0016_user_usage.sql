-- Each user's counters, kept exact by triggers in the transaction of every
-- change, so that "picup user ls", "ls --owner" and the quota check of an
-- import read one row instead of summing the whole archive. used_bytes
-- (migration 0002) joins them: it was kept by the code that wrote owners
-- and purged photos, and is kept here from now on, whatever writes.
--   used_bytes     the bytes of the originals the user owns, trashed ones included
--   trashed_bytes  of them, the bytes of those in the trash
--   photos, videos what the user owns outside the trash, by type
ALTER TABLE users ADD COLUMN trashed_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN photos INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN videos INTEGER NOT NULL DEFAULT 0;

-- The counters of the rows there are now, in one pass over each user's
-- owners. used_bytes is left as it was: picup verify compares it with what
-- the user owns, and --repair recomputes it.
UPDATE users SET (trashed_bytes, photos, videos) = (
    SELECT coalesce(sum(iif(p.trashed_at IS NULL, 0, p.bytes)), 0),
           coalesce(sum(p.trashed_at IS NULL AND p.type = 'photo'), 0),
           coalesce(sum(p.trashed_at IS NULL AND p.type = 'video'), 0)
    FROM photo_owners po JOIN photos p ON p.id = po.photo_id WHERE po.user_id = users.id);

-- A new owner pays for the photo; an owner that goes stops paying.
CREATE TRIGGER usage_owner_i AFTER INSERT ON photo_owners BEGIN
    UPDATE users SET used_bytes = used_bytes + p.bytes,
        trashed_bytes = trashed_bytes + iif(p.trashed_at IS NULL, 0, p.bytes),
        photos = photos + (p.trashed_at IS NULL AND p.type = 'photo'),
        videos = videos + (p.trashed_at IS NULL AND p.type = 'video')
    FROM photos p WHERE p.id = NEW.photo_id AND users.id = NEW.user_id; END;
CREATE TRIGGER usage_owner_d AFTER DELETE ON photo_owners BEGIN
    UPDATE users SET used_bytes = used_bytes - p.bytes,
        trashed_bytes = trashed_bytes - iif(p.trashed_at IS NULL, 0, p.bytes),
        photos = photos - (p.trashed_at IS NULL AND p.type = 'photo'),
        videos = videos - (p.trashed_at IS NULL AND p.type = 'video')
    FROM photos p WHERE p.id = OLD.photo_id AND users.id = OLD.user_id; END;
CREATE TRIGGER usage_owner_u AFTER UPDATE OF photo_id, user_id ON photo_owners BEGIN
    UPDATE users SET used_bytes = used_bytes - p.bytes,
        trashed_bytes = trashed_bytes - iif(p.trashed_at IS NULL, 0, p.bytes),
        photos = photos - (p.trashed_at IS NULL AND p.type = 'photo'),
        videos = videos - (p.trashed_at IS NULL AND p.type = 'video')
    FROM photos p WHERE p.id = OLD.photo_id AND users.id = OLD.user_id;
    UPDATE users SET used_bytes = used_bytes + p.bytes,
        trashed_bytes = trashed_bytes + iif(p.trashed_at IS NULL, 0, p.bytes),
        photos = photos + (p.trashed_at IS NULL AND p.type = 'photo'),
        videos = videos + (p.trashed_at IS NULL AND p.type = 'video')
    FROM photos p WHERE p.id = NEW.photo_id AND users.id = NEW.user_id; END;

-- A photo that goes takes its owners with it, through usage_owner_d while
-- the photo is still there to say what it weighed (the foreign key's
-- cascade comes after the row is gone and finds nothing left).
CREATE TRIGGER usage_photo_d BEFORE DELETE ON photos BEGIN
    DELETE FROM photo_owners WHERE photo_id = OLD.id; END;

-- Trashing, restoring, a new size or type: every owner's counters move.
CREATE TRIGGER usage_photo_u AFTER UPDATE OF bytes, type, trashed_at ON photos
    WHEN OLD.bytes IS NOT NEW.bytes OR OLD.type IS NOT NEW.type
        OR (OLD.trashed_at IS NULL) != (NEW.trashed_at IS NULL) BEGIN
    UPDATE users SET used_bytes = used_bytes + NEW.bytes - OLD.bytes,
        trashed_bytes = trashed_bytes + iif(NEW.trashed_at IS NULL, 0, NEW.bytes) - iif(OLD.trashed_at IS NULL, 0, OLD.bytes),
        photos = photos + (NEW.trashed_at IS NULL AND NEW.type = 'photo') - (OLD.trashed_at IS NULL AND OLD.type = 'photo'),
        videos = videos + (NEW.trashed_at IS NULL AND NEW.type = 'video') - (OLD.trashed_at IS NULL AND OLD.type = 'video')
    WHERE id IN (SELECT user_id FROM photo_owners WHERE photo_id = NEW.id); END;
