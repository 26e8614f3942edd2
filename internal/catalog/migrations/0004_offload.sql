-- Offloaded photos: the original lives only in a remote (named here); the
-- thumbnails stay local.
ALTER TABLE photos ADD COLUMN offloaded TEXT;

-- A remote with auto set gets a sync job queued after every import that
-- stored something.
ALTER TABLE remotes ADD COLUMN auto INTEGER NOT NULL DEFAULT 0;
