package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// The values of SMTPConfig.TLS.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which the server must offer
	TLSImplicit = "tls"      // TLS from the first byte (usually port 465)
	TLSNone     = "none"     // no encryption; only for a relay on localhost
)

// sendTimeout bounds connecting and each SMTP command of one Send.
const sendTimeout = 30 * time.Second

// SMTPConfig says how to reach the SMTP server that sends vertaa's mail.
type SMTPConfig struct {
	Host     string
	Port     int // 0 means 587 for starttls, 465 for tls and 25 for none
	Username string
	Password string
	From     string // address
	FromName string
	// TLS is "starttls" (required STARTTLS; default), "tls" (implicit TLS, port 465) or "none" (only for a relay on localhost).
	TLS string
}

// SMTPSender sends messages through an SMTP server, one connection per
// message, as plain-text UTF-8 mail.
type SMTPSender struct {
	cfg    SMTPConfig // validated, defaults applied
	domain string     // of cfg.From, for Message-IDs
}

// NewSMTPSender validates cfg and returns a sender for it. The error names
// every field that is wrong; it never contains the password.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	cfg.Host = strings.TrimSpace(cfg.Host)
	cfg.TLS = strings.ToLower(strings.TrimSpace(cfg.TLS))
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	var problems []string
	switch {
	case cfg.Host == "":
		problems = append(problems, "Host is empty")
	case hasPort(cfg.Host) || strings.ContainsAny(cfg.Host, " /@"):
		problems = append(problems, fmt.Sprintf("Host %q: give the server's name only; the port goes into Port", cfg.Host))
	}
	switch cfg.TLS {
	case TLSStartTLS, TLSImplicit:
	case TLSNone:
		if cfg.Host != "" && !isLoopback(cfg.Host) {
			problems = append(problems, fmt.Sprintf("TLS %q is only allowed for a relay on localhost, not on %q; use %q or %q",
				TLSNone, cfg.Host, TLSStartTLS, TLSImplicit))
		}
	default:
		problems = append(problems, fmt.Sprintf("TLS %q: want %q, %q or %q", cfg.TLS, TLSStartTLS, TLSImplicit, TLSNone))
	}
	switch {
	case cfg.Port == 0:
		cfg.Port = map[string]int{TLSStartTLS: 587, TLSImplicit: 465, TLSNone: 25}[cfg.TLS]
	case cfg.Port < 0 || cfg.Port > 65535:
		problems = append(problems, fmt.Sprintf("Port %d: want 1 to 65535", cfg.Port))
	}
	from, err := netmail.ParseAddress(cfg.From)
	switch {
	case cfg.From == "":
		problems = append(problems, "From is empty")
	case err != nil || from.Name != "" || from.Address != cfg.From:
		problems = append(problems, fmt.Sprintf("From %q: want a bare address such as noreply@example.fi (the name goes into FromName)", cfg.From))
	}
	if strings.ContainsAny(cfg.FromName, "\r\n") {
		problems = append(problems, "FromName contains a line break")
	}
	switch {
	case cfg.Username != "" && cfg.Password == "":
		problems = append(problems, "Password is empty but Username is set")
	case cfg.Username == "" && cfg.Password != "":
		problems = append(problems, "Username is empty but Password is set")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("smtp config: %s", strings.Join(problems, "; "))
	}
	return &SMTPSender{cfg: cfg, domain: cfg.From[strings.LastIndexByte(cfg.From, '@')+1:]}, nil
}

// Send delivers m in one SMTP session. Cancelling ctx aborts the session;
// each SMTP command must also answer within 30 seconds. The error is short
// and safe to store: the server's reply or the kind of failure, never the
// body or the credentials.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg, err := s.compose(m)
	if err != nil {
		return err
	}
	from, err := msg.GetSender(false)
	if err != nil {
		return errors.New("mail: no sender address")
	}
	rcpts, err := msg.GetRecipients()
	if err != nil {
		return errors.New("mail: no recipient address")
	}

	// The connection is dialled here rather than by go-mail so that it can
	// be closed when ctx is done and is closed in every case.
	var conn net.Conn
	stop := func() bool { return false }
	defer func() {
		stop()
		if conn != nil {
			_ = conn.Close()
		}
	}()
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		var c net.Conn
		var err error
		if s.cfg.TLS == TLSImplicit {
			d := &tls.Dialer{Config: s.tlsConfig()}
			c, err = d.DialContext(dctx, network, addr)
		} else {
			var d net.Dialer
			c, err = d.DialContext(dctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		conn = c
		stop = context.AfterFunc(ctx, func() { _ = c.Close() })
		return c, nil
	}
	client, err := gomail.NewClient(s.cfg.Host, s.options(dial)...)
	if err != nil {
		return fmt.Errorf("smtp: set up client: %s", s.safe(err))
	}
	c, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return s.failure(ctx, "", err)
	}
	if err := c.Mail(from); err != nil {
		return s.failure(ctx, "MAIL FROM", err)
	}
	for _, rcpt := range rcpts {
		if err := c.Rcpt(rcpt); err != nil {
			return s.failure(ctx, "RCPT TO", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return s.failure(ctx, "DATA", err)
	}
	if _, err := msg.WriteTo(w); err != nil {
		return s.failure(ctx, "DATA", err)
	}
	if err := w.Close(); err != nil {
		return s.failure(ctx, "DATA", err)
	}
	// The server has taken the message; an unclean goodbye changes nothing.
	_ = c.Quit()
	return nil
}

// compose builds the MIME message for m: plain text, UTF-8, with a Date of
// m's creation and a Message-ID derived from m's id, so that a retried
// message keeps its identity.
func (s *SMTPSender) compose(m Message) (*gomail.Msg, error) {
	to, err := netmail.ParseAddress(m.To)
	if err != nil || to.Address != m.To {
		return nil, errors.New("mail: invalid recipient address")
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(&netmail.Address{Name: s.cfg.FromName, Address: s.cfg.From})
	msg.ToMailAddress(&netmail.Address{Name: m.ToName, Address: to.Address})
	msg.Subject(m.Subject)
	date := m.CreatedAt
	if date.IsZero() {
		date = time.Now()
	}
	msg.SetDateWithValue(date)
	if isIDSafe(m.ID) {
		msg.SetMessageIDWithValue(m.ID + "@" + s.domain)
	} else {
		msg.SetMessageID()
	}
	// RFC 3834: tells out-of-office responders not to answer.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	return msg, nil
}

// options returns the go-mail client options for one session.
func (s *SMTPSender) options(dial gomail.DialContextFunc) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(sendTimeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(s.tlsConfig()),
	}
	if s.cfg.TLS == TLSStartTLS {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	} else {
		// Implicit TLS is set up by dial; none has no TLS at all.
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.Username != "" {
		mechs := []gomail.SMTPAuthType{gomail.SMTPAuthPlain, gomail.SMTPAuthLogin}
		if s.cfg.TLS == TLSNone {
			// Only allowed on a loopback address, checked by NewSMTPSender.
			mechs = []gomail.SMTPAuthType{gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc}
		}
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(mechs...),
			gomail.WithUsername(s.cfg.Username),
			gomail.WithPassword(s.cfg.Password))
	}
	return opts
}

func (s *SMTPSender) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
}

// failure turns an error of the SMTP session into a short one: "smtp: ",
// the command that failed if known, and the server's reply or the kind of
// failure.
func (s *SMTPSender) failure(ctx context.Context, command string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("smtp: %w", ctx.Err())
	}
	var detail string
	if reply, ok := errors.AsType[*textproto.Error](err); ok {
		detail = fmt.Sprintf("%d %s", reply.Code, s.safe(errors.New(reply.Msg)))
		if command == "" && strings.Contains(err.Error(), "SMTP AUTH failed") {
			command = "AUTH"
		}
	} else if strings.Contains(err.Error(), "does not support STARTTLS") {
		detail = "the server does not offer STARTTLS"
	} else if certErr, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		reason, _, _ := strings.Cut(certErr.Err.Error(), " (")
		detail = "server certificate not accepted: " + strings.TrimPrefix(reason, "x509: ")
	} else if netErr, ok := errors.AsType[net.Error](err); ok && netErr.Timeout() {
		detail = "timed out"
	} else if dnsErr, ok := errors.AsType[*net.DNSError](err); ok {
		detail = "cannot resolve " + dnsErr.Name
	} else if opErr, ok := errors.AsType[*net.OpError](err); ok && opErr.Op == "dial" {
		detail = fmt.Sprintf("cannot connect to %s: %s", net.JoinHostPort(s.cfg.Host, fmt.Sprint(s.cfg.Port)), s.safe(opErr.Err))
	} else {
		detail = s.safe(err)
	}
	if command != "" {
		return fmt.Errorf("smtp: %s: %s", command, detail)
	}
	return fmt.Errorf("smtp: %s", detail)
}

// safe returns err's text on one line without the password.
func (s *SMTPSender) safe(err error) string {
	text := strings.Join(strings.Fields(err.Error()), " ")
	if s.cfg.Password != "" {
		text = strings.ReplaceAll(text, s.cfg.Password, "***")
	}
	return text
}

// hasPort reports whether host looks like host:port or [v6]:port.
func hasPort(host string) bool {
	_, _, err := net.SplitHostPort(host)
	return err == nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isIDSafe reports whether id can be the left part of a Message-ID as it
// is: a non-empty string of ASCII letters, digits, '-' and '_'.
func isIDSafe(id string) bool {
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		default:
			return false
		}
	}
	return id != ""
}
