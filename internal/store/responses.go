package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
	"vertaa/internal/response"
	"vertaa/internal/scoring"
)

const (
	roundsCollection      = "rounds"
	draftsCollection      = "drafts"
	responsesCollection   = "responses"
	definitionsCollection = "definitions"
)

// The store is what the response service needs.
var _ response.Store = (*Store)(nil)

func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

type roundRecord struct {
	ID              string    `bson:"_id"`
	OrgID           string    `bson:"org_id"`
	QuestionnaireID string    `bson:"questionnaire_id"`
	Name            string    `bson:"name"`
	TeamIDs         []string  `bson:"team_ids"`
	Opens           time.Time `bson:"opens"`
	Closes          time.Time `bson:"closes"`
	CreatedBy       string    `bson:"created_by"`
	CreatedAt       time.Time `bson:"created_at"`
}

func (r roundRecord) round() response.Round {
	return response.Round{ID: r.ID, OrgID: r.OrgID, QuestionnaireID: r.QuestionnaireID, Name: r.Name, TeamIDs: r.TeamIDs,
		Opens: r.Opens, Closes: r.Closes, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

// CreateRound stores a new round.
func (s *Store) CreateRound(ctx context.Context, r response.Round) (response.Round, error) {
	defer s.invalidateLists()
	r.ID = newID()
	r.Opens, r.Closes, r.CreatedAt = ms(r.Opens), ms(r.Closes), ms(r.CreatedAt)
	if r.TeamIDs == nil {
		r.TeamIDs = []string{}
	}
	rec := roundRecord{ID: r.ID, OrgID: r.OrgID, QuestionnaireID: r.QuestionnaireID, Name: r.Name, TeamIDs: r.TeamIDs,
		Opens: r.Opens, Closes: r.Closes, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	if _, err := s.db.Collection(roundsCollection).InsertOne(ctx, rec); err != nil {
		return response.Round{}, translate(err, "round")
	}
	// The round's rollup starts empty, for its responses to be folded
	// into; without it the first reader builds it.
	if err := s.putRollup(ctx, response.Rollup{OrgID: r.OrgID, RoundID: r.ID}); err != nil {
		return response.Round{}, err
	}
	return r, nil
}

// Round returns a round of the organisation.
func (s *Store) Round(ctx context.Context, orgID, id string) (response.Round, error) {
	var r roundRecord
	if err := s.db.Collection(roundsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "org_id", Value: orgID}}).Decode(&r); err != nil {
		return response.Round{}, translate(err, "round")
	}
	return r.round(), nil
}

// Rounds returns the rounds of the organisation, the latest opened first.
func (s *Store) Rounds(ctx context.Context, orgID string) ([]response.Round, error) {
	return cachedList(s, orgID+"/rounds", func() ([]response.Round, error) {
		return findAll(ctx, s.db.Collection(roundsCollection), bson.D{{Key: "org_id", Value: orgID}},
			options.Find().SetSort(bson.D{{Key: "opens", Value: -1}, {Key: "_id", Value: 1}}), "rounds", roundRecord.round)
	})
}

// OpenRounds returns the rounds of the organisations open at now, closing
// soonest first.
func (s *Store) OpenRounds(ctx context.Context, orgIDs []string, now time.Time) ([]response.Round, error) {
	return findAll(ctx, s.db.Collection(roundsCollection), bson.D{
		{Key: "org_id", Value: bson.D{{Key: "$in", Value: orgIDs}}},
		{Key: "opens", Value: bson.D{{Key: "$lte", Value: now}}},
		{Key: "closes", Value: bson.D{{Key: "$gt", Value: now}}},
	}, options.Find().SetSort(bson.D{{Key: "closes", Value: 1}, {Key: "_id", Value: 1}}), "rounds", roundRecord.round)
}

// CloseRound moves a round's end to at.
func (s *Store) CloseRound(ctx context.Context, orgID, id string, at time.Time) error {
	defer s.invalidateLists()
	res, err := s.db.Collection(roundsCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "org_id", Value: orgID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "closes", Value: ms(at)}}}})
	if err != nil {
		return translate(err, "round")
	}
	if res.MatchedCount == 0 {
		return translate(mongo.ErrNoDocuments, "round")
	}
	return nil
}

// answerRecord is one answer as stored.
type answerRecord struct {
	Value float64 `bson:"v"`
	NA    bool    `bson:"na,omitempty"`
	Text  string  `bson:"t,omitempty"`
}

func answersRecord(a assessment.Answers) map[string]answerRecord {
	out := make(map[string]answerRecord, len(a))
	for id, x := range a {
		out[id] = answerRecord{Value: x.Value, NA: x.NA, Text: x.Text}
	}
	return out
}

func answersOf(r map[string]answerRecord) assessment.Answers {
	out := make(assessment.Answers, len(r))
	for id, x := range r {
		out[id] = assessment.Answer{Value: x.Value, NA: x.NA, Text: x.Text}
	}
	return out
}

type draftRecord struct {
	ID string `bson:"_id"` // ownedID(user, draft)
	// Key is user|round|questionnaire: one draft each.
	Key             string                  `bson:"key"`
	DraftID         string                  `bson:"draft_id"`
	UserID          string                  `bson:"user_id"`
	OrgID           string                  `bson:"org_id"`
	RoundID         string                  `bson:"round_id"`
	QuestionnaireID string                  `bson:"questionnaire_id"`
	Hash            string                  `bson:"hash"`
	Answers         map[string]answerRecord `bson:"answers"`
	Page            int                     `bson:"page"`
	SubmitKey       string                  `bson:"submit_key"`
	CreatedAt       time.Time               `bson:"created_at"`
	UpdatedAt       time.Time               `bson:"updated_at"`
	Revision        int                     `bson:"revision"`
}

func (r draftRecord) draft() response.Draft {
	return response.Draft{ID: r.DraftID, UserID: r.UserID, OrgID: r.OrgID, RoundID: r.RoundID, QuestionnaireID: r.QuestionnaireID,
		Hash: r.Hash, Answers: answersOf(r.Answers), Page: r.Page, SubmitKey: r.SubmitKey, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, Revision: r.Revision}
}

func draftRecordOf(d response.Draft) draftRecord {
	return draftRecord{ID: ownedID(d.UserID, d.ID), Key: draftKey(d.UserID, d.RoundID, d.QuestionnaireID), DraftID: d.ID, UserID: d.UserID,
		OrgID: d.OrgID, RoundID: d.RoundID, QuestionnaireID: d.QuestionnaireID, Hash: d.Hash, Answers: answersRecord(d.Answers), Page: d.Page,
		SubmitKey: d.SubmitKey, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Revision: d.Revision}
}

func draftKey(userID, roundID, questionnaireID string) string {
	return userID + "|" + roundID + "|" + questionnaireID
}

// CreateDraft stores a new draft; the user's second draft for one round
// (or personal questionnaire) is Conflict.
func (s *Store) CreateDraft(ctx context.Context, d response.Draft) (response.Draft, error) {
	d.ID = newID()
	d.CreatedAt, d.UpdatedAt = ms(d.CreatedAt), ms(d.UpdatedAt)
	if err := s.indexAdd(ctx, d.UserID, indexDrafts, d.ID); err != nil {
		return response.Draft{}, err
	}
	if d.OrgID != "" {
		defer s.invalidateList(orgDraftsList(d.OrgID))
	}
	_, err := s.db.Collection(draftsCollection).InsertOne(ctx, draftRecordOf(d))
	return d, translate(err, "draft")
}

// Draft returns the user's draft. Drafts are read at every page of a
// questionnaire, so an exclusive store serves them from its cache.
func (s *Store) Draft(ctx context.Context, userID, id string) (response.Draft, error) {
	r, found, err := findByID[draftRecord](ctx, s, draftsCollection, ownedID(userID, id))
	if err == nil && !found {
		err = mongo.ErrNoDocuments
	}
	if err != nil {
		return response.Draft{}, translate(err, "draft")
	}
	return r.draft(), nil
}

// DraftFor returns the user's draft for a round or personal questionnaire.
func (s *Store) DraftFor(ctx context.Context, userID, roundID, questionnaireID string) (response.Draft, error) {
	drafts, err := s.Drafts(ctx, userID)
	if err != nil {
		return response.Draft{}, err
	}
	for _, d := range drafts {
		if d.RoundID == roundID && d.QuestionnaireID == questionnaireID {
			return d, nil
		}
	}
	return response.Draft{}, translate(mongo.ErrNoDocuments, "draft")
}

// Drafts returns the user's drafts, the latest saved first. They are read
// through the user's index (see userIndexCollection).
func (s *Store) Drafts(ctx context.Context, userID string) ([]response.Draft, error) {
	ix, err := s.userIndex(ctx, userID)
	if err != nil {
		return nil, err
	}
	drafts, err := listed(ctx, ix.Drafts, func(ctx context.Context, id string) (response.Draft, error) {
		return s.Draft(ctx, userID, id)
	})
	newestFirst(drafts, func(d response.Draft) time.Time { return d.UpdatedAt }, func(d response.Draft) string { return d.ID })
	return drafts, err
}

// UpdateDraft replaces a draft's answers, page and time if it is still at
// revision d.Revision, and returns it at the next revision. Changes to one
// draft are serialised in this process (see keyLocks).
func (s *Store) UpdateDraft(ctx context.Context, d response.Draft) (response.Draft, error) {
	unlock := s.locks.lock(draftsCollection + "/" + d.ID)
	defer unlock()
	if s.exclusive {
		cur, err := s.Draft(ctx, d.UserID, d.ID)
		if err != nil {
			return response.Draft{}, err
		}
		if cur.Revision != d.Revision {
			return response.Draft{}, translate(errStale, "draft")
		}
	}
	d.UpdatedAt = ms(d.UpdatedAt)
	res, err := s.db.Collection(draftsCollection).UpdateOne(ctx,
		s.revisionFilter(ownedID(d.UserID, d.ID), d.Revision),
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "answers", Value: answersRecord(d.Answers)},
			{Key: "page", Value: d.Page},
			{Key: "updated_at", Value: d.UpdatedAt},
			{Key: "revision", Value: d.Revision + 1},
		}}})
	if err != nil {
		return response.Draft{}, translate(err, "draft")
	}
	if res.MatchedCount == 0 {
		s.invalidate(draftsCollection, ownedID(d.UserID, d.ID))
		if _, err := s.Draft(ctx, d.UserID, d.ID); err != nil {
			return response.Draft{}, err
		}
		return response.Draft{}, translate(errStale, "draft")
	}
	d.Revision++
	s.cacheWritten(draftsCollection, ownedID(d.UserID, d.ID), draftRecordOf(d))
	return d, nil
}

// DeleteSubmittedDrafts removes the drafts that became responses before
// the time given (submitting leaves them, so that it costs one insert) and
// returns how many went. A draft is kept for a while after it was
// submitted, so that a user who sends the form again, because the answer
// to the first submission was lost (a crash, a dropped connection), is
// led to the response it made rather than told the draft is gone.
func (s *Store) DeleteSubmittedDrafts(ctx context.Context, before time.Time) (int, error) {
	drafts, err := findAll(ctx, s.db.Collection(draftsCollection), bson.D{}, options.Find(), "drafts", draftRecord.draft)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range drafts {
		r, err := s.Response(ctx, d.UserID, d.SubmitKey)
		if apperr.KindOf(err) == apperr.NotFound {
			continue
		}
		if err != nil {
			return n, err
		}
		if !r.SubmittedAt.Before(before) {
			continue
		}
		if err := s.DeleteDraft(ctx, d.UserID, d.ID); err != nil && apperr.KindOf(err) != apperr.NotFound {
			return n, err
		}
		n++
	}
	return n, nil
}

// DeleteDraft deletes the user's draft.
func (s *Store) DeleteDraft(ctx context.Context, userID, id string) error {
	if d, err := s.Draft(ctx, userID, id); err == nil && d.OrgID != "" {
		defer s.invalidateList(orgDraftsList(d.OrgID))
	}
	defer s.invalidate(draftsCollection, ownedID(userID, id))
	res, err := s.db.Collection(draftsCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: ownedID(userID, id)}})
	if err != nil {
		return translate(err, "draft")
	}
	if res.DeletedCount == 0 {
		return translate(mongo.ErrNoDocuments, "draft")
	}
	return s.indexRemove(ctx, userID, indexDrafts, id)
}

type areaRecord struct {
	ID       string  `bson:"id"`
	Score    float64 `bson:"score"`
	Enough   bool    `bson:"enough"`
	Level    string  `bson:"level,omitempty"`
	Answered int     `bson:"answered"`
	NA       int     `bson:"na"`
	Items    int     `bson:"items"`
}

type resultRecord struct {
	Areas        []areaRecord `bson:"areas"`
	Overall      float64      `bson:"overall"`
	OverallOK    bool         `bson:"overall_enough"`
	OverallLevel string       `bson:"overall_level,omitempty"`
	OverallAreas int          `bson:"overall_areas"`
	Strengths    []string     `bson:"strengths"`
	Development  []string     `bson:"development"`
}

func resultRecordOf(r scoring.Result) resultRecord {
	rec := resultRecord{Overall: r.Overall.Score, OverallOK: r.Overall.Enough, OverallLevel: r.Overall.Level, OverallAreas: r.Overall.Areas,
		Strengths: r.Strengths, Development: r.Development}
	for _, a := range r.Areas {
		rec.Areas = append(rec.Areas, areaRecord{ID: a.ID, Score: a.Score, Enough: a.Enough, Level: a.Level, Answered: a.Answered, NA: a.NA, Items: a.Items})
	}
	return rec
}

func (rec resultRecord) result() scoring.Result {
	r := scoring.Result{Overall: scoring.Overall{Score: rec.Overall, Enough: rec.OverallOK, Level: rec.OverallLevel, Areas: rec.OverallAreas},
		Strengths: rec.Strengths, Development: rec.Development}
	for _, a := range rec.Areas {
		r.Areas = append(r.Areas, scoring.AreaResult{ID: a.ID, Score: a.Score, Enough: a.Enough, Level: a.Level, Answered: a.Answered, NA: a.NA, Items: a.Items})
	}
	return r
}

type responseRecord struct {
	Key             string                  `bson:"_id"` // ownedID(user, response)
	ID              string                  `bson:"response_id"`
	UserID          string                  `bson:"user_id"`
	OrgID           string                  `bson:"org_id"`
	RoundID         string                  `bson:"round_id"`
	TeamIDs         []string                `bson:"team_ids"`
	QuestionnaireID string                  `bson:"questionnaire_id"`
	Version         string                  `bson:"version"`
	Hash            string                  `bson:"hash"`
	Answers         map[string]answerRecord `bson:"answers"`
	Result          resultRecord            `bson:"result"`
	Shared          bool                    `bson:"shared"`
	SubmittedAt     time.Time               `bson:"submitted_at"`
}

func (r responseRecord) response() response.Response {
	return response.Response{ID: r.ID, UserID: r.UserID, OrgID: r.OrgID, RoundID: r.RoundID, TeamIDs: r.TeamIDs,
		QuestionnaireID: r.QuestionnaireID, Version: r.Version, Hash: r.Hash, Answers: answersOf(r.Answers), Result: r.Result.result(),
		Shared: r.Shared, SubmittedAt: r.SubmittedAt}
}

// responseRecordOf returns the document stored for r.
func responseRecordOf(r response.Response) responseRecord {
	if r.TeamIDs == nil {
		r.TeamIDs = []string{}
	}
	return responseRecord{Key: ownedID(r.UserID, r.ID), ID: r.ID, UserID: r.UserID, OrgID: r.OrgID, RoundID: r.RoundID, TeamIDs: r.TeamIDs,
		QuestionnaireID: r.QuestionnaireID, Version: r.Version, Hash: r.Hash, Answers: answersRecord(r.Answers),
		Result: resultRecordOf(r.Result), Shared: r.Shared, SubmittedAt: ms(r.SubmittedAt)}
}

// AddResponse stores a response; the user's second response with one id
// (the draft's submit key) is Conflict.
func (s *Store) AddResponse(ctx context.Context, r response.Response) (response.Response, error) {
	r.SubmittedAt = ms(r.SubmittedAt)
	if err := s.indexAdd(ctx, r.UserID, indexResponses, r.ID); err != nil {
		return response.Response{}, err
	}
	if _, err := s.db.Collection(responsesCollection).InsertOne(ctx, responseRecordOf(r)); err != nil {
		return response.Response{}, translate(err, "response")
	}
	return r, nil
}

// Response returns the user's response. A leader's responses are read on
// every page that lists them, so an exclusive store serves them from its
// cache: they change only when shared or erased.
func (s *Store) Response(ctx context.Context, userID, id string) (response.Response, error) {
	r, found, err := findByID[responseRecord](ctx, s, responsesCollection, ownedID(userID, id))
	if err == nil && !found {
		err = mongo.ErrNoDocuments
	}
	if err != nil {
		return response.Response{}, translate(err, "response")
	}
	return r.response(), nil
}

// Responses returns the user's responses, newest first.
func (s *Store) Responses(ctx context.Context, userID string) ([]response.Response, error) {
	ix, err := s.userIndex(ctx, userID)
	if err != nil {
		return nil, err
	}
	rs, err := listed(ctx, ix.Responses, func(ctx context.Context, id string) (response.Response, error) {
		return s.Response(ctx, userID, id)
	})
	newestFirst(rs, func(r response.Response) time.Time { return r.SubmittedAt }, func(r response.Response) string { return r.ID })
	return rs, err
}

// SetShared sets whether HR may see the user's response individually,
// and marks it so in its round's rollup with mark, under the rollup's lock.
func (s *Store) SetShared(ctx context.Context, userID, id string, shared bool, mark func(*response.Rollup)) error {
	r, err := s.Response(ctx, userID, id)
	if err != nil {
		return err
	}
	if r.RoundID != "" {
		unlock := s.locks.lock(rollupsCollection + "/" + rollupID(r.OrgID, r.RoundID))
		defer unlock()
	}
	defer s.invalidate(responsesCollection, ownedID(userID, id))
	res, err := s.db.Collection(responsesCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: ownedID(userID, id)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "shared", Value: shared}}}})
	if err != nil {
		return translate(err, "response")
	}
	if res.MatchedCount == 0 {
		return translate(mongo.ErrNoDocuments, "response")
	}
	if r.RoundID != "" {
		s.updateRollup(ctx, r.OrgID, r.RoundID, func(ru *response.Rollup) error { mark(ru); return nil })
	}
	return nil
}

type definitionRecord struct {
	Hash    string    `bson:"_id"`
	ID      string    `bson:"questionnaire_id"`
	Version string    `bson:"version"`
	JSON    string    `bson:"json"`
	SavedAt time.Time `bson:"saved_at"`
}

// SaveDefinition keeps a questionnaire version under its hash.
func (s *Store) SaveDefinition(ctx context.Context, q *assessment.Questionnaire) error {
	b, err := json.Marshal(q)
	if err != nil {
		return fmt.Errorf("encode questionnaire %s: %w", q.ID, err)
	}
	_, err = s.db.Collection(definitionsCollection).InsertOne(ctx, definitionRecord{Hash: q.Hash, ID: q.ID, Version: q.Version, JSON: string(b), SavedAt: now()})
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	return translate(err, "questionnaire version")
}

// Definition returns the questionnaire version with the hash.
func (s *Store) Definition(ctx context.Context, hash string) (*assessment.Questionnaire, error) {
	var r definitionRecord
	if err := s.db.Collection(definitionsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&r); err != nil {
		return nil, translate(err, "questionnaire version")
	}
	var q assessment.Questionnaire
	if err := json.Unmarshal([]byte(r.JSON), &q); err != nil {
		return nil, fmt.Errorf("decode questionnaire version %s: %w", hash, err)
	}
	q.Hash, q.Source = r.Hash, "database"
	return &q, nil
}

// RoundResponses returns the responses to a round of the organisation.
func (s *Store) RoundResponses(ctx context.Context, orgID, roundID string) ([]response.Response, error) {
	return findAll(ctx, s.db.Collection(responsesCollection),
		bson.D{{Key: "org_id", Value: orgID}, {Key: "round_id", Value: roundID}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), "responses", responseRecord.response)
}

// OrgDrafts returns the drafts of the organisation's rounds without their
// answers: who started which round. HR's every page reads it, and the
// embedded store would read every draft of every user for it, so an
// exclusive store caches it until a draft of the organisation is created
// or deleted (saving a page changes nothing it returns).
func (s *Store) OrgDrafts(ctx context.Context, orgID string) ([]response.Draft, error) {
	return cachedList(s, orgDraftsList(orgID), func() ([]response.Draft, error) {
		return findAll(ctx, s.db.Collection(draftsCollection), bson.D{{Key: "org_id", Value: orgID}},
			options.Find().SetProjection(bson.D{{Key: "answers", Value: 0}}), "drafts", draftRecord.draft)
	})
}

func orgDraftsList(orgID string) string { return orgID + "/drafts" }

// QuestionnaireRounds returns every organisation's rounds of a
// questionnaire, the latest opened first.
func (s *Store) QuestionnaireRounds(ctx context.Context, questionnaireID string) ([]response.Round, error) {
	return cachedList(s, "questionnaire:"+questionnaireID+"/rounds", func() ([]response.Round, error) {
		return findAll(ctx, s.db.Collection(roundsCollection), bson.D{{Key: "questionnaire_id", Value: questionnaireID}},
			options.Find().SetSort(bson.D{{Key: "opens", Value: -1}, {Key: "_id", Value: 1}}), "rounds", roundRecord.round)
	})
}
