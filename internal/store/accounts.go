package store

import (
	"context"
	"crypto/rand"
	"errors"
	"regexp"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/account"
)

const (
	usersCollection       = "users"
	orgsCollection        = "orgs"
	teamsCollection       = "teams"
	grantsCollection      = "grants"
	teamMembersCollection = "team_members"
)

// The store is what the account service needs.
var _ account.Store = (*Store)(nil)

// newID returns a random identifier for a new record.
func newID() string { return strings.ToLower(rand.Text()) }

type userRecord struct {
	ID            string    `bson:"_id"`
	Email         string    `bson:"email"`
	EmailKey      string    `bson:"email_key"`
	Name          string    `bson:"name"`
	NameKey       string    `bson:"name_key"`
	Lang          string    `bson:"lang"`
	PasswordHash  string    `bson:"password_hash"`
	EmailVerified bool      `bson:"email_verified"`
	Disabled      bool      `bson:"disabled"`
	CreatedAt     time.Time `bson:"created_at"`
}

func (r userRecord) user() account.User {
	return account.User{ID: r.ID, Email: r.Email, Name: r.Name, Lang: r.Lang, PasswordHash: r.PasswordHash,
		EmailVerified: r.EmailVerified, Disabled: r.Disabled, CreatedAt: r.CreatedAt}
}

// CreateUser adds a user with a new id; an address in use is Conflict.
func (s *Store) CreateUser(ctx context.Context, u account.User) (account.User, error) {
	u.ID = newID()
	u.CreatedAt = u.CreatedAt.UTC().Truncate(time.Millisecond)
	r := userRecord{ID: u.ID, Email: u.Email, EmailKey: account.EmailKey(u.Email), Name: u.Name, NameKey: strings.ToLower(u.Name),
		Lang: u.Lang, PasswordHash: u.PasswordHash, EmailVerified: u.EmailVerified, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
	if _, err := s.db.Collection(usersCollection).InsertOne(ctx, r); err != nil {
		return account.User{}, translate(err, "user")
	}
	return u, nil
}

func (s *Store) findUser(ctx context.Context, filter bson.D) (account.User, error) {
	var r userRecord
	if err := s.db.Collection(usersCollection).FindOne(ctx, filter).Decode(&r); err != nil {
		return account.User{}, translate(err, "user")
	}
	return r.user(), nil
}

// User returns the user with the id.
func (s *Store) User(ctx context.Context, id string) (account.User, error) {
	r, found, err := findByID[userRecord](ctx, s, usersCollection, id)
	if err == nil && !found {
		err = mongo.ErrNoDocuments
	}
	if err != nil {
		return account.User{}, translate(err, "user")
	}
	return r.user(), nil
}

// UserByEmail returns the user with the address, compared without case.
func (s *Store) UserByEmail(ctx context.Context, email string) (account.User, error) {
	return s.findUser(ctx, bson.D{{Key: "email_key", Value: account.EmailKey(email)}})
}

// UsersByID returns the users with the ids, ordered by name.
func (s *Store) UsersByID(ctx context.Context, ids []string) ([]account.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return findAll(ctx, s.db.Collection(usersCollection), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetSort(bson.D{{Key: "name_key", Value: 1}}), "users", userRecord.user)
}

// SearchUsers returns up to limit users whose name or address contains
// query (without case), ordered by name; all users for an empty query.
func (s *Store) SearchUsers(ctx context.Context, query string, limit int) ([]account.User, error) {
	filter := bson.D{}
	if q := strings.ToLower(strings.TrimSpace(query)); q != "" {
		re := bson.Regex{Pattern: regexp.QuoteMeta(q)}
		filter = bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "name_key", Value: re}},
			bson.D{{Key: "email_key", Value: re}},
		}}}
	}
	return findAll(ctx, s.db.Collection(usersCollection), filter,
		options.Find().SetSort(bson.D{{Key: "name_key", Value: 1}}).SetLimit(int64(limit)), "users", userRecord.user)
}

// setUser updates fields of one user; a missing user is NotFound.
// Changes to one user are serialised in this process: the embedded store
// applies $set by reading and writing back the whole document.
func (s *Store) setUser(ctx context.Context, id string, set bson.D) error {
	unlock := s.locks.lock(usersCollection + "/" + id)
	defer unlock()
	defer s.invalidate(usersCollection, id)
	res, err := s.db.Collection(usersCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return translate(err, "user")
	}
	if res.MatchedCount == 0 {
		return translate(mongo.ErrNoDocuments, "user")
	}
	return nil
}

// SetPassword replaces the password hash.
func (s *Store) SetPassword(ctx context.Context, userID, hash string) error {
	return s.setUser(ctx, userID, bson.D{{Key: "password_hash", Value: hash}})
}

// SetEmail changes the address; one in use by another user is Conflict.
func (s *Store) SetEmail(ctx context.Context, userID, email string) error {
	return s.setUser(ctx, userID, bson.D{{Key: "email", Value: email}, {Key: "email_key", Value: account.EmailKey(email)}})
}

// SetEmailVerified marks the address as confirmed.
func (s *Store) SetEmailVerified(ctx context.Context, userID string) error {
	return s.setUser(ctx, userID, bson.D{{Key: "email_verified", Value: true}})
}

// SetName changes the name.
func (s *Store) SetName(ctx context.Context, userID, name string) error {
	return s.setUser(ctx, userID, bson.D{{Key: "name", Value: name}, {Key: "name_key", Value: strings.ToLower(name)}})
}

// SetLang changes the preferred language.
func (s *Store) SetLang(ctx context.Context, userID, lang string) error {
	return s.setUser(ctx, userID, bson.D{{Key: "lang", Value: lang}})
}

// SetDisabled disables or enables the account.
func (s *Store) SetDisabled(ctx context.Context, userID string, disabled bool) error {
	return s.setUser(ctx, userID, bson.D{{Key: "disabled", Value: disabled}})
}

type orgRecord struct {
	ID        string    `bson:"_id"`
	Name      string    `bson:"name"`
	NameKey   string    `bson:"name_key"`
	CreatedAt time.Time `bson:"created_at"`
}

func (r orgRecord) org() account.Organisation {
	return account.Organisation{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt}
}

// CreateOrg adds an organisation; a name in use is Conflict.
func (s *Store) CreateOrg(ctx context.Context, o account.Organisation) (account.Organisation, error) {
	o.ID = newID()
	o.CreatedAt = o.CreatedAt.UTC().Truncate(time.Millisecond)
	r := orgRecord{ID: o.ID, Name: o.Name, NameKey: strings.ToLower(o.Name), CreatedAt: o.CreatedAt}
	if _, err := s.db.Collection(orgsCollection).InsertOne(ctx, r); err != nil {
		return account.Organisation{}, translate(err, "organisation")
	}
	return o, nil
}

// Org returns the organisation with the id.
func (s *Store) Org(ctx context.Context, id string) (account.Organisation, error) {
	var r orgRecord
	if err := s.db.Collection(orgsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&r); err != nil {
		return account.Organisation{}, translate(err, "organisation")
	}
	return r.org(), nil
}

// Orgs returns every organisation, ordered by name.
func (s *Store) Orgs(ctx context.Context) ([]account.Organisation, error) {
	return findAll(ctx, s.db.Collection(orgsCollection), bson.D{}, options.Find().SetSort(bson.D{{Key: "name_key", Value: 1}}),
		"organisations", orgRecord.org)
}

// RenameOrg renames an organisation; a name in use is Conflict.
func (s *Store) RenameOrg(ctx context.Context, id, name string) error {
	res, err := s.db.Collection(orgsCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: name}, {Key: "name_key", Value: strings.ToLower(name)}}}})
	if err != nil {
		return translate(err, "organisation")
	}
	if res.MatchedCount == 0 {
		return translate(mongo.ErrNoDocuments, "organisation")
	}
	return nil
}

type teamRecord struct {
	ID        string    `bson:"_id"`
	OrgID     string    `bson:"org_id"`
	Name      string    `bson:"name"`
	NameKey   string    `bson:"name_key"`
	CreatedAt time.Time `bson:"created_at"`
}

func (r teamRecord) team() account.Team {
	return account.Team{ID: r.ID, OrgID: r.OrgID, Name: r.Name, CreatedAt: r.CreatedAt}
}

// CreateTeam adds a team; a name in use in the organisation is Conflict.
func (s *Store) CreateTeam(ctx context.Context, t account.Team) (account.Team, error) {
	defer s.invalidateLists()
	t.ID = newID()
	t.CreatedAt = t.CreatedAt.UTC().Truncate(time.Millisecond)
	r := teamRecord{ID: t.ID, OrgID: t.OrgID, Name: t.Name, NameKey: strings.ToLower(t.Name), CreatedAt: t.CreatedAt}
	if _, err := s.db.Collection(teamsCollection).InsertOne(ctx, r); err != nil {
		return account.Team{}, translate(err, "team")
	}
	return t, nil
}

// Team returns the team with the id in the organisation.
func (s *Store) Team(ctx context.Context, orgID, id string) (account.Team, error) {
	var r teamRecord
	err := s.db.Collection(teamsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "org_id", Value: orgID}}).Decode(&r)
	if err != nil {
		return account.Team{}, translate(err, "team")
	}
	return r.team(), nil
}

// Teams returns the teams of the organisation, ordered by name.
func (s *Store) Teams(ctx context.Context, orgID string) ([]account.Team, error) {
	return cachedList(s, orgID+"/teams", func() ([]account.Team, error) {
		return findAll(ctx, s.db.Collection(teamsCollection), bson.D{{Key: "org_id", Value: orgID}},
			options.Find().SetSort(bson.D{{Key: "name_key", Value: 1}}), "teams", teamRecord.team)
	})
}

// RenameTeam renames a team of the organisation.
func (s *Store) RenameTeam(ctx context.Context, orgID, id, name string) error {
	defer s.invalidateLists()
	res, err := s.db.Collection(teamsCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "org_id", Value: orgID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: name}, {Key: "name_key", Value: strings.ToLower(name)}}}})
	if err != nil {
		return translate(err, "team")
	}
	if res.MatchedCount == 0 {
		return translate(mongo.ErrNoDocuments, "team")
	}
	return nil
}

// DeleteTeam deletes the team's memberships, then the team.
func (s *Store) DeleteTeam(ctx context.Context, orgID, id string) error {
	defer s.invalidateLists()
	if _, err := s.db.Collection(teamMembersCollection).DeleteMany(ctx, bson.D{{Key: "org_id", Value: orgID}, {Key: "team_id", Value: id}}); err != nil {
		return translate(err, "team members")
	}
	res, err := s.db.Collection(teamsCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "org_id", Value: orgID}})
	if err != nil {
		return translate(err, "team")
	}
	if res.DeletedCount == 0 {
		return translate(mongo.ErrNoDocuments, "team")
	}
	return nil
}

// grantsRecord holds every role of one user in one document, keyed by the
// user's id: the roles are read on every request of a signed-in user, and
// the embedded store finds a document quickly only by _id.
type grantsRecord struct {
	UserID   string      `bson:"_id"`
	Grants   []grantItem `bson:"grants"`
	Revision int         `bson:"revision"`
}

type grantItem struct {
	Role      string    `bson:"role"`
	OrgID     string    `bson:"org_id"`
	GrantedBy string    `bson:"granted_by"`
	CreatedAt time.Time `bson:"created_at"`
}

func (r grantsRecord) grants() []account.Grant {
	gs := make([]account.Grant, len(r.Grants))
	for i, g := range r.Grants {
		gs[i] = account.Grant{UserID: r.UserID, Role: account.Role(g.Role), OrgID: g.OrgID, GrantedBy: g.GrantedBy, CreatedAt: g.CreatedAt}
	}
	return gs
}

// changeGrants applies change to the user's roles. Changes to one user's
// roles are serialised in this process, and the revision in the update
// filter refuses a change based on a stale copy from another process.
func (s *Store) changeGrants(ctx context.Context, userID string, change func([]grantItem) []grantItem) error {
	unlock := s.locks.lock(grantsCollection + "/" + userID)
	defer unlock()
	defer s.invalidate(grantsCollection, userID)
	defer s.invalidateLists()
	coll := s.db.Collection(grantsCollection)
	var rec grantsRecord
	err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&rec)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		rec = grantsRecord{UserID: userID, Grants: change(nil), Revision: 1}
		_, err = coll.InsertOne(ctx, rec)
		return translate(err, "role")
	case err != nil:
		return translate(err, "role")
	}
	res, err := coll.UpdateOne(ctx, s.revisionFilter(userID, rec.Revision),
		bson.D{{Key: "$set", Value: bson.D{{Key: "grants", Value: change(rec.Grants)}, {Key: "revision", Value: rec.Revision + 1}}}})
	if err != nil {
		return translate(err, "role")
	}
	if res.MatchedCount == 0 {
		return translate(errStale, "role")
	}
	return nil
}

// AddGrant gives a role; granting one held already changes nothing.
func (s *Store) AddGrant(ctx context.Context, g account.Grant) error {
	return s.changeGrants(ctx, g.UserID, func(items []grantItem) []grantItem {
		for _, it := range items {
			if it.Role == string(g.Role) && it.OrgID == g.OrgID {
				return items
			}
		}
		return append(items, grantItem{Role: string(g.Role), OrgID: g.OrgID, GrantedBy: g.GrantedBy, CreatedAt: ms(g.CreatedAt)})
	})
}

// RemoveGrant takes a role away; taking one not held is no error.
func (s *Store) RemoveGrant(ctx context.Context, userID string, role account.Role, orgID string) error {
	return s.changeGrants(ctx, userID, func(items []grantItem) []grantItem {
		out := items[:0:0]
		for _, it := range items {
			if it.Role != string(role) || it.OrgID != orgID {
				out = append(out, it)
			}
		}
		return out
	})
}

// Grants returns the roles of a user.
func (s *Store) Grants(ctx context.Context, userID string) ([]account.Grant, error) {
	rec, found, err := findByID[grantsRecord](ctx, s, grantsCollection, userID)
	if err != nil {
		return nil, translate(err, "roles")
	}
	if !found {
		return nil, nil
	}
	return rec.grants(), nil
}

// grantsWhere returns the roles of every user whose roles match filter,
// keeping those for which keep is true.
func (s *Store) grantsWhere(ctx context.Context, filter bson.D, keep func(account.Grant) bool) ([]account.Grant, error) {
	recs, err := findAll(ctx, s.db.Collection(grantsCollection), filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}),
		"roles", func(r grantsRecord) grantsRecord { return r })
	if err != nil {
		return nil, err
	}
	var out []account.Grant
	for _, r := range recs {
		for _, g := range r.grants() {
			if keep(g) {
				out = append(out, g)
			}
		}
	}
	return out, nil
}

// OrgGrants returns the roles held in an organisation.
func (s *Store) OrgGrants(ctx context.Context, orgID string) ([]account.Grant, error) {
	return cachedList(s, orgID+"/grants", func() ([]account.Grant, error) {
		return s.grantsWhere(ctx, bson.D{{Key: "grants.org_id", Value: orgID}}, func(g account.Grant) bool { return g.OrgID == orgID })
	})
}

// CountGrants counts the holders of a role.
func (s *Store) CountGrants(ctx context.Context, role account.Role) (int, error) {
	gs, err := s.grantsWhere(ctx, bson.D{{Key: "grants.role", Value: string(role)}}, func(g account.Grant) bool { return g.Role == role })
	return len(gs), err
}

type teamMemberRecord struct {
	ID     string `bson:"_id"` // org|team|user
	OrgID  string `bson:"org_id"`
	TeamID string `bson:"team_id"`
	UserID string `bson:"user_id"`
}

func memberID(m account.TeamMember) string { return m.OrgID + "|" + m.TeamID + "|" + m.UserID }

// AddTeamMember puts a user in a team; adding one already in it is no
// error.
func (s *Store) AddTeamMember(ctx context.Context, m account.TeamMember) error {
	defer s.invalidateLists()
	_, err := s.db.Collection(teamMembersCollection).InsertOne(ctx, teamMemberRecord{ID: memberID(m), OrgID: m.OrgID, TeamID: m.TeamID, UserID: m.UserID})
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	return translate(err, "team member")
}

// RemoveTeamMember takes a user out of a team.
func (s *Store) RemoveTeamMember(ctx context.Context, m account.TeamMember) error {
	defer s.invalidateLists()
	_, err := s.db.Collection(teamMembersCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: memberID(m)}})
	return translate(err, "team member")
}

// TeamMembers returns every team membership of the organisation.
func (s *Store) TeamMembers(ctx context.Context, orgID string) ([]account.TeamMember, error) {
	return cachedList(s, orgID+"/members", func() ([]account.TeamMember, error) {
		return findAll(ctx, s.db.Collection(teamMembersCollection), bson.D{{Key: "org_id", Value: orgID}},
			options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), "team members",
			func(r teamMemberRecord) account.TeamMember {
				return account.TeamMember{OrgID: r.OrgID, TeamID: r.TeamID, UserID: r.UserID}
			})
	})
}
