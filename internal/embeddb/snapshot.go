package embeddb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNoDatabase means that the data folder holds no database of the name.
var ErrNoDatabase = errors.New("no such database in the data folder")

// SnapshotDatabase copies the database of the data folder dir into a new
// folder inside dir, laid out as a data folder, so that Start can serve
// the copy; it returns that folder, which the caller removes. The copy is
// transactionally consistent (SQLite's VACUUM INTO): it is the database as
// it was at one moment, even while a server in this or another process
// writes it, and the server's writes go on meanwhile. It fails with an
// error wrapping ErrNoDatabase when there is no such database.
func SnapshotDatabase(ctx context.Context, dir, database string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("data folder %s: %w", dir, err)
	}
	src := databaseFile(abs, database)
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s: %w", src, ErrNoDatabase)
	} else if err != nil {
		return "", err
	}
	out, err := os.MkdirTemp(abs, ".snapshot-") // mode 0700, like the data folder
	if err != nil {
		return "", err
	}
	if err := vacuumInto(ctx, src, databaseFile(out, database)); err != nil {
		_ = os.RemoveAll(out)
		return "", err
	}
	return out, nil
}

// vacuumInto copies the SQLite file src to the new file dst in one read
// transaction.
func vacuumInto(ctx context.Context, src, dst string) error {
	if err := os.Mkdir(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", fileURL(src, "busy_timeout(10000)"))
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}
