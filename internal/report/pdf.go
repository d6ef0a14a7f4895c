package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"vertaa/internal/i18n"
)

// The page: A4 portrait, in millimetres.
const (
	pageW, pageH = 210.0, 297.0
	margin       = 20.0
	bottom       = 22.0 // room for the footer
	textW        = pageW - 2*margin
	family       = "go"
	lineH        = 5.0 // body text line height
)

// Colours, each at least 4.5:1 against white where it carries text.
var (
	ink   = rgb{0x1b, 0x1f, 0x24}
	muted = rgb{0x4f, 0x57, 0x5e}
	rule  = rgb{0x76, 0x76, 0x76}
	shade = rgb{0xee, 0xf0, 0xf2}
)

type rgb struct{ r, g, b int }

// parseColor reads "#rrggbb"; anything else is ink.
func parseColor(s string) rgb {
	if len(s) != 7 || s[0] != '#' {
		return ink
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return ink
	}
	return rgb{int(v >> 16), int(v >> 8 & 0xff), int(v & 0xff)}
}

// doc is a report being written: the PDF and the words of its language.
type doc struct {
	f    *fpdf.Fpdf
	lang i18n.Lang
	tx   Texts
}

// newDoc starts an A4 document in lang with its title in the metadata and
// a footer on every page: footer on the left, the page number on the right.
func newDoc(lang i18n.Lang, tx Texts, title, subject, footer string, at time.Time) *doc {
	f := fpdf.New("P", "mm", "A4", "")
	d := &doc{f: f, lang: lang, tx: tx}
	f.AddUTF8FontFromBytes(family, "", goregular.TTF)
	f.AddUTF8FontFromBytes(family, "B", gobold.TTF)
	f.SetLang(string(lang))
	f.SetTitle(clean(title), true)
	f.SetSubject(clean(subject), true)
	f.SetCreator("vertaa", true)
	f.SetProducer("vertaa", true)
	f.SetCreationDate(at)
	f.SetModificationDate(at)
	f.SetCatalogSort(true)
	// Compressing the pages costs fpdf a new 1 MB deflate writer for
	// each: the reports are made a third faster and with a third less
	// garbage without it, at some 60 % more bytes (the fonts are still
	// compressed).
	f.SetCompression(false)
	f.SetDisplayMode("fullwidth", "continuous")
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, bottom)
	f.AliasNbPages("{nb}")
	footer = clean(footer)
	f.SetFooterFunc(func() {
		f.SetDrawColor(rule.r, rule.g, rule.b)
		f.SetLineWidth(0.2)
		f.Line(margin, pageH-16, pageW-margin, pageH-16)
		d.font("", 8, muted)
		page := d.t("report.page", f.PageNo(), "{nb}")
		f.SetXY(margin, pageH-15)
		f.CellFormat(textW-30, 5, fit(f, footer, textW-32), "", 0, "L", false, 0, "")
		f.CellFormat(30, 5, page, "", 0, "R", false, 0, "")
	})
	return d
}

// t returns the report's text of key.
func (d *doc) t(key string, args ...any) string { return clean(d.tx.T(d.lang, key, args...)) }

// font sets the font style ("" or "B"), size in points and colour.
func (d *doc) font(style string, size float64, c rgb) {
	d.f.SetFont(family, style, size)
	d.f.SetTextColor(c.r, c.g, c.b)
}

// write finishes the document into w.
func (d *doc) write(w io.Writer) error {
	if err := d.f.Error(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := d.f.Output(w); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// room starts a new page unless h millimetres fit on this one.
func (d *doc) room(h float64) {
	if d.f.GetY()+h > pageH-bottom {
		d.f.AddPage()
	}
}

// heading writes a heading of level 1 to 3, keeping room for what follows
// it, and adds it to the document outline.
func (d *doc) heading(level int, s string) {
	size := map[int]float64{1: 18, 2: 14, 3: 11}[level]
	d.room(size/2 + 4*lineH)
	if level > 1 {
		d.f.Ln(map[int]float64{2: 4, 3: 2}[level])
	}
	s = clean(s)
	d.font("B", size, ink)
	d.f.Bookmark(s, level-1, -1)
	d.f.MultiCell(0, size*0.5, s, "", "L", false)
	d.f.Ln(1.5)
}

// para writes wrapped text.
func (d *doc) para(s string, style string, size float64, c rgb) {
	d.font(style, size, c)
	d.f.MultiCell(0, size*0.45, clean(s), "", "L", false)
}

// bullets writes a list, each item wrapped under its bullet.
func (d *doc) bullets(items []string) {
	d.font("", 10, ink)
	left, _, _, _ := d.f.GetMargins()
	for _, it := range items {
		d.room(lineH)
		y := d.f.GetY()
		d.f.Text(left+1.5, y+3.6, "•")
		d.f.SetLeftMargin(left + 6)
		d.f.SetX(left + 6)
		d.f.MultiCell(0, lineH, clean(it), "", "L", false)
		d.f.SetLeftMargin(left)
		d.f.Ln(0.8)
	}
}

// pair writes a label and its value on one line.
func (d *doc) pair(label, value string) {
	d.room(lineH + 1)
	d.font("B", 10, ink)
	d.f.CellFormat(45, lineH+1, clean(label), "", 0, "L", false, 0, "")
	d.font("", 10, ink)
	d.f.MultiCell(0, lineH+1, clean(value), "", "L", false)
}

// column is one column of a table: its width in millimetres and alignment.
type column struct {
	w     float64
	align string // "L", "C" or "R"
}

// table writes rows of wrapped cells under a header row that is repeated
// on every page the table continues on. A row is kept on one page.
type table struct {
	d    *doc
	cols []column
	head []string
	size float64
}

func (d *doc) table(cols []column, head []string, size float64) *table {
	t := &table{d: d, cols: cols, head: head, size: size}
	t.header()
	return t
}

func (t *table) header() {
	t.d.font("B", t.size, ink)
	h := t.height(t.head)
	t.d.room(h + 2*t.lineH())
	t.draw(t.head, h, &shade, nil)
}

func (t *table) lineH() float64 { return t.size * 0.45 }

// height is the height of a row of cells in the current font.
func (t *table) height(cells []string) float64 {
	n := 1
	for i, c := range cells {
		n = max(n, len(wrap(t.d.f, c, t.cols[i].w-2)))
	}
	return float64(n)*t.lineH() + 2
}

// row writes one row; fills gives a cell's background, nil for none.
func (t *table) row(cells []string, fills []*rgb) {
	t.d.font("", t.size, ink)
	h := t.height(cells)
	if t.d.f.GetY()+h > pageH-bottom {
		t.d.f.AddPage()
		t.header()
		t.d.font("", t.size, ink)
	}
	t.draw(cells, h, nil, fills)
}

func (t *table) draw(cells []string, h float64, fill *rgb, fills []*rgb) {
	f := t.d.f
	x, y := f.GetX(), f.GetY()
	f.SetDrawColor(rule.r, rule.g, rule.b)
	f.SetLineWidth(0.2)
	for i, c := range cells {
		col := t.cols[i]
		bg := fill
		if i < len(fills) && fills[i] != nil {
			bg = fills[i]
		}
		style := "D"
		if bg != nil {
			f.SetFillColor(bg.r, bg.g, bg.b)
			style = "FD"
		}
		f.Rect(x, y, col.w, h, style)
		for j, line := range wrap(f, c, col.w-2) {
			f.SetXY(x+1, y+1+float64(j)*t.lineH())
			f.CellFormat(col.w-2, t.lineH(), line, "", 0, col.align, false, 0, "")
		}
		x += col.w
	}
	f.SetXY(margin, y+h)
}

// wrap breaks s into lines no wider than w in the current font, at spaces
// where it can and within a word where a word alone is too wide.
func wrap(f *fpdf.Fpdf, s string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(clean(s), "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if f.GetStringWidth(try) <= w {
				line = try
				continue
			}
			if line != "" {
				lines = append(lines, line)
			}
			line = ""
			for _, r := range word {
				if line != "" && f.GetStringWidth(line+string(r)) > w {
					lines = append(lines, line)
					line = ""
				}
				line += string(r)
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// fit shortens s with an ellipsis until it is no wider than w.
func fit(f *fpdf.Fpdf, s string, w float64) string {
	if f.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && f.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// covered reports whether the report fonts have a glyph for r. The Go
// fonts all cover the same characters.
var covered = func() func(r rune) bool {
	font, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		panic(err) // the font is compiled in
	}
	var (
		mu    sync.Mutex
		buf   sfnt.Buffer
		known = map[rune]bool{}
	)
	return func(r rune) bool {
		if r < 0x180 { // Latin-1 and Latin Extended-A
			return true
		}
		mu.Lock()
		defer mu.Unlock()
		ok, seen := known[r]
		if !seen {
			i, err := font.GlyphIndex(&buf, r)
			ok = err == nil && i != 0
			known[r] = ok
		}
		return ok
	}
}()

// clean makes text printable with the report fonts: tabs and other spaces
// become spaces, line breaks are kept (a lone CR is one), other control
// characters are dropped, and a character the fonts lack becomes "?", so
// that a name or answer in another script prints visibly rather than as
// empty boxes.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.IsControl(r):
			// dropped
		case !covered(r):
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// date writes a day as the web pages do.
func date(t time.Time) string { return t.Format("2.1.2006") }

// score writes a score with two decimals, as it is kept.
func score(s float64) string { return strconv.FormatFloat(s, 'f', 2, 64) }
