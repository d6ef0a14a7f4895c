package store

import (
	"context"
	"errors"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/apperr"
)

// This file is what backups and restores need of the store: every
// document of every collection as raw BSON, read at one point in time,
// and written back unchanged.

// CollectionCount is a collection and the number of its documents.
type CollectionCount struct {
	Name      string
	Documents int64
}

// Snapshot reads the database as it was at one point in time.
type Snapshot struct {
	s    *Store
	sess *mongo.Session // nil when nothing writes the database meanwhile
}

// StaticSnapshot returns a Snapshot that reads the database as it is at
// each read, without a session: a consistent view only of a database that
// nothing writes meanwhile, such as a copy of the embedded store's files,
// and enough to tell whether a database is empty.
func (s *Store) StaticSnapshot() *Snapshot { return &Snapshot{s: s} }

// Snapshot starts a MongoDB snapshot session: every read of the Snapshot
// sees the database as it was at its first read, whatever is written
// meanwhile. Only a replica set or a sharded cluster (of MongoDB 5.0 or
// later) can read so; a standalone server is an Invalid error that says
// so. Close the Snapshot when done.
func (s *Store) Snapshot(ctx context.Context) (*Snapshot, error) {
	var hello struct {
		SetName string `bson:"setName"`
		Msg     string `bson:"msg"`
	}
	if err := s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		return nil, translate(err, "the kind of deployment")
	}
	if hello.SetName == "" && hello.Msg != "isdbgrid" {
		return nil, apperr.New(apperr.Invalid, "the database is a standalone server, which cannot read every collection at one point in time; "+
			"make it a replica set (one member will do) to back it up")
	}
	sess, err := s.client.StartSession(options.Session().SetSnapshot(true))
	if err != nil {
		return nil, translate(err, "snapshot session")
	}
	return &Snapshot{s: s, sess: sess}, nil
}

// Close ends the snapshot session, if any.
func (sn *Snapshot) Close(ctx context.Context) {
	if sn.sess != nil {
		sn.sess.EndSession(ctx)
	}
}

// reading returns ctx with the snapshot session, if any.
func (sn *Snapshot) reading(ctx context.Context) context.Context {
	if sn.sess == nil {
		return ctx
	}
	return mongo.NewSessionContext(ctx, sn.sess)
}

// Collections lists the collections, but for MongoDB's own ("system.…"),
// by name, with the numbers of their documents in the snapshot. The
// names are listed outside the snapshot (listCollections cannot read
// one): a collection created meanwhile is listed with no documents.
func (sn *Snapshot) Collections(ctx context.Context) ([]CollectionCount, error) {
	names, err := sn.s.CollectionNames(ctx)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	out := make([]CollectionCount, 0, len(names))
	for _, name := range names {
		if strings.HasPrefix(name, "system.") {
			continue
		}
		n, err := sn.s.db.Collection(name).CountDocuments(sn.reading(ctx), bson.D{})
		if err != nil {
			return nil, translate(err, "documents of "+name)
		}
		out = append(out, CollectionCount{Name: name, Documents: n})
	}
	return out, nil
}

// InstanceID returns the id of the installation (see Instance), or ""
// when it has none yet. It writes nothing.
func (sn *Snapshot) InstanceID(ctx context.Context) (string, error) {
	var rec instanceRecord
	err := sn.s.db.Collection(instanceCollection).FindOne(sn.reading(ctx), bson.D{{Key: "_id", Value: "instance"}}).Decode(&rec)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", nil
	}
	return rec.ID, translate(err, "instance")
}

// Documents calls f with every document of the collection, as raw BSON
// that is valid only during the call.
func (sn *Snapshot) Documents(ctx context.Context, collection string, f func(doc []byte) error) error {
	ctx = sn.reading(ctx)
	cur, err := sn.s.db.Collection(collection).Find(ctx, bson.D{})
	if err != nil {
		return translate(err, "documents of "+collection)
	}
	defer cur.Close(context.Background())
	for cur.Next(ctx) {
		if err := f(cur.Current); err != nil {
			return err
		}
	}
	return translate(cur.Err(), "documents of "+collection)
}

// CheckDocument checks that doc is a BSON document with an _id, as
// InsertDocuments needs; the error is Invalid.
func CheckDocument(doc []byte) error {
	raw := bson.Raw(doc)
	if err := raw.Validate(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "not a valid BSON document")
	}
	if _, err := raw.LookupErr("_id"); err != nil {
		return apperr.New(apperr.Invalid, "a document without _id")
	}
	return nil
}

// CreateCollection creates the collection unless it exists.
func (s *Store) CreateCollection(ctx context.Context, name string) error {
	err := s.db.CreateCollection(ctx, name)
	if ce, ok := errors.AsType[mongo.CommandError](err); ok && ce.Code == 48 { // NamespaceExists
		return nil
	}
	return translate(err, "collection "+name)
}

// InsertDocuments writes raw BSON documents, as they are, into the
// collection, in their order. A restore writes every document this way
// and then runs EnsureSchema for the indexes.
func (s *Store) InsertDocuments(ctx context.Context, collection string, docs [][]byte) error {
	batch := make([]any, len(docs))
	for i, d := range docs {
		batch[i] = bson.Raw(d)
	}
	_, err := s.db.Collection(collection).InsertMany(ctx, batch)
	return translate(err, "documents of "+collection)
}
