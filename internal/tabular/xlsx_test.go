package tabular_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"vertaa/internal/tabular"
)

// writeXLSX writes tables and opens the result with excelize.
func writeXLSX(tb testing.TB, tables []tabular.Table) *excelize.File {
	tb.Helper()
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, tables); err != nil {
		tb.Fatalf("WriteXLSX: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		tb.Fatalf("OpenReader: %v", err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

func TestWriteXLSX(t *testing.T) {
	f := writeXLSX(t, summary())
	if got, want := f.GetSheetList(), []string{"Tiimit", "2"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Title != "Kierros 2025; syksy" || props.Creator != "vertaa" {
		t.Errorf("document title %q by %q, want %q by %q", props.Title, props.Creator, "Kierros 2025; syksy", "vertaa")
	}

	// Texts are strings, exactly as given but for line breaks, never
	// formulas and without the CSV's quote before a formula character.
	texts := []struct{ sheet, cell, want string }{
		{"Tiimit", "A1", "Kierros 2025; syksy"},
		{"Tiimit", "A2", "Vähintään 5 vastausta"},
		{"Tiimit", "A4", "Tiimi"},
		{"Tiimit", "D4", "Muutos"},
		{"Tiimit", "A5", `Myynti "A"`},
		{"Tiimit", "A6", "=SUM(A1)"},
		{"Tiimit", "D6", "+1"},
		{"Tiimit", "A7", "-x"},
		{"Tiimit", "B7", "liian vähän vastauksia"},
		{"Tiimit", "C7", "@a"},
		{"Tiimit", "A8", "rivi 1\nrivi 2"},
		{"Tiimit", "C8", "\ttab"},
		{"Tiimit", "D8", " a,b"},
		{"2", "A1", "Huom"},
		{"2", "A2", ""},
		{"2", "A3", "a\nb"},
	}
	for _, c := range texts {
		if got := value(t, f, c.sheet, c.cell); got != c.want {
			t.Errorf("%s!%s = %q, want %q", c.sheet, c.cell, got, c.want)
		}
		if c.want == "" {
			continue
		}
		if typ, err := f.GetCellType(c.sheet, c.cell); err != nil || typ != excelize.CellTypeInlineString {
			t.Errorf("%s!%s has type %v (%v), want a string", c.sheet, c.cell, typ, err)
		}
		if formula, err := f.GetCellFormula(c.sheet, c.cell); err != nil || formula != "" {
			t.Errorf("%s!%s has formula %q (%v), want none", c.sheet, c.cell, formula, err)
		}
	}
	for _, c := range []string{"A3", "B3"} {
		if got := value(t, f, "Tiimit", c); got != "" {
			t.Errorf("Tiimit!%s = %q, want the empty row under the notes", c, got)
		}
	}

	// Numbers are numbers, stored exactly and shown with their decimals.
	numbers := []struct{ cell, raw, shown, format string }{
		{"B5", "12", "12", "0"},
		{"C5", "3.456", "3.46", "0.00"},
		{"D5", "-0.25", "-0.25", "0.00"},
		{"C6", "4", "4.00", "0.00"},
		{"D7", "0.1", "0.1", "0.0"},
		{"B8", "0", "0", "0"},
	}
	for _, c := range numbers {
		typ, err := f.GetCellType("Tiimit", c.cell)
		// A cell without a type attribute is a number.
		if err != nil || typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("Tiimit!%s has type %v (%v), want a number", c.cell, typ, err)
		}
		raw, err := f.GetCellValue("Tiimit", c.cell, excelize.Options{RawCellValue: true})
		if err != nil || raw != c.raw {
			t.Errorf("Tiimit!%s holds %q (%v), want %q", c.cell, raw, err, c.raw)
		}
		if got := value(t, f, "Tiimit", c.cell); got != c.shown {
			t.Errorf("Tiimit!%s shows %q, want %q", c.cell, got, c.shown)
		}
		if got := style(t, f, "Tiimit", c.cell); got.CustomNumFmt == nil || *got.CustomNumFmt != c.format {
			t.Errorf("Tiimit!%s has number format %v, want %q", c.cell, got.CustomNumFmt, c.format)
		}
	}
}

func TestWriteXLSXLayout(t *testing.T) {
	f := writeXLSX(t, summary())
	for _, c := range []struct {
		sheet, cell string
		bold        bool
	}{
		{"Tiimit", "A1", true},
		{"Tiimit", "A2", false},
		{"Tiimit", "A4", true},
		{"Tiimit", "D4", true},
		{"Tiimit", "A5", false},
		{"2", "A1", true},
		{"2", "A2", false},
	} {
		s := style(t, f, c.sheet, c.cell)
		if bold := s.Font != nil && s.Font.Bold; bold != c.bold {
			t.Errorf("%s!%s bold = %v, want %v", c.sheet, c.cell, bold, c.bold)
		}
	}
	for _, p := range []struct {
		sheet  string
		header int
	}{{"Tiimit", 4}, {"2", 1}} {
		panes, err := f.GetPanes(p.sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != p.header || panes.XSplit != 0 {
			t.Errorf("sheet %s: panes %+v, want rows 1 to %d frozen", p.sheet, panes, p.header)
		}
	}
	// The team column is wider than the default and fits its longest text.
	width, err := f.GetColWidth("Tiimit", "B")
	if err != nil {
		t.Fatal(err)
	}
	if want := float64(len([]rune("liian vähän vastauksia")) + 2); width != want {
		t.Errorf("column B is %g wide, want %g", width, want)
	}
}

func TestWriteXLSXSheetNames(t *testing.T) {
	long := strings.Repeat("Pedagoginen johtaminen ", 3)
	names := []string{
		"Tiimit",
		"TIIMIT",
		"a/b:c*d?[e]\\f",
		long,
		long + "x",
		"",
		"'Lainattu'",
		"History",
		" \t ",
		"😀" + strings.Repeat("ö", 30),
	}
	want := []string{
		"Tiimit",
		"TIIMIT (2)",
		"a_b_c_d__e__f",
		"Pedagoginen johtaminen Pedagogi",
		"Pedagoginen johtaminen Peda (2)",
		"6",
		"Lainattu",
		"History (2)",
		"9",
		"😀" + strings.Repeat("ö", 29),
	}
	tables := make([]tabular.Table, len(names))
	for i, name := range names {
		tables[i] = tabular.Table{Name: name, Header: []string{"a"}, Rows: [][]tabular.Cell{{tabular.Int(i)}}}
	}
	f := writeXLSX(t, tables)
	got := f.GetSheetList()
	if !slices.Equal(got, want) {
		t.Fatalf("sheets\n%q\nwant\n%q", got, want)
	}
	for i, name := range got {
		if n := len(utf16.Encode([]rune(name))); n > tabular.MaxSheetName {
			t.Errorf("sheet %q is %d UTF-16 code units long", name, n)
		}
		if raw, _ := f.GetCellValue(name, "A2", excelize.Options{RawCellValue: true}); raw != string(rune('0'+i)) {
			t.Errorf("sheet %q holds %q, want the rows of table %d", name, raw, i+1)
		}
	}
}

// TestWriteXLSXEscapes checks texts that look like the escapes "_xHHHH_"
// by which XLSX stores characters: each reads back as written, but for the
// underscores that the package comment says U+FFFD replaces, and none is
// mixed up with another.
func TestWriteXLSXEscapes(t *testing.T) {
	texts := []string{"_x0041_", "A", "_x005F_", "_x005f_x_", "=1+1", "_xD800_", "_x0041_x0042_x0043_", "_x005F_x0041_"}
	want := []string{"_x0041_", "A", "_x005F_", "_x005f_x_", "=1+1", "\uFFFDxD800_", "_x0041\uFFFDx0042_x0043_", "_x005F\uFFFDx0041_"}
	row := make([]tabular.Cell, len(texts))
	for i, s := range texts {
		row[i] = tabular.Text(s)
	}
	f := writeXLSX(t, []tabular.Table{{Name: "x", Header: texts, Rows: [][]tabular.Cell{row}}})
	rows, err := f.GetRows("x")
	if err != nil {
		t.Fatal(err)
	}
	for r, got := range rows {
		if !slices.Equal(got, want) {
			t.Errorf("row %d is\n%q\nwant\n%q", r+1, got, want)
		}
	}
}

func value(tb testing.TB, f *excelize.File, sheet, cell string) string {
	tb.Helper()
	v, err := f.GetCellValue(sheet, cell)
	if err != nil {
		tb.Fatalf("%s!%s: %v", sheet, cell, err)
	}
	return v
}

func style(tb testing.TB, f *excelize.File, sheet, cell string) *excelize.Style {
	tb.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		tb.Fatalf("%s!%s: %v", sheet, cell, err)
	}
	s, err := f.GetStyle(id)
	if err != nil {
		tb.Fatalf("%s!%s: style %d: %v", sheet, cell, id, err)
	}
	return s
}
