package mail_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"vertaa/internal/mail"
)

// fakeOutbox keeps messages in memory with the semantics of the store.
type fakeOutbox struct {
	mu     sync.Mutex
	msgs   map[string]*mail.Message
	next   map[string]time.Time
	dueErr error
	dues   chan struct{} // receives a value after every call of Due, if not full
}

func newFakeOutbox() *fakeOutbox {
	return &fakeOutbox{
		msgs: map[string]*mail.Message{},
		next: map[string]time.Time{},
		dues: make(chan struct{}, 100),
	}
}

// add puts m into the outbox, due at next.
func (o *fakeOutbox) add(m mail.Message, next time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs[m.ID] = &m
	o.next[m.ID] = next
}

func (o *fakeOutbox) get(t *testing.T, id string) (mail.Message, time.Time) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	m, ok := o.msgs[id]
	if !ok {
		t.Fatalf("no message %s", id)
	}
	return *m, o.next[id]
}

func (o *fakeOutbox) Due(_ context.Context, now time.Time, limit int) ([]mail.Message, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	defer func() {
		select {
		case o.dues <- struct{}{}:
		default:
		}
	}()
	if o.dueErr != nil {
		return nil, o.dueErr
	}
	var due []mail.Message
	for id, m := range o.msgs {
		if m.SentAt.IsZero() && !m.Failed && !o.next[id].After(now) {
			due = append(due, *m)
		}
	}
	slices.SortFunc(due, func(a, b mail.Message) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return due[:min(limit, len(due))], nil
}

func (o *fakeOutbox) MarkSent(_ context.Context, id string, at time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, ok := o.msgs[id]
	if !ok {
		return fmt.Errorf("no message %s", id)
	}
	m.SentAt = at
	return nil
}

func (o *fakeOutbox) MarkFailed(_ context.Context, id string, attempts int, lastError string, next time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, ok := o.msgs[id]
	if !ok {
		return fmt.Errorf("no message %s", id)
	}
	m.Attempts, m.LastError, m.Failed = attempts, lastError, next.IsZero()
	o.next[id] = next
	return nil
}

// fakeSender records what it is asked to send and answers with send, or
// with success when send is nil.
type fakeSender struct {
	mu   sync.Mutex
	send func(context.Context, mail.Message) error
	got  []string // ids, in the order of the calls
	sent chan string
}

func newFakeSender(send func(context.Context, mail.Message) error) *fakeSender {
	return &fakeSender{send: send, sent: make(chan string, 1000)}
}

func (s *fakeSender) Send(ctx context.Context, m mail.Message) error {
	s.mu.Lock()
	s.got = append(s.got, m.ID)
	s.mu.Unlock()
	if s.send != nil {
		if err := s.send(ctx, m); err != nil {
			return err
		}
	}
	s.sent <- m.ID
	return nil
}

func (s *fakeSender) calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

func message(id string, created time.Time) mail.Message {
	return mail.Message{ID: id, To: id + "@example.fi", Subject: "Aihe " + id, Text: "Hei", CreatedAt: created}
}

func TestSendDue(t *testing.T) {
	t.Run("OKMarksSent", func(t *testing.T) {
		o := newFakeOutbox()
		now := time.Now()
		o.add(message("b", now.Add(-time.Minute)), now.Add(-time.Minute))
		o.add(message("a", now.Add(-2*time.Minute)), now.Add(-2*time.Minute))
		o.add(message("later", now), now.Add(time.Hour))
		s := newFakeSender(nil)
		before := time.Now()
		n, err := mail.NewDispatcher(o, s, nil).SendDue(context.Background())
		if err != nil || n != 2 {
			t.Fatalf("SendDue = %d, %v; want 2, nil", n, err)
		}
		if got := s.calls(); !slices.Equal(got, []string{"a", "b"}) {
			t.Errorf("sent %v, want [a b], oldest first", got)
		}
		for _, id := range []string{"a", "b"} {
			if m, _ := o.get(t, id); m.SentAt.Before(before) || m.SentAt.After(time.Now()) {
				t.Errorf("message %s: SentAt = %v, want the time of sending", id, m.SentAt)
			}
		}
		if m, _ := o.get(t, "later"); !m.SentAt.IsZero() {
			t.Error("a message due later was sent")
		}
	})

	t.Run("ErrSendSchedulesNextAttempt", func(t *testing.T) {
		for attempts := range mail.MaxAttempts - 1 {
			o := newFakeOutbox()
			m := message("m", time.Now())
			m.Attempts = attempts
			o.add(m, time.Now())
			s := newFakeSender(func(context.Context, mail.Message) error {
				return errors.New("smtp: RCPT TO: 451 4.3.0 try again later")
			})
			d := mail.NewDispatcher(o, s, nil)
			before := time.Now()
			if n, err := d.SendDue(context.Background()); err != nil || n != 0 {
				t.Fatalf("SendDue = %d, %v; want 0, nil", n, err)
			}
			after := time.Now()
			got, next := o.get(t, "m")
			delay := mail.NextAttempt(attempts + 1)
			if got.Attempts != attempts+1 || got.Failed || !got.SentAt.IsZero() ||
				got.LastError != "smtp: RCPT TO: 451 4.3.0 try again later" {
				t.Errorf("after failed attempt %d: %+v", attempts+1, got)
			}
			if next.Before(before.Add(delay)) || next.After(after.Add(delay)) {
				t.Errorf("after failed attempt %d: next attempt in %v, want %v", attempts+1, next.Sub(before), delay)
			}
			// Not due again until then.
			if n, err := d.SendDue(context.Background()); err != nil || n != 0 || len(s.calls()) != 1 {
				t.Errorf("second SendDue = %d, %v after %d sends; want nothing sent again", n, err, len(s.calls()))
			}
		}
	})

	t.Run("ErrSendGivesUpAfterMaxAttempts", func(t *testing.T) {
		o := newFakeOutbox()
		m := message("m", time.Now())
		m.Attempts = mail.MaxAttempts - 1
		o.add(m, time.Now())
		s := newFakeSender(func(context.Context, mail.Message) error { return errors.New("smtp: 550 mailbox unavailable") })
		if n, err := mail.NewDispatcher(o, s, nil).SendDue(context.Background()); err != nil || n != 0 {
			t.Fatalf("SendDue = %d, %v; want 0, nil", n, err)
		}
		got, next := o.get(t, "m")
		if !got.Failed || !next.IsZero() || got.Attempts != mail.MaxAttempts || got.LastError != "smtp: 550 mailbox unavailable" {
			t.Errorf("after the last attempt: %+v, next %v; want failed with no next attempt", got, next)
		}
	})

	t.Run("ErrSendIsShortened", func(t *testing.T) {
		o := newFakeOutbox()
		o.add(message("m", time.Now()), time.Now())
		long := "smtp: 554\r\n" + strings.Repeat("ä", 300)
		s := newFakeSender(func(context.Context, mail.Message) error { return errors.New(long) })
		if _, err := mail.NewDispatcher(o, s, nil).SendDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		got, _ := o.get(t, "m")
		if len(got.LastError) > 200 || !utf8.ValidString(got.LastError) || strings.ContainsAny(got.LastError, "\r\n") ||
			!strings.HasPrefix(got.LastError, "smtp: 554 ää") {
			t.Errorf("LastError = %q (%d bytes), want one short valid line", got.LastError, len(got.LastError))
		}
	})

	t.Run("ErrCancelledIsNoAttempt", func(t *testing.T) {
		o := newFakeOutbox()
		o.add(message("a", time.Now().Add(-time.Second)), time.Now())
		o.add(message("b", time.Now()), time.Now())
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := newFakeSender(func(ctx context.Context, _ mail.Message) error {
			cancel()
			return ctx.Err()
		})
		if _, err := mail.NewDispatcher(o, s, nil).SendDue(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("SendDue = %v, want context.Canceled", err)
		}
		if got, _ := o.get(t, "a"); got.Attempts != 0 || got.LastError != "" {
			t.Errorf("interrupted message recorded as an attempt: %+v", got)
		}
		if got := s.calls(); len(got) != 1 {
			t.Errorf("sent %v after cancelling, want only the first", got)
		}
	})

	t.Run("ErrOutbox", func(t *testing.T) {
		o := newFakeOutbox()
		o.dueErr = errors.New("database down")
		if _, err := mail.NewDispatcher(o, newFakeSender(nil), nil).SendDue(context.Background()); err == nil ||
			!strings.Contains(err.Error(), "database down") {
			t.Fatalf("SendDue = %v, want the outbox error", err)
		}
	})

	t.Run("OKMoreThanOneBatch", func(t *testing.T) {
		o := newFakeOutbox()
		start := time.Now().Add(-time.Hour)
		for i := range 123 {
			o.add(message(fmt.Sprintf("m%03d", i), start.Add(time.Duration(i)*time.Millisecond)), start)
		}
		s := newFakeSender(nil)
		n, err := mail.NewDispatcher(o, s, nil).SendDue(context.Background())
		if err != nil || n != 123 {
			t.Fatalf("SendDue = %d, %v; want 123, nil", n, err)
		}
		if got := s.calls(); !slices.IsSorted(got) {
			t.Errorf("messages not sent oldest first: %v", got)
		}
	})
}

func TestRun(t *testing.T) {
	t.Run("OKSendsAtStart", func(t *testing.T) {
		o := newFakeOutbox()
		o.add(message("m", time.Now()), time.Now())
		s := newFakeSender(nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go mail.NewDispatcher(o, s, nil).Run(ctx)
		waitFor(t, s.sent, "the message due at start")
	})

	t.Run("OKNotifyWakes", func(t *testing.T) {
		o := newFakeOutbox()
		s := newFakeSender(nil)
		d := mail.NewDispatcher(o, s, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go d.Run(ctx)
		waitFor(t, o.dues, "the first look at the outbox")
		o.add(message("m", time.Now()), time.Now())
		d.Notify()
		start := time.Now()
		waitFor(t, s.sent, "the message after Notify")
		if d := time.Since(start); d > time.Second {
			t.Errorf("sent %v after Notify, want at once", d)
		}
	})

	t.Run("OKNotifyDoesNotBlock", func(t *testing.T) {
		d := mail.NewDispatcher(newFakeOutbox(), newFakeSender(nil), nil)
		done := make(chan struct{})
		go func() {
			for range 100 {
				d.Notify()
			}
			close(done)
		}()
		waitFor(t, done, "100 notifies without Run")
	})

	t.Run("OKStopsWhenCtxDone", func(t *testing.T) {
		o := newFakeOutbox()
		d := mail.NewDispatcher(o, newFakeSender(nil), nil)
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() {
			d.Run(ctx)
			close(stopped)
		}()
		waitFor(t, o.dues, "the first look at the outbox")
		cancel()
		waitFor(t, stopped, "Run to return after cancel")
	})
}

// waitFor waits up to 5 seconds for a value from c.
func waitFor[T any](t *testing.T, c <-chan T, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}
