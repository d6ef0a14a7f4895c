package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// TokenKind is what a single-use link does.
type TokenKind string

// The kinds of single-use links.
const (
	// TokenSetup creates the first administrator of an empty instance.
	TokenSetup TokenKind = "setup"
	// TokenPassword sets a new password (reset, or first password of a
	// user created from the command line).
	TokenPassword TokenKind = "password"
	// TokenEmail confirms an e-mail address.
	TokenEmail TokenKind = "email"
	// TokenInvite invites one e-mail address to an organisation.
	TokenInvite TokenKind = "invite"
	// TokenInviteLink lets whoever has it join an organisation once.
	TokenInviteLink TokenKind = "invite-link"
)

// How long each kind of link stays valid.
var tokenLifetime = map[TokenKind]time.Duration{
	TokenSetup:      24 * time.Hour,
	TokenPassword:   2 * time.Hour,
	TokenEmail:      48 * time.Hour,
	TokenInvite:     14 * 24 * time.Hour,
	TokenInviteLink: 7 * 24 * time.Hour,
}

// Token is a single-use link as stored: only the hash of its secret is
// kept, so that a copy of the database opens no link.
type Token struct {
	Kind      TokenKind
	Hash      string
	UserID    string // the user it is for, if known
	Email     string // the address it was sent to, if any
	Name      string // the invitee's name, if HR gave one
	OrgID     string
	TeamID    string
	Role      Role
	CreatedBy string
	Batch     string // the import that created it, if any
	CreatedAt time.Time
	ExpiresAt time.Time
}

// newTokenSecret returns a random secret for a link and its hash.
func newTokenSecret() (secret, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret)
}

// HashToken returns the stored form of a link's secret.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Session is the server-side record of a signed-in browser.
type Session struct {
	ID        string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// TeamMember says that a user belongs to a team.
type TeamMember struct {
	OrgID  string
	TeamID string
	UserID string
}
