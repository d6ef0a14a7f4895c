package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"vertaa/internal/mail"
)

func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	s := mail.LogSender{Log: slog.New(slog.NewTextHandler(&buf, nil))}
	m := mail.Message{
		ID:      "M1",
		To:      "sarka@example.fi",
		Subject: "Kirjautumislinkki",
		Text:    "Avaa https://vertaa.example/login?token=SECRET-TOKEN",
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	out := buf.String()
	if n := strings.Count(out, "\n"); n != 1 {
		t.Errorf("%d log lines, want 1:\n%s", n, out)
	}
	for _, want := range []string{"sarka@example.fi", "Kirjautumislinkki", "outbox"} {
		if !strings.Contains(out, want) {
			t.Errorf("log line lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "SECRET-TOKEN") {
		t.Errorf("log line contains the body:\n%s", out)
	}
}
