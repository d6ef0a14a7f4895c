// Package storetest gives tests a real database: the embedded FerretDB,
// started once per test binary, or the MongoDB deployment named by
// VERTAA_TEST_MONGODB_URI. Every test gets a fresh database of its own,
// dropped when the test ends.
//
// A package that uses it calls Main from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	_ "modernc.org/sqlite" // the driver of IntegrityCheck

	"vertaa/internal/embeddb"
	"vertaa/internal/store"
)

// EnvURI names the environment variable that points the tests at a real
// MongoDB deployment instead of the embedded store.
const EnvURI = "VERTAA_TEST_MONGODB_URI"

var (
	uri      string          // of the database server the tests use
	server   *embeddb.Server // the embedded FerretDB, or nil
	embedded bool            // whether that server is the embedded FerretDB
	admin    *mongo.Client   // creates and drops the per-test databases
)

// Main starts the database server for the test binary, runs the tests and
// stops the server. It returns the exit code for os.Exit.
func Main(m *testing.M) int {
	uri = os.Getenv(EnvURI)
	if uri == "" {
		dir, err := os.MkdirTemp("", "vertaa-storetest-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "storetest:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		srv, err := embeddb.Start(dir, quiet)
		if err != nil {
			fmt.Fprintln(os.Stderr, "storetest: start embedded store:", err)
			return 1
		}
		defer srv.Stop()
		uri, embedded, server = srv.URI(), true, srv
	}
	var err error
	admin, err = mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest: connect:", err)
		return 1
	}
	defer admin.Disconnect(context.Background())
	return m.Run()
}

// Embedded reports whether the tests run on the embedded FerretDB rather
// than on a real MongoDB.
func Embedded() bool { return embedded }

// New returns a Store on a fresh database that is dropped when t ends.
func New(t testing.TB) *store.Store {
	t.Helper()
	s, _ := NewWithDatabase(t)
	return s
}

// NewWithDatabase is New that also returns a raw driver handle on the same
// database, for benchmarks that compare with the database's own speed.
func NewWithDatabase(t testing.TB) (*store.Store, *mongo.Database) {
	t.Helper()
	name := newDatabaseName(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.Open(ctx, uri, name)
	if err != nil {
		t.Fatalf("open store on %s: %v", name, err)
	}
	if embedded {
		s.SetExclusive()
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s, admin.Database(name)
}

// NewWithSchema returns a Store on a fresh database with the service's
// collections and indexes, prepared as the server prepares its own.
func NewWithSchema(t testing.TB) *store.Store {
	t.Helper()
	s, _ := NewWithSchemaDatabase(t)
	return s
}

// NewWithSchemaDatabase is NewWithSchema that also returns a raw driver
// handle on the same database, for tests that change documents behind the
// store's back.
func NewWithSchemaDatabase(t testing.TB) (*store.Store, *mongo.Database) {
	t.Helper()
	s, raw := NewWithDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.EnsureSchema(ctx); err != nil {
		t.Fatalf("create the schema: %v", err)
	}
	IndexIDs(t, raw)
	return s, raw
}

// IndexIDs adds the embedded store's _id indexes to the database's
// collections, as the server does at start (see embeddb.IndexIDs). On
// MongoDB it does nothing.
func IndexIDs(t testing.TB, db *mongo.Database) {
	t.Helper()
	if server == nil {
		return
	}
	if err := server.IndexIDs(context.Background(), db.Name()); err != nil {
		t.Fatalf("index _id: %v", err)
	}
}

// Database returns a raw driver handle on a fresh database that is dropped
// when t ends, for tests that pin the behaviour of the database itself.
func Database(t testing.TB) *mongo.Database {
	t.Helper()
	return admin.Database(newDatabaseName(t))
}

// URI returns the connection string of the database server the tests use.
func URI() string { return uri }

// newDatabaseName returns a unique database name and drops that database
// when t ends.
func newDatabaseName(t testing.TB) string {
	t.Helper()
	if admin == nil {
		t.Fatal("storetest: call storetest.Main from TestMain")
	}
	name := "t_" + strings.ToLower(rand.Text()[:16])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := admin.Database(name).Drop(ctx); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	return name
}

// Documents reads every document of every collection of a snapshot as
// raw BSON, sorted bytewise per collection, so that two databases hold
// the same documents when the results are equal. A collection whose count
// differs from what it read fails the test.
func Documents(t testing.TB, sn *store.Snapshot) map[string][][]byte {
	t.Helper()
	ctx := context.Background()
	colls, err := sn.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][]byte{}
	for _, c := range colls {
		docs := [][]byte{}
		if err := sn.Documents(ctx, c.Name, func(doc []byte) error {
			docs = append(docs, bytes.Clone(doc))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if int64(len(docs)) != c.Documents {
			t.Errorf("%s: counted %d documents, read %d", c.Name, c.Documents, len(docs))
		}
		slices.SortFunc(docs, bytes.Compare)
		out[c.Name] = docs
	}
	return out
}

// IntegrityCheck runs SQLite's integrity_check on every database file of
// the embedded store in the data folder dir, which no server may hold.
func IntegrityCheck(t testing.TB, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "db", "*.sqlite"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no SQLite files in %s: %v", dir, err)
	}
	for _, f := range files {
		db, err := sql.Open("sqlite", "file:"+f)
		if err != nil {
			t.Fatal(err)
		}
		var res string
		err = db.QueryRow("PRAGMA integrity_check").Scan(&res)
		db.Close()
		if err != nil || res != "ok" {
			t.Fatalf("integrity_check of %s: %q, %v", f, res, err)
		}
	}
}
