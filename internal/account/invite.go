package account

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"vertaa/internal/apperr"
	"vertaa/internal/audit"
	"vertaa/internal/mail"
)

// notFound is the answer when a principal asks for an organisation,
// team or person they may not see: the same as for one that does not
// exist, so that ids cannot be probed.
func notFound(what string) error { return apperr.New(apperr.NotFound, "%s not found", what) }

// manages reports whether p may manage the organisation: its HR or an
// administrator.
func manages(p *Principal, orgID string) bool { return p.IsAdmin() || p.Has(HR, orgID) }

// requireManager returns the organisation if p manages it.
func (s *Service) requireManager(ctx context.Context, p *Principal, orgID string) (Organisation, error) {
	if !manages(p, orgID) {
		return Organisation{}, notFound("organisation")
	}
	return s.store.Org(ctx, orgID)
}

// invitableRoles are the roles p may give in an organisation.
func invitableRoles(p *Principal) []Role {
	if p.IsAdmin() {
		return []Role{Leader, HR}
	}
	return []Role{Leader}
}

// Invitation is what HR fills in to invite one person.
type Invitation struct {
	Email, Name, TeamID string
	Role                Role
}

// Invite e-mails an invitation to join the organisation (and a team) in a
// role. An existing account gets the role when its owner, signed in,
// accepts.
func (s *Service) Invite(ctx context.Context, p *Principal, orgID string, inv Invitation) error {
	org, err := s.requireManager(ctx, p, orgID)
	if err != nil {
		return err
	}
	var fields []apperr.FieldError
	email, err := NormalizeEmail(inv.Email)
	fields = append(fields, apperr.FieldsOf(err)...)
	name := ""
	if inv.Name != "" {
		name, err = NormalizeName("name", inv.Name)
		fields = append(fields, apperr.FieldsOf(err)...)
	}
	if inv.Role == "" {
		inv.Role = Leader
	}
	if !slices.Contains(invitableRoles(p), inv.Role) {
		fields = append(fields, FieldError("role", "role.not_allowed"))
	}
	team := Team{}
	if inv.TeamID != "" {
		if team, err = s.store.Team(ctx, orgID, inv.TeamID); err != nil {
			fields = append(fields, FieldError("team", "team.unknown"))
		}
	}
	if err := apperr.InvalidFields(fields...); err != nil {
		return err
	}
	t := Token{Kind: TokenInvite, Email: email, Name: name, OrgID: orgID, TeamID: team.ID, Role: inv.Role, CreatedBy: p.User.ID}
	secret, err := s.issueToken(ctx, t)
	if err != nil {
		return err
	}
	if err := s.sendMail(ctx, email, name, lang(p.User.Lang), "invite", p.User.Name, org.Name, s.link("/invite/"+secret)); err != nil {
		return err
	}
	return s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.InvitationSent, OrgID: orgID, TargetID: team.ID, Detail: string(inv.Role)})
}

// CreateInviteLink returns a single-use link with which one person can
// join the organisation (and team) as a leader.
func (s *Service) CreateInviteLink(ctx context.Context, p *Principal, orgID, teamID string) (string, time.Time, error) {
	if _, err := s.requireManager(ctx, p, orgID); err != nil {
		return "", time.Time{}, err
	}
	if teamID != "" {
		if _, err := s.store.Team(ctx, orgID, teamID); err != nil {
			return "", time.Time{}, apperr.InvalidFields(FieldError("team", "team.unknown"))
		}
	}
	secret, err := s.issueToken(ctx, Token{Kind: TokenInviteLink, OrgID: orgID, TeamID: teamID, Role: Leader, CreatedBy: p.User.ID})
	if err != nil {
		return "", time.Time{}, err
	}
	if err := s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.InvitationLink, OrgID: orgID, TargetID: teamID}); err != nil {
		return "", time.Time{}, err
	}
	return s.link("/invite/" + secret), s.now().Add(tokenLifetime[TokenInviteLink]), nil
}

// InvitationInfo describes an invitation for its acceptance page.
type InvitationInfo struct {
	Token   Token
	Org     Organisation
	Team    Team // zero without a team
	Account bool // an account with the invited address exists
}

// invitation finds the unexpired invitation of either kind.
func (s *Service) invitation(ctx context.Context, secret string) (Token, error) {
	hash := HashToken(secret)
	t, err := s.store.Token(ctx, TokenInvite, hash, s.now())
	if apperr.KindOf(err) == apperr.NotFound {
		t, err = s.store.Token(ctx, TokenInviteLink, hash, s.now())
	}
	return t, err
}

// InvitationFor returns what the invitation link offers, without using it.
func (s *Service) InvitationFor(ctx context.Context, secret string) (InvitationInfo, error) {
	t, err := s.invitation(ctx, secret)
	if err != nil {
		return InvitationInfo{}, err
	}
	info := InvitationInfo{Token: t}
	if info.Org, err = s.store.Org(ctx, t.OrgID); err != nil {
		return InvitationInfo{}, err
	}
	if t.TeamID != "" {
		if info.Team, err = s.store.Team(ctx, t.OrgID, t.TeamID); err != nil && apperr.KindOf(err) != apperr.NotFound {
			return InvitationInfo{}, err
		}
	}
	if t.Email != "" {
		_, err := s.store.UserByEmail(ctx, t.Email)
		info.Account = err == nil
	}
	return info, nil
}

// Accepted tells the caller of AcceptInvitation what happened.
type Accepted struct {
	User User
	// CheckEmail is set when an open link was used with an address that
	// already has an account: its owner was told by e-mail, and nothing
	// else happened.
	CheckEmail bool
	// NewAccount is set when the invitation created the account.
	NewAccount bool
}

// AcceptInvitation uses an invitation. p is the signed-in user or nil.
//   - An e-mail invitation to an address with an account needs its owner
//     signed in; the account gets the role.
//   - An e-mail invitation to a new address creates the account with that
//     address, verified (the link proves it).
//   - An open link used by a signed-in user gives them the role; used by a
//     visitor it creates an account whose address must still be
//     confirmed, unless the address is taken.
func (s *Service) AcceptInvitation(ctx context.Context, secret string, p *Principal, n NewUser) (Accepted, error) {
	t, err := s.invitation(ctx, secret)
	if err != nil {
		return Accepted{}, err
	}
	if p != nil && (t.Kind == TokenInviteLink || EmailKey(p.User.Email) == EmailKey(t.Email)) {
		return s.join(ctx, t, p.User, false)
	}
	if t.Kind == TokenInvite {
		if _, err := s.store.UserByEmail(ctx, t.Email); err == nil {
			return Accepted{}, apperr.New(apperr.Unauthorized, "sign in as %s to accept the invitation", t.Email)
		}
		n.Email = t.Email
	}
	if err := n.check(); err != nil {
		return Accepted{}, err
	}
	if t.Kind == TokenInviteLink {
		if u, err := s.store.UserByEmail(ctx, n.Email); err == nil {
			// Do not tell the visitor that the address has an account;
			// tell its owner instead.
			return Accepted{CheckEmail: true}, s.sendMail(ctx, u.Email, u.Name, lang(u.Lang), "exists", u.Name, s.link("/signin"))
		}
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return Accepted{}, err
	}
	u, err := s.store.CreateUser(ctx, User{Email: n.Email, Name: n.Name, Lang: n.Lang, PasswordHash: hash, EmailVerified: t.Kind == TokenInvite, CreatedAt: s.now()})
	if err != nil {
		return Accepted{}, err
	}
	if err := s.record(ctx, audit.Event{Action: audit.UserCreated, TargetID: u.ID, OrgID: t.OrgID, Detail: "invitation"}); err != nil {
		return Accepted{}, err
	}
	if t.Kind == TokenInviteLink {
		verify, err := s.issueToken(ctx, Token{Kind: TokenEmail, UserID: u.ID, Email: u.Email})
		if err != nil {
			return Accepted{}, err
		}
		if err := s.sendMail(ctx, u.Email, u.Name, lang(u.Lang), "verify", u.Name, s.link("/email/"+verify)); err != nil {
			return Accepted{}, err
		}
	}
	return s.join(ctx, t, u, true)
}

// join uses up the invitation and gives its role (and team) to u.
func (s *Service) join(ctx context.Context, t Token, u User, created bool) (Accepted, error) {
	if _, err := s.store.ConsumeToken(ctx, t.Kind, t.Hash, s.now()); err != nil {
		return Accepted{}, err
	}
	if err := s.store.AddGrant(ctx, Grant{UserID: u.ID, Role: t.Role, OrgID: t.OrgID, GrantedBy: t.CreatedBy, CreatedAt: s.now()}); err != nil {
		return Accepted{}, err
	}
	if t.TeamID != "" {
		if err := s.store.AddTeamMember(ctx, TeamMember{OrgID: t.OrgID, TeamID: t.TeamID, UserID: u.ID}); err != nil {
			return Accepted{}, err
		}
	}
	return Accepted{User: u, NewAccount: created}, s.record(ctx, audit.Event{ActorID: u.ID, Action: audit.InvitationUsed, OrgID: t.OrgID, TargetID: u.ID, Detail: string(t.Role)})
}

// Invitations lists the pending invitations of an organisation.
func (s *Service) Invitations(ctx context.Context, p *Principal, orgID string) ([]Token, error) {
	if _, err := s.requireManager(ctx, p, orgID); err != nil {
		return nil, err
	}
	return s.store.Invitations(ctx, orgID, s.now())
}

// Import invites every person of an import file to the organisation. A
// file with any problem imports nobody and returns every problem; a valid
// file creates all its invitations and e-mails, or none of them.
func (s *Service) Import(ctx context.Context, p *Principal, orgID string, r io.Reader) (int, []RowError, error) {
	org, err := s.requireManager(ctx, p, orgID)
	if err != nil {
		return 0, nil, err
	}
	teams, err := s.store.Teams(ctx, orgID)
	if err != nil {
		return 0, nil, err
	}
	names := make([]string, len(teams))
	byName := make(map[string]string, len(teams))
	for i, t := range teams {
		names[i] = t.Name
		byName[t.Name] = t.ID
	}
	rows, problems, err := ParseImport(r, names, invitableRoles(p))
	if err != nil || len(problems) > 0 {
		return 0, problems, err
	}
	batch := newID()
	tokens := make([]Token, len(rows))
	msgs := make([]mail.Message, len(rows))
	now := s.now()
	l := lang(p.User.Lang)
	for i, row := range rows {
		secret, hash := newTokenSecret()
		tokens[i] = Token{Kind: TokenInvite, Hash: hash, Email: row.Email, Name: row.Name, OrgID: orgID, TeamID: byName[row.Team],
			Role: row.Role, CreatedBy: p.User.ID, Batch: batch, CreatedAt: now, ExpiresAt: now.Add(tokenLifetime[TokenInvite])}
		msgs[i] = s.composeMail(row.Email, row.Name, l, "invite", p.User.Name, org.Name, s.link("/invite/"+secret))
	}
	if err := s.store.AddTokens(ctx, tokens...); err != nil {
		return 0, nil, err
	}
	if err := s.store.Enqueue(ctx, msgs...); err != nil {
		if derr := s.store.DeleteBatch(ctx, batch); derr != nil {
			return 0, nil, fmt.Errorf("import %s: queue e-mail: %w; remove its invitations: %v", batch, err, derr)
		}
		return 0, nil, err
	}
	s.notify()
	return len(rows), nil, s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.UsersImported, OrgID: orgID, Detail: fmt.Sprintf("%d invitations", len(rows))})
}
