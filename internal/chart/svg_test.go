package chart_test

import (
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"strings"
	"testing"

	"vertaa/internal/chart"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// areas is a chart of the seven areas of the leadership questionnaire, this
// response against an earlier one that has no score for one area.
func areas() chart.Radar {
	return chart.Radar{
		Title: "Johtamisosaaminen osa-alueittain",
		Axes: []chart.Axis{
			{"Pedagoginen johtaminen"},
			{"Henkilöstöjohtaminen ja HR-kehittäminen"},
			{"Yhdenvertaisuus ja tasa-arvo"},
			{"Tiimimäinen työ"},
			{"Muutoksen johtaminen"},
			{"Verkostot ja vertaisoppiminen"},
			{"Itsensä johtaminen ja hyvinvointi"},
		},
		Min: 1, Max: 5,
		Rings: []float64{1, 2, 3, 4, 5},
		Series: []chart.Series{
			{Name: "Tämä arvio", Values: []float64{3.8, 4.2, 3.1, 4.6, 2.7, 3.4, 4.0}, Style: "solid"},
			{Name: "Edellinen arvio", Values: []float64{3.2, 3.9, 2.5, math.NaN(), 2.9, 2.8, 3.5}, Style: "dashed"},
		},
	}
}

const areasDesc = "Keskiarvot asteikolla 1–5, tämä arvio ja edellinen: " +
	"pedagoginen johtaminen 3,8 ja 3,2; henkilöstöjohtaminen ja HR-kehittäminen 4,2 ja 3,9; " +
	"yhdenvertaisuus ja tasa-arvo 3,1 ja 2,5; tiimimäinen työ 4,6, edellisessä ei tulosta; " +
	"muutoksen johtaminen 2,7 ja 2,9; verkostot ja vertaisoppiminen 3,4 ja 2,8; " +
	"itsensä johtaminen ja hyvinvointi 4,0 ja 3,5."

func TestSVGGolden(t *testing.T) {
	got, err := areas().SVG(640, areasDesc)
	if err != nil {
		t.Fatal(err)
	}
	const path = "testdata/areas.svg"
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/chart -update to create it)", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("SVG differs from %s (run go test ./internal/chart -update and look at the difference):\n%s", path, got)
	}
}

// svgDoc is what TestSVGWellFormed reads back from the SVG.
type svgDoc struct {
	root         xml.StartElement
	title, desc  string
	texts        []string
	forbidden    []string
	elementCount int
}

func parseSVG(tb testing.TB, s string) svgDoc {
	tb.Helper()
	var doc svgDoc
	var path []string
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("SVG is not well-formed XML: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if doc.elementCount == 0 {
				doc.root = tok.Copy()
			}
			doc.elementCount++
			path = append(path, tok.Name.Local)
			for _, a := range tok.Attr {
				if a.Name.Local == "style" || a.Name.Local == "href" || strings.HasPrefix(a.Name.Local, "on") {
					doc.forbidden = append(doc.forbidden, tok.Name.Local+"@"+a.Name.Local)
				}
			}
			switch tok.Name.Local {
			case "script", "style", "foreignObject", "image", "use":
				doc.forbidden = append(doc.forbidden, tok.Name.Local)
			}
		case xml.EndElement:
			path = path[:len(path)-1]
		case xml.CharData:
			if len(path) == 0 {
				break
			}
			switch path[len(path)-1] {
			case "title":
				doc.title += string(tok)
			case "desc":
				doc.desc += string(tok)
			case "tspan", "text":
				doc.texts = append(doc.texts, string(tok))
			}
		}
	}
	return doc
}

func TestSVGWellFormed(t *testing.T) {
	r := areas()
	r.Title = `Johtaminen <&> "arvio"`
	r.Axes[3].Label = "Tiimi <&> työ"
	r.Series[1].Name = "Vanha <&> arvio"
	desc := "Arvot <&> kuvaus"
	s, err := r.SVG(600, desc)
	if err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, s)

	if doc.root.Name.Local != "svg" || doc.root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Errorf("root element %v, want svg in the SVG namespace", doc.root.Name)
	}
	attrs := map[string]string{}
	for _, a := range doc.root.Attr {
		attrs[a.Name.Local] = a.Value
	}
	for name, want := range map[string]string{"role": "img", "viewBox": "0 0 600 600", "width": "100%"} {
		if attrs[name] != want {
			t.Errorf("svg %s = %q, want %q", name, attrs[name], want)
		}
	}
	if doc.title != r.Title {
		t.Errorf("title = %q, want %q", doc.title, r.Title)
	}
	if doc.desc != desc {
		t.Errorf("desc = %q, want %q", doc.desc, desc)
	}
	if doc.forbidden != nil {
		t.Errorf("forbidden elements or attributes: %v", doc.forbidden)
	}
	for _, text := range []string{"Tiimi <&> työ", "Vanha <&> arvio", "Tämä arvio", "Pedagoginen", "5"} {
		found := false
		for _, got := range doc.texts {
			found = found || got == text
		}
		if !found {
			t.Errorf("no text %q in %q", text, doc.texts)
		}
	}
	if !strings.Contains(s, "Tiimi &lt;&amp;&gt; työ") {
		t.Error(`label "<&>" not escaped as &lt;&amp;&gt;`)
	}
	lower := strings.ToLower(s)
	for _, bad := range []string{"style=", "<script", "url(", "href"} {
		if strings.Contains(lower, bad) {
			t.Errorf("SVG contains %q", bad)
		}
	}
}

// A control character cannot appear in XML; it must not break the SVG.
func TestSVGControlCharacters(t *testing.T) {
	r := areas()
	r.Title = "Otsikko\x00\x1b"
	r.Axes[0].Label = "Ala\x0coikea"
	s, err := r.SVG(600, "kuvaus\x07")
	if err != nil {
		t.Fatal(err)
	}
	parseSVG(t, s)
}

// Series stay apart without colour: each has its own line style and marker.
func TestSVGSeriesDistinguishable(t *testing.T) {
	r := areas()
	r.Series[0].Style, r.Series[1].Style = "", ""
	r.Series = append(r.Series, chart.Series{Name: "Tiimi", Values: []float64{2, 2, 2, 2, 2, 2, 2}})
	s, err := r.SVG(600, "kuvaus")
	if err != nil {
		t.Fatal(err)
	}
	parseSVG(t, s)
	for _, want := range []string{`<circle`, `<rect`, `stroke-dasharray="7.5 5"`, `stroke-dasharray="0 5" stroke-linecap="round"`,
		`fill="#0b5cad"`, `fill="#b35900"`, `fill="#1b1f24"`} {
		if !strings.Contains(s, want) {
			t.Errorf("SVG has no %s", want)
		}
	}
	// the diamond markers of the third series: a 4-point polygon in its colour
	if strings.Count(s, `fill="#1b1f24" stroke="#fff"`) != 8 {
		t.Errorf("want 7 diamond markers and one in the legend for the third series")
	}
}
