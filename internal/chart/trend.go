package chart

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// MaxTrendSeries is the number of series a trend chart keeps apart by
// marker, line style and colour.
const MaxTrendSeries = 8

// TrendSeries is one line, e.g. the organisation's mean in one area.
// Values[i] belongs to point i; NaN means no value (hidden or no data):
// the line breaks there.
type TrendSeries struct {
	Name   string // in the legend; a series without a name has no entry
	Values []float64
}

// Trend is a line chart of values over points in time, e.g. rounds.
type Trend struct {
	Title    string        // accessible name of the chart
	Points   []string      // x labels, e.g. round names, oldest first
	Series   []TrendSeries // 1 to MaxTrendSeries
	Min, Max float64       // the y range: values lie in [Min, Max]
}

// TrendLayout is the geometry of a trend chart in a box of Width × Height
// units, origin top-left, y down.
type TrendLayout struct {
	Width, Height float64
	// FontSize is the size of x labels and the legend, NoteSize that of
	// the tick values; LineHeight is the distance between the baselines
	// of a wrapped x label's lines.
	FontSize, NoteSize, LineHeight float64
	// MarkerRadius is the radius of a circle marker; other markers have
	// about the same area. LineWidth is the width of the series' lines.
	MarkerRadius, LineWidth float64
	// Plot holds the top-left and bottom-right corners of the plot area:
	// Min is at its bottom, Max at its top.
	Plot [2]Point
	// Ticks are grid lines across the plot at whole numbers, with their
	// values right-aligned left of it.
	Ticks []Tick
	// Labels are the x labels, at most two lines each, centred under their
	// points; a label that does not fit ends in "…".
	Labels []Label
	Series []TrendLine
	// Legend has one entry per named series, above the plot, like a
	// radar chart's.
	Legend []LegendEntry
}

// TrendLine is the geometry of one series. Lines are its runs of two or
// more values in a row; Markers has one entry per point, nil where the
// value is NaN, so that a value between two NaNs is a lone marker. Name
// is the series' name, ended with "…" if it would not fit the width.
type TrendLine struct {
	Name    string
	Style   string // "solid", "dashed" or "dotted"
	Marker  string // "circle", "square", "diamond" or "triangle", each filled or open ("circle-open")
	Color   string // "#rrggbb", at least 4.5:1 against white
	Lines   [][]Point
	Markers []*Point
}

// Layout computes the geometry for the given width, between MinSize and
// MaxSize; the plot is 0.4 × width high. It returns an error for no
// points, no series or more than MaxTrendSeries, a series whose length
// differs from the points, Min >= Max (or a range that is not finite), or
// a value outside [Min, Max].
func (t Trend) Layout(width float64) (TrendLayout, error) {
	if err := t.validate(width); err != nil {
		return TrendLayout{}, err
	}
	margin, fs := width/100, width/45
	l := TrendLayout{Width: width, FontSize: fs, NoteSize: 0.8 * fs, LineHeight: 1.25 * fs,
		MarkerRadius: 0.35 * fs, LineWidth: 0.16 * fs}
	sample := 2.4 * fs

	names := make([]string, len(t.Series))
	for k, s := range t.Series {
		names[k] = legendName(s.Name, width, margin, sample, fs)
	}
	var top float64
	l.Legend, top = legendRows(names, fs, sample, margin, width-margin, margin)
	top += fs

	values := gridValues(t.Min, t.Max)
	tickW := 0.0
	for _, v := range values {
		tickW = math.Max(tickW, textWidth(tickText(v), l.NoteSize))
	}
	x1 := width - margin
	x0 := math.Min(margin+tickW+0.5*fs, x1)
	bottom := top + 0.4*width
	l.Plot = [2]Point{{x0, top}, {x1, bottom}}
	y := func(v float64) float64 { return bottom - along(v, t.Min, t.Max)*(bottom-top) }
	for _, v := range values {
		l.Ticks = append(l.Ticks, Tick{Value: v, Text: tickText(v), Line: [2]Point{{x0, y(v)}, {x1, y(v)}},
			LabelAt: Point{x0 - 0.4*fs, y(v) + 0.35*l.NoteSize}})
	}

	step := (x1 - x0) / float64(len(t.Points))
	x := func(i int) float64 { return x0 + (float64(i)+0.5)*step }
	lines := 1
	for i, p := range t.Points {
		lb := Label{At: Point{x(i), bottom + 1.3*fs}, Anchor: "middle", Lines: fitLines(p, 0.95*step, fs, 2)}
		lines = max(lines, len(lb.Lines))
		l.Labels = append(l.Labels, lb)
	}
	l.Height = bottom + 0.5*fs + float64(lines)*l.LineHeight + margin

	for k, s := range t.Series {
		tl := TrendLine{Name: names[k], Style: styleOf(k%MaxSeries, ""), Marker: trendMarkerOf(k),
			Color: trendColorOf(k), Markers: make([]*Point, len(s.Values))}
		var run []Point
		for i, v := range s.Values {
			if math.IsNaN(v) {
				tl.Lines, run = addRun(tl.Lines, run), nil
				continue
			}
			p := Point{x(i), y(v)}
			tl.Markers[i] = &p
			run = append(run, p)
		}
		tl.Lines = addRun(tl.Lines, run)
		l.Series = append(l.Series, tl)
	}
	return l, nil
}

// addRun adds run to lines if it has two points or more.
func addRun(lines [][]Point, run []Point) [][]Point {
	if len(run) < 2 {
		return lines
	}
	return append(lines, run)
}

func (t Trend) validate(width float64) error {
	if err := checkWidth(width); err != nil {
		return err
	}
	if len(t.Points) == 0 {
		return errors.New("chart: trend has no points")
	}
	if err := checkRange(t.Min, t.Max); err != nil {
		return err
	}
	if len(t.Series) < 1 || len(t.Series) > MaxTrendSeries {
		return fmt.Errorf("chart: trend has %d series, need 1 to %d", len(t.Series), MaxTrendSeries)
	}
	for k, s := range t.Series {
		if len(s.Values) != len(t.Points) {
			return fmt.Errorf("chart: trend series %d (%q) has %d values for %d points", k, s.Name, len(s.Values), len(t.Points))
		}
		for i, v := range s.Values {
			if err := checkValue(v, t.Min, t.Max, fmt.Sprintf("trend series %d (%q) at %q", k, s.Name, t.Points[i])); err != nil {
				return err
			}
		}
	}
	return nil
}

// SVG renders the chart, laid out by Layout(width), as an inline SVG
// element like Radar.SVG: role="img" with Title as its <title> and desc as
// its <desc>, viewBox "0 0 width height" and width 100%, no script and no
// style attributes. Series differ in marker and line style as well as
// colour. Each x label holds the full label as a <title>, as a label that
// does not fit is shortened.
func (t Trend) SVG(width float64, desc string) (string, error) {
	l, err := t.Layout(width)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	svgStart(&b, l.Width, l.Height, t.Title, desc)

	fmt.Fprintf(&b, `<g stroke="%s" stroke-width="%s">`+"\n", lightGrid, num(l.FontSize/16))
	for _, tk := range l.Ticks {
		line(&b, tk.Line)
	}
	fmt.Fprintf(&b, `</g>`+"\n"+`<g stroke="%s" stroke-width="%s">`+"\n", gridColor, num(l.FontSize/12))
	p0, p1 := l.Plot[0], l.Plot[1]
	line(&b, [2]Point{{p0.X, p0.Y}, {p0.X, p1.Y}})
	line(&b, [2]Point{{p0.X, p1.Y}, {p1.X, p1.Y}})
	b.WriteString("</g>\n")

	for _, s := range l.Series {
		for _, run := range s.Lines {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" %s/>`+"\n", points(run), s.Color, strokeStyle(s.Style, l.LineWidth))
		}
	}
	for _, s := range l.Series {
		for _, p := range s.Markers {
			if p != nil {
				trendMarker(&b, s.Marker, *p, l.MarkerRadius, s.Color, l.LineWidth/2)
			}
		}
	}

	fmt.Fprintf(&b, `<g font-size="%s" fill="%s">`+"\n", num(l.FontSize), inkColor)
	for i, lb := range l.Labels {
		labelGroup(&b, t.Points[i], lb, l.LineHeight)
	}
	for _, e := range l.Legend {
		s := l.Series[e.Series]
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" %s/>`+"\n",
			num(e.Line[0].X), num(e.Line[0].Y), num(e.Line[1].X), num(e.Line[1].Y), s.Color, strokeStyle(s.Style, l.LineWidth))
		trendMarker(&b, s.Marker, e.Marker, l.MarkerRadius, s.Color, l.LineWidth/2)
		text(&b, e.Text, s.Name)
	}
	b.WriteString("</g>\n")
	ticksText(&b, l.Ticks, l.NoteSize, "end")
	b.WriteString("</svg>")
	return b.String(), nil
}

// trendMarker draws a marker like marker does, and also triangles and
// open markers: white inside and outlined in colour.
func trendMarker(b *strings.Builder, shape string, p Point, mr float64, color string, width float64) {
	fill, stroke := color, "#fff"
	if base, open := strings.CutSuffix(shape, "-open"); open {
		shape, fill, stroke, width = base, "#fff", color, 2*width
	}
	if shape != "triangle" {
		marker(b, shape, p, mr, fill, stroke, width)
		return
	}
	// an equilateral triangle of the area of the circle: its corners are
	// 1.56 mr from the centre
	k := 1.56 * mr
	fmt.Fprintf(b, "<polygon points=\"%s\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"/>\n",
		points([]Point{{p.X, p.Y - k}, {p.X + 0.866*k, p.Y + k/2}, {p.X - 0.866*k, p.Y + k/2}}), fill, stroke, num(width))
}

func trendMarkerOf(k int) string {
	return [MaxTrendSeries]string{"circle", "square", "diamond", "triangle",
		"circle-open", "square-open", "diamond-open", "triangle-open"}[k]
}

// trendColorOf returns the series colours: those of colorOf, then green,
// magenta, purple, red and teal, each at least 4.5:1 against white.
func trendColorOf(k int) string {
	if k < MaxSeries {
		return colorOf(k)
	}
	return [MaxTrendSeries - MaxSeries]string{"#1a7f37", "#a3127d", "#6f42c1", "#a40e26", "#0a6b73"}[k-MaxSeries]
}
