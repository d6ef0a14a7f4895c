// Package audit defines the audit log: who did what and when, for the
// events an administrator or a data protection officer must be able to
// trace (sign-ins, role changes, invitations, exports, erasures). An event
// never holds a password, a token or an answer.
package audit

import "time"

// Action names what happened.
type Action string

// The audited actions.
const (
	SignIn               Action = "signin"
	SignInFailed         Action = "signin.failed"
	SignOut              Action = "signout"
	SetupCompleted       Action = "setup.completed"
	PasswordChanged      Action = "password.changed"
	PasswordReset        Action = "password.reset"
	ResetRequested       Action = "password.reset_requested"
	EmailChanged         Action = "email.changed"
	UserCreated          Action = "user.created"
	UserDisabled         Action = "user.disabled"
	UserEnabled          Action = "user.enabled"
	UserErased           Action = "user.erased"
	RoleGranted          Action = "role.granted"
	RoleRevoked          Action = "role.revoked"
	InvitationSent       Action = "invitation.sent"
	InvitationLink       Action = "invitation.link_created"
	InvitationUsed       Action = "invitation.accepted"
	UsersImported        Action = "users.imported"
	OrgCreated           Action = "org.created"
	OrgRenamed           Action = "org.renamed"
	TeamCreated          Action = "team.created"
	TeamRenamed          Action = "team.renamed"
	TeamDeleted          Action = "team.deleted"
	TeamMemberAdded      Action = "team.member_added"
	TeamMemberRemove     Action = "team.member_removed"
	RoundOpened          Action = "round.opened"
	RoundClosed          Action = "round.closed"
	ResponseShared       Action = "response.shared"
	ResponseUnshared     Action = "response.unshared"
	DataExported         Action = "data.exported"
	BadgeOffered         Action = "badge.offered"
	BadgeAccepted        Action = "badge.accepted"
	BadgeDeclined        Action = "badge.declined"
	BadgeRevoked         Action = "badge.revoked"
	ApplicationSubmitted Action = "application.submitted"
	ApplicationApproved  Action = "application.approved"
	ApplicationReturned  Action = "application.returned"
	ApplicationWithdrawn Action = "application.withdrawn"
	KeyRotated           Action = "key.rotated"
)

// Event is one entry of the audit log. Entries are only ever added.
type Event struct {
	ID      string
	At      time.Time // UTC
	ActorID string    // the user who acted; "" for the system or an anonymous visitor
	Action  Action
	OrgID   string // the organisation concerned, if any
	// TargetID is the user, team or organisation acted on, if any.
	TargetID string
	// Detail is a short, non-secret note such as the role granted.
	Detail string
	// IP is the client address, kept for sign-in events only.
	IP string
}

// Retention is how long events are kept.
const Retention = 365 * 24 * time.Hour
