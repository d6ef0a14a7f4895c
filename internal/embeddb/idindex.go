package embeddb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// idExpression is how FerretDB's SQLite backend compares _id when it
// pushes a filter {_id: value} down to SQLite. FerretDB indexes _id with
// a differently written expression, which SQLite does not match, so
// without an index of its own every lookup by _id reads the whole table
// (see the store's contract test TestContractIDLookupUsesAnIndex).
const idExpression = `_ferretdb_sjson->'$._id'`

// IndexIDs adds to every collection of the database an SQLite index on
// the expression FerretDB looks _id up with, so that a lookup by _id takes
// the same time whatever the size of the collection. It is idempotent;
// call it after the collections exist. The indexes live and die with
// FerretDB's tables: dropping a collection drops its index.
func (s *Server) IndexIDs(ctx context.Context, database string) error {
	path := databaseFile(s.dir, database)
	db, err := sql.Open("sqlite", fileURL(path, "busy_timeout(10000)", "journal_mode(wal)", "synchronous(full)"))
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return fmt.Errorf("list the tables of %s: %w", database, err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, t := range tables {
		name := strings.ReplaceAll(t+"_vertaa_id", `"`, "")
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, name, t, idExpression)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("index _id of table %s: %w", t, err)
		}
	}
	return nil
}

// databaseFile is the SQLite file of a database of the data folder dir.
func databaseFile(dir, database string) string {
	return filepath.Join(dir, "db", database+".sqlite")
}

// fileURL is the database/sql name of the SQLite file at path, opened with
// the pragmas.
func fileURL(path string, pragmas ...string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: url.Values{"_pragma": pragmas}.Encode()}
	return u.String()
}
