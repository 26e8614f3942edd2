-- Offloaded photos: the original lives only in a remote (named here); the
-- thumbnails stay local.
ALTER TABLE photos ADD COLUMN offloaded TEXT;
