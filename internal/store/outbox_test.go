package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"vertaa/internal/apperr"
	"vertaa/internal/mail"
	"vertaa/internal/store"
	"vertaa/internal/store/storetest"
)

func newOutbox(t *testing.T) *store.Store {
	t.Helper()
	s := storetest.New(t)
	if err := s.EnsureSchema(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// enqueue adds one message per recipient, one after the other, and returns
// them as Due returns them, oldest first.
func enqueue(t *testing.T, s *store.Store, to ...string) []mail.Message {
	t.Helper()
	ctx := context.Background()
	for _, addr := range to {
		m := mail.Message{To: addr, ToName: "Šárka Ääritalo", Subject: "Tervetuloa – " + addr, Text: "Hei!\nLinkki: https://vertaa.example/x"}
		if err := s.Enqueue(ctx, m); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
		time.Sleep(2 * time.Millisecond) // distinct creation times
	}
	due, err := s.Due(ctx, time.Now().Add(time.Hour), 100)
	if err != nil {
		t.Fatalf("Due: %v", err)
	}
	if len(due) != len(to) {
		t.Fatalf("Due returned %d messages, want %d", len(due), len(to))
	}
	return due
}

func ids(msgs []mail.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func due(t *testing.T, s *store.Store, now time.Time, limit int) []string {
	t.Helper()
	msgs, err := s.Due(context.Background(), now, limit)
	if err != nil {
		t.Fatalf("Due: %v", err)
	}
	return ids(msgs)
}

func TestOutboxEnqueueAndDue(t *testing.T) {
	s := newOutbox(t)
	before := time.Now().Add(-time.Second)
	msgs := enqueue(t, s, "a@example.fi", "b@example.fi")
	a, b := msgs[0], msgs[1]
	if a.To != "a@example.fi" || b.To != "b@example.fi" {
		t.Fatalf("Due returned %s, %s; want a, then b (oldest first)", a.To, b.To)
	}
	if a.ID == "" || a.ID == b.ID {
		t.Errorf("ids %q and %q, want two distinct ones", a.ID, b.ID)
	}
	if a.ToName != "Šárka Ääritalo" || a.Subject != "Tervetuloa – a@example.fi" || a.Text != "Hei!\nLinkki: https://vertaa.example/x" {
		t.Errorf("message read back as %+v", a)
	}
	if a.CreatedAt.Before(before) || a.CreatedAt.After(time.Now()) || a.CreatedAt.Location() != time.UTC || !b.CreatedAt.After(a.CreatedAt) {
		t.Errorf("CreatedAt %v and %v, want the UTC times of enqueueing", a.CreatedAt, b.CreatedAt)
	}
	if a.Attempts != 0 || !a.SentAt.IsZero() || a.Failed || a.LastError != "" {
		t.Errorf("new message has state %+v", a)
	}

	now := time.Now().Add(time.Second)
	if got := due(t, s, now, 1); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("Due with limit 1 = %v, want only the oldest %v", got, a.ID)
	}
	if got := due(t, s, before, 10); len(got) != 0 {
		t.Errorf("Due before the messages were enqueued = %v, want none", got)
	}
	if _, err := s.Due(context.Background(), now, 0); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("Due with limit 0: %v, want Invalid", err)
	}
	if err := s.Enqueue(context.Background()); err != nil {
		t.Errorf("Enqueue of nothing: %v", err)
	}
	if err := s.Enqueue(context.Background(), mail.Message{Subject: "x"}); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("Enqueue without recipient: %v, want Invalid", err)
	}
}

func TestOutboxMarkSent(t *testing.T) {
	s := newOutbox(t)
	ctx := context.Background()
	msgs := enqueue(t, s, "a@example.fi", "b@example.fi")
	at := time.Now().UTC().Truncate(time.Millisecond)
	if err := s.MarkSent(ctx, msgs[0].ID, at); err != nil {
		t.Fatalf("MarkSent: %v", err)
	}
	if got := due(t, s, time.Now().Add(time.Hour), 10); !slices.Equal(got, []string{msgs[1].ID}) {
		t.Errorf("Due after MarkSent = %v, want only %v", got, msgs[1].ID)
	}
	recent, err := s.RecentMail(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(recent, func(m mail.Message) bool { return m.ID == msgs[0].ID }); i < 0 || !recent[i].SentAt.Equal(at) {
		t.Errorf("RecentMail = %+v, want %s sent at %v", recent, msgs[0].ID, at)
	}
	if err := s.MarkSent(ctx, "no-such-id", at); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("MarkSent of an unknown id: %v, want NotFound", err)
	}
	// A late failure report cannot undo a send.
	if err := s.MarkFailed(ctx, msgs[0].ID, 1, "smtp: 451", time.Now().Add(time.Minute)); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("MarkFailed of a sent message: %v, want NotFound", err)
	}
}

func TestOutboxMarkFailed(t *testing.T) {
	s := newOutbox(t)
	ctx := context.Background()
	msgs := enqueue(t, s, "a@example.fi", "b@example.fi")
	a, b := msgs[0], msgs[1]
	next := time.Now().Add(time.Hour)
	if err := s.MarkFailed(ctx, a.ID, 1, "smtp: RCPT TO: 451 try later", next); err != nil {
		t.Fatalf("MarkFailed: %v", err)
	}
	if got := due(t, s, time.Now(), 10); !slices.Equal(got, []string{b.ID}) {
		t.Errorf("Due before the next attempt = %v, want only %v", got, b.ID)
	}
	later, err := s.Due(ctx, next, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(later); !slices.Equal(got, []string{a.ID, b.ID}) {
		t.Fatalf("Due at the next attempt = %v, want %v", got, []string{a.ID, b.ID})
	}
	if later[0].Attempts != 1 || later[0].LastError != "smtp: RCPT TO: 451 try later" || later[0].Failed {
		t.Errorf("after one failure: %+v", later[0])
	}

	// Giving up: never due again.
	if err := s.MarkFailed(ctx, a.ID, mail.MaxAttempts, "smtp: 550 mailbox unavailable", time.Time{}); err != nil {
		t.Fatalf("MarkFailed giving up: %v", err)
	}
	if got := due(t, s, time.Now().AddDate(10, 0, 0), 10); !slices.Equal(got, []string{b.ID}) {
		t.Errorf("Due after giving up = %v, want only %v", got, b.ID)
	}
	recent, err := s.RecentMail(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(recent, func(m mail.Message) bool { return m.ID == a.ID })
	if i < 0 || !recent[i].Failed || recent[i].Attempts != mail.MaxAttempts || recent[i].LastError != "smtp: 550 mailbox unavailable" ||
		!recent[i].SentAt.IsZero() {
		t.Errorf("RecentMail = %+v, want %s failed after %d attempts", recent, a.ID, mail.MaxAttempts)
	}
	if err := s.MarkFailed(ctx, "no-such-id", 1, "x", next); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("MarkFailed of an unknown id: %v, want NotFound", err)
	}
}

func TestOutboxRecentMail(t *testing.T) {
	s := newOutbox(t)
	ctx := context.Background()
	msgs := enqueue(t, s, "a@example.fi", "b@example.fi", "c@example.fi")
	if err := s.MarkSent(ctx, msgs[1].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	recent, err := s.RecentMail(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(recent), []string{msgs[2].ID, msgs[1].ID, msgs[0].ID}; !slices.Equal(got, want) {
		t.Errorf("RecentMail = %v, want newest first %v", got, want)
	}
	recent, err = s.RecentMail(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(recent), []string{msgs[2].ID, msgs[1].ID}; !slices.Equal(got, want) {
		t.Errorf("RecentMail(2) = %v, want %v", got, want)
	}
}

// sendFunc is a mail.Sender.
type sendFunc func(context.Context, mail.Message) error

func (f sendFunc) Send(ctx context.Context, m mail.Message) error { return f(ctx, m) }

func TestOutboxWithDispatcher(t *testing.T) {
	s := newOutbox(t)
	ctx := context.Background()
	msgs := enqueue(t, s, "ok@example.fi", "busy@example.fi")
	d := mail.NewDispatcher(s, sendFunc(func(_ context.Context, m mail.Message) error {
		if m.To == "busy@example.fi" {
			return errors.New("smtp: RCPT TO: 452 mailbox full")
		}
		return nil
	}), nil)
	start := time.Now()
	if n, err := d.SendDue(ctx); err != nil || n != 1 {
		t.Fatalf("SendDue = %d, %v; want 1, nil", n, err)
	}
	if n, err := d.SendDue(ctx); err != nil || n != 0 {
		t.Fatalf("second SendDue = %d, %v; want nothing due", n, err)
	}
	recent, err := s.RecentMail(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]mail.Message{}
	for _, m := range recent {
		byID[m.ID] = m
	}
	if ok := byID[msgs[0].ID]; ok.SentAt.Before(start.Truncate(time.Millisecond)) || ok.Attempts != 0 {
		t.Errorf("sent message: %+v", ok)
	}
	if busy := byID[msgs[1].ID]; !busy.SentAt.IsZero() || busy.Attempts != 1 || busy.LastError != "smtp: RCPT TO: 452 mailbox full" {
		t.Errorf("failed message: %+v", busy)
	}
	if got := due(t, s, start.Add(mail.NextAttempt(1)+time.Second), 10); !slices.Equal(got, []string{msgs[1].ID}) {
		t.Errorf("Due after the retry delay = %v, want %v", got, msgs[1].ID)
	}
}

// The outbox is what a Dispatcher works on.
var _ mail.Outbox = (*store.Store)(nil)
