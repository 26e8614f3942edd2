-- Full-text search (picup find, the terminal browser's "/", share --search):
-- one FTS5 row per photo, in five columns that the query's filters name:
-- name (the original file name), text (title, caption, keywords, people
-- and the text of its comments), album (the names of its albums), camera
-- (make, model, lens) and place (country code, region, city). keywords
-- and people are JSON arrays: the tokenizer skips their quotes and commas.
-- unicode61 splits on spaces and punctuation and folds case and
-- diacritics; a Hangul word stays one token with its particles
-- (제주도에서), and queries find it by prefix ("제주"*), which the 2- and
-- 3-character prefix indexes make fast (docs/architecture.md, "Search",
-- says why not trigram).
--
-- The rowid is the photo's search key: its capture second (taken_key
-- / 1000, kept within ±2^35 s of 1970) above 27 bits of its id, so that
-- FTS5 walks the matches newest first and a listing stops after a page
-- instead of sorting every match; the id is rowid & (2^27 - 1). Within one
-- second the search sorts by taken_key and id itself.
CREATE VIRTUAL TABLE photo_search USING fts5(
    name, text, album, camera, place,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- What a photo's row holds, from its columns, albums and comments.
CREATE VIEW photo_search_rows AS
SELECT p.id AS id,
    ((max(min(p.taken_key / 1000, 34359738367), -34359738368) + 34359738368) << 27) | p.id AS sk,
    p.original_name AS name,
    p.title || ' ' || p.caption || ' ' || p.keywords || ' ' || p.people || ' ' ||
        coalesce((SELECT group_concat(c.text, ' ') FROM comments c WHERE c.photo_id = p.id), '') AS text,
    coalesce((SELECT group_concat(a.name, ' ') FROM album_photos ap JOIN albums a ON a.id = ap.album_id
        WHERE ap.photo_id = p.id), '') AS album,
    p.camera_make || ' ' || p.camera_model || ' ' || p.lens AS camera,
    coalesce(p.place_country, '') || ' ' || coalesce(p.place_region, '') || ' ' ||
        coalesce(p.place_city, '') AS place
FROM photos p;

-- The photos there are now.
INSERT INTO photo_search (rowid, name, text, album, camera, place)
    SELECT sk, name, text, album, camera, place FROM photo_search_rows;

-- Every change to what a row holds writes the row again, in the
-- transaction of the change: the index is never behind the catalog.
CREATE TRIGGER photo_search_photo_i AFTER INSERT ON photos BEGIN
    SELECT RAISE(ABORT, 'photo id above 2^27: the search key cannot hold it') WHERE NEW.id >= 134217728;
    INSERT INTO photo_search (rowid, name, text, album, camera, place)
        SELECT sk, name, text, album, camera, place FROM photo_search_rows WHERE id = NEW.id; END;
CREATE TRIGGER photo_search_photo_u AFTER UPDATE OF id, taken_key, original_name, title, caption, keywords, people,
    camera_make, camera_model, lens, place_country, place_region, place_city ON photos BEGIN
    SELECT RAISE(ABORT, 'photo id above 2^27: the search key cannot hold it') WHERE NEW.id >= 134217728;
    DELETE FROM photo_search WHERE rowid = ((max(min(OLD.taken_key / 1000, 34359738367), -34359738368) + 34359738368) << 27) | OLD.id;
    INSERT INTO photo_search (rowid, name, text, album, camera, place)
        SELECT sk, name, text, album, camera, place FROM photo_search_rows WHERE id = NEW.id; END;
CREATE TRIGGER photo_search_photo_d AFTER DELETE ON photos BEGIN
    DELETE FROM photo_search WHERE rowid = ((max(min(OLD.taken_key / 1000, 34359738367), -34359738368) + 34359738368) << 27) | OLD.id; END;

CREATE TRIGGER photo_search_album_photo_i AFTER INSERT ON album_photos BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows WHERE id = NEW.photo_id);
    INSERT INTO photo_search (rowid, name, text, album, camera, place)
        SELECT sk, name, text, album, camera, place FROM photo_search_rows WHERE id = NEW.photo_id; END;
CREATE TRIGGER photo_search_album_photo_d AFTER DELETE ON album_photos BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows WHERE id = OLD.photo_id);
    INSERT INTO photo_search (rowid, name, text, album, camera, place)
        SELECT sk, name, text, album, camera, place FROM photo_search_rows WHERE id = OLD.photo_id; END;
CREATE TRIGGER photo_search_album_u AFTER UPDATE OF name ON albums BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows
        WHERE id IN (SELECT photo_id FROM album_photos WHERE album_id = NEW.id));
    INSERT INTO photo_search (rowid, name, text, album, camera, place)
        SELECT sk, name, text, album, camera, place FROM photo_search_rows
        WHERE id IN (SELECT photo_id FROM album_photos WHERE album_id = NEW.id); END;

CREATE TRIGGER photo_search_comment_i AFTER INSERT ON comments BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows WHERE id = NEW.photo_id);
    INSERT INTO photo_search (rowid, name, text, album, camera, place)
        SELECT sk, name, text, album, camera, place FROM photo_search_rows WHERE id = NEW.photo_id; END;
CREATE TRIGGER photo_search_comment_u AFTER UPDATE OF photo_id, text ON comments BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows WHERE id IN (OLD.photo_id, NEW.photo_id));
    INSERT INTO photo_search (rowid, name, text, album, camera, place)
        SELECT sk, name, text, album, camera, place FROM photo_search_rows WHERE id IN (OLD.photo_id, NEW.photo_id); END;
CREATE TRIGGER photo_search_comment_d AFTER DELETE ON comments BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows WHERE id = OLD.photo_id);
    INSERT INTO photo_search (rowid, name, text, album, camera, place)
        SELECT sk, name, text, album, camera, place FROM photo_search_rows WHERE id = OLD.photo_id; END;
