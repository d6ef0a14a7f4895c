package chart

import (
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// MaxBands is the number of level bands a heatmap can tint apart.
const MaxBands = 5

// Fills of heatmap cells. Text is drawn in inkColor, which has at least
// 4.5:1 contrast on each of them.
const (
	hiddenFill  = "#f2f2f2" // a hidden cell, under hatchColor lines
	hatchColor  = "#bdbdbd"
	cellStroke  = "#d0d7de" // the lines between cells
	noBandFill  = "#ffffff" // a cell without a band
	ellipsis    = "…"
	noValueText = "–"
)

// bandTints are light blues from light to darker, one per band of a
// heatmap with MaxBands bands; fewer bands use tints spread over them.
var bandTints = [MaxBands]string{"#f0f6fc", "#d6e6f6", "#b9d4ef", "#99c0e6", "#79abdc"}

// HeatCell is one cell of a heatmap.
type HeatCell struct {
	Value float64 // printed with two decimals; NaN prints "–"
	N     int     // printed as "n=N" under the value
	// Hidden is "" for a shown cell, else a short text such as "too few"
	// printed instead of the value and N.
	Hidden string
	// Band is the index of the cell's level band, 0 to Bands-1, which
	// chooses its tint; -1 for none. Hidden cells ignore it.
	Band int
}

// Heatmap is a table of scores, e.g. teams × areas, with every value
// printed in its cell.
type Heatmap struct {
	Title    string   // accessible name of the chart
	Rows     []string // row labels, e.g. team names
	Cols     []string // short column labels, e.g. "1" to "7" and "Overall"
	Min, Max float64  // the score range: a shown value must lie in it
	Bands    int      // the number of level bands, 0 to MaxBands
	Cells    [][]HeatCell
}

// HeatmapLayout is a heatmap's geometry in a box of Width × Height units,
// origin top-left, y down.
type HeatmapLayout struct {
	Width, Height float64
	// FontSize is the size of labels and values, NoteSize that of the
	// "n=" lines and hidden cells' texts; LineHeight is the distance
	// between the baselines of a wrapped row label's lines.
	FontSize, NoteSize, LineHeight float64
	// Cols are the column labels, one line each, centred above their
	// columns; Rows the row labels, at most two lines each, left of the
	// grid and aligned to its left edge. A label that does not fit ends
	// in "…".
	Cols, Rows []Label
	Cells      [][]HeatCellLayout // Cells[row][col]
}

// HeatCellLayout is one cell: a rectangle with its fill, and its texts
// centred on the baselines ValueAt (at FontSize) and NoteAt (at NoteSize).
// A hidden cell has Hatched set, an empty Value and its Hidden text as
// Note, centred in the cell and ended with "…" if it does not fit.
type HeatCellLayout struct {
	X, Y, W, H float64
	Fill       string // "#rrggbb"
	Hatched    bool
	Value      string
	ValueAt    Point
	Note       string
	NoteAt     Point
}

// Layout computes the geometry for the given width, between MinSize and
// MaxSize; the height follows from the number of rows. The text is as
// large as the cells' widths allow, up to width/45, but not smaller than
// about width/150. It returns an error for a heatmap without rows or
// columns, cells that do not match them, Min >= Max (or a range that is
// not finite), Bands outside [0, MaxBands], a negative N, or, in a shown
// cell, a band outside [-1, Bands-1] or a value outside [Min, Max].
func (h Heatmap) Layout(width float64) (HeatmapLayout, error) {
	if err := h.validate(width); err != nil {
		return HeatmapLayout{}, err
	}
	for fs := width / 45; ; fs *= 0.9 {
		l, ok := h.arrange(width, fs)
		if ok || fs < width/150 {
			return l, nil
		}
	}
}

func (h Heatmap) validate(width float64) error {
	if err := checkWidth(width); err != nil {
		return err
	}
	if len(h.Rows) == 0 || len(h.Cols) == 0 {
		return fmt.Errorf("chart: heatmap has %d rows and %d columns, need at least one of each", len(h.Rows), len(h.Cols))
	}
	if err := checkRange(h.Min, h.Max); err != nil {
		return err
	}
	if h.Bands < 0 || h.Bands > MaxBands {
		return fmt.Errorf("chart: heatmap has %d bands, need 0 to %d", h.Bands, MaxBands)
	}
	if len(h.Cells) != len(h.Rows) {
		return fmt.Errorf("chart: heatmap has %d rows of cells for %d rows", len(h.Cells), len(h.Rows))
	}
	for i, row := range h.Cells {
		if len(row) != len(h.Cols) {
			return fmt.Errorf("chart: heatmap row %d (%q) has %d cells for %d columns", i, h.Rows[i], len(row), len(h.Cols))
		}
		for j, c := range row {
			at := fmt.Sprintf("heatmap cell (%q, %q)", h.Rows[i], h.Cols[j])
			switch {
			case c.N < 0:
				return fmt.Errorf("chart: %s: n = %d is negative", at, c.N)
			case c.Hidden != "":
			case c.Band < -1 || c.Band >= h.Bands:
				return fmt.Errorf("chart: %s: band %d, want -1 or 0 to %d", at, c.Band, h.Bands-1)
			default:
				if err := checkValue(c.Value, h.Min, h.Max, at); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// arrange lays the heatmap out with text of size fs and reports whether
// every column label and cell text fits its column.
func (h Heatmap) arrange(width, fs float64) (HeatmapLayout, bool) {
	margin := width / 100
	l := HeatmapLayout{Width: width, FontSize: fs, NoteSize: 0.8 * fs, LineHeight: 1.25 * fs}
	ns := l.NoteSize
	pad := 0.3 * fs

	labelW, lines := 0.0, 1
	l.Rows = make([]Label, len(h.Rows))
	for i, name := range h.Rows {
		l.Rows[i] = Label{Anchor: "start", Lines: fitLines(name, 0.3*(width-2*margin), fs, 2)}
		lines = max(lines, len(l.Rows[i].Lines))
		for _, s := range l.Rows[i].Lines {
			labelW = math.Max(labelW, textWidth(s, fs))
		}
	}
	gridX := margin + labelW
	if labelW > 0 {
		gridX += 0.6 * fs
	}
	cw := (width - margin - gridX) / float64(len(h.Cols))
	room := cw - 2*pad
	gridY := margin + 1.5*fs
	ch := math.Max(2.9*fs, float64(lines)*l.LineHeight+2*pad)
	l.Height = gridY + float64(len(h.Rows))*ch + margin

	need := 0.0
	l.Cols = make([]Label, len(h.Cols))
	for j, name := range h.Cols {
		need = math.Max(need, textWidth(name, fs))
		l.Cols[j] = Label{At: Point{gridX + (float64(j)+0.5)*cw, margin + fs}, Anchor: "middle"}
		if line := strings.Join(strings.Fields(name), " "); line != "" {
			l.Cols[j].Lines = []string{ellipsize(line, room, fs, false)}
		}
	}

	l.Cells = make([][]HeatCellLayout, len(h.Cells))
	for i, row := range h.Cells {
		y := gridY + float64(i)*ch
		cy := y + ch/2
		lb := &l.Rows[i]
		lb.At = Point{margin, cy - float64(len(lb.Lines)-1)*l.LineHeight/2 + 0.35*fs}
		l.Cells[i] = make([]HeatCellLayout, len(row))
		for j, c := range row {
			x := gridX + float64(j)*cw
			cl := HeatCellLayout{X: x, Y: y, W: cw, H: ch}
			if c.Hidden != "" {
				note := strings.Join(strings.Fields(c.Hidden), " ")
				need = math.Max(need, textWidth(note, ns))
				cl.Fill, cl.Hatched = hiddenFill, true
				cl.Note, cl.NoteAt = ellipsize(note, room, ns, false), Point{x + cw/2, cy + 0.35*ns}
			} else {
				cl.Fill = h.tint(c.Band)
				cl.Value, cl.ValueAt = value2(c.Value), Point{x + cw/2, cy - 0.08*fs}
				cl.Note, cl.NoteAt = "n="+strconv.Itoa(c.N), Point{x + cw/2, cy + 0.9*fs}
				need = math.Max(need, math.Max(textWidth(cl.Value, fs), textWidth(cl.Note, ns)))
			}
			l.Cells[i][j] = cl
		}
	}
	return l, need <= room
}

// tint returns the fill of a cell in band b.
func (h Heatmap) tint(b int) string {
	switch {
	case b < 0:
		return noBandFill
	case h.Bands == 1:
		return bandTints[MaxBands/2]
	}
	return bandTints[(b*(MaxBands-1)+(h.Bands-1)/2)/(h.Bands-1)]
}

// SVG renders the heatmap, laid out by Layout(width), as an inline SVG
// element like Radar.SVG: role="img" with Title as its <title> and desc as
// its <desc>, viewBox "0 0 width height" and width 100%, no script and no
// style attributes. Every value is printed in its cell, so a cell's tint
// only repeats what its text says; a hidden cell is grey with diagonal
// hatching and prints its Hidden text. Each row and column label holds the
// full label as a <title>, as a label that does not fit is shortened. The
// hatching is a <pattern> whose id is made from the chart's title, desc and
// width, so that different charts on one page have different ids.
func (h Heatmap) SVG(width float64, desc string) (string, error) {
	l, err := h.Layout(width)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	svgStart(&b, l.Width, l.Height, h.Title, desc)
	hatch := patternID("heatmap", num(width), h.Title, desc)
	if h.hasHidden() {
		b.WriteString("<defs>")
		hatchPattern(&b, hatch, l.NoteSize/2, hiddenFill, hatchColor)
		b.WriteString("</defs>\n")
	}

	fmt.Fprintf(&b, `<g stroke="%s" stroke-width="%s">`+"\n", cellStroke, num(l.FontSize/16))
	for _, row := range l.Cells {
		for _, c := range row {
			fill := c.Fill
			if c.Hatched {
				fill = "url(#" + hatch + ")"
			}
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`+"\n", num(c.X), num(c.Y), num(c.W), num(c.H), fill)
		}
	}
	b.WriteString("</g>\n")

	fmt.Fprintf(&b, `<g font-size="%s" fill="%s">`+"\n", num(l.FontSize), inkColor)
	for j, lb := range l.Cols {
		labelGroup(&b, h.Cols[j], lb, l.LineHeight)
	}
	for i, lb := range l.Rows {
		labelGroup(&b, h.Rows[i], lb, l.LineHeight)
	}
	b.WriteString(`<g text-anchor="middle">` + "\n")
	for _, row := range l.Cells {
		for _, c := range row {
			if c.Value != "" {
				fmt.Fprintf(&b, `<text x="%s" y="%s">`, num(c.ValueAt.X), num(c.ValueAt.Y))
				escape(&b, c.Value)
				b.WriteString("</text>\n")
			}
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%s"`, num(c.NoteAt.X), num(c.NoteAt.Y), num(l.NoteSize))
			if c.Hatched {
				// a halo of the cell's grey keeps the text clear of the hatching
				fmt.Fprintf(&b, ` stroke="%s" stroke-width="%s" paint-order="stroke"`, hiddenFill, num(l.NoteSize/4))
			}
			b.WriteString(">")
			escape(&b, c.Note)
			b.WriteString("</text>\n")
		}
	}
	b.WriteString("</g>\n</g>\n</svg>")
	return b.String(), nil
}

func (h Heatmap) hasHidden() bool {
	for _, row := range h.Cells {
		for _, c := range row {
			if c.Hidden != "" {
				return true
			}
		}
	}
	return false
}

// svgStart writes the opening tag of a chart of w × h units with its
// <title> and <desc>.
func svgStart(b *strings.Builder, w, h float64, title, desc string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="100%%" role="img" font-family="%s">`+"\n",
		num(w), num(h), fontStack)
	element(b, "title", title)
	element(b, "desc", desc)
}

// labelGroup writes a label, which may have been shortened, in a group
// whose <title> is the full text.
func labelGroup(b *strings.Builder, full string, lb Label, lh float64) {
	if len(lb.Lines) == 0 {
		return
	}
	b.WriteString("<g>")
	element(b, "title", full)
	fmt.Fprintf(b, `<text text-anchor="%s">`, lb.Anchor)
	for i, line := range lb.Lines {
		fmt.Fprintf(b, `<tspan x="%s" y="%s">`, num(lb.At.X), num(lb.At.Y+float64(i)*lh))
		escape(b, line)
		b.WriteString("</tspan>")
	}
	b.WriteString("</text></g>\n")
}

// patternID returns an id for a <pattern>, the same for the same parts
// and most probably different for different ones.
func patternID(kind string, parts ...string) string {
	f := fnv.New64a()
	for _, p := range parts {
		f.Write([]byte(p))
		f.Write([]byte{0})
	}
	return fmt.Sprintf("chart-%s-%016x", kind, f.Sum64())
}

func checkWidth(width float64) error {
	if !(width >= MinSize && width <= MaxSize) {
		return fmt.Errorf("chart: width %g outside [%d, %d]", width, MinSize, MaxSize)
	}
	return nil
}

func checkRange(lo, hi float64) error {
	if d := hi - lo; !(d > 0) || math.IsInf(d, 0) {
		return fmt.Errorf("chart: score range [%g, %g] is empty or not finite", lo, hi)
	}
	return nil
}

// checkValue accepts NaN ("no value") and values in [lo, hi].
func checkValue(v, lo, hi float64, what string) error {
	if !math.IsNaN(v) && !(v >= lo && v <= hi) {
		return fmt.Errorf("chart: %s: value %g outside [%g, %g]", what, v, lo, hi)
	}
	return nil
}

// value2 formats a value with two decimals, and NaN as "–".
func value2(v float64) string {
	if math.IsNaN(v) {
		return noValueText
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// fitLines wraps s at spaces into at most maxLines lines of at most w
// units at font size fs. A line that does not fit, and the last line when
// text is left over, end in "…".
func fitLines(s string, w, fs float64, maxLines int) []string {
	// 0.64 em is a little wider than the average lower-case letter, so
	// lines mostly fit and ellipsize only shortens the exceptions.
	chars := 1
	if c := w / (0.64 * fs); c > 1 {
		chars = int(math.Min(c, 1e6))
	}
	lines := wrap(s, chars)
	cut := len(lines) > maxLines
	if cut {
		lines = lines[:maxLines]
	}
	for i, line := range lines {
		lines[i] = ellipsize(line, w, fs, cut && i == len(lines)-1)
	}
	return lines
}

// ellipsize returns s if it fits in w units at font size fs and more is
// false; otherwise the longest start of s that fits followed by "…".
func ellipsize(s string, w, fs float64, more bool) string {
	if !more && textWidth(s, fs) <= w {
		return s
	}
	limit := w - textWidth(ellipsis, fs)
	end, x := len(s), 0.0
	for i, c := range s {
		if x += textWidth(string(c), fs); x > limit {
			end = i
			break
		}
	}
	return strings.TrimRightFunc(s[:end], unicode.IsSpace) + ellipsis
}
