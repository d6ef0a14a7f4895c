package scoring_test

import (
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
	"vertaa/internal/scoring"
)

// loadFixture parses the small questionnaire whose expected scores below
// are computed by hand.
func loadFixture(t testing.TB) *assessment.Questionnaire {
	t.Helper()
	b, err := os.ReadFile("../assessment/testdata/fixture.yaml")
	if err != nil {
		t.Fatal(err)
	}
	q, err := assessment.Parse("fixture.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func v(x float64) assessment.Answer { return assessment.Answer{Value: x} }

var na = assessment.Answer{NA: true}

func text(s string) assessment.Answer { return assessment.Answer{Text: s} }

func TestScoreByHand(t *testing.T) {
	q := loadFixture(t)
	s := scoring.New(q)
	cases := []struct {
		name    string
		answers assessment.Answers
		want    scoring.Result
	}{
		{
			// a: a1=4; a2=2 reversed on 1..5 is 4; a3=3 on the 1..4 level
			// scale maps onto 1..5 as 1+(3-1)*4/3 = 3.667. Mean 11.667/3
			// = 3.89 (mid). b: one value and one N/A, below its minimum
			// of 2. c: 5 (high). Overall (2*3.89 + 5)/3 = 4.26 (high).
			name: "mixed",
			answers: assessment.Answers{
				"a1": v(4), "a2": v(2), "a3": v(3), "a4": text("Jotain"),
				"b1": v(5), "b2": na, "b3": v(2),
				"c1": v(5), "share": text("Tiimipalaverimalli"),
			},
			want: scoring.Result{
				Areas: []scoring.AreaResult{
					{ID: "a", Score: 3.89, Enough: true, Level: "mid", Answered: 3, Items: 3},
					{ID: "b", Answered: 1, NA: 1, Items: 2},
					{ID: "c", Score: 5, Enough: true, Level: "high", Answered: 1, Items: 1},
				},
				Overall:     scoring.Overall{Score: 4.26, Enough: true, Level: "high", Areas: 2},
				Strengths:   []string{"c"},
				Development: []string{"a"},
			},
		},
		{
			// All 5: nothing stands out, so no strengths or development
			// areas. a2=1 reversed is 5, a3=4 maps to 5.
			name: "all equal",
			answers: assessment.Answers{
				"a1": v(5), "a2": v(1), "a3": v(4), "b1": v(5), "b2": v(5), "c1": v(5),
			},
			want: scoring.Result{
				Areas: []scoring.AreaResult{
					{ID: "a", Score: 5, Enough: true, Level: "high", Answered: 3, Items: 3},
					{ID: "b", Score: 5, Enough: true, Level: "high", Answered: 2, Items: 2},
					{ID: "c", Score: 5, Enough: true, Level: "high", Answered: 1, Items: 1},
				},
				Overall:     scoring.Overall{Score: 5, Enough: true, Level: "high", Areas: 3},
				Strengths:   []string{},
				Development: []string{},
			},
		},
		{
			// a = b = 4 tie for the one strength: a weighs 2, b 1, so a.
			// c = 2 (low) is the development area. Overall (8+4+2)/4 = 3.5.
			name: "tie goes to the heavier area",
			answers: assessment.Answers{
				"a1": v(4), "a2": v(2), "b1": v(4), "b2": v(4), "c1": v(2),
			},
			want: scoring.Result{
				Areas: []scoring.AreaResult{
					{ID: "a", Score: 4, Enough: true, Level: "high", Answered: 2, Items: 3},
					{ID: "b", Score: 4, Enough: true, Level: "high", Answered: 2, Items: 2},
					{ID: "c", Score: 2, Enough: true, Level: "low", Answered: 1, Items: 1},
				},
				Overall:     scoring.Overall{Score: 3.5, Enough: true, Level: "mid", Areas: 3},
				Strengths:   []string{"a"},
				Development: []string{"c"},
			},
		},
		{
			// b = 2.5 sits on the boundary of low and mid: mid.
			// a: 1, reversed 5 -> 1; a3=1 -> 1: a = 1 (low).
			name: "band boundaries",
			answers: assessment.Answers{
				"a1": v(1), "a2": v(5), "a3": v(1), "b1": v(2), "b2": v(3),
			},
			want: scoring.Result{
				Areas: []scoring.AreaResult{
					{ID: "a", Score: 1, Enough: true, Level: "low", Answered: 3, Items: 3},
					{ID: "b", Score: 2.5, Enough: true, Level: "mid", Answered: 2, Items: 2},
					{ID: "c", Items: 1},
				},
				Overall:     scoring.Overall{Score: 1.5, Enough: true, Level: "low", Areas: 2},
				Strengths:   []string{"b"},
				Development: []string{"a"},
			},
		},
		{
			name:    "nothing answered",
			answers: assessment.Answers{},
			want: scoring.Result{
				Areas:       []scoring.AreaResult{{ID: "a", Items: 3}, {ID: "b", Items: 2}, {ID: "c", Items: 1}},
				Strengths:   []string{},
				Development: []string{},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Score(tc.answers)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestScoreRejectsAnswersThatDoNotFit(t *testing.T) {
	s := scoring.New(loadFixture(t))
	answers := assessment.Answers{
		"a1":    v(4),
		"zz":    v(1),
		"a2":    na,
		"b1":    v(7),
		"b2":    v(2.5),
		"c1":    text("hello"),
		"a4":    v(3),
		"a3":    v(math.NaN()),
		"share": text(strings.Repeat("x", assessment.MaxAnswerText+1)),
	}
	_, err := s.Score(answers)
	if apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("got %v, want an Invalid error", err)
	}
	msg := apperr.MessageOf(err)
	for _, want := range []string{
		"zz: no such item",
		`a2: "not applicable" is not offered`,
		"b1: 7 is not a value of scale agree",
		"b2: 2.5 is not a value of scale agree",
		"c1: this question takes a choice, not text",
		"a4: an open question takes text only",
		"a3: NaN is not a value of scale level4",
		"share: text is longer than",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message does not say %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "a1") {
		t.Errorf("the valid answer a1 is reported: %s", msg)
	}
}

func TestFeedback(t *testing.T) {
	q := loadFixture(t)
	r, err := scoring.New(q).Score(assessment.Answers{"a1": v(4), "a2": v(2), "a3": v(3), "b1": v(5), "c1": v(1)})
	if err != nil {
		t.Fatal(err)
	}
	fb := scoring.Feedback(q, r)
	if len(fb) != 3 {
		t.Fatalf("%d feedback entries, want one per area", len(fb))
	}
	if fb[0].Level == nil || fb[0].Level.ID != "mid" || fb[0].Feedback.Text["en"] != "Good" || fb[0].Feedback.Suggestions[0]["sv"] != "Fortsätt" {
		t.Errorf("area a: %+v", fb[0])
	}
	if fb[1].Level != nil || fb[1].Feedback != nil || fb[1].Area.ID != "b" {
		t.Errorf("area b has too few answers but got feedback: %+v", fb[1])
	}
	if fb[2].Level.ID != "low" || fb[2].Feedback.Text["fi"] != "Heikko" {
		t.Errorf("area c: %+v", fb[2])
	}
}
