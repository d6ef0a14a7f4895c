package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"vertaa/internal/apperr"
	"vertaa/internal/badge"
	"vertaa/internal/response"
	"vertaa/internal/store"
	"vertaa/internal/store/storetest"
)

func draftOf(user, round, questionnaire string, at time.Time) response.Draft {
	return response.Draft{UserID: user, OrgID: "org", RoundID: round, QuestionnaireID: questionnaire, Hash: "h",
		Page: 1, SubmitKey: "k" + user + round + questionnaire, CreatedAt: at, UpdatedAt: at}
}

func responseOf(user, id string, at time.Time) response.Response {
	return response.Response{ID: id, UserID: user, OrgID: "org", QuestionnaireID: "q", Version: "1", Hash: "h", SubmittedAt: at}
}

func idsOf[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func draftIDs(ds []response.Draft) []string {
	return idsOf(ds, func(d response.Draft) string { return d.ID })
}
func responseIDs(rs []response.Response) []string {
	return idsOf(rs, func(r response.Response) string { return r.ID })
}

// A user's drafts and responses are listed from their index: only theirs,
// the latest first, and a deleted draft leaves the list.
func TestUserListsFollowChanges(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.NewWithSchemaDatabase(t)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	d1, err := s.CreateDraft(ctx, draftOf("ann", "r1", "q", t0))
	if err != nil {
		t.Fatal(err)
	}
	d2, err := s.CreateDraft(ctx, draftOf("ann", "", "q", t0.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDraft(ctx, draftOf("bob", "r1", "q", t0)); err != nil {
		t.Fatal(err)
	}
	// The second draft of one round is refused, and lists nothing new.
	if _, err := s.CreateDraft(ctx, draftOf("ann", "r1", "q", t0)); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("second draft of a round: %v, want Conflict", err)
	}
	ds, err := s.Drafts(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := draftIDs(ds), []string{d2.ID, d1.ID}; !slices.Equal(got, want) {
		t.Fatalf("ann's drafts %v, want %v (latest first)", got, want)
	}
	for _, c := range []struct{ round, questionnaire, want string }{{"r1", "q", d1.ID}, {"", "q", d2.ID}} {
		d, err := s.DraftFor(ctx, "ann", c.round, c.questionnaire)
		if err != nil || d.ID != c.want {
			t.Fatalf("DraftFor(ann, %q, %q) = %s, %v; want %s", c.round, c.questionnaire, d.ID, err, c.want)
		}
	}
	if _, err := s.DraftFor(ctx, "ann", "r2", "q"); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("DraftFor of a round not started: %v, want NotFound", err)
	}
	if err := s.DeleteDraft(ctx, "ann", d1.ID); err != nil {
		t.Fatal(err)
	}
	if ds, err = s.Drafts(ctx, "ann"); err != nil || !slices.Equal(draftIDs(ds), []string{d2.ID}) {
		t.Fatalf("after deleting %s, ann's drafts are %v (%v)", d1.ID, draftIDs(ds), err)
	}

	for i, at := range []time.Time{t0, t0.Add(2 * time.Hour), t0.Add(time.Hour)} {
		if _, err := s.AddResponse(ctx, responseOf("ann", fmt.Sprintf("a%d", i), at)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddResponse(ctx, responseOf("bob", "b0", t0)); err != nil {
		t.Fatal(err)
	}
	// Submitting twice (a retry) stores and lists one response.
	if _, err := s.AddResponse(ctx, responseOf("ann", "a0", t0)); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("second response with one id: %v, want Conflict", err)
	}
	rs, err := s.Responses(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := responseIDs(rs), []string{"a1", "a2", "a0"}; !slices.Equal(got, want) {
		t.Fatalf("ann's responses %v, want %v", got, want)
	}
	if rs, err := s.Responses(ctx, "nobody"); err != nil || len(rs) != 0 {
		t.Fatalf("a user with nothing: %v, %v", rs, err)
	}
}

// A crash after an id was listed and before its document was written
// leaves an id that lists nothing: readers skip it.
func TestUserListsSkipWhatWasNeverWritten(t *testing.T) {
	ctx := context.Background()
	s, raw := storetest.NewWithSchemaDatabase(t)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if _, err := s.AddResponse(ctx, responseOf("ann", "a0", t0)); err != nil {
		t.Fatal(err)
	}
	d, err := s.CreateDraft(ctx, draftOf("ann", "r1", "q", t0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Collection("user_index").UpdateOne(ctx, bson.D{{Key: "_id", Value: "ann"}}, bson.D{{Key: "$push", Value: bson.D{
		{Key: "responses", Value: "lost"}, {Key: "drafts", Value: "lost"}}}}); err != nil {
		t.Fatal(err)
	}
	// A fresh store, so that no cached copy of the index hides the change.
	s2, err := store.Open(ctx, storetest.URI(), raw.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close(ctx)
	rs, err := s2.Responses(ctx, "ann")
	if err != nil || !slices.Equal(responseIDs(rs), []string{"a0"}) {
		t.Fatalf("responses %v (%v), want [a0]", responseIDs(rs), err)
	}
	ds, err := s2.Drafts(ctx, "ann")
	if err != nil || !slices.Equal(draftIDs(ds), []string{d.ID}) {
		t.Fatalf("drafts %v (%v), want [%s]", draftIDs(ds), err, d.ID)
	}
}

// Drafts and responses stored before the index existed are indexed once,
// when the schema is prepared.
func TestUserIndexIsBuiltForEarlierRecords(t *testing.T) {
	ctx := context.Background()
	s, raw := storetest.NewWithSchemaDatabase(t)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	d, err := s.CreateDraft(ctx, draftOf("ann", "r1", "q", t0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddResponse(ctx, responseOf("ann", "a0", t0)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAward(ctx, badge.Award{ID: "aw1", ClassID: "c", UserID: "ann", State: badge.Offered, OfferedAt: t0}); err != nil {
		t.Fatal(err)
	}
	// As the database was before this version: no index.
	if err := raw.Collection("user_index").Drop(ctx); err != nil {
		t.Fatal(err)
	}
	s2, err := store.Open(ctx, storetest.URI(), raw.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close(ctx)
	if rs, err := s2.Responses(ctx, "ann"); err != nil || len(rs) != 0 {
		t.Fatalf("with no index the responses are %v (%v); the test cannot tell a rebuilt index", responseIDs(rs), err)
	}
	if err := s2.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if rs, err := s2.Responses(ctx, "ann"); err != nil || !slices.Equal(responseIDs(rs), []string{"a0"}) {
		t.Fatalf("after EnsureSchema the responses are %v (%v), want [a0]", responseIDs(rs), err)
	}
	if got, err := s2.DraftFor(ctx, "ann", "r1", "q"); err != nil || got.ID != d.ID {
		t.Fatalf("after EnsureSchema DraftFor = %s, %v; want %s", got.ID, err, d.ID)
	}
	if aw, err := s2.Awards(ctx, "ann"); err != nil || len(aw) != 1 || aw[0].ID != "aw1" {
		t.Fatalf("after EnsureSchema the awards are %+v (%v), want aw1", aw, err)
	}
	// Built once: a record the index misses now stays missed.
	if _, err := raw.Collection("user_index").UpdateOne(ctx, bson.D{{Key: "_id", Value: "ann"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "responses", Value: bson.A{}}}}}); err != nil {
		t.Fatal(err)
	}
	s3, err := store.Open(ctx, storetest.URI(), raw.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close(ctx)
	if err := s3.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if rs, err := s3.Responses(ctx, "ann"); err != nil || len(rs) != 0 {
		t.Fatalf("the index was built a second time: %v (%v)", responseIDs(rs), err)
	}
}

// The drafts of an organisation's rounds follow drafts created and
// deleted, though an exclusive store caches them.
func TestOrgDraftsFollowChanges(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.NewWithSchemaDatabase(t)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ids := func() []string {
		ds, err := s.OrgDrafts(ctx, "org")
		if err != nil {
			t.Fatal(err)
		}
		out := draftIDs(ds)
		slices.Sort(out)
		return out
	}
	if got := ids(); len(got) != 0 {
		t.Fatalf("drafts of an empty organisation: %v", got)
	}
	d1, err := s.CreateDraft(ctx, draftOf("ann", "r1", "q", t0))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(); !slices.Equal(got, []string{d1.ID}) {
		t.Fatalf("after a draft was created: %v, want [%s]", got, d1.ID)
	}
	d2, err := s.CreateDraft(ctx, draftOf("bob", "r1", "q", t0))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{d1.ID, d2.ID}
	slices.Sort(want)
	if got := ids(); !slices.Equal(got, want) {
		t.Fatalf("after a second draft: %v, want %v", got, want)
	}
	if err := s.DeleteDraft(ctx, "ann", d1.ID); err != nil {
		t.Fatal(err)
	}
	if got := ids(); !slices.Equal(got, []string{d2.ID}) {
		t.Fatalf("after deleting %s: %v", d1.ID, got)
	}
}
