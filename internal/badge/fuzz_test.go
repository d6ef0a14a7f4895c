package badge_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"vertaa/internal/assessment/assessmenttest"
	"vertaa/internal/badge"
	"vertaa/internal/scoring"
	"vertaa/internal/yamldoc"
)

// FuzzLoad feeds the loader an arbitrary definition with arbitrary
// artwork, beside the fixture badges it may refer to. It must never
// panic, must answer with Problems or a catalog, and a class it accepts
// must be usable: a way to earn it, its artwork, rules that can be
// checked.
func FuzzLoad(f *testing.F) {
	qs := assessmenttest.Shipped(f)
	base := fixture(f)
	svg, png := base["auto.svg"].Data, base["auto.png"].Data
	defs, _ := filepath.Glob("testdata/fixture/*.yaml")
	shipped, _ := filepath.Glob("../../badges/*.yaml")
	for _, p := range append(defs, shipped...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		// The fuzzed definition's artwork is fuzz.svg and fuzz.png.
		s := string(b)
		if i := strings.Index(s, "\nimage: "); i >= 0 {
			end := strings.IndexByte(s[i+1:], '\n')
			s = s[:i+1] + "image: fuzz.svg" + s[i+1+end:]
		}
		f.Add([]byte(s), svg, png)
	}
	f.Add([]byte("id: x\nearn: {kind: pathway, requires: [x, x]}\n"), svg, png)
	f.Add([]byte("a: &a [1]\nb: [*a, *a]\n"), []byte("<svg/>"), []byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("id: fuzz\nimage: fuzz.svg\n"), []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0,0,1e308,1e308" width="1e999" height="-1"><a href=" javascript:x"/></svg>`), png[:40])
	f.Fuzz(func(t *testing.T, def, svg, png []byte) {
		m := fstest.MapFS{
			"fuzz.yaml": {Data: def},
			"fuzz.svg":  {Data: svg},
			"fuzz.png":  {Data: png},
		}
		for name, file := range base {
			m[name] = file
		}
		c, err := badge.Load(m, "", qs)
		if err != nil {
			ps, ok := errors.AsType[yamldoc.Problems](err)
			if !ok {
				t.Fatalf("error %T is not Problems: %v", err, err)
			}
			for _, p := range ps {
				if p.File == "" || p.Message == "" {
					t.Fatalf("problem without file or message: %+v", p)
				}
			}
			return
		}
		held := map[string]bool{}
		for _, cl := range c.All() {
			held[cl.ID] = true
		}
		for _, cl := range c.All() {
			for _, format := range []string{"svg", "png"} {
				if img, ok := c.Image(cl, format); !ok || len(img) == 0 {
					t.Fatalf("%s: accepted without %s artwork", cl.ID, format)
				}
			}
			switch cl.Earn.Kind {
			case badge.Automatic:
				q, ok := qs.Get(cl.Earn.Questionnaire)
				if !ok || len(cl.Earn.Rules) == 0 {
					t.Fatalf("%s: accepted with questionnaire %q and %d rules", cl.ID, cl.Earn.Questionnaire, len(cl.Earn.Rules))
				}
				cl.Met(q, scoring.Result{})
			case badge.ByApplication:
				if cl.Earn.Approvals < 1 || len(cl.Earn.EvidencePrompt) == 0 {
					t.Fatalf("%s: accepted with %d approvals", cl.ID, cl.Earn.Approvals)
				}
			case badge.Pathway:
				if !cl.PathwayDone(held) {
					t.Fatalf("%s: holding every badge does not complete the pathway", cl.ID)
				}
			default:
				t.Fatalf("%s: accepted with kind %q", cl.ID, cl.Earn.Kind)
			}
		}
	})
}
