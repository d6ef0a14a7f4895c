package store

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"vertaa/internal/analytics"
	"vertaa/internal/apperr"
	"vertaa/internal/response"
)

// A rollup is one document per round, read by _id alone (the only filter
// the embedded store looks up without decoding the whole collection).
// Changes to it are serialised by its lock in this process; a response of
// the round is inserted and folded in under that lock, so that a rebuild
// can never fall between the two and count a response twice.

const rollupsCollection = "rollups"

func rollupID(orgID, roundID string) string { return orgID + ":" + roundID }

type rollupRecord struct {
	Key      string                `bson:"_id"`
	OrgID    string                `bson:"org_id"`
	RoundID  string                `bson:"round_id"`
	Versions []rollupVersionRecord `bson:"versions"`
	Shared   []sharedRecord        `bson:"shared"`
}

type sharedRecord struct {
	UserID     string `bson:"user_id"`
	ResponseID string `bson:"response_id"`
}

type rollupVersionRecord struct {
	Hash      string         `bson:"hash"`
	Responses int            `bson:"responses"`
	Check     int64          `bson:"check"` // the uint64 check's bits
	Buckets   []bucketRecord `bson:"buckets"`
}

type bucketRecord struct {
	Teams       []string     `bson:"teams"`
	Respondents int          `bson:"respondents"`
	Cols        []statRecord `bson:"cols"`
}

type statRecord struct {
	N      int     `bson:"n"`
	Mean   float64 `bson:"mean"`
	M2     float64 `bson:"m2"`
	Levels []int   `bson:"levels"`
}

func rollupRecordOf(ru response.Rollup) rollupRecord {
	rec := rollupRecord{Key: rollupID(ru.OrgID, ru.RoundID), OrgID: ru.OrgID, RoundID: ru.RoundID, Versions: []rollupVersionRecord{}, Shared: []sharedRecord{}}
	for _, sh := range ru.Shared {
		rec.Shared = append(rec.Shared, sharedRecord{UserID: sh.UserID, ResponseID: sh.ResponseID})
	}
	for _, v := range ru.Versions {
		vr := rollupVersionRecord{Hash: v.Hash, Responses: v.Responses, Check: int64(v.Check), Buckets: []bucketRecord{}}
		for _, b := range v.Aggregate.Buckets {
			br := bucketRecord{Teams: b.Teams, Respondents: b.Respondents}
			if br.Teams == nil {
				br.Teams = []string{}
			}
			for _, c := range b.Cols {
				br.Cols = append(br.Cols, statRecord{N: c.N, Mean: c.Mean, M2: c.M2, Levels: c.Levels})
			}
			vr.Buckets = append(vr.Buckets, br)
		}
		rec.Versions = append(rec.Versions, vr)
	}
	return rec
}

func (rec rollupRecord) rollup() response.Rollup {
	ru := response.Rollup{OrgID: rec.OrgID, RoundID: rec.RoundID}
	for _, sh := range rec.Shared {
		ru.Shared = append(ru.Shared, response.SharedRef{UserID: sh.UserID, ResponseID: sh.ResponseID})
	}
	for _, vr := range rec.Versions {
		v := response.RollupVersion{Hash: vr.Hash, Responses: vr.Responses, Check: uint64(vr.Check)}
		for _, br := range vr.Buckets {
			// Copies: the record may be the cache's, and folding changes
			// the rollup in place.
			b := analytics.Bucket{Respondents: br.Respondents}
			if len(br.Teams) > 0 {
				b.Teams = slices.Clone(br.Teams)
			}
			for _, c := range br.Cols {
				b.Cols = append(b.Cols, analytics.Stat{N: c.N, Mean: c.Mean, M2: c.M2, Levels: slices.Clone(c.Levels)})
			}
			v.Aggregate.Buckets = append(v.Aggregate.Buckets, b)
		}
		ru.Versions = append(ru.Versions, v)
	}
	return ru
}

// Rollup returns a round's rollup; NotFound when it has none yet. An
// exclusive store reads it from its cache.
func (s *Store) Rollup(ctx context.Context, orgID, roundID string) (response.Rollup, error) {
	rec, found, err := findByID[rollupRecord](ctx, s, rollupsCollection, rollupID(orgID, roundID))
	if err != nil {
		return response.Rollup{}, translate(err, "rollup")
	}
	if !found {
		return response.Rollup{}, translate(mongo.ErrNoDocuments, "rollup")
	}
	return rec.rollup(), nil
}

// Rollups returns every round's rollup.
func (s *Store) Rollups(ctx context.Context) ([]response.Rollup, error) {
	return findAll(ctx, s.db.Collection(rollupsCollection), bson.D{}, options.Find(), "rollups", rollupRecord.rollup)
}

func (s *Store) putRollup(ctx context.Context, ru response.Rollup) error {
	rec := rollupRecordOf(ru)
	if _, err := s.db.Collection(rollupsCollection).ReplaceOne(ctx, bson.D{{Key: "_id", Value: rec.Key}}, rec, options.Replace().SetUpsert(true)); err != nil {
		s.invalidate(rollupsCollection, rec.Key)
		return translate(err, "rollup")
	}
	s.cacheWritten(rollupsCollection, rec.Key, rec)
	return nil
}

// AddRoundResponse stores a response of a round and folds it into the
// round's rollup with fold. A second response of the user with the same
// id is Conflict and folds nothing. Once the response is stored, it is
// the answer: if the rollup cannot be updated it is removed, so that the
// next reader rebuilds it from the responses.
func (s *Store) AddRoundResponse(ctx context.Context, r response.Response, fold func(*response.Rollup) error) (response.Response, error) {
	unlock := s.locks.lock(rollupsCollection + "/" + rollupID(r.OrgID, r.RoundID))
	defer unlock()
	r, err := s.AddResponse(ctx, r)
	if err != nil {
		return response.Response{}, err
	}
	s.updateRollup(ctx, r.OrgID, r.RoundID, fold)
	return r, nil
}

// updateRollup changes a round's rollup with change; the caller holds its
// lock. A rollup that is lost stays so, for its next reader to rebuild;
// one that cannot be changed is removed, for the same.
func (s *Store) updateRollup(ctx context.Context, orgID, roundID string, change func(*response.Rollup) error) {
	ru, err := s.Rollup(ctx, orgID, roundID)
	if apperr.KindOf(err) == apperr.NotFound {
		return
	}
	if err == nil {
		if err = change(&ru); err == nil {
			err = s.putRollup(ctx, ru)
		}
	}
	if err != nil {
		_, _ = s.db.Collection(rollupsCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: rollupID(orgID, roundID)}})
		s.invalidate(rollupsCollection, rollupID(orgID, roundID))
	}
}

// RebuildRollup replaces a round's rollup with the one build makes from
// all the round's responses.
func (s *Store) RebuildRollup(ctx context.Context, orgID, roundID string, build func([]response.Response) (response.Rollup, error)) error {
	unlock := s.locks.lock(rollupsCollection + "/" + rollupID(orgID, roundID))
	defer unlock()
	responses, err := s.RoundResponses(ctx, orgID, roundID)
	if err != nil {
		return err
	}
	ru, err := build(responses)
	if err != nil {
		return err
	}
	return s.putRollup(ctx, ru)
}

// RoundResponseRefs names every response of every round.
func (s *Store) RoundResponseRefs(ctx context.Context) ([]response.ResponseRef, error) {
	type ref struct {
		ID      string `bson:"response_id"`
		UserID  string `bson:"user_id"`
		OrgID   string `bson:"org_id"`
		RoundID string `bson:"round_id"`
		Hash    string `bson:"hash"`
		Shared  bool   `bson:"shared"`
	}
	return findAll(ctx, s.db.Collection(responsesCollection), bson.D{{Key: "round_id", Value: bson.D{{Key: "$ne", Value: ""}}}},
		options.Find().SetProjection(bson.D{{Key: "response_id", Value: 1}, {Key: "user_id", Value: 1}, {Key: "org_id", Value: 1},
			{Key: "round_id", Value: 1}, {Key: "hash", Value: 1}, {Key: "shared", Value: 1}}),
		"responses", func(r ref) response.ResponseRef {
			return response.ResponseRef{ID: r.ID, UserID: r.UserID, OrgID: r.OrgID, RoundID: r.RoundID, Hash: r.Hash, Shared: r.Shared}
		})
}
