// Package store keeps vertaa's data in MongoDB (or the embedded FerretDB,
// which speaks the same protocol). It is the only package that imports the
// driver; its record types stay inside it and its errors are *apperr.Error.
package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"vertaa/internal/apperr"
)

// Store is a connection to one database.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	locks  keyLocks // per document, for read-modify-write updates
	// exclusive is set when this process is the only one that writes the
	// database (the embedded store, whose data folder lock guarantees it):
	// changes serialised by locks then need no revision check in the
	// query, which the embedded store could not look up by _id alone.
	exclusive bool
	// cache keeps the documents read on every request (sessions, users,
	// roles) of an exclusive store; nil otherwise.
	cache *docCache
}

// SetExclusive tells the store that no other process writes its database,
// as with the embedded store. It may then cache what it reads on every
// request, since it sees every change.
func (s *Store) SetExclusive() {
	s.exclusive = true
	s.cache = &docCache{now: time.Now}
}

// findByID reads the document with the _id, through the cache of an
// exclusive store. found is false when there is none.
func findByID[R any](ctx context.Context, s *Store, collection, id string) (rec R, found bool, err error) {
	key := collection + "/" + id
	var t ticket
	if s.cache != nil {
		v, ok, tk := s.cache.get(key)
		if ok {
			return v.(R), true, nil
		}
		t = tk
	}
	err = s.db.Collection(collection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&rec)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, err
	}
	if s.cache != nil {
		s.cache.offer(t, rec)
	}
	return rec, true, nil
}

// invalidate drops the cached copy of a document after changing it.
func (s *Store) invalidate(collection, id string) {
	if s.cache != nil {
		s.cache.invalidate(collection + "/" + id)
	}
}

// cacheWritten caches a document just written, for an exclusive store.
func (s *Store) cacheWritten(collection, id string, rec any) {
	if s.cache != nil {
		s.cache.set(collection+"/"+id, rec)
	}
}

// listsKey prefixes the cached lists of an organisation's teams, members,
// roles and rounds, and of a questionnaire's rounds, which HR's pages read
// on every request.
const listsKey = "org-lists/"

// cachedList reads one of an organisation's lists through the cache of an
// exclusive store. Every change to teams, members, roles or rounds drops
// all the cached lists (invalidateLists): such changes are rare, reads are
// not.
func cachedList[T any](s *Store, key string, load func() ([]T, error)) ([]T, error) {
	if s.cache == nil {
		return load()
	}
	v, ok, t := s.cache.get(listsKey + key)
	if ok {
		return slices.Clone(v.([]T)), nil
	}
	list, err := load()
	if err == nil {
		s.cache.offer(t, slices.Clone(list))
	}
	return list, err
}

// invalidateLists drops the cached lists of every organisation.
func (s *Store) invalidateLists() {
	if s.cache != nil {
		s.cache.invalidatePrefix(listsKey)
	}
}

// invalidateList drops one cached list.
func (s *Store) invalidateList(key string) {
	if s.cache != nil {
		s.cache.invalidate(listsKey + key)
	}
}

// invalidatePrefix drops the cached copies of the documents whose _id
// starts with the prefix.
func (s *Store) invalidatePrefix(collection, prefix string) {
	if s.cache != nil {
		s.cache.invalidatePrefix(collection + "/" + prefix)
	}
}

// revisionFilter is the filter of an update of a document read at
// revision rev: its _id alone for an exclusive store, which serialises
// updates with its locks, and its _id and revision otherwise, so that a
// change made meanwhile by another process is not overwritten.
func (s *Store) revisionFilter(id string, rev int) bson.D {
	if s.exclusive {
		return bson.D{{Key: "_id", Value: id}}
	}
	return bson.D{{Key: "_id", Value: id}, {Key: "revision", Value: rev}}
}

// replaceAtRevision replaces the document id of a collection, read at
// revision rev, with rec (which holds the next revision). Changes to one
// document are serialised in this process by its lock; another process's
// change meanwhile makes it Conflict. current reads the document's
// revision now, or returns why it cannot (NotFound).
func (s *Store) replaceAtRevision(ctx context.Context, collection, id string, rev int, rec any, what string, current func() (int, error)) error {
	unlock := s.locks.lock(collection + "/" + id)
	defer unlock()
	if s.exclusive {
		cur, err := current()
		if err != nil {
			return err
		}
		if cur != rev {
			return translate(errStale, what)
		}
	}
	res, err := s.db.Collection(collection).ReplaceOne(ctx, s.revisionFilter(id, rev), rec)
	if err != nil {
		s.invalidate(collection, id)
		return translate(err, what)
	}
	if res.MatchedCount == 0 {
		s.invalidate(collection, id)
		if _, err := current(); err != nil {
			return err
		}
		return translate(errStale, what)
	}
	s.cacheWritten(collection, id, rec)
	return nil
}

var databaseName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,63}$`)

// ValidDatabaseName reports whether name can be used as a database name on
// both MongoDB and the embedded store (which keeps a database in a file).
func ValidDatabaseName(name string) bool { return databaseName.MatchString(name) }

// Open connects to the MongoDB deployment at uri, uses the named database,
// and checks within the context's deadline that the deployment answers.
// Writes are acknowledged by a majority with journaling unless the URI says
// otherwise.
func Open(ctx context.Context, uri, database string) (*Store, error) {
	if !ValidDatabaseName(database) {
		return nil, fmt.Errorf("database name %q: use 1 to 63 letters, digits, '_' or '-'", database)
	}
	opts := options.Client().ApplyURI(uri).SetAppName("vertaa")
	if opts.WriteConcern == nil {
		opts.SetWriteConcern(writeconcern.Majority())
		opts.WriteConcern.Journal = ptr(true)
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	s := &Store{client: client, db: client.Database(database)}
	if err := s.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	return s, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, nil); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "the database is not reachable")
	}
	return nil
}

// Close ends the connections to the database, waiting at most until ctx is
// done for operations in progress.
func (s *Store) Close(ctx context.Context) error {
	return s.client.Disconnect(ctx)
}

// errStale is the cause of a Conflict when a document changed since it
// was read.
var errStale = errors.New("changed by someone else since it was read")

// translate turns a driver error into an *apperr.Error. what names the
// thing being read or written, for NotFound and Conflict messages.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return apperr.Wrap(err, apperr.NotFound, "%s not found", what)
	case mongo.IsDuplicateKeyError(err):
		return apperr.Wrap(err, apperr.Conflict, "%s already exists", what)
	case errors.Is(err, errStale):
		e := apperr.Wrap(err, apperr.Conflict, "%s was changed meanwhile: reload and try again", what)
		e.Key = "stale"
		return e
	case mongo.IsTimeout(err), mongo.IsNetworkError(err),
		errors.Is(err, mongo.ErrClientDisconnected):
		return apperr.Wrap(err, apperr.Unavailable, "the database is not reachable")
	case diskFull(err):
		return apperr.Wrap(err, apperr.Unavailable, "the database cannot write: its disk is full or failing")
	}
	return apperr.Wrap(err, apperr.Internal, "%s", what)
}

// diskFull reports whether the embedded store failed to write its files:
// SQLite's "database or disk is full" (SQLITE_FULL) or a failed write
// (SQLITE_IOERR and its extended codes), which FerretDB passes on as the
// message of an internal error. Nothing was written then; the write may
// be tried again once there is room.
func diskFull(err error) bool {
	if _, ok := errors.AsType[mongo.ServerError](err); !ok {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "database or disk is full") || strings.Contains(msg, "disk I/O error")
}

func ptr[T any](v T) *T { return &v }

// findAll runs a query and converts every record it finds with conv.
// what names the records for errors.
func findAll[R, T any](ctx context.Context, c *mongo.Collection, filter bson.D, opts *options.FindOptionsBuilder, what string, conv func(R) T) ([]T, error) {
	cur, err := c.Find(ctx, filter, opts)
	if err != nil {
		return nil, translate(err, what)
	}
	var rs []R
	if err := cur.All(ctx, &rs); err != nil {
		return nil, translate(err, what)
	}
	out := make([]T, len(rs))
	for i, r := range rs {
		out[i] = conv(r)
	}
	return out, nil
}

// ownedID is the _id of a document that belongs to one user: the owner is
// part of the key. The embedded store looks a document up quickly only by
// its _id alone (see the contract tests), and a key with the owner in it
// keeps the owner check inside the query.
func ownedID(userID, id string) string { return userID + ":" + id }

// now is the clock of the store: UTC, truncated to milliseconds as BSON
// dates are, so that what is written equals what is read back.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
