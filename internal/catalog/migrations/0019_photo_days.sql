-- How many photos and videos outside the trash each day holds, so that
-- the terminal browser's timeline, its total and a photo's position read
-- a few thousand rows instead of counting millions. photo_dates counts
-- by local capture date (taken_at's first ten characters; fewer for a
-- month or a year alone), photo_key_days by the UTC day of taken_key
-- (the order of every listing). Triggers keep both in the transaction
-- of every change; a day that empties keeps its row at 0.
CREATE TABLE photo_dates (
    date   TEXT    PRIMARY KEY,
    photos INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE photo_key_days (
    day    INTEGER PRIMARY KEY,  -- floor(taken_key / 86400000)
    photos INTEGER NOT NULL
);

INSERT INTO photo_dates (date, photos)
    SELECT substr(taken_at, 1, 10), count(*) FROM photos WHERE trashed_at IS NULL GROUP BY 1;
INSERT INTO photo_key_days (day, photos)
    SELECT (taken_key - (taken_key % 86400000 + 86400000) % 86400000) / 86400000, count(*)
    FROM photos WHERE trashed_at IS NULL GROUP BY 1;

CREATE TRIGGER photo_days_i AFTER INSERT ON photos WHEN NEW.trashed_at IS NULL BEGIN
    INSERT INTO photo_dates (date, photos) VALUES (substr(NEW.taken_at, 1, 10), 1)
        ON CONFLICT (date) DO UPDATE SET photos = photos + 1;
    INSERT INTO photo_key_days (day, photos)
        VALUES ((NEW.taken_key - (NEW.taken_key % 86400000 + 86400000) % 86400000) / 86400000, 1)
        ON CONFLICT (day) DO UPDATE SET photos = photos + 1; END;
CREATE TRIGGER photo_days_d AFTER DELETE ON photos WHEN OLD.trashed_at IS NULL BEGIN
    UPDATE photo_dates SET photos = photos - 1 WHERE date = substr(OLD.taken_at, 1, 10);
    UPDATE photo_key_days SET photos = photos - 1
        WHERE day = (OLD.taken_key - (OLD.taken_key % 86400000 + 86400000) % 86400000) / 86400000; END;
CREATE TRIGGER photo_days_u AFTER UPDATE OF taken_at, taken_key, trashed_at ON photos BEGIN
    UPDATE photo_dates SET photos = photos - 1 WHERE OLD.trashed_at IS NULL AND date = substr(OLD.taken_at, 1, 10);
    UPDATE photo_key_days SET photos = photos - 1 WHERE OLD.trashed_at IS NULL
        AND day = (OLD.taken_key - (OLD.taken_key % 86400000 + 86400000) % 86400000) / 86400000;
    INSERT INTO photo_dates (date, photos) SELECT substr(NEW.taken_at, 1, 10), 1 WHERE NEW.trashed_at IS NULL
        ON CONFLICT (date) DO UPDATE SET photos = photos + 1;
    INSERT INTO photo_key_days (day, photos)
        SELECT (NEW.taken_key - (NEW.taken_key % 86400000 + 86400000) % 86400000) / 86400000, 1 WHERE NEW.trashed_at IS NULL
        ON CONFLICT (day) DO UPDATE SET photos = photos + 1; END;
