package report

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vertaa/internal/analytics"
	"vertaa/internal/assessment"
	"vertaa/internal/assessment/assessmenttest"
	"vertaa/internal/i18n"
	"vertaa/internal/scoring"
	"vertaa/web"
)

// The languages every report is tested in.
var langs = []i18n.Lang{"fi", "sv", "en"}

// The leader's name: letters outside Latin-1 that must survive into the PDF.
const leader = "Šárka Ääritalo"

// fixture is the questionnaire and texts the reports are made with.
type fixture struct {
	q     *assessment.Questionnaire
	texts *i18n.Catalog
}

func load(tb testing.TB) fixture {
	tb.Helper()
	cat := assessmenttest.Shipped(tb)
	q, ok := cat.Get("johtamisosaaminen")
	if !ok {
		tb.Fatal("no johtamisosaaminen questionnaire")
	}
	sub, err := fs.Sub(web.Locales, "locales")
	if err != nil {
		tb.Fatal(err)
	}
	texts, err := i18n.Load(sub)
	if err != nil {
		tb.Fatal(err)
	}
	return fixture{q: q, texts: texts}
}

// answer answers every scored item of area i with value(i), leaving the
// areas in skip unanswered.
func answer(tb testing.TB, q *assessment.Questionnaire, value func(area int) float64, skip ...int) (assessment.Answers, scoring.Result) {
	tb.Helper()
	ans := assessment.Answers{}
	for i, a := range q.Areas {
		if slices.Contains(skip, i) {
			continue
		}
		for _, it := range a.Items {
			if it.Scored() {
				ans[it.ID] = assessment.Answer{Value: value(i)}
			}
		}
	}
	res, err := scoring.New(q).Score(ans)
	if err != nil {
		tb.Fatal(err)
	}
	return ans, res
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, time.UTC) }

// personalData is a leader's response with two earlier ones, a reflection
// and a badge; the fourth area has no answers.
func (f fixture) personalData(tb testing.TB, lang i18n.Lang) Personal {
	ans, res := answer(tb, f.q, func(i int) float64 { return float64(1 + (i*3)%5) }, 3)
	ans[f.q.Reflections[0].ID] = assessment.Answer{Text: "Vertaisryhmät ja yhteinen suunnittelu.\nŠárka: å ö ä š ž – toimii!"}
	_, older := answer(tb, f.q, func(int) float64 { return 2 })
	_, newer := answer(tb, f.q, func(i int) float64 { return float64(1 + (i*3+1)%5) })
	return Personal{
		Lang: lang, Name: leader, Organisation: "Keuda – Järvenpää", RoundName: "Kevät 2026",
		Questionnaire: f.q, SubmittedAt: day(2026, 3, 2), Result: res, Answers: ans,
		Earlier: []Earlier{{SubmittedAt: day(2025, 3, 3), Result: newer}, {SubmittedAt: day(2024, 3, 4), Result: older}},
		Badges: []Badge{{Name: "Pedagoginen johtaja – taso 2", URL: "https://vertaa.example/badges/awards/0f1e2d3c4b5a69788796a5b4",
			IssuedOn: day(2026, 1, 10), ValidUntil: day(2028, 1, 10)}},
		GeneratedAt: day(2026, 3, 5),
	}
}

// teamSpec is one team of a team fixture: its name, how many answered and
// how many more were invited (one of whom started).
type teamSpec struct {
	name              string
	answered, invited int
}

// round is a team fixture's round: its teams, and each respondent's team
// and result, for the tests to work figures out from.
type round struct {
	groups      []analytics.Group
	respondents []respondent
}

type respondent struct {
	team   string
	result scoring.Result
}

// teamData is a round of the given teams, with random answers from seed,
// summarised under the threshold 5 as the service summarises a rollup.
func (f fixture) teamData(tb testing.TB, lang i18n.Lang, seed uint64, teams []teamSpec) (Team, round) {
	tb.Helper()
	rnd := rand.New(rand.NewPCG(seed, 7))
	in := analytics.AggregateInput{Questionnaire: f.q, Aggregate: analytics.NewAggregate()}
	var rd round
	for ti, ts := range teams {
		g := analytics.Group{ID: fmt.Sprintf("t%d", ti), Name: ts.name}
		for u := range ts.answered + ts.invited {
			id := fmt.Sprintf("%s-u%d", g.ID, u)
			g.Invited = append(g.Invited, id)
			in.Invited = append(in.Invited, id)
			switch {
			case u < ts.answered:
				base := 1 + rnd.IntN(5)
				_, res := answer(tb, f.q, func(int) float64 { return float64(min(5, max(1, base+rnd.IntN(3)-1))) })
				in.Aggregate.Add(f.q, []string{g.ID}, res)
				rd.respondents = append(rd.respondents, respondent{team: g.ID, result: res})
			case u == ts.answered:
				in.Started = append(in.Started, id)
			}
		}
		in.Groups = append(in.Groups, g)
	}
	rd.groups = in.Groups
	sum, err := analytics.SummarizeAggregate(in, 5)
	if err != nil {
		tb.Fatal(err)
	}
	return Team{Lang: lang, Organisation: "Keuda – Järvenpää", RoundName: "Kevät 2026", Opens: day(2026, 2, 1), Closes: day(2026, 3, 31),
		Questionnaire: f.q, Summary: sum, GeneratedAt: day(2026, 4, 2)}, rd
}

// teams is the team fixture: one team too small to show, which makes one
// other team hidden as well, and two shown.
var teams = []teamSpec{{"Hyvinvointi ja äänet", 8, 2}, {"Šárkan tiimi", 6, 1}, {"Pieni", 2, 1}, {"Keskikokoinen", 5, 2}}

// poppler returns the path of a poppler tool, skipping the test where it
// is missing (failing instead under VERTAA_E2E=1, as in CI).
func poppler(tb testing.TB, tool string) string {
	tb.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("VERTAA_E2E") == "1" {
			tb.Fatalf("VERTAA_E2E=1 but %s (poppler-utils) is not installed", tool)
		}
		tb.Skipf("skipping: %s (poppler-utils) is not installed; set VERTAA_E2E=1 to require it", tool)
	}
	return path
}

// run runs a poppler tool on pdf and returns its output.
func run(tb testing.TB, pdf []byte, tool string, args ...string) string {
	tb.Helper()
	path := poppler(tb, tool)
	file := filepath.Join(tb.TempDir(), "report.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	var out, stderr bytes.Buffer
	cmd := exec.Command(path, append(args, file)...)
	if tool == "pdftotext" {
		cmd.Args = append(cmd.Args, "-")
	}
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%s: %v: %s", tool, err, stderr.String())
	}
	if stderr.Len() > 0 {
		tb.Errorf("%s complains: %s", tool, stderr.String())
	}
	return out.String()
}

// pages returns the text of each page in the order it was drawn, with
// runs of white space made one space.
func pages(tb testing.TB, pdf []byte) []string {
	tb.Helper()
	raw := strings.TrimSuffix(run(tb, pdf, "pdftotext", "-raw", "-enc", "UTF-8"), "\f")
	var out []string
	for _, p := range strings.Split(raw, "\f") {
		out = append(out, strings.Join(strings.Fields(p), " "))
	}
	return out
}
