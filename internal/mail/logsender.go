package mail

import (
	"context"
	"log/slog"
)

// LogSender is used when no SMTP server is configured: it writes one log line per message with the
// recipient and subject only (never the body: it may hold a single-use link), saying that the message
// can be read on the admin outbox page, and reports success.
type LogSender struct{ Log *slog.Logger }

// Send logs that m was not sent by e-mail and returns nil.
func (s LogSender) Send(ctx context.Context, m Message) error {
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	log.InfoContext(ctx, "no SMTP server configured: e-mail not sent; read it on the admin outbox page",
		"id", m.ID, "to", m.To, "subject", m.Subject)
	return nil
}
