package badge_test

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"vertaa/badges"
	"vertaa/internal/assessment/assessmenttest"
	"vertaa/internal/badge"
	"vertaa/internal/yamldoc"
)

// fixture returns the test badges of testdata/fixture, an automatic, an
// application and a pathway badge with their artwork, to be changed by a
// test.
func fixture(t testing.TB) fstest.MapFS {
	t.Helper()
	dir := os.DirFS("testdata/fixture")
	entries, err := fs.ReadDir(dir, ".")
	if err != nil {
		t.Fatal(err)
	}
	m := fstest.MapFS{}
	for _, e := range entries {
		b, err := fs.ReadFile(dir, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = &fstest.MapFile{Data: b}
	}
	return m
}

// edit applies string replacements to one file of fsys; each must match.
func edit(t testing.TB, fsys fstest.MapFS, name string, pairs ...string) {
	t.Helper()
	s := string(fsys[name].Data)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("%s has no %q", name, pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	fsys[name] = &fstest.MapFile{Data: []byte(s)}
}

// pngOf encodes an opaque image of w × h pixels.
func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestShippedBadges(t *testing.T) {
	qs := assessmenttest.Shipped(t)
	c, err := badge.Load(badges.FS, "badges", qs)
	if err != nil {
		t.Fatal(err)
	}
	all := c.All()
	if len(all) != 9 {
		t.Errorf("%d shipped badges, want 9", len(all))
	}
	kinds := map[badge.Way]int{}
	for i, cl := range all {
		kinds[cl.Earn.Kind]++
		if i > 0 && all[i-1].ID >= cl.ID {
			t.Errorf("All is not ordered by id: %s before %s", all[i-1].ID, cl.ID)
		}
		if cl.Source != "badges/"+cl.ID+".yaml" || cl.Image != cl.ID+".svg" {
			t.Errorf("%s: file %s, image %s; name both after the id", cl.ID, cl.Source, cl.Image)
		}
		for _, format := range []string{"svg", "png"} {
			if img, ok := c.Image(cl, format); !ok || len(img) == 0 {
				t.Errorf("%s: no %s artwork", cl.ID, format)
			}
		}
		if got, ok := c.Get(cl.ID); !ok || got != cl {
			t.Errorf("Get(%s) = %v, %v", cl.ID, got, ok)
		}
		for _, l := range []string{"fi", "sv", "en"} {
			if cl.Name[l] == "" || cl.Description[l] == "" || cl.Criteria[l] == "" {
				t.Errorf("%s: texts lack %s", cl.ID, l)
			}
		}
	}
	for _, k := range []badge.Way{badge.Automatic, badge.ByApplication, badge.Pathway} {
		if kinds[k] == 0 {
			t.Errorf("no shipped badge is earned by %s", k)
		}
	}
	// Every area of the leadership questionnaire has a badge earned from it.
	q, _ := qs.Get("johtamisosaaminen")
	for _, a := range q.Areas {
		found := false
		for _, cl := range all {
			if cl.Earn.Kind == badge.Automatic && cl.Earn.Questionnaire == q.ID &&
				slices.ContainsFunc(cl.Earn.Rules, func(r badge.Rule) bool { return r.Area == a.ID }) {
				found = true
			}
		}
		if !found {
			t.Errorf("no automatic badge for area %s of %s", a.ID, q.ID)
		}
	}
	if _, ok := c.Get("nope"); ok {
		t.Error("Get(nope) found a class")
	}
	if _, ok := c.Image(all[0], "gif"); ok {
		t.Error("Image(gif) found artwork")
	}
}

func TestLoadFixture(t *testing.T) {
	c, err := badge.Load(fixture(t), "", assessmenttest.Shipped(t))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, cl := range c.All() {
		ids = append(ids, cl.ID)
	}
	if strings.Join(ids, ",") != "apply,auto,path" {
		t.Fatalf("loaded %v", ids)
	}
	auto, _ := c.Get("auto")
	if auto.Source != "auto.yaml" || len(auto.Earn.Rules) != 2 || *auto.Earn.Rules[1].MinOverall != 3 {
		t.Errorf("auto = %+v", auto)
	}
	svg, _ := c.Image(auto, "svg")
	if !bytes.HasPrefix(svg, []byte("<svg")) {
		t.Errorf("svg artwork = %.20q", svg)
	}
	pngData, _ := c.Image(auto, "png")
	if !bytes.HasPrefix(pngData, []byte("\x89PNG")) {
		t.Errorf("png artwork = %.20q", pngData)
	}
}

func problems(t *testing.T, fsys fs.FS) yamldoc.Problems {
	t.Helper()
	_, err := badge.Load(fsys, "", assessmenttest.Shipped(t))
	if err == nil {
		t.Fatal("Load accepted invalid definitions")
	}
	ps, ok := errors.AsType[yamldoc.Problems](err)
	if !ok {
		t.Fatalf("error %T %v is not Problems", err, err)
	}
	return ps
}

// TestValidation breaks the fixture in one way per case and checks every
// problem reported: file, line, path and message.
func TestValidation(t *testing.T) {
	square := `viewBox="0 0 200 200"`
	cases := []struct {
		name   string
		change func(t *testing.T, fsys fstest.MapFS)
		want   []string
	}{
		{"unknown questionnaire",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "auto.yaml", "questionnaire: johtamisosaaminen", "questionnaire: johtaminen")
			},
			[]string{`auto.yaml:27: earn.questionnaire: no questionnaire with id "johtaminen"`}},
		{"no questionnaire",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "auto.yaml", "  questionnaire: johtamisosaaminen\n", "")
			},
			[]string{`auto.yaml:25: earn.questionnaire: name the questionnaire whose responses earn the badge`}},
		{"unknown area",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "auto.yaml", "area: pedagoginen-johtaminen", "area: pedagogiikka")
			},
			[]string{`auto.yaml:29: earn.rules[0].area: questionnaire johtamisosaaminen has no area "pedagogiikka"`}},
		{"unknown level",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "auto.yaml", "min_level: edistynyt", "min_level: mestari")
			},
			[]string{`auto.yaml:30: earn.rules[0].min_level: questionnaire johtamisosaaminen has no level "mestari"`}},
		{"area without a level",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "auto.yaml", "      min_level: edistynyt\n", "") },
			[]string{`auto.yaml:29: earn.rules[0].min_level: give the lowest level of the area that earns the badge`}},
		{"level without an area",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "auto.yaml", "    - min_overall: 3.0", "    - min_overall: 3.0\n      min_level: osaava")
			},
			[]string{`auto.yaml:31: earn.rules[1].area: min_level needs the area it applies to`}},
		{"empty rule",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "auto.yaml", "    - min_overall: 3.0", "    - {}") },
			[]string{`auto.yaml:31: earn.rules[1]: a rule names an area with min_level, or a min_overall`}},
		{"no rules",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "auto.yaml", "  rules:\n    - area: pedagoginen-johtaminen\n      min_level: edistynyt\n    - min_overall: 3.0\n", "")
			},
			[]string{`auto.yaml:25: earn.rules: an automatic badge needs at least one rule`}},
		{"min_overall above the range",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "auto.yaml", "min_overall: 3.0", "min_overall: 5.5") },
			[]string{`auto.yaml:31: earn.rules[1].min_overall: 5.5 is outside the score range 1 to 5 of questionnaire johtamisosaaminen`}},
		{"min_overall below the range",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "auto.yaml", "min_overall: 3.0", "min_overall: 0") },
			[]string{`auto.yaml:31: earn.rules[1].min_overall: 0 is outside the score range 1 to 5 of questionnaire johtamisosaaminen`}},
		{"min_overall not a number",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "auto.yaml", "min_overall: 3.0", "min_overall: .nan") },
			[]string{`auto.yaml:31: earn.rules[1].min_overall: must be a finite number`}},
		{"bad id",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.yaml", "id: path", "id: Polku 1") },
			[]string{`path.yaml:3: id: "Polku 1" is not a valid id: use lower-case letters, digits, '-' and '_', starting with a letter or digit`}},
		{"missing id",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.yaml", "id: path\n", "") },
			[]string{`path.yaml:3: id: missing id`}},
		{"bad semver",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.yaml", "version: 1.0.0", "version: 1.0") },
			[]string{`path.yaml:4: version: "1.0" is not a semantic version such as 1.0.0`}},
		{"missing translation",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "path.yaml", "name: {fi: Polku, sv: Stig, en: Pathway}", "name: {fi: Polku, en: Pathway}")
			},
			[]string{`path.yaml:7: name.sv: missing translation`}},
		{"empty text",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "path.yaml", "  sv: Båda de andra märkena.", `  sv: " "`)
			},
			[]string{`path.yaml:14: criteria.sv: empty text`}},
		{"text in a language the badge does not have",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "path.yaml", "languages: [fi, sv, en]", "languages: [fi, en]", "  sv: Båda de andra märkena.\n", "")
			},
			[]string{
				`path.yaml:7: name.sv: language "sv" is not one of the badge's languages [fi en]`,
				`path.yaml:10: description.sv: language "sv" is not one of the badge's languages [fi en]`,
			}},
		{"languages",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "path.yaml", "default_language: fi", "default_language: de", "languages: [fi, sv, en]", "languages: [fi, sv, en, FI, fi]")
			},
			[]string{
				`path.yaml:5: default_language: "de" is not a supported language (fi, sv, en)`,
				`path.yaml:6: languages: must include the default language "de"`,
				`path.yaml:6: languages[3]: "FI" is not a supported language (fi, sv, en)`,
				`path.yaml:6: languages[4]: "fi" is listed twice`,
				`path.yaml:7: name.FI: missing translation`,
				`path.yaml:8: description.FI: missing translation`,
				`path.yaml:12: criteria.FI: missing translation`,
			}},
		{"missing PNG artwork",
			func(t *testing.T, m fstest.MapFS) { delete(m, "path.png") },
			[]string{`path.yaml:16: image: no artwork path.png beside the definition`}},
		{"missing SVG artwork",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.yaml", "image: path.svg", "image: polku.svg") },
			[]string{
				`path.yaml:16: image: no artwork polku.svg beside the definition`,
				`path.yaml:16: image: no artwork polku.png beside the definition`,
			}},
		{"image not an SVG",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.yaml", "image: path.svg", "image: path.png") },
			[]string{`path.yaml:16: image: "path.png" must be the name of an .svg file beside the definition`}},
		{"image in another folder",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.yaml", "image: path.svg", "image: ../path.svg") },
			[]string{`path.yaml:16: image: "../path.svg" must be the name of an .svg file beside the definition`}},
		{"SVG viewBox not square",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.svg", square, `viewBox="0 0 200 150"`) },
			[]string{`path.yaml:16: image: path.svg: viewBox "0 0 200 150" is 200 wide and 150 high: the artwork must be square`}},
		{"SVG width and height differ",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.svg", `height="200"`, `height="150px"`) },
			[]string{`path.yaml:16: image: path.svg: width "200" and height "150px" differ: the artwork must be square`}},
		{"SVG without a viewBox",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.svg", square, "") },
			[]string{`path.yaml:16: image: path.svg: the <svg> element needs a square viewBox, such as viewBox="0 0 400 400"`}},
		{"SVG viewBox not numbers",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.svg", square, `viewBox="0 0 big"`) },
			[]string{`path.yaml:16: image: path.svg: viewBox "0 0 big" is not four numbers: min-x min-y width height`}},
		{"SVG not well-formed",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.svg", `fill="#113054"/>`, `fill="#113054">`) },
			[]string{`path.yaml:16: image: path.svg: not well-formed XML: XML syntax error on line 4: element <circle> closed by </svg>`}},
		{"SVG cut short",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.svg", "</svg>", "") },
			[]string{`path.yaml:16: image: path.svg: not well-formed XML: XML syntax error on line 5: unexpected EOF`}},
		{"not an SVG",
			func(t *testing.T, m fstest.MapFS) {
				m["path.svg"] = &fstest.MapFile{Data: []byte("<html><body/></html>")}
			},
			[]string{`path.yaml:16: image: path.svg: the root element must be <svg> in the namespace http://www.w3.org/2000/svg`}},
		{"empty SVG",
			func(t *testing.T, m fstest.MapFS) {
				m["path.svg"] = &fstest.MapFile{Data: []byte("<?xml version=\"1.0\"?>\n")}
			},
			[]string{`path.yaml:16: image: path.svg: no <svg> element`}},
		{"SVG with scripts and links",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "path.svg", "<title", `<script>alert(1)</script><image href="https://example.com/a.png" onload="x()"/><use href="#t"/><title`)
			},
			[]string{
				`path.yaml:16: image: path.svg: <script> is not allowed in artwork`,
				`path.yaml:16: image: path.svg: href="https://example.com/a.png" refers outside the file: artwork must be self-contained`,
				`path.yaml:16: image: path.svg: event handler attribute onload is not allowed in artwork`,
			}},
		{"PNG not square",
			func(t *testing.T, m fstest.MapFS) { m["path.png"] = &fstest.MapFile{Data: pngOf(t, 300, 200)} },
			[]string{`path.yaml:16: image: path.png: 300 × 200 pixels: the artwork must be square`}},
		{"PNG too small",
			func(t *testing.T, m fstest.MapFS) { m["path.png"] = &fstest.MapFile{Data: pngOf(t, 64, 64)} },
			[]string{`path.yaml:16: image: path.png: 64 × 64 pixels: use 200 to 2048 pixels a side`}},
		{"PNG damaged",
			func(t *testing.T, m fstest.MapFS) {
				b := pngOf(t, 200, 200)
				m["path.png"] = &fstest.MapFile{Data: b[:len(b)/2]}
			},
			[]string{`path.yaml:16: image: path.png: damaged PNG image: png: invalid format: not enough pixel data`}},
		{"not a PNG",
			func(t *testing.T, m fstest.MapFS) { m["path.png"] = m["path.svg"] },
			[]string{`path.yaml:16: image: path.png: not a PNG image: png: invalid format: not a PNG file`}},
		{"artwork too large",
			func(t *testing.T, m fstest.MapFS) {
				m["path.svg"] = &fstest.MapFile{Data: bytes.Repeat([]byte(" "), badge.MaxArtworkSize+1)}
			},
			[]string{`path.yaml:16: image: path.svg is larger than 1048576 bytes`}},
		{"bad achievement_type",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "path.yaml", "achievement_type: Certificate", "achievement_type: certificate")
			},
			[]string{`path.yaml:17: achievement_type: "certificate" is not an Open Badges 3.0 achievement type (such as Competency, Achievement, Certificate)`}},
		{"valid_months out of range",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.yaml", "valid_months: 0", "valid_months: 121") },
			[]string{`path.yaml:18: valid_months: must be from 0 (does not expire) to 120, got 121`}},
		{"bad alignment",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "auto.yaml",
					"target_url: https://joint-research-centre.ec.europa.eu/entrecomp-entrepreneurship-competence-framework_en", "target_url: entrecomp",
					"target_framework: EntreComp", `target_framework: " "`,
					"tags: [testi]", `tags: [testi, ""]`)
			},
			[]string{
				`auto.yaml:19: tags[1]: empty tag`,
				`auto.yaml:22: alignments[0].target_url: "entrecomp" is not an absolute http(s) URL`,
				`auto.yaml:23: alignments[0].target_framework: name the framework`,
			}},
		{"pathway requires an unknown badge",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "path.yaml", "requires: [auto, apply]", "requires: [auto, apply, ghost]")
			},
			[]string{`path.yaml:21: earn.requires[2]: no badge class with id "ghost"`}},
		{"pathway requires itself",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "path.yaml", "requires: [auto, apply]", "requires: [auto, path]")
			},
			[]string{`path.yaml:21: earn.requires[1]: a badge cannot require itself`}},
		{"pathway requires a badge twice",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "path.yaml", "requires: [auto, apply]", "requires: [auto, apply, auto]")
			},
			[]string{`path.yaml:21: earn.requires[2]: "auto" is listed twice`}},
		{"pathway of one badge",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "path.yaml", "requires: [auto, apply]", "requires: [auto]")
			},
			[]string{`path.yaml:21: earn.requires: a pathway requires at least two badges`}},
		{"pathways requiring each other",
			func(t *testing.T, m fstest.MapFS) {
				m["loop.yaml"] = m["path.yaml"]
				edit(t, m, "loop.yaml", "id: path", "id: loop", "requires: [auto, apply]", "requires: [path, apply]")
				edit(t, m, "path.yaml", "requires: [auto, apply]", "requires: [auto, loop]")
			},
			[]string{
				`loop.yaml:21: earn.requires: the badge can never be earned: it requires itself through loop → path → loop`,
				`path.yaml:21: earn.requires: the badge can never be earned: it requires itself through path → loop → path`,
			}},
		{"duplicate ids",
			func(t *testing.T, m fstest.MapFS) { m["path2.yaml"] = m["path.yaml"] },
			[]string{`path2.yaml:3: id: "path" is already the id of path.yaml`}},
		{"unknown endorser",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "apply.yaml", "endorsers: [auto]", "endorsers: [auto, ghost]")
			},
			[]string{`apply.yaml:23: earn.endorsers[1]: no badge class with id "ghost"`}},
		{"unknown reviewer",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "apply.yaml", "reviewers: [hr]", "reviewers: [hr, rehtori, hr]")
			},
			[]string{
				`apply.yaml:22: earn.reviewers[1]: "rehtori" is not a reviewer role (hr)`,
				`apply.yaml:22: earn.reviewers[2]: "hr" is listed twice`,
			}},
		{"no reviewers",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "apply.yaml", "  reviewers: [hr]\n", "", "  endorsers: [auto]\n", "")
			},
			[]string{`apply.yaml:19: earn.reviewers: name who reviews applications: hr, or endorsers`}},
		{"approvals above the range",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "apply.yaml", "approvals: 1", "approvals: 6") },
			[]string{`apply.yaml:24: earn.approvals: must be from 1 to 5, got 6`}},
		{"approvals missing",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "apply.yaml", "  approvals: 1\n", "") },
			[]string{`apply.yaml:19: earn.approvals: must be from 1 to 5, got 0`}},
		{"no evidence prompt",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "apply.yaml", "  evidence_prompt: {fi: Kuvaa ja linkitä., sv: Beskriv och länka., en: Describe and link.}\n", "")
			},
			[]string{`apply.yaml:19: earn.evidence_prompt: missing text`}},
		{"unknown earn kind",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "path.yaml", "kind: pathway", "kind: polku") },
			[]string{`path.yaml:20: earn.kind: "polku" is not a way to earn a badge (automatic, application, pathway)`}},
		{"no earn",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "path.yaml", "earn:\n  kind: pathway\n  requires: [auto, apply]\n", "")
			},
			[]string{`path.yaml:3: earn.kind: say how the badge is earned: automatic, application or pathway`}},
		{"fields of another way to earn",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "path.yaml", "  kind: pathway", "  kind: pathway\n  approvals: 1\n  questionnaire: johtamisosaaminen")
			},
			[]string{
				`path.yaml:21: earn.approvals: only application badges have approvals`,
				`path.yaml:22: earn.questionnaire: only automatic badges have questionnaire`,
			}},
		{"unknown field",
			func(t *testing.T, m fstest.MapFS) {
				edit(t, m, "path.yaml", "valid_months: 0", "valid_months: 0\nvalid: 1")
			},
			[]string{`path.yaml:19: valid: unknown field "valid"`}},
		{"wrong type in a badge others refer to",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "auto.yaml", "valid_months: 36", "valid_months: many") },
			[]string{"auto.yaml:18: cannot unmarshal !!str `many` into int"}},
		{"invalid badge others refer to",
			func(t *testing.T, m fstest.MapFS) { edit(t, m, "auto.yaml", "version: 1.0.0", "version: one") },
			[]string{`auto.yaml:4: version: "one" is not a semantic version such as 1.0.0`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := fixture(t)
			tc.change(t, m)
			ps := problems(t, m)
			got := make([]string, len(ps))
			for i, p := range ps {
				got[i] = p.String()
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestValidationCollectsEveryProblem(t *testing.T) {
	m := fixture(t)
	edit(t, m, "auto.yaml", "version: 1.0.0", "version: x", "min_level: edistynyt", "min_level: huippu")
	edit(t, m, "apply.yaml", "approvals: 1", "approvals: 0")
	delete(m, "path.png")
	ps := problems(t, m)
	want := []string{
		`apply.yaml:24: earn.approvals: must be from 1 to 5, got 0`,
		`auto.yaml:4: version: "x" is not a semantic version such as 1.0.0`,
		`auto.yaml:30: earn.rules[0].min_level: questionnaire johtamisosaaminen has no level "huippu"`,
		`path.yaml:16: image: no artwork path.png beside the definition`,
	}
	if got := strings.Split(ps.Error(), "\n"); !slices.Equal(got, want) {
		t.Errorf("problems:\n%v\nwant:\n%s", ps, strings.Join(want, "\n"))
	}
}

func TestLoadBrokenFiles(t *testing.T) {
	cases := map[string]string{
		"":                "b.yaml: file is empty",
		"- a\n":           "b.yaml:1: the file must be a mapping of fields",
		"id: [unclosed\n": "b.yaml:1: did not find expected ',' or ']'",
		"id: a\nid: b\n":  `b.yaml:2: mapping key "id" already defined at line 1`,
	}
	for in, want := range cases {
		m := fixture(t)
		m["b.yaml"] = &fstest.MapFile{Data: []byte(in)}
		if ps := problems(t, m); ps.Error() != want {
			t.Errorf("Load(%q) = %v, want %s", in, ps, want)
		}
	}
}

// TestLoadFiles loads definitions from several folders, each with its
// artwork beside it.
func TestLoadFiles(t *testing.T) {
	m := fixture(t)
	other := fstest.MapFS{"path.svg": m["path.svg"], "path.png": m["path.png"]}
	delete(m, "path.svg")
	delete(m, "path.png")
	files := []badge.File{
		{File: yamldoc.File{Name: "a/auto.yaml", Data: m["auto.yaml"].Data}, Dir: m},
		{File: yamldoc.File{Name: "a/apply.yaml", Data: m["apply.yaml"].Data}, Dir: m},
		{File: yamldoc.File{Name: "b/path.yaml", Data: m["path.yaml"].Data}, Dir: other},
	}
	c, err := badge.LoadFiles(files, assessmenttest.Shipped(t))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := c.Get("path"); !ok || p.Source != "b/path.yaml" {
		t.Fatalf("Get(path) = %+v, %v", p, ok)
	}
	files[2].Dir = m
	_, err = badge.LoadFiles(files, assessmenttest.Shipped(t))
	want := "b/path.yaml:16: image: no artwork path.svg beside the definition\nb/path.yaml:16: image: no artwork path.png beside the definition"
	if err == nil || err.Error() != want {
		t.Errorf("artwork looked for in the wrong folder: %v", err)
	}
	files[2].Dir = nil
	if _, err = badge.LoadFiles(files, assessmenttest.Shipped(t)); err == nil || err.Error() != want {
		t.Errorf("without a folder: %v", err)
	}
	// Without questionnaires, an automatic badge refers to nothing.
	_, err = badge.LoadFiles(files[:2], nil)
	if err == nil || err.Error() != `a/auto.yaml:27: earn.questionnaire: no questionnaire with id "johtamisosaaminen"` {
		t.Errorf("without questionnaires: %v", err)
	}
}
