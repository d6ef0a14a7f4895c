package report

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"vertaa/internal/i18n"
	"vertaa/internal/scoring"
)

func renderPersonal(tb testing.TB, f fixture, p Personal) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := RenderPersonal(&b, p, f.texts); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func renderTeam(tb testing.TB, f fixture, t Team) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := RenderTeam(&b, t, f.texts); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// checkDocument checks what every report has: the language in the
// catalogue, the title in the metadata, A4 pages, embedded fonts, and on
// every page its number and the questionnaire's id and version.
func checkDocument(t *testing.T, f fixture, pdf []byte, lang i18n.Lang, title ...string) []string {
	t.Helper()
	if !bytes.Contains(pdf, []byte("/Lang ("+string(lang)+")")) {
		t.Errorf("the catalogue has no /Lang (%s)", lang)
	}
	info := run(t, pdf, "pdfinfo")
	for _, want := range title {
		if !regexp.MustCompile(`(?m)^Title:.*` + regexp.QuoteMeta(want)).MatchString(info) {
			t.Errorf("the title does not hold %q:\n%s", want, info)
		}
	}
	if !strings.Contains(info, "(A4)") {
		t.Errorf("the pages are not A4:\n%s", info)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("no page count:\n%s", info)
	}
	n, _ := strconv.Atoi(m[1])
	fonts := strings.Split(strings.TrimSpace(run(t, pdf, "pdffonts")), "\n")[2:]
	if len(fonts) == 0 {
		t.Error("no fonts")
	}
	for _, line := range fonts {
		if !strings.Contains(line, " yes ") || strings.Contains(line, " no  no ") {
			t.Errorf("a font is not embedded: %s", line)
		}
	}
	ps := pages(t, pdf)
	if len(ps) != n {
		t.Fatalf("pdftotext found %d pages, pdfinfo %d", len(ps), n)
	}
	version := f.q.ID + " " + f.q.Version
	for i, p := range ps {
		if want := f.texts.T(lang, "report.page", i+1, strconv.Itoa(n)); !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
		if !strings.Contains(p, version) {
			t.Errorf("page %d lacks the questionnaire version %q", i+1, version)
		}
	}
	return ps
}

// has fails the test for each of wants that text lacks.
func has(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("the report lacks %q", w)
		}
	}
}

func TestPersonalReport(t *testing.T) {
	poppler(t, "pdftotext") // skip here rather than in every language
	f := load(t)
	for _, lang := range langs {
		t.Run(string(lang), func(t *testing.T) {
			p := f.personalData(t, lang)
			pdf := renderPersonal(t, f, p)
			T := func(key string, args ...any) string { return f.texts.T(lang, key, args...) }
			txt := func(m map[string]string) string { return m[string(lang)] }
			text := strings.Join(checkDocument(t, f, pdf, lang, leader, T("report.personal_title")), " ")

			has(t, text, leader, "Keuda – Järvenpää", "Kevät 2026", "2.3.2026", txt(f.q.Title),
				T("result.previous_time", "3.3.2025"), T("report.confidential"))

			// The areas: score and level, or "not enough answers".
			shown := 0
			for _, fb := range scoring.Feedback(f.q, p.Result) {
				title := txt(fb.Area.Title)
				if !fb.Result.Enough {
					has(t, text, title+" "+T("result.not_enough"))
					continue
				}
				shown++
				has(t, text, fmt.Sprintf("%s %.2f %s %s", title, fb.Result.Score, txt(fb.Level.Label), txt(fb.Feedback.Text)))
			}
			if shown != len(f.q.Areas)-1 {
				t.Fatalf("the fixture should leave exactly one area without a score, not %d", len(f.q.Areas)-shown)
			}
			o := p.Result.Overall
			has(t, text, fmt.Sprintf("%s %.2f %s", T("report.overall"), o.Score, txt(f.q.Level(o.Score).Label)))

			// The change: the earlier scores oldest first, now, and the
			// change since the latest.
			older, newer := p.Earlier[1].Result.Overall, p.Earlier[0].Result.Overall
			has(t, text, fmt.Sprintf("%s %.2f %.2f %.2f %s", T("report.overall"), older.Score, newer.Score, o.Score, signed(o.Score-newer.Score)))
			has(t, text, "4.3.2024 3.3.2025 "+T("report.now"))

			// Strengths and areas to develop, each with its suggestions.
			for _, ids := range [][]string{p.Result.Strengths, p.Result.Development} {
				if len(ids) == 0 {
					t.Fatal("the fixture should have strengths and areas to develop")
				}
				for _, fb := range scoring.Feedback(f.q, p.Result) {
					if fb.Area.ID == ids[0] {
						has(t, text, fmt.Sprintf("%s %s · %.2f %s • %s", txt(fb.Area.Title), txt(fb.Level.Label), fb.Result.Score,
							T("result.suggestions"), txt(fb.Feedback.Suggestions[0])))
					}
				}
			}

			has(t, text, txt(f.q.Reflections[0].Text)+" Vertaisryhmät ja yhteinen suunnittelu. Šárka: å ö ä š ž – toimii!")
			has(t, text, "Pedagoginen johtaja – taso 2", T("report.issued", "10.1.2026"), T("report.valid_until", "10.1.2028"),
				"https://vertaa.example/badges/awards/0f1e2d3c4b5a69788796a5b4")
			has(t, text, T("report.discussion_goals"), T("report.discussion_support"), T("report.discussion_followup"))
		})
	}
}

// A personal assessment with nothing earlier, no badges and no
// reflections says so instead of leaving empty sections.
func TestPersonalReportFirstResponse(t *testing.T) {
	f := load(t)
	p := f.personalData(t, "en")
	p.Organisation, p.RoundName, p.Earlier, p.Badges = "", "", nil, nil
	for id := range p.Answers {
		if p.Answers[id].Text != "" {
			delete(p.Answers, id)
		}
	}
	pdf := renderPersonal(t, f, p)
	text := strings.Join(checkDocument(t, f, pdf, "en"), " ")
	T := func(key string) string { return f.texts.T("en", key) }
	has(t, text, T("report.personal_assessment"), T("report.first_response"))
	for _, absent := range []string{T("report.organisation"), T("badges.title"), T("result.reflections"), T("report.now"), "(3.3.2025)"} {
		if strings.Contains(text, absent) {
			t.Errorf("the report has %q", absent)
		}
	}
}

// teamRow is what a row of the heatmap must say: for each column the
// team's mean worked out from the answers and its difference from the
// organisation's, or why it is hidden.
func teamRow(f fixture, lang i18n.Lang, in round, gi int, hidden string) string {
	cols := len(f.q.Areas) + 1
	row := []string{in.groups[gi].Name}
	if hidden != "" {
		for range cols {
			row = append(row, f.texts.T(lang, hidden))
		}
		return strings.Join(row, " ")
	}
	for c := range cols {
		var team, all []float64
		for _, r := range in.respondents {
			v := r.result.Overall.Score
			if c < len(f.q.Areas) {
				v = r.result.Areas[c].Score
			}
			all = append(all, v)
			if r.team == in.groups[gi].ID {
				team = append(team, v)
			}
		}
		mean, org := scoring.Summarize(team).Mean, scoring.Summarize(all).Mean
		row = append(row, fmt.Sprintf("%.2f (%s)", mean, signed(mean-org)))
	}
	return strings.Join(row, " ")
}

func TestTeamReport(t *testing.T) {
	poppler(t, "pdftotext") // skip here rather than in every language
	f := load(t)
	for _, lang := range langs {
		t.Run(string(lang), func(t *testing.T) {
			data, in := f.teamData(t, lang, 1, teams)
			pdf := renderTeam(t, f, data)
			T := func(key string, args ...any) string { return f.texts.T(lang, key, args...) }
			txt := func(m map[string]string) string { return m[string(lang)] }
			text := strings.Join(checkDocument(t, f, pdf, lang, "Keuda – Järvenpää", "Kevät 2026", T("report.team_title")), " ")
			has(t, text, txt(f.q.Title), "1.2.2026 – 31.3.2026", T("report.anonymity", 5), T("report.no_previous"))

			// Participation, from the fixture's own counts.
			var org teamSpec
			for _, ts := range teams {
				invited, started := ts.answered+ts.invited, ts.answered+1
				has(t, text, fmt.Sprintf("%s %d %d %d %d %%", ts.name, invited, started, ts.answered, (100*ts.answered+invited/2)/invited))
				org.answered, org.invited = org.answered+ts.answered, org.invited+invited
			}
			started := org.answered + len(teams)
			has(t, text, fmt.Sprintf("%s %d %d %d %d %%", T("report.whole_org"), org.invited, started, org.answered, (100*org.answered+org.invited/2)/org.invited))

			// The organisation's averages: n, mean, SD and the level
			// distribution, worked out from the answers.
			for c, a := range f.q.Areas {
				var v []float64
				for _, r := range in.respondents {
					v = append(v, r.result.Areas[c].Score)
				}
				st := scoring.Summarize(v)
				row := fmt.Sprintf("%s %d %.2f %.2f", txt(a.Title), st.N, st.Mean, st.SD)
				for _, n := range scoring.Distribution(f.q, v) {
					row += " " + strconv.Itoa(n)
				}
				has(t, text, row)
			}

			// The heatmap: "Pieni" has too few answers; "Keskikokoinen", the
			// smallest of the rest, is hidden so that Pieni's figures cannot
			// be worked out from the organisation's.
			has(t, text,
				teamRow(f, lang, in, 0, ""),
				teamRow(f, lang, in, 1, ""),
				teamRow(f, lang, in, 2, "report.too_few"),
				teamRow(f, lang, in, 3, "report.hidden"))
		})
	}
}

// With fewer respondents in all than the threshold, no figure is shown.
func TestTeamReportTooFew(t *testing.T) {
	f := load(t)
	data, in := f.teamData(t, "fi", 3, []teamSpec{{"Aamu", 2, 0}, {"Ilta", 2, 1}})
	text := strings.Join(checkDocument(t, f, renderTeam(t, f, data), "fi"), " ")
	tooFew := f.texts.T("fi", "report.too_few")
	for _, a := range f.q.Areas {
		has(t, text, fmt.Sprintf("%s 4 %s", a.Title["fi"], tooFew))
	}
	has(t, text, teamRow(f, "fi", in, 0, "report.too_few"), teamRow(f, "fi", in, 1, "report.too_few"))
	if regexp.MustCompile(`\d\.\d\d`).MatchString(strings.Split(text, f.texts.T("fi", "report.area_averages"))[1]) {
		t.Error("a score is shown although every cell has too few respondents")
	}
}

// The comparison with the previous round shows both means and the change,
// areas matched by id.
func TestTeamReportPrevious(t *testing.T) {
	f := load(t)
	data, _ := f.teamData(t, "sv", 1, teams)
	prev, _ := f.teamData(t, "sv", 2, []teamSpec{{"Hyvinvointi ja äänet", 6, 0}, {"Šárkan tiimi", 5, 0}})
	data.Previous, data.PreviousQuestionnaire, data.PreviousName = &prev.Summary, f.q, "Hösten 2025"
	text := strings.Join(checkDocument(t, f, renderTeam(t, f, data), "sv"), " ")
	T := func(key string, args ...any) string { return f.texts.T("sv", key, args...) }
	has(t, text, T("report.previous_lead", "Hösten 2025"), T("report.previous_participation", 21, 11))
	for i, a := range f.q.Areas {
		before, now := prev.Summary.Org.Areas[i], data.Summary.Org.Areas[i]
		has(t, text, fmt.Sprintf("%s %.2f %.2f %s", a.Title["sv"], before.Mean, now.Mean, signed(now.Mean-before.Mean)))
	}
}

// The badge's QR code, printed and scanned, gives its verification URL.
func TestBadgeQRCodeReads(t *testing.T) {
	f := load(t)
	p := f.personalData(t, "sv")
	pdf := renderPersonal(t, f, p)
	page := slices.IndexFunc(pages(t, pdf), func(s string) bool { return strings.Contains(s, p.Badges[0].URL) })
	if page < 0 {
		t.Fatal("no page shows the badge's URL")
	}
	img, err := gozxing.NewBinaryBitmapFromImage(raster(t, pdf, page+1, 150))
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(img, nil)
	if err != nil {
		t.Fatalf("the QR code does not scan: %v", err)
	}
	if res.GetText() != p.Badges[0].URL {
		t.Fatalf("the QR code reads %q, want %q", res.GetText(), p.Badges[0].URL)
	}
}
