-- The place a photo was taken, looked up offline from its GPS position
-- (pkg/places): the country's ISO 3166 code, the region and the city or
-- town nearest to it. NULL: not looked up yet (no GPS, or imported
-- before places existed); '' in place_country: looked up, nowhere known
-- (the open sea).
ALTER TABLE photos ADD COLUMN place_country TEXT;
ALTER TABLE photos ADD COLUMN place_region TEXT;
ALTER TABLE photos ADD COLUMN place_city TEXT;

-- The photos whose place is still to be looked up.
CREATE INDEX photos_place_todo ON photos (id)
    WHERE lat IS NOT NULL AND lon IS NOT NULL AND place_country IS NULL;
