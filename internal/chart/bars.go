package chart

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// lightGrid is the colour of grid lines at whole numbers, light so that
// they stay behind the data; the axes are in gridColor.
const lightGrid = "#d0d7de"

// BarSeries is one set of bars, e.g. this organisation or the network
// average. Values[i] belongs to label i; NaN means no value: no bar, and
// "–" where the value would be printed.
type BarSeries struct {
	Name   string // in the legend; a series without a name has no entry
	Values []float64
}

// Bars is a chart of grouped horizontal bars: a group per label, with a
// bar per series in each, and every value printed at the end of its bar.
type Bars struct {
	Title    string      // accessible name of the chart
	Labels   []string    // one per group, e.g. area names
	Series   []BarSeries // 1 to MaxSeries
	Min, Max float64     // the value axis: bars start at Min, values lie in [Min, Max]
}

// BarsLayout is the geometry of a bar chart in a box of Width × Height
// units, origin top-left, y down.
type BarsLayout struct {
	Width, Height float64
	// FontSize is the size of labels, values and the legend, NoteSize that
	// of the tick values; LineHeight is the distance between the
	// baselines of a wrapped label's lines. BarHeight is the thickness of
	// a bar.
	FontSize, NoteSize, LineHeight, BarHeight float64
	// Labels are the group labels, at most three lines each, right-aligned
	// before their bars; a label that does not fit ends in "…".
	Labels []Label
	Series []BarSeriesLayout
	// Axis is the line at Min from which the bars start; Ticks are grid
	// lines at whole numbers, with their values centred under the bars.
	Axis  [2]Point
	Ticks []Tick
	// Legend has one entry per named series, above the bars: a swatch of
	// the series' fill, BarHeight high and centred on the line from
	// Line[0] to Line[1] (Marker is its centre), and the name at Text.
	Legend []LegendEntry
}

// BarSeriesLayout is the geometry of one series. Fill is "solid" for the
// first series, "hatched" for the second and "outlined" for the third, so
// that they differ without colour too. Name is the series' name, ended
// with "…" if it would not fit the width.
type BarSeriesLayout struct {
	Name  string
	Fill  string
	Color string // "#rrggbb", at least 4.5:1 against white
	Bars  []Bar  // one per label
}

// Bar is one bar: the rectangle at X, Y of W × H (W is 0 for NaN and for
// Min), and its value's text, "–" for NaN, starting at TextAt.
type Bar struct {
	X, Y, W, H float64
	Text       string
	TextAt     Point
}

// Tick is a grid line at Value from Line[0] to Line[1], with the value's
// text (Text) at LabelAt.
type Tick struct {
	Value   float64
	Text    string
	Line    [2]Point
	LabelAt Point
}

// Layout computes the geometry for the given width, between MinSize and
// MaxSize; the height follows from the number of groups and series. It
// returns an error for no labels, no series or more than MaxSeries, a
// series whose length differs from the labels, Min >= Max (or a range
// that is not finite), or a value outside [Min, Max].
func (c Bars) Layout(width float64) (BarsLayout, error) {
	if err := c.validate(width); err != nil {
		return BarsLayout{}, err
	}
	margin, fs := width/100, width/45
	l := BarsLayout{Width: width, FontSize: fs, NoteSize: 0.8 * fs, LineHeight: 1.25 * fs, BarHeight: 1.1 * fs}
	sample, pitch := 1.6*fs, 0.25*fs

	names := make([]string, len(c.Series))
	for k, s := range c.Series {
		names[k] = legendName(s.Name, width, margin, sample, fs)
		l.Series = append(l.Series, BarSeriesLayout{Name: names[k], Fill: barFillOf(k), Color: colorOf(k)})
	}
	var top float64
	l.Legend, top = legendRows(names, fs, sample, margin, width-margin, margin)
	top += 0.4 * fs

	labelW := 0.0
	for _, s := range c.Labels {
		lb := Label{Anchor: "end", Lines: fitLines(s, 0.35*(width-2*margin), fs, 3)}
		for _, line := range lb.Lines {
			labelW = math.Max(labelW, textWidth(line, fs))
		}
		l.Labels = append(l.Labels, lb)
	}
	valueW := textWidth(noValueText, fs)
	for _, s := range c.Series {
		for _, v := range s.Values {
			valueW = math.Max(valueW, textWidth(value2(v), fs))
		}
	}
	x0 := margin + labelW
	if labelW > 0 {
		x0 += 0.6 * fs
	}
	x1 := math.Max(x0, width-margin-valueW-0.4*fs)
	at := func(v float64) float64 { return x0 + along(v, c.Min, c.Max)*(x1-x0) }

	n := float64(len(c.Series))
	bars := n*l.BarHeight + (n-1)*pitch
	y := top + 0.4*fs
	for i := range c.Labels {
		lb := &l.Labels[i]
		h := math.Max(bars, float64(len(lb.Lines))*l.LineHeight)
		cy := y + h/2
		lb.At = Point{margin + labelW, cy - float64(len(lb.Lines)-1)*l.LineHeight/2 + 0.35*fs}
		by := cy - bars/2
		for k, s := range c.Series {
			v := s.Values[i]
			b := Bar{X: x0, Y: by, H: l.BarHeight, Text: value2(v)}
			if !math.IsNaN(v) {
				b.W = at(v) - x0
			}
			b.TextAt = Point{x0 + b.W + 0.3*fs, by + l.BarHeight/2 + 0.35*fs}
			l.Series[k].Bars = append(l.Series[k].Bars, b)
			by += l.BarHeight + pitch
		}
		y += h + 0.8*fs
	}
	bottom := y - 0.4*fs
	l.Axis = [2]Point{{x0, top}, {x0, bottom}}
	for _, v := range gridValues(c.Min, c.Max) {
		x := at(v)
		l.Ticks = append(l.Ticks, Tick{Value: v, Text: tickText(v), Line: [2]Point{{x, top}, {x, bottom}},
			LabelAt: Point{x, bottom + 0.2*fs + 0.8*l.NoteSize}})
	}
	l.Height = bottom + 0.2*fs + l.NoteSize + margin
	return l, nil
}

func (c Bars) validate(width float64) error {
	if err := checkWidth(width); err != nil {
		return err
	}
	if len(c.Labels) == 0 {
		return errors.New("chart: bar chart has no labels")
	}
	if err := checkRange(c.Min, c.Max); err != nil {
		return err
	}
	if len(c.Series) < 1 || len(c.Series) > MaxSeries {
		return fmt.Errorf("chart: bar chart has %d series, need 1 to %d", len(c.Series), MaxSeries)
	}
	for k, s := range c.Series {
		if len(s.Values) != len(c.Labels) {
			return fmt.Errorf("chart: bar series %d (%q) has %d values for %d labels", k, s.Name, len(s.Values), len(c.Labels))
		}
		for i, v := range s.Values {
			if err := checkValue(v, c.Min, c.Max, fmt.Sprintf("bar series %d (%q) at %q", k, s.Name, c.Labels[i])); err != nil {
				return err
			}
		}
	}
	return nil
}

// SVG renders the chart, laid out by Layout(width), as an inline SVG
// element like Radar.SVG: role="img" with Title as its <title> and desc as
// its <desc>, viewBox "0 0 width height" and width 100%, no script and no
// style attributes. Series differ in fill (solid, hatched, outlined) as
// well as colour, and every value is printed at its bar's end. Each group
// label holds the full label as a <title>, as a label that does not fit is
// shortened. The hatching is a <pattern> whose id is made from the
// chart's title, desc and width, so that different charts on one page have
// different ids.
func (c Bars) SVG(width float64, desc string) (string, error) {
	l, err := c.Layout(width)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	svgStart(&b, l.Width, l.Height, c.Title, desc)
	id := patternID("bars", num(width), c.Title, desc)
	for k, s := range l.Series {
		if s.Fill == "hatched" {
			b.WriteString("<defs>")
			hatchPattern(&b, id+"-"+strconv.Itoa(k), l.FontSize/2, "#fff", s.Color)
			b.WriteString("</defs>\n")
		}
	}

	fmt.Fprintf(&b, `<g stroke="%s" stroke-width="%s">`+"\n", lightGrid, num(l.FontSize/16))
	for _, t := range l.Ticks {
		line(&b, t.Line)
	}
	fmt.Fprintf(&b, `</g>`+"\n"+`<g stroke="%s" stroke-width="%s">`+"\n", gridColor, num(l.FontSize/12))
	line(&b, l.Axis)
	b.WriteString("</g>\n")

	for k, s := range l.Series {
		paint := barPaint(s, id+"-"+strconv.Itoa(k), l.FontSize)
		fmt.Fprintf(&b, "<g %s>\n", paint)
		for _, bar := range s.Bars {
			if bar.W > 0 {
				fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s"/>`+"\n", num(bar.X), num(bar.Y), num(bar.W), num(bar.H))
			}
		}
		for _, e := range l.Legend {
			if e.Series == k {
				fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s"/>`+"\n",
					num(e.Line[0].X), num(e.Line[0].Y-l.BarHeight/2), num(e.Line[1].X-e.Line[0].X), num(l.BarHeight))
			}
		}
		b.WriteString("</g>\n")
	}

	fmt.Fprintf(&b, `<g font-size="%s" fill="%s">`+"\n", num(l.FontSize), inkColor)
	for i, lb := range l.Labels {
		labelGroup(&b, c.Labels[i], lb, l.LineHeight)
	}
	for _, s := range l.Series {
		for _, bar := range s.Bars {
			text(&b, bar.TextAt, bar.Text)
		}
	}
	for _, e := range l.Legend {
		text(&b, e.Text, l.Series[e.Series].Name)
	}
	b.WriteString("</g>\n")
	ticksText(&b, l.Ticks, l.NoteSize, "middle")
	b.WriteString("</svg>")
	return b.String(), nil
}

// barPaint returns the presentation attributes of a series' bars.
func barPaint(s BarSeriesLayout, pattern string, fs float64) string {
	switch s.Fill {
	case "hatched":
		return fmt.Sprintf(`fill="url(#%s)" stroke="%s" stroke-width="%s"`, pattern, s.Color, num(fs/10))
	case "outlined":
		return fmt.Sprintf(`fill="#fff" stroke="%s" stroke-width="%s"`, s.Color, num(fs/6))
	}
	return fmt.Sprintf(`fill="%s"`, s.Color)
}

func barFillOf(k int) string {
	return [MaxSeries]string{"solid", "hatched", "outlined"}[k]
}

// hatchPattern writes a <pattern> of diagonal lines of colour fg, k apart,
// on bg.
func hatchPattern(b *strings.Builder, id string, k float64, bg, fg string) {
	fmt.Fprintf(b, `<pattern id="%s" width="%s" height="%s" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`+
		`<rect width="%s" height="%s" fill="%s"/><line x1="0" y1="0" x2="0" y2="%s" stroke="%s" stroke-width="%s"/></pattern>`,
		id, num(k), num(k), num(k), num(k), bg, num(k), fg, num(k/2))
}

func line(b *strings.Builder, l [2]Point) {
	fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(l[0].X), num(l[0].Y), num(l[1].X), num(l[1].Y))
}

// text writes s with its baseline starting at p.
func text(b *strings.Builder, p Point, s string) {
	fmt.Fprintf(b, `<text x="%s" y="%s">`, num(p.X), num(p.Y))
	escape(b, s)
	b.WriteString("</text>\n")
}

// ticksText writes the ticks' values in noteColor, aligned to their
// points by anchor.
func ticksText(b *strings.Builder, ticks []Tick, size float64, anchor string) {
	fmt.Fprintf(b, `<g font-size="%s" fill="%s" text-anchor="%s">`+"\n", num(size), noteColor, anchor)
	for _, t := range ticks {
		text(b, t.LabelAt, t.Text)
	}
	b.WriteString("</g>\n")
}

// along is v's place in [lo, hi] as a fraction of the range, within [0, 1].
func along(v, lo, hi float64) float64 {
	return math.Min(math.Max((v-lo)/(hi-lo), 0), 1)
}

// gridValues returns the whole numbers in [lo, hi] at a step of 1, 2 or 5
// times a power of ten, the smallest that gives at most 11 of them.
func gridValues(lo, hi float64) []float64 {
	step := 1.0
	for i := 0; (hi-lo)/step > 10; i++ {
		step *= [3]float64{2, 2.5, 2}[i%3]
	}
	var vs []float64
	first := math.Ceil(lo / step)
	for i := range 11 {
		v := (first + float64(i)) * step
		if v > hi {
			break
		}
		if v == 0 {
			v = 0 // no "-0"
		}
		vs = append(vs, v)
	}
	return vs
}

// tickText formats a grid value.
func tickText(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// legendName returns a series' name, shortened to fit on a legend row of
// its own.
func legendName(name string, width, margin, sample, fs float64) string {
	return ellipsize(strings.Join(strings.Fields(name), " "), width-2*margin-sample-0.5*fs, fs, false)
}

// legendRows lays out one entry per non-empty name in rows from the left
// x and the top top, each a sample wide sample, then the name; a row
// that would pass right breaks. It returns the entries and the y under
// them (top without entries).
func legendRows(names []string, fs, sample, x, right, top float64) ([]LegendEntry, float64) {
	gap, space, pitch := 0.5*fs, 1.5*fs, 1.5*fs
	var entries []LegendEntry
	cx, y := x, top+pitch/2
	for k, name := range names {
		if name == "" {
			continue
		}
		w := sample + gap + textWidth(name, fs)
		if cx > x && cx+w > right {
			cx, y = x, y+pitch
		}
		entries = append(entries, LegendEntry{
			Series: k,
			Line:   [2]Point{{cx, y}, {cx + sample, y}},
			Marker: Point{cx + sample/2, y},
			Text:   Point{cx + sample + gap, y + 0.35*fs},
		})
		cx += w + space
	}
	if entries == nil {
		return nil, top
	}
	return entries, y + pitch/2
}
