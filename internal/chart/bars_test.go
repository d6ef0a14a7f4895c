package chart_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"vertaa/internal/chart"
)

// areaBars compares the organisation with the network in three areas; the
// organisation has no value for one.
func areaBars() chart.Bars {
	return chart.Bars{
		Title:  "Osa-alueet: organisaatio ja verkosto",
		Labels: []string{"Pedagoginen johtaminen", "Henkilöstöjohtaminen ja HR-kehittäminen", "Tiimimäinen työ"},
		Min:    1, Max: 5,
		Series: []chart.BarSeries{
			{Name: "Organisaatio", Values: []float64{3, 5, math.NaN()}},
			{Name: "Verkosto", Values: []float64{1, 4.25, 2}},
		},
	}
}

const areaBarsDesc = "Organisaation ja verkoston keskiarvot osa-alueittain; taulukko sivulla."

func barsLayout(tb testing.TB, c chart.Bars, width float64) chart.BarsLayout {
	tb.Helper()
	l, err := c.Layout(width)
	if err != nil {
		tb.Fatalf("Layout: %v", err)
	}
	return l
}

func TestBarsLayout(t *testing.T) {
	l := barsLayout(t, areaBars(), 720)
	org, net := l.Series[0], l.Series[1]
	x0 := l.Axis[0].X
	full := org.Bars[1].W // the value 5, Max
	if x0 <= 0 || full <= 0 || x0+full > l.Width {
		t.Fatalf("bars from x %g, %g long at Max, in a width of %g", x0, full, l.Width)
	}
	cases := []struct {
		name string
		bar  chart.Bar
		w    float64
		text string
	}{
		{"middle", org.Bars[0], full / 2, "3.00"},
		{"max", org.Bars[1], full, "5.00"},
		{"NaN", org.Bars[2], 0, "–"},
		{"min", net.Bars[0], 0, "1.00"},
		{"two decimals", net.Bars[1], full * 3.25 / 4, "4.25"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.bar
			if b.X != x0 || math.Abs(b.W-tc.w) > 1e-9 || b.Text != tc.text {
				t.Errorf("bar from %g, %g long, text %q; want from %g, %g long, %q", b.X, b.W, b.Text, x0, tc.w, tc.text)
			}
			if b.TextAt.X <= b.X+b.W || b.TextAt.Y <= b.Y || b.TextAt.Y >= b.Y+b.H+0.1*l.FontSize {
				t.Errorf("text at %v, want just after the bar's end at %g, level with it (y %g to %g)", b.TextAt, b.X+b.W, b.Y, b.Y+b.H)
			}
		})
	}
	for i := range l.Labels {
		o, n := org.Bars[i], net.Bars[i]
		if n.Y < o.Y+o.H {
			t.Errorf("group %d: network bar at y %g overlaps the organisation's (%g to %g)", i, n.Y, o.Y, o.Y+o.H)
		}
		if i > 0 && o.Y <= net.Bars[i-1].Y+net.Bars[i-1].H {
			t.Errorf("group %d starts at y %g, inside the group before it", i, o.Y)
		}
		lb := l.Labels[i]
		if lb.Anchor != "end" || lb.At.X >= x0 || lb.At.Y < o.Y-l.LineHeight || lb.At.Y > n.Y+n.H+l.LineHeight {
			t.Errorf("label %d at %v (%s), want right-aligned left of the bars at %g, beside them", i, lb.At, lb.Anchor, x0)
		}
	}
	if got := l.Labels[1].Lines; len(got) < 2 {
		t.Errorf("long label in %d lines %q, want it wrapped", len(got), got)
	}
	if org.Fill != "solid" || net.Fill != "hatched" || org.Color != "#0b5cad" || net.Color != "#b35900" {
		t.Errorf("series drawn %s %s and %s %s, want solid #0b5cad and hatched #b35900", org.Fill, org.Color, net.Fill, net.Color)
	}

	var ticks []float64
	for _, tk := range l.Ticks {
		ticks = append(ticks, tk.Value)
		if want := x0 + full*(tk.Value-1)/4; math.Abs(tk.Line[0].X-want) > 1e-9 || tk.Line[1].X != tk.Line[0].X {
			t.Errorf("tick %g at x %g, want %g", tk.Value, tk.Line[0].X, want)
		}
		if tk.LabelAt.Y <= tk.Line[1].Y || tk.LabelAt.Y > l.Height {
			t.Errorf("tick %g value at y %g, want under the bars (to %g) and inside %g", tk.Value, tk.LabelAt.Y, tk.Line[1].Y, l.Height)
		}
	}
	if !reflect.DeepEqual(ticks, []float64{1, 2, 3, 4, 5}) {
		t.Errorf("ticks at %v, want 1 to 5", ticks)
	}
	if len(l.Legend) != 2 || l.Legend[0].Series != 0 || l.Legend[1].Series != 1 || l.Legend[1].Line[0].Y >= org.Bars[0].Y {
		t.Errorf("legend %+v, want both series above the bars", l.Legend)
	}
}

func TestBarsGridValues(t *testing.T) {
	cases := []struct {
		name     string
		min, max float64
		want     []float64
	}{
		{"scores", 1, 5, []float64{1, 2, 3, 4, 5}},
		{"percent", 0, 100, []float64{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}},
		{"step two", 0, 15, []float64{0, 2, 4, 6, 8, 10, 12, 14}},
		{"step five", -3, 40, []float64{0, 5, 10, 15, 20, 25, 30, 35, 40}},
		{"around zero", -2.5, 2.5, []float64{-2, -1, 0, 1, 2}},
		{"no whole number", 0.2, 0.8, nil},
		{"large", 0, 1e12, []float64{0, 1e11, 2e11, 3e11, 4e11, 5e11, 6e11, 7e11, 8e11, 9e11, 1e12}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := chart.Bars{Labels: []string{"a"}, Min: tc.min, Max: tc.max, Series: []chart.BarSeries{{Values: []float64{math.NaN()}}}}
			var got []float64
			for _, tk := range barsLayout(t, c, 600).Ticks {
				got = append(got, tk.Value)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ticks %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBarsSVG(t *testing.T) {
	c := areaBars()
	c.Title = `Alueet <&> "vertailu"`
	c.Labels[2] = `Tiimi <&> 'työ'`
	c.Series[1].Name = "Verkosto <&>"
	desc := `Kuvaus <&> "lainaus"`
	s, err := c.SVG(720, desc)
	if err != nil {
		t.Fatal(err)
	}
	doc := checkSVG(t, s, c.Title, desc)
	texts := doc.texts()
	for _, want := range []string{`Tiimi <&> 'työ'`, "Verkosto <&>", "Organisaatio", "3.00", "4.25", "–", "1", "5"} {
		if !texts[want] {
			t.Errorf("no text %q in %v", want, texts)
		}
	}
	if !strings.Contains(s, "Tiimi &lt;&amp;&gt;") {
		t.Error("label not escaped")
	}
	// the full label is a <title> of the wrapped one
	found := false
	for _, g := range doc.all("g") {
		found = found || g.child("title") != nil && g.child("title").text == c.Labels[1]
	}
	if !found {
		t.Errorf("no <title> %q", c.Labels[1])
	}
	// 6 values, of which NaN and Min draw no bar, and 2 legend swatches
	rects := 0
	for _, r := range doc.all("rect") {
		if r.parent.name != "pattern" {
			rects++
		}
	}
	if rects != 4+2 {
		t.Errorf("%d rects, want 4 bars and 2 legend swatches", rects)
	}
}

// Series stay apart without colour: solid, hatched and outlined.
func TestBarsSeriesDistinguishable(t *testing.T) {
	c := areaBars()
	c.Series = append(c.Series, chart.BarSeries{Name: "Edellinen", Values: []float64{2, 2, 2}})
	s, err := c.SVG(720, "")
	if err != nil {
		t.Fatal(err)
	}
	doc := checkSVG(t, s, c.Title, "")
	patterns := doc.all("pattern")
	if len(patterns) != 1 {
		t.Fatalf("%d patterns, want one for the hatched series", len(patterns))
	}
	paints := map[string]bool{}
	for _, r := range doc.all("rect") {
		if r.parent.name == "pattern" {
			continue
		}
		fill, stroke := r.inherited("fill"), r.inherited("stroke")
		paints[fill+" "+stroke] = true
		for _, color := range []string{fill, stroke} {
			if strings.HasPrefix(color, "#") && color != "#fff" {
				if c := contrast(t, color, "#fff"); c < 4.5 {
					t.Errorf("bar colour %s: contrast %.2f against white, want at least 4.5", color, c)
				}
			}
		}
	}
	want := map[string]bool{
		"#0b5cad ": true,
		"url(#" + patterns[0].attr["id"] + ") #b35900": true,
		"#fff #1b1f24": true,
	}
	if !reflect.DeepEqual(paints, want) {
		t.Errorf("bars painted %v, want %v", paints, want)
	}
}

func TestBarsDeterministic(t *testing.T) {
	a, _ := areaBars().SVG(720, areaBarsDesc)
	b, _ := areaBars().SVG(720, areaBarsDesc)
	if a != b || a == "" {
		t.Error("two SVGs of the same chart differ")
	}
}

func TestBarsErrors(t *testing.T) {
	cases := []struct {
		name   string
		change func(*chart.Bars)
		width  float64
		want   string
	}{
		{"ErrNoLabels", func(c *chart.Bars) {
			c.Labels = nil
			for k := range c.Series {
				c.Series[k].Values = nil
			}
		}, 720, "no labels"},
		{"ErrNoSeries", func(c *chart.Bars) { c.Series = nil }, 720, "0 series"},
		{"ErrFourSeries", func(c *chart.Bars) { c.Series = append(c.Series, c.Series...) }, 720, "4 series"},
		{"ErrSeriesTooShort", func(c *chart.Bars) { c.Series[1].Values = c.Series[1].Values[:2] }, 720, `series 1 ("Verkosto") has 2 values for 3 labels`},
		{"ErrSeriesTooLong", func(c *chart.Bars) { c.Series[0].Values = append(c.Series[0].Values, 1) }, 720, "4 values"},
		{"ErrMinEqualsMax", func(c *chart.Bars) { c.Min, c.Max = 5, 5 }, 720, "[5, 5]"},
		{"ErrMinNaN", func(c *chart.Bars) { c.Min = math.NaN() }, 720, "score range"},
		{"ErrRangeInfinite", func(c *chart.Bars) { c.Max = math.Inf(1) }, 720, "not finite"},
		{"ErrValueBelowMin", func(c *chart.Bars) { c.Series[1].Values[2] = 0.5 }, 720, `("Verkosto") at "Tiimimäinen työ": value 0.5`},
		{"ErrValueInfinite", func(c *chart.Bars) { c.Series[0].Values[0] = math.Inf(-1) }, 720, "value -Inf"},
		{"ErrWidthSmall", func(*chart.Bars) {}, 5, "width 5"},
		{"ErrWidthInfinite", func(*chart.Bars) {}, math.Inf(1), "width +Inf"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := areaBars()
			tc.change(&c)
			_, err := c.Layout(tc.width)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Layout error %v, want one that says %q", err, tc.want)
			}
			if _, err := c.SVG(tc.width, "kuvaus"); err == nil {
				t.Error("SVG succeeded, want an error")
			}
		})
	}
}
