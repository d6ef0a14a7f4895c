package keyring_test

import (
	"bytes"
	"errors"
	"testing"

	"vertaa/internal/keyring"
)

func TestNew(t *testing.T) {
	if _, err := keyring.New(make([]byte, 31)); err == nil {
		t.Fatal("a 31-byte secret was accepted")
	}
	if _, err := keyring.New(keyring.NewSecret()); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(keyring.NewSecret(), keyring.NewSecret()) {
		t.Fatal("two new secrets are equal")
	}
}

func TestDerive(t *testing.T) {
	secret := keyring.NewSecret()
	m1, _ := keyring.New(secret)
	m2, _ := keyring.New(secret)
	other, _ := keyring.New(keyring.NewSecret())
	if !bytes.Equal(m1.Derive("csrf"), m2.Derive("csrf")) {
		t.Error("the same secret and purpose gave different keys")
	}
	if bytes.Equal(m1.Derive("csrf"), m1.Derive("email")) {
		t.Error("two purposes gave the same key")
	}
	if bytes.Equal(m1.Derive("csrf"), other.Derive("csrf")) {
		t.Error("two secrets gave the same key")
	}
	if len(m1.Derive("x")) != 32 {
		t.Error("derived key is not 32 bytes")
	}
}

func TestSealOpen(t *testing.T) {
	m, _ := keyring.New(keyring.NewSecret())
	plain := []byte("ed25519 seed: 0123456789abcdef0123456789abcdef")
	sealed := m.Seal("session-key", plain)
	if bytes.Contains(sealed, plain) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := m.Open("session-key", sealed)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _ := keyring.New(keyring.NewSecret())
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	for name, open := range map[string]func() ([]byte, error){
		"other purpose": func() ([]byte, error) { return m.Open("badge-key", sealed) },
		"other secret":  func() ([]byte, error) { return other.Open("session-key", sealed) },
		"tampered":      func() ([]byte, error) { return m.Open("session-key", tampered) },
		"too short":     func() ([]byte, error) { return m.Open("session-key", sealed[:5]) },
	} {
		if _, err := open(); !errors.Is(err, keyring.ErrOpen) {
			t.Errorf("%s: got %v, want ErrOpen", name, err)
		}
	}
}
