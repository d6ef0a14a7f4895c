package report

import (
	"context"
	"testing"
	"time"

	"vertaa/internal/apperr"
)

func TestLimiter(t *testing.T) {
	l := NewLimiter(1)
	started, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- l.Do(context.Background(), func() error { close(started); <-release; return nil })
	}()
	<-started

	// The one slot is taken: a second report waits until its context ends,
	// and is then refused without being made.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	ran := false
	err := l.Do(ctx, func() error { ran = true; return nil })
	if ran || apperr.KindOf(err) != apperr.TooMany || apperr.KeyOf(err) != "report.busy" {
		t.Fatalf("with the slot taken: ran %v, error %v", ran, err)
	}

	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := l.Do(context.Background(), func() error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("with the slot free again: ran %v, error %v", ran, err)
	}
}
