-- Korean words inside compounds: 여행 in 가족여행, 제주 in 우리제주.
-- unicode61 keeps a Hangul word with whatever is attached to it as one
-- token, and a query finds a token by its start only. Written Korean
-- joins nouns without spaces, so the index gets a sixth column, bigrams:
-- the overlapping two-syllable pairs of every run of Hangul syllables
-- (U+AC00..U+D7A3) in the photo's name, album names and text, as
-- Lucene's CJKAnalyzer makes them (가족여행 → 가족 족여 여행), with the
-- token ㆍ after each run of two syllables or more, so that the pairs of
-- two words never stand side by side (가나 나다 cannot be taken for 가나다).
-- A query word of two syllables or more is then also the phrase of its
-- pairs on this column (여행 → bigrams : "여행", 제주도 → bigrams :
-- "제주 주도"); a word of one syllable stays a prefix query, and every
-- query term with Hangul in it is kept off this column otherwise
-- (docs/architecture.md, "Search").
--
-- The pairs are made here in SQL, by the view, so that the triggers keep
-- them as they keep the other columns and the catalog needs no function
-- of picup's to be written to. substr() on text walks from its start, so
-- the view reads the first 2000 characters of name, albums and text and
-- no more: a photo with a thousand long comments costs a write what 2000
-- characters cost.
--
-- FTS5 cannot add a column: the table, the view and the triggers of 0015
-- are made again, and the rows there are indexed again.
DROP TRIGGER photo_search_photo_i;
DROP TRIGGER photo_search_photo_u;
DROP TRIGGER photo_search_photo_d;
DROP TRIGGER photo_search_album_photo_i;
DROP TRIGGER photo_search_album_photo_d;
DROP TRIGGER photo_search_album_u;
DROP TRIGGER photo_search_comment_i;
DROP TRIGGER photo_search_comment_u;
DROP TRIGGER photo_search_comment_d;
DROP VIEW photo_search_rows;
DROP TABLE photo_search;

CREATE VIRTUAL TABLE photo_search USING fts5(
    name, text, album, camera, place, bigrams,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- What a photo's row holds: its columns, albums and comments as in 0015,
-- and the syllable pairs of the first 2000 characters of its name,
-- albums and text. The recursion walks those characters once, each step
-- looking at the first two of what is left (and the one before).
CREATE VIEW photo_search_rows AS
SELECT id, sk, name, text, album, camera, place,
    CASE WHEN name || ' ' || album || ' ' || text GLOB '*[가-힣][가-힣]*' THEN (
        WITH RECURSIVE walk(n, before, rest) AS (
            SELECT 0, 0, substr(name || ' ' || album || ' ' || text, 1, 2000)
            UNION ALL SELECT n + 1, unicode(rest), substr(rest, 2) FROM walk WHERE rest != '')
        SELECT coalesce(group_concat(CASE WHEN unicode(substr(rest, 2, 1)) BETWEEN 44032 AND 55203
            THEN substr(rest, 1, 2) ELSE 'ㆍ' END, ' ' ORDER BY n), '')
        FROM walk
        WHERE unicode(rest) BETWEEN 44032 AND 55203
            AND (unicode(substr(rest, 2, 1)) BETWEEN 44032 AND 55203 OR before BETWEEN 44032 AND 55203))
    ELSE '' END AS bigrams
FROM (SELECT p.id AS id,
    ((max(min(p.taken_key / 1000, 34359738367), -34359738368) + 34359738368) << 27) | p.id AS sk,
    p.original_name AS name,
    p.title || ' ' || p.caption || ' ' || p.keywords || ' ' || p.people || ' ' ||
        coalesce((SELECT group_concat(c.text, ' ') FROM comments c WHERE c.photo_id = p.id), '') AS text,
    coalesce((SELECT group_concat(a.name, ' ') FROM album_photos ap JOIN albums a ON a.id = ap.album_id
        WHERE ap.photo_id = p.id), '') AS album,
    p.camera_make || ' ' || p.camera_model || ' ' || p.lens AS camera,
    coalesce(p.place_country, '') || ' ' || coalesce(p.place_region, '') || ' ' ||
        coalesce(p.place_city, '') AS place
FROM photos p);

-- The photos there are now.
INSERT INTO photo_search (rowid, name, text, album, camera, place, bigrams)
    SELECT sk, name, text, album, camera, place, bigrams FROM photo_search_rows;

-- Every change to what a row holds writes the row again, in the
-- transaction of the change: the index is never behind the catalog.
CREATE TRIGGER photo_search_photo_i AFTER INSERT ON photos BEGIN
    SELECT RAISE(ABORT, 'photo id above 2^27: the search key cannot hold it') WHERE NEW.id >= 134217728;
    INSERT INTO photo_search (rowid, name, text, album, camera, place, bigrams)
        SELECT sk, name, text, album, camera, place, bigrams FROM photo_search_rows WHERE id = NEW.id; END;
CREATE TRIGGER photo_search_photo_u AFTER UPDATE OF id, taken_key, original_name, title, caption, keywords, people,
    camera_make, camera_model, lens, place_country, place_region, place_city ON photos BEGIN
    SELECT RAISE(ABORT, 'photo id above 2^27: the search key cannot hold it') WHERE NEW.id >= 134217728;
    DELETE FROM photo_search WHERE rowid = ((max(min(OLD.taken_key / 1000, 34359738367), -34359738368) + 34359738368) << 27) | OLD.id;
    INSERT INTO photo_search (rowid, name, text, album, camera, place, bigrams)
        SELECT sk, name, text, album, camera, place, bigrams FROM photo_search_rows WHERE id = NEW.id; END;
CREATE TRIGGER photo_search_photo_d AFTER DELETE ON photos BEGIN
    DELETE FROM photo_search WHERE rowid = ((max(min(OLD.taken_key / 1000, 34359738367), -34359738368) + 34359738368) << 27) | OLD.id; END;

CREATE TRIGGER photo_search_album_photo_i AFTER INSERT ON album_photos BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows WHERE id = NEW.photo_id);
    INSERT INTO photo_search (rowid, name, text, album, camera, place, bigrams)
        SELECT sk, name, text, album, camera, place, bigrams FROM photo_search_rows WHERE id = NEW.photo_id; END;
CREATE TRIGGER photo_search_album_photo_d AFTER DELETE ON album_photos BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows WHERE id = OLD.photo_id);
    INSERT INTO photo_search (rowid, name, text, album, camera, place, bigrams)
        SELECT sk, name, text, album, camera, place, bigrams FROM photo_search_rows WHERE id = OLD.photo_id; END;
CREATE TRIGGER photo_search_album_u AFTER UPDATE OF name ON albums BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows
        WHERE id IN (SELECT photo_id FROM album_photos WHERE album_id = NEW.id));
    INSERT INTO photo_search (rowid, name, text, album, camera, place, bigrams)
        SELECT sk, name, text, album, camera, place, bigrams FROM photo_search_rows
        WHERE id IN (SELECT photo_id FROM album_photos WHERE album_id = NEW.id); END;

CREATE TRIGGER photo_search_comment_i AFTER INSERT ON comments BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows WHERE id = NEW.photo_id);
    INSERT INTO photo_search (rowid, name, text, album, camera, place, bigrams)
        SELECT sk, name, text, album, camera, place, bigrams FROM photo_search_rows WHERE id = NEW.photo_id; END;
CREATE TRIGGER photo_search_comment_u AFTER UPDATE OF photo_id, text ON comments BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows WHERE id IN (OLD.photo_id, NEW.photo_id));
    INSERT INTO photo_search (rowid, name, text, album, camera, place, bigrams)
        SELECT sk, name, text, album, camera, place, bigrams FROM photo_search_rows WHERE id IN (OLD.photo_id, NEW.photo_id); END;
CREATE TRIGGER photo_search_comment_d AFTER DELETE ON comments BEGIN
    DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM photo_search_rows WHERE id = OLD.photo_id);
    INSERT INTO photo_search (rowid, name, text, album, camera, place, bigrams)
        SELECT sk, name, text, album, camera, place, bigrams FROM photo_search_rows WHERE id = OLD.photo_id; END;
