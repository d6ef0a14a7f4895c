package report

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/goregular"
)

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Šárka Ääritalo", "Šárka Ääritalo"},
		{"Žofie Øster-Åberg", "Žofie Øster-Åberg"},
		{"Ωμέγα Жуков", "Ωμέγα Жуков"}, // Greek and Cyrillic are in the Go fonts
		{"李小龍", "???"},
		{"ok 👍", "ok ?"},
		{"a\tb\u00a0c", "a b c"},
		{"line\r\nnext\rx", "line\nnext\nx"},
		{"nul\x00bell\x07", "nulbell"},
		{"bad \xff utf-8", "bad \ufffd utf-8"}, // the fonts have the replacement character
	} {
		if got := clean(c.in); got != c.want {
			t.Errorf("clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFileNames(t *testing.T) {
	f := load(t)
	p := f.personalData(t, "fi")
	if got, want := PersonalFileName(p, f.texts), "johtamisosaaminen-raportti-sarka-aaritalo-2026-03-02.pdf"; got != want {
		t.Errorf("personal file name %q, want %q", got, want)
	}
	p.Lang, p.Name = "sv", "李小龍"
	if got, want := PersonalFileName(p, f.texts), "johtamisosaaminen-rapport-2026-03-02.pdf"; got != want {
		t.Errorf("personal file name %q, want %q", got, want)
	}
	team, _ := f.teamData(t, "en", 1, teams[:1])
	if got, want := TeamFileName(team, f.texts), "johtamisosaaminen-team-report-keuda-jarvenpaa-kevat-2026-2026-04-02.pdf"; got != want {
		t.Errorf("team file name %q, want %q", got, want)
	}
	team.RoundName = strings.Repeat("Pitkä nimi ", 20)
	if got := TeamFileName(team, f.texts); len(got) > 150 || !strings.Contains(got, "-pitka-nimi-pitka-nimi") {
		t.Errorf("a long round name gives %q", got)
	}
}

var fileNameRE = regexp.MustCompile(`^([a-z0-9]+(-[a-z0-9]+)*)?\.pdf$`)

// FuzzFileName: any name gives a file name of lower-case ASCII letters,
// digits and single hyphens, safe in a Content-Disposition header.
func FuzzFileName(f *testing.F) {
	for _, s := range []string{leader, "李小龍", "--a--", "ß æ ø", "", "\x00\xff"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		name := fileName(a, b)
		if !fileNameRE.MatchString(name) || len(name) > 2*maxPart+5 {
			t.Fatalf("fileName(%q, %q) = %q", a, b, name)
		}
	})
}

// FuzzText: any text from a user (a name, an answer) is cleaned to
// characters the fonts have, and wrapped into lines that fit.
func FuzzText(f *testing.F) {
	for _, s := range []string{leader, "李小龍 and 👍", "a\tb\r\nc\x00", strings.Repeat("pitkäsana", 20), "\xff\xfe", "  "} {
		f.Add(s)
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(family, "", goregular.TTF)
	pdf.SetFont(family, "", 10)
	f.Fuzz(func(t *testing.T, s string) {
		c := clean(s)
		if !utf8.ValidString(c) {
			t.Fatalf("clean(%q) = %q is not UTF-8", s, c)
		}
		for _, r := range c {
			if r != '\n' && (r < 0x20 || !covered(r)) {
				t.Fatalf("clean(%q) keeps %U", s, r)
			}
		}
		const w = 30.0
		for _, line := range wrap(pdf, s, w) {
			if utf8.RuneCountInString(line) > 1 && pdf.GetStringWidth(line) > w {
				t.Fatalf("wrap(%q) gives %q, %.1f mm wide", s, line, pdf.GetStringWidth(line))
			}
		}
		if pdf.Err() {
			t.Fatal(pdf.Error())
		}
	})
}

// A name or answer in a script the fonts lack still makes a report.
func TestReportWithUncoveredText(t *testing.T) {
	f := load(t)
	p := f.personalData(t, "en")
	p.Name = "李小龍 👍 \x00"
	p.GeneratedAt = time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	text := strings.Join(pages(t, renderPersonal(t, f, p)), " ")
	has(t, text, "??? ?")
}
