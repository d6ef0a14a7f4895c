package report

import (
	"strconv"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

	"vertaa/internal/chart"
)

// chartUnits is the size the radar is laid out at, as on the web page, so
// that the printed chart has the same geometry scaled to the page.
const chartUnits = 480

// radar draws r as a square of side size millimetres with its top left
// corner at (x, y), from the same layout as the web page's chart.
func (d *doc) radar(r chart.Radar, x, y, size float64) error {
	l, err := r.Layout(chartUnits, chart.LabelChars)
	if err != nil {
		return err
	}
	f := d.f
	k := size / chartUnits
	at := func(p chart.Point) (float64, float64) { return x + p.X*k, y + p.Y*k }
	poly := func(ps []chart.Point) []fpdf.PointType {
		out := make([]fpdf.PointType, len(ps))
		for i, p := range ps {
			out[i].X, out[i].Y = at(p)
		}
		return out
	}

	thin := chartUnits / 600 * k
	f.SetDrawColor(rule.r, rule.g, rule.b)
	f.SetLineWidth(thin)
	for _, ring := range l.Rings {
		if ring.Value > r.Min {
			f.Polygon(poly(ring.Points), "D")
		}
	}
	cx, cy := at(chart.Point{X: l.CX, Y: l.CY})
	for _, p := range l.Spokes {
		px, py := at(p)
		f.Line(cx, cy, px, py)
	}

	width := chartUnits / 240 * k
	for _, s := range l.Series {
		if len(s.Polygon) == 0 {
			continue
		}
		c := parseColor(s.Color)
		f.SetAlpha(0.08, "Normal")
		f.SetFillColor(c.r, c.g, c.b)
		f.Polygon(poly(s.Polygon), "F")
		f.SetAlpha(1, "Normal")
		d.stroke(s.Style, c, width)
		f.Polygon(poly(s.Polygon), "D")
		d.stroke("solid", c, width)
	}
	white := rgb{0xff, 0xff, 0xff}
	for _, s := range l.Series {
		c := parseColor(s.Color)
		for _, p := range s.Markers {
			if p != nil {
				d.marker(s.Marker, at, *p, l.MarkerRadius*k, c, white, thin)
			}
		}
		for _, p := range s.Gaps {
			if p != nil {
				d.marker(s.Marker, at, *p, l.MarkerRadius*k, white, c, 1.5*thin)
			}
		}
	}

	f.SetFont(family, "", 8)
	f.SetFontUnitSize(0.8 * l.FontSize * k)
	f.SetTextColor(muted.r, muted.g, muted.b)
	for _, ring := range l.Rings {
		px, py := at(ring.LabelAt)
		f.Text(px, py, strconv.FormatFloat(ring.Value, 'f', -1, 64))
	}
	f.SetFontUnitSize(l.FontSize * k)
	f.SetTextColor(ink.r, ink.g, ink.b)
	for _, lb := range l.Labels {
		for i, line := range lb.Lines {
			line = clean(line)
			px, py := at(chart.Point{X: lb.At.X, Y: lb.At.Y + float64(i)*l.LineHeight})
			switch lb.Anchor {
			case "middle":
				px -= f.GetStringWidth(line) / 2
			case "end":
				px -= f.GetStringWidth(line)
			}
			f.Text(px, py, line)
		}
	}
	for _, e := range l.Legend {
		s := l.Series[e.Series]
		c := parseColor(s.Color)
		d.stroke(s.Style, c, width)
		x1, y1 := at(e.Line[0])
		x2, y2 := at(e.Line[1])
		f.Line(x1, y1, x2, y2)
		d.stroke("solid", c, width)
		d.marker(s.Marker, at, e.Marker, l.MarkerRadius*k, c, white, thin)
		tx, ty := at(e.Text)
		f.Text(tx, ty, clean(s.Name))
	}
	return nil
}

// stroke sets the line style of a series: solid, dashed or dotted.
func (d *doc) stroke(style string, c rgb, width float64) {
	f := d.f
	f.SetDrawColor(c.r, c.g, c.b)
	f.SetLineWidth(width)
	switch style {
	case "dashed":
		f.SetLineCapStyle("butt")
		f.SetDashPattern([]float64{3 * width, 2 * width}, 0)
	case "dotted":
		f.SetLineCapStyle("round")
		f.SetDashPattern([]float64{0, 2 * width}, 0)
	default:
		f.SetLineCapStyle("butt")
		f.SetDashPattern(nil, 0)
	}
}

// marker draws a series marker of radius mr centred on p, outlined with
// a line of the given width.
func (d *doc) marker(shape string, at func(chart.Point) (float64, float64), p chart.Point, mr float64, fill, line rgb, width float64) {
	f := d.f
	f.SetFillColor(fill.r, fill.g, fill.b)
	f.SetDrawColor(line.r, line.g, line.b)
	f.SetLineWidth(width)
	x, y := at(p)
	switch shape {
	case "square":
		side := 1.8 * mr
		f.Rect(x-side/2, y-side/2, side, side, "FD")
	case "diamond":
		k := 1.3 * mr
		f.Polygon([]fpdf.PointType{{X: x, Y: y - k}, {X: x + k, Y: y}, {X: x, Y: y + k}, {X: x - k, Y: y}}, "FD")
	default:
		f.Circle(x, y, mr, "FD")
	}
}

// qr draws a QR code of text as a square of side size millimetres with its
// top left corner at (x, y), quiet zone included.
func (d *doc) qr(text string, x, y, size float64) error {
	code, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return err
	}
	bm := code.Bitmap()
	m := size / float64(len(bm))
	d.f.SetFillColor(0, 0, 0)
	for row, line := range bm {
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			run := col
			for run < len(line) && line[run] {
				run++
			}
			// A hair wider than the modules, so that no seam shows
			// between touching runs when the page is rasterised.
			d.f.Rect(x+float64(col)*m, y+float64(row)*m, float64(run-col)*m+0.01, m+0.01, "F")
			col = run
		}
	}
	return nil
}
