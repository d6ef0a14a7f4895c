// Package mail delivers e-mail through an outbox: callers put messages into
// the Outbox (internal/store implements it), and a Dispatcher hands the due
// ones to a Sender, retrying failures with a growing delay. A message is sent
// at least once: a crash between a successful send and its recording sends
// it again.
package mail

import (
	"context"
	"time"
)

// Message is one plain-text e-mail to one recipient.
type Message struct {
	ID        string
	To        string // address
	ToName    string
	Subject   string
	Text      string // plain-text body, UTF-8
	CreatedAt time.Time
	Attempts  int       // failed attempts so far
	SentAt    time.Time // zero until sent
	Failed    bool      // given up after MaxAttempts
	LastError string    // short, safe to show to an admin; never the body
}

// Outbox is where messages wait; internal/store implements it.
type Outbox interface {
	// Due returns up to limit unsent, not failed messages whose next attempt time is not after now,
	// oldest first.
	Due(ctx context.Context, now time.Time, limit int) ([]Message, error)
	MarkSent(ctx context.Context, id string, at time.Time) error
	// MarkFailed records a failed attempt; next is the time of the next attempt, or zero when giving up.
	MarkFailed(ctx context.Context, id string, attempts int, lastError string, next time.Time) error
}

// Sender delivers one message. The text of an error it returns is stored as
// the message's LastError, so it must be short and must not contain the body
// or any credential.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// MaxAttempts is how often a message is tried before it is marked failed.
const MaxAttempts = 8

// retryDelays[n-1] is the delay after the nth failed attempt.
var retryDelays = [...]time.Duration{
	time.Minute,
	5 * time.Minute,
	15 * time.Minute,
	time.Hour,
	3 * time.Hour,
	6 * time.Hour,
	12 * time.Hour,
}

// NextAttempt returns the delay before attempt n+1 after n failed attempts: 1m, 5m, 15m, 1h, 3h, 6h, 12h.
// Fewer than one failure counts as one; more than seven as seven.
func NextAttempt(failed int) time.Duration {
	return retryDelays[min(max(failed, 1), len(retryDelays))-1]
}
