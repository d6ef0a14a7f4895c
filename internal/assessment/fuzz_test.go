package assessment_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"vertaa/internal/assessment"
	"vertaa/internal/yamldoc"
)

// FuzzParse feeds the loader arbitrary bytes. It must never panic, must
// answer with Problems or a valid questionnaire, and a questionnaire it
// accepts must hold the invariants the scoring engine relies on.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yaml")
	shipped, _ := filepath.Glob("../../assessments/*.yaml")
	for _, p := range append(seeds, shipped...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("id: x\nversion: 1.0.0\n"))
	f.Add([]byte("a: &a [1]\nb: [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := assessment.Parse("fuzz.yaml", data)
		if err != nil {
			if _, ok := errors.AsType[yamldoc.Problems](err); !ok {
				t.Fatalf("error %T is not Problems: %v", err, err)
			}
			return
		}
		if q.Scoring.Min >= q.Scoring.Max || len(q.Areas) == 0 || len(q.Levels) < 2 {
			t.Fatalf("accepted an unusable questionnaire: %+v", q.Scoring)
		}
		for _, a := range q.Areas {
			for _, it := range a.Items {
				if !it.Scored() {
					continue
				}
				sc, ok := q.Scale(it.Scale)
				if !ok {
					t.Fatalf("item %s: unresolved scale %q", it.ID, it.Scale)
				}
				lo, hi := sc.Range()
				if lo >= hi {
					t.Fatalf("scale %s has an empty range", sc.ID)
				}
			}
		}
		for s := q.Scoring.Min; s <= q.Scoring.Max; s += (q.Scoring.Max - q.Scoring.Min) / 16 {
			if q.Level(s) == nil {
				t.Fatalf("score %v has no level", s)
			}
		}
		if q.Level(q.Scoring.Max) == nil {
			t.Fatal("the highest score has no level")
		}
	})
}
