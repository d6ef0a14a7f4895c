package mail_test

import (
	"testing"
	"time"

	"vertaa/internal/mail"
)

func TestNextAttempt(t *testing.T) {
	want := []time.Duration{
		time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	}
	for i, w := range want {
		if got := mail.NextAttempt(i + 1); got != w {
			t.Errorf("NextAttempt(%d) = %v, want %v", i+1, got, w)
		}
	}
	// Every failure before the last one has a delay of its own.
	if len(want) != mail.MaxAttempts-1 {
		t.Errorf("%d delays for MaxAttempts %d", len(want), mail.MaxAttempts)
	}
	for _, tc := range []struct {
		failed int
		want   time.Duration
	}{{-1, time.Minute}, {0, time.Minute}, {8, 12 * time.Hour}, {100, 12 * time.Hour}} {
		if got := mail.NextAttempt(tc.failed); got != tc.want {
			t.Errorf("NextAttempt(%d) = %v, want %v", tc.failed, got, tc.want)
		}
	}
}
