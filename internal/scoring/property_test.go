package scoring_test

import (
	"math"
	"testing"

	"pgregory.net/rapid"

	"vertaa/internal/assessment"
	"vertaa/internal/scoring"
)

// answersGen draws answers to q: for each item a point, "not applicable"
// where offered, or no answer.
func answersGen(q *assessment.Questionnaire) *rapid.Generator[assessment.Answers] {
	return rapid.Custom(func(t *rapid.T) assessment.Answers {
		ans := assessment.Answers{}
		for _, a := range q.Areas {
			for _, it := range a.Items {
				if it.Kind == assessment.TextItem {
					if rapid.Bool().Draw(t, it.ID+"-answered") {
						ans[it.ID] = assessment.Answer{Text: rapid.String().Draw(t, it.ID)}
					}
					continue
				}
				sc, _ := q.Scale(it.Scale)
				choice := rapid.IntRange(-2, len(sc.Points)-1).Draw(t, it.ID)
				switch {
				case choice == -2:
				case choice == -1:
					if it.NotApplicable {
						ans[it.ID] = assessment.Answer{NA: true}
					}
				default:
					ans[it.ID] = assessment.Answer{Value: sc.Points[choice].Value}
				}
			}
		}
		return ans
	})
}

func TestPropertyScoresStayInRange(t *testing.T) {
	for _, q := range propertyQuestionnaires(t) {
		s := scoring.New(q)
		t.Run(q.ID, rapid.MakeCheck(func(t *rapid.T) {
			r, err := s.Score(answersGen(q).Draw(t, "answers"))
			if err != nil {
				t.Fatal(err)
			}
			in := func(x float64) bool { return x >= q.Scoring.Min && x <= q.Scoring.Max && !math.IsNaN(x) }
			for _, a := range r.Areas {
				if a.Enough && (!in(a.Score) || a.Level == "") {
					t.Fatalf("area %s: score %v level %q outside %v..%v", a.ID, a.Score, a.Level, q.Scoring.Min, q.Scoring.Max)
				}
				if !a.Enough && (a.Score != 0 || a.Level != "") {
					t.Fatalf("area %s without enough answers has score %v level %q", a.ID, a.Score, a.Level)
				}
				if a.Ratio() < 0 || a.Ratio() > 1 {
					t.Fatalf("area %s: ratio %v", a.ID, a.Ratio())
				}
			}
			if r.Overall.Enough && (!in(r.Overall.Score) || r.Overall.Level == "") {
				t.Fatalf("overall %v", r.Overall)
			}
			seen := map[string]bool{}
			for _, id := range append(append([]string{}, r.Strengths...), r.Development...) {
				if seen[id] {
					t.Fatalf("area %s is both a strength and a development area: %v / %v", id, r.Strengths, r.Development)
				}
				seen[id] = true
			}
			if len(r.Strengths) > q.Scoring.Highlights || len(r.Development) > q.Scoring.Highlights {
				t.Fatalf("too many highlights: %v / %v", r.Strengths, r.Development)
			}
		}))
	}
}

// TestPropertyMirroredAnswersMirrorScores: answering every scored item
// with its mirror value (lowest + highest - v) mirrors every area score
// around the middle of the score range. This holds whatever items are
// reverse-scored, so it checks reversal and rescaling together; mirroring
// twice gives back the answers.
func TestPropertyMirroredAnswersMirrorScores(t *testing.T) {
	for _, q := range propertyQuestionnaires(t) {
		s := scoring.New(q)
		t.Run(q.ID, rapid.MakeCheck(func(t *rapid.T) {
			ans := answersGen(q).Draw(t, "answers")
			mirrored := mirror(q, ans)
			if again := mirror(q, mirrored); !equalAnswers(again, ans) {
				t.Fatal("mirroring twice changed the answers")
			}
			r1, err1 := s.Score(ans)
			r2, err2 := s.Score(mirrored)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			for i := range r1.Areas {
				a, b := r1.Areas[i], r2.Areas[i]
				if a.Enough != b.Enough {
					t.Fatalf("area %s: enough %v vs %v", a.ID, a.Enough, b.Enough)
				}
				// Both scores are rounded to two decimals.
				if a.Enough && math.Abs(a.Score+b.Score-(q.Scoring.Min+q.Scoring.Max)) > 0.0101 {
					t.Fatalf("area %s: %v and mirrored %v do not add up to %v", a.ID, a.Score, b.Score, q.Scoring.Min+q.Scoring.Max)
				}
			}
		}))
	}
}

func mirror(q *assessment.Questionnaire, ans assessment.Answers) assessment.Answers {
	out := assessment.Answers{}
	for _, a := range q.Areas {
		for _, it := range a.Items {
			x, ok := ans[it.ID]
			if !ok {
				continue
			}
			if it.Scored() && !x.NA {
				sc, _ := q.Scale(it.Scale)
				lo, hi := sc.Range()
				x.Value = lo + hi - x.Value
			}
			out[it.ID] = x
		}
	}
	return out
}

func equalAnswers(a, b assessment.Answers) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
