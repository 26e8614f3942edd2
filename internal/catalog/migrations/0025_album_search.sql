-- Album names leave the photos' search rows. A photo's row held the
-- names of its albums (0015) and their syllable pairs (0017), so that
-- removing an album of 100,000 photos, renaming it or adding a year of
-- photos to it wrote 100,000 rows of the index again: 13 s at ten
-- million photos. Album names now have an index of their own,
-- album_search (a row per album: its name and the name's syllable
-- pairs), and a query word finds a photo when it matches the photo's
-- row or the name of an album the photo is in: the search looks the
-- word up among the album names first and then asks album_photos
-- (docs/architecture.md, "Search"). Changing an album's members or its
-- name then writes album_photos and one album_search row, and no photo's
-- search row.
--
-- FTS5 cannot drop a column: photo_search keeps its album column, and
-- the view now gives it '' (the statements that write rows name it).
-- The rows of photos in an album are written again without their album
-- names; the other rows have none.
DROP TRIGGER photo_search_album_photo_i;
DROP TRIGGER photo_search_album_photo_d;
DROP TRIGGER photo_search_album_u;

DROP VIEW photo_search_rows;
CREATE VIEW photo_search_rows AS
SELECT id, sk, name, text, '' AS album, camera, place,
    CASE WHEN name || ' ' || text GLOB '*[가-힣][가-힣]*' THEN (
        WITH RECURSIVE walk(n, before, rest) AS (
            SELECT 0, 0, substr(name || ' ' || text, 1, 2000)
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
    p.camera_make || ' ' || p.camera_model || ' ' || p.lens AS camera,
    coalesce(p.place_country, '') || ' ' || coalesce(p.place_region, '') || ' ' ||
        coalesce(p.place_city, '') AS place
FROM photos p);

-- In the order of the index, so that FTS5 writes them out once.
CREATE TEMP TABLE album_members AS
    SELECT DISTINCT ((max(min(p.taken_key / 1000, 34359738367), -34359738368) + 34359738368) << 27) | p.id AS sk
    FROM album_photos ap JOIN photos p ON p.id = ap.photo_id;
DELETE FROM photo_search WHERE rowid IN (SELECT sk FROM album_members);
INSERT INTO photo_search (rowid, name, text, album, camera, place, bigrams)
    SELECT sk, name, text, album, camera, place, bigrams FROM photo_search_rows
    WHERE sk IN (SELECT sk FROM album_members) ORDER BY sk;
DROP TABLE album_members;

-- An album's row: its name and the name's syllable pairs, made as 0017
-- makes a photo's. The rowid is the album's id.
CREATE VIRTUAL TABLE album_search USING fts5(
    name, bigrams,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE VIEW album_search_rows AS
SELECT id, name,
    CASE WHEN name GLOB '*[가-힣][가-힣]*' THEN (
        WITH RECURSIVE walk(n, before, rest) AS (
            SELECT 0, 0, substr(name, 1, 2000)
            UNION ALL SELECT n + 1, unicode(rest), substr(rest, 2) FROM walk WHERE rest != '')
        SELECT coalesce(group_concat(CASE WHEN unicode(substr(rest, 2, 1)) BETWEEN 44032 AND 55203
            THEN substr(rest, 1, 2) ELSE 'ㆍ' END, ' ' ORDER BY n), '')
        FROM walk
        WHERE unicode(rest) BETWEEN 44032 AND 55203
            AND (unicode(substr(rest, 2, 1)) BETWEEN 44032 AND 55203 OR before BETWEEN 44032 AND 55203))
    ELSE '' END AS bigrams
FROM albums;

INSERT INTO album_search (rowid, name, bigrams) SELECT id, name, bigrams FROM album_search_rows;

CREATE TRIGGER album_search_i AFTER INSERT ON albums BEGIN
    INSERT INTO album_search (rowid, name, bigrams) SELECT id, name, bigrams FROM album_search_rows WHERE id = NEW.id; END;
CREATE TRIGGER album_search_u AFTER UPDATE OF id, name ON albums BEGIN
    DELETE FROM album_search WHERE rowid = OLD.id;
    INSERT INTO album_search (rowid, name, bigrams) SELECT id, name, bigrams FROM album_search_rows WHERE id = NEW.id; END;
CREATE TRIGGER album_search_d AFTER DELETE ON albums BEGIN
    DELETE FROM album_search WHERE rowid = OLD.id; END;
