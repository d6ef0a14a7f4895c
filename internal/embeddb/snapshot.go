package embeddb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// ErrNoDatabase means that the data folder holds no database of the name.
var ErrNoDatabase = errors.New("no such database in the data folder")

// snapshotPrefix begins the names of the folders, inside a data folder,
// that hold copies of its database.
const snapshotPrefix = ".snapshot-"

// unlockedSnapshotAge is how long a copy's folder may be without its lock
// file before it counts as abandoned: the lock file is made a moment after
// the folder.
const unlockedSnapshotAge = time.Minute

// StartSnapshot copies the database of the data folder dir into a new
// folder inside dir, laid out as a data folder, and starts an embedded
// server on the copy; Stop removes the copy. The copy is transactionally
// consistent (SQLite's VACUUM INTO): it is the database as it was at one
// moment, even while a server in this or another process writes it, and
// the server's writes go on meanwhile. It fails with an error wrapping
// ErrNoDatabase when there is no such database.
//
// The copy holds personal data unencrypted. A process killed before Stop
// leaves it behind, so StartSnapshot and Start remove the copies in dir
// that no running process holds.
func StartSnapshot(ctx context.Context, dir, database string, logger *slog.Logger) (*Server, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data folder %s: %w", dir, err)
	}
	src := databaseFile(abs, database)
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", src, ErrNoDatabase)
	} else if err != nil {
		return nil, err
	}
	removeAbandonedSnapshots(abs)
	out, err := os.MkdirTemp(abs, snapshotPrefix) // mode 0700, like the data folder
	if err != nil {
		return nil, err
	}
	lock, err := lockDir(out)
	if err != nil {
		_ = os.RemoveAll(out)
		return nil, err
	}
	if err := vacuumInto(ctx, src, databaseFile(out, database)); err != nil {
		_ = os.RemoveAll(out)
		lock.release()
		return nil, err
	}
	s, err := serve(out, lock, logger)
	if err != nil {
		_ = os.RemoveAll(out)
		lock.release()
		return nil, err
	}
	s.removeOnStop = true
	return s, nil
}

// removeAbandonedSnapshots removes the copies of the database in the data
// folder dir whose lock no process holds: those of processes that died
// before they could remove them. A folder still without its lock file is
// left for a while, as its process may be about to lock it.
func removeAbandonedSnapshots(dir string) {
	folders, _ := filepath.Glob(filepath.Join(dir, snapshotPrefix+"*"))
	for _, folder := range folders {
		if _, err := os.Stat(filepath.Join(folder, lockFile)); errors.Is(err, fs.ErrNotExist) {
			info, err := os.Stat(folder)
			if err != nil || time.Since(info.ModTime()) < unlockedSnapshotAge {
				continue
			}
		}
		lock, err := lockDir(folder)
		if err != nil {
			continue // a running backup holds it
		}
		_ = os.RemoveAll(folder)
		lock.release()
	}
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
