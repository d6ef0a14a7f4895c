package chart_test

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"vertaa/internal/chart"
)

// rounds is the mean of two areas over five rounds, with gaps.
func rounds() chart.Trend {
	nan := math.NaN()
	return chart.Trend{
		Title:  "Keskiarvot kierroksittain",
		Points: []string{"Kevät 2024", "Syksy 2024", "Kevät 2025", "Syksy 2025", "Kevät 2026"},
		Min:    1, Max: 5,
		Series: []chart.TrendSeries{
			{Name: "Pedagoginen johtaminen", Values: []float64{1, 2, nan, 3, 5}},
			{Name: "Tiimimäinen työ", Values: []float64{nan, 3, nan, 4, nan}},
		},
	}
}

const roundsDesc = "Kahden osa-alueen keskiarvot viidellä kierroksella; taulukko sivulla."

func trendLayout(tb testing.TB, tr chart.Trend, width float64) chart.TrendLayout {
	tb.Helper()
	l, err := tr.Layout(width)
	if err != nil {
		tb.Fatalf("Layout: %v", err)
	}
	return l
}

func TestTrendLayout(t *testing.T) {
	l := trendLayout(t, rounds(), 720)
	left, top, right, bottom := l.Plot[0].X, l.Plot[0].Y, l.Plot[1].X, l.Plot[1].Y
	if !(0 < left && left < right && right <= l.Width && 0 < top && top < bottom && bottom < l.Height) {
		t.Fatalf("plot %v in %g × %g", l.Plot, l.Width, l.Height)
	}
	step := (right - left) / 5
	x := func(i int) float64 { return left + (float64(i)+0.5)*step }
	y := func(v float64) float64 { return bottom - (v-1)/4*(bottom-top) }
	p := func(i int, v float64) chart.Point { return chart.Point{X: x(i), Y: y(v)} }

	if want := [][]chart.Point{{p(0, 1), p(1, 2)}, {p(3, 3), p(4, 5)}}; !near2(l.Series[0].Lines, want) {
		t.Errorf("lines %v, want %v: broken at the NaN", l.Series[0].Lines, want)
	}
	if l.Series[1].Lines != nil {
		t.Errorf("lines %v for values that are never next to each other", l.Series[1].Lines)
	}
	for k, want := range [][]bool{{true, true, false, true, true}, {false, true, false, true, false}} {
		for i, m := range l.Series[k].Markers {
			if (m != nil) != want[i] {
				t.Errorf("series %d point %d: marker %v, want one: %t", k, i, m, want[i])
			}
		}
	}
	if m := l.Series[1].Markers[3]; m == nil || !near(*m, p(3, 4)) {
		t.Errorf("lone marker at %v, want %v", m, p(3, 4))
	}

	var ticks []float64
	for _, tk := range l.Ticks {
		ticks = append(ticks, tk.Value)
		if !near(tk.Line[0], chart.Point{X: left, Y: y(tk.Value)}) || !near(tk.Line[1], chart.Point{X: right, Y: y(tk.Value)}) {
			t.Errorf("grid line %g from %v to %v, want across the plot at y %g", tk.Value, tk.Line[0], tk.Line[1], y(tk.Value))
		}
		if tk.Text != strconv.FormatFloat(tk.Value, 'f', -1, 64) || tk.LabelAt.X >= left {
			t.Errorf("tick %g: %q at %v, want its value left of the plot", tk.Value, tk.Text, tk.LabelAt)
		}
	}
	if !reflect.DeepEqual(ticks, []float64{1, 2, 3, 4, 5}) {
		t.Errorf("grid lines at %v, want 1 to 5", ticks)
	}
	for i, lb := range l.Labels {
		if lb.Anchor != "middle" || math.Abs(lb.At.X-x(i)) > 1e-9 || lb.At.Y <= bottom || lb.At.Y > l.Height {
			t.Errorf("x label %d = %+v, want centred under x %g, below the plot", i, lb, x(i))
		}
	}
	if len(l.Legend) != 2 || l.Legend[1].Line[0].Y >= top {
		t.Errorf("legend %+v, want two entries above the plot", l.Legend)
	}
}

func near2(got, want [][]chart.Point) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return false
		}
		for j := range got[i] {
			if !near(got[i][j], want[i][j]) {
				return false
			}
		}
	}
	return true
}

// Many points get short labels: at most two lines each, ending in "…".
func TestTrendLongLabels(t *testing.T) {
	tr := chart.Trend{Title: "Kierrokset", Min: 0, Max: 100}
	s := chart.TrendSeries{Name: "Osallistuminen"}
	for i := range 12 {
		tr.Points = append(tr.Points, "Kierros "+strconv.Itoa(i+1)+": henkilöstökysely ja esihenkilöarvio")
		s.Values = append(s.Values, float64(8*i))
	}
	tr.Series = []chart.TrendSeries{s}
	l := trendLayout(t, tr, 720)
	for i, lb := range l.Labels {
		if len(lb.Lines) == 0 || len(lb.Lines) > 2 || !strings.HasSuffix(lb.Lines[len(lb.Lines)-1], "…") {
			t.Errorf("label %d in lines %q, want at most two ending in …", i, lb.Lines)
		}
	}
	svg, err := tr.SVG(720, "")
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, svg, tr.Title, "")
	if !strings.Contains(svg, "<title>"+tr.Points[11]+"</title>") {
		t.Error("no <title> with the full label")
	}
}

// Eight series stay apart without colour: each has its own marker, and
// the line styles take turns; colours differ and have at least 4.5:1
// contrast against white.
func TestTrendSeriesDistinguishable(t *testing.T) {
	tr := rounds()
	tr.Series = nil
	for k := range chart.MaxTrendSeries {
		tr.Series = append(tr.Series, chart.TrendSeries{Name: "Sarja " + strconv.Itoa(k), Values: []float64{1, 2, 3, 4, float64(k%5 + 1)}})
	}
	l := trendLayout(t, tr, 720)
	markers, colors := map[string]bool{}, map[string]bool{}
	for k, s := range l.Series {
		if markers[s.Marker] || colors[s.Color] {
			t.Errorf("series %d: marker %s or colour %s used before", k, s.Marker, s.Color)
		}
		markers[s.Marker], colors[s.Color] = true, true
		if want := []string{"solid", "dashed", "dotted"}[k%3]; s.Style != want {
			t.Errorf("series %d drawn %s, want %s", k, s.Style, want)
		}
		if c := contrast(t, s.Color, "#fff"); c < 4.5 {
			t.Errorf("series %d colour %s: contrast %.2f against white, want at least 4.5", k, s.Color, c)
		}
	}
	svg, err := tr.SVG(720, "")
	if err != nil {
		t.Fatal(err)
	}
	doc := checkSVG(t, svg, tr.Title, "")
	// per series: a line in the plot and one in the legend
	if n := len(doc.all("polyline")); n != chart.MaxTrendSeries {
		t.Errorf("%d polylines, want %d", n, chart.MaxTrendSeries)
	}
	for _, text := range doc.all("text") {
		if c := contrast(t, text.inherited("fill"), "#fff"); c < 4.5 {
			t.Errorf("text %q in %s: contrast %.2f against white", text.allText(), text.inherited("fill"), c)
		}
	}
	for _, s := range l.Series {
		// 5 markers on the line, 1 in the legend
		n := 0
		for _, el := range append(append(doc.all("circle"), doc.all("rect")...), doc.all("polygon")...) {
			if el.attr["fill"] == s.Color || el.attr["stroke"] == s.Color {
				n++
			}
		}
		if n != 6 {
			t.Errorf("%s %s: %d markers, want 6", s.Color, s.Marker, n)
		}
	}
}

func TestTrendSVG(t *testing.T) {
	tr := rounds()
	tr.Title = `Kehitys <&> "trendi"`
	tr.Points[0] = "Kevät <&> 2024"
	tr.Series[1].Name = `Tiimi <&> 'työ'`
	desc := `Kuvaus <&> "lainaus"`
	s, err := tr.SVG(720, desc)
	if err != nil {
		t.Fatal(err)
	}
	doc := checkSVG(t, s, tr.Title, desc)
	texts := doc.texts()
	for _, want := range []string{"Kevät <&> 2024", `Tiimi <&> 'työ'`, "Pedagoginen johtaminen", "1", "5"} {
		if !texts[want] {
			t.Errorf("no text %q in %v", want, texts)
		}
	}
	if n := len(doc.all("polyline")); n != 2 {
		t.Errorf("%d polylines, want the two runs of the first series", n)
	}
	a, _ := tr.SVG(720, desc)
	if a != s {
		t.Error("two SVGs of the same chart differ")
	}
}

func TestTrendErrors(t *testing.T) {
	cases := []struct {
		name   string
		change func(*chart.Trend)
		width  float64
		want   string
	}{
		{"ErrNoPoints", func(tr *chart.Trend) {
			tr.Points = nil
			for k := range tr.Series {
				tr.Series[k].Values = nil
			}
		}, 720, "no points"},
		{"ErrNoSeries", func(tr *chart.Trend) { tr.Series = nil }, 720, "0 series"},
		{"ErrNineSeries", func(tr *chart.Trend) {
			for range 7 {
				tr.Series = append(tr.Series, tr.Series[0])
			}
		}, 720, "9 series, need 1 to 8"},
		{"ErrSeriesTooShort", func(tr *chart.Trend) { tr.Series[1].Values = tr.Series[1].Values[:4] }, 720, `series 1 ("Tiimimäinen työ") has 4 values for 5 points`},
		{"ErrMinEqualsMax", func(tr *chart.Trend) { tr.Min, tr.Max = 1, 1 }, 720, "[1, 1]"},
		{"ErrMaxNaN", func(tr *chart.Trend) { tr.Max = math.NaN() }, 720, "score range"},
		{"ErrValueAboveMax", func(tr *chart.Trend) { tr.Series[0].Values[4] = 6 }, 720, `at "Kevät 2026": value 6 outside [1, 5]`},
		{"ErrValueInfinite", func(tr *chart.Trend) { tr.Series[0].Values[0] = math.Inf(1) }, 720, "value +Inf"},
		{"ErrWidthNegative", func(*chart.Trend) {}, -720, "width -720"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := rounds()
			tc.change(&tr)
			_, err := tr.Layout(tc.width)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Layout error %v, want one that says %q", err, tc.want)
			}
			if _, err := tr.SVG(tc.width, "kuvaus"); err == nil {
				t.Error("SVG succeeded, want an error")
			}
		})
	}
}

// A control character cannot appear in XML; it must not break any chart.
func TestChartsControlCharacters(t *testing.T) {
	const bad = "Ala\x00\x1b\x0coikea\xff"
	h := teams()
	h.Title, h.Rows[0], h.Cols[0], h.Cells[2][0].Hidden = bad, bad, bad, bad
	c := areaBars()
	c.Title, c.Labels[0], c.Series[0].Name = bad, bad, bad
	tr := rounds()
	tr.Title, tr.Points[0], tr.Series[0].Name = bad, bad, bad
	for name, svg := range map[string]func(float64, string) (string, error){"heatmap": h.SVG, "bars": c.SVG, "trend": tr.SVG} {
		s, err := svg(720, bad)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if doc := checkSVG(t, s, "", ""); doc.kids[0].text != "Ala\ufffd\ufffd\ufffdoikea\ufffd" {
			t.Errorf("%s: title %q", name, doc.kids[0].text)
		}
	}
}

// xmlText reports whether s is UTF-8 text that XML can hold as it is.
func xmlText(s string) bool {
	for _, r := range s {
		if r == unicode.ReplacementChar || r < ' ' && r != '\t' && r != '\n' && r != '\r' || r == 0xfffe || r == 0xffff {
			return false
		}
	}
	return true
}

// FuzzCharts draws bars, a trend and a heatmap from the same arbitrary
// labels and values. Each must succeed exactly when its input is valid,
// and then be well-formed XML with its title and desc, no NaN or Inf, and
// every coordinate inside its viewBox.
func FuzzCharts(f *testing.F) {
	f.Add(uint8(3), uint8(1), 720.0, 1.0, 5.0, "Pedagoginen johtaminen <&>", []byte{10, 200, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 255, 40, 90})
	f.Add(uint8(0), uint8(7), 10.0, -1e300, 1e300, "", []byte{})
	f.Add(uint8(30), uint8(2), 1e5, 0.0, 1e-300, strings.Repeat("x ", 300), []byte{0, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f})
	f.Add(uint8(0), uint8(3), 10.0, -1e300, 1e300, "", []byte("000 ")) // only the trend's fourth series is out of range
	f.Add(uint8(5), uint8(4), 300.0, 0.0, 100.0, "a\x00b \"c\" 'd'\xff", []byte{37, 50, 101, 150, 201, 218, 37, 50, 101, 150, 201, 218})
	f.Fuzz(func(t *testing.T, labels, series uint8, width, lo, hi float64, label string, data []byte) {
		// No N or I in the labels, so that the text cannot hold "NaN" or "Inf".
		label = strings.Map(func(r rune) rune {
			if r == 'N' || r == 'I' {
				return -1
			}
			return r
		}, label)
		n, ns := 1+int(labels%40), 1+int(series%chart.MaxTrendSeries)
		words := strings.Fields(label)
		names := make([]string, n)
		for i := range names {
			if len(words) > 0 {
				names[i] = strings.Join(words[:1+i%len(words)], " ")
			}
		}
		values := make([][]float64, ns)
		inRange := make([]bool, ns) // whether all values of series k are NaN or in [lo, hi]
		for k := range values {
			inRange[k] = true
			for range n {
				v := value(&data, lo, hi)
				inRange[k] = inRange[k] && (math.IsNaN(v) || v >= lo && v <= hi)
				values[k] = append(values[k], v)
			}
		}
		box := width >= chart.MinSize && width <= chart.MaxSize && hi-lo > 0 && !math.IsInf(hi-lo, 0)
		barsValid, trendValid := box, box
		for k := range ns {
			barsValid = barsValid && (k >= chart.MaxSeries || inRange[k])
			trendValid = trendValid && inRange[k]
		}

		bars := chart.Bars{Title: label, Labels: names, Min: lo, Max: hi}
		trend := chart.Trend{Title: label, Points: names, Min: lo, Max: hi}
		for k := range ns {
			if k < chart.MaxSeries {
				bars.Series = append(bars.Series, chart.BarSeries{Name: names[k%n], Values: values[k]})
			}
			trend.Series = append(trend.Series, chart.TrendSeries{Name: names[(k+1)%n], Values: values[k]})
		}
		heat := chart.Heatmap{Title: label, Rows: names[:1+n/4], Cols: names, Min: lo, Max: hi, Bands: ns % (chart.MaxBands + 1)}
		for i := range heat.Rows {
			var row []chart.HeatCell
			for j := range n {
				c := chart.HeatCell{Value: values[i%ns][j], N: i*j + j, Band: (i+j)%(heat.Bands+1) - 1}
				if (i+j)%3 == 2 {
					c.Hidden = label + "x"
				}
				row = append(row, c)
			}
			heat.Cells = append(heat.Cells, row)
		}
		heatValid := box // the values of hidden cells are not checked
		for _, row := range heat.Cells {
			for _, c := range row {
				heatValid = heatValid && (c.Hidden != "" || math.IsNaN(c.Value) || c.Value >= lo && c.Value <= hi)
			}
		}

		desc := strings.TrimFunc(label, unicode.IsSpace) + " desc"
		for _, c := range []struct {
			name  string
			svg   func(float64, string) (string, error)
			valid bool
		}{{"bars", bars.SVG, barsValid}, {"trend", trend.SVG, trendValid}, {"heatmap", heat.SVG, heatValid}} {
			s, err := c.svg(width, desc)
			if (err == nil) != c.valid {
				t.Fatalf("%s: error %v, want one: %t", c.name, err, !c.valid)
			}
			if err == nil && xmlText(label) {
				checkSVG(t, s, label, desc)
			} else if err == nil {
				checkSVG(t, s, "", "") // the title is label with U+FFFD for what XML cannot hold
			}
		}
	})
}
