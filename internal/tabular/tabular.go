// Package tabular writes tables of aggregates as CSV and as XLSX, for
// exports of anonymous round summaries.
//
// Both writers take the same tables and show the same texts and numbers;
// only the format differs. The tables hold what the caller decided to show:
// a suppressed cell is a text such as "too few answers", never a number, and
// this package has no notion of individual answers.
//
// Texts may come from users (team and organisation names), so every writer
// treats them as data: the CSV writer defends against formula injection and
// the XLSX writer stores them as typed strings, never as formulas. Before
// writing, a line break CR LF or a lone CR becomes LF, and U+FFFD replaces
// what a spreadsheet cannot hold: invalid UTF-8, control characters other
// than tab and LF, and the underscore that starts a text like an XLSX escape
// "_xHHHH_" if that names a UTF-16 surrogate or directly follows another
// ("_x0041_x0042_"), which excelize cannot store. Both formats then hold the
// same text.
package tabular

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDecimals is the largest number of decimals a number cell may show.
const MaxDecimals = 10

// MaxText is the most UTF-16 code units a text may have: the most a
// spreadsheet cell holds.
const MaxText = 32767

// Cell is one value of a table: a number shown with a fixed number of
// decimals, or a text. The zero Cell is an empty text. A text cell carries
// no number, so a suppressed value cannot leak through a cell's type.
type Cell struct {
	text     string
	number   float64
	decimals int
	isNumber bool
}

// Num is a number cell shown with the given decimals, e.g. 2 for a mean.
func Num(v float64, decimals int) Cell {
	return Cell{number: v, decimals: decimals, isNumber: true}
}

// Int is a number cell shown without decimals, e.g. a count.
func Int(n int) Cell {
	return Num(float64(n), 0)
}

// Text is a text cell: a name, or a note in place of a suppressed value.
func Text(s string) Cell {
	return Cell{text: s}
}

// Table is one table of an export: a sheet in XLSX, a block of lines in CSV.
type Table struct {
	Name   string   // sheet name; made valid and unique in XLSX, unused in CSV
	Title  string   // first line; left out when empty
	Notes  []string // lines under the title, e.g. the anonymity rule; empty ones are left out
	Header []string // column names; at least one
	Rows   [][]Cell // each with as many cells as Header
}

// validate reports the first problem that would make tables unwritable or
// make the two formats differ.
func validate(tables []Table) error {
	if len(tables) == 0 {
		return errors.New("tabular: no tables")
	}
	for i, t := range tables {
		if err := t.validate(); err != nil {
			return fmt.Errorf("tabular: table %d (%q): %w", i+1, t.Name, err)
		}
	}
	return nil
}

func (t Table) validate() error {
	if len(t.Header) == 0 {
		return errors.New("no header")
	}
	for _, s := range slices.Concat([]string{t.Title}, t.Notes, t.Header) {
		if err := checkText(s); err != nil {
			return err
		}
	}
	for r, row := range t.Rows {
		if len(row) != len(t.Header) {
			return fmt.Errorf("row %d has %d cells, want %d as in the header", r+1, len(row), len(t.Header))
		}
		for c, cell := range row {
			if err := cell.validate(); err != nil {
				return fmt.Errorf("row %d column %d: %w", r+1, c+1, err)
			}
		}
	}
	return nil
}

func (c Cell) validate() error {
	if !c.isNumber {
		return checkText(c.text)
	}
	if math.IsNaN(c.number) || math.IsInf(c.number, 0) {
		return fmt.Errorf("number %v is not finite", c.number)
	}
	if c.decimals < 0 || c.decimals > MaxDecimals {
		return fmt.Errorf("%d decimals, want 0 to %d", c.decimals, MaxDecimals)
	}
	return nil
}

func checkText(s string) error {
	if n := utf16Len(clean(s)); n > MaxText {
		return fmt.Errorf("text of %d UTF-16 code units, want at most %d", n, MaxText)
	}
	return nil
}

// clean returns s as both formats store it (see the package comment).
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	escapeEnd := -1 // where the last escape kept ends
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\r':
			if strings.HasPrefix(s[i:], "\r\n") {
				size++
			}
			r = '\n'
		case r < 0x20 && r != '\t' && r != '\n', r == 0xFFFE, r == 0xFFFF:
			r = utf8.RuneError
		case r == '_':
			if v, ok := escape(s[i:]); ok {
				if v >= 0xD800 && v <= 0xDFFF || i == escapeEnd-1 {
					r = utf8.RuneError
				} else {
					escapeEnd = i + len("_xHHHH_")
				}
			}
		}
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

// escape returns HHHH if s begins with "_xHHHH_", by which XLSX stores the
// character U+HHHH in a text.
func escape(s string) (uint64, bool) {
	if len(s) < 7 || !strings.HasPrefix(s, "_x") || s[6] != '_' {
		return 0, false
	}
	v, err := strconv.ParseUint(s[2:6], 16, 16)
	return v, err == nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// preamble is the title and notes, cleaned, without the empty ones.
func (t Table) preamble() []string {
	var lines []string
	for _, s := range append([]string{t.Title}, t.Notes...) {
		if s != "" {
			lines = append(lines, clean(s))
		}
	}
	return lines
}
