package store

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/account"
	"vertaa/internal/badge"
	"vertaa/internal/response"
)

// The erasure of a person at an administrator's order (see
// account.Service.Erase and docs/privacy.md). The embedded store has no
// transactions: every method here is idempotent, and removes what leads
// to the person's other records after those records, so that running it
// again after a failure midway finishes the job. Their filters are not by
// _id alone, so on the embedded store they read whole collections; an
// erasure is rare.

// redacted stands for the erased person's name or address in what is
// kept of other people's records: e-mail to them, the audit log.
const redacted = "[…]"

// person finds an erased person in texts, without regard to case: their
// id and addresses anywhere, their name as whole words only, so that a
// short name does not mangle the words that contain it.
type person struct {
	terms *regexp.Regexp // the id and the addresses
	name  *regexp.Regexp // the name between non-letters; nil without one
	// mention is what the database is asked for: any of them anywhere.
	// What it finds is redacted with terms and name.
	mention bson.Regex
}

func newPerson(id, name string, addresses []string) person {
	quoted := []string{regexp.QuoteMeta(id)}
	for _, a := range addresses {
		quoted = append(quoted, regexp.QuoteMeta(a))
	}
	p := person{terms: regexp.MustCompile(`(?i)` + strings.Join(quoted, "|"))}
	if name != "" {
		p.name = regexp.MustCompile(`(?i)(^|[^\pL\pN])(` + regexp.QuoteMeta(name) + `)($|[^\pL\pN])`)
		quoted = append(quoted, regexp.QuoteMeta(name))
	}
	p.mention = bson.Regex{Pattern: strings.Join(quoted, "|"), Options: "i"}
	return p
}

// redact replaces every mention of the person in s.
func (p person) redact(s string) string {
	s = p.terms.ReplaceAllLiteralString(s, redacted)
	if p.name == nil {
		return s
	}
	// A match takes a character on each side of the name, so two mentions
	// one character apart need a second pass.
	for {
		r := p.name.ReplaceAllString(s, "${1}"+redacted+"${3}")
		if r == s {
			return s
		}
		s = r
	}
}

// anyAddress matches a field that is exactly one of the addresses,
// without regard to case.
func anyAddress(addresses []string) bson.Regex {
	quoted := make([]string, len(addresses))
	for i, a := range addresses {
		quoted[i] = regexp.QuoteMeta(a)
	}
	return bson.Regex{Pattern: "^(?:" + strings.Join(quoted, "|") + ")$", Options: "i"}
}

type idRecord struct {
	ID string `bson:"_id"`
}

// deleteDoc deletes one document by _id under its lock, so that it does
// not fall between the read and the write of a change to it.
func (s *Store) deleteDoc(ctx context.Context, collection, id string) error {
	unlock := s.locks.lock(collection + "/" + id)
	defer unlock()
	defer s.invalidate(collection, id)
	_, err := s.db.Collection(collection).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return translate(err, collection)
}

// EraseAccount removes what the accounts keep of a person except the user
// document, which DeleteUser removes last: e-mail to any of their
// addresses, and their name and addresses in e-mail to others; their
// links and the invitations to their addresses; sessions, team
// memberships and roles; their id where they gave others a role or a
// link; and the audit events about them, while the events they caused on
// other people's records stay without them.
func (s *Store) EraseAccount(ctx context.Context, u account.User) error {
	// Their links may have gone to another address of theirs (a new one
	// being confirmed): they are read before the links go.
	addresses, err := s.addressesOf(ctx, u)
	if err != nil {
		return err
	}
	p := newPerson(u.ID, u.Name, addresses)
	if err := s.eraseMail(ctx, addresses, p); err != nil {
		return err
	}
	if err := s.eraseTokens(ctx, u.ID, addresses); err != nil {
		return err
	}
	if err := s.DeleteSessions(ctx, u.ID); err != nil {
		return err
	}
	if err := s.eraseRoles(ctx, u.ID); err != nil {
		return err
	}
	return s.eraseAudit(ctx, u.ID, p)
}

// addressesOf returns the user's address and those their links were sent
// to.
func (s *Store) addressesOf(ctx context.Context, u account.User) ([]string, error) {
	sentTo, err := findAll(ctx, s.db.Collection(tokensCollection), bson.D{{Key: "user_id", Value: u.ID}},
		options.Find().SetProjection(bson.D{{Key: "email", Value: 1}}), "links", func(r tokenRecord) string { return r.Email })
	if err != nil {
		return nil, err
	}
	addresses := []string{u.Email}
	for _, a := range sentTo {
		if a != "" && !slices.ContainsFunc(addresses, func(x string) bool { return strings.EqualFold(x, a) }) {
			addresses = append(addresses, a)
		}
	}
	return addresses, nil
}

// eraseMail deletes the e-mail to the person and redacts them from the
// e-mail to others (an invitation names the inviter). The dispatcher,
// the outbox's only other writer, may mark a message sent meanwhile; on
// the embedded store one of the two writes may then be lost (see
// docs/embedded-store.md): a lost redaction is done when erasing again, a
// lost mark sends the message again, redacted.
func (s *Store) eraseMail(ctx context.Context, addresses []string, p person) error {
	coll := s.db.Collection(outboxCollection)
	if _, err := coll.DeleteMany(ctx, bson.D{{Key: "to", Value: anyAddress(addresses)}}); err != nil {
		return translate(err, "e-mail messages")
	}
	msgs, err := findAll(ctx, coll, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "to_name", Value: p.mention}},
		bson.D{{Key: "subject", Value: p.mention}},
		bson.D{{Key: "text", Value: p.mention}},
	}}}, options.Find(), "e-mail messages", func(r outboxRecord) outboxRecord { return r })
	if err != nil {
		return err
	}
	for _, m := range msgs {
		toName, subject, text := p.redact(m.ToName), p.redact(m.Subject), p.redact(m.Text)
		if toName == m.ToName && subject == m.Subject && text == m.Text {
			continue // the name only inside a longer word
		}
		_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: m.ID}}, bson.D{{Key: "$set", Value: bson.D{
			{Key: "to_name", Value: toName}, {Key: "subject", Value: subject}, {Key: "text", Value: text},
		}}})
		if err != nil {
			return translate(err, "e-mail message")
		}
	}
	return nil
}

// eraseTokens deletes the person's links and the invitations to their
// addresses, and forgets them as the creator of the links they gave
// others (links are otherwise only inserted and deleted).
func (s *Store) eraseTokens(ctx context.Context, userID string, addresses []string) error {
	coll := s.db.Collection(tokensCollection)
	for _, filter := range []bson.D{
		{{Key: "user_id", Value: userID}},
		{{Key: "kind", Value: string(account.TokenInvite)}, {Key: "email", Value: anyAddress(addresses)}},
	} {
		if _, err := coll.DeleteMany(ctx, filter); err != nil {
			return translate(err, "links")
		}
	}
	_, err := coll.UpdateMany(ctx, bson.D{{Key: "created_by", Value: userID}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "created_by", Value: ""}}}})
	return translate(err, "links")
}

// eraseRoles takes the person out of their teams, forgets them as the
// giver of other people's roles, and removes their own roles.
func (s *Store) eraseRoles(ctx context.Context, userID string) error {
	defer s.invalidateLists()
	if _, err := s.db.Collection(teamMembersCollection).DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}}); err != nil {
		return translate(err, "team members")
	}
	holders, err := findAll(ctx, s.db.Collection(grantsCollection), bson.D{{Key: "grants.granted_by", Value: userID}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), "roles", func(r idRecord) string { return r.ID })
	if err != nil {
		return err
	}
	for _, holder := range holders {
		if holder == userID {
			continue // their own roles go below
		}
		err := s.changeGrants(ctx, holder, func(items []grantItem) []grantItem {
			out := slices.Clone(items)
			for i := range out {
				if out[i].GrantedBy == userID {
					out[i].GrantedBy = ""
				}
			}
			return out
		})
		if err != nil {
			return err
		}
	}
	return s.deleteDoc(ctx, grantsCollection, userID)
}

// eraseAudit removes the person from the audit log. The events about them
// go: those with them as the target, and those they caused with no other
// target (signing in, say). The events they caused on other people's
// records (a role given, a round opened) stay, without them as the actor,
// as part of those others' history. A mention of them in any detail is
// redacted. Events are otherwise only inserted and expired.
func (s *Store) eraseAudit(ctx context.Context, userID string, p person) error {
	coll := s.db.Collection(auditCollection)
	events, err := findAll(ctx, coll, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "actor_id", Value: userID}},
		bson.D{{Key: "target_id", Value: userID}},
		bson.D{{Key: "detail", Value: p.mention}},
	}}}, options.Find(), "audit events", func(r auditRecord) auditRecord { return r })
	if err != nil {
		return err
	}
	var about []string
	for _, e := range events {
		if e.TargetID == userID || (e.ActorID == userID && e.TargetID == "") {
			about = append(about, e.ID)
			continue
		}
		detail := p.redact(e.Detail)
		if detail == e.Detail && e.ActorID != userID {
			continue // the name only inside a longer word
		}
		update := bson.D{{Key: "$set", Value: bson.D{{Key: "detail", Value: detail}}}}
		if e.ActorID == userID {
			update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "actor_id", Value: ""}, {Key: "ip", Value: ""}}})
		}
		if _, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: e.ID}}, update); err != nil {
			return translate(err, "audit event")
		}
	}
	if len(about) == 0 {
		return nil
	}
	_, err = coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: about}}}})
	return translate(err, "audit events")
}

// DeleteUser deletes a user document, the last step of an erasure;
// deleting one that is gone is no error.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	// The index of their drafts, responses and awards goes last but one:
	// the parts of an erasure find what to erase through it.
	if err := s.deleteDoc(ctx, userIndexCollection, id); err != nil {
		return err
	}
	return s.deleteDoc(ctx, usersCollection, id)
}

// EraseRespondent deletes a user's responses and drafts, and forgets them
// as the opener of rounds (DeleteUser deletes their index). The rollup of each round they
// answered is removed before their response and rebuilt with build from
// the round's other responses after, under the rollup's lock: stopped
// between the two, the rollup is missing, and its next reader rebuilds it
// without them, never with them.
func (s *Store) EraseRespondent(ctx context.Context, userID string, build func(orgID, roundID string, responses []response.Response) (response.Rollup, error)) error {
	type roundRef struct {
		OrgID   string `bson:"org_id"`
		RoundID string `bson:"round_id"`
	}
	rounds, err := findAll(ctx, s.db.Collection(responsesCollection),
		bson.D{{Key: "user_id", Value: userID}, {Key: "round_id", Value: bson.D{{Key: "$ne", Value: ""}}}},
		options.Find().SetProjection(bson.D{{Key: "org_id", Value: 1}, {Key: "round_id", Value: 1}}), "responses",
		func(r roundRef) roundRef { return r })
	if err != nil {
		return err
	}
	slices.SortFunc(rounds, func(a, b roundRef) int { return strings.Compare(a.OrgID+":"+a.RoundID, b.OrgID+":"+b.RoundID) })
	for _, r := range slices.Compact(rounds) {
		if err := s.eraseRoundResponses(ctx, userID, r.OrgID, r.RoundID, build); err != nil {
			return err
		}
	}
	for _, c := range []string{responsesCollection, draftsCollection} {
		_, err := s.db.Collection(c).DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}})
		s.invalidatePrefix(c, ownedID(userID, ""))
		if err != nil {
			return translate(err, c)
		}
	}
	defer s.invalidateLists()
	_, err = s.db.Collection(roundsCollection).UpdateMany(ctx, bson.D{{Key: "created_by", Value: userID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "created_by", Value: ""}}}})
	return translate(err, "rounds")
}

// eraseRoundResponses deletes the user's response to a round and rebuilds
// the round's rollup without it.
func (s *Store) eraseRoundResponses(ctx context.Context, userID, orgID, roundID string, build func(orgID, roundID string, responses []response.Response) (response.Rollup, error)) error {
	key := rollupID(orgID, roundID)
	unlock := s.locks.lock(rollupsCollection + "/" + key)
	defer unlock()
	_, err := s.db.Collection(rollupsCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: key}})
	s.invalidate(rollupsCollection, key)
	if err != nil {
		return translate(err, "rollup")
	}
	_, err = s.db.Collection(responsesCollection).DeleteMany(ctx,
		bson.D{{Key: "user_id", Value: userID}, {Key: "org_id", Value: orgID}, {Key: "round_id", Value: roundID}})
	s.invalidatePrefix(responsesCollection, ownedID(userID, ""))
	if err != nil {
		return translate(err, "responses")
	}
	rest, err := s.RoundResponses(ctx, orgID, roundID)
	if err != nil {
		return err
	}
	ru, err := build(orgID, roundID, rest)
	if err != nil {
		return err
	}
	return s.putRollup(ctx, ru)
}

// DeleteEarnerRecords deletes a user's applications and their awards
// that were never accepted, so never public. (An erasure keeps the
// accepted ones, revoked, without the user: see badge.Service.ErasePerson.)
func (s *Store) DeleteEarnerRecords(ctx context.Context, userID string) error {
	for _, q := range []struct {
		collection string
		filter     bson.D
	}{
		{awardsCollection, bson.D{{Key: "user_id", Value: userID}, {Key: "accepted_at", Value: bson.D{{Key: "$exists", Value: false}}}}},
		{applicationsCollection, bson.D{{Key: "user_id", Value: userID}}},
	} {
		ids, err := findAll(ctx, s.db.Collection(q.collection), q.filter,
			options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), q.collection, func(r idRecord) string { return r.ID })
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.deleteDoc(ctx, q.collection, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// ApplicationsReviewedBy returns the applications on which the user gave
// a decision.
func (s *Store) ApplicationsReviewedBy(ctx context.Context, reviewerID string) ([]badge.Application, error) {
	return findAll(ctx, s.db.Collection(applicationsCollection), bson.D{{Key: "decisions.reviewer_id", Value: reviewerID}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), "applications", applicationRecord.application)
}

// AwardsRevokedBy returns the awards the user revoked.
func (s *Store) AwardsRevokedBy(ctx context.Context, userID string) ([]badge.Award, error) {
	return findAll(ctx, s.db.Collection(awardsCollection), bson.D{{Key: "revoked_by", Value: userID}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), "awards", awardRecord.award)
}
