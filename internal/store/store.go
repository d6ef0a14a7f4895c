// Package store keeps vertaa's data in MongoDB (or the embedded FerretDB,
// which speaks the same protocol). It is the only package that imports the
// driver; its record types stay inside it and its errors are *apperr.Error.
package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
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
	}
	return apperr.Wrap(err, apperr.Internal, "%s", what)
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

// now is the clock of the store: UTC, truncated to milliseconds as BSON
// dates are, so that what is written equals what is read back.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
