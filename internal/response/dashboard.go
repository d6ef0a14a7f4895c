package response

import (
	"cmp"
	"context"
	"slices"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/analytics"
	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
)

// DashboardFilter chooses what HR's dashboard shows. Empty fields, and
// values that name nothing of the organisation's, take the defaults: the
// questionnaire of the latest round, its latest round, every team.
type DashboardFilter struct {
	QuestionnaireID, RoundID, TeamID string
}

// Dashboard is what HR of an organisation sees of its rounds. Every
// figure in it is under the anonymity threshold: the summaries hide what
// they must, and the filters only choose among their cells.
type Dashboard struct {
	Organisation account.Organisation
	Threshold    int
	// Questionnaires are the ones the organisation has rounds of, for
	// the filter; QuestionnaireID is the chosen one.
	Questionnaires  []*assessment.Questionnaire
	QuestionnaireID string
	// AllRounds are the chosen questionnaire's rounds, oldest first, for
	// the filter; Rounds summarises the chosen one and up to
	// TrendRounds-1 before it.
	AllRounds []Round
	Rounds    []RoundFigures
	// Selected is the index in Rounds of the chosen round, the last; -1
	// when there are no rounds.
	Selected int
	// Teams are the organisation's teams, for the filter; TeamID is the
	// chosen one, or "" for all.
	Teams  []account.Team
	TeamID string
	// Network compares the organisation with every organisation that
	// answered the chosen round's questionnaire version.
	Network NetworkComparison
	// Shared are the chosen round's responses whose authors let HR see
	// them, with their reflections.
	Shared []SharedResponse
}

// RoundFigures is one round of the dashboard, summarised.
type RoundFigures struct {
	Round         Round
	Questionnaire *assessment.Questionnaire // the version summarised
	Summary       analytics.Summary
	OtherVersion  int // responses to other versions, left out
}

// NetworkComparison sets the chosen round's figures beside those of the
// other organisations that answered the same questionnaire version (each
// one's latest round of it). The others are one total, never this organisation's own
// figures again, so that no subtraction between the two reveals anything
// of this organisation's hidden cells; and they are shown only when there
// are at least MinOtherOrganisations of them, so that the total is not
// one organisation's figure.
type NetworkComparison struct {
	Hash               string
	OtherOrganisations int
	Others             analytics.Row // hidden when too few, as any cell
}

// MinOtherOrganisations is the fewest other organisations whose total HR
// may compare with.
const MinOtherOrganisations = 2

// SharedResponse is a response its author lets HR see individually.
type SharedResponse struct {
	Name        string
	SubmittedAt time.Time
	Reflections []SharedReflection
}

// SharedReflection is a reflection question and its answer.
type SharedReflection struct {
	Question assessment.Text
	Answer   string
}

// TrendRounds is how many rounds the dashboard summarises: the chosen one
// and those before it, so that its cost does not grow with the history.
const TrendRounds = 6

// Dashboard gathers HR's view of an organisation's rounds; only HR of
// the organisation and administrators see it.
func (s *Service) Dashboard(ctx context.Context, p *account.Principal, orgID string, f DashboardFilter, threshold int) (Dashboard, error) {
	if !p.IsAdmin() && !p.Has(account.HR, orgID) {
		return Dashboard{}, notFound("organisation")
	}
	org, err := s.store.Org(ctx, orgID)
	if err != nil {
		return Dashboard{}, err
	}
	rounds, err := s.store.Rounds(ctx, orgID) // the latest opened first
	if err != nil {
		return Dashboard{}, err
	}
	pp, err := s.people(ctx, orgID)
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{Organisation: org, Threshold: threshold, Teams: pp.teams, Selected: -1}
	for _, r := range rounds {
		if v, ok := s.current[r.QuestionnaireID]; ok && !slices.Contains(d.Questionnaires, v.q) {
			d.Questionnaires = append(d.Questionnaires, v.q)
		}
	}
	if len(d.Questionnaires) == 0 {
		return d, nil
	}
	d.QuestionnaireID = d.Questionnaires[0].ID
	if slices.ContainsFunc(d.Questionnaires, func(q *assessment.Questionnaire) bool { return q.ID == f.QuestionnaireID }) {
		d.QuestionnaireID = f.QuestionnaireID
	}
	if slices.ContainsFunc(pp.teams, func(t account.Team) bool { return t.ID == f.TeamID }) {
		d.TeamID = f.TeamID
	}
	chosen := -1
	for _, r := range slices.Backward(rounds) {
		if r.QuestionnaireID == d.QuestionnaireID {
			if r.ID == f.RoundID {
				chosen = len(d.AllRounds)
			}
			d.AllRounds = append(d.AllRounds, r)
		}
	}
	if chosen < 0 {
		chosen = len(d.AllRounds) - 1
	}
	for _, r := range d.AllRounds[max(0, chosen-TrendRounds+1) : chosen+1] {
		q, sum, other, err := s.summarize(ctx, r, pp, threshold)
		if err != nil {
			return Dashboard{}, err
		}
		d.Rounds = append(d.Rounds, RoundFigures{Round: r, Questionnaire: q, Summary: sum, OtherVersion: other})
	}
	d.Selected = len(d.Rounds) - 1
	sel := d.Rounds[d.Selected]
	if d.Network, err = s.others(ctx, orgID, sel.Questionnaire, threshold); err != nil {
		return Dashboard{}, err
	}
	if d.Shared, err = s.shared(ctx, sel); err != nil {
		return Dashboard{}, err
	}
	return d, nil
}

// networkAggregate sums, for every organisation, its latest closed round's
// responses to a questionnaire version, as members of that organisation
// alone, and returns the organisations as groups. The latest round is the
// network's present state, and reading one round per organisation keeps
// the cost from growing with the history.
func (s *Service) networkAggregate(ctx context.Context, q *assessment.Questionnaire) (*analytics.Aggregate, []analytics.Group, error) {
	rounds, err := s.store.QuestionnaireRounds(ctx, q.ID) // the latest opened first
	if err != nil {
		return nil, nil, err
	}
	agg := analytics.NewAggregate()
	var groups []analytics.Group
	now := s.now()
	for _, r := range rounds {
		if r.Closes.After(now) || slices.ContainsFunc(groups, func(g analytics.Group) bool { return g.ID == r.OrgID }) {
			continue // still open (see analytics.Open), or not the organisation's latest
		}
		ru, err := s.rollup(ctx, r.OrgID, r.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, v := range ru.Versions {
			if v.Hash == q.Hash && v.Responses > 0 {
				agg.Regroup(q, []string{ru.OrgID}, &v.Aggregate)
				groups = append(groups, analytics.Group{ID: ru.OrgID})
			}
		}
	}
	slices.SortFunc(groups, func(a, b analytics.Group) int { return cmp.Compare(a.ID, b.ID) })
	return agg, groups, nil
}

// others totals the responses of every organisation but orgID to a
// questionnaire version, under the threshold.
func (s *Service) others(ctx context.Context, orgID string, q *assessment.Questionnaire, threshold int) (NetworkComparison, error) {
	agg, groups, err := s.networkAggregate(ctx, q)
	if err != nil {
		return NetworkComparison{}, err
	}
	nc := NetworkComparison{Hash: q.Hash}
	rest := analytics.NewAggregate()
	for _, b := range agg.Buckets {
		if !slices.Contains(b.Teams, orgID) {
			rest.Regroup(q, nil, &analytics.Aggregate{Buckets: []analytics.Bucket{b}})
		}
	}
	for _, g := range groups {
		if g.ID != orgID {
			nc.OtherOrganisations++
		}
	}
	sum, err := analytics.SummarizeAggregate(analytics.AggregateInput{Questionnaire: q, Aggregate: rest}, threshold)
	if err != nil {
		return NetworkComparison{}, err
	}
	nc.Others = sum.Org
	if nc.OtherOrganisations < MinOtherOrganisations {
		hideRow(&nc.Others)
	}
	return nc, nil
}

// hideRow hides every cell of a row as too few.
func hideRow(r *analytics.Row) {
	for i := range r.Areas {
		r.Areas[i] = analytics.Cell{N: r.Areas[i].N, Hidden: analytics.TooFew}
	}
	r.Overall = analytics.Cell{N: r.Overall.N, Hidden: analytics.TooFew}
}

// Network summarises the network's responses to the published version of
// a questionnaire, each organisation's latest round of it; only
// administrators see it.
func (s *Service) Network(ctx context.Context, p *account.Principal, questionnaireID string, threshold int) (*assessment.Questionnaire, analytics.Summary, error) {
	if !p.IsAdmin() {
		return nil, analytics.Summary{}, notFound("questionnaire")
	}
	v, ok := s.current[questionnaireID]
	if !ok {
		return nil, analytics.Summary{}, notFound("questionnaire")
	}
	agg, groups, err := s.networkAggregate(ctx, v.q)
	if err != nil {
		return nil, analytics.Summary{}, err
	}
	sum, err := analytics.SummarizeAggregate(analytics.AggregateInput{Questionnaire: v.q, Groups: groups, Aggregate: agg}, threshold)
	if err != nil {
		return nil, analytics.Summary{}, err
	}
	for i, row := range sum.Teams {
		org, err := s.store.Org(ctx, row.ID)
		switch {
		case err == nil:
			sum.Teams[i].Name = org.Name
		case apperr.KindOf(err) != apperr.NotFound:
			return nil, analytics.Summary{}, err
		}
	}
	return v.q, sum, nil
}

// shared returns the round's responses shared with HR, with their
// authors' names and reflections.
func (s *Service) shared(ctx context.Context, rf RoundFigures) ([]SharedResponse, error) {
	ru, err := s.rollup(ctx, rf.Round.OrgID, rf.Round.ID)
	if err != nil {
		return nil, err
	}
	var out []SharedResponse
	for _, ref := range ru.Shared {
		r, err := s.store.Response(ctx, ref.UserID, ref.ResponseID)
		if apperr.KindOf(err) == apperr.NotFound {
			continue // erased since
		}
		if err != nil {
			return nil, err
		}
		if !r.Shared || r.OrgID != rf.Round.OrgID || r.RoundID != rf.Round.ID {
			continue // the rollup is behind; the response decides
		}
		u, err := s.store.User(ctx, r.UserID)
		if err != nil {
			return nil, err
		}
		v, err := s.definition(ctx, r.Hash)
		if err != nil {
			return nil, err
		}
		sr := SharedResponse{Name: u.Name, SubmittedAt: r.SubmittedAt}
		for _, rf := range v.q.Reflections {
			if a, ok := r.Answers[rf.ID]; ok && a.Text != "" {
				sr.Reflections = append(sr.Reflections, SharedReflection{Question: rf.Text, Answer: a.Text})
			}
		}
		out = append(out, sr)
	}
	return out, nil
}
