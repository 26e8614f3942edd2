-- When a remote last received an object, kept on its row by triggers, so
-- that the terminal browser's jobs view reads one row instead of every
-- object the remote holds (40 million at 10 million photos).
ALTER TABLE remotes ADD COLUMN last_upload_at TEXT; -- RFC 3339 UTC; NULL: nothing uploaded

UPDATE remotes SET last_upload_at = (SELECT max(synced_at) FROM remote_objects WHERE remote = remotes.name);

CREATE TRIGGER remote_objects_last_i AFTER INSERT ON remote_objects BEGIN
    UPDATE remotes SET last_upload_at = NEW.synced_at WHERE name = NEW.remote
        AND (last_upload_at IS NULL OR last_upload_at < NEW.synced_at); END;
CREATE TRIGGER remote_objects_last_u AFTER UPDATE OF synced_at ON remote_objects BEGIN
    UPDATE remotes SET last_upload_at = NEW.synced_at WHERE name = NEW.remote
        AND (last_upload_at IS NULL OR last_upload_at < NEW.synced_at); END;
