package badge

import (
	"vertaa/internal/assessment"
	"vertaa/internal/scoring"
)

// Met reports whether a response's result meets every rule of an
// automatic badge. Levels compare by their order in the questionnaire.
func (c *Class) Met(q *assessment.Questionnaire, r scoring.Result) bool {
	if c.Earn.Kind != Automatic || q.ID != c.Earn.Questionnaire || len(c.Earn.Rules) == 0 {
		return false
	}
	for _, rule := range c.Earn.Rules {
		if rule.MinOverall != nil && (!r.Overall.Enough || r.Overall.Score < *rule.MinOverall) {
			return false
		}
		if rule.Area == "" {
			continue
		}
		area, ok := areaResult(r, rule.Area)
		if !ok || !area.Enough || levelIndex(q, area.Level) < levelIndex(q, rule.MinLevel) {
			return false
		}
	}
	return true
}

func areaResult(r scoring.Result, id string) (scoring.AreaResult, bool) {
	for _, a := range r.Areas {
		if a.ID == id {
			return a, true
		}
	}
	return scoring.AreaResult{}, false
}

// levelIndex returns the position of a level id in the questionnaire's
// levels, or -1.
func levelIndex(q *assessment.Questionnaire, id string) int {
	for i, l := range q.Levels {
		if l.ID == id {
			return i
		}
	}
	return -1
}

// PathwayDone reports whether the held badge ids complete a pathway badge.
func (c *Class) PathwayDone(held map[string]bool) bool {
	if c.Earn.Kind != Pathway || len(c.Earn.Requires) == 0 {
		return false
	}
	for _, id := range c.Earn.Requires {
		if !held[id] {
			return false
		}
	}
	return true
}
