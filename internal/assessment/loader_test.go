package assessment_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"vertaa/internal/assessment"
	"vertaa/internal/yamldoc"
)

func fixture(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/fixture.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseFixture(t *testing.T) {
	q, err := assessment.Parse("fixture.yaml", fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if q.ID != "fixture" || q.Version != "1.0.0" || len(q.Areas) != 3 || q.ItemCount() != 8 || len(q.Reflections) != 1 {
		t.Fatalf("parsed %s %s with %d areas, %d items", q.ID, q.Version, len(q.Areas), q.ItemCount())
	}
	if q.Source != "fixture.yaml" || !strings.HasPrefix(q.Hash, "sha256:") || len(q.Hash) != 71 {
		t.Fatalf("source %q, hash %q", q.Source, q.Hash)
	}
	if q.Areas[1].Weight != 1 {
		t.Errorf("an area without weight weighs %v, want 1", q.Areas[1].Weight)
	}
	// The anchor and aliases share one feedback map among the areas.
	if got := q.Areas[2].Feedback["high"].Text.In("sv", "fi"); got != "Utmärkt" {
		t.Errorf("feedback through an alias = %q", got)
	}
}

func TestHashIgnoresLayout(t *testing.T) {
	b := fixture(t)
	q1, err := assessment.Parse("a.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	relaid := strings.Replace(string(b), "# A small questionnaire for tests.", "# Another comment.\n\n#", 1)
	relaid = strings.Replace(relaid, "estimated_minutes: 5", "estimated_minutes:   5   # minutes", 1)
	q2, err := assessment.Parse("b.yaml", []byte(relaid))
	if err != nil {
		t.Fatal(err)
	}
	if q1.Hash != q2.Hash {
		t.Errorf("comments and spacing changed the hash: %s vs %s", q1.Hash, q2.Hash)
	}
	changed := strings.Replace(string(b), "en: Statement a1", "en: Statement a1 reworded", 1)
	q3, err := assessment.Parse("c.yaml", []byte(changed))
	if err != nil {
		t.Fatal(err)
	}
	if q3.Hash == q1.Hash {
		t.Error("a changed text kept the hash")
	}
}

// edit applies string replacements to the fixture; each must match.
func edit(t *testing.T, pairs ...string) []byte {
	t.Helper()
	s := string(fixture(t))
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("fixture has no %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return []byte(s)
}

func problems(t *testing.T, data []byte) yamldoc.Problems {
	t.Helper()
	_, err := assessment.Parse("f.yaml", data)
	if err == nil {
		t.Fatal("Parse accepted an invalid definition")
	}
	ps, ok := errors.AsType[yamldoc.Problems](err)
	if !ok {
		t.Fatalf("error %T %v is not Problems", err, err)
	}
	return ps
}

// TestValidation breaks the fixture in one way per case and checks that
// the problem is reported with its path, line and message.
func TestValidation(t *testing.T) {
	cases := []struct {
		name  string
		edits []string
		want  string // "line: path: message" or a part of it
	}{
		{"missing translation",
			[]string{"text: {fi: Väite a2, sv: Påstående a2, en: Statement a2}", "text: {fi: Väite a2, en: Statement a2}"},
			"f.yaml:74: areas[0].items[1].text.sv: missing translation"},
		{"empty text",
			[]string{"sv: Testenkät", "sv: \"  \""},
			"f.yaml:9: title.sv: empty text"},
		{"unknown language",
			[]string{"en: Test questionnaire", "en: Test questionnaire\n  de: Testumfrage"},
			`title.de: language "de" is not one of the questionnaire's languages`},
		{"unknown field",
			[]string{"estimated_minutes: 5", "estimated_minutes: 5\ntitel: x"},
			`f.yaml:16: titel: unknown field "titel"`},
		{"unknown field deep",
			[]string{"        reverse: true", "        reverse: true\n        revers: true"},
			`areas[0].items[1].revers: unknown field "revers"`},
		{"wrong type",
			[]string{"weight: 2", "weight: heavy"},
			"cannot unmarshal !!str `heavy` into float64"},
		{"duplicate item id",
			[]string{"- id: b2", "- id: a1"},
			`areas[1].items[1].id: id "a1" is already used at areas[0].items[0].id`},
		{"duplicate area id",
			[]string{"- id: c\n", "- id: a\n"},
			`areas[2].id: id "a" is already used at areas[0].id`},
		{"bad id",
			[]string{"id: fixture", "id: Fixture One"},
			`f.yaml:3: id: "Fixture One" is not a valid id`},
		{"bad version",
			[]string{"version: 1.0.0", "version: v1"},
			`version: "v1" is not a semantic version`},
		{"default language not offered",
			[]string{"languages: [fi, sv, en]", "languages: [sv, en]"},
			`languages: must include the default language "fi"`},
		{"unknown scale",
			[]string{"scale: agree\n        text: {fi: Väite c1", "scale: agre\n        text: {fi: Väite c1"},
			`areas[2].items[0].scale: no scale with id "agre"`},
		{"wrong scale kind",
			[]string{"scale: level4", "scale: agree"},
			`areas[0].items[2].scale: a level item needs a levels scale, but "agree" is a likert scale`},
		{"reverse on a level item",
			[]string{"        scale: level4", "        scale: level4\n        reverse: true"},
			"areas[0].items[2].reverse: only likert items, on a numeric scale, can be reverse-scored"},
		{"reverse on a choice item",
			[]string{"        scale: role", "        scale: role\n        reverse: true"},
			"areas[1].items[2].reverse: only likert items"},
		{"statements do not match the scale",
			[]string{"          - {fi: T4, sv: N4, en: L4}\n", ""},
			`areas[0].items[2].statements: give one statement per point of scale "level4": want 4, got 3`},
		{"likert values not increasing",
			[]string{"{value: 3, label: {fi: Ei samaa", "{value: 1.5, label: {fi: Ei samaa"},
			"scales[0].points[2].value: values of a likert scale must increase"},
		{"too few level points",
			[]string{"      - {value: 4, label: {fi: Edelläkävijä, sv: Föregångare, en: Leading}}\n", ""},
			"scales[1].points: a levels scale has 4 to 6 points, got 3"},
		{"not applicable without a label",
			[]string{"    not_applicable: {fi: En osaa sanoa, sv: Kan inte säga, en: Cannot say}\n", ""},
			`areas[0].items[0].not_applicable: scale "agree" has no not_applicable label to offer`},
		{"gap between levels",
			[]string{"    min: 2.5\n    max: 4", "    min: 2.6\n    max: 4"},
			"levels[1].min: gap: levels[0] ends at 2.5 but this level starts at 2.6"},
		{"overlap between levels",
			[]string{"    min: 4\n    max: 5", "    min: 3.5\n    max: 5"},
			"levels[2].min: overlap: levels[1] ends at 4 but this level starts at 3.5"},
		{"levels do not reach the top",
			[]string{"    min: 4\n    max: 5", "    min: 4\n    max: 4.5"},
			"levels[2].max: the last level must end at the highest score 5, not 4.5"},
		{"levels start above the bottom",
			[]string{"    min: 1\n    max: 2.5", "    min: 1.5\n    max: 2.5"},
			"levels[0].min: the first level must start at the lowest score 1, not 1.5"},
		{"feedback for an unknown level",
			[]string{"      high: {text:", "      top: {text:"},
			`areas[0].feedback.top: no level with id "top"`},
		{"feedback missing for a level",
			[]string{"      high: {text: {fi: Loistava, sv: Utmärkt, en: Excellent}, suggestions: [{fi: Jaa, sv: Dela, en: Share}]}\n", ""},
			`areas[0].feedback: missing feedback for level "high"`},
		{"min answers above the items",
			[]string{"    min_answers: 1", "    min_answers: 2"},
			"areas[2].min_answers: requires 2 answers but the area has only 1 scored items"},
		{"area without scored items",
			[]string{"      - id: c1\n        kind: likert\n        scale: agree\n", "      - id: c1\n        kind: text\n"},
			"areas[2].items: an area needs at least one likert or level item to be scored"},
		{"unused scale",
			[]string{"        kind: choice\n        scale: role", "        kind: text"},
			`scales[2].id: scale "role" is not used by any item`},
		{"reflection id clashes with an item",
			[]string{"  - id: share", "  - id: a4"},
			`reflections[0].id: id "a4" is already used at an item`},
		{"not a number",
			[]string{"  max: 5\n", "  max: .nan\n"},
			"scoring.max: must be a finite number"},
		{"unknown item kind",
			[]string{"kind: text", "kind: essay"},
			`areas[0].items[3].kind: "essay" is not an item kind`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := problems(t, edit(t, tc.edits...))
			found := false
			for _, p := range ps {
				if strings.Contains(p.String(), tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("want a problem %q, got:\n%v", tc.want, ps)
			}
		})
	}
}

func TestValidationCollectsEveryProblem(t *testing.T) {
	ps := problems(t, edit(t,
		"version: 1.0.0", "version: one",
		"sv: Testenkät", "sv: \"\"",
		"scale: level4", "scale: nope",
		"    min: 2.5\n    max: 4", "    min: 2.6\n    max: 4",
	))
	if len(ps) < 4 {
		t.Fatalf("got %d problems, want every one of 4:\n%v", len(ps), ps)
	}
	for i := 1; i < len(ps); i++ {
		if ps[i-1].Line > ps[i].Line {
			t.Fatalf("problems are not in line order:\n%v", ps)
		}
	}
	for _, p := range ps {
		if p.File != "f.yaml" || p.Line == 0 {
			t.Errorf("problem without file and line: %+v", p)
		}
	}
}

func TestParseBrokenFiles(t *testing.T) {
	cases := map[string]string{
		"":                     "file is empty",
		"# only a comment\n":   "file is empty",
		"- a\n- b\n":           "must be a mapping",
		"id: [unclosed\n":      "did not find expected",
		"id: a\nid: b\n":       `mapping key "id" already defined`,
		"id: x\ntitle: {fi: 1": "did not find expected",
	}
	for in, want := range cases {
		ps := problems(t, []byte(in))
		if !strings.Contains(ps.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", in, ps, want)
		}
	}
	big := make([]byte, yamldoc.MaxFileSize+1)
	if ps := problems(t, big); !strings.Contains(ps.Error(), "larger than") {
		t.Errorf("oversized file: %v", ps)
	}
}

func TestAliasBombIsRefused(t *testing.T) {
	bomb := `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
`
	_, err := assessment.Parse("bomb.yaml", []byte(bomb))
	if err == nil {
		t.Fatal("an alias bomb was accepted")
	}
}

func TestNewCatalog(t *testing.T) {
	good := fixture(t)
	other := edit(t, "id: fixture", "id: other")
	c, err := assessment.NewCatalog([]yamldoc.File{{Name: "z.yaml", Data: good}, {Name: "a.yaml", Data: other}})
	if err != nil {
		t.Fatal(err)
	}
	if all := c.All(); len(all) != 2 || all[0].ID != "fixture" || all[1].ID != "other" {
		t.Fatalf("catalog = %v", all)
	}
	if q, ok := c.Get("other"); !ok || q.Source != "a.yaml" {
		t.Fatalf("Get(other) = %v, %v", q, ok)
	}
	if _, ok := c.Get("nope"); ok {
		t.Fatal("Get(nope) found something")
	}

	_, err = assessment.NewCatalog([]yamldoc.File{
		{Name: "one.yaml", Data: good},
		{Name: "two.yaml", Data: good},
		{Name: "bad.yaml", Data: edit(t, "version: 1.0.0", "version: x")},
	})
	ps, ok := errors.AsType[yamldoc.Problems](err)
	if !ok || len(ps) != 2 {
		t.Fatalf("want 2 problems (a duplicate id and a bad version), got %v", err)
	}
	if !strings.Contains(ps.Error(), `two.yaml:1: id: "fixture" is already the id of one.yaml`) || !strings.Contains(ps.Error(), "bad.yaml:4: version") {
		t.Errorf("problems:\n%v", ps)
	}
}

func TestTextIn(t *testing.T) {
	txt := assessment.Text{"fi": "Hei", "en": "Hello"}
	cases := []struct{ lang, fallback, want string }{
		{"en", "fi", "Hello"},
		{"sv", "fi", "Hei"},
		{"sv", "de", "Hello"}, // neither: the first language alphabetically
	}
	for _, c := range cases {
		if got := txt.In(c.lang, c.fallback); got != c.want {
			t.Errorf("In(%s, %s) = %q, want %q", c.lang, c.fallback, got, c.want)
		}
	}
	if got := (assessment.Text{}).In("fi", "fi"); got != "" {
		t.Errorf("empty text = %q", got)
	}
}
