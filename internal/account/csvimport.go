package account

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"unicode/utf8"

	"vertaa/internal/apperr"
)

// ImportRow is one valid row of an import file.
type ImportRow struct {
	Line  int    // line number in the file, the header being line 1
	Email string // normalised with NormalizeEmail
	Name  string // normalised with NormalizeName; may be empty (the person sets it on accepting the invitation)
	Team  string // the matching name from the known teams (their spelling), or ""
	Role  Role   // Leader when the column is absent or empty
}

// RowError says what is wrong on one line.
type RowError struct {
	Line  int
	Field string // "email", "name", "team", "role", or "" for the whole row/file
	// Code is a stable key for the user interface to translate:
	//
	// File (Line 0): csv.too_large, csv.empty.
	// File (Line where it is found): csv.encoding, csv.too_many_rows (the
	// first row over the limit).
	// Header: csv.no_email_column, csv.unknown_column, csv.duplicate_column
	// (Field names the column), csv.malformed (broken quoting).
	// Row: csv.malformed (wrong number of fields or broken quoting),
	// csv.unknown_column (a value under a header without a name),
	// email.required, email.invalid, email.duplicate, name.too_long,
	// name.invalid, team.unknown, role.invalid, role.not_allowed.
	Code string
	Ref  int // for email.duplicate: the line where the address first appears; else 0
}

// Limits of an import file.
const (
	MaxImportRows  = 2000
	MaxImportBytes = 1 << 20
)

// importColumns maps the accepted column names, in lower case, to the
// columns they name.
var importColumns = map[string]string{
	"email": "email", "e-mail": "email", "sähköposti": "email", "e-post": "email",
	"name": "name", "nimi": "name", "namn": "name",
	"team": "team", "tiimi": "team",
	"role": "role", "rooli": "role", "roll": "role",
}

// ParseImport reads an import file. teams are the names of the
// organisation's teams; allowed are the roles the importer may give. It
// returns the rows when the whole file is valid, or every problem of every
// row when it is not (then rows is nil: nothing from a file with a problem
// may be imported). The error return is only for reading failures of r.
//
// The file is CSV in UTF-8, optionally with a byte order mark, delimited by
// ';', ',' or tab as its header line shows. Lines with nothing but spaces and
// delimiters are skipped. Problems come in the order of their lines.
func ParseImport(r io.Reader, teams []string, allowed []Role) (rows []ImportRow, problems []RowError, err error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read import file: %w", err)
	}
	if len(data) > MaxImportBytes {
		return nil, []RowError{{Code: "csv.too_large"}}, nil
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if line := invalidUTF8Line(data); line > 0 {
		return nil, []RowError{{Line: line, Code: "csv.encoding"}}, nil
	}
	p := importer{teams: teams, allowed: allowed, seen: map[string]int{}}
	for _, t := range teams {
		p.teamKeys = append(p.teamKeys, strings.Join(strings.Fields(t), " "))
	}
	if err := p.parse(data); err != nil {
		return nil, nil, err
	}
	if len(p.problems) > 0 {
		return nil, p.problems, nil
	}
	return p.rows, nil, nil
}

// importer holds the state of one ParseImport.
type importer struct {
	teams    []string
	teamKeys []string // teams with spaces trimmed and collapsed
	allowed  []Role
	width    int            // number of columns of the header
	col      map[string]int // column name (email, name, team, role) → index
	unnamed  []int          // indexes of columns whose header is blank
	seen     map[string]int // EmailKey → line where the address first appears
	count    int            // data rows so far
	rows     []ImportRow
	problems []RowError
}

func (p *importer) problem(line int, field, code string, ref int) {
	p.problems = append(p.problems, RowError{Line: line, Field: field, Code: code, Ref: ref})
}

// parse checks the records of data, collecting rows and problems. It
// returns an error only if the CSV reader fails other than on the syntax.
func (p *importer) parse(data []byte) error {
	header := false
	for rec, err := range records(data, detectComma(data)) {
		switch {
		case err != nil:
			return fmt.Errorf("parse import file: %w", err)
		case rec.fields != nil && isBlank(rec.fields):
			continue
		case !header:
			header = true
			if !p.readHeader(rec) {
				return nil
			}
			continue
		}
		p.count++
		if p.count > MaxImportRows {
			p.problem(rec.line, "", "csv.too_many_rows", 0)
			return nil
		}
		if rec.fields == nil || len(rec.fields) != p.width {
			p.problem(rec.line, "", "csv.malformed", 0)
			continue
		}
		p.checkRow(rec.line, rec.fields)
	}
	if p.count == 0 {
		p.problem(0, "", "csv.empty", 0)
	}
	return nil
}

// readHeader learns the columns from the header and reports whether rows
// can be checked against it.
func (p *importer) readHeader(rec record) bool {
	if rec.fields == nil {
		p.problem(rec.line, "", "csv.malformed", 0)
		return false
	}
	p.width = len(rec.fields)
	p.col = map[string]int{}
	var unknown bool
	var dups []string
	for i, h := range rec.fields {
		h = strings.ToLower(strings.TrimSpace(h))
		name, known := importColumns[h]
		_, dup := p.col[name]
		switch {
		case h == "":
			p.unnamed = append(p.unnamed, i)
		case !known:
			if !unknown {
				p.problem(rec.line, "", "csv.unknown_column", 0)
				unknown = true
			}
		case dup:
			if !slices.Contains(dups, name) {
				p.problem(rec.line, name, "csv.duplicate_column", 0)
				dups = append(dups, name)
			}
		default:
			p.col[name] = i
		}
	}
	if _, ok := p.col["email"]; !ok {
		p.problem(rec.line, "", "csv.no_email_column", 0)
		return false
	}
	return len(dups) == 0
}

// checkRow checks one data row of the header's width.
func (p *importer) checkRow(line int, fields []string) {
	before := len(p.problems)
	value := func(col string) string {
		if i, ok := p.col[col]; ok {
			return fields[i]
		}
		return ""
	}
	row := ImportRow{Line: line}

	email, err := NormalizeEmail(value("email"))
	if err != nil {
		p.fieldProblems(line, err)
	} else if first, dup := p.seen[EmailKey(email)]; dup {
		p.problem(line, "email", "email.duplicate", first)
	} else {
		p.seen[EmailKey(email)] = line
		row.Email = email
	}

	if v := value("name"); strings.TrimSpace(v) != "" {
		if row.Name, err = NormalizeName("name", v); err != nil {
			p.fieldProblems(line, err)
		}
	}

	if v := strings.Join(strings.Fields(value("team")), " "); v != "" {
		var ok bool
		if row.Team, ok = p.matchTeam(v); !ok {
			p.problem(line, "team", "team.unknown", 0)
		}
	}

	role, ok := Leader, true
	if v := strings.TrimSpace(value("role")); v != "" {
		role, ok = ParseRole(v)
	}
	switch {
	case !ok:
		p.problem(line, "role", "role.invalid", 0)
	case !slices.Contains(p.allowed, role):
		p.problem(line, "role", "role.not_allowed", 0)
	default:
		row.Role = role
	}

	for _, i := range p.unnamed {
		if strings.TrimSpace(fields[i]) != "" {
			p.problem(line, "", "csv.unknown_column", 0)
			break
		}
	}

	if len(p.problems) == before {
		p.rows = append(p.rows, row)
	}
}

// fieldProblems reports the field errors of a validation error.
func (p *importer) fieldProblems(line int, err error) {
	for _, f := range apperr.FieldsOf(err) {
		p.problem(line, f.Field, f.Code, 0)
	}
}

// matchTeam returns the known team named v (spaces collapsed), preferring
// the exact spelling to one that differs in case.
func (p *importer) matchTeam(v string) (string, bool) {
	match := -1
	for i, k := range p.teamKeys {
		if k == v {
			return p.teams[i], true
		}
		if match < 0 && strings.EqualFold(k, v) {
			match = i
		}
	}
	if match < 0 {
		return "", false
	}
	return p.teams[match], true
}

// record is one record of a CSV file.
type record struct {
	line   int      // the physical line on which it starts
	fields []string // nil when its quoting is broken
}

// records yields the records of data, skipping empty lines. A record with
// broken quoting is yielded without fields, and reading resumes on the line
// after the one where it starts, so that a stray quote cannot swallow the
// lines after it.
func records(data []byte, comma rune) iter.Seq2[record, error] {
	return func(yield func(record, error) bool) {
		starts := []int{0} // byte offsets of the lines
		for i, b := range data {
			if b == '\n' && i+1 < len(data) {
				starts = append(starts, i+1)
			}
		}
		// first is the number of lines before the one the reader starts on.
		for first := 0; first < len(starts); {
			cr := csv.NewReader(bytes.NewReader(data[starts[first]:]))
			cr.Comma = comma
			cr.FieldsPerRecord = -1
			// For tab, trimming would swallow empty fields.
			cr.TrimLeadingSpace = comma != '\t'
			for {
				fields, err := cr.Read()
				if err == io.EOF {
					return
				}
				if perr, ok := errors.AsType[*csv.ParseError](err); ok {
					if !yield(record{line: first + perr.StartLine}, nil) {
						return
					}
					first += perr.StartLine
					break
				}
				if err != nil {
					yield(record{}, err)
					return
				}
				line, _ := cr.FieldPos(0)
				if !yield(record{line: first + line, fields: fields}, nil) {
					return
				}
			}
		}
	}
}

// detectComma returns the delimiter of the file: of ';', ',' and tab the one
// found most often outside quotes on the first line with text, preferring
// ';' on a tie.
func detectComma(data []byte) rune {
	for line := range bytes.Lines(data) {
		if len(bytes.Trim(line, " \t\r\n;,\"")) == 0 {
			continue
		}
		counts := map[byte]int{}
		quoted := false
		for _, c := range line {
			switch {
			case c == '"':
				quoted = !quoted
			case !quoted:
				counts[c]++
			}
		}
		best := byte(';')
		for _, c := range []byte{'\t', ','} {
			if counts[c] > counts[best] {
				best = c
			}
		}
		return rune(best)
	}
	return ';'
}

// invalidUTF8Line returns the line of the first byte of data that is not
// UTF-8, or 0 when all of it is.
func invalidUTF8Line(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return 1 + bytes.Count(data[:i], []byte("\n"))
		}
		i += n
	}
	return 0
}

func isBlank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
