-- Perceptual hashes of the photos' grid thumbnails (pkg/phash), for
-- "picup dupes": computed at import, and by dupes for photos imported
-- before. NULL: the picture is too plain to hash (a blank scan), so
-- it is not hashed again.
CREATE TABLE photo_hashes (
    photo_id INTEGER PRIMARY KEY REFERENCES photos (id) ON DELETE CASCADE,
    phash    INTEGER
);
