// Package response is the taking of assessments: rounds that HR opens for
// teams, the drafts a leader fills in page by page, and the immutable
// responses they submit, with a snapshot of their scores. It knows nothing
// of HTTP or storage.
package response

import (
	"slices"
	"time"

	"vertaa/internal/assessment"
	"vertaa/internal/scoring"
)

// Round is a period in which the leaders of an organisation, or of some
// of its teams, answer a questionnaire.
type Round struct {
	ID              string
	OrgID           string
	QuestionnaireID string
	Name            string
	// TeamIDs are the teams asked to answer; empty means everyone in the
	// organisation.
	TeamIDs   []string
	Opens     time.Time // first moment answers are taken
	Closes    time.Time // first moment they no longer are
	CreatedBy string
	CreatedAt time.Time
}

// IsOpen reports whether the round takes answers at now.
func (r Round) IsOpen(now time.Time) bool { return !now.Before(r.Opens) && now.Before(r.Closes) }

// Includes reports whether a member of the given teams is asked to
// answer.
func (r Round) Includes(teamIDs []string) bool {
	if len(r.TeamIDs) == 0 {
		return true
	}
	for _, t := range teamIDs {
		if slices.Contains(r.TeamIDs, t) {
			return true
		}
	}
	return false
}

// Draft is a response being filled in. It belongs to one user and is
// saved at every page change.
type Draft struct {
	ID     string
	UserID string
	// OrgID and RoundID are empty for a personal, self-initiated
	// assessment.
	OrgID           string
	RoundID         string
	QuestionnaireID string
	// Hash is the content hash of the questionnaire version the draft
	// was started on; a draft stays on its version.
	Hash    string
	Answers assessment.Answers
	// Page is the page the user last saw, to resume there.
	Page int
	// SubmitKey is the idempotency key of the response the draft
	// becomes: submitting twice gives one response.
	SubmitKey string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Revision counts saves, so that a save based on a stale copy is
	// refused instead of overwriting a newer one.
	Revision int
}

// Response is a submitted assessment. Its answers and scores never
// change; only whether HR may see it individually does.
type Response struct {
	// ID is the submit key of the draft it was made from, so that a draft
	// can make only one response.
	ID              string
	UserID          string
	OrgID           string
	RoundID         string
	TeamIDs         []string // the user's teams in OrgID when submitting
	QuestionnaireID string
	Version         string
	Hash            string
	Answers         assessment.Answers
	Result          scoring.Result
	// Shared reports whether the leader lets HR of OrgID see this
	// response individually; otherwise it counts only in anonymous
	// aggregates.
	Shared      bool
	SubmittedAt time.Time
}
