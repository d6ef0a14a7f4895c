package analytics

import (
	"fmt"
	"slices"

	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
	"vertaa/internal/scoring"
)

// The respondent-level summary: the tests' reference for what the
// aggregate-level summary computes, with each respondent known. Its cells
// and suppression are the production code's (figures); what it adds is
// who counts where, worked out from user ids.

// Respondent is one submitted response of a round.
type Respondent struct {
	UserID  string
	TeamIDs []string // the respondent's teams when submitting
	Result  scoring.Result
}

// RoundInput is everything a round summary is computed from.
type RoundInput struct {
	Questionnaire *assessment.Questionnaire
	Groups        []Group
	// Invited are everyone asked to answer the round (the union of the
	// groups' members, or every leader of the organisation for a round
	// without teams).
	Invited []string
	// Started are the users who opened a draft or submitted.
	Started     []string
	Respondents []Respondent
}

// Summarize computes what HR may see of a round under an anonymity
// threshold. It is pure: the same input gives the same summary.
//
// Who counts where:
//   - A respondent is one person: respondents are counted by UserID, and
//     when a user appears twice the later entry of in.Respondents is used.
//   - Org: Invited counts the distinct users of in.Invited, Started the
//     distinct users of in.Started and of the respondents (submitting
//     implies starting), Submitted the distinct respondents.
//   - A respondent belongs to a group when the group's ID is among the
//     respondent's TeamIDs (the team recorded with the response) or the
//     respondent is among the group's Invited members. The same rule
//     decides a group's Submitted and its cells, so a group's cells never
//     hold more people than its Submitted. Groups may overlap.
//   - A group's Invited counts its distinct invited members; Started
//     counts the users among them who started or submitted, and the
//     group's respondents. A response that names the group but whose
//     author is not among its invited members therefore counts in Started
//     and Submitted, which may then exceed Invited.
//
// Cells, suppression and distributions are as figures says.
//
// A threshold below MinThreshold is refused with an apperr.Invalid error.
// Results that do not have the questionnaire's areas, a respondent
// without a UserID and a group without an ID or with the ID of another
// are refused as internal errors: they are bugs upstream.
func Summarize(in RoundInput, threshold int) (Summary, error) {
	if threshold < MinThreshold {
		return Summary{}, apperr.New(apperr.Invalid, "the anonymity threshold %d is below the minimum of %d", threshold, MinThreshold)
	}
	q := in.Questionnaire
	if q == nil {
		return Summary{}, fmt.Errorf("analytics: no questionnaire")
	}
	resp, err := distinctRespondents(in.Respondents, len(q.Areas), func(i int) string { return q.Areas[i].ID })
	if err != nil {
		return Summary{}, err
	}
	groupIDs := make(map[string]bool, len(in.Groups))
	for i, g := range in.Groups {
		if g.ID == "" {
			return Summary{}, fmt.Errorf("analytics: group %d has no id", i)
		}
		if groupIDs[g.ID] {
			return Summary{}, fmt.Errorf("analytics: two groups have the id %q", g.ID)
		}
		groupIDs[g.ID] = true
	}

	n := len(resp)

	// Participation.
	respondentIDs := make(map[string]int, n)
	for i, r := range resp {
		respondentIDs[r.UserID] = i
	}
	started := set(in.Started)
	for id := range respondentIDs {
		started[id] = true
	}
	s := Summary{
		Threshold: threshold,
		Org: Row{
			Invited:   len(set(in.Invited)),
			Started:   len(started),
			Submitted: n,
		},
		Teams: make([]Row, len(in.Groups)),
	}

	// Group membership of respondents: the teams recorded with the
	// response, and the groups that invited them.
	teamsOf := make([][]string, n)
	for gi, g := range in.Groups {
		invited := set(g.Invited)
		submitted := 0
		for i, r := range resp {
			if invited[r.UserID] || slices.Contains(r.TeamIDs, g.ID) {
				teamsOf[i] = append(teamsOf[i], g.ID)
				submitted++
			}
		}
		groupStarted := 0
		for id := range started {
			if invited[id] {
				groupStarted++
			} else if i, ok := respondentIDs[id]; ok && slices.Contains(teamsOf[i], g.ID) {
				groupStarted++
			}
		}
		s.Teams[gi] = Row{ID: g.ID, Name: g.Name, Invited: len(invited), Started: groupStarted, Submitted: submitted}
	}
	agg := NewAggregate()
	for i, r := range resp {
		agg.Add(q, teamsOf[i], r.Result)
	}
	s.figures(q, agg, threshold)
	return s, nil
}

// distinctRespondents returns one respondent per UserID, the later entry
// winning, in the order of first appearance, after checking that every
// result has the questionnaire's areas.
func distinctRespondents(in []Respondent, areas int, areaID func(int) string) ([]Respondent, error) {
	out := make([]Respondent, 0, len(in))
	at := make(map[string]int, len(in))
	for i, r := range in {
		if r.UserID == "" {
			return nil, fmt.Errorf("analytics: respondent %d has no user id", i)
		}
		if len(r.Result.Areas) != areas {
			return nil, fmt.Errorf("analytics: the result of respondent %d has %d areas, the questionnaire %d", i, len(r.Result.Areas), areas)
		}
		for a := range areas {
			if r.Result.Areas[a].ID != areaID(a) {
				return nil, fmt.Errorf("analytics: area %d of respondent %d's result is %q, the questionnaire's %q", a, i, r.Result.Areas[a].ID, areaID(a))
			}
		}
		if j, ok := at[r.UserID]; ok {
			out[j] = r
			continue
		}
		at[r.UserID] = len(out)
		out = append(out, r)
	}
	return out, nil
}

// set returns the distinct non-empty ids.
func set(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id != "" {
			m[id] = true
		}
	}
	return m
}
