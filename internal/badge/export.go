package badge

import (
	"context"
	"time"

	"vertaa/internal/account"
)

// Export is a person's badges and applications, for their data export.
type Export struct {
	Awards       []ExportAward       `json:"awards"`
	Applications []ExportApplication `json:"applications"`
}

// ExportAward is one award in an export.
type ExportAward struct {
	ID           string     `json:"id"`
	BadgeClass   string     `json:"badge_class"`
	State        State      `json:"state"`
	OfferedAt    time.Time  `json:"offered_at"`
	AcceptedAt   *time.Time `json:"accepted_at,omitempty"`
	ValidUntil   *time.Time `json:"valid_until,omitempty"`
	NameShown    string     `json:"name_shown,omitempty"`
	Evidence     []Evidence `json:"evidence"`
	Credential   string     `json:"credential,omitempty"`
	RevokeReason string     `json:"revocation_reason,omitempty"`
}

// ExportApplication is one application in an export.
type ExportApplication struct {
	ID          string           `json:"id"`
	BadgeClass  string           `json:"badge_class"`
	State       ApplicationState `json:"state"`
	Evidence    string           `json:"evidence"`
	Links       []string         `json:"links"`
	Reflection  string           `json:"reflection"`
	SubmittedAt time.Time        `json:"submitted_at"`
	Decisions   []Decision       `json:"decisions"`
}

func optional(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Export gathers p's badges and applications.
func (s *Service) Export(ctx context.Context, p *account.Principal) (Export, error) {
	awards, err := s.store.Awards(ctx, p.User.ID)
	if err != nil {
		return Export{}, err
	}
	apps, err := s.store.Applications(ctx, p.User.ID)
	if err != nil {
		return Export{}, err
	}
	e := Export{Awards: []ExportAward{}, Applications: []ExportApplication{}}
	for _, a := range awards {
		e.Awards = append(e.Awards, ExportAward{ID: a.ID, BadgeClass: a.ClassID, State: a.State, OfferedAt: a.OfferedAt,
			AcceptedAt: optional(a.AcceptedAt), ValidUntil: optional(a.ValidUntil), NameShown: a.Name, Evidence: a.Evidence,
			Credential: a.Credential, RevokeReason: a.RevokeReason})
	}
	for _, a := range apps {
		e.Applications = append(e.Applications, ExportApplication{ID: a.ID, BadgeClass: a.ClassID, State: a.State,
			Evidence: a.Evidence, Links: a.Links, Reflection: a.Reflection, SubmittedAt: a.SubmittedAt, Decisions: a.Decisions})
	}
	return e, nil
}
