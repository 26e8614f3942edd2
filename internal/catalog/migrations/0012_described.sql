-- What a photo's metadata says beyond its camera (issue 14): the precision
-- of its capture time ('' for a full time; 'day', 'month' or 'year' for a
-- date alone, as a scan dated "1962-07-14" is: taken_at is then the date at
-- that precision and taken_key the start of it), and the title, caption,
-- keywords, people and rating read from XMP and IPTC. keywords and people
-- are JSON arrays of strings ('' when there are none); rating is xmp:Rating
-- (-1 rejected .. 5), NULL when the file has none.
ALTER TABLE photos ADD COLUMN taken_precision TEXT NOT NULL DEFAULT '';
ALTER TABLE photos ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE photos ADD COLUMN caption TEXT NOT NULL DEFAULT '';
ALTER TABLE photos ADD COLUMN keywords TEXT NOT NULL DEFAULT '';
ALTER TABLE photos ADD COLUMN people TEXT NOT NULL DEFAULT '';
ALTER TABLE photos ADD COLUMN rating INTEGER;
