package store_test

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"vertaa/internal/apperr"
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
