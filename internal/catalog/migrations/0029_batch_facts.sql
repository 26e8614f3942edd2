-- Trashing and restoring a batch (Tx.Trash, Tx.TrashAlbum, Tx.Restore)
-- moved four kinds of counters, and each of the four statements read
-- every photo of the batch again by its id for its bytes, type and day:
-- at ten million photos, 1.1 s of the 3.4 s that an album of 100,000
-- took to trash. batch_photos now holds what those counters need of each
-- photo, read once when the batch is filled; a purge's batch fills only
-- photo_id and leaves them NULL.
ALTER TABLE batch_photos ADD COLUMN bytes INTEGER;
ALTER TABLE batch_photos ADD COLUMN type TEXT;
ALTER TABLE batch_photos ADD COLUMN date TEXT;     -- substr(taken_at, 1, 10), as photo_dates counts
ALTER TABLE batch_photos ADD COLUMN day INTEGER;   -- the taken_key's day, as photo_key_days counts
