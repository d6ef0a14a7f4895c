package account_test

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"vertaa/internal/account"
)

var (
	importTeams   = []string{"Opetus", "Hallinto", "IT", "It"}
	importAllowed = []account.Role{account.Leader, account.HR}
)

type importCase struct {
	name     string
	file     string
	allowed  []account.Role // importAllowed when nil
	rows     []account.ImportRow
	problems []account.RowError
}

// importCases are shared by the table test and the fuzz corpus.
var importCases = []importCase{
	{
		name: "OK/FinnishExcelWithBOM",
		file: "\uFEFFSähköposti;Nimi;Tiimi\r\nsarka.aaritalo@koulu.fi;Šárka Ääritalo;opetus\r\n",
		rows: []account.ImportRow{{Line: 2, Email: "sarka.aaritalo@koulu.fi", Name: "Šárka Ääritalo", Team: "Opetus", Role: account.Leader}},
	},
	{
		name: "OK/CRLFCommaEnglish",
		file: "Email,Name,Team,Role\r\nAino.Virtanen@Koulu.FI,  Aino   Virtanen ,,HR\r\n\r\nb@koulu.fi,,  HALLINTO ,\r\n",
		rows: []account.ImportRow{
			{Line: 2, Email: "Aino.Virtanen@koulu.fi", Name: "Aino Virtanen", Role: account.HR},
			{Line: 4, Email: "b@koulu.fi", Team: "Hallinto", Role: account.Leader},
		},
	},
	{
		name:     "ErrOneLineOnlyIsAHeader",
		file:     "E-post\tNamn\tRoll\ta@skola.fi\t\tleader\n",
		problems: []account.RowError{{Line: 1, Code: "csv.unknown_column"}, {Line: 0, Code: "csv.empty"}},
	},
	{
		name: "OK/Tab",
		file: "e-post\tnamn\troll\na@skola.fi\t\tleader\nb@skola.fi\tBo\t\n",
		rows: []account.ImportRow{
			{Line: 2, Email: "a@skola.fi", Role: account.Leader},
			{Line: 3, Email: "b@skola.fi", Name: "Bo", Role: account.Leader},
		},
	},
	{
		name: "OK/QuotedDelimiter",
		file: "email;nimi\na@x.fi;\"Virtanen; Matti\"\n",
		rows: []account.ImportRow{{Line: 2, Email: "a@x.fi", Name: "Virtanen; Matti", Role: account.Leader}},
	},
	{
		name: "OK/QuotedCommaAfterSpace",
		file: "email, name\na@x.fi, \"Virtanen, Matti\"\n",
		rows: []account.ImportRow{{Line: 2, Email: "a@x.fi", Name: "Virtanen, Matti", Role: account.Leader}},
	},
	{
		name: "OK/QuotedNewlineKeepsLineNumbers",
		file: "email;name\na@x.fi;\"Matti\nVirtanen\"\nb@x.fi;Bo\n",
		rows: []account.ImportRow{
			{Line: 2, Email: "a@x.fi", Name: "Matti Virtanen", Role: account.Leader},
			{Line: 4, Email: "b@x.fi", Name: "Bo", Role: account.Leader},
		},
	},
	{
		name: "OK/BlankLinesAndEmptyExcelRows",
		file: "\n;;\nemail;name;\n\na@x.fi;A;\n;;\n  ; ;\nb@x.fi;B;\n",
		rows: []account.ImportRow{
			{Line: 5, Email: "a@x.fi", Name: "A", Role: account.Leader},
			{Line: 8, Email: "b@x.fi", Name: "B", Role: account.Leader},
		},
	},
	{
		name: "OK/TeamExactSpellingFirst",
		file: "email;team\na@x.fi;It\nb@x.fi;it\nc@x.fi;iT\n",
		rows: []account.ImportRow{
			{Line: 2, Email: "a@x.fi", Team: "It", Role: account.Leader},
			{Line: 3, Email: "b@x.fi", Team: "IT", Role: account.Leader},
			{Line: 4, Email: "c@x.fi", Team: "IT", Role: account.Leader},
		},
	},
	{
		name: "ErrDuplicateAndMalformed",
		file: "email;name\na@x.fi;A\nb@x.fi;B;extra\nA@X.FI;C\n",
		problems: []account.RowError{
			{Line: 3, Code: "csv.malformed"},
			{Line: 4, Field: "email", Code: "email.duplicate", Ref: 2},
		},
	},
	{
		name: "ErrEmail",
		file: "email;name\n;Nobody\nnot-an-address;A\nName <a@x.fi>;B\n",
		problems: []account.RowError{
			{Line: 2, Field: "email", Code: "email.required"},
			{Line: 3, Field: "email", Code: "email.invalid"},
			{Line: 4, Field: "email", Code: "email.invalid"},
		},
	},
	{
		name: "ErrName",
		file: "email;name\na@x.fi;" + strings.Repeat("ä", 101) + "\nb@x.fi;a\x01b\n",
		problems: []account.RowError{
			{Line: 2, Field: "name", Code: "name.too_long"},
			{Line: 3, Field: "name", Code: "name.invalid"},
		},
	},
	{
		name:     "ErrTeamUnknown",
		file:     "email;tiimi\na@x.fi;Opetus\nb@x.fi;Tekniikka\n",
		problems: []account.RowError{{Line: 3, Field: "team", Code: "team.unknown"}},
	},
	{
		name: "ErrRole",
		file: "email;rooli\na@x.fi;esimies\nb@x.fi;admin\nc@x.fi;HR\n",
		problems: []account.RowError{
			{Line: 2, Field: "role", Code: "role.invalid"},
			{Line: 3, Field: "role", Code: "role.not_allowed"},
		},
	},
	{
		name:     "ErrDefaultRoleNotAllowed",
		file:     "email;role\na@x.fi;\nb@x.fi;hr\n",
		allowed:  []account.Role{account.HR},
		problems: []account.RowError{{Line: 2, Field: "role", Code: "role.not_allowed"}},
	},
	{
		name: "ErrEveryFieldOfARow",
		file: "email;name;team;role\nbad;a\x00b;Nowhere;boss\n",
		problems: []account.RowError{
			{Line: 2, Field: "email", Code: "email.invalid"},
			{Line: 2, Field: "name", Code: "name.invalid"},
			{Line: 2, Field: "team", Code: "team.unknown"},
			{Line: 2, Field: "role", Code: "role.invalid"},
		},
	},
	{
		name: "ErrBareQuote",
		file: "email;name\na@x.fi;Matti \"Masa\" V\nb@x.fi;B\nbad;C\n",
		problems: []account.RowError{
			{Line: 2, Code: "csv.malformed"},
			{Line: 4, Field: "email", Code: "email.invalid"},
		},
	},
	{
		name: "ErrUnterminatedQuoteHidesNothing",
		file: "email;name\na@x.fi;\"Matti\nb@x.fi;B\nbad;C\n",
		problems: []account.RowError{
			{Line: 2, Code: "csv.malformed"},
			{Line: 4, Field: "email", Code: "email.invalid"},
		},
	},
	{
		name: "ErrTextAfterClosingQuote",
		file: "email;name\r\na@x.fi;\"Matti\r\nV\" jr\r\nc@x.fi;C\r\nc@x.fi;D\r\n",
		problems: []account.RowError{
			{Line: 2, Code: "csv.malformed"},
			{Line: 3, Code: "csv.malformed"},
			{Line: 5, Field: "email", Code: "email.duplicate", Ref: 4},
		},
	},
	{
		name:     "ErrEncoding",
		file:     "email;nimi\na@x.fi;A\nb@x.fi;J\xe4rvinen\n",
		problems: []account.RowError{{Line: 3, Code: "csv.encoding"}},
	},
	{
		name:     "ErrEncodingUTF16",
		file:     "\xff\xfee\x00m\x00a\x00i\x00l\x00",
		problems: []account.RowError{{Line: 1, Code: "csv.encoding"}},
	},
	{
		name:     "ErrEmptyFile",
		file:     "",
		problems: []account.RowError{{Code: "csv.empty"}},
	},
	{
		name:     "ErrOnlyBOMAndBlankLines",
		file:     "\uFEFF\r\n\r\n",
		problems: []account.RowError{{Code: "csv.empty"}},
	},
	{
		name:     "ErrOnlyHeader",
		file:     "email;name\n;\n",
		problems: []account.RowError{{Code: "csv.empty"}},
	},
	{
		name:     "ErrNoEmailColumn",
		file:     "nimi;tiimi\nA;Opetus\n",
		problems: []account.RowError{{Line: 1, Code: "csv.no_email_column"}},
	},
	{
		name: "ErrUnknownColumnRowsStillChecked",
		file: "email;puhelin;phone\na@x.fi;040;050\nbad;;\n",
		problems: []account.RowError{
			{Line: 1, Code: "csv.unknown_column"},
			{Line: 3, Field: "email", Code: "email.invalid"},
		},
	},
	{
		name:     "ErrDuplicateColumn",
		file:     "Email;Sähköposti;nimi;namn;name\na@x.fi;b@x.fi;A;B;C\n",
		problems: []account.RowError{{Line: 1, Field: "email", Code: "csv.duplicate_column"}, {Line: 1, Field: "name", Code: "csv.duplicate_column"}},
	},
	{
		name:     "ErrValueWithoutHeader",
		file:     "email;name;\na@x.fi;A;\nb@x.fi;B;extra\n",
		problems: []account.RowError{{Line: 3, Code: "csv.unknown_column"}},
	},
	{
		name:     "ErrMalformedHeader",
		file:     "email;\"name\nx\" y\na@x.fi;A\n",
		problems: []account.RowError{{Line: 1, Code: "csv.malformed"}},
	},
}

func TestParseImport(t *testing.T) {
	for _, tc := range importCases {
		t.Run(tc.name, func(t *testing.T) {
			allowed := tc.allowed
			if allowed == nil {
				allowed = importAllowed
			}
			rows, problems, err := account.ParseImport(strings.NewReader(tc.file), importTeams, allowed)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(problems, tc.problems) {
				t.Errorf("problems = %+v, want %+v", problems, tc.problems)
			}
			if !slices.Equal(rows, tc.rows) {
				t.Errorf("rows = %+v, want %+v", rows, tc.rows)
			}
			if len(problems) > 0 && rows != nil {
				t.Error("rows returned with problems")
			}
		})
	}
}

func TestParseImportLimits(t *testing.T) {
	file := func(rows int) string {
		var b strings.Builder
		b.WriteString("email\n")
		for i := range rows {
			b.WriteString("user" + strconv.Itoa(i) + "@koulu.fi\n")
		}
		return b.String()
	}
	t.Run("OK/MaxRows", func(t *testing.T) {
		rows, problems, err := account.ParseImport(strings.NewReader(file(account.MaxImportRows)), nil, importAllowed)
		if err != nil || problems != nil || len(rows) != account.MaxImportRows || rows[len(rows)-1].Line != account.MaxImportRows+1 {
			t.Fatalf("got %d rows, problems %v, err %v", len(rows), problems, err)
		}
	})
	t.Run("ErrTooManyRows", func(t *testing.T) {
		f := "email\nbad\n" + strings.TrimPrefix(file(account.MaxImportRows), "email\n")
		rows, problems, err := account.ParseImport(strings.NewReader(f), nil, importAllowed)
		want := []account.RowError{
			{Line: 2, Field: "email", Code: "email.invalid"},
			{Line: account.MaxImportRows + 2, Code: "csv.too_many_rows"},
		}
		if err != nil || rows != nil || !slices.Equal(problems, want) {
			t.Fatalf("got %d rows, problems %v, err %v", len(rows), problems, err)
		}
	})
	t.Run("OK/MaxBytes", func(t *testing.T) {
		f := "email;name\na@x.fi;A\n"
		f += strings.Repeat(" ", account.MaxImportBytes-len(f))
		rows, problems, err := account.ParseImport(strings.NewReader(f), nil, importAllowed)
		if err != nil || problems != nil || len(rows) != 1 {
			t.Fatalf("got %v, %v, %v", rows, problems, err)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		f := "email;name\na@x.fi;A\n"
		f += strings.Repeat(" ", account.MaxImportBytes+1-len(f))
		rows, problems, err := account.ParseImport(strings.NewReader(f), nil, importAllowed)
		if err != nil || rows != nil || !slices.Equal(problems, []account.RowError{{Code: "csv.too_large"}}) {
			t.Fatalf("got %v, %v, %v", rows, problems, err)
		}
	})
	t.Run("ErrRead", func(t *testing.T) {
		boom := errors.New("boom")
		r := io.MultiReader(strings.NewReader("email\n"), iotest.ErrReader(boom))
		rows, problems, err := account.ParseImport(r, nil, importAllowed)
		if !errors.Is(err, boom) || rows != nil || problems != nil {
			t.Fatalf("got %v, %v, %v", rows, problems, err)
		}
	})
}

func FuzzParseImport(f *testing.F) {
	for _, tc := range importCases {
		f.Add([]byte(tc.file))
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		rows, problems, err := account.ParseImport(bytes.NewReader(file), importTeams, importAllowed)
		if err != nil {
			t.Fatalf("error reading from memory: %v", err)
		}
		if len(problems) > 0 {
			if rows != nil {
				t.Fatal("rows returned with problems")
			}
			for _, p := range problems {
				if p.Code == "" || p.Line < 0 || (p.Ref != 0) != (p.Code == "email.duplicate") || (p.Ref != 0 && p.Ref >= p.Line) {
					t.Fatalf("bad problem %+v", p)
				}
			}
			return
		}
		if len(rows) == 0 {
			t.Fatal("no rows and no problems")
		}
		prev := 1
		for _, r := range rows {
			if r.Line <= prev {
				t.Fatalf("line %d after %d", r.Line, prev)
			}
			prev = r.Line
			if e, err := account.NormalizeEmail(r.Email); err != nil || e != r.Email {
				t.Fatalf("row %+v: email normalises to %q, %v", r, e, err)
			}
			if !slices.Contains(importAllowed, r.Role) || r.Team != "" && !slices.Contains(importTeams, r.Team) {
				t.Fatalf("row %+v: role or team not given", r)
			}
		}
	})
}
