package tabular_test

import (
	"bytes"
	"encoding/csv"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"vertaa/internal/tabular"
)

// FuzzWriters writes user-like texts (a sheet name, a title, a note, a
// column name, cells) through both writers and reads them back, CSV with
// encoding/csv and XLSX with excelize: both must hold every text as stored
// says, CSV with its quote before a formula character, and every number.
func FuzzWriters(f *testing.F) {
	f.Add("Tiimi A", "Kierros 1", "Vähintään 5", "Tiimi", "Myynti", "liian vähän", 3.456, uint8(2))
	f.Add("", "", "", "", "", "", -0.25, uint8(0))
	f.Add("a/b:c*d?[e]\\'", "=1+1", "+1", "-x", "@a", "\ttab", 1e300, uint8(10))
	f.Add("History", "\r\n", "a\rb", "\"\"", ";,", " lead", -1e-300, uint8(1))
	f.Add("'", "\xff\xfe", "\x00\x1f\x7f", "\uFFFE\uFFFF", "_x0041_", "_xD800_x0041_x0042_", 0.5, uint8(3))
	f.Add(strings.Repeat("ö", 40), "😀", "_x005F_", "_x005F_x0041_", "\u0085\u2028", "ä\n", 12.0, uint8(0))
	f.Fuzz(func(t *testing.T, name, title, note, header, team, text string, number float64, decimals uint8) {
		for _, s := range []string{name, title, note, header, team, text} {
			if len(s) > tabular.MaxText { // a UTF-16 code unit takes at least a byte
				t.Skip()
			}
		}
		if math.IsNaN(number) || math.IsInf(number, 0) {
			number = 0
		}
		dec := int(decimals) % (tabular.MaxDecimals + 1)
		tables := []tabular.Table{
			{
				Name:   name,
				Title:  title,
				Notes:  []string{note, "Vähintään 5 vastausta"},
				Header: []string{header, "Keskiarvo", "Huom"},
				Rows: [][]tabular.Cell{
					{tabular.Text(team), tabular.Num(number, dec), tabular.Text(text)},
					{tabular.Text(text), tabular.Int(len(text)), tabular.Text(team)},
				},
			},
			{
				Name:   name,
				Header: []string{header},
				Rows:   [][]tabular.Cell{{tabular.Text(team)}, {tabular.Text(text)}},
			},
		}
		count := strconv.Itoa(len(text))

		// The expected contents, with "#" where the number is.
		var preamble [][]string
		for _, s := range []string{title, note, "Vähintään 5 vastausta"} {
			if s != "" {
				preamble = append(preamble, []string{s})
			}
		}
		first := slices.Concat(preamble, [][]string{
			{header, "Keskiarvo", "Huom"},
			{team, "#", text},
			{text, count, team},
		})
		second := [][]string{{header}, {team}, {text}}

		for _, sep := range []rune{',', ';'} {
			checkCSV(t, tables, sep, slices.Concat(first, second), number, dec)
		}
		if len(preamble) > 0 {
			first = slices.Insert(first, len(preamble), []string{""})
		}
		checkXLSX(t, tables, [][][]string{first, second}, number)
	})
}

// checkCSV checks that the CSV of tables reads back as want, a record a line.
func checkCSV(t *testing.T, tables []tabular.Table, sep rune, want [][]string, number float64, dec int) {
	t.Helper()
	var buf bytes.Buffer
	if err := tabular.WriteCSV(&buf, tables, sep); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	out, ok := strings.CutPrefix(buf.String(), "\uFEFF")
	if !ok {
		t.Fatalf("CSV does not begin with a byte order mark: %q", buf.String())
	}
	r := csv.NewReader(strings.NewReader(out))
	r.Comma = sep
	r.FieldsPerRecord = -1
	got, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read CSV back: %v\n%q", err, out)
	}
	if len(got) != len(want) {
		t.Fatalf("CSV has %d records, want %d:\n%q", len(got), len(want), out)
	}
	for i, record := range want {
		if len(got[i]) != len(record) {
			t.Errorf("CSV record %d is %q, want %q", i+1, got[i], record)
			continue
		}
		for j, s := range record {
			if s == "#" {
				checkCSVNumber(t, got[i][j], number, dec)
			} else if f := csvField(s); got[i][j] != f {
				t.Errorf("CSV record %d field %d is %q, want %q", i+1, j+1, got[i][j], f)
			}
		}
	}
}

// checkCSVNumber checks that field shows v with dec decimals and '.'.
func checkCSVNumber(t *testing.T, field string, v float64, dec int) {
	t.Helper()
	_, fraction, _ := strings.Cut(field, ".")
	got, err := strconv.ParseFloat(field, 64)
	if err != nil || len(fraction) != dec || strings.ContainsAny(field, "eE+") {
		t.Errorf("CSV number %q, want %v with %d decimals", field, v, dec)
		return
	}
	if math.Abs(got-v) > 0.5*math.Pow10(-dec)+1e-15*math.Abs(v) {
		t.Errorf("CSV number %q, want %v rounded to %d decimals", field, v, dec)
	}
}

// checkXLSX checks that the XLSX of tables reads back as want, cells of rows
// of sheets, and that its sheet names are valid and distinct.
func checkXLSX(t *testing.T, tables []tabular.Table, want [][][]string, number float64) {
	t.Helper()
	f := writeXLSX(t, tables)
	sheets := f.GetSheetList()
	if len(sheets) != len(want) {
		t.Fatalf("XLSX has sheets %q, want %d", sheets, len(want))
	}
	for i, name := range sheets {
		if name == "" || len(utf16.Encode([]rune(name))) > tabular.MaxSheetName ||
			strings.ContainsAny(name, "[]:*?/\\") || strings.HasPrefix(name, "'") || strings.HasSuffix(name, "'") ||
			strings.EqualFold(name, "History") || i > 0 && strings.EqualFold(name, sheets[0]) {
			t.Errorf("sheet name %q of %q is not valid and distinct", name, sheets)
		}
	}
	for s, rows := range want {
		for r, row := range rows {
			for c, text := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				got, err := f.GetCellValue(sheets[s], cell, excelize.Options{RawCellValue: true})
				if err != nil {
					t.Fatalf("%s!%s: %v", sheets[s], cell, err)
				}
				if text == "#" {
					if v, err := strconv.ParseFloat(got, 64); err != nil || v != number {
						t.Errorf("%s!%s holds %q, want %v", sheets[s], cell, got, number)
					}
				} else if want := stored(text); got != want {
					t.Errorf("%s!%s holds %q, want %q", sheets[s], cell, got, want)
				}
			}
		}
	}
}

// csvField is s as WriteCSV writes it: stored, with a quote before a
// character that would start a formula.
func csvField(s string) string {
	s = stored(s)
	if strings.HasPrefix(s, "=") || strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") ||
		strings.HasPrefix(s, "@") || strings.HasPrefix(s, "\t") {
		return "'" + s
	}
	return s
}

// escapeAt matches an XLSX escape "_xHHHH_" at the start of a text.
var escapeAt = regexp.MustCompile(`^_x[0-9A-Fa-f]{4}_`)

// stored is s as the package comment says both formats store it.
func stored(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	runes := []rune(s) // with U+FFFD for each byte of invalid UTF-8
	for i, r := range runes {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0xFFFE || r == 0xFFFF {
			runes[i] = '\uFFFD'
		}
	}
	s = string(runes)
	for {
		i := badEscape(s)
		if i < 0 {
			return s
		}
		s = s[:i] + "\uFFFD" + s[i+1:]
	}
}

// badEscape returns where the first escape begins that names a surrogate
// or directly follows another escape, or -1.
func badEscape(s string) int {
	for i := range len(s) {
		if !escapeAt.MatchString(s[i:]) {
			continue
		}
		v, _ := strconv.ParseUint(s[i+2:i+6], 16, 32)
		if v >= 0xD800 && v <= 0xDFFF || i >= 6 && escapeAt.MatchString(s[i-6:]) {
			return i
		}
	}
	return -1
}
