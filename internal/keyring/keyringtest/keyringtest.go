// Package keyringtest gives tests an in-memory keyring.Store.
package keyringtest

import (
	"context"
	"sync"
	"time"

	"vertaa/internal/keyring"
)

// Store is an in-memory keyring.Store.
type Store struct {
	mu   sync.Mutex
	keys []keyring.StoredKey
}

var _ keyring.Store = (*Store)(nil)

// SigningKeys returns the keys of a purpose, newest first.
func (s *Store) SigningKeys(_ context.Context, p string) ([]keyring.StoredKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []keyring.StoredKey
	for i := len(s.keys) - 1; i >= 0; i-- {
		if s.keys[i].Purpose == p {
			out = append(out, s.keys[i])
		}
	}
	return out, nil
}

// RetireSigningKey marks a key retired.
func (s *Store) RetireSigningKey(_ context.Context, id string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.keys {
		if s.keys[i].ID == id {
			s.keys[i].Retired = at
		}
	}
	return nil
}

// AddSigningKey adds a key.
func (s *Store) AddSigningKey(_ context.Context, k keyring.StoredKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, k)
	return nil
}

// Master returns a master key with a fresh random secret.
func Master() *keyring.Master {
	m, err := keyring.New(keyring.NewSecret())
	if err != nil {
		panic(err)
	}
	return m
}

// Keys returns every stored key, oldest first.
func (s *Store) Keys() []keyring.StoredKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]keyring.StoredKey(nil), s.keys...)
}
