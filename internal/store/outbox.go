package store

import (
	"context"
	"crypto/rand"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/apperr"
	"vertaa/internal/mail"
)

// outboxCollection holds e-mail messages waiting to be sent, and sent ones
// for the admin page. The code that uses it lives in this file.
const outboxCollection = "outbox"

// An outbox document is inserted by Enqueue and then changed only by
// MarkSent and MarkFailed, which one mail.Dispatcher calls one message at a
// time; so no document is updated concurrently (which the embedded store
// cannot do safely). A message waiting for its next attempt has
// next_attempt_at; sent and failed ones have none, so that the index
// {sent, next_attempt_at} leads Due to the waiting ones only.
type outboxRecord struct {
	ID            string     `bson:"_id"`
	To            string     `bson:"to"`
	ToName        string     `bson:"to_name"`
	Subject       string     `bson:"subject"`
	Text          string     `bson:"text"`
	CreatedAt     time.Time  `bson:"created_at"`
	Attempts      int        `bson:"attempts"`
	Sent          bool       `bson:"sent"`
	SentAt        *time.Time `bson:"sent_at,omitempty"`
	Failed        bool       `bson:"failed"`
	LastError     string     `bson:"last_error,omitempty"`
	NextAttemptAt *time.Time `bson:"next_attempt_at,omitempty"`
}

func (r outboxRecord) message() mail.Message {
	m := mail.Message{ID: r.ID, To: r.To, ToName: r.ToName, Subject: r.Subject, Text: r.Text,
		CreatedAt: r.CreatedAt, Attempts: r.Attempts, Failed: r.Failed, LastError: r.LastError}
	if r.SentAt != nil {
		m.SentAt = *r.SentAt
	}
	return m
}

// Enqueue adds messages to the outbox (ids and CreatedAt are set here).
// They are due at once. It stores all of them or none.
func (s *Store) Enqueue(ctx context.Context, msgs ...mail.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	created := now()
	docs := make([]any, len(msgs))
	for i, m := range msgs {
		if m.To == "" {
			return apperr.New(apperr.Invalid, "an e-mail message has no recipient")
		}
		docs[i] = outboxRecord{ID: rand.Text(), To: m.To, ToName: m.ToName, Subject: m.Subject, Text: m.Text,
			CreatedAt: created, NextAttemptAt: &created}
	}
	coll := s.db.Collection(outboxCollection)
	res, err := coll.InsertMany(ctx, docs)
	if err == nil {
		return nil
	}
	if res != nil && len(res.InsertedIDs) > 0 {
		_, _ = coll.DeleteMany(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: res.InsertedIDs}}}})
	}
	return translate(err, "e-mail message")
}

// Due returns up to limit unsent, not failed messages whose next attempt
// time is not after now, oldest first.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]mail.Message, error) {
	filter := bson.D{
		{Key: "sent", Value: false},
		{Key: "next_attempt_at", Value: bson.D{{Key: "$lte", Value: now}}},
		{Key: "failed", Value: false},
	}
	return s.findMail(ctx, filter, 1, limit)
}

// MarkSent records that the message with the given id was sent at at.
func (s *Store) MarkSent(ctx context.Context, id string, at time.Time) error {
	at = at.UTC().Truncate(time.Millisecond)
	res, err := s.db.Collection(outboxCollection).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "sent", Value: true}, {Key: "sent_at", Value: at}}},
			{Key: "$unset", Value: bson.D{{Key: "next_attempt_at", Value: ""}}},
		})
	if err != nil {
		return translate(err, "e-mail message")
	}
	if res.MatchedCount == 0 {
		return apperr.New(apperr.NotFound, "e-mail message not found")
	}
	return nil
}

// MarkFailed records a failed attempt of an unsent message: attempts so
// far, the error and the time of the next attempt, or, when next is zero,
// that no attempt follows.
func (s *Store) MarkFailed(ctx context.Context, id string, attempts int, lastError string, next time.Time) error {
	set := bson.D{
		{Key: "attempts", Value: attempts},
		{Key: "last_error", Value: lastError},
		{Key: "failed", Value: next.IsZero()},
	}
	var update bson.D
	if next.IsZero() {
		update = bson.D{{Key: "$set", Value: set}, {Key: "$unset", Value: bson.D{{Key: "next_attempt_at", Value: ""}}}}
	} else {
		set = append(set, bson.E{Key: "next_attempt_at", Value: next.UTC().Truncate(time.Millisecond)})
		update = bson.D{{Key: "$set", Value: set}}
	}
	res, err := s.db.Collection(outboxCollection).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "sent", Value: false}}, update)
	if err != nil {
		return translate(err, "e-mail message")
	}
	if res.MatchedCount == 0 {
		return apperr.New(apperr.NotFound, "unsent e-mail message not found")
	}
	return nil
}

// RecentMail returns the newest messages first, for the admin outbox page.
func (s *Store) RecentMail(ctx context.Context, limit int) ([]mail.Message, error) {
	return s.findMail(ctx, bson.D{}, -1, limit)
}

// findMail returns up to limit messages matching filter, ordered by
// creation time (order 1: oldest first; -1: newest first).
func (s *Store) findMail(ctx context.Context, filter bson.D, order, limit int) ([]mail.Message, error) {
	if limit < 1 {
		return nil, apperr.New(apperr.Invalid, "limit must be at least 1")
	}
	opts := options.Find().
		SetSort(bson.D{{Key: "created_at", Value: order}, {Key: "_id", Value: order}}).
		SetLimit(int64(limit))
	return findAll(ctx, s.db.Collection(outboxCollection), filter, opts, "e-mail messages", outboxRecord.message)
}
