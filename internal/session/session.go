// Package session issues and checks the tokens that keep a user signed
// in: JWTs signed with an Ed25519 key that serves no other purpose. A
// token alone is not enough: the caller also checks the server-side
// session record, so that signing out, changing the password or disabling
// a user ends sessions at once.
package session

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"vertaa/internal/apperr"
	"vertaa/internal/keyring"
)

// Audience is the audience of session tokens; no other token of vertaa
// carries it.
const Audience = "vertaa:session"

// TokenType is the JOSE "typ" header of session tokens.
const TokenType = "vertaa-session+jwt"

// purpose is the key purpose of session signing keys.
const purpose = "session"

// algorithm is the only signing algorithm a session token may use.
var algorithm = jwt.SigningMethodEdDSA

// Claims are what a valid session token says.
type Claims struct {
	UserID    string
	SessionID string
	ExpiresAt time.Time
}

// Manager signs and verifies session tokens.
type Manager struct {
	issuer string
	store  keyring.Store
	master *keyring.Master
	now    func() time.Time

	mu         sync.RWMutex
	signing    signingKey
	public     map[string]ed25519.PublicKey // by key id
	lastReload time.Time
}

// reloadEvery limits how often an unknown key id makes the manager read
// the keys again, so that forged key ids cannot flood the database.
const reloadEvery = 10 * time.Second

type signingKey struct {
	id  string
	key ed25519.PrivateKey
}

// New loads the session keys from the store, creating the first one if
// there is none. issuer is the instance's public URL.
func New(ctx context.Context, store keyring.Store, master *keyring.Master, issuer string) (*Manager, error) {
	m := &Manager{issuer: issuer, store: store, master: master, now: time.Now}
	if err := m.reload(ctx); err != nil {
		return nil, err
	}
	if m.signing.key != nil {
		return m, nil
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	k := keyring.StoredKey{
		ID:      "session-" + strings.ToLower(rand.Text()[:16]),
		Purpose: purpose,
		Alg:     algorithm.Alg(),
		Sealed:  master.Seal(purpose, priv.Seed()),
		Public:  pub,
		Created: time.Now().UTC(),
	}
	if err := store.AddSigningKey(ctx, k); err != nil {
		return nil, fmt.Errorf("store the session key: %w", err)
	}
	// Another instance may have created a key at the same moment: load
	// them all, so that each verifies the other's tokens.
	if err := m.reload(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// reload reads the keys from the store; the newest unretired one signs.
func (m *Manager) reload(ctx context.Context) error {
	keys, err := m.store.SigningKeys(ctx, purpose)
	if err != nil {
		return err
	}
	public := make(map[string]ed25519.PublicKey, len(keys))
	var signing signingKey
	for _, k := range keys {
		if k.Alg != algorithm.Alg() || len(k.Public) != ed25519.PublicKeySize {
			continue
		}
		public[k.ID] = ed25519.PublicKey(k.Public)
		if signing.key != nil || !k.Retired.IsZero() {
			continue
		}
		seed, err := m.master.Open(purpose, k.Sealed)
		if err != nil {
			return fmt.Errorf("session key %s: %w", k.ID, err)
		}
		signing = signingKey{id: k.ID, key: ed25519.NewKeyFromSeed(seed)}
	}
	m.mu.Lock()
	m.signing, m.public, m.lastReload = signing, public, m.now()
	m.mu.Unlock()
	return nil
}

// Issue returns a signed token for a session that ends at expires.
func (m *Manager) Issue(userID, sessionID string, expires time.Time) (string, error) {
	m.mu.RLock()
	k := m.signing
	m.mu.RUnlock()
	now := m.now()
	claims := jwt.RegisteredClaims{
		Issuer:    m.issuer,
		Subject:   userID,
		Audience:  jwt.ClaimStrings{Audience},
		ExpiresAt: jwt.NewNumericDate(expires),
		NotBefore: jwt.NewNumericDate(now),
		IssuedAt:  jwt.NewNumericDate(now),
		ID:        sessionID,
	}
	t := jwt.NewWithClaims(algorithm, claims)
	t.Header["kid"] = k.id
	t.Header["typ"] = TokenType
	return t.SignedString(k.key)
}

// errRefused is the one answer to every bad token: the reason is for the
// log, not for the client.
var errRefused = apperr.New(apperr.Unauthorized, "not signed in")

// Verify checks a token's signature, algorithm, type, issuer, audience
// and times, and returns its claims. Every failure is Unauthorized.
func (m *Manager) Verify(ctx context.Context, token string) (Claims, error) {
	var rc jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(token, &rc, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); typ != TokenType {
			return nil, fmt.Errorf("token type %q", typ)
		}
		kid, _ := t.Header["kid"].(string)
		return m.publicKey(ctx, kid)
	},
		jwt.WithValidMethods([]string{algorithm.Alg()}),
		jwt.WithIssuer(m.issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(m.now),
		jwt.WithLeeway(30*time.Second),
	)
	if err != nil {
		return Claims{}, &apperr.Error{Kind: apperr.Unauthorized, Message: errRefused.Message, Err: err}
	}
	if rc.Subject == "" || rc.ID == "" {
		return Claims{}, &apperr.Error{Kind: apperr.Unauthorized, Message: errRefused.Message, Err: errors.New("token without subject or id")}
	}
	return Claims{UserID: rc.Subject, SessionID: rc.ID, ExpiresAt: rc.ExpiresAt.Time}, nil
}

// publicKey returns the key with the given id, reloading the keys once
// when it is unknown (another instance may have created it).
func (m *Manager) publicKey(ctx context.Context, kid string) (ed25519.PublicKey, error) {
	m.mu.RLock()
	k, ok := m.public[kid]
	recent := m.now().Sub(m.lastReload) < reloadEvery
	m.mu.RUnlock()
	if ok {
		return k, nil
	}
	if recent {
		return nil, fmt.Errorf("unknown session key %q", kid)
	}
	if err := m.reload(ctx); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if k, ok := m.public[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("unknown session key %q", kid)
}
