package tabular

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// MaxSheetName is the most UTF-16 code units Excel allows in a sheet name.
const MaxSheetName = 31

// Column widths, in characters, that WriteXLSX keeps between.
const minWidth, maxWidth = 8, 60

// WriteXLSX writes tables to w as an XLSX workbook, one sheet per table.
//
// Sheet names are the tables' names made valid (at most MaxSheetName
// UTF-16 code units, none of []:*?/\, no quote at either end) and unique
// regardless of case; an empty name becomes the table's position, and a
// name taken earlier gets a suffix " (2)", " (3)" and so on. A sheet has the
// title in bold in A1, the notes under it and an empty row, then the header
// in bold, frozen so that it stays in view, and the rows. Numbers are numeric
// cells shown with their decimals, so that they sort and sum; texts are
// string cells, never formulas. The workbook's title is the first table's.
func WriteXLSX(w io.Writer, tables []Table) (err error) {
	if err := validate(tables); err != nil {
		return err
	}
	for i, t := range tables {
		if err := t.fitsSheet(); err != nil {
			return fmt.Errorf("tabular: table %d (%q): %w", i+1, t.Name, err)
		}
	}
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("tabular: close XLSX: %w", cerr)
		}
	}()
	if err := writeWorkbook(f, tables); err != nil {
		return fmt.Errorf("tabular: write XLSX: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("tabular: write XLSX: %w", err)
	}
	return nil
}

func writeWorkbook(f *excelize.File, tables []Table) error {
	now := time.Now().UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:          clean(tables[0].Title),
		Creator:        "vertaa",
		LastModifiedBy: "vertaa",
		Created:        now,
		Modified:       now,
	}); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	s := sheetWriter{f: f, bold: bold, numbers: map[int]int{}}
	for i, name := range sheetNames(tables) {
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return fmt.Errorf("sheet %q: %w", name, err)
		}
		if err := s.write(name, tables[i]); err != nil {
			return fmt.Errorf("sheet %q: %w", name, err)
		}
	}
	return nil
}

// sheetWriter writes tables into sheets of f with shared styles.
type sheetWriter struct {
	f       *excelize.File
	bold    int         // style of the title and the header
	numbers map[int]int // style of numbers by their decimals
}

// write writes t into the existing, empty sheet. It streams the rows, as
// excelize's stream writer stores texts exactly (its cell-by-cell
// SetCellStr can mix up texts that contain escapes such as "_x0041_").
func (s sheetWriter) write(sheet string, t Table) error {
	var rows [][]any
	for i, line := range t.preamble() {
		if i == 0 && t.Title != "" {
			rows = append(rows, []any{excelize.Cell{StyleID: s.bold, Value: line}})
		} else {
			rows = append(rows, []any{line})
		}
	}
	if len(rows) > 0 {
		rows = append(rows, nil)
	}
	header := make([]any, len(t.Header))
	widths := make([]int, len(t.Header))
	for c, h := range t.Header {
		h = clean(h)
		header[c] = excelize.Cell{StyleID: s.bold, Value: h}
		widths[c] = textWidth(h)
	}
	rows = append(rows, header)
	frozen := len(rows)
	for _, cells := range t.Rows {
		values := make([]any, len(cells))
		for c, cell := range cells {
			v, width, err := s.value(cell)
			if err != nil {
				return err
			}
			values[c] = v
			widths[c] = max(widths[c], width)
		}
		rows = append(rows, values)
	}

	sw, err := s.f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for c, width := range widths {
		if err := sw.SetColWidth(c+1, c+1, float64(min(max(width+2, minWidth), maxWidth))); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze:      true,
		YSplit:      frozen,
		TopLeftCell: cellName(1, frozen+1),
		ActivePane:  "bottomLeft",
	}); err != nil {
		return err
	}
	for r, values := range rows {
		if err := sw.SetRow(cellName(1, r+1), values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// value is c as a value for the stream writer, and the width it needs.
func (s sheetWriter) value(c Cell) (any, int, error) {
	if !c.isNumber {
		text := clean(c.text)
		return text, textWidth(text), nil
	}
	style, ok := s.numbers[c.decimals]
	if !ok {
		format := "0"
		if c.decimals > 0 {
			format += "." + strings.Repeat("0", c.decimals)
		}
		var err error
		if style, err = s.f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
			return nil, 0, err
		}
		s.numbers[c.decimals] = style
	}
	width := len(strconv.FormatFloat(c.number, 'f', c.decimals, 64))
	return excelize.Cell{StyleID: style, Value: c.number}, width, nil
}

// sheetNames returns a valid and unique sheet name for each table.
func sheetNames(tables []Table) []string {
	// Excel reserves "History" for its change history.
	taken := []string{"History"}
	isTaken := func(name string) bool {
		for _, t := range taken {
			if strings.EqualFold(t, name) {
				return true
			}
		}
		return false
	}
	names := make([]string, len(tables))
	for i, t := range tables {
		base := sheetName(t.Name, MaxSheetName)
		if base == "" {
			base = strconv.Itoa(i + 1)
		}
		name := base
		for n := 2; isTaken(name); n++ {
			suffix := " (" + strconv.Itoa(n) + ")"
			name = sheetName(base, MaxSheetName-len(suffix)) + suffix
		}
		taken = append(taken, name)
		names[i] = name
	}
	return names
}

// sheetName is s as a sheet name of at most limit UTF-16 code units:
// characters Excel forbids become '_', control characters spaces, and
// spaces and quotes at either end are dropped.
func sheetName(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`[]:*?/\`, r):
			return '_'
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, clean(s))
	s = strings.Trim(s, " '")
	n := 0
	for i, r := range s {
		if n += utf16.RuneLen(r); n > limit {
			s = s[:i]
			break
		}
	}
	return strings.Trim(s, " '")
}

// textWidth is the length, in characters, of the longest line of s.
func textWidth(s string) int {
	width := 0
	for line := range strings.Lines(s) {
		width = max(width, len([]rune(strings.TrimSuffix(line, "\n"))))
	}
	return width
}

// fitsSheet reports whether the table fits in a sheet.
func (t Table) fitsSheet() error {
	if len(t.Header) > excelize.MaxColumns {
		return fmt.Errorf("%d columns, more than the %d of a sheet", len(t.Header), excelize.MaxColumns)
	}
	rows := 1 + len(t.Rows) // the header and the rows
	if n := len(t.preamble()); n > 0 {
		rows += n + 1 // and an empty row under the title and notes
	}
	if rows > excelize.TotalRows {
		return fmt.Errorf("%d rows, more than the %d of a sheet", rows, excelize.TotalRows)
	}
	return nil
}

// cellName is the name of a cell, such as "B3", in a table that fits a sheet.
func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row) // fails only outside a sheet
	return name
}
