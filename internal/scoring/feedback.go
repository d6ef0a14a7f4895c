package scoring

import "vertaa/internal/assessment"

// AreaFeedback is what to show a respondent for one area: the level
// reached and the area's feedback and development suggestions for it.
type AreaFeedback struct {
	Area     *assessment.Area
	Result   AreaResult
	Level    *assessment.Level // nil without a score
	Feedback *assessment.Feedback
}

// Feedback returns the feedback for every area of r, in the order of the
// questionnaire. An area without enough answers has no level and no
// feedback. r must come from a questionnaire with the same areas as q.
func Feedback(q *assessment.Questionnaire, r Result) []AreaFeedback {
	out := make([]AreaFeedback, 0, len(q.Areas))
	for i := range q.Areas {
		a := &q.Areas[i]
		af := AreaFeedback{Area: a}
		if i < len(r.Areas) && r.Areas[i].ID == a.ID {
			af.Result = r.Areas[i]
		}
		if af.Result.Enough {
			af.Level = q.Level(af.Result.Score)
			if f, ok := a.Feedback[af.Result.Level]; ok {
				af.Feedback = &f
			}
		}
		out = append(out, af)
	}
	return out
}
