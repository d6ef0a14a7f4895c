package account

import (
	"context"
	"slices"
	"sort"
	"strings"

	"vertaa/internal/apperr"
	"vertaa/internal/audit"
	"vertaa/internal/mail"
)

// requireAdmin refuses anyone but an administrator, with NotFound, as if
// the page did not exist.
func requireAdmin(p *Principal) error {
	if !p.IsAdmin() {
		return notFound("page")
	}
	return nil
}

// CreateOrg adds an organisation to the network.
func (s *Service) CreateOrg(ctx context.Context, p *Principal, name string) (Organisation, error) {
	if err := requireAdmin(p); err != nil {
		return Organisation{}, err
	}
	name, err := NormalizeName("name", name)
	if err != nil {
		return Organisation{}, err
	}
	o, err := s.store.CreateOrg(ctx, Organisation{Name: name, CreatedAt: s.now()})
	if apperr.KindOf(err) == apperr.Conflict {
		return Organisation{}, apperr.InvalidFields(FieldError("name", "name.taken"))
	}
	if err != nil {
		return Organisation{}, err
	}
	return o, s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.OrgCreated, OrgID: o.ID, TargetID: o.ID})
}

// RenameOrg renames an organisation.
func (s *Service) RenameOrg(ctx context.Context, p *Principal, orgID, name string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	name, err := NormalizeName("name", name)
	if err != nil {
		return err
	}
	if _, err := s.store.Org(ctx, orgID); err != nil {
		return err
	}
	if err := s.store.RenameOrg(ctx, orgID, name); err != nil {
		if apperr.KindOf(err) == apperr.Conflict {
			return apperr.InvalidFields(FieldError("name", "name.taken"))
		}
		return err
	}
	return s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.OrgRenamed, OrgID: orgID, TargetID: orgID})
}

// Orgs returns the organisations p may see: all for an administrator,
// otherwise those where p holds a role.
func (s *Service) Orgs(ctx context.Context, p *Principal) ([]Organisation, error) {
	all, err := s.store.Orgs(ctx)
	if err != nil || p.IsAdmin() {
		return all, err
	}
	var mine []Organisation
	for _, o := range all {
		if p.Has(HR, o.ID) || p.Has(Leader, o.ID) {
			mine = append(mine, o)
		}
	}
	return mine, nil
}

// Org returns an organisation that p manages.
func (s *Service) Org(ctx context.Context, p *Principal, orgID string) (Organisation, error) {
	return s.requireManager(ctx, p, orgID)
}

// Teams returns the teams of an organisation that p manages.
func (s *Service) Teams(ctx context.Context, p *Principal, orgID string) ([]Team, error) {
	if _, err := s.requireManager(ctx, p, orgID); err != nil {
		return nil, err
	}
	return s.store.Teams(ctx, orgID)
}

// CreateTeam adds a team to an organisation that p manages.
func (s *Service) CreateTeam(ctx context.Context, p *Principal, orgID, name string) (Team, error) {
	if _, err := s.requireManager(ctx, p, orgID); err != nil {
		return Team{}, err
	}
	name, err := NormalizeName("name", name)
	if err != nil {
		return Team{}, err
	}
	t, err := s.store.CreateTeam(ctx, Team{OrgID: orgID, Name: name, CreatedAt: s.now()})
	if apperr.KindOf(err) == apperr.Conflict {
		return Team{}, apperr.InvalidFields(FieldError("name", "name.taken"))
	}
	if err != nil {
		return Team{}, err
	}
	return t, s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.TeamCreated, OrgID: orgID, TargetID: t.ID})
}

// RenameTeam renames a team of an organisation that p manages.
func (s *Service) RenameTeam(ctx context.Context, p *Principal, orgID, teamID, name string) error {
	if _, err := s.requireManager(ctx, p, orgID); err != nil {
		return err
	}
	name, err := NormalizeName("name", name)
	if err != nil {
		return err
	}
	if _, err := s.store.Team(ctx, orgID, teamID); err != nil {
		return err
	}
	if err := s.store.RenameTeam(ctx, orgID, teamID, name); err != nil {
		if apperr.KindOf(err) == apperr.Conflict {
			return apperr.InvalidFields(FieldError("name", "name.taken"))
		}
		return err
	}
	return s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.TeamRenamed, OrgID: orgID, TargetID: teamID})
}

// DeleteTeam deletes a team; its members stay in the organisation.
func (s *Service) DeleteTeam(ctx context.Context, p *Principal, orgID, teamID string) error {
	if _, err := s.requireManager(ctx, p, orgID); err != nil {
		return err
	}
	if _, err := s.store.Team(ctx, orgID, teamID); err != nil {
		return err
	}
	if err := s.store.DeleteTeam(ctx, orgID, teamID); err != nil {
		return err
	}
	return s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.TeamDeleted, OrgID: orgID, TargetID: teamID})
}

// Person is a member of an organisation as HR sees them.
type Person struct {
	User  User
	Roles []Role
	Teams []Team
}

// People lists the members of an organisation that p manages, by name.
func (s *Service) People(ctx context.Context, p *Principal, orgID string) ([]Person, error) {
	if _, err := s.requireManager(ctx, p, orgID); err != nil {
		return nil, err
	}
	grants, err := s.store.OrgGrants(ctx, orgID)
	if err != nil {
		return nil, err
	}
	teams, err := s.store.Teams(ctx, orgID)
	if err != nil {
		return nil, err
	}
	members, err := s.store.TeamMembers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	byUser := map[string]*Person{}
	var ids []string
	for _, g := range grants {
		if byUser[g.UserID] == nil {
			byUser[g.UserID] = &Person{}
			ids = append(ids, g.UserID)
		}
		byUser[g.UserID].Roles = append(byUser[g.UserID].Roles, g.Role)
	}
	teamByID := map[string]Team{}
	for _, t := range teams {
		teamByID[t.ID] = t
	}
	for _, m := range members {
		if pe, ok := byUser[m.UserID]; ok {
			pe.Teams = append(pe.Teams, teamByID[m.TeamID])
		}
	}
	users, err := s.store.UsersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	people := make([]Person, 0, len(users))
	for _, u := range users {
		pe := byUser[u.ID]
		pe.User = u
		people = append(people, *pe)
	}
	sort.Slice(people, func(i, j int) bool {
		return strings.ToLower(people[i].User.Name) < strings.ToLower(people[j].User.Name)
	})
	return people, nil
}

// member returns the user if they hold a role in the organisation.
func (s *Service) member(ctx context.Context, orgID, userID string) (User, error) {
	grants, err := s.store.Grants(ctx, userID)
	if err != nil {
		return User{}, err
	}
	if !slices.ContainsFunc(grants, func(g Grant) bool { return g.OrgID == orgID }) {
		return User{}, notFound("person")
	}
	return s.store.User(ctx, userID)
}

// SetTeams puts a member of an organisation that p manages into exactly
// the given teams of it.
func (s *Service) SetTeams(ctx context.Context, p *Principal, orgID, userID string, teamIDs []string) error {
	if _, err := s.requireManager(ctx, p, orgID); err != nil {
		return err
	}
	if _, err := s.member(ctx, orgID, userID); err != nil {
		return err
	}
	teams, err := s.store.Teams(ctx, orgID)
	if err != nil {
		return err
	}
	members, err := s.store.TeamMembers(ctx, orgID)
	if err != nil {
		return err
	}
	for _, t := range teams {
		want := slices.Contains(teamIDs, t.ID)
		has := slices.Contains(members, TeamMember{OrgID: orgID, TeamID: t.ID, UserID: userID})
		m := TeamMember{OrgID: orgID, TeamID: t.ID, UserID: userID}
		switch {
		case want && !has:
			if err := s.store.AddTeamMember(ctx, m); err != nil {
				return err
			}
			if err := s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.TeamMemberAdded, OrgID: orgID, TargetID: userID, Detail: t.ID}); err != nil {
				return err
			}
		case !want && has:
			if err := s.store.RemoveTeamMember(ctx, m); err != nil {
				return err
			}
			if err := s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.TeamMemberRemove, OrgID: orgID, TargetID: userID, Detail: t.ID}); err != nil {
				return err
			}
		}
	}
	return nil
}

// RemoveFromOrg takes every role in the organisation from a member, and
// their teams. HR may remove leaders; administrators anyone.
func (s *Service) RemoveFromOrg(ctx context.Context, p *Principal, orgID, userID string) error {
	if _, err := s.requireManager(ctx, p, orgID); err != nil {
		return err
	}
	grants, err := s.store.Grants(ctx, userID)
	if err != nil {
		return err
	}
	var inOrg []Grant
	for _, g := range grants {
		if g.OrgID == orgID {
			inOrg = append(inOrg, g)
		}
	}
	if len(inOrg) == 0 {
		return notFound("person")
	}
	for _, g := range inOrg {
		if g.Role == HR && !p.IsAdmin() {
			return apperr.Keyed(apperr.Forbidden, "remove_hr", "only an administrator can remove HR")
		}
	}
	if err := s.SetTeams(ctx, p, orgID, userID, nil); err != nil {
		return err
	}
	for _, g := range inOrg {
		if err := s.revoke(ctx, p, g); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) revoke(ctx context.Context, p *Principal, g Grant) error {
	if err := s.store.RemoveGrant(ctx, g.UserID, g.Role, g.OrgID); err != nil {
		return err
	}
	return s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.RoleRevoked, OrgID: g.OrgID, TargetID: g.UserID, Detail: string(g.Role)})
}

// SetRole grants or revokes a role; administrators only. orgID is empty
// for the admin role. The last administrator cannot be removed.
func (s *Service) SetRole(ctx context.Context, p *Principal, userID string, role Role, orgID string, grant bool) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	if _, err := s.store.User(ctx, userID); err != nil {
		return err
	}
	if (role == Admin) != (orgID == "") {
		return apperr.InvalidFields(FieldError("org", "role.org"))
	}
	if orgID != "" {
		if _, err := s.store.Org(ctx, orgID); err != nil {
			return apperr.InvalidFields(FieldError("org", "org.unknown"))
		}
	}
	g := Grant{UserID: userID, Role: role, OrgID: orgID, GrantedBy: p.User.ID, CreatedAt: s.now()}
	if !grant {
		if role == Admin {
			if n, err := s.store.CountGrants(ctx, Admin); err != nil || n <= 1 {
				if err == nil {
					err = apperr.Keyed(apperr.Conflict, "last_admin", "the last administrator cannot be removed")
				}
				return err
			}
		}
		return s.revoke(ctx, p, g)
	}
	if err := s.store.AddGrant(ctx, g); err != nil {
		return err
	}
	return s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.RoleGranted, OrgID: orgID, TargetID: userID, Detail: string(role)})
}

// SetDisabled disables or enables an account; administrators only, and
// not their own. Disabling ends the user's sessions at once.
func (s *Service) SetDisabled(ctx context.Context, p *Principal, userID string, disabled bool) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	if userID == p.User.ID {
		return apperr.Keyed(apperr.Conflict, "disable_self", "you cannot disable your own account")
	}
	if _, err := s.store.User(ctx, userID); err != nil {
		return err
	}
	if err := s.store.SetDisabled(ctx, userID, disabled); err != nil {
		return err
	}
	action := audit.UserEnabled
	if disabled {
		action = audit.UserDisabled
		if err := s.store.DeleteSessions(ctx, userID); err != nil {
			return err
		}
	}
	return s.record(ctx, audit.Event{ActorID: p.User.ID, Action: action, TargetID: userID})
}

// SearchUsers finds users by name or e-mail address; administrators only.
func (s *Service) SearchUsers(ctx context.Context, p *Principal, query string) ([]User, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	return s.store.SearchUsers(ctx, strings.TrimSpace(query), 100)
}

// UserDetail is a user with their roles, for the administrator.
type UserDetail struct {
	User   User
	Grants []Grant
	Orgs   map[string]Organisation
}

// User returns a user with their roles; administrators only.
func (s *Service) User(ctx context.Context, p *Principal, userID string) (UserDetail, error) {
	if err := requireAdmin(p); err != nil {
		return UserDetail{}, err
	}
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return UserDetail{}, err
	}
	grants, err := s.store.Grants(ctx, userID)
	if err != nil {
		return UserDetail{}, err
	}
	orgs, err := s.store.Orgs(ctx)
	if err != nil {
		return UserDetail{}, err
	}
	d := UserDetail{User: u, Grants: grants, Orgs: map[string]Organisation{}}
	for _, o := range orgs {
		d.Orgs[o.ID] = o
	}
	return d, nil
}

// AuditLog returns the newest audit events: of the whole instance for an
// administrator (orgID ""), or of an organisation that p manages. names
// maps the ids of the users in the events to their names.
func (s *Service) AuditLog(ctx context.Context, p *Principal, orgID string) (events []audit.Event, names map[string]string, err error) {
	if orgID == "" {
		if err := requireAdmin(p); err != nil {
			return nil, nil, err
		}
	} else if _, err := s.requireManager(ctx, p, orgID); err != nil {
		return nil, nil, err
	}
	if events, err = s.store.AuditEvents(ctx, orgID, 500); err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	var ids []string
	for _, e := range events {
		for _, id := range []string{e.ActorID, e.TargetID} {
			if id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	users, err := s.store.UsersByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	names = make(map[string]string, len(users))
	for _, u := range users {
		names[u.ID] = u.Name
	}
	return events, names, nil
}

// Outbox returns the newest e-mail messages, for the administrator's
// outbox page (where a local install without SMTP reads its e-mail).
func (s *Service) Outbox(ctx context.Context, p *Principal) ([]mail.Message, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	return s.store.RecentMail(ctx, 200)
}
