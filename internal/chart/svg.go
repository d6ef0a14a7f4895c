package chart

import (
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Colours of everything that is not a series, all at least 4.5:1 against
// white.
const (
	inkColor  = "#1b1f24" // axis labels and legend
	gridColor = "#767676" // rings and spokes
	noteColor = "#57606a" // ring values
	fontStack = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"
)

// SVG renders the chart, laid out by Layout(size, LabelChars), as an inline
// SVG element for an HTML page: role="img" with Title as its <title> and
// desc, which should say in words what the values are, as its <desc>;
// viewBox "0 0 size size" and width 100%. It has no script, no external
// references and no style attributes (only presentation attributes), so it
// passes a strict Content-Security-Policy. Series differ in line style and
// marker as well as colour; a "no score" value is an open marker just
// outside the rim. Every string is XML-escaped, so the result can be used
// as template.HTML.
func (r Radar) SVG(size float64, desc string) (string, error) {
	l, err := r.Layout(size, LabelChars)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="100%%" role="img" font-family="%s">`+"\n",
		num(size), num(size), fontStack)
	element(&b, "title", r.Title)
	element(&b, "desc", desc)

	fmt.Fprintf(&b, `<g fill="none" stroke="%s" stroke-width="%s" stroke-linejoin="round">`+"\n", gridColor, num(size/600))
	for _, ring := range l.Rings {
		if r.frac(ring.Value) > 0 {
			fmt.Fprintf(&b, "<polygon points=\"%s\"/>\n", points(ring.Points))
		}
	}
	for _, p := range l.Spokes {
		fmt.Fprintf(&b, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", num(l.CX), num(l.CY), num(p.X), num(p.Y))
	}
	b.WriteString("</g>\n")

	width := size / 240
	for _, s := range l.Series {
		if len(s.Polygon) == 0 {
			continue
		}
		fmt.Fprintf(&b, `<polygon points="%s" fill="%s" fill-opacity="0.08" stroke="%s" %s/>`+"\n",
			points(s.Polygon), s.Color, s.Color, strokeStyle(s.Style, width))
	}
	for _, s := range l.Series {
		for _, p := range s.Markers {
			if p != nil {
				marker(&b, s.Marker, *p, l.MarkerRadius, s.Color, "#fff", size/600)
			}
		}
		for _, p := range s.Gaps {
			if p != nil {
				marker(&b, s.Marker, *p, l.MarkerRadius, "#fff", s.Color, 1.5*size/600)
			}
		}
	}

	fmt.Fprintf(&b, `<g font-size="%s" fill="%s" stroke="#fff" stroke-width="%s" paint-order="stroke">`+"\n",
		num(0.8*l.FontSize), noteColor, num(l.FontSize/4))
	for _, ring := range l.Rings {
		fmt.Fprintf(&b, `<text x="%s" y="%s">%s</text>`+"\n",
			num(ring.LabelAt.X), num(ring.LabelAt.Y), strconv.FormatFloat(ring.Value, 'f', -1, 64))
	}
	b.WriteString("</g>\n")

	fmt.Fprintf(&b, `<g font-size="%s" fill="%s">`+"\n", num(l.FontSize), inkColor)
	for _, lb := range l.Labels {
		if len(lb.Lines) == 0 {
			continue
		}
		fmt.Fprintf(&b, `<text text-anchor="%s">`, lb.Anchor)
		for i, line := range lb.Lines {
			fmt.Fprintf(&b, `<tspan x="%s" y="%s">`, num(lb.At.X), num(lb.At.Y+float64(i)*l.LineHeight))
			escape(&b, line)
			b.WriteString("</tspan>")
		}
		b.WriteString("</text>\n")
	}
	for _, e := range l.Legend {
		s := l.Series[e.Series]
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" %s/>`+"\n",
			num(e.Line[0].X), num(e.Line[0].Y), num(e.Line[1].X), num(e.Line[1].Y), s.Color, strokeStyle(s.Style, width))
		marker(&b, s.Marker, e.Marker, l.MarkerRadius, s.Color, "#fff", size/600)
		fmt.Fprintf(&b, `<text x="%s" y="%s">`, num(e.Text.X), num(e.Text.Y))
		escape(&b, s.Name)
		b.WriteString("</text>\n")
	}
	b.WriteString("</g>\n</svg>")
	return b.String(), nil
}

// strokeStyle returns the attributes of a series line of the given style.
func strokeStyle(style string, width float64) string {
	attrs := fmt.Sprintf(`stroke-width="%s" stroke-linejoin="round"`, num(width))
	switch style {
	case "dashed":
		attrs += fmt.Sprintf(` stroke-dasharray="%s %s"`, num(3*width), num(2*width))
	case "dotted":
		attrs += fmt.Sprintf(` stroke-dasharray="0 %s" stroke-linecap="round"`, num(2*width))
	}
	return attrs
}

// marker draws a marker of the given shape and about the area of a circle
// of radius mr, centred on p.
func marker(b *strings.Builder, shape string, p Point, mr float64, fill, stroke string, width float64) {
	paint := fmt.Sprintf(`fill="%s" stroke="%s" stroke-width="%s"`, fill, stroke, num(width))
	switch shape {
	case "square":
		side := 1.8 * mr
		fmt.Fprintf(b, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" %s/>\n",
			num(p.X-side/2), num(p.Y-side/2), num(side), num(side), paint)
	case "diamond":
		k := 1.3 * mr
		fmt.Fprintf(b, "<polygon points=\"%s\" %s/>\n",
			points([]Point{{p.X, p.Y - k}, {p.X + k, p.Y}, {p.X, p.Y + k}, {p.X - k, p.Y}}), paint)
	default:
		fmt.Fprintf(b, "<circle cx=\"%s\" cy=\"%s\" r=\"%s\" %s/>\n", num(p.X), num(p.Y), num(mr), paint)
	}
}

func element(b *strings.Builder, name, text string) {
	fmt.Fprintf(b, "<%s>", name)
	escape(b, text)
	fmt.Fprintf(b, "</%s>\n", name)
}

// escape writes s as XML character data; characters that XML cannot hold
// become U+FFFD.
func escape(b *strings.Builder, s string) {
	// EscapeText only fails if the writer does, and a Builder does not.
	_ = xml.EscapeText(b, []byte(s))
}

func points(ps []Point) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = num(p.X) + "," + num(p.Y)
	}
	return strings.Join(parts, " ")
}

// num formats a coordinate to two decimals without trailing zeros.
func num(v float64) string {
	v = math.Round(v*100) / 100
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
