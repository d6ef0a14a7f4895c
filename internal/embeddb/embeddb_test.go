package embeddb_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/embeddb"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func start(t *testing.T, dir string) *embeddb.Server {
	t.Helper()
	s, err := embeddb.Start(dir, quiet)
	if err != nil {
		t.Fatalf("Start(%s): %v", dir, err)
	}
	t.Cleanup(s.Stop)
	return s
}

// roundTrip writes a document through the server and reads it back.
func roundTrip(t *testing.T, s *embeddb.Server, write bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := mongo.Connect(options.Client().ApplyURI(s.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(ctx)
	coll := c.Database("d").Collection("c")
	if write {
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "k"}, {Key: "name", Value: "Åsa"}}); err != nil {
			t.Fatalf("insert: %v", err)
		}
	}
	var got struct{ Name string }
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "k"}}).Decode(&got); err != nil || got.Name != "Åsa" {
		t.Fatalf("read back %+v, %v", got, err)
	}
}

func TestStartStopRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s, err := embeddb.Start(dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URI(), "mongodb://") || !strings.HasSuffix(s.Socket(), ".sock") {
		t.Fatalf("URI %q, socket %q", s.URI(), s.Socket())
	}
	roundTrip(t, s, true)
	s.Stop()
	s.Stop() // a second Stop is harmless
	if _, err := os.Stat(s.Socket()); !os.IsNotExist(err) {
		t.Fatalf("socket left after Stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "db", "d.sqlite")); err != nil {
		t.Fatalf("no SQLite file for database d: %v", err)
	}
	again := start(t, dir)
	roundTrip(t, again, false)
}

func TestDataFolderInUse(t *testing.T) {
	dir := t.TempDir()
	start(t, dir)
	_, err := embeddb.Start(dir, quiet)
	if !errors.Is(err, embeddb.ErrInUse) {
		t.Fatalf("second Start on the same folder: %v, want ErrInUse", err)
	}
	if !strings.Contains(err.Error(), "pid") {
		t.Errorf("error %q does not name the holder's pid", err)
	}
}

func TestStaleSocketIsRemoved(t *testing.T) {
	dir := t.TempDir()
	// A socket file left by a killed process: bound, then abandoned
	// without being unlinked.
	l, err := net.Listen("unix", filepath.Join(dir, "mongodb.sock"))
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	s := start(t, dir)
	roundTrip(t, s, true)
}

func TestLongDataFolderPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("a-rather-long-folder-name/", 5))
	s := start(t, dir)
	if len(s.Socket()) > 100 || strings.HasPrefix(s.Socket(), dir) {
		t.Fatalf("socket %q (%d bytes) for a long data folder", s.Socket(), len(s.Socket()))
	}
	roundTrip(t, s, true)
}

func TestUnusableDataFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := embeddb.Start(filepath.Join(file, "data"), quiet); err == nil {
		t.Fatal("Start under a regular file succeeded")
	}
}
