-- What a share opens, and whether it may be opened, changes
-- catalog_version too: the viewer keeps share rows and their photos in
-- memory for as long as the counter stays the same, and a snapshot then
-- holds the current links. A page view (views, last_opened_at) changes
-- neither.
CREATE TRIGGER shares_changed_i AFTER INSERT ON shares BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER shares_changed_u AFTER UPDATE OF token_hash, name, album_id, year, expires_at, revoked_at,
    download, password_hash, bind_ip, created_at ON shares BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER shares_changed_d AFTER DELETE ON shares BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER share_photos_changed_i AFTER INSERT ON share_photos BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER share_photos_changed_d AFTER DELETE ON share_photos BEGIN
    UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'; END;
