package chart_test

import (
	"encoding/binary"
	"math"
	"reflect"
	"strings"
	"testing"

	"vertaa/internal/chart"
)

// square is a 4-axis chart whose labels are alike, so that its layout is
// symmetric about the centre of the square.
func square(values ...float64) chart.Radar {
	return chart.Radar{
		Title: "Neliö",
		Axes:  []chart.Axis{{"Alue"}, {"Alue"}, {"Alue"}, {"Alue"}},
		Min:   1, Max: 5,
		Rings:  []float64{1, 2, 3, 4, 5},
		Series: []chart.Series{{Values: values}},
	}
}

func layout(tb testing.TB, r chart.Radar, size float64, chars int) chart.Layout {
	tb.Helper()
	l, err := r.Layout(size, chars)
	if err != nil {
		tb.Fatalf("Layout: %v", err)
	}
	return l
}

func near(p, q chart.Point) bool {
	return math.Abs(p.X-q.X) < 1e-6 && math.Abs(p.Y-q.Y) < 1e-6
}

func TestLayoutSquare(t *testing.T) {
	l := layout(t, square(5, 1, 3, 4), 400, 20)
	if math.Abs(l.CX-200) > 1e-6 || math.Abs(l.CY-200) > 1e-6 {
		t.Errorf("centre = (%g, %g), want (200, 200) for a symmetric chart", l.CX, l.CY)
	}
	if l.R < 100 || l.R > 200 {
		t.Errorf("R = %g, want a chart that uses most of the square", l.R)
	}
	c, R := chart.Point{X: l.CX, Y: l.CY}, l.R
	wantSpokes := []chart.Point{{c.X, c.Y - R}, {c.X + R, c.Y}, {c.X, c.Y + R}, {c.X - R, c.Y}}
	for i, want := range wantSpokes {
		if !near(l.Spokes[i], want) {
			t.Errorf("spoke %d at %v, want %v", i, l.Spokes[i], want)
		}
	}

	// values 5 (Max) on the rim, 1 (Min) at the centre, 3 at half the
	// radius, 4 at three quarters
	want := []chart.Point{{c.X, c.Y - R}, c, {c.X, c.Y + R/2}, {c.X - 3*R/4, c.Y}}
	s := l.Series[0]
	for i, p := range s.Markers {
		if p == nil || !near(*p, want[i]) {
			t.Errorf("marker %d at %v, want %v", i, p, want[i])
		}
		if s.Gaps[i] != nil {
			t.Errorf("gap marker %d at %v for a scored value", i, *s.Gaps[i])
		}
	}
	if len(s.Polygon) != 4 {
		t.Fatalf("polygon has %d points, want 4", len(s.Polygon))
	}
	for i, p := range s.Polygon {
		if !near(p, want[i]) {
			t.Errorf("polygon point %d at %v, want %v", i, p, want[i])
		}
	}
	if s.Style != "solid" || s.Marker != "circle" || s.Color != "#0b5cad" {
		t.Errorf("first series drawn %s with %s markers in %s, want solid, circle, #0b5cad", s.Style, s.Marker, s.Color)
	}

	for k, ring := range l.Rings {
		f := float64(k) / 4
		wantRing := []chart.Point{{c.X, c.Y - f*R}, {c.X + f*R, c.Y}, {c.X, c.Y + f*R}, {c.X - f*R, c.Y}}
		if ring.Value != float64(k+1) || len(ring.Points) != 4 {
			t.Fatalf("ring %d = %+v, want value %d on 4 points", k, ring, k+1)
		}
		for i, p := range ring.Points {
			if !near(p, wantRing[i]) {
				t.Errorf("ring %g point %d at %v, want %v", ring.Value, i, p, wantRing[i])
			}
		}
	}
}

func TestLayoutLabels(t *testing.T) {
	l := layout(t, square(3, 3, 3, 3), 400, 20)
	c, R := chart.Point{X: l.CX, Y: l.CY}, l.R
	cases := []struct {
		name    string
		anchor  string
		outside func(chart.Point) bool
	}{
		{"top", "middle", func(p chart.Point) bool { return p.Y < c.Y-R && math.Abs(p.X-c.X) < 1e-6 }},
		{"right", "start", func(p chart.Point) bool { return p.X > c.X+R }},
		{"bottom", "middle", func(p chart.Point) bool { return p.Y > c.Y+R && math.Abs(p.X-c.X) < 1e-6 }},
		{"left", "end", func(p chart.Point) bool { return p.X < c.X-R }},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lb := l.Labels[i]
			if lb.Anchor != tc.anchor {
				t.Errorf("anchor = %q, want %q", lb.Anchor, tc.anchor)
			}
			if !tc.outside(lb.At) {
				t.Errorf("label at %v is not outside the rim (centre %v, R %g)", lb.At, c, R)
			}
		})
	}
	// the top label's baseline is above the rim by more than its descent,
	// the bottom label's by its ascent below it
	if top := l.Labels[0].At.Y; top > c.Y-R-0.25*l.FontSize {
		t.Errorf("top label baseline %g too close to the rim at %g", top, c.Y-R)
	}
	if bottom := l.Labels[2].At.Y; bottom < c.Y+R+0.8*l.FontSize {
		t.Errorf("bottom label baseline %g too close to the rim at %g", bottom, c.Y+R)
	}
}

func TestLayoutWrap(t *testing.T) {
	cases := []struct {
		name  string
		label string
		chars int
		want  []string
	}{
		{"fits", "Tiimimäinen työ", 18, []string{"Tiimimäinen työ"}},
		{"counts letters not bytes", "Tiimimäinen työ", 15, []string{"Tiimimäinen työ"}},
		{"breaks at spaces", "Pedagoginen johtaminen", 18, []string{"Pedagoginen", "johtaminen"}},
		{"fills lines", "Itsensä johtaminen ja hyvinvointi", 18, []string{"Itsensä johtaminen", "ja hyvinvointi"}},
		{"long word stays whole", "Henkilöstöjohtaminen ja HR-kehittäminen", 10, []string{"Henkilöstöjohtaminen", "ja", "HR-kehittäminen"}},
		{"short words share lines", "a b c d e", 3, []string{"a b", "c d", "e"}},
		{"spaces collapse", "  Muutoksen \t johtaminen ", 40, []string{"Muutoksen johtaminen"}},
		{"below one is one", "a b", 0, []string{"a", "b"}},
		{"empty", "", 18, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := square(1, 2, 3, 4)
			r.Axes[1].Label = tc.label
			l := layout(t, r, 600, tc.chars)
			if got := l.Labels[1].Lines; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("lines = %q, want %q", got, tc.want)
			}
		})
	}
}

// Longer labels leave less room for the chart, and the text shrinks rather
// than leaving almost none.
func TestLayoutShrinksForLabels(t *testing.T) {
	short := layout(t, square(1, 2, 3, 4), 600, 18)
	r := square(1, 2, 3, 4)
	r.Axes[1].Label = "Henkilöstöjohtaminen ja HR-kehittäminen"
	r.Axes[3].Label = "Itsensä johtaminen ja hyvinvointi"
	long := layout(t, r, 600, 18)
	if long.R >= short.R {
		t.Errorf("R = %g with long labels, want less than %g with short ones", long.R, short.R)
	}
	r.Axes[1].Label = strings.Repeat("Pitkä", 30)
	huge := layout(t, r, 600, 18)
	if huge.FontSize >= long.FontSize || huge.R < 600/10 {
		t.Errorf("a 150-letter word got font size %g (was %g) and R %g, want smaller text and R at least 60",
			huge.FontSize, long.FontSize, huge.R)
	}
}

func TestLayoutNaN(t *testing.T) {
	r := square(5, math.NaN(), 3, 4)
	r.Series = append(r.Series, chart.Series{Name: "Edellinen", Values: []float64{math.NaN(), 2, 2, 2}})
	l := layout(t, r, 400, 18)
	c := chart.Point{X: l.CX, Y: l.CY}
	for k, tc := range []struct {
		nan     int
		polygon int
	}{{1, 3}, {0, 3}} {
		s := l.Series[k]
		if s.Markers[tc.nan] != nil {
			t.Errorf("series %d: marker %v for NaN", k, *s.Markers[tc.nan])
		}
		if len(s.Polygon) != tc.polygon {
			t.Errorf("series %d: polygon has %d points, want %d", k, len(s.Polygon), tc.polygon)
		}
		for i, p := range s.Markers {
			if (p == nil) == (s.Gaps[i] == nil) {
				t.Errorf("series %d axis %d: marker %v and gap %v, want exactly one", k, i, p, s.Gaps[i])
			}
		}
		g := s.Gaps[tc.nan]
		if g == nil {
			t.Fatalf("series %d: no gap marker", k)
		}
		if d := math.Hypot(g.X-c.X, g.Y-c.Y); d <= l.R+l.MarkerRadius {
			t.Errorf("series %d: gap marker %g from the centre, want outside the rim at %g", k, d, l.R)
		}
	}
	want := []chart.Point{{c.X, c.Y - l.R}, {c.X, c.Y + l.R/2}, {c.X - 3*l.R/4, c.Y}}
	for i, p := range l.Series[0].Polygon {
		if !near(p, want[i]) {
			t.Errorf("polygon point %d at %v, want %v (the NaN axis left out)", i, p, want[i])
		}
	}
	if s := l.Series[1]; s.Style != "dashed" || s.Marker != "square" || s.Color != "#b35900" {
		t.Errorf("second series drawn %s with %s markers in %s, want dashed, square, #b35900", s.Style, s.Marker, s.Color)
	}
}

func TestLayoutClamps(t *testing.T) {
	l := layout(t, square(0, 7, math.Inf(-1), math.Inf(1)), 400, 18)
	c, R := chart.Point{X: l.CX, Y: l.CY}, l.R
	want := []chart.Point{c, {c.X + R, c.Y}, c, {c.X - R, c.Y}}
	for i, p := range l.Series[0].Markers {
		if p == nil || !near(*p, want[i]) {
			t.Errorf("marker %d at %v, want %v", i, p, want[i])
		}
	}
}

func TestLayoutLegend(t *testing.T) {
	r := square(1, 2, 3, 4)
	if l := layout(t, r, 400, 18); l.Legend != nil {
		t.Errorf("legend %v for a series without a name", l.Legend)
	}
	r.Series[0].Name = "Tämä arvio"
	r.Series = append(r.Series, chart.Series{Name: "Edellinen arvio", Values: []float64{2, 2, 2, 2}})
	l := layout(t, r, 400, 18)
	if len(l.Legend) != 2 || l.Legend[0].Series != 0 || l.Legend[1].Series != 1 {
		t.Fatalf("legend = %+v, want entries for series 0 and 1", l.Legend)
	}
	for _, e := range l.Legend {
		if e.Line[0].Y <= l.CY+l.R {
			t.Errorf("legend entry %d at y %g, want below the chart (rim at %g)", e.Series, e.Line[0].Y, l.CY+l.R)
		}
	}
}

func TestLayoutErrors(t *testing.T) {
	ok := square(1, 2, 3, 4)
	cases := []struct {
		name   string
		change func(*chart.Radar)
		size   float64
	}{
		{"ErrTwoAxes", func(r *chart.Radar) {
			r.Axes = r.Axes[:2]
			r.Series[0].Values = r.Series[0].Values[:2]
		}, 400},
		{"ErrMinEqualsMax", func(r *chart.Radar) { r.Min, r.Max, r.Rings = 3, 3, nil }, 400},
		{"ErrMinAboveMax", func(r *chart.Radar) { r.Min, r.Max, r.Rings = 5, 1, nil }, 400},
		{"ErrMinNaN", func(r *chart.Radar) { r.Min, r.Rings = math.NaN(), nil }, 400},
		{"ErrRangeInfinite", func(r *chart.Radar) { r.Max, r.Rings = math.Inf(1), nil }, 400},
		{"ErrSeriesTooShort", func(r *chart.Radar) { r.Series[0].Values = r.Series[0].Values[:3] }, 400},
		{"ErrSeriesTooLong", func(r *chart.Radar) { r.Series[0].Values = append(r.Series[0].Values, 1) }, 400},
		{"ErrNoSeries", func(r *chart.Radar) { r.Series = nil }, 400},
		{"ErrFourSeries", func(r *chart.Radar) {
			for range 3 {
				r.Series = append(r.Series, chart.Series{Values: []float64{1, 2, 3, 4}})
			}
		}, 400},
		{"ErrUnknownStyle", func(r *chart.Radar) { r.Series[0].Style = "wavy" }, 400},
		{"ErrRingOutsideRange", func(r *chart.Radar) { r.Rings = append(r.Rings, 0) }, 400},
		{"ErrSizeZero", func(*chart.Radar) {}, 0},
		{"ErrSizeNaN", func(*chart.Radar) {}, math.NaN()},
		{"ErrSizeHuge", func(*chart.Radar) {}, 1e9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ok
			r.Axes = append([]chart.Axis(nil), ok.Axes...)
			r.Series = []chart.Series{{Values: append([]float64(nil), ok.Series[0].Values...)}}
			r.Rings = append([]float64(nil), ok.Rings...)
			tc.change(&r)
			if _, err := r.Layout(tc.size, 18); err == nil {
				t.Error("Layout succeeded, want an error")
			}
			if _, err := r.SVG(tc.size, "kuvaus"); err == nil {
				t.Error("SVG succeeded, want an error")
			}
		})
	}
}

// FuzzLayout lays out charts with arbitrary values, sizes and labels: it
// must never panic, and every point of a successful layout must be finite
// and inside the square.
func FuzzLayout(f *testing.F) {
	f.Add(uint8(7), uint8(2), 600.0, 1.0, 5.0, 18, "Pedagoginen johtaminen", []byte{10, 200, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 255})
	f.Add(uint8(0), uint8(0), 10.0, -1e300, 1e300, 0, "", []byte{})
	f.Add(uint8(40), uint8(1), 1e5, 0.0, 1e-300, 1, strings.Repeat("x", 300), []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x7f})
	f.Fuzz(func(t *testing.T, axes, series uint8, size, lo, hi float64, chars int, label string, data []byte) {
		n, ns := 3+int(axes%40), 1+int(series%chart.MaxSeries)
		r := chart.Radar{Min: lo, Max: hi, Rings: []float64{lo, hi}}
		words := strings.Fields(label)
		for i := range n {
			if len(words) > 0 {
				label = strings.Join(words[:1+i%len(words)], " ")
			}
			r.Axes = append(r.Axes, chart.Axis{Label: label})
		}
		for k := range ns {
			s := chart.Series{Name: label}
			for range n {
				s.Values = append(s.Values, value(&data, lo, hi))
			}
			if k == 1 {
				s.Name = ""
			}
			r.Series = append(r.Series, s)
		}
		l, err := r.Layout(size, chars)
		valid := size >= chart.MinSize && size <= chart.MaxSize && hi-lo > 0 && !math.IsInf(hi-lo, 0)
		if err != nil {
			if valid {
				t.Fatalf("Layout(%g, %d) of valid input: %v", size, chars, err)
			}
			return
		}
		in := func(what string, p chart.Point) {
			if !(p.X >= 0 && p.X <= size && p.Y >= 0 && p.Y <= size) {
				t.Fatalf("%s at %v, outside the square of %g", what, p, size)
			}
		}
		if !(l.R >= 0 && l.R <= size/2) {
			t.Fatalf("R = %g", l.R)
		}
		in("centre", chart.Point{X: l.CX, Y: l.CY})
		for _, p := range l.Spokes {
			in("spoke", p)
		}
		for _, ring := range l.Rings {
			in("ring value", ring.LabelAt)
			for _, p := range ring.Points {
				in("ring", p)
			}
		}
		for _, lb := range l.Labels {
			in("label", lb.At)
		}
		for _, s := range l.Series {
			for _, p := range s.Polygon {
				in("polygon", p)
			}
			for i := range s.Markers {
				for _, p := range []*chart.Point{s.Markers[i], s.Gaps[i]} {
					if p != nil {
						in("marker", *p)
					}
				}
			}
		}
		for _, e := range l.Legend {
			for _, p := range []chart.Point{e.Line[0], e.Line[1], e.Marker, e.Text} {
				in("legend", p)
			}
		}
	})
}

// value takes the next value from data: a tag byte, then for one tag in
// four the raw bits of any float64, else a value around [lo, hi]. Without
// data it is NaN.
func value(data *[]byte, lo, hi float64) float64 {
	d := *data
	if len(d) == 0 {
		return math.NaN()
	}
	tag := d[0]
	*data = d[1:]
	if tag%4 == 0 && len(d) >= 9 {
		*data = d[9:]
		return math.Float64frombits(binary.LittleEndian.Uint64(d[1:9]))
	}
	return lo + (hi-lo)*(float64(tag)/255*1.4-0.2)
}
