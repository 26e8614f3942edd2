-- A share's id is never given to another share: the media URLs signed
-- for a deleted link (an album's links go with the album) name its id,
-- and a new link under the same id would make them open again.
-- share_ids holds the highest id any share ever had; CreateShare takes
-- the next one, and the trigger keeps the row right for any other insert.
-- (AUTOINCREMENT would need the table rebuilt, which its foreign keys
-- cascade from.)
CREATE TABLE share_ids (
    last INTEGER NOT NULL
);
INSERT INTO share_ids (last) SELECT coalesce(max(id), 0) FROM shares;

CREATE TRIGGER share_ids_advance AFTER INSERT ON shares BEGIN
    UPDATE share_ids SET last = max(last, NEW.id);
END;
