package tabular_test

import (
	"bytes"
	"strings"
	"testing"

	"vertaa/internal/tabular"
)

// summary is a small export of two tables with texts that need quoting,
// texts that look like formulas, and numbers of several decimals.
func summary() []tabular.Table {
	return []tabular.Table{
		{
			Name:   "Tiimit",
			Title:  "Kierros 2025; syksy",
			Notes:  []string{"Vähintään 5 vastausta", ""},
			Header: []string{"Tiimi", "Vastaajia", "Keskiarvo", "Muutos"},
			Rows: [][]tabular.Cell{
				{tabular.Text(`Myynti "A"`), tabular.Int(12), tabular.Num(3.456, 2), tabular.Num(-0.25, 2)},
				{tabular.Text("=SUM(A1)"), tabular.Int(7), tabular.Num(4, 2), tabular.Text("+1")},
				{tabular.Text("-x"), tabular.Text("liian vähän vastauksia"), tabular.Text("@a"), tabular.Num(0.1, 1)},
				{tabular.Text("rivi 1\rrivi 2"), tabular.Int(0), tabular.Text("\ttab"), tabular.Text(" a,b")},
			},
		},
		{
			Header: []string{"Huom"},
			Rows:   [][]tabular.Cell{{tabular.Text("")}, {tabular.Text("a\r\nb")}},
		},
	}
}

func TestWriteCSV(t *testing.T) {
	for _, tc := range []struct {
		sep  rune
		want string
	}{
		{';', "\uFEFF" +
			"\"Kierros 2025; syksy\"\r\n" +
			"Vähintään 5 vastausta\r\n" +
			"Tiimi;Vastaajia;Keskiarvo;Muutos\r\n" +
			"\"Myynti \"\"A\"\"\";12;3.46;-0.25\r\n" +
			"'=SUM(A1);7;4.00;'+1\r\n" +
			"'-x;liian vähän vastauksia;'@a;0.1\r\n" +
			"\"rivi 1\r\nrivi 2\";0;'\ttab;\" a,b\"\r\n" +
			"\r\n" +
			"Huom\r\n" +
			"\"\"\r\n" +
			"\"a\r\nb\"\r\n"},
		{',', "\uFEFF" +
			"Kierros 2025; syksy\r\n" +
			"Vähintään 5 vastausta\r\n" +
			"Tiimi,Vastaajia,Keskiarvo,Muutos\r\n" +
			"\"Myynti \"\"A\"\"\",12,3.46,-0.25\r\n" +
			"'=SUM(A1),7,4.00,'+1\r\n" +
			"'-x,liian vähän vastauksia,'@a,0.1\r\n" +
			"\"rivi 1\r\nrivi 2\",0,'\ttab,\" a,b\"\r\n" +
			"\r\n" +
			"Huom\r\n" +
			"\"\"\r\n" +
			"\"a\r\nb\"\r\n"},
	} {
		t.Run(string(tc.sep), func(t *testing.T) {
			var buf bytes.Buffer
			if err := tabular.WriteCSV(&buf, summary(), tc.sep); err != nil {
				t.Fatalf("WriteCSV: %v", err)
			}
			if got := buf.String(); got != tc.want {
				t.Errorf("WriteCSV wrote\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestWriteCSVSeparator(t *testing.T) {
	for _, sep := range []rune{'\t', '.', '"', 0} {
		var buf bytes.Buffer
		err := tabular.WriteCSV(&buf, summary(), sep)
		if err == nil || !strings.Contains(err.Error(), "separator") {
			t.Errorf("WriteCSV with separator %q: error %v, want one about the separator", sep, err)
		}
		if buf.Len() != 0 {
			t.Errorf("WriteCSV with separator %q wrote %q, want nothing", sep, buf.String())
		}
	}
}
