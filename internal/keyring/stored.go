package keyring

import (
	"context"
	"time"
)

// StoredKey is a signing key as kept in the database: the private part
// sealed with the master secret, the public part in the clear.
type StoredKey struct {
	ID      string // the key id ("kid")
	Purpose string // "session", "badge", ...
	Alg     string // JOSE algorithm: "EdDSA", "ES256"
	Sealed  []byte // the private key, sealed for Purpose
	Public  []byte // the public key, encoded for Alg
	Created time.Time
	// Retired is when the key stopped signing; its public part still
	// verifies what it signed. Zero while the key is current.
	Retired time.Time
}

// Store keeps signing keys.
type Store interface {
	// SigningKeys returns the keys of a purpose, newest first.
	SigningKeys(ctx context.Context, purpose string) ([]StoredKey, error)
	// AddSigningKey stores a new key.
	AddSigningKey(ctx context.Context, k StoredKey) error
	// RetireSigningKey marks a key as no longer signing; its public part
	// stays published.
	RetireSigningKey(ctx context.Context, id string, at time.Time) error
}
