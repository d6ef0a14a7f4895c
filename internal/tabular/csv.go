package tabular

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// bom is the UTF-8 byte order mark, by which Excel recognises UTF-8.
const bom = "\uFEFF"

// WriteCSV writes tables to w as CSV (RFC 4180, CRLF line ends) in UTF-8
// with a byte order mark, so that Excel shows Finnish letters right. sep is
// the field separator: ',' or ';'.
//
// Each table is its title and notes, one per line, then its header and rows;
// an empty line separates tables. Numbers have '.' as the decimal point and
// their fixed decimals. A text that begins with '=', '+', '-', '@' or a tab
// gets a leading single quote, so that a spreadsheet never runs it as a
// formula; numbers, negative ones too, are written as they are.
func WriteCSV(w io.Writer, tables []Table, sep rune) error {
	if sep != ',' && sep != ';' {
		return fmt.Errorf("tabular: CSV separator %q, want ',' or ';'", sep)
	}
	if err := validate(tables); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = sep
	cw.UseCRLF = true
	out := csvWriter{w: w, cw: cw}
	if err := out.write(tables); err != nil {
		return fmt.Errorf("tabular: write CSV: %w", err)
	}
	return nil
}

// csvWriter writes records through cw and, between them, raw text to w.
type csvWriter struct {
	w  io.Writer
	cw *csv.Writer
}

func (out csvWriter) write(tables []Table) error {
	if err := out.raw(bom); err != nil {
		return err
	}
	for i, t := range tables {
		if i > 0 {
			if err := out.raw("\r\n"); err != nil {
				return err
			}
		}
		for _, line := range t.preamble() {
			if err := out.record([]string{csvText(line)}); err != nil {
				return err
			}
		}
		header := make([]string, len(t.Header))
		for c, h := range t.Header {
			header[c] = csvText(h)
		}
		if err := out.record(header); err != nil {
			return err
		}
		for _, row := range t.Rows {
			fields := make([]string, len(row))
			for c, cell := range row {
				fields[c] = cell.csv()
			}
			if err := out.record(fields); err != nil {
				return err
			}
		}
	}
	out.cw.Flush()
	return out.cw.Error()
}

// raw writes s after the records written so far.
func (out csvWriter) raw(s string) error {
	out.cw.Flush()
	if err := out.cw.Error(); err != nil {
		return err
	}
	_, err := io.WriteString(out.w, s)
	return err
}

// record writes one record. A single empty field is written as "", since
// csv.Writer would write an empty line, which separates tables and which
// CSV readers skip.
func (out csvWriter) record(fields []string) error {
	if len(fields) == 1 && fields[0] == "" {
		return out.raw("\"\"\r\n")
	}
	return out.cw.Write(fields)
}

// csv is the cell as a CSV field.
func (c Cell) csv() string {
	if c.isNumber {
		return strconv.FormatFloat(c.number, 'f', c.decimals, 64)
	}
	return csvText(c.text)
}

// csvText is s as a CSV field: cleaned, and with a single quote in front if
// it begins with a character that would start a formula (OWASP, "CSV
// Injection"; the CR on OWASP's list is gone after clean).
func csvText(s string) string {
	s = clean(s)
	if s != "" && strings.IndexByte("=+-@\t", s[0]) >= 0 {
		return "'" + s
	}
	return s
}
