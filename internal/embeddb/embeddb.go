// Package embeddb runs FerretDB with its SQLite backend inside the process,
// so that vertaa needs no database server of its own.
//
// The database listens only on a unix socket inside (or, for long paths,
// named after) the data folder; FerretDB has no authentication, so it must
// never listen on a network address. A lock file in the data folder makes
// sure that one process at a time owns the folder.
package embeddb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// maxSocketPath is the longest unix socket path we place in the data folder.
// The kernel limit is 108 bytes on Linux and 104 on macOS, including the NUL.
const maxSocketPath = 100

// ErrInUse means that another process holds the data folder.
var ErrInUse = errors.New("data folder is in use by another vertaa process")

// lockFile is the name of the lock file in a data folder.
const lockFile = "vertaa.lock"

// Server is a running embedded FerretDB.
type Server struct {
	dir          string
	socket       string
	lock         *dirLock
	removeOnStop bool // the data folder is a copy that Stop removes
	cancel       context.CancelFunc
	done         chan struct{}
	once         sync.Once
}

// Start takes the lock on the data folder dir (creating the folder if
// needed), removes a socket left behind by a killed process and copies of
// the database left by killed backups, and starts FerretDB on SQLite files
// in dir/db with synchronous(full). The logger should be quiet: FerretDB
// logs every connection at INFO.
//
// Start fails with an error wrapping ErrInUse when another process holds
// the folder.
func Start(dir string, logger *slog.Logger) (*Server, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data folder %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Join(abs, "db"), 0o700); err != nil {
		return nil, fmt.Errorf("data folder %s: %w", abs, err)
	}
	lock, err := lockDir(abs)
	if err != nil {
		return nil, err
	}
	removeAbandonedSnapshots(abs)
	s, err := serve(abs, lock, logger)
	if err != nil {
		lock.release()
		return nil, err
	}
	return s, nil
}

// serve starts FerretDB on the data folder abs, whose lock it is given.
func serve(abs string, lock *dirLock, logger *slog.Logger) (*Server, error) {
	s := &Server{dir: abs, socket: socketPath(abs), lock: lock, done: make(chan struct{})}
	// Only the holder of the lock may remove the socket: a socket file left
	// by a process killed with SIGKILL would make Listen fail.
	if err := os.Remove(s.socket); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket %s: %w", s.socket, err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: s.socket},
		Handler:   "sqlite",
		SQLiteURL: sqliteURL(filepath.Join(abs, "db")),
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("start embedded FerretDB in %s: %w", abs, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() {
		defer close(s.done)
		_ = f.Run(ctx) // returns nil once ctx is cancelled and everything is closed
	}()
	return s, nil
}

// URI returns the MongoDB connection string of the embedded server.
func (s *Server) URI() string {
	uri, _ := SocketURI(s.dir) // s.dir is absolute already
	return uri
}

// SocketURI returns the connection string of the server that runs, or
// would run, in the data folder dir: for a command that runs beside a
// server holding the folder.
func SocketURI(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return "mongodb://" + url.PathEscape(socketPath(abs)) + "/", nil
}

// Dir returns the absolute path of the data folder.
func (s *Server) Dir() string { return s.dir }

// Socket returns the path of the unix socket the server listens on.
func (s *Server) Socket() string { return s.socket }

// Stop closes the listener and all connections, closes the SQLite files
// and releases the data folder, after removing it if it is a copy made by
// StartSnapshot. It waits for FerretDB to finish and may be called more
// than once.
func (s *Server) Stop() {
	s.once.Do(func() {
		s.cancel()
		<-s.done
		if s.removeOnStop {
			_ = os.RemoveAll(s.dir)
		}
		s.lock.release()
	})
}

// socketPath returns dir/mongodb.sock, or, where that path is too long for
// a unix socket, a path in the system's temporary folder named after dir.
// The driver recognises a unix socket by the suffix "sock".
func socketPath(dir string) string {
	p := filepath.Join(dir, "mongodb.sock")
	if len(p) <= maxSocketPath {
		return p
	}
	sum := sha256.Sum256([]byte(dir))
	return filepath.Join(os.TempDir(), "vertaa-"+hex.EncodeToString(sum[:8])+".sock")
}

// sqliteURL returns FerretDB's SQLite URI for the folder dir: a file URL
// ending in "/" with durable writes (synchronous=FULL in WAL mode).
func sqliteURL(dir string) string {
	u := url.URL{
		Scheme:   "file",
		Path:     filepath.ToSlash(dir) + "/",
		RawQuery: url.Values{"_pragma": {"synchronous(full)"}}.Encode(),
	}
	return u.String()
}
