package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"vertaa/internal/apperr"
	"vertaa/internal/badge"
	"vertaa/internal/store"
	"vertaa/internal/store/storetest"
)

// badgeStores returns the two kinds of store the badge methods run on:
// the test store (exclusive on the embedded store, which then checks
// revisions under its locks and caches what it reads) and a store on its
// own database that is not exclusive, as several instances on MongoDB are,
// which checks revisions in the update filter. Each has the schema.
func badgeStores(t *testing.T) map[string]*store.Store {
	t.Helper()
	return map[string]*store.Store{"test store": storetest.NewWithSchema(t), "shared store": sharedStore(t)}
}

// sharedStore returns a store that is not exclusive, on a fresh database
// with the schema.
func sharedStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	_, raw := storetest.NewWithDatabase(t)
	s, err := store.Open(ctx, storetest.URI(), raw.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	if err := s.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// reader returns a second, uncached store on the database of s, to check
// what s really wrote.
func reader(t *testing.T, db string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), storetest.URI(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// eet is a zone other than UTC, to show that times come back in UTC.
var eet = time.FixedZone("EET", 2*60*60)

// fullAward has every field set, with times that are neither UTC nor whole
// milliseconds.
func fullAward() badge.Award {
	return badge.Award{
		ID: "award-1", ClassID: "class-pedagogy", UserID: "user-1", OrgID: "org-1", Source: "response:r1", State: badge.Revoked,
		Level: "level-3", QuestionnaireHash: "sha256-abc",
		Evidence: []badge.Evidence{
			{Name: "Itsearviointi", Narrative: "Šárka arvioi – ääkköset\nrivit", URL: "https://vertaa.example/r/1", Public: true},
			{Name: "Private", Narrative: "not shown"},
		},
		OfferedAt: time.Date(2026, 3, 1, 12, 30, 15, 123_456_789, eet),
		Name:      "Šárka Ääritalo", Email: "sarka@example.fi", Salt: "salt", SubjectID: "urn:uuid:1234", Lang: "fi",
		AcceptedAt: time.Date(2026, 3, 2, 8, 0, 0, 999_999_999, eet), ValidUntil: time.Date(2029, 3, 2, 0, 0, 0, 1, eet),
		StatusList: 2, StatusIndex: 131071, Credential: "eyJhbGciOiJFUzI1NiJ9.e30.sig",
		DeclinedAt: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), RevokedAt: time.Date(2026, 4, 1, 9, 9, 9, 9_000_000, eet),
		RevokedBy: "admin-1", RevokeReason: "väärin myönnetty", Revision: 7,
	}
}

// stored is what reading back a gives: times in UTC, truncated to
// milliseconds.
func storedAward(a badge.Award) badge.Award {
	for _, p := range []*time.Time{&a.OfferedAt, &a.AcceptedAt, &a.ValidUntil, &a.DeclinedAt, &a.RevokedAt} {
		if !p.IsZero() {
			*p = p.UTC().Truncate(time.Millisecond)
		}
	}
	return a
}

func TestAwardRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, raw := storetest.NewWithDatabase(t)
	other := reader(t, raw.Name())
	cases := map[string]badge.Award{
		"every field":    fullAward(),
		"zero fields":    {ID: "award-2"},
		"empty evidence": {ID: "award-3", UserID: "user-1", State: badge.Offered, Evidence: []badge.Evidence{}},
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if err := s.AddAward(ctx, in); err != nil {
				t.Fatalf("AddAward: %v", err)
			}
			want := storedAward(in)
			if len(want.Evidence) == 0 {
				want.Evidence = nil // empty comes back as nil
			}
			for _, st := range []*store.Store{s, other} {
				got, err := st.Award(ctx, in.ID)
				if err != nil {
					t.Fatalf("Award: %v", err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("read back\n%#v\nwant\n%#v", got, want)
				}
				for _, tm := range []time.Time{got.OfferedAt, got.AcceptedAt, got.ValidUntil, got.DeclinedAt, got.RevokedAt} {
					if !tm.IsZero() && tm.Location() != time.UTC {
						t.Errorf("time %v is not in UTC", tm)
					}
				}
			}
		})
	}
}

// TestReadsReturnCopies shows that what a caller does with the slices it
// passes or gets back does not change the stored (and cached) records.
func TestReadsReturnCopies(t *testing.T) {
	ctx := context.Background()
	s := storetest.NewWithSchema(t)

	award := fullAward()
	if err := s.AddAward(ctx, award); err != nil {
		t.Fatal(err)
	}
	award.Evidence[0].Name = "changed by the caller after AddAward"
	a, err := s.Award(ctx, award.ID)
	if err != nil {
		t.Fatal(err)
	}
	updated, err := s.UpdateAward(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	a.Evidence[0].Name = "changed by the caller after UpdateAward"
	updated.Evidence[1].Name = "changed in the returned award"
	if again, err := s.Award(ctx, award.ID); err == nil {
		again.Evidence[0].Name = "changed in a read award"
	}
	if got, err := s.Award(ctx, award.ID); err != nil || !reflect.DeepEqual(got.Evidence, fullAward().Evidence) {
		t.Fatalf("evidence read back as %+v, %v; want the stored %+v", got.Evidence, err, fullAward().Evidence)
	}

	app := fullApplication()
	if err := s.AddApplication(ctx, app); err != nil {
		t.Fatal(err)
	}
	app.Links[0], app.Decisions[0].Comment = "changed by the caller after AddApplication", "changed"
	b, err := s.Application(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	updatedApp, err := s.UpdateApplication(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	b.Links[0], b.Decisions[0].Comment = "changed by the caller after UpdateApplication", "changed"
	updatedApp.Links[1], updatedApp.Decisions[1].Comment = "changed in the returned application", "changed"
	if again, err := s.Application(ctx, app.ID); err == nil {
		again.Links[0], again.Decisions[0].Comment = "changed in a read application", "changed"
	}
	want := storedApplication(fullApplication())
	if got, err := s.Application(ctx, app.ID); err != nil || !slices.Equal(got.Links, want.Links) || !reflect.DeepEqual(got.Decisions, want.Decisions) {
		t.Fatalf("application read back with links %q and decisions %+v, %v; want the stored %q and %+v", got.Links, got.Decisions, err, want.Links, want.Decisions)
	}
}

func TestAwardNotFound(t *testing.T) {
	for name, s := range badgeStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if _, err := s.Award(ctx, "nobody"); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("Award of a missing id: %v, want NotFound", err)
			}
			if _, err := s.UpdateAward(ctx, badge.Award{ID: "nobody"}); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("UpdateAward of a missing id: %v, want NotFound", err)
			}
			if _, err := s.Award(ctx, "nobody"); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("Award after UpdateAward of a missing id: %v, want NotFound", err)
			}
		})
	}
}

func TestAddAwardConflict(t *testing.T) {
	ctx := context.Background()
	s := storetest.NewWithSchema(t)
	first := badge.Award{ID: "a1", UserID: "u1", State: badge.Offered}
	if err := s.AddAward(ctx, first); err != nil {
		t.Fatal(err)
	}
	err := s.AddAward(ctx, badge.Award{ID: "a1", UserID: "u2", State: badge.Accepted})
	if apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("second AddAward with one id: %v, want Conflict", err)
	}
	if got, err := s.Award(ctx, "a1"); err != nil || !reflect.DeepEqual(got, first) {
		t.Fatalf("after the conflict the award is %+v, %v; want the first %+v", got, err, first)
	}
	if err := s.AddAward(ctx, badge.Award{UserID: "u1"}); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("AddAward without id: %v, want Invalid", err)
	}
}

func awardIDs(as []badge.Award) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func TestAwardsAndRecentAwardsNewestFirst(t *testing.T) {
	ctx := context.Background()
	s := storetest.NewWithSchema(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, a := range []badge.Award{
		{ID: "a-old", UserID: "u1", OfferedAt: t0},
		{ID: "a-new", UserID: "u1", OfferedAt: t0.Add(2 * time.Hour)},
		{ID: "a-mid", UserID: "u1", OfferedAt: t0.Add(time.Hour)},
		{ID: "b-1", UserID: "u2", OfferedAt: t0.Add(90 * time.Minute)},
		// Same time as a-mid: the later id first, so that the order is stable.
		{ID: "a-mid2", UserID: "u1", OfferedAt: t0.Add(time.Hour)},
	} {
		if err := s.AddAward(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Awards(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a-new", "a-mid2", "a-mid", "a-old"}; !slices.Equal(awardIDs(got), want) {
		t.Errorf("Awards(u1) = %v, want %v", awardIDs(got), want)
	}
	if got, err := s.Awards(ctx, "nobody"); err != nil || len(got) != 0 {
		t.Errorf("Awards of a user without awards = %v, %v; want none", got, err)
	}

	for limit, want := range map[int][]string{
		1:   {"a-new"},
		3:   {"a-new", "b-1", "a-mid2"},
		100: {"a-new", "b-1", "a-mid2", "a-mid", "a-old"},
	} {
		got, err := s.RecentAwards(ctx, limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(awardIDs(got), want) {
			t.Errorf("RecentAwards(%d) = %v, want %v", limit, awardIDs(got), want)
		}
	}
	if _, err := s.RecentAwards(ctx, 0); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("RecentAwards(0): %v, want Invalid", err)
	}
}

func TestUpdateAward(t *testing.T) {
	for name, s := range badgeStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			offered := badge.Award{ID: "a1", ClassID: "c1", UserID: "u1", State: badge.Offered, OfferedAt: time.Now(),
				Evidence: []badge.Evidence{{Name: "e"}}}
			if err := s.AddAward(ctx, offered); err != nil {
				t.Fatal(err)
			}
			a, err := s.Award(ctx, "a1")
			if err != nil {
				t.Fatal(err)
			}
			accepted := a
			accepted.State, accepted.AcceptedAt, accepted.Name, accepted.StatusList, accepted.StatusIndex = badge.Accepted, time.Now().In(eet), "Aino", 0, 5
			accepted.Evidence = nil
			got, err := s.UpdateAward(ctx, accepted)
			if err != nil {
				t.Fatalf("UpdateAward: %v", err)
			}
			want := storedAward(accepted)
			want.Revision = 1
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("UpdateAward returned\n%#v\nwant\n%#v", got, want)
			}
			if read, err := s.Award(ctx, "a1"); err != nil || !reflect.DeepEqual(read, want) {
				t.Fatalf("Award after the update = %#v, %v; want %#v", read, err, want)
			}

			// The first read of a1 is at revision 0, which is stale now.
			declined := a
			declined.State, declined.DeclinedAt = badge.Declined, time.Now()
			_, err = s.UpdateAward(ctx, declined)
			if apperr.KindOf(err) != apperr.Conflict || apperr.KeyOf(err) != "stale" {
				t.Fatalf("UpdateAward at a stale revision: %v, want a stale Conflict", err)
			}
			if read, err := s.Award(ctx, "a1"); err != nil || read.State != badge.Accepted || read.Revision != 1 {
				t.Fatalf("after the stale update the award is %+v, %v; want it accepted at revision 1", read, err)
			}

			// A revision ahead of the stored one is stale too.
			ahead := got
			ahead.Revision = 5
			if _, err := s.UpdateAward(ctx, ahead); apperr.KindOf(err) != apperr.Conflict {
				t.Fatalf("UpdateAward at a future revision: %v, want Conflict", err)
			}
		})
	}
}

// TestUpdateAwardConcurrently shows that of several updates of one
// revision exactly one wins.
func TestUpdateAwardConcurrently(t *testing.T) {
	for name, s := range badgeStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if err := s.AddAward(ctx, badge.Award{ID: "a1", UserID: "u1", State: badge.Offered}); err != nil {
				t.Fatal(err)
			}
			const writers = 10
			var wg sync.WaitGroup
			var mu sync.Mutex
			won, stale := 0, 0
			for i := range writers {
				wg.Go(func() {
					_, err := s.UpdateAward(ctx, badge.Award{ID: "a1", UserID: "u1", State: badge.Accepted, Name: fmt.Sprint(i)})
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						won++
					case apperr.KindOf(err) == apperr.Conflict:
						stale++
					default:
						t.Errorf("writer %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			if won != 1 || stale != writers-1 {
				t.Fatalf("%d updates won and %d were stale; want 1 and %d", won, stale, writers-1)
			}
			if a, err := s.Award(ctx, "a1"); err != nil || a.Revision != 1 {
				t.Fatalf("award after the race: %+v, %v; want revision 1", a, err)
			}
		})
	}
}

func TestRevokedIndexes(t *testing.T) {
	ctx := context.Background()
	s := storetest.NewWithSchema(t)
	at := time.Now()
	for _, a := range []badge.Award{
		{ID: "r1", State: badge.Revoked, StatusList: 1, StatusIndex: 40, AcceptedAt: at, RevokedAt: at},
		{ID: "r2", State: badge.Revoked, StatusList: 1, StatusIndex: 3, AcceptedAt: at, RevokedAt: at},
		{ID: "r3", State: badge.Revoked, StatusList: 2, StatusIndex: 7, AcceptedAt: at, RevokedAt: at},
		{ID: "r4", State: badge.Revoked, StatusList: 0, StatusIndex: 9, AcceptedAt: at, RevokedAt: at},
		{ID: "ok1", State: badge.Accepted, StatusList: 1, StatusIndex: 5, AcceptedAt: at},
		{ID: "d1", State: badge.Declined, StatusList: 1, StatusIndex: 6, DeclinedAt: at},
		// Revoked before it was accepted: it holds no status entry, and its
		// zero list and index must not revoke entry 0 of list 0.
		{ID: "never-accepted", State: badge.Revoked, RevokedAt: at},
	} {
		if err := s.AddAward(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for list, want := range map[int][]int{0: {9}, 1: {3, 40}, 2: {7}, 3: nil} {
		got, err := s.RevokedIndexes(ctx, list)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("RevokedIndexes(%d) = %v, want %v", list, got, want)
		}
	}
	// Revoking an accepted award adds its index.
	a, err := s.Award(ctx, "ok1")
	if err != nil {
		t.Fatal(err)
	}
	a.State, a.RevokedAt = badge.Revoked, at
	if _, err := s.UpdateAward(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, err := s.RevokedIndexes(ctx, 1); err != nil || !slices.Equal(got, []int{3, 5, 40}) {
		t.Errorf("RevokedIndexes(1) after a revocation = %v, %v; want [3 5 40]", got, err)
	}
}

func TestRevokedAwards(t *testing.T) {
	ctx := context.Background()
	s := storetest.NewWithSchema(t)
	if got, err := s.RevokedAwards(ctx); err != nil || len(got) != 0 {
		t.Fatalf("RevokedAwards of no awards = %v, %v; want none", got, err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, a := range []badge.Award{
		{ID: "r-old", State: badge.Revoked, StatusList: 1, AcceptedAt: t0, RevokedAt: t0.Add(time.Hour), RevokeReason: "a"},
		{ID: "r-new", State: badge.Revoked, StatusList: 2, AcceptedAt: t0, RevokedAt: t0.Add(2 * time.Hour), RevokeReason: "b"},
		{ID: "ok", State: badge.Accepted, StatusList: 1, AcceptedAt: t0},
		{ID: "offered", State: badge.Offered},
		{ID: "never-accepted", State: badge.Revoked, RevokedAt: t0.Add(3 * time.Hour)},
	} {
		if err := s.AddAward(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.RevokedAwards(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"r-new", "r-old"}; !slices.Equal(awardIDs(got), want) {
		t.Fatalf("RevokedAwards = %v, want %v", awardIDs(got), want)
	}
	if got[0].RevokeReason != "b" || !got[0].RevokedAt.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("RevokedAwards returned %+v, want the whole award", got[0])
	}
}

func TestNextStatusEntry(t *testing.T) {
	ctx := context.Background()
	s := storetest.NewWithSchema(t)
	for want := range 3 {
		if n, err := s.NextStatusEntry(ctx); err != nil || n != want {
			t.Fatalf("call %d = %d, %v; want %d", want+1, n, err, want)
		}
	}
}

// TestNextStatusEntryConcurrently shows that concurrent callers never get
// one number twice, from the very first call (when the counter does not
// exist yet) on; the embedded store alone would (see
// TestContractFindAndModifyCounter).
func TestNextStatusEntryConcurrently(t *testing.T) {
	for name, s := range badgeStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			const goroutines, perGoroutine = 20, 5
			var mu sync.Mutex
			var got []int
			var wg sync.WaitGroup
			for range goroutines {
				wg.Go(func() {
					for range perGoroutine {
						n, err := s.NextStatusEntry(ctx)
						if err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						got = append(got, n)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			slices.Sort(got)
			for i, n := range got {
				if n != i {
					t.Fatalf("numbers returned = %v, want each of 0..%d once", got, goroutines*perGoroutine-1)
				}
			}
			if len(got) != goroutines*perGoroutine {
				t.Fatalf("%d numbers, want %d", len(got), goroutines*perGoroutine)
			}
		})
	}
}

// TestNextStatusEntryOfTwoInstances covers two instances of the service
// (two stores, not exclusive) that make the first call at once: both try
// to create the counter, one of them gets a duplicate key and must try
// again rather than fail.
func TestNextStatusEntryOfTwoInstances(t *testing.T) {
	ctx := context.Background()
	for round := range 20 {
		db := storetest.Database(t).Name()
		stores := []*store.Store{reader(t, db), reader(t, db)}
		start := make(chan struct{})
		got := make([]int, len(stores))
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Go(func() {
				<-start
				n, err := s.NextStatusEntry(ctx)
				if err != nil {
					t.Errorf("round %d, instance %d: %v", round, i, err)
				}
				got[i] = n
			})
		}
		close(start)
		wg.Wait()
		slices.Sort(got)
		if !slices.Equal(got, []int{0, 1}) {
			t.Fatalf("round %d: the first calls of two instances returned %v, want 0 and 1", round, got)
		}
	}
}

func fullApplication() badge.Application {
	return badge.Application{
		ID: "app-1", ClassID: "class-mentor", UserID: "user-1", OrgID: "org-1", UserName: "Šárka Ääritalo", State: badge.Returned,
		Evidence: "Ohjasin kolmea uutta opettajaa.\nToinen rivi", Links: []string{"https://vertaa.example/1", "https://example.fi/ä"},
		Reflection: "Opin kuuntelemaan.", Round: 2,
		Decisions: []badge.Decision{
			{ReviewerID: "rev-1", ReviewerName: "Aino", Round: 1, Approve: true, Comment: "Hyvä", At: time.Date(2026, 2, 1, 10, 0, 0, 123_456_789, eet)},
			{ReviewerID: "rev-2", ReviewerName: "Bertil", Round: 1, Approve: false, Comment: "Lisää linkkejä"},
		},
		SubmittedAt: time.Date(2026, 1, 30, 23, 59, 59, 999_999_999, eet), UpdatedAt: time.Date(2026, 2, 2, 0, 0, 0, 500_000, eet),
		AwardID: "award-9", Revision: 3,
	}
}

func storedApplication(a badge.Application) badge.Application {
	a.SubmittedAt, a.UpdatedAt = a.SubmittedAt.UTC().Truncate(time.Millisecond), a.UpdatedAt.UTC().Truncate(time.Millisecond)
	if len(a.Links) == 0 {
		a.Links = nil
	}
	if len(a.Decisions) == 0 {
		a.Decisions = nil
	}
	a.Decisions = slices.Clone(a.Decisions)
	for i := range a.Decisions {
		a.Decisions[i].At = a.Decisions[i].At.UTC().Truncate(time.Millisecond)
	}
	return a
}

func TestApplicationRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, raw := storetest.NewWithDatabase(t)
	other := reader(t, raw.Name())
	cases := map[string]badge.Application{
		"every field":  fullApplication(),
		"zero fields":  {ID: "app-2"},
		"empty slices": {ID: "app-3", UserID: "u1", State: badge.Submitted, Links: []string{}, Decisions: []badge.Decision{}},
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if err := s.AddApplication(ctx, in); err != nil {
				t.Fatalf("AddApplication: %v", err)
			}
			want := storedApplication(in)
			for _, st := range []*store.Store{s, other} {
				got, err := st.Application(ctx, in.ID)
				if err != nil {
					t.Fatalf("Application: %v", err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("read back\n%#v\nwant\n%#v", got, want)
				}
			}
		})
	}
}

func TestApplicationNotFoundAndConflict(t *testing.T) {
	for name, s := range badgeStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if _, err := s.Application(ctx, "nobody"); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("Application of a missing id: %v, want NotFound", err)
			}
			if _, err := s.UpdateApplication(ctx, badge.Application{ID: "nobody"}); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("UpdateApplication of a missing id: %v, want NotFound", err)
			}
			if err := s.AddApplication(ctx, badge.Application{ID: "x", UserID: "u1"}); err != nil {
				t.Fatal(err)
			}
			if err := s.AddApplication(ctx, badge.Application{ID: "x", UserID: "u2"}); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("second AddApplication with one id: %v, want Conflict", err)
			}
			if err := s.AddApplication(ctx, badge.Application{UserID: "u1"}); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("AddApplication without id: %v, want Invalid", err)
			}
		})
	}
}

func applicationIDs(as []badge.Application) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func TestApplicationsNewestFirst(t *testing.T) {
	ctx := context.Background()
	s := storetest.NewWithSchema(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, a := range []badge.Application{
		{ID: "a-old", UserID: "u1", State: badge.Approved, SubmittedAt: t0},
		{ID: "a-new", UserID: "u1", State: badge.Submitted, SubmittedAt: t0.Add(2 * time.Hour)},
		{ID: "a-mid", UserID: "u1", State: badge.Withdrawn, SubmittedAt: t0.Add(time.Hour)},
		{ID: "b-1", UserID: "u2", State: badge.Submitted, SubmittedAt: t0.Add(3 * time.Hour)},
	} {
		if err := s.AddApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Applications(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a-new", "a-mid", "a-old"}; !slices.Equal(applicationIDs(got), want) {
		t.Errorf("Applications(u1) = %v, want %v", applicationIDs(got), want)
	}
	if got, err := s.Applications(ctx, "nobody"); err != nil || len(got) != 0 {
		t.Errorf("Applications of a user without any = %v, %v; want none", got, err)
	}
}

func TestOpenApplications(t *testing.T) {
	ctx := context.Background()
	s := storetest.NewWithSchema(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, a := range []badge.Application{
		{ID: "o1-c1", OrgID: "o1", ClassID: "c1", State: badge.Submitted},
		{ID: "o2-c2", OrgID: "o2", ClassID: "c2", State: badge.Submitted},
		{ID: "none-c1", ClassID: "c1", State: badge.Submitted},
		{ID: "none-c3", ClassID: "c3", State: badge.Submitted},
		{ID: "o1-c2", OrgID: "o1", ClassID: "c2", State: badge.Submitted},
		{ID: "o1-returned", OrgID: "o1", ClassID: "c1", State: badge.Returned},
		{ID: "o1-approved", OrgID: "o1", ClassID: "c1", State: badge.Approved},
		{ID: "o1-withdrawn", OrgID: "o1", ClassID: "c1", State: badge.Withdrawn},
	} {
		a.UserID = "u" + fmt.Sprint(i)
		// Inserted newest first, so that the order is the query's.
		a.SubmittedAt = t0.Add(time.Duration(10-i) * time.Hour)
		if err := s.AddApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name             string
		orgIDs, classIDs []string
		want             []string
	}{
		{"one organisation", []string{"o1"}, nil, []string{"o1-c2", "o1-c1"}},
		{"two organisations", []string{"o1", "o2"}, []string{}, []string{"o1-c2", "o2-c2", "o1-c1"}},
		{"one class", nil, []string{"c1"}, []string{"none-c1", "o1-c1"}},
		{"organisation or class, each once", []string{"o2"}, []string{"c1", "c2"}, []string{"o1-c2", "none-c1", "o2-c2", "o1-c1"}},
		{"unknown ids", []string{"o9"}, []string{"c9"}, nil},
		{"no ids", nil, nil, nil},
		{"empty ids", []string{}, []string{}, nil},
		{"the empty organisation is none", []string{""}, nil, nil},
		{"the empty class is none", []string{""}, []string{"", "c3"}, []string{"none-c3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.OpenApplications(ctx, tc.orgIDs, tc.classIDs)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(applicationIDs(got), tc.want) {
				t.Errorf("OpenApplications(%q, %q) = %v, want %v", tc.orgIDs, tc.classIDs, applicationIDs(got), tc.want)
			}
		})
	}
	// Returning one takes it out; submitting it again brings it back.
	a, err := s.Application(ctx, "o1-c1")
	if err != nil {
		t.Fatal(err)
	}
	a.State = badge.Returned
	if a, err = s.UpdateApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, err := s.OpenApplications(ctx, []string{"o1"}, nil); err != nil || !slices.Equal(applicationIDs(got), []string{"o1-c2"}) {
		t.Errorf("after returning o1-c1: %v, %v; want only o1-c2", applicationIDs(got), err)
	}
	a.State, a.Round, a.SubmittedAt = badge.Submitted, 2, t0.Add(24*time.Hour)
	if _, err := s.UpdateApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, err := s.OpenApplications(ctx, []string{"o1"}, nil); err != nil || !slices.Equal(applicationIDs(got), []string{"o1-c2", "o1-c1"}) {
		t.Errorf("after submitting o1-c1 again: %v, %v; want o1-c2, o1-c1", applicationIDs(got), err)
	}
}

func TestUpdateApplication(t *testing.T) {
	for name, s := range badgeStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if err := s.AddApplication(ctx, badge.Application{ID: "x", UserID: "u1", State: badge.Submitted, Round: 1,
				Links: []string{"https://a.example"}}); err != nil {
				t.Fatal(err)
			}
			a, err := s.Application(ctx, "x")
			if err != nil {
				t.Fatal(err)
			}
			decided := a
			decided.Decisions = append(decided.Decisions, badge.Decision{ReviewerID: "r1", ReviewerName: "Aino", Round: 1, Approve: true,
				At: time.Now().In(eet)})
			decided.UpdatedAt = time.Now()
			decided.Links = nil
			got, err := s.UpdateApplication(ctx, decided)
			if err != nil {
				t.Fatalf("UpdateApplication: %v", err)
			}
			want := storedApplication(decided)
			want.Revision = 1
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("UpdateApplication returned\n%#v\nwant\n%#v", got, want)
			}
			if read, err := s.Application(ctx, "x"); err != nil || !reflect.DeepEqual(read, want) {
				t.Fatalf("Application after the update = %#v, %v; want %#v", read, err, want)
			}

			// Another reviewer's decision based on the first read is stale.
			other := a
			other.Decisions = append(other.Decisions, badge.Decision{ReviewerID: "r2", Round: 1, Approve: true})
			_, err = s.UpdateApplication(ctx, other)
			if apperr.KindOf(err) != apperr.Conflict || apperr.KeyOf(err) != "stale" {
				t.Fatalf("UpdateApplication at a stale revision: %v, want a stale Conflict", err)
			}
			if read, err := s.Application(ctx, "x"); err != nil || len(read.Decisions) != 1 || read.Decisions[0].ReviewerID != "r1" || read.Revision != 1 {
				t.Fatalf("after the stale update the application is %+v, %v; want r1's decision alone at revision 1", read, err)
			}
		})
	}
}

// TestBadgeIndexes checks that EnsureSchema creates the badge indexes.
func TestBadgeIndexes(t *testing.T) {
	ctx := context.Background()
	s, raw := storetest.NewWithDatabase(t)
	for range 2 { // idempotent
		if err := s.EnsureSchema(ctx); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][]string{
		"awards":       {"user_id_1_offered_at_-1", "status_list_1_state_1", "offered_at_-1"},
		"applications": {"user_id_1_submitted_at_-1", "state_1_org_id_1", "state_1_class_id_1"},
	}
	for coll, names := range want {
		cur, err := raw.Collection(coll).Indexes().List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ixs []bson.M
		if err := cur.All(ctx, &ixs); err != nil {
			t.Fatal(err)
		}
		var have []string
		for _, ix := range ixs {
			have = append(have, fmt.Sprint(ix["name"]))
		}
		for _, n := range names {
			if !slices.Contains(have, n) {
				t.Errorf("%s has indexes %v, want %s among them", coll, have, n)
			}
		}
	}
	names, err := s.CollectionNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, "counters") {
		t.Errorf("collections %v, want counters among them", names)
	}
}
