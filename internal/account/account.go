// Package account defines the people of vertaa and what they may do:
// users, organisations (the colleges of the network), teams inside an
// organisation, and the roles users hold. It also holds the rules for
// passwords, e-mail addresses and names, and the parsing of user imports.
// It knows nothing of HTTP or storage.
package account

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"vertaa/internal/apperr"
)

// Role is what a user may do.
type Role string

// The roles.
const (
	// Leader takes assessments and owns their results, in an organisation.
	Leader Role = "leader"
	// HR manages the teams and rounds of one organisation and sees only
	// anonymous aggregates.
	HR Role = "hr"
	// Admin runs the instance and the network; not tied to an organisation.
	Admin Role = "admin"
)

// roleNames are the names of the roles in English, Finnish and Swedish,
// as HR may write them in an import file.
var roleNames = map[string]Role{
	"leader": Leader, "johtaja": Leader, "ledare": Leader,
	"hr":    HR,
	"admin": Admin, "pääkäyttäjä": Admin, "huvudanvändare": Admin,
}

// ParseRole returns the role named s, in English, Finnish or Swedish.
func ParseRole(s string) (Role, bool) {
	r, ok := roleNames[strings.TrimSpace(strings.ToLower(s))]
	return r, ok
}

// User is a person with an account.
type User struct {
	ID    string
	Email string // normalised: trimmed, domain in lower case
	Name  string
	// Lang is the preferred user interface language (fi, sv, en).
	Lang          string
	PasswordHash  string // argon2id, PHC string format; empty until set
	EmailVerified bool
	Disabled      bool
	CreatedAt     time.Time
}

// Organisation is a member of the network, such as a college.
type Organisation struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// Team is a team inside an organisation.
type Team struct {
	ID        string
	OrgID     string
	Name      string
	CreatedAt time.Time
}

// Grant gives a user a role: in an organisation for Leader and HR, in the
// whole instance for Admin (OrgID empty).
type Grant struct {
	UserID    string
	Role      Role
	OrgID     string
	GrantedBy string // user id, or "" for the command line and first-run setup
	CreatedAt time.Time
}

// Principal is the signed-in user with everything access decisions need.
type Principal struct {
	User      User
	Grants    []Grant
	SessionID string
}

// IsAdmin reports whether the principal administers the instance.
func (p *Principal) IsAdmin() bool {
	for _, g := range p.Grants {
		if g.Role == Admin {
			return true
		}
	}
	return false
}

// Has reports whether the principal holds role in the organisation.
func (p *Principal) Has(role Role, orgID string) bool {
	for _, g := range p.Grants {
		if g.Role == role && g.OrgID == orgID {
			return true
		}
	}
	return false
}

// OrgIDs returns the organisations in which the principal holds role.
func (p *Principal) OrgIDs(role Role) []string {
	var ids []string
	for _, g := range p.Grants {
		if g.Role == role && g.OrgID != "" {
			ids = append(ids, g.OrgID)
		}
	}
	return ids
}

// Limits of names.
const (
	MaxNameLength  = 100
	MaxEmailLength = 254
)

// NormalizeEmail checks an e-mail address and returns it trimmed, with the
// domain in lower case; the local part keeps its case, as RFC 5321 says,
// but addresses are compared case-insensitively (see EmailKey).
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := apperr.InvalidFields(apperr.FieldError{Field: "email", Code: "email.invalid"})
	if s == "" {
		return "", apperr.InvalidFields(apperr.FieldError{Field: "email", Code: "email.required"})
	}
	if len(s) > MaxEmailLength || strings.ContainsAny(s, " <>\"(),;:\\[]") {
		return "", bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", bad
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	// Lower case can be longer than upper case (Ⱥ is 2 bytes, ⱥ 3), so the
	// length is checked again on the result.
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		len(local)+1+len(domain) > MaxEmailLength {
		return "", bad
	}
	return local + "@" + domain, nil
}

// EmailKey returns the form of a normalised address used to find
// accounts: addresses that differ only in case belong to one account.
func EmailKey(email string) string { return strings.ToLower(email) }

// NormalizeName checks a person's, team's or organisation's name and
// returns it with surrounding and repeated spaces removed. field names
// the form field for the error.
func NormalizeName(field, s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "":
		return "", apperr.InvalidFields(apperr.FieldError{Field: field, Code: "name.required"})
	case utf8.RuneCountInString(s) > MaxNameLength:
		return "", apperr.InvalidFields(apperr.FieldError{Field: field, Code: "name.too_long"})
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", apperr.InvalidFields(apperr.FieldError{Field: field, Code: "name.invalid"})
	}
	return s, nil
}
