package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/apperr"
)

// userIndexCollection keeps, for each user, the ids of their drafts,
// responses and awards. The embedded store finds a document quickly only by its _id
// (see docs/embedded-store.md): a filter on user_id reads the whole
// collection, so listing a leader's drafts, responses and badges, done on
// every start of an assessment, submission and home page, would grow with
// the instance (an award list took 700 ms among 2,000 awards). With the index it is one read by _id and one per item.
const userIndexCollection = "user_index"

// userIndexComplete is the _id of the marker written when the index has
// been built from the drafts and responses that predate it.
const userIndexComplete = "#complete"

// Fields of a user's index document.
const (
	indexDrafts    = "drafts"
	indexResponses = "responses"
	indexAwards    = "awards"
)

type userIndexRecord struct {
	ID        string   `bson:"_id"` // the user's id
	Drafts    []string `bson:"drafts"`
	Responses []string `bson:"responses"`
	Awards    []string `bson:"awards"`
}

// indexAdd adds id to the user's list field. It runs before the document
// it lists is written, so that a crash between the two leaves at worst an
// id that lists nothing, which readers skip; never a document that no list
// names.
func (s *Store) indexAdd(ctx context.Context, userID, field, id string) error {
	unlock := s.locks.lock(userIndexCollection + "/" + userID)
	defer unlock()
	defer s.invalidate(userIndexCollection, userID)
	_, err := s.db.Collection(userIndexCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: field, Value: id}}}}, options.UpdateOne().SetUpsert(true))
	return translate(err, "index of the user's records")
}

// indexRemove removes id from the user's list field, after the document
// it listed has gone.
func (s *Store) indexRemove(ctx context.Context, userID, field, id string) error {
	unlock := s.locks.lock(userIndexCollection + "/" + userID)
	defer unlock()
	defer s.invalidate(userIndexCollection, userID)
	_, err := s.db.Collection(userIndexCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}},
		bson.D{{Key: "$pull", Value: bson.D{{Key: field, Value: id}}}})
	return translate(err, "index of the user's records")
}

// userIndex returns the user's index; a user with no drafts or responses
// has an empty one.
func (s *Store) userIndex(ctx context.Context, userID string) (userIndexRecord, error) {
	rec, _, err := findByID[userIndexRecord](ctx, s, userIndexCollection, userID)
	return rec, translate(err, "index of the user's records")
}

// listed reads the documents an index list names, skipping ids whose
// document is gone (or was never written, after a crash).
func listed[T any](ctx context.Context, ids []string, read func(context.Context, string) (T, error)) ([]T, error) {
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		x, err := read(ctx, id)
		if apperr.KindOf(err) == apperr.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// buildUserIndex lists the drafts, responses and awards written before
// the index existed, once: the marker document says it was done. It is safe to run
// again after a crash midway, since adding an id is idempotent.
func (s *Store) buildUserIndex(ctx context.Context) error {
	c := s.db.Collection(userIndexCollection)
	err := c.FindOne(ctx, bson.D{{Key: "_id", Value: userIndexComplete}}).Err()
	if err == nil {
		return nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return translate(err, "index of the users' records")
	}
	// The id each collection's documents have of their own (FerretDB
	// projects fields but cannot rename them).
	type owned struct {
		Key      string `bson:"_id"`
		UserID   string `bson:"user_id"`
		Draft    string `bson:"draft_id"`
		Response string `bson:"response_id"`
	}
	for _, src := range []struct {
		collection, field string
		id                func(owned) string
	}{
		{draftsCollection, indexDrafts, func(o owned) string { return o.Draft }},
		{responsesCollection, indexResponses, func(o owned) string { return o.Response }},
		{awardsCollection, indexAwards, func(o owned) string { return o.Key }},
	} {
		docs, err := findAll(ctx, s.db.Collection(src.collection), bson.D{}, options.Find().SetProjection(bson.D{
			{Key: "user_id", Value: 1}, {Key: "draft_id", Value: 1}, {Key: "response_id", Value: 1}}), src.collection,
			func(o owned) owned { return o })
		if err != nil {
			return err
		}
		for _, d := range docs {
			if d.UserID == "" {
				continue // an erased person's award
			}
			if err := s.indexAdd(ctx, d.UserID, src.field, src.id(d)); err != nil {
				return err
			}
		}
	}
	_, err = c.InsertOne(ctx, bson.D{{Key: "_id", Value: userIndexComplete}, {Key: "at", Value: now()}})
	if mongo.IsDuplicateKeyError(err) {
		err = nil // built by another instance meanwhile
	}
	return translate(err, "index of the users' records")
}

// newestFirst orders records by a time, latest first, then by id.
func newestFirst[T any](xs []T, at func(T) time.Time, id func(T) string) {
	slices.SortFunc(xs, func(a, b T) int {
		if c := at(b).Compare(at(a)); c != 0 {
			return c
		}
		switch {
		case id(a) > id(b):
			return -1
		case id(a) < id(b):
			return 1
		}
		return 0
	})
}
