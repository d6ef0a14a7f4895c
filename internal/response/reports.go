package response

import (
	"context"
	"slices"

	"vertaa/internal/account"
	"vertaa/internal/analytics"
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
	rep := RoundReport{Organisation: org, Round: r}
	if rep.Questionnaire, rep.Summary, rep.OtherVersion, err = s.summarize(ctx, r, threshold); err != nil {
		return RoundReport{}, err
	}
	rounds, err := s.store.Rounds(ctx, orgID)
	if err != nil {
		return RoundReport{}, err
	}
	for _, x := range rounds { // the latest opened first
		if x.ID != r.ID && x.QuestionnaireID == r.QuestionnaireID && x.Opens.Before(r.Opens) {
			q, sum, _, err := s.summarize(ctx, x, threshold)
			if err != nil {
				return RoundReport{}, err
			}
			rep.Previous, rep.PreviousSummary, rep.PreviousQuestionnaire = &x, &sum, q
			break
		}
	}
	return rep, nil
}

// summarize computes a round's summary over the responses to the
// questionnaire version most of them answered.
func (s *Service) summarize(ctx context.Context, r Round, threshold int) (*assessment.Questionnaire, analytics.Summary, int, error) {
	responses, err := s.store.RoundResponses(ctx, r.OrgID, r.ID)
	if err != nil {
		return nil, analytics.Summary{}, 0, err
	}
	drafts, err := s.store.RoundDrafts(ctx, r.OrgID, r.ID)
	if err != nil {
		return nil, analytics.Summary{}, 0, err
	}
	v, ok := s.current[r.QuestionnaireID]
	if !ok {
		return nil, analytics.Summary{}, 0, notFound("questionnaire")
	}
	hash := v.q.Hash
	count := map[string]int{}
	for _, x := range responses {
		count[x.Hash]++
	}
	for h, n := range count { // the most answered; the published one on a tie
		if n > count[hash] || (n == count[hash] && hash != v.q.Hash && h < hash) {
			hash = h
		}
	}
	if hash != v.q.Hash {
		if v, err = s.definition(ctx, hash); err != nil {
			return nil, analytics.Summary{}, 0, err
		}
	}
	teams, err := s.store.Teams(ctx, r.OrgID)
	if err != nil {
		return nil, analytics.Summary{}, 0, err
	}
	members, err := s.store.TeamMembers(ctx, r.OrgID)
	if err != nil {
		return nil, analytics.Summary{}, 0, err
	}
	in := analytics.RoundInput{Questionnaire: v.q}
	invited := map[string]bool{}
	for _, t := range teams {
		if len(r.TeamIDs) > 0 && !slices.Contains(r.TeamIDs, t.ID) {
			continue
		}
		g := analytics.Group{ID: t.ID, Name: t.Name}
		for _, m := range members {
			if m.TeamID == t.ID {
				g.Invited = append(g.Invited, m.UserID)
				invited[m.UserID] = true
			}
		}
		in.Groups = append(in.Groups, g)
	}
	if len(r.TeamIDs) == 0 {
		grants, err := s.store.OrgGrants(ctx, r.OrgID)
		if err != nil {
			return nil, analytics.Summary{}, 0, err
		}
		for _, g := range grants {
			if g.Role == account.Leader {
				invited[g.UserID] = true
			}
		}
	}
	for id := range invited {
		in.Invited = append(in.Invited, id)
	}
	slices.Sort(in.Invited)
	for _, d := range drafts {
		in.Started = append(in.Started, d.UserID)
	}
	other := 0
	for _, x := range responses {
		if x.Hash != hash {
			other++
			continue
		}
		in.Respondents = append(in.Respondents, analytics.Respondent{UserID: x.UserID, TeamIDs: x.TeamIDs, Result: x.Result})
	}
	sum, err := analytics.Summarize(in, threshold)
	return v.q, sum, other, err
}
