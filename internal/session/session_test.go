package session

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"vertaa/internal/apperr"
	"vertaa/internal/keyring"
	"vertaa/internal/keyring/keyringtest"
)

const issuer = "https://vertaa.example.fi"

func newManager(t *testing.T, store keyring.Store, master *keyring.Master) *Manager {
	t.Helper()
	m, err := New(context.Background(), store, master, issuer)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func master(t *testing.T) *keyring.Master {
	t.Helper()
	m, err := keyring.New(keyring.NewSecret())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestIssueVerify(t *testing.T) {
	store := &keyringtest.Store{}
	mk := master(t)
	m := newManager(t, store, mk)
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	tok, err := m.Issue("user-1", "sess-1", exp)
	if err != nil {
		t.Fatal(err)
	}
	c, err := m.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.UserID != "user-1" || c.SessionID != "sess-1" || !c.ExpiresAt.Equal(exp) {
		t.Fatalf("claims = %+v", c)
	}
	if len(store.Keys()) != 1 || strings.Contains(string(store.Keys()[0].Sealed), string(m.signing.key.Seed())) {
		t.Fatalf("the key must be stored once, sealed")
	}

	// A second instance on the same store uses the same key and verifies
	// the first one's tokens.
	other := newManager(t, store, mk)
	if len(store.Keys()) != 1 {
		t.Fatalf("a second instance created another key")
	}
	if _, err := other.Verify(context.Background(), tok); err != nil {
		t.Fatalf("second instance: %v", err)
	}

	// Without the master secret the stored key cannot be used.
	if _, err := New(context.Background(), store, master(t), issuer); err == nil {
		t.Fatal("a manager with another master secret started")
	}
}

// TestVerifyRefuses shows that every kind of forged or stale token is
// refused with Unauthorized.
func TestVerifyRefuses(t *testing.T) {
	store := &keyringtest.Store{}
	m := newManager(t, store, master(t))
	now := time.Now()
	good := jwt.RegisteredClaims{
		Issuer: issuer, Subject: "user-1", Audience: jwt.ClaimStrings{Audience},
		ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)), IssuedAt: jwt.NewNumericDate(now), ID: "sess-1",
	}
	sign := func(method jwt.SigningMethod, key any, claims jwt.RegisteredClaims, header map[string]any) string {
		t.Helper()
		tok := jwt.NewWithClaims(method, claims)
		tok.Header["kid"] = m.signing.id
		tok.Header["typ"] = TokenType
		for k, v := range header {
			tok.Header[k] = v
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	with := func(f func(*jwt.RegisteredClaims)) jwt.RegisteredClaims {
		c := good
		f(&c)
		return c
	}
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub := []byte(m.public[m.signing.id])
	valid := sign(algorithm, m.signing.key, good, nil)
	parts := strings.Split(valid, ".")

	cases := map[string]string{
		"alg none":              sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good, nil),
		"HS256 with public key": sign(jwt.SigningMethodHS256, pub, good, nil),
		"ES256 (a badge key)":   sign(jwt.SigningMethodES256, ecKey, good, nil),
		"another Ed25519 key":   sign(algorithm, otherKey, good, nil),
		"unknown key id":        sign(algorithm, m.signing.key, good, map[string]any{"kid": "session-nope"}),
		"wrong type":            sign(algorithm, m.signing.key, good, map[string]any{"typ": "JWT"}),
		"wrong audience":        sign(algorithm, m.signing.key, with(func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"vertaa:badge"} }), nil),
		"no audience":           sign(algorithm, m.signing.key, with(func(c *jwt.RegisteredClaims) { c.Audience = nil }), nil),
		"wrong issuer":          sign(algorithm, m.signing.key, with(func(c *jwt.RegisteredClaims) { c.Issuer = "https://evil.example" }), nil),
		"expired":               sign(algorithm, m.signing.key, with(func(c *jwt.RegisteredClaims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Minute)) }), nil),
		"no expiry":             sign(algorithm, m.signing.key, with(func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil }), nil),
		"issued in the future":  sign(algorithm, m.signing.key, with(func(c *jwt.RegisteredClaims) { c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour)) }), nil),
		"no session id":         sign(algorithm, m.signing.key, with(func(c *jwt.RegisteredClaims) { c.ID = "" }), nil),
		"tampered payload":      parts[0] + "." + strings.TrimRight(parts[1], "A") + "B." + parts[2],
		"garbage":               "not.a.token",
		"empty":                 "",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := m.Verify(context.Background(), tok)
			if apperr.KindOf(err) != apperr.Unauthorized {
				t.Fatalf("got %v, want Unauthorized", err)
			}
			if msg := apperr.MessageOf(err); msg != "not signed in" {
				t.Fatalf("message %q tells the client why", msg)
			}
		})
	}
	if _, err := m.Verify(context.Background(), valid); err != nil {
		t.Fatalf("the untouched token: %v", err)
	}
}

// FuzzVerify feeds arbitrary cookie values to the token check: it must
// never panic, and nothing but a token it issued may pass.
func FuzzVerify(f *testing.F) {
	store := &keyringtest.Store{}
	m, err := New(context.Background(), store, func() *keyring.Master { k, _ := keyring.New(keyring.NewSecret()); return k }(), issuer)
	if err != nil {
		f.Fatal(err)
	}
	good, err := m.Issue("user-1", "sess-1", time.Now().Add(time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("")
	f.Add("a.b.c")
	f.Add(strings.Repeat("eyJ", 100))
	f.Fuzz(func(t *testing.T, token string) {
		c, err := m.Verify(context.Background(), token)
		if err == nil && (token != good || c.UserID != "user-1") {
			t.Fatalf("a token it did not issue passed: %q", token)
		}
		if err != nil && apperr.KindOf(err) != apperr.Unauthorized {
			t.Fatalf("error %v is not Unauthorized", err)
		}
	})
}
