//go:build linux

package store_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"vertaa/internal/apperr"
	"vertaa/internal/audit"
	"vertaa/internal/embeddb"
	"vertaa/internal/store"
	"vertaa/internal/store/storetest"
)

// A full disk, made with a limit on the size of files this process may
// write (RLIMIT_FSIZE, which Go turns into EFBIG errors rather than a
// signal): writes fail with an error that says the disk is full, every
// write acknowledged before is still there, the SQLite file passes
// integrity_check, and writing works again once there is room.
func TestFullDiskFailsCleanly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := embeddb.Start(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	s, err := store.Open(ctx, srv.URI(), "vertaa")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	event := func(i int) audit.Event {
		return audit.Event{At: time.Now().UTC(), Action: audit.UserCreated, TargetID: fmt.Sprintf("user%06d", i), Detail: strings.Repeat("x", 2000)}
	}
	for i := range 50 {
		if err := s.Record(ctx, event(i)); err != nil {
			t.Fatal(err)
		}
	}

	var largest int64
	files, _ := filepath.Glob(filepath.Join(dir, "db", "*"))
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			largest = max(largest, fi.Size())
		}
	}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	limit := old
	limit.Cur = uint64(largest + 256<<10)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Skipf("cannot limit the file size here: %v", err)
	}
	restore := func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
			t.Fatal(err)
		}
	}
	defer restore()

	written := 50
	var werr error
	for i := 50; i < 50+5000; i++ {
		if werr = s.Record(ctx, event(i)); werr != nil {
			break
		}
		written++
	}
	restore()
	if werr == nil {
		t.Fatalf("%d writes past the limit of %d bytes all succeeded", written-50, limit.Cur)
	}
	t.Logf("after %d writes: %v", written, werr)
	if k := apperr.KindOf(werr); k != apperr.Unavailable {
		t.Errorf("a write to a full disk is %v, want Unavailable", k)
	}
	var ae *apperr.Error
	if !errors.As(werr, &ae) || !strings.Contains(ae.Message, "disk is full or failing") {
		t.Errorf("the error does not say the disk is full: %v", werr)
	}

	// Room again: the acknowledged writes are all there, and more succeed.
	if err := s.Record(ctx, event(written)); err != nil {
		t.Fatalf("writing after the disk has room again: %v", err)
	}
	events, err := s.AuditEvents(ctx, "", written+10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range events {
		got[e.TargetID] = true
	}
	for i := range written + 1 {
		if !got[fmt.Sprintf("user%06d", i)] {
			t.Fatalf("acknowledged write %d is missing after the full disk", i)
		}
	}
	srv.Stop()
	storetest.IntegrityCheck(t, dir)
}
