package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// collection is a collection the service needs, with its indexes.
type collection struct {
	name    string
	indexes []mongo.IndexModel
}

// collections lists every collection of the service. EnsureSchema creates
// them and their indexes; add a collection here, never in a handler.
var collections = []collection{
	{name: instanceCollection},
	{name: usersCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "email_key", Value: 1}}, Options: options.Index().SetUnique(true)},
		{Keys: bson.D{{Key: "name_key", Value: 1}}},
	}},
	{name: orgsCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "name_key", Value: 1}}, Options: options.Index().SetUnique(true)},
	}},
	{name: teamsCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "org_id", Value: 1}, {Key: "name_key", Value: 1}}, Options: options.Index().SetUnique(true)},
	}},
	{name: grantsCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "grants.org_id", Value: 1}}},
		{Keys: bson.D{{Key: "grants.role", Value: 1}}},
	}},
	{name: teamMembersCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "org_id", Value: 1}, {Key: "team_id", Value: 1}}},
		{Keys: bson.D{{Key: "user_id", Value: 1}}},
	}},
	{name: tokensCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "kind", Value: 1}, {Key: "user_id", Value: 1}}},
		{Keys: bson.D{{Key: "org_id", Value: 1}, {Key: "kind", Value: 1}}},
		{Keys: bson.D{{Key: "batch", Value: 1}}},
		{Keys: bson.D{{Key: "expires_at", Value: 1}}},
	}},
	{name: sessionsCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "user_id", Value: 1}}},
		{Keys: bson.D{{Key: "expires_at", Value: 1}}},
	}},
	{name: auditCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "at", Value: -1}}},
		{Keys: bson.D{{Key: "org_id", Value: 1}, {Key: "at", Value: -1}}},
	}},
	{name: keysCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "purpose", Value: 1}, {Key: "created", Value: -1}}},
	}},
	{name: roundsCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "org_id", Value: 1}, {Key: "opens", Value: -1}}},
		{Keys: bson.D{{Key: "org_id", Value: 1}, {Key: "closes", Value: 1}}},
		{Keys: bson.D{{Key: "questionnaire_id", Value: 1}}},
	}},
	{name: draftsCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "key", Value: 1}}, Options: options.Index().SetUnique(true)},
		{Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "updated_at", Value: -1}}},
		{Keys: bson.D{{Key: "org_id", Value: 1}}},
	}},
	{name: responsesCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "submitted_at", Value: -1}}},
		{Keys: bson.D{{Key: "org_id", Value: 1}, {Key: "questionnaire_id", Value: 1}}},
		{Keys: bson.D{{Key: "org_id", Value: 1}, {Key: "round_id", Value: 1}}},
	}},
	{name: definitionsCollection},
	{name: userIndexCollection},
	{name: rollupsCollection},
	{name: awardsCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "offered_at", Value: -1}}},
		{Keys: bson.D{{Key: "status_list", Value: 1}, {Key: "state", Value: 1}}},
		{Keys: bson.D{{Key: "offered_at", Value: -1}}},
	}},
	{name: applicationsCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "submitted_at", Value: -1}}},
		{Keys: bson.D{{Key: "state", Value: 1}, {Key: "org_id", Value: 1}}},
		{Keys: bson.D{{Key: "state", Value: 1}, {Key: "class_id", Value: 1}}},
	}},
	{name: countersCollection},
	{name: outboxCollection, indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "sent", Value: 1}, {Key: "next_attempt_at", Value: 1}}},
		{Keys: bson.D{{Key: "created_at", Value: -1}}},
	}},
}

// EnsureSchema creates the service's collections and indexes where they do
// not exist yet. It is idempotent and runs at every start.
func (s *Store) EnsureSchema(ctx context.Context) error {
	existing, err := s.CollectionNames(ctx)
	if err != nil {
		return err
	}
	have := make(map[string]bool, len(existing))
	for _, n := range existing {
		have[n] = true
	}
	for _, c := range collections {
		if !have[c.name] {
			err := s.db.CreateCollection(ctx, c.name)
			// Another instance may have created it meanwhile (code 48).
			if ce, ok := errors.AsType[mongo.CommandError](err); err != nil && !(ok && ce.Code == 48) {
				return fmt.Errorf("create collection %s: %w", c.name, translate(err, "collection "+c.name))
			}
		}
		// One index at a time: the embedded store fails when CreateMany
		// meets several indexes that exist already (see the contract).
		for _, ix := range c.indexes {
			if _, err := s.db.Collection(c.name).Indexes().CreateOne(ctx, ix); err != nil {
				return fmt.Errorf("create an index of %s: %w", c.name, translate(err, "indexes of "+c.name))
			}
		}
	}
	if err := s.buildUserIndex(ctx); err != nil {
		return fmt.Errorf("index the users' drafts and responses: %w", err)
	}
	return nil
}

// CollectionNames lists the collections of the database.
func (s *Store) CollectionNames(ctx context.Context) ([]string, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	return names, translate(err, "collections")
}
