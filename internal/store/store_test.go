package store_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/response"
	"vertaa/internal/store"
	"vertaa/internal/store/storetest"
)

func TestOpen(t *testing.T) {
	t.Run("ErrInvalidDatabaseName", func(t *testing.T) {
		for _, name := range []string{"", "a.b", "a/b", "has space", "ä", string(make([]byte, 64))} {
			_, err := store.Open(context.Background(), storetest.URI(), name)
			if err == nil {
				t.Errorf("Open with database %q succeeded", name)
			}
		}
	})
	t.Run("ErrUnreachable", func(t *testing.T) {
		// A port that was just free: nothing listens there.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = store.Open(ctx, "mongodb://"+addr+"/?connectTimeoutMS=200", "vertaa")
		if apperr.KindOf(err) != apperr.Unavailable {
			t.Fatalf("got %v, want an Unavailable error", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("Open took %v despite a 500ms deadline", d)
		}
	})
}

func TestEnsureSchemaIsIdempotent(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	for i := range 2 {
		if err := s.EnsureSchema(ctx); err != nil {
			t.Fatalf("EnsureSchema run %d: %v", i+1, err)
		}
	}
	names, err := s.CollectionNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, "instance") {
		t.Fatalf("collections after EnsureSchema = %v, want instance among them", names)
	}
}

func TestInstance(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if err := s.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	first, err := s.Instance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == "" || first.CreatedAt.IsZero() || first.CreatedAt.Location() != time.UTC {
		t.Fatalf("first instance = %+v, want an id and a UTC creation time", first)
	}
	again, err := s.Instance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Fatalf("second call = %+v, want the first identity %+v", again, first)
	}
}

func TestPing(t *testing.T) {
	s := storetest.New(t)
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("Ping after Close = %v, want Unavailable", err)
	}
}

// The organisation's lists (teams, members, roles, rounds) are cached on the
// embedded store; every change to them shows at once.
func TestOrgListsFollowChanges(t *testing.T) {
	s := storetest.NewWithSchema(t)
	ctx := context.Background()
	org, err := s.CreateOrg(ctx, account.Organisation{Name: "Opisto", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, account.User{Email: "a@o.fi", Name: "A", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	count := func() (teams, members, grants int) {
		t.Helper()
		ts, err1 := s.Teams(ctx, org.ID)
		ms, err2 := s.TeamMembers(ctx, org.ID)
		gs, err3 := s.OrgGrants(ctx, org.ID)
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatal(err)
		}
		return len(ts), len(ms), len(gs)
	}
	want := func(step string, teams, members, grants int) {
		t.Helper()
		// Twice: the second read comes from the cache.
		for range 2 {
			if a, b, c := count(); a != teams || b != members || c != grants {
				t.Fatalf("%s: %d teams, %d members, %d roles; want %d, %d, %d", step, a, b, c, teams, members, grants)
			}
		}
	}
	want("empty", 0, 0, 0)
	team, err := s.CreateTeam(ctx, account.Team{OrgID: org.ID, Name: "Tiimi", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	want("team created", 1, 0, 0)
	if err := s.AddGrant(ctx, account.Grant{UserID: u.ID, Role: account.Leader, OrgID: org.ID}); err != nil {
		t.Fatal(err)
	}
	want("role given", 1, 0, 1)
	m := account.TeamMember{OrgID: org.ID, TeamID: team.ID, UserID: u.ID}
	if err := s.AddTeamMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	want("member added", 1, 1, 1)
	if err := s.RenameTeam(ctx, org.ID, team.ID, "Uusi nimi"); err != nil {
		t.Fatal(err)
	}
	if ts, _ := s.Teams(ctx, org.ID); len(ts) != 1 || ts[0].Name != "Uusi nimi" {
		t.Fatalf("after renaming: %+v", ts)
	}
	if err := s.RemoveTeamMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	want("member removed", 1, 0, 1)
	if err := s.AddTeamMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTeam(ctx, org.ID, team.ID); err != nil {
		t.Fatal(err)
	}
	want("team deleted", 0, 0, 1)

	rounds := func() (ofOrg, ofQuestionnaire []response.Round) {
		t.Helper()
		a, err1 := s.Rounds(ctx, org.ID)
		b, err2 := s.QuestionnaireRounds(ctx, "tiimityo")
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		return a, b
	}
	if a, b := rounds(); len(a) != 0 || len(b) != 0 {
		t.Fatalf("rounds before any: %v, %v", a, b)
	}
	r, err := s.CreateRound(ctx, response.Round{OrgID: org.ID, QuestionnaireID: "tiimityo", Name: "Kevät", Opens: time.Now(), Closes: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := rounds(); len(a) != 1 || len(b) != 1 {
		t.Fatalf("rounds after one was opened: %v, %v", a, b)
	}
	closed := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	if err := s.CloseRound(ctx, org.ID, r.ID, closed); err != nil {
		t.Fatal(err)
	}
	if a, b := rounds(); !a[0].Closes.Equal(closed) || !b[0].Closes.Equal(closed) {
		t.Fatalf("rounds after closing: %v, %v", a, b)
	}
}
