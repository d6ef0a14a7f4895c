package response

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"

	"vertaa/internal/account"
	"vertaa/internal/analytics"
)

// Rollup is the precomputed summary of a round: its responses summed by
// questionnaire version and by the teams their authors answered as
// members of. HR's figures are read from it, so that they cost the same
// however many responses a round has. It is a cache of the responses,
// never a fact of its own: each submission folds its response in, and
// CheckRollups rebuilds a rollup from the responses whenever its check
// does not match them (after a crash between the two writes, say).
type Rollup struct {
	OrgID, RoundID string
	Versions       []RollupVersion
	// Shared are the responses whose authors let HR see them
	// individually, in the order of their ids.
	Shared []SharedRef
}

// SharedRef names a response its author shares with HR.
type SharedRef struct {
	UserID, ResponseID string
}

// setShared adds or removes a response from the rollup's shared ones.
func (r *Rollup) setShared(ref SharedRef, shared bool) {
	r.Shared = slices.DeleteFunc(r.Shared, func(x SharedRef) bool { return x == ref })
	if shared {
		r.Shared = append(r.Shared, ref)
		slices.SortFunc(r.Shared, func(a, b SharedRef) int { return strings.Compare(a.ResponseID, b.ResponseID) })
	}
}

// RollupVersion sums a round's responses to one questionnaire version.
type RollupVersion struct {
	Hash string
	// Responses counts the responses folded in, and Check combines their
	// ids, so that a missing or extra response shows.
	Responses int
	Check     uint64
	Aggregate analytics.Aggregate
}

// version returns the rollup's part for a questionnaire version, adding
// it if new.
func (r *Rollup) version(hash string) *RollupVersion {
	for i := range r.Versions {
		if r.Versions[i].Hash == hash {
			return &r.Versions[i]
		}
	}
	r.Versions = append(r.Versions, RollupVersion{Hash: hash})
	return &r.Versions[len(r.Versions)-1]
}

// idCheck is a response id's part of a check: checks are combined by XOR,
// so that the order responses are folded in does not matter.
func idCheck(id string) uint64 {
	sum := sha256.Sum256([]byte(id))
	return binary.BigEndian.Uint64(sum[:8])
}

// fold adds a response to the rollup of its round.
func (s *Service) fold(ctx context.Context, ru *Rollup, r Response) error {
	v, err := s.definition(ctx, r.Hash)
	if err != nil {
		return err
	}
	part := ru.version(r.Hash)
	part.Aggregate.Add(v.q, r.TeamIDs, r.Result)
	part.Responses++
	part.Check ^= idCheck(r.ID)
	if r.Shared {
		ru.setShared(SharedRef{UserID: r.UserID, ResponseID: r.ID}, true)
	}
	return nil
}

// build makes the rollup of a round from all its responses.
func (s *Service) build(ctx context.Context, orgID, roundID string, responses []Response) (Rollup, error) {
	ru := Rollup{OrgID: orgID, RoundID: roundID}
	for _, r := range responses {
		if err := s.fold(ctx, &ru, r); err != nil {
			return Rollup{}, err
		}
	}
	return ru, nil
}

// CheckRollups compares every round's rollup with the round's responses,
// rebuilds the rollups that do not match, and returns how many it
// rebuilt. It reads every response once; the maintenance job runs it at
// start and every hour.
func (s *Service) CheckRollups(ctx context.Context) (int, error) {
	refs, err := s.store.RoundResponseRefs(ctx)
	if err != nil {
		return 0, err
	}
	type key struct{ org, round string }
	want := map[key]map[string]RollupVersion{}
	shared := map[key][]SharedRef{}
	for _, ref := range refs {
		k := key{ref.OrgID, ref.RoundID}
		if want[k] == nil {
			want[k] = map[string]RollupVersion{}
		}
		if ref.Shared {
			shared[k] = append(shared[k], SharedRef{UserID: ref.UserID, ResponseID: ref.ID})
		}
		v := want[k][ref.Hash]
		v.Responses++
		v.Check ^= idCheck(ref.ID)
		want[k][ref.Hash] = v
	}
	rollups, err := s.store.Rollups(ctx)
	if err != nil {
		return 0, err
	}
	have := map[key]Rollup{}
	for _, ru := range rollups {
		have[key{ru.OrgID, ru.RoundID}] = ru
	}
	stale := map[key]bool{}
	for k, versions := range want {
		ru := have[k]
		slices.SortFunc(shared[k], func(a, b SharedRef) int { return strings.Compare(a.ResponseID, b.ResponseID) })
		if len(ru.Versions) != len(versions) || !slices.Equal(ru.Shared, shared[k]) {
			stale[k] = true
			continue
		}
		for _, v := range ru.Versions {
			if w, ok := versions[v.Hash]; !ok || w.Responses != v.Responses || w.Check != v.Check {
				stale[k] = true
			}
		}
	}
	for k, ru := range have {
		if want[k] == nil && len(ru.Versions) > 0 {
			stale[k] = true // a rollup of responses that are gone
		}
	}
	for k := range stale {
		if err := s.store.RebuildRollup(ctx, k.org, k.round, func(responses []Response) (Rollup, error) {
			return s.build(ctx, k.org, k.round, responses)
		}); err != nil {
			return 0, err
		}
	}
	return len(stale), nil
}

// ResponseRef names a response of a round, for checking rollups.
type ResponseRef struct {
	ID, UserID, OrgID, RoundID, Hash string
	Shared                           bool
}

// ErasePerson deletes every response and draft of a person, at an
// administrator's order (see account.Service.Erase), and rebuilds the
// rollups of the rounds they answered from the other responses, so that
// HR's figures no longer include them.
func (s *Service) ErasePerson(ctx context.Context, p *account.Principal, u account.User) error {
	if !p.IsAdmin() {
		return notFound("page")
	}
	return s.store.EraseRespondent(ctx, u.ID, func(orgID, roundID string, responses []Response) (Rollup, error) {
		return s.build(ctx, orgID, roundID, responses)
	})
}
