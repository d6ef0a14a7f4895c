// Package keyring holds the instance's master secret and what is derived
// from it: keys for purposes such as CSRF tokens, and the sealing of
// private signing keys before they are stored in the database. The master
// secret itself is never stored in the database, so that a copy of the
// database alone does not give away the signing keys.
package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// MinSecretLength is the shortest master secret accepted, in bytes.
const MinSecretLength = 32

// Master is the instance's master secret.
type Master struct {
	secret []byte
}

// New returns a Master for secret, which must be at least
// MinSecretLength bytes of randomness.
func New(secret []byte) (*Master, error) {
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("the secret key must be at least %d bytes, got %d", MinSecretLength, len(secret))
	}
	return &Master{secret: append([]byte(nil), secret...)}, nil
}

// NewSecret returns a fresh random master secret.
func NewSecret() []byte {
	b := make([]byte, MinSecretLength)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return b
}

// Derive returns a 32-byte key for one purpose (such as "csrf"). Keys for
// different purposes are independent.
func (m *Master) Derive(purpose string) []byte {
	k, err := hkdf.Key(sha256.New, m.secret, nil, "vertaa:"+purpose, 32)
	if err != nil {
		panic(err) // only for lengths hkdf cannot produce; 32 is fine
	}
	return k
}

// Seal encrypts and authenticates plaintext for a purpose with
// AES-256-GCM; the purpose is bound into the ciphertext, so that a value
// sealed for one purpose does not open for another.
func (m *Master) Seal(purpose string, plaintext []byte) []byte {
	aead := m.aead(purpose)
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plaintext, []byte(purpose))
}

// ErrOpen means that a sealed value was tampered with, sealed for another
// purpose, or sealed with another master secret.
var ErrOpen = errors.New("keyring: cannot open sealed value (wrong secret key or tampered data)")

// Open decrypts a value sealed for purpose.
func (m *Master) Open(purpose string, sealed []byte) ([]byte, error) {
	aead := m.aead(purpose)
	if len(sealed) < aead.NonceSize() {
		return nil, ErrOpen
	}
	pt, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(purpose))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

func (m *Master) aead(purpose string) cipher.AEAD {
	block, err := aes.NewCipher(m.Derive("seal:" + purpose))
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}
