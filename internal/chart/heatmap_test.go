package chart_test

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"vertaa/internal/chart"
)

// teams is a heatmap of three teams in three areas and overall, with a
// cell without a value, a cell without a band and two hidden cells.
func teams() chart.Heatmap {
	nan := math.NaN()
	return chart.Heatmap{
		Title: "Tiimit osa-alueittain",
		Rows:  []string{"Koulutuspalvelut", "Henkilöstöhallinnon kehittämisyksikkö ja muut tukipalvelut", "IT"},
		Cols:  []string{"1", "2", "3", "Yhteensä"},
		Min:   1, Max: 5, Bands: 4,
		Cells: [][]chart.HeatCell{
			{{Value: 3.1, N: 12, Band: 1}, {Value: 4.25, N: 12, Band: 3}, {Value: 1, N: 11, Band: 0}, {Value: 2.8, N: 12, Band: 2}},
			{{Value: nan, N: 0, Band: -1}, {Value: 5, N: 7, Band: 3}, {Value: 2.5, N: 7, Band: 1}, {Value: 3.6, N: 7, Band: 2}},
			// a hidden cell's value and band are not used
			{{Hidden: "liian vähän", N: 2, Band: -1}, {Value: nan, Hidden: "piilotettu", Band: 7}, {Value: 3, N: 6, Band: 2}, {Value: 3, N: 6, Band: 2}},
		},
	}
}

const teamsDesc = "Tiimien keskiarvot osa-alueittain asteikolla 1–5; taulukko sivulla."

func heatmapLayout(tb testing.TB, h chart.Heatmap, width float64) chart.HeatmapLayout {
	tb.Helper()
	l, err := h.Layout(width)
	if err != nil {
		tb.Fatalf("Layout: %v", err)
	}
	return l
}

func TestHeatmapLayout(t *testing.T) {
	h := teams()
	l := heatmapLayout(t, h, 720)
	if l.Width != 720 || l.Height <= 0 || l.FontSize <= 0 || l.NoteSize >= l.FontSize {
		t.Fatalf("box %g × %g, font %g, note %g", l.Width, l.Height, l.FontSize, l.NoteSize)
	}
	first := l.Cells[0][0]
	for i, row := range l.Cells {
		for j, c := range row {
			if j > 0 && math.Abs(row[j-1].X+row[j-1].W-c.X) > 1e-9 {
				t.Errorf("cell (%d, %d) at x %g, want right after the one before, at %g", i, j, c.X, row[j-1].X+row[j-1].W)
			}
			if math.Abs(c.Y-(first.Y+float64(i)*first.H)) > 1e-9 || c.W != first.W || c.H != first.H {
				t.Errorf("cell (%d, %d) = %g,%g %g×%g, want a regular grid from %+v", i, j, c.X, c.Y, c.W, c.H, first)
			}
			if c.X+c.W > l.Width+1e-9 || c.Y+c.H > l.Height+1e-9 {
				t.Errorf("cell (%d, %d) reaches %g,%g, outside %g × %g", i, j, c.X+c.W, c.Y+c.H, l.Width, l.Height)
			}
			if c.Value != "" && !(c.ValueAt.Y < c.NoteAt.Y && c.NoteAt.Y < c.Y+c.H && c.ValueAt.Y > c.Y) {
				t.Errorf("cell (%d, %d): value at y %g and note at %g, want both inside [%g, %g], value first", i, j, c.ValueAt.Y, c.NoteAt.Y, c.Y, c.Y+c.H)
			}
		}
		lb := l.Rows[i]
		if lb.Anchor != "start" || lb.At.X >= first.X || lb.At.Y <= row[0].Y || lb.At.Y >= row[0].Y+row[0].H {
			t.Errorf("row label %d at %v (%s), want left of the grid at x %g, within its row", i, lb.At, lb.Anchor, first.X)
		}
	}
	for j, lb := range l.Cols {
		c := l.Cells[0][j]
		if lb.Anchor != "middle" || math.Abs(lb.At.X-(c.X+c.W/2)) > 1e-9 || lb.At.Y >= c.Y || len(lb.Lines) != 1 || lb.Lines[0] != h.Cols[j] {
			t.Errorf("column label %d = %+v, want %q centred above x %g", j, lb, h.Cols[j], c.X+c.W/2)
		}
	}

	cases := []struct {
		name         string
		row, col     int
		value, note  string
		fill         string
		hatched      bool
		distinctFill bool
	}{
		{"value two decimals", 0, 1, "4.25", "n=12", "", false, true},
		{"whole value", 0, 2, "1.00", "n=11", "", false, true},
		{"NaN without band", 1, 0, "–", "n=0", "#ffffff", false, false},
		{"hidden", 2, 0, "", "liian vähän", "#f2f2f2", true, false},
		{"hidden with band out of range", 2, 1, "", "piilotettu", "#f2f2f2", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := l.Cells[tc.row][tc.col]
			if c.Value != tc.value || c.Note != tc.note || c.Hatched != tc.hatched {
				t.Errorf("cell = %q / %q, hatched %t; want %q / %q, hatched %t", c.Value, c.Note, c.Hatched, tc.value, tc.note, tc.hatched)
			}
			if tc.fill != "" && c.Fill != tc.fill {
				t.Errorf("fill %s, want %s", c.Fill, tc.fill)
			}
			if tc.distinctFill && (c.Fill == "#ffffff" || c.Fill == "#f2f2f2") {
				t.Errorf("fill %s of a banded cell is that of an unbanded or hidden one", c.Fill)
			}
		})
	}
	if a, b := l.Cells[0][3].Fill, l.Cells[1][3].Fill; a != b {
		t.Errorf("bands 2 and 2 filled %s and %s, want the same", a, b)
	}
}

// A long row label is cut to two lines ending in "…"; the SVG keeps the
// full name as a <title> of the label.
func TestHeatmapLongRowLabel(t *testing.T) {
	h := teams()
	l := heatmapLayout(t, h, 720)
	lines := l.Rows[1].Lines
	if len(lines) != 2 || !strings.HasSuffix(lines[1], "…") || lines[0] != "Henkilöstöhallinnon" {
		t.Errorf("lines = %q, want two, the second ending in …", lines)
	}
	s, err := h.SVG(720, teamsDesc)
	if err != nil {
		t.Fatal(err)
	}
	doc := checkSVG(t, s, h.Title, teamsDesc)
	found := false
	for _, g := range doc.all("g") {
		if tt := g.child("title"); tt != nil && tt.text == h.Rows[1] {
			found = g.child("text") != nil && strings.Contains(g.child("text").allText(), "…")
		}
	}
	if !found {
		t.Errorf("no group with <title>%s</title> and the shortened label", h.Rows[1])
	}
}

// Narrow columns make the text smaller, and it stays finite even at the
// smallest width.
func TestHeatmapShrinks(t *testing.T) {
	h := teams()
	wide := heatmapLayout(t, h, 720)
	for range 4 {
		h.Cols = append(h.Cols, "x")
		for i := range h.Cells {
			h.Cells[i] = append(h.Cells[i], chart.HeatCell{Value: 2.5, N: 1000, Band: 0})
		}
	}
	narrow := heatmapLayout(t, h, 720)
	if narrow.FontSize >= wide.FontSize {
		t.Errorf("font %g with 8 columns, want smaller than %g with 4", narrow.FontSize, wide.FontSize)
	}
	tiny, err := h.SVG(chart.MinSize, "")
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, tiny, h.Title, "")

	// a hidden text too long even for the smallest text is shortened
	h.Cells[0][0].Hidden = strings.Repeat("liian vähän vastaajia ", 10)
	l := heatmapLayout(t, h, 720)
	if note := l.Cells[0][0].Note; !strings.HasSuffix(note, "…") || len(note) >= len(h.Cells[0][0].Hidden) {
		t.Errorf("hidden text %q, want it shortened with …", note)
	}
}

func TestHeatmapSVG(t *testing.T) {
	h := teams()
	h.Title = `Tiimit <&> "arviot"`
	h.Rows[0] = `Koulutus <&> 'palvelut'`
	h.Cols[3] = "Yht. <&>"
	h.Cells[2][0].Hidden = "alle <5> & muuta"
	desc := `Kuvaus <&> "lainaus"`
	s, err := h.SVG(720, desc)
	if err != nil {
		t.Fatal(err)
	}
	doc := checkSVG(t, s, h.Title, desc)
	texts := doc.texts()
	for _, want := range []string{`Koulutus <&> 'palvelut'`, "Yht. <&>", "alle <5> & muuta", "4.25", "n=12", "–", "piilotettu", "1", "IT"} {
		if !texts[want] {
			t.Errorf("no text %q", want)
		}
	}
	for _, want := range []string{`Koulutus &lt;&amp;&gt;`, `alle &lt;5&gt; &amp; muuta`} {
		if !strings.Contains(s, want) {
			t.Errorf("SVG has no %s", want)
		}
	}

	// hidden cells are filled with a hatch pattern defined in the SVG
	patterns := doc.all("pattern")
	if len(patterns) != 1 {
		t.Fatalf("%d patterns, want 1", len(patterns))
	}
	ref := "url(#" + patterns[0].attr["id"] + ")"
	hatched := 0
	for _, r := range doc.all("rect") {
		if r.attr["fill"] == ref {
			hatched++
		}
	}
	if hatched != 2 {
		t.Errorf("%d rects filled with %s, want the 2 hidden cells", hatched, ref)
	}

	// without hidden cells there is no pattern
	h = teams()
	h.Cells[2][0] = chart.HeatCell{Value: 2, N: 2, Band: 0}
	h.Cells[2][1] = chart.HeatCell{Value: 2, N: 2, Band: 0}
	s, err = h.SVG(720, desc)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s, "<pattern") || strings.Contains(s, "url(") {
		t.Error("pattern in a heatmap without hidden cells")
	}
}

// The same chart gives the same SVG; charts with different titles have
// different pattern ids, so that two on one page do not share one.
func TestHeatmapDeterministic(t *testing.T) {
	h := teams()
	a, _ := h.SVG(720, teamsDesc)
	b, _ := h.SVG(720, teamsDesc)
	if a != b {
		t.Error("two SVGs of the same heatmap differ")
	}
	h.Title = "Toinen"
	c, _ := h.SVG(720, teamsDesc)
	id := func(s string) string {
		return checkSVG(t, s, "", "").all("pattern")[0].attr["id"]
	}
	if id(a) == id(c) {
		t.Errorf("charts with different titles share the pattern id %s", id(a))
	}
}

// Every text of a heatmap has at least 4.5:1 contrast against every fill
// under it, for each number of bands, and the bands' tints get darker with
// the band.
func TestHeatmapContrast(t *testing.T) {
	for bands := 1; bands <= chart.MaxBands; bands++ {
		t.Run(strconv.Itoa(bands), func(t *testing.T) {
			h := chart.Heatmap{Title: "Sävyt", Rows: []string{"Tiimi"}, Min: 1, Max: 5, Bands: bands, Cells: [][]chart.HeatCell{nil}}
			for b := -1; b < bands; b++ {
				h.Cols = append(h.Cols, strconv.Itoa(b))
				h.Cells[0] = append(h.Cells[0], chart.HeatCell{Value: 3, N: 5, Band: b})
			}
			h.Cols = append(h.Cols, "piilo")
			h.Cells[0] = append(h.Cells[0], chart.HeatCell{Hidden: "liian vähän"})
			s, err := h.SVG(720, "")
			if err != nil {
				t.Fatal(err)
			}
			doc := checkSVG(t, s, h.Title, "")
			var under []string
			for _, r := range doc.all("rect") {
				if f := r.attr["fill"]; !strings.HasPrefix(f, "url(") {
					under = append(under, f)
				}
			}
			for _, l := range doc.all("line") {
				under = append(under, l.attr["stroke"])
			}
			// the pattern's background, the cells and the pattern's lines
			if len(under) != bands+3 {
				t.Fatalf("fills %q, want the pattern's, %d cells' and the hatching's", under, bands+1)
			}
			for _, text := range doc.all("text") {
				for _, bg := range under {
					if c := contrast(t, text.inherited("fill"), bg); c < 4.5 {
						t.Errorf("text %q in %s on %s: contrast %.2f, want at least 4.5", text.allText(), text.inherited("fill"), bg, c)
					}
				}
			}
			prev := luminance(t, "#ffffff")
			tints := under[2 : bands+2]
			for _, tint := range tints {
				if l := luminance(t, tint); l >= prev {
					t.Errorf("tints %q do not get darker with the band", tints)
				}
				prev = luminance(t, tint)
			}
		})
	}
}

func TestHeatmapErrors(t *testing.T) {
	cases := []struct {
		name   string
		change func(*chart.Heatmap)
		width  float64
		want   string // in the error message
	}{
		{"ErrNoRows", func(h *chart.Heatmap) { h.Rows, h.Cells = nil, nil }, 720, "0 rows"},
		{"ErrNoColumns", func(h *chart.Heatmap) {
			h.Cols = nil
			for i := range h.Cells {
				h.Cells[i] = nil
			}
		}, 720, "0 columns"},
		{"ErrMissingRow", func(h *chart.Heatmap) { h.Cells = h.Cells[:2] }, 720, "2 rows of cells for 3 rows"},
		{"ErrRaggedRow", func(h *chart.Heatmap) { h.Cells[1] = h.Cells[1][:3] }, 720, `row 1 ("Henkilöstöhallinnon`},
		{"ErrLongRow", func(h *chart.Heatmap) { h.Cells[2] = append(h.Cells[2], chart.HeatCell{}) }, 720, "5 cells for 4 columns"},
		{"ErrMinEqualsMax", func(h *chart.Heatmap) { h.Min, h.Max = 3, 3 }, 720, "[3, 3]"},
		{"ErrMinAboveMax", func(h *chart.Heatmap) { h.Min, h.Max = 5, 1 }, 720, "score range"},
		{"ErrMaxNaN", func(h *chart.Heatmap) { h.Max = math.NaN() }, 720, "score range"},
		{"ErrRangeInfinite", func(h *chart.Heatmap) { h.Min = math.Inf(-1) }, 720, "score range"},
		{"ErrTooManyBands", func(h *chart.Heatmap) { h.Bands = chart.MaxBands + 1 }, 720, "6 bands"},
		{"ErrNegativeBands", func(h *chart.Heatmap) { h.Bands = -1 }, 720, "-1 bands"},
		{"ErrBandTooHigh", func(h *chart.Heatmap) { h.Cells[0][1].Band = 4 }, 720, `("Koulutuspalvelut", "2"): band 4`},
		{"ErrBandBelowNone", func(h *chart.Heatmap) { h.Cells[0][1].Band = -2 }, 720, "band -2"},
		{"ErrNegativeN", func(h *chart.Heatmap) { h.Cells[2][3].N = -1 }, 720, `("IT", "Yhteensä"): n = -1`},
		{"ErrValueAboveMax", func(h *chart.Heatmap) { h.Cells[0][0].Value = 5.01 }, 720, "value 5.01 outside [1, 5]"},
		{"ErrValueInfinite", func(h *chart.Heatmap) { h.Cells[0][0].Value = math.Inf(1) }, 720, "value +Inf"},
		{"ErrWidthZero", func(*chart.Heatmap) {}, 0, "width 0"},
		{"ErrWidthNaN", func(*chart.Heatmap) {}, math.NaN(), "width NaN"},
		{"ErrWidthHuge", func(*chart.Heatmap) {}, 1e9, "width 1e+09"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := teams()
			tc.change(&h)
			_, err := h.Layout(tc.width)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Layout error %v, want one that says %q", err, tc.want)
			}
			if _, err := h.SVG(tc.width, "kuvaus"); err == nil {
				t.Error("SVG succeeded, want an error")
			}
		})
	}
}

// node is an element of a parsed SVG.
type node struct {
	name   string
	attr   map[string]string
	text   string // character data directly inside
	parent *node
	kids   []*node
}

func (n *node) child(name string) *node {
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// all returns the elements called name under n, in document order.
func (n *node) all(name string) []*node {
	var found []*node
	for _, k := range n.kids {
		if k.name == name {
			found = append(found, k)
		}
		found = append(found, k.all(name)...)
	}
	return found
}

// allText is the character data in n and its descendants, with a space
// between the lines (tspans) of a text.
func (n *node) allText() string {
	parts := []string{n.text}
	for _, k := range n.kids {
		parts = append(parts, k.allText())
	}
	sep := ""
	if n.name == "text" {
		sep = " "
	}
	return strings.TrimSpace(strings.Join(parts, sep))
}

// inherited is the value of attribute a on n or its nearest ancestor.
func (n *node) inherited(a string) string {
	for ; n != nil; n = n.parent {
		if v, ok := n.attr[a]; ok {
			return v
		}
	}
	return ""
}

// texts is the set of the texts of all <text> elements.
func (n *node) texts() map[string]bool {
	set := map[string]bool{}
	for _, t := range n.all("text") {
		set[t.allText()] = true
	}
	return set
}

// checkSVG checks what every chart's SVG promises and returns its root:
// well-formed, without script, style or external references (parseSVG),
// role="img", width 100%, a <title> and <desc> first (unless title and
// desc are both empty, when they are not compared), no NaN or Inf, only
// local url() references, and every coordinate inside the viewBox.
func checkSVG(tb testing.TB, s, title, desc string) *node {
	tb.Helper()
	if doc := parseSVG(tb, s); doc.forbidden != nil {
		tb.Errorf("forbidden elements or attributes: %v", doc.forbidden)
	}
	root := &node{}
	cur := root
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attr: map[string]string{}, parent: cur}
			for _, a := range tok.Attr {
				n.attr[a.Name.Local] = a.Value
			}
			cur.kids = append(cur.kids, n)
			cur = n
		case xml.EndElement:
			cur = cur.parent
		case xml.CharData:
			cur.text += string(tok)
		}
	}
	if len(root.kids) != 1 || root.kids[0].name != "svg" {
		tb.Fatalf("root elements %v, want one svg", root.kids)
	}
	svg := root.kids[0]
	if svg.attr["role"] != "img" || svg.attr["width"] != "100%" {
		tb.Errorf("svg role %q width %q, want img and 100%%", svg.attr["role"], svg.attr["width"])
	}
	if len(svg.kids) < 2 || svg.kids[0].name != "title" || svg.kids[1].name != "desc" {
		tb.Fatalf("svg does not start with <title> and <desc>")
	}
	if title != "" || desc != "" {
		if svg.kids[0].text != title || svg.kids[1].text != desc {
			tb.Errorf("title %q and desc %q, want %q and %q", svg.kids[0].text, svg.kids[1].text, title, desc)
		}
	}
	for _, bad := range []string{"NaN", "Inf"} {
		if strings.Contains(s, bad) {
			tb.Errorf("SVG contains %s", bad)
		}
	}
	if n, local := strings.Count(s, "url("), strings.Count(s, "url(#"); n != local {
		tb.Errorf("%d url() references, %d of them local", n, local)
	}

	box := strings.Fields(svg.attr["viewBox"])
	if len(box) != 4 || box[0] != "0" || box[1] != "0" {
		tb.Fatalf("viewBox %q", svg.attr["viewBox"])
	}
	w, errW := strconv.ParseFloat(box[2], 64)
	h, errH := strconv.ParseFloat(box[3], 64)
	if errW != nil || errH != nil || !(w > 0) || !(h > 0) {
		tb.Fatalf("viewBox %q", svg.attr["viewBox"])
	}
	const slack = 0.02 // coordinates are rounded to hundredths
	in := func(el *node, a string, v, max float64) {
		if !(v >= -slack && v <= max+slack) {
			tb.Errorf("<%s %s=%q> outside the viewBox %g × %g", el.name, a, el.attr[a], w, h)
		}
	}
	coord := func(el *node, a string) float64 {
		v, err := strconv.ParseFloat(el.attr[a], 64)
		if err != nil {
			tb.Errorf("<%s %s=%q>: %v", el.name, a, el.attr[a], err)
		}
		return v
	}
	var walk func(*node)
	walk = func(n *node) {
		if n.name == "pattern" {
			return // in the pattern's own space
		}
		for a := range n.attr {
			switch a {
			case "x", "x1", "x2", "cx":
				in(n, a, coord(n, a), w)
			case "y", "y1", "y2", "cy":
				in(n, a, coord(n, a), h)
			case "width":
				if n.name == "rect" {
					in(n, a, coord(n, "x")+coord(n, a), w)
				}
			case "height":
				if n.name == "rect" {
					in(n, a, coord(n, "y")+coord(n, a), h)
				}
			case "points":
				for _, p := range strings.Fields(n.attr[a]) {
					x, y, _ := strings.Cut(p, ",")
					xv, errX := strconv.ParseFloat(x, 64)
					yv, errY := strconv.ParseFloat(y, 64)
					if errX != nil || errY != nil {
						tb.Errorf("<%s points=%q>", n.name, n.attr[a])
					}
					in(n, a, xv, w)
					in(n, a, yv, h)
				}
			}
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(svg)
	return svg
}

// luminance is the relative luminance of an sRGB colour "#rgb" or
// "#rrggbb", as WCAG 2 defines it.
func luminance(tb testing.TB, color string) float64 {
	tb.Helper()
	hex := strings.TrimPrefix(color, "#")
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil || len(hex) != 6 {
		tb.Fatalf("colour %q is not #rrggbb", color)
	}
	lin := func(c uint64) float64 {
		s := float64(c) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(v>>16&0xff) + 0.7152*lin(v>>8&0xff) + 0.0722*lin(v&0xff)
}

// contrast is the WCAG 2 contrast ratio of two colours.
func contrast(tb testing.TB, a, b string) float64 {
	tb.Helper()
	la, lb := luminance(tb, a), luminance(tb, b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}
