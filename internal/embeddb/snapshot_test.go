package embeddb_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/embeddb"
)

func connect(t *testing.T, s *embeddb.Server) *mongo.Collection {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(s.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c.Database("d").Collection("c")
}

// A snapshot taken while the server inserts holds a prefix of the
// inserts: every document up to some point and none after it.
func TestSnapshotDatabaseWhileWriting(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	s := start(t, dir)
	coll := connect(t, s)
	if _, err := embeddb.StartSnapshot(ctx, dir, "d", quiet); !errors.Is(err, embeddb.ErrNoDatabase) {
		t.Fatalf("snapshot of a database that does not exist: %v, want ErrNoDatabase", err)
	}
	var inserted atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := int64(0); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: i}}); err != nil {
				t.Errorf("insert %d: %v", i, err)
				return
			}
			inserted.Store(i + 1)
		}
	})
	for inserted.Load() < 50 {
		time.Sleep(5 * time.Millisecond)
	}
	snap, err := embeddb.StartSnapshot(ctx, dir, "d", quiet)
	before := inserted.Load()
	for inserted.Load() < before+50 {
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	copyDir := snap.Dir()
	if !strings.HasPrefix(copyDir, dir+string(filepath.Separator)) {
		t.Errorf("the copy %s is not inside the data folder %s", copyDir, dir)
	}

	copied := connect(t, snap)
	n, err := copied.CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 || n > before+1 {
		t.Fatalf("the copy holds %d documents; %d were inserted before it was taken, 50 before it started", n, before)
	}
	var ids []struct {
		ID int64 `bson:"_id"`
	}
	cur, err := copied.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		t.Fatal(err)
	}
	if err := cur.All(ctx, &ids); err != nil {
		t.Fatal(err)
	}
	for i, d := range ids {
		if d.ID != int64(i) {
			t.Fatalf("the copy's documents skip from %d to %d", i-1, d.ID)
		}
	}
	if total, _ := coll.CountDocuments(ctx, bson.D{}); total < n+50 {
		t.Fatalf("the original holds %d documents, the copy %d", total, n)
	}
	if info, err := os.Stat(copyDir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("the copy's folder: %v, want mode 0700", err)
	}
	if _, err := embeddb.Start(copyDir, quiet); !errors.Is(err, embeddb.ErrInUse) {
		t.Errorf("a second server on the copy: %v, want ErrInUse", err)
	}
	snap.Stop()
	if _, err := os.Stat(copyDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the copy is still there after Stop: %v", err)
	}
}

// abandonedCopy makes a folder as a backup killed while it copied the
// database leaves behind: a copy of the data, and a lock file that no
// process holds any more (the kernel drops a dead process's locks), or
// none at all, modified age ago.
func abandonedCopy(t *testing.T, dir, name string, withLock bool, age time.Duration) string {
	t.Helper()
	folder := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Join(folder, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(folder, "db", "d.sqlite"), []byte("personal data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if withLock {
		if err := os.WriteFile(filepath.Join(folder, "vertaa.lock"), []byte("4242\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	then := time.Now().Add(-age)
	if err := os.Chtimes(folder, then, then); err != nil {
		t.Fatal(err)
	}
	return folder
}

// The copies of the database that killed backups left behind are removed
// by the next backup and by the next start of the server; the copy of a
// backup that is running, and a folder made a moment ago that its process
// has not locked yet, are left alone.
func TestAbandonedCopiesAreRemoved(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	s := start(t, dir)
	if _, err := connect(t, s).InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	running, err := embeddb.StartSnapshot(ctx, dir, "d", quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer running.Stop()
	killed := abandonedCopy(t, dir, ".snapshot-killed", true, 0)
	unlocked := abandonedCopy(t, dir, ".snapshot-unlocked", false, 2*time.Minute)
	fresh := abandonedCopy(t, dir, ".snapshot-fresh", false, 0)
	other := abandonedCopy(t, dir, "backups", true, 0)

	next, err := embeddb.StartSnapshot(ctx, dir, "d", quiet)
	if err != nil {
		t.Fatal(err)
	}
	next.Stop()
	for folder, kept := range map[string]bool{killed: false, unlocked: false, fresh: true, other: true, running.Dir(): true} {
		_, err := os.Stat(folder)
		if kept && err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(folder), err)
		}
		if !kept && !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there after the next backup: %v", filepath.Base(folder), err)
		}
	}
	if n, err := connect(t, running).CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
		t.Errorf("the running backup's copy holds %d documents (%v), want 1", n, err)
	}

	// The server's start removes them too.
	killed = abandonedCopy(t, dir, ".snapshot-killed-again", true, 0)
	s.Stop()
	start(t, dir)
	if _, err := os.Stat(killed); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the copy is still there after the server started: %v", err)
	}
	if _, err := os.Stat(running.Dir()); err != nil {
		t.Errorf("the server's start removed the running backup's copy: %v", err)
	}
}
