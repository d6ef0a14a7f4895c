package store

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/apperr"
	"vertaa/internal/badge"
)

const (
	awardsCollection       = "awards"
	applicationsCollection = "applications"
	// countersCollection holds named counters, one document each, changed
	// only by nextCount.
	countersCollection = "counters"
)

// statusEntryCounter names the counter of status list entries.
const statusEntryCounter = "status_entry"

// The store is what the badge service needs.
var _ badge.Store = (*Store)(nil)

// optionalTime is how a time that may be unset is stored: absent when zero.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = ms(t)
	return &t
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

type evidenceRecord struct {
	Name      string `bson:"name"`
	Narrative string `bson:"narrative"`
	URL       string `bson:"url"`
	Public    bool   `bson:"public"`
}

// awardRecord is an award as stored. Times that may be unset are absent
// until set (as in the outbox); the evidence is an embedded array, empty
// rather than null when there is none.
type awardRecord struct {
	ID                string           `bson:"_id"`
	ClassID           string           `bson:"class_id"`
	UserID            string           `bson:"user_id"`
	OrgID             string           `bson:"org_id"`
	Source            string           `bson:"source"`
	State             string           `bson:"state"`
	Level             string           `bson:"level"`
	QuestionnaireHash string           `bson:"questionnaire_hash"`
	Evidence          []evidenceRecord `bson:"evidence"`
	OfferedAt         time.Time        `bson:"offered_at"`

	Name        string     `bson:"name"`
	Email       string     `bson:"email"`
	Salt        string     `bson:"salt"`
	SubjectID   string     `bson:"subject_id"`
	Lang        string     `bson:"lang"`
	AcceptedAt  *time.Time `bson:"accepted_at,omitempty"`
	ValidUntil  *time.Time `bson:"valid_until,omitempty"`
	StatusList  int        `bson:"status_list"`
	StatusIndex int        `bson:"status_index"`
	Credential  string     `bson:"credential"`

	DeclinedAt   *time.Time `bson:"declined_at,omitempty"`
	RevokedAt    *time.Time `bson:"revoked_at,omitempty"`
	RevokedBy    string     `bson:"revoked_by"`
	RevokeReason string     `bson:"revoke_reason"`

	Revision int `bson:"revision"`
}

// awardRecordOf returns the document stored for a, with its times
// truncated to milliseconds. It copies the evidence, so that a record kept
// in the cache shares nothing with the caller.
func awardRecordOf(a badge.Award) awardRecord {
	ev := make([]evidenceRecord, len(a.Evidence))
	for i, e := range a.Evidence {
		ev[i] = evidenceRecord{Name: e.Name, Narrative: e.Narrative, URL: e.URL, Public: e.Public}
	}
	return awardRecord{ID: a.ID, ClassID: a.ClassID, UserID: a.UserID, OrgID: a.OrgID, Source: a.Source, State: string(a.State),
		Level: a.Level, QuestionnaireHash: a.QuestionnaireHash, Evidence: ev, OfferedAt: ms(a.OfferedAt),
		Name: a.Name, Email: a.Email, Salt: a.Salt, SubjectID: a.SubjectID, Lang: a.Lang,
		AcceptedAt: optionalTime(a.AcceptedAt), ValidUntil: optionalTime(a.ValidUntil),
		StatusList: a.StatusList, StatusIndex: a.StatusIndex, Credential: a.Credential,
		DeclinedAt: optionalTime(a.DeclinedAt), RevokedAt: optionalTime(a.RevokedAt), RevokedBy: a.RevokedBy, RevokeReason: a.RevokeReason,
		Revision: a.Revision}
}

// award converts the record, copying the evidence (nil when there is
// none) so that the caller cannot change a cached record.
func (r awardRecord) award() badge.Award {
	var ev []badge.Evidence
	if len(r.Evidence) > 0 {
		ev = make([]badge.Evidence, len(r.Evidence))
		for i, e := range r.Evidence {
			ev[i] = badge.Evidence{Name: e.Name, Narrative: e.Narrative, URL: e.URL, Public: e.Public}
		}
	}
	return badge.Award{ID: r.ID, ClassID: r.ClassID, UserID: r.UserID, OrgID: r.OrgID, Source: r.Source, State: badge.State(r.State),
		Level: r.Level, QuestionnaireHash: r.QuestionnaireHash, Evidence: ev, OfferedAt: r.OfferedAt,
		Name: r.Name, Email: r.Email, Salt: r.Salt, SubjectID: r.SubjectID, Lang: r.Lang,
		AcceptedAt: timeOf(r.AcceptedAt), ValidUntil: timeOf(r.ValidUntil),
		StatusList: r.StatusList, StatusIndex: r.StatusIndex, Credential: r.Credential,
		DeclinedAt: timeOf(r.DeclinedAt), RevokedAt: timeOf(r.RevokedAt), RevokedBy: r.RevokedBy, RevokeReason: r.RevokeReason,
		Revision: r.Revision}
}

// AddAward stores a new award; an award with the same id is Conflict.
func (s *Store) AddAward(ctx context.Context, a badge.Award) error {
	if a.ID == "" {
		return apperr.New(apperr.Invalid, "an award has no id")
	}
	if err := s.indexAdd(ctx, a.UserID, indexAwards, a.ID); err != nil {
		return err
	}
	_, err := s.db.Collection(awardsCollection).InsertOne(ctx, awardRecordOf(a))
	return translate(err, "award")
}

// Award returns the award with the id. Public badge pages read it, so an
// exclusive store serves it from its cache.
func (s *Store) Award(ctx context.Context, id string) (badge.Award, error) {
	r, found, err := findByID[awardRecord](ctx, s, awardsCollection, id)
	if err == nil && !found {
		err = mongo.ErrNoDocuments
	}
	if err != nil {
		return badge.Award{}, translate(err, "award")
	}
	return r.award(), nil
}

// newestOffered orders awards newest offered first.
var newestOffered = bson.D{{Key: "offered_at", Value: -1}, {Key: "_id", Value: -1}}

// Awards returns the user's awards, the newest offered first. They are
// read through the user's index (see userIndexCollection); an award that
// no longer names the user (erased) is not theirs.
func (s *Store) Awards(ctx context.Context, userID string) ([]badge.Award, error) {
	ix, err := s.userIndex(ctx, userID)
	if err != nil {
		return nil, err
	}
	awards, err := listed(ctx, ix.Awards, s.Award)
	awards = slices.DeleteFunc(awards, func(a badge.Award) bool { return a.UserID != userID })
	newestFirst(awards, func(a badge.Award) time.Time { return a.OfferedAt }, func(a badge.Award) string { return a.ID })
	return awards, err
}

// RecentAwards returns up to limit awards of all users, the newest offered
// first.
func (s *Store) RecentAwards(ctx context.Context, limit int) ([]badge.Award, error) {
	if limit < 1 {
		return nil, apperr.New(apperr.Invalid, "limit must be at least 1")
	}
	return findAll(ctx, s.db.Collection(awardsCollection), bson.D{},
		options.Find().SetSort(newestOffered).SetLimit(int64(limit)), "awards", awardRecord.award)
}

// UpdateAward replaces an award that is still at revision a.Revision and
// returns it at the next revision; another revision is Conflict, a missing
// award NotFound. Changes to one award are serialised in this process
// (see keyLocks), as in UpdateDraft.
func (s *Store) UpdateAward(ctx context.Context, a badge.Award) (badge.Award, error) {
	rec := awardRecordOf(a)
	rec.Revision = a.Revision + 1
	if err := s.replaceAtRevision(ctx, awardsCollection, a.ID, a.Revision, rec, "award", func() (int, error) {
		cur, err := s.Award(ctx, a.ID)
		return cur.Revision, err
	}); err != nil {
		return badge.Award{}, err
	}
	return rec.award(), nil
}

// RevokedIndexes returns the status list indexes of the revoked awards of
// the list, in increasing order. Only awards that were accepted hold a
// status entry: one revoked before acceptance keeps the zero list and
// index, which must not revoke entry 0 of list 0.
func (s *Store) RevokedIndexes(ctx context.Context, list int) ([]int, error) {
	type indexRecord struct {
		Index int `bson:"status_index"`
	}
	return findAll(ctx, s.db.Collection(awardsCollection),
		bson.D{
			{Key: "status_list", Value: list},
			{Key: "state", Value: string(badge.Revoked)},
			{Key: "accepted_at", Value: bson.D{{Key: "$exists", Value: true}}},
		},
		options.Find().SetProjection(bson.D{{Key: "status_index", Value: 1}}).SetSort(bson.D{{Key: "status_index", Value: 1}}),
		"revoked awards", func(r indexRecord) int { return r.Index })
}

// RevokedAwards returns every revoked award that had been accepted (the
// others were never public), the latest revoked first, for the Open Badges
// 2.0 revocation list.
func (s *Store) RevokedAwards(ctx context.Context) ([]badge.Award, error) {
	return findAll(ctx, s.db.Collection(awardsCollection),
		bson.D{
			{Key: "state", Value: string(badge.Revoked)},
			{Key: "accepted_at", Value: bson.D{{Key: "$exists", Value: true}}},
		},
		options.Find().SetSort(bson.D{{Key: "revoked_at", Value: -1}, {Key: "_id", Value: -1}}),
		"revoked awards", awardRecord.award)
}

// NextStatusEntry returns a number never returned before, from 0 up.
func (s *Store) NextStatusEntry(ctx context.Context) (int, error) {
	n, err := s.nextCount(ctx, statusEntryCounter)
	return int(n), err
}

// nextCount raises the named counter and returns its value before: 0 at
// the first call. MongoDB applies a find-and-modify $inc atomically; the
// embedded store does not (concurrent calls return the same number, see
// TestContractFindAndModifyCounter), so calls are serialised in this
// process, which is the only writer of an embedded database. Concurrent
// first calls may both try to insert the counter, and all but one fail
// with a duplicate key: those try again and then find it.
func (s *Store) nextCount(ctx context.Context, name string) (int64, error) {
	unlock := s.locks.lock(countersCollection + "/" + name)
	defer unlock()
	var doc struct {
		N int64 `bson:"n"`
	}
	for attempt := 0; ; attempt++ {
		err := s.db.Collection(countersCollection).FindOneAndUpdate(ctx,
			bson.D{{Key: "_id", Value: name}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&doc)
		if mongo.IsDuplicateKeyError(err) && attempt < 3 {
			continue
		}
		if err != nil {
			return 0, translate(err, "counter "+name)
		}
		return doc.N - 1, nil
	}
}

type decisionRecord struct {
	ReviewerID   string    `bson:"reviewer_id"`
	ReviewerName string    `bson:"reviewer_name"`
	Round        int       `bson:"round"`
	Approve      bool      `bson:"approve"`
	Comment      string    `bson:"comment"`
	At           time.Time `bson:"at"`
}

// applicationRecord is an application as stored; links and decisions are
// embedded arrays, empty rather than null when there are none.
type applicationRecord struct {
	ID          string           `bson:"_id"`
	ClassID     string           `bson:"class_id"`
	UserID      string           `bson:"user_id"`
	OrgID       string           `bson:"org_id"`
	UserName    string           `bson:"user_name"`
	State       string           `bson:"state"`
	Evidence    string           `bson:"evidence"`
	Links       []string         `bson:"links"`
	Reflection  string           `bson:"reflection"`
	Round       int              `bson:"round"`
	Decisions   []decisionRecord `bson:"decisions"`
	SubmittedAt time.Time        `bson:"submitted_at"`
	UpdatedAt   time.Time        `bson:"updated_at"`
	AwardID     string           `bson:"award_id"`
	Revision    int              `bson:"revision"`
}

// applicationRecordOf returns the document stored for a, with its times
// truncated to milliseconds and its slices copied.
func applicationRecordOf(a badge.Application) applicationRecord {
	links := slices.Clone(a.Links)
	if links == nil {
		links = []string{}
	}
	ds := make([]decisionRecord, len(a.Decisions))
	for i, d := range a.Decisions {
		ds[i] = decisionRecord{ReviewerID: d.ReviewerID, ReviewerName: d.ReviewerName, Round: d.Round, Approve: d.Approve,
			Comment: d.Comment, At: ms(d.At)}
	}
	return applicationRecord{ID: a.ID, ClassID: a.ClassID, UserID: a.UserID, OrgID: a.OrgID, UserName: a.UserName,
		State: string(a.State), Evidence: a.Evidence, Links: links, Reflection: a.Reflection, Round: a.Round, Decisions: ds,
		SubmittedAt: ms(a.SubmittedAt), UpdatedAt: ms(a.UpdatedAt), AwardID: a.AwardID, Revision: a.Revision}
}

// application converts the record, copying its slices (nil when empty).
func (r applicationRecord) application() badge.Application {
	var links []string
	if len(r.Links) > 0 {
		links = slices.Clone(r.Links)
	}
	var ds []badge.Decision
	if len(r.Decisions) > 0 {
		ds = make([]badge.Decision, len(r.Decisions))
		for i, d := range r.Decisions {
			ds[i] = badge.Decision{ReviewerID: d.ReviewerID, ReviewerName: d.ReviewerName, Round: d.Round, Approve: d.Approve,
				Comment: d.Comment, At: d.At}
		}
	}
	return badge.Application{ID: r.ID, ClassID: r.ClassID, UserID: r.UserID, OrgID: r.OrgID, UserName: r.UserName,
		State: badge.ApplicationState(r.State), Evidence: r.Evidence, Links: links, Reflection: r.Reflection, Round: r.Round,
		Decisions: ds, SubmittedAt: r.SubmittedAt, UpdatedAt: r.UpdatedAt, AwardID: r.AwardID, Revision: r.Revision}
}

// AddApplication stores a new application; one with the same id is
// Conflict.
func (s *Store) AddApplication(ctx context.Context, a badge.Application) error {
	if a.ID == "" {
		return apperr.New(apperr.Invalid, "an application has no id")
	}
	_, err := s.db.Collection(applicationsCollection).InsertOne(ctx, applicationRecordOf(a))
	return translate(err, "application")
}

// Application returns the application with the id.
func (s *Store) Application(ctx context.Context, id string) (badge.Application, error) {
	r, found, err := findByID[applicationRecord](ctx, s, applicationsCollection, id)
	if err == nil && !found {
		err = mongo.ErrNoDocuments
	}
	if err != nil {
		return badge.Application{}, translate(err, "application")
	}
	return r.application(), nil
}

// Applications returns the user's applications, the latest submitted
// first.
func (s *Store) Applications(ctx context.Context, userID string) ([]badge.Application, error) {
	return findAll(ctx, s.db.Collection(applicationsCollection), bson.D{{Key: "user_id", Value: userID}},
		options.Find().SetSort(bson.D{{Key: "submitted_at", Value: -1}, {Key: "_id", Value: -1}}),
		"applications", applicationRecord.application)
}

// OpenApplications returns the submitted applications in any of the
// organisations or for any of the classes, the earliest submitted first.
// Empty ids are ignored, so that "" never matches the applications made
// outside any organisation; with no ids at all there are none.
func (s *Store) OpenApplications(ctx context.Context, orgIDs, classIDs []string) ([]badge.Application, error) {
	nonEmpty := func(ids []string) []string {
		return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == "" })
	}
	orgIDs, classIDs = nonEmpty(orgIDs), nonEmpty(classIDs)
	var or bson.A
	if len(orgIDs) > 0 {
		or = append(or, bson.D{{Key: "org_id", Value: bson.D{{Key: "$in", Value: orgIDs}}}})
	}
	if len(classIDs) > 0 {
		or = append(or, bson.D{{Key: "class_id", Value: bson.D{{Key: "$in", Value: classIDs}}}})
	}
	if len(or) == 0 {
		return nil, nil
	}
	return findAll(ctx, s.db.Collection(applicationsCollection),
		bson.D{{Key: "state", Value: string(badge.Submitted)}, {Key: "$or", Value: or}},
		options.Find().SetSort(bson.D{{Key: "submitted_at", Value: 1}, {Key: "_id", Value: 1}}),
		"applications", applicationRecord.application)
}

// UpdateApplication replaces an application that is still at revision
// a.Revision and returns it at the next revision; another revision is
// Conflict, a missing application NotFound.
func (s *Store) UpdateApplication(ctx context.Context, a badge.Application) (badge.Application, error) {
	rec := applicationRecordOf(a)
	rec.Revision = a.Revision + 1
	if err := s.replaceAtRevision(ctx, applicationsCollection, a.ID, a.Revision, rec, "application", func() (int, error) {
		cur, err := s.Application(ctx, a.ID)
		return cur.Revision, err
	}); err != nil {
		return badge.Application{}, err
	}
	return rec.application(), nil
}
