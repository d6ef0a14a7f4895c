package report

import (
	"context"

	"vertaa/internal/apperr"
)

// Limiter bounds how many reports are made at once, so that a burst of
// downloads cannot take the server's memory: each report takes about
// 10 MB while it is made (docs/benchmarks.md).
type Limiter struct{ slots chan struct{} }

// NewLimiter lets n reports be made at once; n below 1 is taken as 1.
func NewLimiter(n int) *Limiter { return &Limiter{slots: make(chan struct{}, max(1, n))} }

// Do runs render once a slot is free. When ctx ends first, render is not
// run and the error asks the user to try again in a moment.
func (l *Limiter) Do(ctx context.Context, render func() error) error {
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return apperr.Keyed(apperr.TooMany, "report.busy", "too many reports are being made at once")
	}
	defer func() { <-l.slots }()
	return render()
}
