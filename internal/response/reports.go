package response

import (
	"context"
	"maps"
	"slices"
	"strings"

	"vertaa/internal/account"
	"vertaa/internal/analytics"
	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
)

// Names of the organisation and round of a response, for its report.
func (s *Service) Names(ctx context.Context, r Response) (org, round string, err error) {
	if r.OrgID == "" {
		return "", "", nil
	}
	o, err := s.store.Org(ctx, r.OrgID)
	if err != nil {
		return "", "", err
	}
	if r.RoundID == "" {
		return o.Name, "", nil
	}
	rd, err := s.store.Round(ctx, r.OrgID, r.RoundID)
	if err != nil {
		return "", "", err
	}
	return o.Name, rd.Name, nil
}

// RoundReport is what HR's report of a round is made of.
type RoundReport struct {
	Organisation  account.Organisation
	Round         Round
	Questionnaire *assessment.Questionnaire
	Summary       analytics.Summary
	// Previous is the organisation's latest round of the same
	// questionnaire that opened before this one, if any, with its
	// summary and the questionnaire version that summary is of.
	Previous              *Round
	PreviousSummary       *analytics.Summary
	PreviousQuestionnaire *assessment.Questionnaire
	// OtherVersion counts responses to another version of the
	// questionnaire, which the summary leaves out.
	OtherVersion int
}

// RoundReport summarises a round of an organisation that p manages, with
// every figure under the anonymity threshold.
func (s *Service) RoundReport(ctx context.Context, p *account.Principal, orgID, roundID string, threshold int) (RoundReport, error) {
	if !p.IsAdmin() && !p.Has(account.HR, orgID) {
		return RoundReport{}, notFound("round")
	}
	org, err := s.store.Org(ctx, orgID)
	if err != nil {
		return RoundReport{}, err
	}
	r, err := s.store.Round(ctx, orgID, roundID)
	if err != nil {
		return RoundReport{}, err
	}
	pp, err := s.people(ctx, orgID)
	if err != nil {
		return RoundReport{}, err
	}
	rep := RoundReport{Organisation: org, Round: r}
	if rep.Questionnaire, rep.Summary, rep.OtherVersion, err = s.summarize(ctx, r, pp, threshold); err != nil {
		return RoundReport{}, err
	}
	rounds, err := s.store.Rounds(ctx, orgID)
	if err != nil {
		return RoundReport{}, err
	}
	for _, x := range rounds { // the latest opened first
		if x.ID != r.ID && x.QuestionnaireID == r.QuestionnaireID && x.Opens.Before(r.Opens) {
			q, sum, _, err := s.summarize(ctx, x, pp, threshold)
			if err != nil {
				return RoundReport{}, err
			}
			rep.Previous, rep.PreviousSummary, rep.PreviousQuestionnaire = &x, &sum, q
			break
		}
	}
	return rep, nil
}

// summarize computes a round's summary from its rollup, over the
// questionnaire version most of its responses answered, and counts the
// responses to other versions, which it leaves out. The figures of a round
// that has not closed yet are hidden (analytics.Open).
func (s *Service) summarize(ctx context.Context, r Round, pp people, threshold int) (*assessment.Questionnaire, analytics.Summary, int, error) {
	ru, err := s.rollup(ctx, r.OrgID, r.ID)
	if err != nil {
		return nil, analytics.Summary{}, 0, err
	}
	v, ok := s.current[r.QuestionnaireID]
	if !ok {
		return nil, analytics.Summary{}, 0, notFound("questionnaire")
	}
	part := RollupVersion{Hash: v.q.Hash}
	total := 0
	for _, x := range ru.Versions { // the most answered; the published one on a tie
		total += x.Responses
		if x.Responses > part.Responses || (x.Responses == part.Responses && x.Hash == v.q.Hash) {
			part = x
		}
	}
	if part.Hash != v.q.Hash {
		if v, err = s.definition(ctx, part.Hash); err != nil {
			return nil, analytics.Summary{}, 0, err
		}
	}
	in := analytics.AggregateInput{Questionnaire: v.q, Aggregate: &part.Aggregate}
	in.Groups, in.Invited = pp.invited(r)
	if in.Started, err = s.startedOnly(ctx, pp.drafts[r.ID]); err != nil {
		return nil, analytics.Summary{}, 0, err
	}
	sum, err := analytics.SummarizeAggregate(in, threshold)
	if r.Closes.After(s.now()) { // open, or not yet opened
		sum.HideOpen()
	}
	return v.q, sum, total - part.Responses, err
}

// rollup returns a round's rollup, building it from the responses if it
// has none.
func (s *Service) rollup(ctx context.Context, orgID, roundID string) (Rollup, error) {
	ru, err := s.store.Rollup(ctx, orgID, roundID)
	if apperr.KindOf(err) != apperr.NotFound {
		return ru, err
	}
	if err := s.store.RebuildRollup(ctx, orgID, roundID, func(responses []Response) (Rollup, error) {
		return s.build(ctx, orgID, roundID, responses)
	}); err != nil {
		return Rollup{}, err
	}
	return s.store.Rollup(ctx, orgID, roundID)
}

// people are an organisation's teams, their members and its leaders: who
// its rounds ask.
type people struct {
	teams   []account.Team
	members []account.TeamMember
	leaders []string
	drafts  map[string][]Draft // by round
	asked   map[string]asked   // invited's answers, by the round's teams
}

// asked is who a round asks: its groups and everyone.
type asked struct {
	groups  []analytics.Group
	invited []string
}

func (s *Service) people(ctx context.Context, orgID string) (people, error) {
	var pp people
	var err error
	if pp.teams, err = s.store.Teams(ctx, orgID); err != nil {
		return people{}, err
	}
	if pp.members, err = s.store.TeamMembers(ctx, orgID); err != nil {
		return people{}, err
	}
	grants, err := s.store.OrgGrants(ctx, orgID)
	if err != nil {
		return people{}, err
	}
	for _, g := range grants {
		if g.Role == account.Leader {
			pp.leaders = append(pp.leaders, g.UserID)
		}
	}
	drafts, err := s.store.OrgDrafts(ctx, orgID)
	if err != nil {
		return people{}, err
	}
	pp.drafts, pp.asked = map[string][]Draft{}, map[string]asked{}
	for _, d := range drafts {
		pp.drafts[d.RoundID] = append(pp.drafts[d.RoundID], d)
	}
	return pp, nil
}

// invited returns the round's teams with their members, and everyone
// asked: the members of the round's teams, or for a round of the whole
// organisation its teams' members and every leader.
func (pp people) invited(r Round) ([]analytics.Group, []string) {
	key := strings.Join(r.TeamIDs, ",") // rounds of the same teams ask the same people
	if a, ok := pp.asked[key]; ok {
		return a.groups, a.invited
	}
	var groups []analytics.Group
	invited := map[string]bool{}
	for _, t := range pp.teams {
		if len(r.TeamIDs) > 0 && !slices.Contains(r.TeamIDs, t.ID) {
			continue
		}
		g := analytics.Group{ID: t.ID, Name: t.Name}
		for _, m := range pp.members {
			if m.TeamID == t.ID {
				g.Invited = append(g.Invited, m.UserID)
				invited[m.UserID] = true
			}
		}
		groups = append(groups, g)
	}
	if len(r.TeamIDs) == 0 {
		for _, id := range pp.leaders {
			invited[id] = true
		}
	}
	a := asked{groups: groups, invited: slices.Sorted(maps.Keys(invited))}
	pp.asked[key] = a
	return a.groups, a.invited
}

// startedOnly returns the users of a round's drafts who have not
// submitted them (a submitted draft stays until the maintenance job
// removes it).
func (s *Service) startedOnly(ctx context.Context, drafts []Draft) ([]string, error) {
	var out []string
	for _, d := range drafts {
		_, err := s.store.Response(ctx, d.UserID, d.SubmitKey)
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
			out = append(out, d.UserID)
		case err != nil:
			return nil, err
		}
	}
	return out, nil
}
