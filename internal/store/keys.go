package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/keyring"
)

const keysCollection = "keys"

type keyRecord struct {
	ID      string    `bson:"_id"`
	Purpose string    `bson:"purpose"`
	Alg     string    `bson:"alg"`
	Sealed  []byte    `bson:"sealed"`
	Public  []byte    `bson:"public"`
	Created time.Time `bson:"created"`
	Retired time.Time `bson:"retired,omitempty"`
}

// SigningKeys returns the keys of a purpose, newest first.
func (s *Store) SigningKeys(ctx context.Context, purpose string) ([]keyring.StoredKey, error) {
	return s.signingKeys(ctx, bson.D{{Key: "purpose", Value: purpose}})
}

// AllSigningKeys returns the keys of every purpose, newest first.
func (s *Store) AllSigningKeys(ctx context.Context) ([]keyring.StoredKey, error) {
	return s.signingKeys(ctx, bson.D{})
}

func (s *Store) signingKeys(ctx context.Context, filter bson.D) ([]keyring.StoredKey, error) {
	return findAll(ctx, s.db.Collection(keysCollection), filter,
		options.Find().SetSort(bson.D{{Key: "created", Value: -1}, {Key: "_id", Value: -1}}), "keys",
		func(r keyRecord) keyring.StoredKey {
			return keyring.StoredKey{ID: r.ID, Purpose: r.Purpose, Alg: r.Alg, Sealed: r.Sealed, Public: r.Public, Created: r.Created, Retired: r.Retired}
		})
}

// RetireSigningKey marks a key as no longer signing.
func (s *Store) RetireSigningKey(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.Collection(keysCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "retired", Value: at.UTC().Truncate(time.Millisecond)}}}})
	if err != nil {
		return translate(err, "key")
	}
	if res.MatchedCount == 0 {
		return translate(mongo.ErrNoDocuments, "key")
	}
	return nil
}

// AddSigningKey stores a new key.
func (s *Store) AddSigningKey(ctx context.Context, k keyring.StoredKey) error {
	_, err := s.db.Collection(keysCollection).InsertOne(ctx, keyRecord{ID: k.ID, Purpose: k.Purpose, Alg: k.Alg, Sealed: k.Sealed,
		Public: k.Public, Created: k.Created.UTC().Truncate(time.Millisecond), Retired: k.Retired})
	return translate(err, "key")
}
