package account

import (
	"context"
	"time"

	"vertaa/internal/audit"
	"vertaa/internal/mail"
)

// Store is what the account service needs from the database. Reads of
// personal data take the organisation as an argument and filter by it in
// the query. Missing things are apperr.NotFound, duplicates
// apperr.Conflict.
type Store interface {
	CreateUser(ctx context.Context, u User) (User, error)
	User(ctx context.Context, id string) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	UsersByID(ctx context.Context, ids []string) ([]User, error)
	SearchUsers(ctx context.Context, query string, limit int) ([]User, error)
	SetPassword(ctx context.Context, userID, hash string) error
	SetEmail(ctx context.Context, userID, email string) error
	SetEmailVerified(ctx context.Context, userID string) error
	SetName(ctx context.Context, userID, name string) error
	SetLang(ctx context.Context, userID, lang string) error
	SetDisabled(ctx context.Context, userID string, disabled bool) error
	// EraseAccount removes everything the accounts keep of the user but
	// the user document: sessions, links, invitations and e-mail to their
	// addresses, team memberships, roles, and the audit events about them;
	// it removes them from what is kept of others (who gave a role or a
	// link, their name in e-mail and audit details). It is idempotent.
	EraseAccount(ctx context.Context, u User) error
	// DeleteUser deletes the user document; a missing one is no error.
	DeleteUser(ctx context.Context, id string) error

	CreateOrg(ctx context.Context, o Organisation) (Organisation, error)
	Org(ctx context.Context, id string) (Organisation, error)
	Orgs(ctx context.Context) ([]Organisation, error)
	RenameOrg(ctx context.Context, id, name string) error

	CreateTeam(ctx context.Context, t Team) (Team, error)
	Team(ctx context.Context, orgID, id string) (Team, error)
	Teams(ctx context.Context, orgID string) ([]Team, error)
	RenameTeam(ctx context.Context, orgID, id, name string) error
	// DeleteTeam deletes the team and its memberships.
	DeleteTeam(ctx context.Context, orgID, id string) error

	// AddGrant is idempotent: granting a role held already is no error.
	AddGrant(ctx context.Context, g Grant) error
	RemoveGrant(ctx context.Context, userID string, role Role, orgID string) error
	Grants(ctx context.Context, userID string) ([]Grant, error)
	OrgGrants(ctx context.Context, orgID string) ([]Grant, error)
	CountGrants(ctx context.Context, role Role) (int, error)

	// AddTeamMember is idempotent.
	AddTeamMember(ctx context.Context, m TeamMember) error
	RemoveTeamMember(ctx context.Context, m TeamMember) error
	TeamMembers(ctx context.Context, orgID string) ([]TeamMember, error)

	// AddTokens stores all the tokens or, on failure, none.
	AddTokens(ctx context.Context, ts ...Token) error
	// Token returns the unexpired token; NotFound otherwise.
	Token(ctx context.Context, kind TokenKind, hash string, now time.Time) (Token, error)
	// ConsumeToken deletes and returns the unexpired token. Of concurrent
	// callers exactly one gets it; the others get NotFound.
	ConsumeToken(ctx context.Context, kind TokenKind, hash string, now time.Time) (Token, error)
	// DeleteTokens deletes the tokens of a kind for a user ("" for all
	// users, such as stale setup links).
	DeleteTokens(ctx context.Context, kind TokenKind, userID string) error
	// DeleteBatch deletes the tokens of one import.
	DeleteBatch(ctx context.Context, batch string) error
	// Invitations lists the pending invitations of an organisation.
	Invitations(ctx context.Context, orgID string, now time.Time) ([]Token, error)

	CreateSession(ctx context.Context, s Session) error
	// Session returns the unexpired session of the user.
	Session(ctx context.Context, id, userID string, now time.Time) (Session, error)
	DeleteSession(ctx context.Context, userID, id string) error
	DeleteSessions(ctx context.Context, userID string) error

	Record(ctx context.Context, e audit.Event) error
	// AuditEvents returns the newest events first; only the
	// organisation's when orgID is not "".
	AuditEvents(ctx context.Context, orgID string, limit int) ([]audit.Event, error)

	Enqueue(ctx context.Context, msgs ...mail.Message) error
	// RecentMail returns the newest e-mail messages first.
	RecentMail(ctx context.Context, limit int) ([]mail.Message, error)
}
