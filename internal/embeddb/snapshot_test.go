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
	if _, err := embeddb.SnapshotDatabase(ctx, dir, "d"); !errors.Is(err, embeddb.ErrNoDatabase) {
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
	copyDir, err := embeddb.SnapshotDatabase(ctx, dir, "d")
	before := inserted.Load()
	for inserted.Load() < before+50 {
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(copyDir, dir+string(filepath.Separator)) {
		t.Errorf("the copy %s is not inside the data folder %s", copyDir, dir)
	}

	copied := connect(t, start(t, copyDir))
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
}
