package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/account"
)

const (
	tokensCollection   = "tokens"
	sessionsCollection = "sessions"
)

type tokenRecord struct {
	Hash      string    `bson:"_id"`
	Kind      string    `bson:"kind"`
	UserID    string    `bson:"user_id,omitempty"`
	Email     string    `bson:"email,omitempty"`
	Name      string    `bson:"name,omitempty"`
	OrgID     string    `bson:"org_id,omitempty"`
	TeamID    string    `bson:"team_id,omitempty"`
	Role      string    `bson:"role,omitempty"`
	CreatedBy string    `bson:"created_by,omitempty"`
	Batch     string    `bson:"batch,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

func (r tokenRecord) token() account.Token {
	return account.Token{Kind: account.TokenKind(r.Kind), Hash: r.Hash, UserID: r.UserID, Email: r.Email, Name: r.Name,
		OrgID: r.OrgID, TeamID: r.TeamID, Role: account.Role(r.Role), CreatedBy: r.CreatedBy, Batch: r.Batch,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}
}

// AddTokens stores tokens; if any cannot be stored, those stored are
// removed again, so that it stores all or none.
func (s *Store) AddTokens(ctx context.Context, ts ...account.Token) error {
	docs := make([]any, len(ts))
	for i, t := range ts {
		docs[i] = tokenRecord{Hash: t.Hash, Kind: string(t.Kind), UserID: t.UserID, Email: t.Email, Name: t.Name, OrgID: t.OrgID,
			TeamID: t.TeamID, Role: string(t.Role), CreatedBy: t.CreatedBy, Batch: t.Batch,
			CreatedAt: t.CreatedAt.UTC().Truncate(time.Millisecond), ExpiresAt: t.ExpiresAt.UTC().Truncate(time.Millisecond)}
	}
	res, err := s.db.Collection(tokensCollection).InsertMany(ctx, docs)
	if err == nil {
		return nil
	}
	if res != nil && len(res.InsertedIDs) > 0 {
		_, _ = s.db.Collection(tokensCollection).DeleteMany(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: res.InsertedIDs}}}})
	}
	return translate(err, "link")
}

// Token returns an unexpired token of the kind without using it. It looks
// the token up by _id alone and checks kind and expiry after.
func (s *Store) Token(ctx context.Context, kind account.TokenKind, hash string, now time.Time) (account.Token, error) {
	var r tokenRecord
	err := s.db.Collection(tokensCollection).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&r)
	if err == nil && (r.Kind != string(kind) || !r.ExpiresAt.After(now)) {
		err = mongo.ErrNoDocuments
	}
	if err != nil {
		return account.Token{}, translate(err, "link")
	}
	return r.token(), nil
}

// ConsumeToken deletes an unexpired token and returns it. The delete
// decides: of concurrent callers only the one whose delete removed the
// record gets the token.
func (s *Store) ConsumeToken(ctx context.Context, kind account.TokenKind, hash string, now time.Time) (account.Token, error) {
	t, err := s.Token(ctx, kind, hash, now)
	if err != nil {
		return account.Token{}, err
	}
	res, err := s.db.Collection(tokensCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: hash}})
	if err != nil {
		return account.Token{}, translate(err, "link")
	}
	if res.DeletedCount != 1 {
		return account.Token{}, translate(mongo.ErrNoDocuments, "link")
	}
	return t, nil
}

// DeleteTokens deletes the tokens of a kind for a user, or for everyone
// when userID is "".
func (s *Store) DeleteTokens(ctx context.Context, kind account.TokenKind, userID string) error {
	filter := bson.D{{Key: "kind", Value: string(kind)}}
	if userID != "" {
		filter = append(filter, bson.E{Key: "user_id", Value: userID})
	}
	_, err := s.db.Collection(tokensCollection).DeleteMany(ctx, filter)
	return translate(err, "links")
}

// DeleteBatch deletes the tokens of one import.
func (s *Store) DeleteBatch(ctx context.Context, batch string) error {
	_, err := s.db.Collection(tokensCollection).DeleteMany(ctx, bson.D{{Key: "batch", Value: batch}})
	return translate(err, "links")
}

// Invitations lists an organisation's unexpired invitations, newest first.
func (s *Store) Invitations(ctx context.Context, orgID string, now time.Time) ([]account.Token, error) {
	return findAll(ctx, s.db.Collection(tokensCollection), bson.D{
		{Key: "org_id", Value: orgID},
		{Key: "kind", Value: bson.D{{Key: "$in", Value: bson.A{string(account.TokenInvite), string(account.TokenInviteLink)}}}},
		{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: now}}},
	}, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}), "invitations", tokenRecord.token)
}

type sessionRecord struct {
	Key       string    `bson:"_id"` // ownedID(user, session)
	ID        string    `bson:"session_id"`
	UserID    string    `bson:"user_id"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// CreateSession records a session.
func (s *Store) CreateSession(ctx context.Context, sess account.Session) error {
	_, err := s.db.Collection(sessionsCollection).InsertOne(ctx, sessionRecord{Key: ownedID(sess.UserID, sess.ID), ID: sess.ID, UserID: sess.UserID,
		CreatedAt: sess.CreatedAt.UTC().Truncate(time.Millisecond), ExpiresAt: sess.ExpiresAt.UTC().Truncate(time.Millisecond)})
	return translate(err, "session")
}

// Session returns the user's unexpired session. It runs on every request
// of a signed-in user, so it looks the session up by _id alone.
func (s *Store) Session(ctx context.Context, id, userID string, now time.Time) (account.Session, error) {
	r, found, err := findByID[sessionRecord](ctx, s, sessionsCollection, ownedID(userID, id))
	if err == nil && (!found || !r.ExpiresAt.After(now)) {
		err = mongo.ErrNoDocuments
	}
	if err != nil {
		return account.Session{}, translate(err, "session")
	}
	return account.Session{ID: r.ID, UserID: r.UserID, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}, nil
}

// DeleteSession ends one session of the user.
func (s *Store) DeleteSession(ctx context.Context, userID, id string) error {
	defer s.invalidate(sessionsCollection, ownedID(userID, id))
	_, err := s.db.Collection(sessionsCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: ownedID(userID, id)}})
	return translate(err, "session")
}

// DeleteSessions ends every session of a user.
func (s *Store) DeleteSessions(ctx context.Context, userID string) error {
	defer s.invalidatePrefix(sessionsCollection, ownedID(userID, ""))
	_, err := s.db.Collection(sessionsCollection).DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}})
	return translate(err, "sessions")
}

// DeleteExpired removes expired sessions and links, which the embedded
// store cannot expire by itself (it has no TTL indexes). It returns how
// many records went.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	defer s.invalidatePrefix(sessionsCollection, "")
	expired := bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: now}}}}
	n := 0
	for _, c := range []string{sessionsCollection, tokensCollection} {
		res, err := s.db.Collection(c).DeleteMany(ctx, expired)
		if err != nil {
			return n, translate(err, c)
		}
		n += int(res.DeletedCount)
	}
	return n, nil
}
