package store

import (
	"context"
	"crypto/rand"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

const instanceCollection = "instance"

// Instance identifies one installation of vertaa: the database it was
// created in and when. Its id stays the same across restarts, backups and
// restores.
type Instance struct {
	ID        string
	CreatedAt time.Time
}

type instanceRecord struct {
	Key       string    `bson:"_id"`
	ID        string    `bson:"instance_id"`
	CreatedAt time.Time `bson:"created_at"`
}

// Instance returns the installation's identity, creating it on the first
// start. Concurrent first starts agree on one identity: the record has a
// fixed _id, so only one insert can succeed.
func (s *Store) Instance(ctx context.Context) (Instance, error) {
	coll := s.db.Collection(instanceCollection)
	rec := instanceRecord{Key: "instance", ID: rand.Text(), CreatedAt: now()}
	_, err := coll.InsertOne(ctx, rec)
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return Instance{}, translate(err, "instance")
	}
	if err != nil {
		if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "instance"}}).Decode(&rec); err != nil {
			return Instance{}, translate(err, "instance")
		}
	}
	return Instance{ID: rec.ID, CreatedAt: rec.CreatedAt}, nil
}
