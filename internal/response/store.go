package response

import (
	"context"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/assessment"
	"vertaa/internal/audit"
)

// Store is what the response service needs from the database. Every read
// of a draft or response filters by its owner in the query.
type Store interface {
	CreateRound(ctx context.Context, r Round) (Round, error)
	Round(ctx context.Context, orgID, id string) (Round, error)
	Rounds(ctx context.Context, orgID string) ([]Round, error)
	// OpenRounds returns the rounds of the organisations that are open at
	// now.
	OpenRounds(ctx context.Context, orgIDs []string, now time.Time) ([]Round, error)
	CloseRound(ctx context.Context, orgID, id string, at time.Time) error

	// CreateDraft stores a new draft; a draft for the same user, round
	// and questionnaire is Conflict.
	CreateDraft(ctx context.Context, d Draft) (Draft, error)
	Draft(ctx context.Context, userID, id string) (Draft, error)
	// DraftFor returns the user's draft for a round (or, with roundID "",
	// the personal draft of a questionnaire).
	DraftFor(ctx context.Context, userID, roundID, questionnaireID string) (Draft, error)
	Drafts(ctx context.Context, userID string) ([]Draft, error)
	// UpdateDraft replaces the answers and page of a draft whose revision
	// is d.Revision, and raises the revision; another revision is
	// Conflict.
	UpdateDraft(ctx context.Context, d Draft) (Draft, error)
	DeleteDraft(ctx context.Context, userID, id string) error

	// AddResponse stores a response; a second one of the user with the
	// same id is Conflict.
	AddResponse(ctx context.Context, r Response) (Response, error)
	Response(ctx context.Context, userID, id string) (Response, error)
	// Responses returns the user's responses, newest first.
	Responses(ctx context.Context, userID string) ([]Response, error)
	// SetShared sets whether HR may see a response individually, and
	// marks it so in its round's rollup with mark.
	SetShared(ctx context.Context, userID, id string, shared bool, mark func(*Rollup)) error
	// OrgDrafts returns every draft of the organisation's rounds, without
	// their answers.
	OrgDrafts(ctx context.Context, orgID string) ([]Draft, error)
	// QuestionnaireRounds returns every organisation's rounds of a
	// questionnaire, the latest opened first.
	QuestionnaireRounds(ctx context.Context, questionnaireID string) ([]Round, error)

	// AddRoundResponse stores a response of a round and folds it into
	// the round's rollup with fold, so that no rebuild falls between the
	// two; a second response with the same id is Conflict and folds
	// nothing. Once the response is stored the call succeeds: a rollup
	// that cannot be updated is removed, for the next reader to rebuild.
	AddRoundResponse(ctx context.Context, r Response, fold func(*Rollup) error) (Response, error)
	// Rollup returns a round's rollup; NotFound when it has none.
	Rollup(ctx context.Context, orgID, roundID string) (Rollup, error)
	Rollups(ctx context.Context) ([]Rollup, error)
	// RebuildRollup replaces a round's rollup with the one build makes
	// from all the round's responses.
	RebuildRollup(ctx context.Context, orgID, roundID string, build func([]Response) (Rollup, error)) error
	// RoundResponseRefs names every response of every round.
	RoundResponseRefs(ctx context.Context) ([]ResponseRef, error)
	// EraseRespondent deletes every response and draft of the user and
	// rebuilds with build the rollup of each round they answered, from
	// the round's other responses; a failure midway leaves such a rollup
	// missing (for its next reader to rebuild), never counting them.
	// Rounds they opened no longer name them. It is idempotent.
	EraseRespondent(ctx context.Context, userID string, build func(orgID, roundID string, responses []Response) (Rollup, error)) error

	// SaveDefinition keeps a questionnaire version by its hash; saving one
	// kept already changes nothing.
	SaveDefinition(ctx context.Context, q *assessment.Questionnaire) error
	Definition(ctx context.Context, hash string) (*assessment.Questionnaire, error)

	Grants(ctx context.Context, userID string) ([]account.Grant, error)
	Teams(ctx context.Context, orgID string) ([]account.Team, error)
	TeamMembers(ctx context.Context, orgID string) ([]account.TeamMember, error)
	User(ctx context.Context, id string) (account.User, error)
	Org(ctx context.Context, id string) (account.Organisation, error)
	OrgGrants(ctx context.Context, orgID string) ([]account.Grant, error)
	Record(ctx context.Context, e audit.Event) error
}
