package badge

import (
	"context"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/audit"
	"vertaa/internal/mail"
)

// State is where an award is in its life.
type State string

// The states of an award. Only accepted and revoked awards are public; a
// revoked award stays public so that anyone checking it learns that it is
// revoked.
const (
	Offered  State = "offered"
	Accepted State = "accepted"
	Declined State = "declined"
	Revoked  State = "revoked"
)

// Award is one badge offered to, and perhaps accepted by, one person.
type Award struct {
	// ID is public once the award is accepted: it is in the badge's URL.
	ID      string
	ClassID string
	UserID  string
	OrgID   string // the organisation the badge was earned in, if any
	// Source says what earned the badge: "response:<id>",
	// "application:<id>" or "pathway".
	Source string
	State  State
	// Level is the id of the questionnaire level reached, for badges
	// earned from an assessment.
	Level string
	// QuestionnaireHash is the questionnaire version the level is of.
	QuestionnaireHash string
	Evidence          []Evidence
	OfferedAt         time.Time

	// Set when the award is accepted, and never changed after.
	Name        string // the name the earner chose to show; may be empty
	Email       string // the earner's address when accepting
	Salt        string
	SubjectID   string // urn:uuid identifying the earner in the credential
	Lang        string // language of the credential
	AcceptedAt  time.Time
	ValidUntil  time.Time // zero: does not expire
	StatusList  int
	StatusIndex int
	// Credential is the signed Open Badges 3.0 credential (a VC-JWT).
	Credential string

	DeclinedAt   time.Time
	RevokedAt    time.Time
	RevokedBy    string
	RevokeReason string

	Revision int
}

// Evidence is something that shows the earner earned the badge. Only the
// pieces the earner makes public when accepting go into the credential.
type Evidence struct {
	Name      string
	Narrative string
	URL       string
	Public    bool
}

// Expired reports whether the award's validity ended before now.
func (a Award) Expired(now time.Time) bool {
	return !a.ValidUntil.IsZero() && !now.Before(a.ValidUntil)
}

// Holds reports whether the award counts as a held badge at now: accepted,
// not revoked and not expired.
func (a Award) Holds(now time.Time) bool { return a.State == Accepted && !a.Expired(now) }

// ApplicationState is where an application is.
type ApplicationState string

// The states of an application.
const (
	Submitted ApplicationState = "submitted" // waiting for reviewers
	Returned  ApplicationState = "returned"  // a reviewer asked for changes
	Approved  ApplicationState = "approved"  // enough reviewers approved; the badge is offered
	Withdrawn ApplicationState = "withdrawn" // the applicant gave up
)

// Application asks reviewers for a badge that is earned by application.
type Application struct {
	ID      string
	ClassID string
	UserID  string
	OrgID   string
	// UserName is the applicant's name, for reviewers.
	UserName   string
	State      ApplicationState
	Evidence   string   // what the applicant did
	Links      []string // where it can be seen
	Reflection string   // what the applicant learnt
	// Round counts submissions: a returned application submitted again
	// needs its approvals again.
	Round       int
	Decisions   []Decision
	SubmittedAt time.Time
	UpdatedAt   time.Time
	AwardID     string // once approved
	Revision    int
}

// Decision is one reviewer's verdict on one round of an application.
type Decision struct {
	ReviewerID   string
	ReviewerName string
	Round        int
	Approve      bool
	Comment      string
	At           time.Time
}

// approvals counts the distinct reviewers approving the current round.
func (a Application) approvals() int {
	seen := map[string]bool{}
	for _, d := range a.Decisions {
		if d.Round == a.Round && d.Approve {
			seen[d.ReviewerID] = true
		}
	}
	return len(seen)
}

// Decided reports whether the reviewer gave a verdict on the current round.
func (a Application) Decided(reviewerID string) bool {
	for _, d := range a.Decisions {
		if d.Round == a.Round && d.ReviewerID == reviewerID {
			return true
		}
	}
	return false
}

// Store keeps awards and applications; internal/store implements it.
type Store interface {
	// AddAward stores a new award; an award with the same id is Conflict.
	AddAward(ctx context.Context, a Award) error
	Award(ctx context.Context, id string) (Award, error)
	// Awards returns the user's awards, newest first.
	Awards(ctx context.Context, userID string) ([]Award, error)
	// RecentAwards returns the latest awards of every user, newest first.
	RecentAwards(ctx context.Context, limit int) ([]Award, error)
	// UpdateAward replaces an award whose revision is a.Revision and
	// raises the revision; another revision is Conflict.
	UpdateAward(ctx context.Context, a Award) (Award, error)
	// RevokedIndexes returns the status list indexes of the revoked
	// awards of a list.
	RevokedIndexes(ctx context.Context, list int) ([]int, error)
	// RevokedAwards returns every revoked award, latest revoked first.
	RevokedAwards(ctx context.Context) ([]Award, error)
	// NextStatusEntry returns a number never returned before, from 0 up.
	NextStatusEntry(ctx context.Context) (int, error)

	AddApplication(ctx context.Context, a Application) error
	Application(ctx context.Context, id string) (Application, error)
	// Applications returns the user's applications, newest first.
	Applications(ctx context.Context, userID string) ([]Application, error)
	// OpenApplications returns the submitted applications in any of the
	// organisations or for any of the classes, oldest first.
	OpenApplications(ctx context.Context, orgIDs, classIDs []string) ([]Application, error)
	// UpdateApplication is like UpdateAward.
	UpdateApplication(ctx context.Context, a Application) (Application, error)

	// DeleteEarnerRecords deletes the user's applications and their
	// awards that were never accepted.
	DeleteEarnerRecords(ctx context.Context, userID string) error
	// ApplicationsReviewedBy returns the applications the user decided on.
	ApplicationsReviewedBy(ctx context.Context, reviewerID string) ([]Application, error)
	// AwardsRevokedBy returns the awards the user revoked.
	AwardsRevokedBy(ctx context.Context, userID string) ([]Award, error)

	User(ctx context.Context, id string) (account.User, error)
	Record(ctx context.Context, e audit.Event) error
	Enqueue(ctx context.Context, msgs ...mail.Message) error
}
