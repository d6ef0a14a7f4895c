package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"vertaa/internal/mail"
)

// trustedCert is a certificate for 127.0.0.1 that the SMTP client trusts:
// TestMain makes it the only system root (SSL_CERT_FILE) before any TLS
// connection is verified. untrustedCert is one it does not trust.
var trustedCert, untrustedCert tls.Certificate

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "vertaa-mail-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	var certPEM []byte
	trustedCert, certPEM, err = selfSignedCert()
	if err == nil {
		untrustedCert, _, err = selfSignedCert()
	}
	if err == nil {
		roots := filepath.Join(dir, "roots.pem")
		err = os.WriteFile(roots, certPEM, 0o600)
		if err == nil {
			err = os.Setenv("SSL_CERT_FILE", roots)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "test certificates:", err)
		return 1
	}
	return m.Run()
}

// selfSignedCert returns a self-signed certificate for 127.0.0.1 and its PEM.
func selfSignedCert() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "vertaa test SMTP server"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// received is one message as the test server got it.
type received struct {
	from string
	to   []string
	data []byte
}

// testServer is an in-process SMTP server on 127.0.0.1.
type testServer struct {
	port int

	// Set before the first connection.
	user, pass string      // required AUTH PLAIN credentials, if user is set
	rcptErr    error       // the answer to every RCPT TO, if set
	hold       chan string // if set, DATA waits until it is closed

	mu   sync.Mutex
	msgs []received
}

// serverTLS says how the test server offers TLS: "none", "starttls" or "tls".
func startServer(t *testing.T, serverTLS string, cert tls.Certificate, setup func(*testServer)) *testServer {
	t.Helper()
	ts := &testServer{}
	if setup != nil {
		setup(ts)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.port = l.Addr().(*net.TCPAddr).Port
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &testSession{ts: ts}, nil
	}))
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}}
	switch serverTLS {
	case "none":
		srv.AllowInsecureAuth = true
	case "starttls":
		srv.TLSConfig = tlsConfig
	case "tls":
		l = tls.NewListener(l, tlsConfig)
	default:
		t.Fatalf("serverTLS %q", serverTLS)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		if ts.hold != nil {
			select {
			case <-ts.hold:
			default:
				close(ts.hold)
			}
		}
		_ = srv.Close()
		// Close does not know l if Serve has not started yet.
		_ = l.Close()
		<-done
	})
	return ts
}

func (ts *testServer) received() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

type testSession struct {
	ts     *testServer
	authed bool
	cur    received
}

func (s *testSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *testSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if s.ts.user == "" || user != s.ts.user || pass != s.ts.pass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.ts.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.cur = received{from: from}
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.ts.rcptErr != nil {
		return s.ts.rcptErr
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.ts.hold != nil {
		<-s.ts.hold
	}
	s.cur.data = data
	s.ts.mu.Lock()
	s.ts.msgs = append(s.ts.msgs, s.cur)
	s.ts.mu.Unlock()
	return nil
}

func (s *testSession) Reset()        { s.cur = received{} }
func (s *testSession) Logout() error { return nil }

const secretLink = "https://vertaa.example/kirjaudu?token=K7Q2-SECRET-LINK"

func testMessage() mail.Message {
	return mail.Message{
		ID:        "Q3WZK5JX2B7TGVY4N6HMDC0AFE",
		To:        "sarka.aaritalo@example.fi",
		ToName:    "Šárka Ääritalo",
		Subject:   "Tervetuloa, Šárka Ääritalo",
		Text:      "Hei Šárka Ääritalo,\n\ntervetuloa arvioimaan johtamisosaamistasi. Tämä rivi on tahallaan pitkä, jotta koodaus joutuu taittamaan sen useammalle riville.\n\n" + secretLink + "\n",
		CreatedAt: time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC),
	}
}

func newSender(t *testing.T, cfg mail.SMTPConfig) *mail.SMTPSender {
	t.Helper()
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.From == "" {
		cfg.From, cfg.FromName = "noreply@vertaa.example", "Vertaa – johtamisen itsearviointi"
	}
	s, err := mail.NewSMTPSender(cfg)
	if err != nil {
		t.Fatalf("NewSMTPSender: %v", err)
	}
	return s
}

func TestSMTPSender(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ts := startServer(t, "none", trustedCert, nil)
		s := newSender(t, mail.SMTPConfig{Port: ts.port, TLS: "none"})
		m := testMessage()
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatalf("Send: %v", err)
		}
		msgs := ts.received()
		if len(msgs) != 1 {
			t.Fatalf("server received %d messages, want 1", len(msgs))
		}
		got := msgs[0]
		if got.from != "noreply@vertaa.example" || len(got.to) != 1 || got.to[0] != m.To {
			t.Errorf("envelope from %q to %q", got.from, got.to)
		}
		checkMessage(t, got.data, m)
	})

	t.Run("OKAuthWithoutTLSOnLoopback", func(t *testing.T) {
		ts := startServer(t, "none", trustedCert, func(ts *testServer) { ts.user, ts.pass = "vertaa", "pa55-wörd" })
		s := newSender(t, mail.SMTPConfig{Port: ts.port, TLS: "none", Username: "vertaa", Password: "pa55-wörd"})
		if err := s.Send(context.Background(), testMessage()); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if n := len(ts.received()); n != 1 {
			t.Fatalf("server received %d messages, want 1", n)
		}
	})

	for _, mode := range []string{"starttls", "tls"} {
		t.Run("OKAuth_"+mode, func(t *testing.T) {
			ts := startServer(t, mode, trustedCert, func(ts *testServer) { ts.user, ts.pass = "vertaa", "s3cret" })
			s := newSender(t, mail.SMTPConfig{Port: ts.port, TLS: mode, Username: "vertaa", Password: "s3cret"})
			m := testMessage()
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			msgs := ts.received()
			if len(msgs) != 1 {
				t.Fatalf("server received %d messages, want 1", len(msgs))
			}
			checkMessage(t, msgs[0].data, m)
		})

		t.Run("ErrUntrustedCertificate_"+mode, func(t *testing.T) {
			ts := startServer(t, mode, untrustedCert, func(ts *testServer) { ts.user, ts.pass = "vertaa", "s3cret" })
			s := newSender(t, mail.SMTPConfig{Port: ts.port, TLS: mode, Username: "vertaa", Password: "s3cret"})
			err := s.Send(context.Background(), testMessage())
			if err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Fatalf("Send = %v, want a certificate error", err)
			}
			checkSafeError(t, err, "s3cret")
			if n := len(ts.received()); n != 0 {
				t.Errorf("server received %d messages over an untrusted connection", n)
			}
		})
	}

	t.Run("ErrNoSTARTTLS", func(t *testing.T) {
		ts := startServer(t, "none", trustedCert, nil)
		s := newSender(t, mail.SMTPConfig{Port: ts.port, TLS: "starttls"})
		err := s.Send(context.Background(), testMessage())
		if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Fatalf("Send = %v, want an error about STARTTLS", err)
		}
		checkSafeError(t, err, "")
		if n := len(ts.received()); n != 0 {
			t.Errorf("server received %d messages without TLS", n)
		}
	})

	t.Run("Err550", func(t *testing.T) {
		ts := startServer(t, "none", trustedCert, func(ts *testServer) {
			ts.rcptErr = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
		})
		s := newSender(t, mail.SMTPConfig{Port: ts.port, TLS: "none"})
		err := s.Send(context.Background(), testMessage())
		if err == nil {
			t.Fatal("Send succeeded against a server answering 550")
		}
		if want := "smtp: RCPT TO: 550 5.1.1 mailbox unavailable"; err.Error() != want {
			t.Errorf("Send = %q, want %q", err, want)
		}
		checkSafeError(t, err, "")
	})

	t.Run("ErrWrongPassword", func(t *testing.T) {
		ts := startServer(t, "none", trustedCert, func(ts *testServer) { ts.user, ts.pass = "vertaa", "right" })
		s := newSender(t, mail.SMTPConfig{Port: ts.port, TLS: "none", Username: "vertaa", Password: "wrong-Pa55"})
		err := s.Send(context.Background(), testMessage())
		if err == nil || !strings.Contains(err.Error(), "535") {
			t.Fatalf("Send = %v, want a 535 error", err)
		}
		checkSafeError(t, err, "wrong-Pa55")
	})

	t.Run("ErrConnectionRefused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		s := newSender(t, mail.SMTPConfig{Port: port, TLS: "none"})
		err = s.Send(context.Background(), testMessage())
		if err == nil || !strings.Contains(err.Error(), "cannot connect") {
			t.Fatalf("Send = %v, want a connection error", err)
		}
		checkSafeError(t, err, "")
	})

	t.Run("ErrInvalidRecipient", func(t *testing.T) {
		ts := startServer(t, "none", trustedCert, nil)
		s := newSender(t, mail.SMTPConfig{Port: ts.port, TLS: "none"})
		m := testMessage()
		m.To = "Šárka <sarka@example.fi>"
		if err := s.Send(context.Background(), m); err == nil || !strings.Contains(err.Error(), "recipient") {
			t.Fatalf("Send = %v, want an invalid recipient error", err)
		}
	})

	t.Run("ErrCancelled", func(t *testing.T) {
		ts := startServer(t, "none", trustedCert, func(ts *testServer) { ts.hold = make(chan string) })
		s := newSender(t, mail.SMTPConfig{Port: ts.port, TLS: "none"})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := s.Send(ctx, testMessage())
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Send = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Send took %v after its context ended", d)
		}
	})
}

// checkMessage checks that data is m as plain UTF-8 text mail.
func checkMessage(t *testing.T, data []byte, m mail.Message) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse received message: %v\n%s", err, data)
	}
	h := msg.Header
	from, err := netmail.ParseAddress(h.Get("From"))
	if err != nil || from.Address != "noreply@vertaa.example" || from.Name != "Vertaa – johtamisen itsearviointi" {
		t.Errorf("From = %q (%+v, %v)", h.Get("From"), from, err)
	}
	to, err := netmail.ParseAddress(h.Get("To"))
	if err != nil || to.Address != m.To || to.Name != m.ToName {
		t.Errorf("To = %q (%+v, %v)", h.Get("To"), to, err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("Subject = %q, decoded %q, want %q", h.Get("Subject"), subject, m.Subject)
	}
	if date, err := h.Date(); err != nil || !date.Equal(m.CreatedAt) {
		t.Errorf("Date = %q, want %v", h.Get("Date"), m.CreatedAt)
	}
	if id, want := h.Get("Message-Id"), "<"+m.ID+"@vertaa.example>"; id != want {
		t.Errorf("Message-ID = %q, want %q", id, want)
	}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mediaType != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type = %q, want text/plain; charset=UTF-8", h.Get("Content-Type"))
	}
	var body io.Reader = msg.Body
	switch enc := strings.ToLower(h.Get("Content-Transfer-Encoding")); enc {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "", "7bit", "8bit":
	default:
		t.Fatalf("Content-Transfer-Encoding %q", enc)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(string(text), "\r\n", "\n")
	if strings.TrimRight(got, "\n") != strings.TrimRight(m.Text, "\n") {
		t.Errorf("body = %q, want %q", got, m.Text)
	}
	if !strings.Contains(got, "Šárka Ääritalo") {
		t.Errorf("body lacks the UTF-8 name: %q", got)
	}
}

// checkSafeError checks that err is short, on one line, and contains
// neither the body nor the password.
func checkSafeError(t *testing.T, err error, password string) {
	t.Helper()
	s := err.Error()
	t.Logf("error: %s", s)
	if len(s) > 200 || strings.ContainsAny(s, "\r\n") {
		t.Errorf("error is not one short line: %q", s)
	}
	if strings.Contains(s, secretLink) || strings.Contains(s, "tervetuloa") {
		t.Errorf("error contains the body: %q", s)
	}
	if password != "" && strings.Contains(s, password) {
		t.Errorf("error contains the password: %q", s)
	}
}

func TestNewSMTPSender(t *testing.T) {
	ok := mail.SMTPConfig{Host: "smtp.example.fi", From: "noreply@example.fi"}
	for _, tc := range []struct {
		name   string
		change func(*mail.SMTPConfig)
		field  string // named in the error; "" means valid
	}{
		{"OKDefaults", func(*mail.SMTPConfig) {}, ""},
		{"OKImplicitTLS", func(c *mail.SMTPConfig) { c.TLS, c.Port = "TLS", 465 }, ""},
		{"OKAuth", func(c *mail.SMTPConfig) { c.Username, c.Password = "u", "p" }, ""},
		{"OKNoneOnLocalhost", func(c *mail.SMTPConfig) { c.Host, c.TLS = "localhost", "none" }, ""},
		{"OKNoneOnIPv6Loopback", func(c *mail.SMTPConfig) { c.Host, c.TLS = "::1", "none" }, ""},
		{"ErrHostEmpty", func(c *mail.SMTPConfig) { c.Host = "" }, "Host"},
		{"ErrHostWithPort", func(c *mail.SMTPConfig) { c.Host = "smtp.example.fi:587" }, "Host"},
		{"ErrHostURL", func(c *mail.SMTPConfig) { c.Host = "smtp://smtp.example.fi" }, "Host"},
		{"ErrPort", func(c *mail.SMTPConfig) { c.Port = 70000 }, "Port"},
		{"ErrTLSUnknown", func(c *mail.SMTPConfig) { c.TLS = "ssl" }, "TLS"},
		{"ErrNoneRemote", func(c *mail.SMTPConfig) { c.TLS = "none" }, "TLS"},
		{"ErrFromEmpty", func(c *mail.SMTPConfig) { c.From = "" }, "From"},
		{"ErrFromInvalid", func(c *mail.SMTPConfig) { c.From = "noreply" }, "From"},
		{"ErrFromWithName", func(c *mail.SMTPConfig) { c.From = "Vertaa <noreply@example.fi>" }, "From"},
		{"ErrFromNameLineBreak", func(c *mail.SMTPConfig) { c.FromName = "Vertaa\r\nBcc: x@example.com" }, "FromName"},
		{"ErrPasswordMissing", func(c *mail.SMTPConfig) { c.Username = "u" }, "Password"},
		{"ErrUsernameMissing", func(c *mail.SMTPConfig) { c.Password = "hunter2-secret" }, "Username"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.change(&cfg)
			s, err := mail.NewSMTPSender(cfg)
			if tc.field == "" {
				if err != nil || s == nil {
					t.Fatalf("NewSMTPSender(%+v) = %v", cfg, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("NewSMTPSender(%+v) succeeded", cfg)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %q does not name %s", err, tc.field)
			}
			if cfg.Password != "" && strings.Contains(err.Error(), cfg.Password) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}
