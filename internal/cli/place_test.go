package cli

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// TestPlaceShown: a photo with a position has its place in ls --json
// (and --fields) and in info; one without has none.
func TestPlaceShown(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "", "import", "../../testdata/photos/jpeg")
	var photos []struct {
		ID    int64
		Lat   *float64
		Place *struct{ Country, CountryName, City, Name string }
	}
	if err := json.Unmarshal([]byte(strings.ReplaceAll(run(t, dir, "", "ls", "--json"), "country_name", "countryname")), &photos); err != nil {
		t.Fatal(err)
	}
	with := int64(0)
	for _, p := range photos {
		switch {
		case p.Lat == nil && p.Place != nil:
			t.Errorf("photo %d has no position but a place %+v", p.ID, p.Place)
		case p.Lat != nil && (p.Place == nil || p.Place.Country == "" || p.Place.CountryName == "" || !strings.Contains(p.Place.Name, p.Place.City)):
			t.Errorf("photo %d has a position but the place %+v", p.ID, p.Place)
		case p.Lat != nil:
			with = p.ID
		}
	}
	if with == 0 {
		t.Fatal("no photo with a position in the test data")
	}
	if out := run(t, dir, "", "info", strconv.FormatInt(with, 10)); !strings.Contains(out, "\nplace:          ") {
		t.Errorf("info of a photo with a position says no place:\n%s", out)
	}
	if out := run(t, dir, "", "ls", "--fields", "id,place"); !strings.Contains(out, "PLACE") {
		t.Errorf("ls --fields id,place:\n%s", out)
	}
}
