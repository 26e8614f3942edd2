-- A sync after a few changes no longer copies the whole catalog: between
-- full snapshots (catalog/<time>.db), it writes a journal
-- (catalog/<time>.journal.json) of what changed since the newest one,
-- which a restore applies on top of it (docs/sync.md, "Catalog
-- snapshots"). A full snapshot records where it stands, so that the
-- next journal knows what came after it: the change number and the
-- trash log entry it was taken at, and the fingerprint of what a journal
-- does not carry (users, albums, share links, settings); a journal
-- records its kind only.
ALTER TABLE remote_snapshots ADD COLUMN kind TEXT NOT NULL DEFAULT 'full' CHECK (kind IN ('full', 'journal'));
ALTER TABLE remote_snapshots ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE remote_snapshots ADD COLUMN trash_mark INTEGER NOT NULL DEFAULT 0;
-- '' for snapshots made before this: the next sync takes a full one.
ALTER TABLE remote_snapshots ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
