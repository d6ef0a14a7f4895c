package store_test

// The store contract: what vertaa relies on from its database, and the
// known gaps of the embedded FerretDB that the code must work around. Each
// test states the behaviour of both backends, so that a FerretDB upgrade or
// a switch to MongoDB shows up here first. Run against MongoDB with
// VERTAA_TEST_MONGODB_URI=mongodb://... go test ./internal/store/

import (
	"context"
	"errors"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/store/storetest"
)

func TestContractUniqueIndex(t *testing.T) {
	ctx := context.Background()
	c := storetest.Database(t).Collection("keys")
	_, err := c.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: "owner", Value: 1}, {Key: "key", Value: 1}},
		Options: options.Index().SetUnique(true),
	})
	if err != nil {
		t.Fatalf("create unique index: %v", err)
	}
	if _, err := c.InsertOne(ctx, bson.D{{Key: "owner", Value: "a"}, {Key: "key", Value: "k1"}}); err != nil {
		t.Fatalf("first insert: %v", err)
	}
	_, err = c.InsertOne(ctx, bson.D{{Key: "owner", Value: "a"}, {Key: "key", Value: "k1"}})
	if !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("second insert of the same key: got %v, want a duplicate key error (E11000)", err)
	}
	// The same key under another owner is a different entry.
	if _, err := c.InsertOne(ctx, bson.D{{Key: "owner", Value: "b"}, {Key: "key", Value: "k1"}}); err != nil {
		t.Fatalf("same key, other owner: %v", err)
	}
	if n, err := c.CountDocuments(ctx, bson.D{}); err != nil || n != 2 {
		t.Fatalf("count = %d, %v; want 2", n, err)
	}
	// Creating the same index again is a no-op (EnsureSchema runs at every start).
	if _, err := c.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: "owner", Value: 1}, {Key: "key", Value: 1}},
		Options: options.Index().SetUnique(true),
	}); err != nil {
		t.Fatalf("create the same index again: %v", err)
	}
}

// TestContractCreateManyExistingIndexes pins a crash of the embedded
// store: CreateMany with two or more indexes that exist already makes it
// panic and drop the connection. EnsureSchema creates indexes one by one.
func TestContractCreateManyExistingIndexes(t *testing.T) {
	ctx := context.Background()
	c := storetest.Database(t).Collection("many")
	models := []mongo.IndexModel{{Keys: bson.D{{Key: "a", Value: 1}}}, {Keys: bson.D{{Key: "b", Value: 1}}}}
	if _, err := c.Indexes().CreateMany(ctx, models); err != nil {
		t.Fatalf("first CreateMany: %v", err)
	}
	_, err := c.Indexes().CreateMany(ctx, models)
	switch {
	case storetest.Embedded() && err == nil:
		t.Fatal("the embedded store now accepts CreateMany of existing indexes: EnsureSchema could use it again")
	case !storetest.Embedded() && err != nil:
		t.Fatalf("MongoDB: CreateMany of existing indexes: %v", err)
	}
	for _, m := range models {
		if _, err := c.Indexes().CreateOne(ctx, m); err != nil {
			t.Fatalf("CreateOne of an existing index: %v", err)
		}
	}
}

func TestContractUniqueIndexUnderConcurrentInserts(t *testing.T) {
	ctx := context.Background()
	c := storetest.Database(t).Collection("once")
	if _, err := c.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys: bson.D{{Key: "key", Value: 1}}, Options: options.Index().SetUnique(true),
	}); err != nil {
		t.Fatal(err)
	}
	const writers = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, dup := 0, 0
	for i := range writers {
		wg.Go(func() {
			_, err := c.InsertOne(ctx, bson.D{{Key: "key", Value: "same"}, {Key: "writer", Value: i}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case mongo.IsDuplicateKeyError(err):
				dup++
			default:
				t.Errorf("writer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if won != 1 || dup != writers-1 {
		t.Fatalf("%d inserts succeeded and %d were duplicates; want 1 and %d", won, dup, writers-1)
	}
}

// TestContractConcurrentUpdatesOfOneDocument pins the embedded store's lost
// updates: its SQLite handler reads a document, then writes it back, so
// concurrent $inc on one document lose increments. Code must never do
// read-modify-write on a shared document without serialising it.
func TestContractConcurrentUpdatesOfOneDocument(t *testing.T) {
	ctx := context.Background()
	c := storetest.Database(t).Collection("counters")
	if _, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: "c"}, {Key: "n", Value: 0}}); err != nil {
		t.Fatal(err)
	}
	const goroutines, perGoroutine = 8, 250
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range perGoroutine {
				_, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: "c"}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	var doc struct{ N int }
	if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: "c"}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	const want = goroutines * perGoroutine
	t.Logf("%d concurrent $inc left the counter at %d", want, doc.N)
	switch {
	case doc.N > want:
		t.Fatalf("counter = %d after %d increments", doc.N, want)
	case storetest.Embedded() && doc.N == want:
		t.Fatalf("the embedded store no longer loses concurrent updates (counter = %d): update DESIGN.md and this contract", doc.N)
	case !storetest.Embedded() && doc.N != want:
		t.Fatalf("MongoDB lost updates: counter = %d, want %d", doc.N, want)
	}
}

// TestContractFindAndModifyCounter pins how a counter behaves as
// find-and-modify with $inc, upsert and the new document returned. Both
// backends create the counter at the first call and count on from there.
// MongoDB applies each call atomically; the embedded store reads, then
// writes, so concurrent calls return the same number more than once.
// Concurrent first calls may all try to insert the counter: on both
// backends the losers may fail with a duplicate key and must try again.
// Store.NextStatusEntry therefore serialises its calls and retries.
func TestContractFindAndModifyCounter(t *testing.T) {
	ctx := context.Background()
	db := storetest.Database(t)
	next := func(c *mongo.Collection) (int64, error) {
		var doc struct {
			N int64 `bson:"n"`
		}
		err := c.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "c"}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&doc)
		return doc.N, err
	}

	c := db.Collection("counters")
	for want := int64(1); want <= 3; want++ {
		if n, err := next(c); err != nil || n != want {
			t.Fatalf("call %d returned %d, %v; want %d", want, n, err, want)
		}
	}

	t.Run("concurrent calls", func(t *testing.T) {
		const goroutines, perGoroutine = 8, 25
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				for range perGoroutine {
					n, err := next(c)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					seen[n]++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		repeated := 0
		for _, k := range seen {
			if k > 1 {
				repeated++
			}
		}
		t.Logf("%d concurrent calls returned %d distinct numbers, %d of them more than once", goroutines*perGoroutine, len(seen), repeated)
		switch {
		case storetest.Embedded() && repeated == 0:
			t.Fatal("the embedded store now applies find-and-modify atomically: NextStatusEntry could drop its lock; update this contract")
		case !storetest.Embedded() && (repeated != 0 || len(seen) != goroutines*perGoroutine):
			t.Fatalf("MongoDB returned a number twice: %d distinct of %d", len(seen), goroutines*perGoroutine)
		}
	})

	t.Run("concurrent first calls", func(t *testing.T) {
		c := db.Collection("fresh")
		const callers = 16
		var wg sync.WaitGroup
		var mu sync.Mutex
		dup := 0
		for range callers {
			wg.Go(func() {
				_, err := next(c)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case mongo.IsDuplicateKeyError(err):
					dup++
				case err != nil:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		t.Logf("%d of %d concurrent first calls failed with a duplicate key", dup, callers)
		if n, err := c.CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
			t.Fatalf("%d counters after concurrent first calls, %v; want 1", n, err)
		}
	})
}

// groupFixture inserts three groups of values and returns the collection.
func groupFixture(t *testing.T) *mongo.Collection {
	t.Helper()
	c := storetest.Database(t).Collection("scores")
	docs := []any{
		bson.D{{Key: "team", Value: "a"}, {Key: "v", Value: 1.0}},
		bson.D{{Key: "team", Value: "a"}, {Key: "v", Value: 4.0}},
		bson.D{{Key: "team", Value: "b"}, {Key: "v", Value: 2.5}},
		bson.D{{Key: "team", Value: "b"}, {Key: "v", Value: 3.5}},
		bson.D{{Key: "team", Value: "b"}, {Key: "v", Value: 3.0}},
		bson.D{{Key: "team", Value: "c"}, {Key: "v", Value: 5.0}},
	}
	if _, err := c.InsertMany(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	return c
}

type groupRow struct {
	Team string  `bson:"_id"`
	X    float64 `bson:"x"`
	Y    float64 `bson:"y"`
}

func group(ctx context.Context, c *mongo.Collection, accumulators bson.D) ([]groupRow, error) {
	stage := append(bson.D{{Key: "_id", Value: "$team"}}, accumulators...)
	cur, err := c.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "v", Value: bson.D{{Key: "$gte", Value: 0}}}}}},
		{{Key: "$group", Value: stage}},
		{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}},
	})
	if err != nil {
		return nil, err
	}
	var rows []groupRow
	err = cur.All(ctx, &rows)
	return rows, err
}

func TestContractGroupAccumulators(t *testing.T) {
	ctx := context.Background()
	c := groupFixture(t)
	sums := map[string]float64{"a": 5, "b": 9, "c": 5}
	counts := map[string]float64{"a": 2, "b": 3, "c": 1}
	avgs := map[string]float64{"a": 2.5, "b": 3, "c": 5}
	mins := map[string]float64{"a": 1, "b": 2.5, "c": 5}
	maxs := map[string]float64{"a": 4, "b": 3.5, "c": 5}
	cases := []struct {
		name        string
		accumulator bson.D
		want        map[string]float64
		embeddedOK  bool // whether the embedded store implements it
	}{
		{"sum", bson.D{{Key: "$sum", Value: "$v"}}, sums, true},
		{"sum of ones", bson.D{{Key: "$sum", Value: 1}}, counts, true},
		{"count", bson.D{{Key: "$count", Value: bson.D{}}}, counts, true},
		{"avg", bson.D{{Key: "$avg", Value: "$v"}}, avgs, false},
		{"min", bson.D{{Key: "$min", Value: "$v"}}, mins, false},
		{"max", bson.D{{Key: "$max", Value: "$v"}}, maxs, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := group(ctx, c, bson.D{{Key: "x", Value: tc.accumulator}})
			if storetest.Embedded() && !tc.embeddedOK {
				if ce, ok := errors.AsType[mongo.CommandError](err); !ok || ce.Code != 238 {
					t.Fatalf("embedded store: got %v, %v; want NotImplemented (238): if it is implemented now, update DESIGN.md and this contract", rows, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkGroups(t, rows, tc.want, func(r groupRow) float64 { return r.X })
		})
	}
}

// TestContractGroupWithTwoAccumulators pins FerretDB issue 4616: a $group
// with several accumulators returns 0 for all but the first. Use one
// accumulator per stage, or aggregate in Go.
func TestContractGroupWithTwoAccumulators(t *testing.T) {
	ctx := context.Background()
	c := groupFixture(t)
	rows, err := group(ctx, c, bson.D{
		{Key: "x", Value: bson.D{{Key: "$sum", Value: "$v"}}},
		{Key: "y", Value: bson.D{{Key: "$sum", Value: 1}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkGroups(t, rows, map[string]float64{"a": 5, "b": 9, "c": 5}, func(r groupRow) float64 { return r.X })
	if storetest.Embedded() {
		for _, r := range rows {
			if r.Y != 0 {
				t.Fatalf("embedded store: second accumulator of team %s = %v, want the known wrong 0: if fixed, update DESIGN.md and this contract", r.Team, r.Y)
			}
		}
		return
	}
	checkGroups(t, rows, map[string]float64{"a": 2, "b": 3, "c": 1}, func(r groupRow) float64 { return r.Y })
}

func checkGroups(t *testing.T, rows []groupRow, want map[string]float64, value func(groupRow) float64) {
	t.Helper()
	if len(rows) != len(want) {
		t.Fatalf("got %d groups %v, want %d", len(rows), rows, len(want))
	}
	for _, r := range rows {
		w, ok := want[r.Team]
		if !ok || math.Abs(value(r)-w) > 1e-9 {
			t.Errorf("group %q = %v, want %v", r.Team, value(r), w)
		}
	}
}

func TestContractTransactions(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("transactions on MongoDB depend on the deployment (replica set or not); vertaa does not use them")
	}
	ctx := context.Background()
	db := storetest.Database(t)
	sess, err := db.Client().StartSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.EndSession(ctx)
	err = mongo.WithSession(ctx, sess, func(ctx context.Context) error {
		if err := sess.StartTransaction(); err != nil {
			return err
		}
		_, err := db.Collection("t").InsertOne(ctx, bson.D{{Key: "a", Value: 1}})
		return err
	})
	if err == nil {
		t.Fatal("the embedded store accepted a multi-document transaction: update DESIGN.md and this contract")
	}
}

func TestContractIndexOptions(t *testing.T) {
	ctx := context.Background()
	c := storetest.Database(t).Collection("idx")
	cases := []struct {
		name string
		opts *options.IndexOptionsBuilder
	}{
		{"ttl", options.Index().SetExpireAfterSeconds(60)},
		{"partial", options.Index().SetPartialFilterExpression(bson.D{{Key: "p", Value: bson.D{{Key: "$exists", Value: true}}}})},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "f" + string(rune('a'+i)), Value: 1}}, Options: tc.opts})
			if storetest.Embedded() {
				if ce, ok := errors.AsType[mongo.CommandError](err); !ok || ce.Code != 238 {
					t.Fatalf("embedded store: %s index gave %v; want NotImplemented (238): retention and partial uniqueness are application jobs until this changes", tc.name, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s index on MongoDB: %v", tc.name, err)
			}
		})
	}
}

func TestContractRejectedValues(t *testing.T) {
	ctx := context.Background()
	c := storetest.Database(t).Collection("values")
	t.Run("dotted field name", func(t *testing.T) {
		_, err := c.InsertOne(ctx, bson.D{{Key: "a.b", Value: 1}})
		if storetest.Embedded() && err == nil {
			t.Fatal("the embedded store accepted a field name with '.'")
		}
	})
	t.Run("nested array", func(t *testing.T) {
		_, err := c.InsertOne(ctx, bson.D{{Key: "a", Value: bson.A{bson.A{1, 2}}}})
		if storetest.Embedded() && err == nil {
			t.Fatal("the embedded store accepted a nested array")
		}
	})
	t.Run("NaN", func(t *testing.T) {
		// The embedded store closes the connection on NaN; the driver
		// reconnects. Scores must be finite before they are stored.
		_, err := c.InsertOne(ctx, bson.D{{Key: "a", Value: math.NaN()}})
		if storetest.Embedded() && err == nil {
			t.Fatal("the embedded store accepted NaN")
		}
		if _, err := c.InsertOne(ctx, bson.D{{Key: "a", Value: 1.5}}); err != nil {
			t.Fatalf("insert after the rejected NaN: %v", err)
		}
	})
}

// TestContractQueries covers the reads and writes vertaa builds on: typed
// round trips, filters, sorting and paging, upserts and find-and-modify.
func TestContractQueries(t *testing.T) {
	ctx := context.Background()
	c := storetest.Database(t).Collection("people")
	type person struct {
		ID      string    `bson:"_id"`
		Org     string    `bson:"org"`
		Name    string    `bson:"name"`
		Score   float64   `bson:"score"`
		Big     int64     `bson:"big"`
		Tags    []string  `bson:"tags"`
		Created time.Time `bson:"created"`
		Areas   []struct {
			ID    string  `bson:"id"`
			Score float64 `bson:"score"`
		} `bson:"areas"`
	}
	created := time.Date(2026, 3, 1, 12, 30, 15, 123_000_000, time.UTC)
	in := person{ID: "p1", Org: "o1", Name: "Šárka Ääritalo", Score: 3.25, Big: math.MaxInt64 - 1,
		Tags: []string{"å", "ž"}, Created: created}
	in.Areas = append(in.Areas, struct {
		ID    string  `bson:"id"`
		Score float64 `bson:"score"`
	}{"pedagoginen-johtaminen", 3.5})
	if _, err := c.InsertOne(ctx, in); err != nil {
		t.Fatal(err)
	}
	var out person
	if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: "p1"}}).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.Name != in.Name || out.Big != in.Big || !out.Created.Equal(created) || len(out.Areas) != 1 || out.Areas[0] != in.Areas[0] || len(out.Tags) != 2 {
		t.Fatalf("round trip: got %+v, want %+v", out, in)
	}

	t.Run("not found", func(t *testing.T) {
		err := c.FindOne(ctx, bson.D{{Key: "_id", Value: "nobody"}}).Err()
		if !errors.Is(err, mongo.ErrNoDocuments) {
			t.Fatalf("got %v, want ErrNoDocuments", err)
		}
	})

	for i, name := range []string{"Aino", "Bertil", "Chen", "Dana", "Eero"} {
		doc := bson.D{{Key: "_id", Value: name}, {Key: "org", Value: []string{"o1", "o2"}[i%2]}, {Key: "name", Value: name}, {Key: "score", Value: float64(i)}}
		if _, err := c.InsertOne(ctx, doc); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("filter sort skip limit", func(t *testing.T) {
		cur, err := c.Find(ctx,
			bson.D{{Key: "org", Value: "o1"}, {Key: "score", Value: bson.D{{Key: "$gte", Value: 0}}}},
			options.Find().SetSort(bson.D{{Key: "score", Value: -1}}).SetSkip(1).SetLimit(2))
		if err != nil {
			t.Fatal(err)
		}
		var got []person
		if err := cur.All(ctx, &got); err != nil {
			t.Fatal(err)
		}
		// o1 holds p1 (3.25), Aino (0), Chen (2), Eero (4): by score
		// descending Eero, p1, Chen, Aino; skip one, take two.
		if len(got) != 2 || got[0].ID != "p1" || got[1].ID != "Chen" {
			t.Fatalf("got %v, want p1 then Chen", got)
		}
	})
	t.Run("in and count", func(t *testing.T) {
		n, err := c.CountDocuments(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{"Aino", "Dana", "nobody"}}}}})
		if err != nil || n != 2 {
			t.Fatalf("count = %d, %v; want 2", n, err)
		}
	})
	t.Run("distinct", func(t *testing.T) {
		var orgs []string
		if err := c.Distinct(ctx, "org", bson.D{}).Decode(&orgs); err != nil {
			t.Fatal(err)
		}
		sort.Strings(orgs)
		if len(orgs) != 2 || orgs[0] != "o1" || orgs[1] != "o2" {
			t.Fatalf("distinct orgs = %v", orgs)
		}
	})
	t.Run("upsert with setOnInsert", func(t *testing.T) {
		upd := bson.D{
			{Key: "$setOnInsert", Value: bson.D{{Key: "created", Value: created}}},
			{Key: "$set", Value: bson.D{{Key: "name", Value: "Fredrik"}}},
		}
		for range 2 {
			if _, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: "Fredrik"}}, upd, options.UpdateOne().SetUpsert(true)); err != nil {
				t.Fatal(err)
			}
		}
		n, err := c.CountDocuments(ctx, bson.D{{Key: "name", Value: "Fredrik"}})
		if err != nil || n != 1 {
			t.Fatalf("count after two upserts = %d, %v; want 1", n, err)
		}
	})
	t.Run("find one and update returns the new document", func(t *testing.T) {
		var got person
		err := c.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "Aino"}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "score", Value: 4.5}}}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&got)
		if err != nil || got.Score != 4.5 {
			t.Fatalf("got %+v, %v; want score 4.5", got, err)
		}
	})
	t.Run("delete many", func(t *testing.T) {
		res, err := c.DeleteMany(ctx, bson.D{{Key: "org", Value: "o2"}})
		if err != nil || res.DeletedCount != 2 {
			t.Fatalf("deleted %v, %v; want 2", res, err)
		}
	})
}

// TestContractFilterPushdown pins how the embedded store runs queries: it
// hands only a filter that is exactly {_id: <string>} to SQLite; any other
// filter, even {_id, owner}, reads and decodes every document of the
// collection. Hot paths therefore look documents up by _id alone, with the
// owner built into the _id. On MongoDB, explain has no filterPushdown
// field and the test checks nothing more.
func TestContractFilterPushdown(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("filter pushdown is a property of the embedded store")
	}
	ctx := context.Background()
	db := storetest.Database(t)
	if _, err := db.Collection("docs").InsertOne(ctx, bson.D{{Key: "_id", Value: "u1:a"}, {Key: "owner", Value: "u1"}}); err != nil {
		t.Fatal(err)
	}
	explain := func(filter bson.D) bool {
		t.Helper()
		var res struct {
			FilterPushdown bool `bson:"filterPushdown"`
		}
		err := db.RunCommand(ctx, bson.D{
			{Key: "explain", Value: bson.D{{Key: "find", Value: "docs"}, {Key: "filter", Value: filter}}},
		}).Decode(&res)
		if err != nil {
			t.Fatalf("explain %v: %v", filter, err)
		}
		return res.FilterPushdown
	}
	cases := []struct {
		filter bson.D
		pushed bool
	}{
		{bson.D{{Key: "_id", Value: "u1:a"}}, true},
		{bson.D{{Key: "_id", Value: "u1:a"}, {Key: "owner", Value: "u1"}}, false},
		{bson.D{{Key: "owner", Value: "u1"}}, false},
		{bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{"u1:a", "u1:b"}}}}}, false},
	}
	for _, c := range cases {
		if got := explain(c.filter); got != c.pushed {
			t.Errorf("filter %v: pushed down = %v, want %v: if the embedded store pushes more down now, update the store's keys and this contract", c.filter, got, c.pushed)
		}
	}
}

// TestContractIDLookupUsesAnIndex pins a gap of the embedded store and its
// workaround: FerretDB indexes _id with an expression that SQLite does not
// match to the one it queries with, so a lookup by _id reads the whole
// table, until embeddb.IndexIDs adds an index on the queried expression.
func TestContractIDLookupUsesAnIndex(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("the query plan is a property of the embedded store")
	}
	ctx := context.Background()
	db := storetest.Database(t)
	if _, err := db.Collection("docs").InsertOne(ctx, bson.D{{Key: "_id", Value: "u1:a"}}); err != nil {
		t.Fatal(err)
	}
	plan := func() string {
		t.Helper()
		var res struct {
			QueryPlanner bson.Raw `bson:"queryPlanner"`
		}
		err := db.RunCommand(ctx, bson.D{
			{Key: "explain", Value: bson.D{{Key: "find", Value: "docs"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: "u1:a"}}}}},
		}).Decode(&res)
		if err != nil {
			t.Fatal(err)
		}
		return res.QueryPlanner.String()
	}
	if p := plan(); !strings.Contains(p, "SCAN") {
		t.Fatalf("without the workaround the plan is %s, not a SCAN: FerretDB may index _id usably now; drop embeddb.IndexIDs", p)
	}
	storetest.IndexIDs(t, db)
	// A query first: FerretDB's connections notice the new index when
	// they next read the table, and explain alone does not.
	if err := db.Collection("docs").FindOne(ctx, bson.D{{Key: "_id", Value: "u1:a"}}).Err(); err != nil {
		t.Fatal(err)
	}
	if p := plan(); !strings.Contains(p, "SEARCH") || !strings.Contains(p, "USING INDEX") {
		t.Fatalf("with the _id index the plan is %s, want a SEARCH using the index", p)
	}
	storetest.IndexIDs(t, db) // idempotent
}
