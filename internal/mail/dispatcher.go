package mail

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

const (
	// pollInterval is how often Run looks for due messages without a Notify.
	pollInterval = 30 * time.Second
	// batchSize is how many due messages SendDue asks the outbox for at once.
	batchSize = 50
	// maxErrorLen bounds the length in bytes of a stored LastError.
	maxErrorLen = 200
)

// Dispatcher sends the due messages of an Outbox through a Sender and
// records the outcome of every attempt. One Dispatcher sends one message at
// a time; run one per outbox.
type Dispatcher struct {
	outbox Outbox
	sender Sender
	log    *slog.Logger
	wake   chan struct{}
	mu     sync.Mutex // held by SendDue: one pass over the outbox at a time
}

// NewDispatcher returns a Dispatcher that sends the messages of o with s and
// logs failed attempts to log (nil discards them).
func NewDispatcher(o Outbox, s Sender, log *slog.Logger) *Dispatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{outbox: o, sender: s, log: log, wake: make(chan struct{}, 1)}
}

// Run sends due messages until ctx is done: at start, every 30 seconds, and at once after Notify.
func (d *Dispatcher) Run(ctx context.Context) {
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for ctx.Err() == nil {
		if _, err := d.SendDue(ctx); err != nil && ctx.Err() == nil {
			d.log.ErrorContext(ctx, "send due mail", "error", err)
		}
		select {
		case <-ctx.Done():
		case <-ticker.C:
		case <-d.wake:
		}
	}
}

// Notify wakes Run (non-blocking; several notifies before Run looks collapse into one).
func (d *Dispatcher) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// SendDue sends what is due now once and returns how many were sent; Run calls it, tests call it directly.
// A failed send is recorded with the time of the next attempt (see NextAttempt), or as failed after
// MaxAttempts; it is not an error of SendDue. SendDue stops at the first error of the outbox and when
// ctx is done, leaving the rest for the next call.
func (d *Dispatcher) SendDue(ctx context.Context) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	sent := 0
	for {
		due, err := d.outbox.Due(ctx, time.Now(), batchSize)
		if err != nil {
			return sent, fmt.Errorf("due mail: %w", err)
		}
		for _, m := range due {
			if err := ctx.Err(); err != nil {
				return sent, err
			}
			ok, err := d.send(ctx, m)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		// Every message of a batch is now sent or due later, so the next
		// batch holds other messages.
		if len(due) < batchSize {
			return sent, nil
		}
	}
}

// send tries m once and records the outcome. It reports whether m was sent;
// the error is one of the outbox or of ctx, never of the sender.
func (d *Dispatcher) send(ctx context.Context, m Message) (bool, error) {
	sendErr := d.sender.Send(ctx, m)
	if sendErr == nil {
		if err := d.outbox.MarkSent(ctx, m.ID, time.Now()); err != nil {
			return false, fmt.Errorf("mark mail %s sent: %w", m.ID, err)
		}
		return true, nil
	}
	if err := ctx.Err(); err != nil {
		// Stopped from outside: not an attempt that counts against m.
		return false, err
	}
	attempts := m.Attempts + 1
	reason := shortError(sendErr)
	var next time.Time
	if attempts < MaxAttempts {
		next = time.Now().Add(NextAttempt(attempts))
		d.log.WarnContext(ctx, "mail not sent, will retry",
			"id", m.ID, "attempts", attempts, "next_attempt", next, "error", reason)
	} else {
		d.log.ErrorContext(ctx, "mail not sent, giving up",
			"id", m.ID, "attempts", attempts, "error", reason)
	}
	if err := d.outbox.MarkFailed(ctx, m.ID, attempts, reason, next); err != nil {
		return false, fmt.Errorf("mark mail %s failed: %w", m.ID, err)
	}
	return false, nil
}

// shortError returns err's text on one line, at most maxErrorLen bytes long.
func shortError(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) <= maxErrorLen {
		return s
	}
	s = s[:maxErrorLen-len("…")]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
