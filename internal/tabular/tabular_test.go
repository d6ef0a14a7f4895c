package tabular_test

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"

	"vertaa/internal/tabular"
)

// writers are the two formats, by name, each writing to w.
var writers = map[string]func(w io.Writer, tables []tabular.Table) error{
	"CSV":  func(w io.Writer, tables []tabular.Table) error { return tabular.WriteCSV(w, tables, ';') },
	"XLSX": tabular.WriteXLSX,
}

func TestWritersRefuse(t *testing.T) {
	table := func(rows ...[]tabular.Cell) []tabular.Table {
		return []tabular.Table{
			{Name: "Hyvä", Header: []string{"a"}, Rows: [][]tabular.Cell{{tabular.Int(1)}}},
			{Name: "Tiimit", Header: []string{"Tiimi", "Vastaajia"}, Rows: rows},
		}
	}
	ok := []tabular.Cell{tabular.Text("A"), tabular.Int(5)}
	long := strings.Repeat("ä", tabular.MaxText+1)
	for _, tc := range []struct {
		name   string
		tables []tabular.Table
		want   string
	}{
		{"NoTables", nil, "no tables"},
		{"NoHeader", []tabular.Table{{Name: "Tyhjä"}}, `table 1 ("Tyhjä"): no header`},
		{"RowTooShort", table(ok, []tabular.Cell{tabular.Text("B")}), `table 2 ("Tiimit"): row 2 has 1 cells, want 2`},
		{"RowTooLong", table(append(ok, tabular.Int(3))), `table 2 ("Tiimit"): row 1 has 3 cells, want 2`},
		{"NaN", table(ok, []tabular.Cell{tabular.Text("B"), tabular.Num(math.NaN(), 2)}), "row 2 column 2: number NaN is not finite"},
		{"Inf", table([]tabular.Cell{tabular.Num(math.Inf(-1), 2), tabular.Int(1)}), "row 1 column 1: number -Inf is not finite"},
		{"NegativeDecimals", table([]tabular.Cell{tabular.Text("B"), tabular.Num(1, -1)}), "row 1 column 2: -1 decimals"},
		{"TooManyDecimals", table([]tabular.Cell{tabular.Text("B"), tabular.Num(1, tabular.MaxDecimals+1)}), "row 1 column 2: 11 decimals"},
		{"LongText", table([]tabular.Cell{tabular.Text(long), tabular.Int(1)}), "row 1 column 1: text of 32768 UTF-16 code units"},
		{"LongTitle", []tabular.Table{{Title: long, Header: []string{"a"}}}, "text of 32768 UTF-16 code units"},
	} {
		for format, write := range writers {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				var buf bytes.Buffer
				err := write(&buf, tc.tables)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %v, want one with %q", err, tc.want)
				}
				if buf.Len() != 0 {
					t.Errorf("wrote %d bytes, want nothing", buf.Len())
				}
			})
		}
	}
}

func TestWritersAccept(t *testing.T) {
	// The longest text a cell holds, in characters of two UTF-16 code units.
	longest := strings.Repeat("😀", tabular.MaxText/2) + "a"
	tables := []tabular.Table{
		{Header: []string{"a"}},
		{Header: []string{longest}, Rows: [][]tabular.Cell{{{}}, {tabular.Num(-1e300, tabular.MaxDecimals)}}},
	}
	for format, write := range writers {
		if err := write(io.Discard, tables); err != nil {
			t.Errorf("%s: %v", format, err)
		}
	}
}
