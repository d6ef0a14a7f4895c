package store_test

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/audit"
	"vertaa/internal/keyring"
	"vertaa/internal/store"
	"vertaa/internal/store/storetest"
)

// Documents written back with InsertDocuments read back byte for byte as
// they were, whatever their BSON types.
func TestDumpAndInsertDocuments(t *testing.T) {
	ctx := context.Background()
	src, raw := storetest.NewWithDatabase(t)
	if err := src.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	inst, err := src.Instance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.CreateUser(ctx, account.User{Email: "åsa@example.fi", Name: "Åsa", Lang: "sv", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := src.Record(ctx, audit.Event{At: time.Now(), Action: audit.KeyRotated, Detail: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := src.AddSigningKey(ctx, keyring.StoredKey{ID: "k1", Purpose: "badge", Alg: "ES256", Sealed: []byte{1, 2}, Public: []byte{3}, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := src.AddSigningKey(ctx, keyring.StoredKey{ID: "k2", Purpose: "session", Alg: "EdDSA", Sealed: []byte{4}, Public: []byte{5}, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Collection("odd").InsertOne(ctx, bson.D{
		{Key: "_id", Value: bson.NewObjectID()}, {Key: "i32", Value: int32(7)}, {Key: "i64", Value: int64(1) << 40},
		{Key: "f", Value: 0.1}, {Key: "t", Value: bson.DateTime(1767225600123)}, {Key: "b", Value: bson.Binary{Subtype: 0, Data: []byte{0, 255}}},
		{Key: "nested", Value: bson.D{{Key: "z", Value: true}, {Key: "a", Value: nil}}}, {Key: "list", Value: bson.A{"x", int32(1), 2.5}},
	}); err != nil {
		t.Fatal(err)
	}

	keys, err := src.AllSigningKeys(ctx)
	if err != nil || len(keys) != 2 || keys[0].Purpose == keys[1].Purpose {
		t.Fatalf("AllSigningKeys = %+v, %v; want both keys", keys, err)
	}
	sn := src.StaticSnapshot()
	if id, err := sn.InstanceID(ctx); err != nil || id != inst.ID {
		t.Fatalf("InstanceID = %q, %v; want %q", id, err, inst.ID)
	}
	before := storetest.Documents(t, sn)
	for _, c := range []string{"instance", "users", "audit", "keys", "odd", "outbox"} {
		if _, ok := before[c]; !ok {
			t.Fatalf("collection %s not listed: %v", c, slices.Sorted(maps.Keys(before)))
		}
	}

	dst := storetest.New(t)
	if id, err := dst.StaticSnapshot().InstanceID(ctx); err != nil || id != "" {
		t.Fatalf("InstanceID of an empty database = %q, %v", id, err)
	}
	for name, docs := range before {
		if err := dst.CreateCollection(ctx, name); err != nil {
			t.Fatal(err)
		}
		if err := dst.CreateCollection(ctx, name); err != nil {
			t.Fatalf("creating %s again: %v", name, err)
		}
		for _, d := range docs {
			if err := store.CheckDocument(d); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if len(docs) > 0 {
			if err := dst.InsertDocuments(ctx, name, docs); err != nil {
				t.Fatal(err)
			}
		}
	}
	after := storetest.Documents(t, dst.StaticSnapshot())
	if len(after) != len(before) {
		t.Fatalf("%d collections copied, %d in the source", len(after), len(before))
	}
	for name, docs := range before {
		if !slices.EqualFunc(docs, after[name], bytes.Equal) {
			t.Errorf("%s: the copy's documents differ from the source's", name)
		}
	}
	if err := dst.InsertDocuments(ctx, "users", before["users"][:1]); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("inserting a document again: %v, want Conflict", err)
	}
}

func TestCheckDocument(t *testing.T) {
	good, _ := bson.Marshal(bson.D{{Key: "_id", Value: "x"}, {Key: "n", Value: 1}})
	noID, _ := bson.Marshal(bson.D{{Key: "n", Value: 1}})
	bad := bytes.Clone(good)
	bad[4] = 0x77 // no such BSON type
	if err := store.CheckDocument(good); err != nil {
		t.Errorf("a good document: %v", err)
	}
	for name, doc := range map[string][]byte{"no _id": noID, "bad type": bad, "short": good[:6], "empty": nil} {
		if err := store.CheckDocument(doc); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
}

// Snapshot reads need a replica set: the embedded store (and a standalone
// MongoDB) is refused with a reason; on a replica set, writes after the
// first read are not seen.
func TestSnapshot(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	if err := s.Record(ctx, audit.Event{At: time.Now(), Action: audit.KeyRotated}); err != nil {
		t.Fatal(err)
	}
	sn, err := s.Snapshot(ctx)
	if apperr.KindOf(err) == apperr.Invalid {
		if !strings.Contains(err.Error(), "standalone server, which cannot read every collection at one point in time") {
			t.Fatalf("error %q does not say why", err)
		}
		if !storetest.Embedded() {
			t.Skip("a standalone MongoDB: snapshot reads cannot be tested")
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if storetest.Embedded() {
		t.Fatal("the embedded store claims to read snapshots")
	}
	defer sn.Close(ctx)
	first, err := sn.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, audit.Event{At: time.Now(), Action: audit.KeyRotated}); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := sn.Documents(ctx, "audit", func([]byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || first[0].Documents != 1 || n != 1 {
		t.Fatalf("the snapshot counts %+v and reads %d audit events, want 1 (the one written before it)", first, n)
	}
}
