// Package chart lays out and draws the charts of competence scores: a
// radar (spider) chart of a response's areas, and for HR a heatmap of
// teams by areas, grouped bars and a trend over rounds. Each chart's
// geometry (Layout) does not depend on the output format, so the web page
// (SVG, drawn by this package) and a PDF report draw the same chart; every
// SVG has a title and a description, and colour never carries meaning
// alone.
package chart

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// LabelChars is the line length, in characters, at which SVG wraps axis
	// labels. A PDF that draws the same chart passes it to Layout.
	LabelChars = 18
	// MaxSeries is the number of series a chart can keep apart by line
	// style, marker and colour.
	MaxSeries = 3
	// MinSize and MaxSize bound the side of the square a chart is laid out in.
	MinSize, MaxSize = 10, 100000
)

// Axis is one spoke: an area of the questionnaire.
type Axis struct {
	Label string
}

// Series is one set of values, e.g. this response or an earlier one.
// Values[i] belongs to Axis i; a NaN value means "no score" (not enough
// answers): the polygon skips it and a gap marker is drawn instead.
type Series struct {
	Name   string
	Values []float64
	// Style is the line style: "solid", "dashed" or "dotted". Empty means
	// the style of the series' position: solid, dashed, dotted. Markers
	// always follow the position: circle, square, diamond.
	Style string
}

// Radar is the chart's input.
type Radar struct {
	Title    string    // accessible name of the chart
	Axes     []Axis    // at least 3
	Min, Max float64   // the score range, e.g. 1 and 5
	Rings    []float64 // values in [Min, Max] at which to draw grid rings, e.g. 1,2,3,4,5
	Series   []Series  // 1 to MaxSeries
}

// Layout is the computed geometry in a square of Size x Size units, origin
// top-left, y down. Every point lies inside the square.
type Layout struct {
	Size float64
	// FontSize is the size of axis labels and legend text, LineHeight the
	// distance between the baselines of wrapped label lines. Labels were
	// fitted with the advance widths of DejaVu Sans, a wide sans-serif, so
	// that they fit in narrower fonts too. Ring values are 0.8 × FontSize.
	FontSize, LineHeight float64
	// MarkerRadius is the radius of a circle marker; other markers have
	// about the same area.
	MarkerRadius float64
	CX, CY, R    float64 // centre and outer radius
	// Spokes are the outer ends of the axes, clockwise from 12 o'clock.
	Spokes []Point
	Rings  []Ring
	Labels []Label // one per axis
	Series []SeriesLayout
	Legend []LegendEntry // one per series with a name, under the chart
}

// Point is a position in the square.
type Point struct{ X, Y float64 }

// Ring is a grid ring: the polygon through the points of Value on every
// spoke. LabelAt is the start of the baseline of Value's text, just right of
// the 12 o'clock spoke.
type Ring struct {
	Value   float64
	Points  []Point
	LabelAt Point
}

// Label is an axis label outside the outer ring. Lines[0] has its baseline
// at At and is aligned to it by Anchor ("start", "middle" or "end", as SVG's
// text-anchor); each further line is LineHeight lower, aligned the same way.
type Label struct {
	At     Point
	Anchor string
	Lines  []string
}

// SeriesLayout is the geometry of one series. Polygon joins the scored
// values in axis order. Markers has one entry per axis: the value's point,
// or nil where the value is NaN. Gaps is its complement: nil where there is
// a value, else where the "no score" marker goes, just outside the rim.
type SeriesLayout struct {
	Name    string
	Style   string // "solid", "dashed" or "dotted"
	Marker  string // "circle", "square" or "diamond"
	Color   string // "#rrggbb", at least 4.5:1 against white
	Polygon []Point
	Markers []*Point
	Gaps    []*Point
}

// LegendEntry is the key of series Series: a sample of its line from
// Line[0] to Line[1] with its marker at Marker, and its name with the start
// of its baseline at Text.
type LegendEntry struct {
	Series int
	Line   [2]Point
	Marker Point
	Text   Point
}

// Layout computes the geometry. size is the side of the square, between
// MinSize and MaxSize. Labels are wrapped to at most maxLabelChars
// characters per line (at spaces; a longer word stays whole; below 1 counts
// as 1) and placed outside the outer ring, which is as large as the labels
// and the legend leave room for. If that would make the chart small, the
// text is made smaller too. A value below Min is drawn at the centre, above
// Max (including +Inf) at the rim.
//
// It returns an error for fewer than 3 axes, Min >= Max (or a range that is
// not finite), a series whose length differs from the axes, no series or
// more than MaxSeries, an unknown style, a ring outside [Min, Max], or a
// size out of bounds.
func (r Radar) Layout(size float64, maxLabelChars int) (Layout, error) {
	if err := r.validate(size); err != nil {
		return Layout{}, err
	}
	dirs := make([]Point, len(r.Axes))
	for i := range dirs {
		a := 2 * math.Pi * float64(i) / float64(len(dirs))
		dirs[i] = Point{math.Sin(a), -math.Cos(a)}
	}
	lines := make([][]string, len(r.Axes))
	for i, a := range r.Axes {
		lines[i] = wrap(a.Label, maxLabelChars)
	}
	// Start with text of size/40 and make it smaller while the chart's
	// diameter would be under 2/5 of the side; below size/60, where text
	// gets hard to read, accept a diameter of 1/5.
	for fs := size / 40; ; fs *= 0.85 {
		if fs < size/1000 {
			fs = 0
		}
		l, ok := r.arrange(size, fs, dirs, lines)
		if fs == 0 || (ok && (l.R >= size/5 || (fs < size/60 && l.R >= size/10))) {
			return l, nil
		}
	}
}

func (r Radar) validate(size float64) error {
	if !(size >= MinSize && size <= MaxSize) {
		return fmt.Errorf("chart: size %g outside [%d, %d]", size, MinSize, MaxSize)
	}
	if len(r.Axes) < 3 {
		return fmt.Errorf("chart: %d axes, need at least 3", len(r.Axes))
	}
	if d := r.Max - r.Min; !(d > 0) || math.IsInf(d, 0) {
		return fmt.Errorf("chart: score range [%g, %g] is empty or not finite", r.Min, r.Max)
	}
	for _, v := range r.Rings {
		if !(v >= r.Min && v <= r.Max) {
			return fmt.Errorf("chart: ring %g outside [%g, %g]", v, r.Min, r.Max)
		}
	}
	if len(r.Series) < 1 || len(r.Series) > MaxSeries {
		return fmt.Errorf("chart: %d series, need 1 to %d", len(r.Series), MaxSeries)
	}
	for i, s := range r.Series {
		if len(s.Values) != len(r.Axes) {
			return fmt.Errorf("chart: series %d (%q) has %d values for %d axes", i, s.Name, len(s.Values), len(r.Axes))
		}
		switch s.Style {
		case "", "solid", "dashed", "dotted":
		default:
			return fmt.Errorf("chart: series %d (%q): unknown style %q", i, s.Name, s.Style)
		}
	}
	return nil
}

// extent is how far something reaches along one coordinate when the chart
// has centre c and radius R: from c + a·R + lo to c + a·R + hi.
type extent struct{ a, lo, hi float64 }

// centres returns the centre coordinates for which all extents lie within
// [lo, hi] at radius R; the range is empty when from > to.
func centres(es []extent, R, lo, hi float64) (from, to float64) {
	from, to = math.Inf(-1), math.Inf(1)
	for _, e := range es {
		from = math.Max(from, lo-e.a*R-e.lo)
		to = math.Min(to, hi-e.a*R-e.hi)
	}
	return from, to
}

// arrange lays the chart out with text of size fs, with the largest radius
// at which labels, markers and legend stay inside the square. It reports
// false if they do not fit even around a chart of radius 0.
func (r Radar) arrange(size, fs float64, dirs []Point, lines [][]string) (Layout, bool) {
	l := Layout{Size: size, FontSize: fs, LineHeight: 1.25 * fs, MarkerRadius: size / 150}
	margin := size / 100
	mr := l.MarkerRadius
	var bottom float64
	l.Legend, bottom = r.legend(fs, margin, size)

	// What sticks out of the rim: markers on it, or the gap markers beyond
	// it, spread across the spoke, one per series.
	gapAt := 2.8 * mr
	gapSpread := 2.6 * mr
	reach, half := 0.0, mr
	if r.hasGaps() {
		reach, half = gapAt, mr+gapSpread*float64(len(r.Series)-1)/2
	}
	labelGap := reach + half + 0.4*fs

	var xs, ys []extent
	labels := make([]Label, len(dirs))
	baselines := make([]float64, len(dirs))
	for i, d := range dirs {
		xs = append(xs, extent{d.X, reach*d.X - half, reach*d.X + half})
		ys = append(ys, extent{d.Y, reach*d.Y - half, reach*d.Y + half})
		anchor, x0, x1, y0, y1 := placeLabel(d, lines[i], fs, l.LineHeight)
		xs = append(xs, extent{d.X, labelGap*d.X + x0, labelGap*d.X + x1})
		ys = append(ys, extent{d.Y, labelGap*d.Y + y0, labelGap*d.Y + y1})
		labels[i] = Label{Anchor: anchor, Lines: lines[i]}
		baselines[i] = y0 + 0.8*fs
		if len(lines[i]) == 0 {
			baselines[i] = 0
		}
	}
	fits := func(R float64) bool {
		x0, x1 := centres(xs, R, margin, size-margin)
		y0, y1 := centres(ys, R, margin, bottom)
		return x0 <= x1 && y0 <= y1
	}
	ok := fits(0)
	R := 0.0
	if ok {
		lo, hi := 0.0, size/2
		for range 60 {
			if mid := (lo + hi) / 2; fits(mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		R = lo
	}
	x0, x1 := centres(xs, R, margin, size-margin)
	y0, y1 := centres(ys, R, margin, bottom)
	l.CX, l.CY, l.R = (x0+x1)/2, (y0+y1)/2, R
	if !ok {
		l.CX, l.CY = size/2, size/2
	}
	// The chart sits in the middle of the room left to it; the legend
	// follows it up, so that the room left over is split above and below.
	if lift := (y1 - y0) / 2; ok && lift > 0 {
		for i := range l.Legend {
			e := &l.Legend[i]
			e.Line[0].Y -= lift
			e.Line[1].Y -= lift
			e.Marker.Y -= lift
			e.Text.Y -= lift
		}
	}
	at := func(d Point, dist float64) Point {
		return Point{l.CX + dist*d.X, l.CY + dist*d.Y}
	}

	for i, d := range dirs {
		l.Spokes = append(l.Spokes, at(d, R))
		p := at(d, R+labelGap)
		labels[i].At = Point{p.X, p.Y + baselines[i]}
	}
	l.Labels = labels
	for _, v := range r.Rings {
		ring := Ring{Value: v}
		for _, d := range dirs {
			ring.Points = append(ring.Points, at(d, r.frac(v)*R))
		}
		ring.LabelAt = Point{ring.Points[0].X + 0.35*fs, ring.Points[0].Y + 0.28*fs}
		l.Rings = append(l.Rings, ring)
	}
	for k, s := range r.Series {
		sl := SeriesLayout{
			Name:    s.Name,
			Style:   styleOf(k, s.Style),
			Marker:  markerOf(k),
			Color:   colorOf(k),
			Markers: make([]*Point, len(dirs)),
			Gaps:    make([]*Point, len(dirs)),
		}
		across := gapSpread * (float64(k) - float64(len(r.Series)-1)/2)
		for i, d := range dirs {
			if math.IsNaN(s.Values[i]) {
				p := at(d, R+gapAt)
				sl.Gaps[i] = &Point{p.X - across*d.Y, p.Y + across*d.X}
				continue
			}
			p := at(d, r.frac(s.Values[i])*R)
			sl.Markers[i] = &p
			sl.Polygon = append(sl.Polygon, p)
		}
		l.Series = append(l.Series, sl)
	}
	return l, ok
}

// placeLabel aligns a label's box to the point outside the rim in direction
// d: labels on the left end there, on the right start there, at the top and
// bottom are centred on it. It returns the box relative to that point.
func placeLabel(d Point, lines []string, fs, lh float64) (anchor string, x0, x1, y0, y1 float64) {
	w, h := 0.0, 0.0
	for _, s := range lines {
		w = math.Max(w, textWidth(s, fs))
	}
	if len(lines) > 0 {
		h = float64(len(lines)-1)*lh + 1.05*fs
	}
	// the box's centre moves out along the spoke by half its height
	mid := d.Y * h / 2
	switch {
	case math.Abs(d.X) < 0.2:
		anchor, x0, x1 = "middle", -w/2, w/2
		mid = math.Copysign(h/2, d.Y)
	case d.X > 0:
		anchor, x0, x1 = "start", 0, w
	default:
		anchor, x0, x1 = "end", -w, 0
	}
	return anchor, x0, x1, mid - h/2, mid + h/2
}

// legend lays out one entry per named series in centred rows at the bottom
// of the square and returns the lowest y that the chart may use above it.
func (r Radar) legend(fs, margin, size float64) ([]LegendEntry, float64) {
	type item struct {
		series int
		w      float64
	}
	var rows [][]item
	var widths []float64
	sample, gap, space := 2.4*fs, 0.5*fs, 1.5*fs
	for k, s := range r.Series {
		if s.Name == "" {
			continue
		}
		w := sample + gap + textWidth(s.Name, fs)
		if n := len(rows); n > 0 && widths[n-1]+space+w <= size-2*margin {
			rows[n-1] = append(rows[n-1], item{k, w})
			widths[n-1] += space + w
			continue
		}
		rows = append(rows, []item{{k, w}})
		widths = append(widths, w)
	}
	if len(rows) == 0 {
		return nil, size - margin
	}
	pitch := 1.5 * fs
	top := size - margin - float64(len(rows))*pitch
	var entries []LegendEntry
	for i, row := range rows {
		x := math.Max(margin, (size-widths[i])/2)
		y := top + (float64(i)+0.5)*pitch
		for _, it := range row {
			entries = append(entries, LegendEntry{
				Series: it.series,
				Line:   [2]Point{{x, y}, {x + sample, y}},
				Marker: Point{x + sample/2, y},
				Text:   Point{x + sample + gap, y + 0.35*fs},
			})
			x += it.w + space
		}
	}
	return entries, top - fs
}

func (r Radar) hasGaps() bool {
	for _, s := range r.Series {
		for _, v := range s.Values {
			if math.IsNaN(v) {
				return true
			}
		}
	}
	return false
}

// frac is v's distance from the centre as a fraction of the radius.
func (r Radar) frac(v float64) float64 {
	return math.Min(math.Max((v-r.Min)/(r.Max-r.Min), 0), 1)
}

func styleOf(k int, style string) string {
	if style != "" {
		return style
	}
	return [MaxSeries]string{"solid", "dashed", "dotted"}[k]
}

func markerOf(k int) string {
	return [MaxSeries]string{"circle", "square", "diamond"}[k]
}

// colorOf returns the series colours: blue, orange and near-black, each at
// least 4.5:1 against white.
func colorOf(k int) string {
	return [MaxSeries]string{"#0b5cad", "#b35900", "#1b1f24"}[k]
}

// wrap breaks s at spaces into lines of at most width characters; a word
// longer than that gets a line of its own.
func wrap(s string, width int) []string {
	var lines []string
	for _, w := range strings.Fields(s) {
		n := len(lines)
		if n > 0 && utf8.RuneCountInString(lines[n-1])+1+utf8.RuneCountInString(w) <= width {
			lines[n-1] += " " + w
			continue
		}
		lines = append(lines, w)
	}
	return lines
}

// advance holds the advance widths of DejaVu Sans for ' ' to '~', in
// hundredths of an em.
var advance = [95]uint8{
	32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, // ' ' to '/'
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 34, 34, 84, 84, 84, 53, // '0' to '?'
	100, 68, 69, 70, 77, 63, 58, 77, 75, 29, 29, 66, 56, 86, 75, 79, // '@' to 'O'
	60, 79, 69, 63, 61, 73, 68, 99, 69, 61, 69, 39, 34, 39, 84, 50, // 'P' to '_'
	50, 61, 63, 55, 63, 62, 35, 63, 63, 28, 28, 58, 28, 97, 63, 61, // '`' to 'o'
	63, 63, 41, 52, 39, 63, 59, 82, 59, 59, 52, 64, 34, 64, 84, // 'p' to '~'
}

// textWidth estimates the width of s set in a sans-serif font of size fs.
func textWidth(s string, fs float64) float64 {
	w := 0.0
	for _, c := range s {
		switch {
		case c >= ' ' && c <= '~':
			w += float64(advance[c-' ']) / 100
		case unicode.In(c, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana):
			w += 1
		case unicode.IsUpper(c):
			w += 0.78
		default:
			w += 0.64
		}
	}
	return w * fs
}
