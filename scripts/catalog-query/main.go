// Command catalog-query runs one SQL query on a picup catalog, read-only,
// and prints its rows as the sqlite3 command does by default: the
// columns of a row separated by "|", NULL as nothing. The benchmark
// scripts use it where Debian's sqlite3 is too old for the catalog's
// schema (its views use SQL that SQLite 3.40 does not parse).
//
//	go run ./scripts/catalog-query LIBRARY/catalog.db "SELECT count(*) FROM photos"
package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"

	_ "modernc.org/sqlite"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: catalog-query CATALOG.db SQL")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "catalog-query:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, path, query string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%w: name a picup catalog (LIBRARY/catalog.db)", err)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	out := make([]string, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			out[i] = v.String
		}
		fmt.Println(strings.Join(out, "|"))
	}
	return rows.Err()
}
