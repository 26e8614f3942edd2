-- The search index is merged into one segment. FTS5 deletes a row by
-- adding a tombstone that cancels it when segments merge; migration 0025
-- wrote again the rows of every photo in an album (2 million at ten
-- million photos), and until the segments holding the old rows merged
-- with their tombstones, a word that was only in album names ("trip",
-- "everything") took 130 to 220 ms to find no photo, reading 2 million
-- entries and the tombstones that cancel them. 'optimize' writes the
-- index again as one segment without them.
INSERT INTO photo_search (photo_search) VALUES ('optimize');
