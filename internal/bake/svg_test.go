package bake_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"vertaa/internal/bake"
)

// badgeSVG is a hand-written badge: a declaration, a comment, an entity and
// non-ASCII text, all of which baking must leave alone.
const badgeSVG = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Vertaa badge -->
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
  <title>Yhteistyö &amp; vuorovaikutus</title>
  <circle cx="256" cy="256" r="200" fill="#1d4ed8"/>
  <text x="256" y="270" text-anchor="middle" fill="white">Šárka</text>
</svg>
`

const (
	rootTag = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">`
	nsV3    = ` xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`
	nsV2    = ` xmlns:openbadges="http://openbadges.org"`
)

// withRoot returns badgeSVG with its root start tag followed by inserted.
func withRoot(newRoot, inserted string) string {
	return strings.Replace(badgeSVG, rootTag, newRoot+inserted, 1)
}

func TestSVGRoundTrip(t *testing.T) {
	v3Root := strings.TrimSuffix(rootTag, ">") + nsV3 + ">"
	v2Root := strings.TrimSuffix(rootTag, ">") + nsV2 + ">"
	want := map[string]string{
		"V3 compact JWS":               withRoot(v3Root, `<openbadges:credential verify="`+credentialJWS+`"></openbadges:credential>`),
		"V3 JSON with Finnish letters": withRoot(v3Root, `<openbadges:credential><![CDATA[`+credentialJSON+`]]></openbadges:credential>`),
		"V2 hosted URL":                withRoot(v2Root, `<openbadges:assertion verify="`+assertionURL+`"/>`),
		"V2 JSON":                      withRoot(v2Root, `<openbadges:assertion verify="`+assertionURL+`"><![CDATA[`+assertionJSON+`]]></openbadges:assertion>`),
		"V2 signed assertion":          withRoot(v2Root, `<openbadges:assertion verify="`+credentialJWS+`"/>`),
	}
	for _, tc := range bakeCases {
		t.Run(tc.name, func(t *testing.T) {
			baked, err := bake.BakeSVG([]byte(badgeSVG), tc.kind, tc.value)
			if err != nil {
				t.Fatal(err)
			}
			if string(baked) != want[tc.name] {
				t.Errorf("BakeSVG =\n%s\nwant\n%s", baked, want[tc.name])
			}
			value, kind, err := bake.ExtractSVG(baked)
			if err != nil {
				t.Fatal(err)
			}
			if value != tc.value || kind != tc.kind {
				t.Errorf("ExtractSVG = %q, %v; want %q, %v", value, kind, tc.value, tc.kind)
			}
		})
	}
}

func TestBakeSVGReplaces(t *testing.T) {
	once, err := bake.BakeSVG([]byte(badgeSVG), bake.V2, assertionJSON)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := bake.BakeSVG(once, bake.V3, credentialJSON)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := bake.BakeSVG([]byte(badgeSVG), bake.V3, credentialJSON)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(twice, direct) {
		t.Errorf("re-baking gives\n%s\nbaking the plain image gives\n%s", twice, direct)
	}

	t.Run("elements baked elsewhere", func(t *testing.T) {
		// Both kinds, one nested in a group and one declaring its own namespace.
		svg := `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">
  <openbadges:assertion verify="https://old.example/a/1"/>
  <g><ob:credential xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><![CDATA[{"old":true}]]></ob:credential></g>
</svg>`
		want := `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">` +
			`<openbadges:credential verify="` + credentialJWS + `"></openbadges:credential>
  
  <g></g>
</svg>`
		baked, err := bake.BakeSVG([]byte(svg), bake.V3, credentialJWS)
		if err != nil {
			t.Fatal(err)
		}
		if string(baked) != want {
			t.Errorf("BakeSVG =\n%s\nwant\n%s", baked, want)
		}
	})
}

func TestBakeSVGRootForms(t *testing.T) {
	cases := []struct{ name, svg, want string }{
		{"self-closing", `<svg xmlns="http://www.w3.org/2000/svg" />`,
			`<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org" >` +
				`<openbadges:assertion verify="` + assertionURL + `"/></svg>`},
		{"prefixed, no namespace declared yet", `<s:svg xmlns:s='http://www.w3.org/2000/svg'><s:g/></s:svg>`,
			`<s:svg xmlns:s='http://www.w3.org/2000/svg' xmlns:openbadges="http://openbadges.org">` +
				`<openbadges:assertion verify="` + assertionURL + `"/><s:g/></s:svg>`},
		{"attribute with > and new lines", "<svg\n  data-x=\"a>b\"\n  >\n</svg>",
			"<svg\n  data-x=\"a>b\" xmlns:openbadges=\"http://openbadges.org\"\n  >" +
				`<openbadges:assertion verify="` + assertionURL + `"/>` + "\n</svg>"},
		{"no namespace", `<svg><rect/></svg>`,
			`<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="` + assertionURL + `"/><rect/></svg>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			baked, err := bake.BakeSVG([]byte(tc.svg), bake.V2, assertionURL)
			if err != nil {
				t.Fatal(err)
			}
			if string(baked) != tc.want {
				t.Errorf("BakeSVG =\n%s\nwant\n%s", baked, tc.want)
			}
		})
	}
}

// The examples of the specifications, written as they are there (with the
// 2.0 example's missing commas put in).
func TestExtractSVGSpecExamples(t *testing.T) {
	cases := []struct {
		name, svg string
		kind      bake.Kind
		value     string
	}{
		{"3.0 VC-JWT", `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg"
  xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"
  viewBox="0 0 512 512">
  <openbadges:credential verify="` + credentialJWS + `"></openbadges:credential>

  <!-- rest-of-image -->
</svg>`, bake.V3, credentialJWS},
		{"3.0 embedded proof", `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg"
  xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"
  viewBox="0 0 512 512">
  <openbadges:credential>
    <![CDATA[
      {"type": ["VerifiableCredential", "OpenBadgeCredential"], "proof": { }}
    ]]>
  </openbadges:credential>
</svg>`, bake.V3, `{"type": ["VerifiableCredential", "OpenBadgeCredential"], "proof": { }}`},
		{"2.0 hosted with JSON", `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg"
     xmlns:openbadges="http://openbadges.org"
     viewBox="0 0 512 512">
  <openbadges:assertion verify="https://example.org/assertion.json">
    <![CDATA[
       {
         "uid": "abcdef12345",
         "verify": {
           "type": "hosted",
           "url":"https://example.org/assertion.json"
         }
       }
    ]]>
  </openbadges:assertion>
</svg>`, bake.V2, `{
         "uid": "abcdef12345",
         "verify": {
           "type": "hosted",
           "url":"https://example.org/assertion.json"
         }
       }`},
		{"2.0 signature", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">` +
			`<openbadges:assertion verify="` + credentialJWS + `"/></svg>`, bake.V2, credentialJWS},
		{"text instead of CDATA", `<svg xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><ob:credential>{"a":"&lt;b&gt;"}</ob:credential></svg>`,
			bake.V3, `{"a":"<b>"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			value, kind, err := bake.ExtractSVG([]byte(tc.svg))
			if err != nil {
				t.Fatal(err)
			}
			if value != tc.value || kind != tc.kind {
				t.Errorf("ExtractSVG = %q, %v; want %q, %v", value, kind, tc.value, tc.kind)
			}
		})
	}
}

func TestExtractSVGRefuses(t *testing.T) {
	baked, err := bake.BakeSVG([]byte(badgeSVG), bake.V3, credentialJSON)
	if err != nil {
		t.Fatal(err)
	}
	v3 := func(inner string) string {
		return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">` + inner + `</svg>`
	}
	cases := []struct {
		name string
		svg  string
		want error
	}{
		{"ErrNotSVG HTML", `<html><body/></html>`, bake.ErrNotSVG},
		{"ErrNotSVG other namespace", `<svg xmlns="urn:not-svg"/>`, bake.ErrNotSVG},
		{"ErrNotSVG text", `Šárka Ääritalo`, bake.ErrNotSVG},
		{"ErrNotSVG empty", ``, bake.ErrNotSVG},
		{"ErrNotSVG PNG", "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", bake.ErrNotSVG},
		{"ErrUnsupported DOCTYPE with entity", `<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY cred "` + credentialJWS + `">]>
<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential>&cred;</openbadges:credential></svg>`, bake.ErrUnsupported},
		{"ErrUnsupported billion laughs", `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><svg>&lol2;</svg>`, bake.ErrUnsupported},
		{"ErrUnsupported DOCTYPE of SVG 1.1", `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">` + v3(`<openbadges:credential verify="`+credentialJWS+`"/>`), bake.ErrUnsupported},
		{"ErrCorrupt undeclared entity", v3(`<openbadges:credential>&cred;</openbadges:credential>`), bake.ErrCorrupt},
		{"ErrCorrupt mismatched tags", v3(`<g></openbadges:credential>`), bake.ErrCorrupt},
		{"ErrCorrupt second root", v3(``) + `<svg/>`, bake.ErrCorrupt},
		{"ErrCorrupt text after root", v3(``) + `junk`, bake.ErrCorrupt},
		{"ErrTruncated", string(baked[:len(baked)/2]), bake.ErrTruncated},
		{"ErrTruncated in a tag", v3(`<openbadges:credential verify="eyJ`)[:120], bake.ErrTruncated},
		{"ErrTooLarge", v3(`<!--` + strings.Repeat("x", bake.MaxImageSize) + `-->`), bake.ErrTooLarge},
		{"ErrNoCredential", badgeSVG, bake.ErrNoCredential},
		{"ErrNoCredential wrong namespace", `<svg xmlns:openbadges="https://purl.imsglobal.org/spec/ob/v3p0"><openbadges:credential verify="` + credentialJWS + `"/></svg>`, bake.ErrNoCredential},
		{"ErrNoCredential empty element", v3(`<openbadges:credential> </openbadges:credential>`), bake.ErrNoCredential},
		{"ErrTwoCredentials", v3(`<openbadges:credential verify="` + credentialJWS + `"/><g><openbadges:credential verify="` + credentialJWS + `"/></g>`), bake.ErrTwoCredentials},
		{"ErrTwoCredentials both kinds", strings.Replace(string(baked), "<title>", `<ob:assertion xmlns:ob="http://openbadges.org" verify="`+assertionURL+`"/><title>`, 1), bake.ErrTwoCredentials},
		{"ErrBadValue CDATA end", v3(`<openbadges:credential>{"a":"]]&gt;"}</openbadges:credential>`), bake.ErrBadValue},
		{"ErrBadValue not a credential", v3(`<openbadges:credential>hello</openbadges:credential>`), bake.ErrBadValue},
		{"ErrBadValue carriage return", v3(`<openbadges:credential>{"a":&#xD;1}</openbadges:credential>`), bake.ErrBadValue},
		{"ErrTooLarge value", v3(`<openbadges:credential><![CDATA[{"a":"` + strings.Repeat("x", bake.MaxValueSize) + `"}]]></openbadges:credential>`), bake.ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			value, _, err := bake.ExtractSVG([]byte(tc.svg))
			if !errors.Is(err, tc.want) {
				t.Fatalf("ExtractSVG error = %v, want %v (value %.40q)", err, tc.want, value)
			}
			if !strings.HasPrefix(err.Error(), "bake: extract SVG: ") {
				t.Errorf("error %q lacks its context", err)
			}
		})
	}
}

func TestExtractSVGTruncated(t *testing.T) {
	baked, err := bake.BakeSVG([]byte(badgeSVG), bake.V2, assertionJSON)
	if err != nil {
		t.Fatal(err)
	}
	root := bytes.Index(baked, []byte("<svg"))
	end := bytes.LastIndex(baked, []byte("</svg>"))
	for cut := root + 1; cut < end+len("</svg>"); cut++ {
		if _, _, err := bake.ExtractSVG(baked[:cut]); !errors.Is(err, bake.ErrTruncated) {
			t.Fatalf("cut at %d (%q): error = %v, want ErrTruncated", cut, baked[cut-10:cut], err)
		}
	}
}

func TestBakeSVGRefuses(t *testing.T) {
	cases := []struct {
		name  string
		svg   string
		kind  bake.Kind
		value string
		want  error
	}{
		{"ErrNotSVG", `<html/>`, bake.V3, credentialJWS, bake.ErrNotSVG},
		{"ErrNotSVG PNG", "\x89PNG\r\n\x1a\n", bake.V3, credentialJWS, bake.ErrNotSVG},
		{"ErrUnsupported DOCTYPE", `<!DOCTYPE svg><svg/>`, bake.V3, credentialJWS, bake.ErrUnsupported},
		{"ErrCorrupt", `<svg><g></svg>`, bake.V3, credentialJWS, bake.ErrCorrupt},
		{"ErrBadValue CDATA end", badgeSVG, bake.V3, `{"a":"]]>"}`, bake.ErrBadValue},
		{"ErrBadValue carriage return", badgeSVG, bake.V2, "{\r\n\"id\":\"x\"}", bake.ErrBadValue},
		{"ErrBadValue noncharacter", badgeSVG, bake.V2, "{\"id\":\"\uFFFE\"}", bake.ErrBadValue},
		{"ErrBadValue not a credential", badgeSVG, bake.V3, "Šárka Ääritalo", bake.ErrBadValue},
		{"ErrBadValue only white space", badgeSVG, bake.V3, " \n ", bake.ErrBadValue},
		{"ErrTooLarge", `<svg><!--` + strings.Repeat("x", bake.MaxImageSize-100) + `--></svg>`, bake.V3, credentialJSON, bake.ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := bake.BakeSVG([]byte(tc.svg), tc.kind, tc.value); !errors.Is(err, tc.want) {
				t.Errorf("BakeSVG error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestBakeSVGDropsSurroundingSpace(t *testing.T) {
	baked, err := bake.BakeSVG([]byte(badgeSVG), bake.V3, "\n  "+credentialJSON+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if value, _, err := bake.ExtractSVG(baked); err != nil || value != credentialJSON {
		t.Errorf("ExtractSVG = %q, %v; want the value without surrounding space", value, err)
	}
}

func FuzzExtractSVG(f *testing.F) {
	fresh := []byte(badgeSVG)
	f.Add(fresh)
	for _, tc := range bakeCases {
		baked, err := bake.BakeSVG(fresh, tc.kind, tc.value)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(baked)
	}
	f.Add([]byte(`<svg xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><ob:credential>{"a":"&lt;b&gt;"}</ob:credential></svg>`))
	f.Add([]byte(`<svg xmlns:o="http://openbadges.org"><o:assertion verify="https://x.example/a">
  <![CDATA[ {"id":"https://x.example/a"} ]]> </o:assertion></svg>`))
	f.Add([]byte(`<!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>`))

	f.Fuzz(func(t *testing.T, svg []byte) {
		value, kind, err := bake.ExtractSVG(svg)
		if err != nil {
			if !wrapsSentinel(err) {
				t.Fatalf("error wraps none of the package's errors: %v", err)
			}
			return
		}
		again, err := bake.BakeSVG(fresh, kind, value)
		if err != nil {
			t.Fatalf("extracted %q (%v) but cannot bake it: %v", value, kind, err)
		}
		value2, kind2, err := bake.ExtractSVG(again)
		if err != nil || value2 != value || kind2 != kind {
			t.Fatalf("re-baked %q (%v) extracts as %q (%v), %v", value, kind, value2, kind2, err)
		}
	})
}
