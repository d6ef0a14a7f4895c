package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/audit"
)

const auditCollection = "audit"

type auditRecord struct {
	ID       string    `bson:"_id"`
	At       time.Time `bson:"at"`
	ActorID  string    `bson:"actor_id,omitempty"`
	Action   string    `bson:"action"`
	OrgID    string    `bson:"org_id,omitempty"`
	TargetID string    `bson:"target_id,omitempty"`
	Detail   string    `bson:"detail,omitempty"`
	IP       string    `bson:"ip,omitempty"`
}

// Record adds an event to the audit log.
func (s *Store) Record(ctx context.Context, e audit.Event) error {
	r := auditRecord{ID: newID(), At: e.At.UTC().Truncate(time.Millisecond), ActorID: e.ActorID, Action: string(e.Action),
		OrgID: e.OrgID, TargetID: e.TargetID, Detail: e.Detail, IP: e.IP}
	_, err := s.db.Collection(auditCollection).InsertOne(ctx, r)
	return translate(err, "audit event")
}

// AuditEvents returns the newest events first, at most limit; only the
// organisation's when orgID is not "".
func (s *Store) AuditEvents(ctx context.Context, orgID string, limit int) ([]audit.Event, error) {
	filter := bson.D{}
	if orgID != "" {
		filter = bson.D{{Key: "org_id", Value: orgID}}
	}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit))
	return findAll(ctx, s.db.Collection(auditCollection), filter, opts, "audit events", func(r auditRecord) audit.Event {
		return audit.Event{ID: r.ID, At: r.At, ActorID: r.ActorID, Action: audit.Action(r.Action), OrgID: r.OrgID,
			TargetID: r.TargetID, Detail: r.Detail, IP: r.IP}
	})
}

// DeleteAuditBefore removes events older than t (retention).
func (s *Store) DeleteAuditBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := s.db.Collection(auditCollection).DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: t}}}})
	if err != nil {
		return 0, translate(err, "audit events")
	}
	return int(res.DeletedCount), nil
}
