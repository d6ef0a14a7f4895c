package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"vertaa/internal/analytics"
	"vertaa/internal/assessment"
)

// team is a team report being written.
type team struct {
	*doc
	data Team
	q    *assessment.Questionnaire
	tl   string
}

func (r *team) txt(t assessment.Text) string { return t.In(r.tl, r.q.DefaultLanguage) }

// RenderTeam writes HR's report of one round as a PDF: participation, the
// organisation's averages with their spread and level distribution, a
// heatmap of teams by areas against the organisation's average, and the
// change since the previous round. Every figure obeys the summary's
// anonymity threshold: a hidden cell says why instead of showing a number.
// The report holds no individual answers: the summary has none.
func RenderTeam(w io.Writer, t Team, tx Texts) error {
	q := t.Questionnaire
	r := &team{data: t, q: q, tl: q.LanguageFor(string(t.Lang))}
	title := r.txt(q.Title)
	r.doc = newDoc(t.Lang, tx, title+" – "+tx.T(t.Lang, "report.team_title")+" – "+t.Organisation+" – "+t.RoundName,
		tx.T(t.Lang, "report.team_title"), footer(title, q), t.GeneratedAt)
	r.f.AddPage()
	r.cover()
	r.participation()
	r.averages()
	r.heatmap()
	r.previous()
	return r.write(w)
}

func (r *team) cover() {
	t := r.data
	r.para("vertaa · "+r.t("report.team_title"), "", 10, muted)
	r.f.Ln(2)
	r.heading(1, r.txt(r.q.Title))
	r.pair(r.t("report.organisation"), t.Organisation)
	r.pair(r.t("report.round"), t.RoundName)
	r.pair(r.t("rounds.period"), date(t.Opens)+" – "+date(t.Closes))
	r.pair(r.t("report.questionnaire"), r.t("report.version", r.q.ID, r.q.Version))
	r.pair(r.t("report.generated"), date(t.GeneratedAt))
	r.f.Ln(3)
	r.para(r.t("report.anonymity", t.Summary.Threshold), "", 9, muted)
	if t.OtherVersion > 0 {
		r.f.Ln(1)
		r.para(r.t("report.other_version", t.OtherVersion), "", 9, muted)
	}
}

func (r *team) participation() {
	r.heading(2, r.t("report.participation"))
	tb := r.table([]column{{70, "L"}, {25, "R"}, {25, "R"}, {25, "R"}, {25, "R"}},
		[]string{r.t("report.team"), r.t("report.invited"), r.t("report.started"), r.t("report.submitted_n"), r.t("report.rate")}, 9)
	row := func(name string, x analytics.Row) {
		rate := "–"
		if x.Invited > 0 {
			rate = strconv.Itoa((100*x.Submitted+x.Invited/2)/x.Invited) + " %"
		}
		tb.row([]string{name, strconv.Itoa(x.Invited), strconv.Itoa(x.Started), strconv.Itoa(x.Submitted), rate}, nil)
	}
	row(r.t("report.whole_org"), r.data.Summary.Org)
	for _, x := range r.data.Summary.Teams {
		row(x.Name, x)
	}
}

// cell writes a figure, or why it is hidden.
func (r *team) cell(c analytics.Cell) string {
	if c.Hidden == analytics.Shown {
		return score(c.Mean)
	}
	return r.t(c.Hidden.Key())
}

// averages is the organisation's table: per area the respondents, mean,
// spread and how many respondents are at each level.
func (r *team) averages() {
	r.heading(2, r.t("report.area_averages"))
	r.para(r.t("report.area_averages_lead"), "", 9, ink)
	r.f.Ln(2)
	levels := len(r.q.Levels)
	lw := (textW - 45 - 10 - 22 - 15) / float64(levels)
	cols := []column{{45, "L"}, {10, "R"}, {22, "R"}, {15, "R"}}
	head := []string{r.t("result.area"), r.t("report.n"), r.t("report.mean"), r.t("report.sd")}
	for _, l := range r.q.Levels {
		cols = append(cols, column{lw, "R"})
		head = append(head, r.txt(l.Label))
	}
	tb := r.table(cols, head, 8)
	s := r.data.Summary
	row := func(name string, c analytics.Cell, dist []int) {
		cells := []string{name, strconv.Itoa(c.N), r.cell(c), ""}
		fills := make([]*rgb, len(cols))
		if c.Hidden == analytics.Shown {
			cells[3] = score(c.SD)
			fills[2] = levelColor(r.q, c.Mean)
		}
		for i := range levels {
			cells = append(cells, "")
			if dist != nil {
				cells[4+i] = strconv.Itoa(dist[i])
			}
		}
		tb.row(cells, fills)
	}
	for i, a := range r.q.Areas {
		row(r.txt(a.Title), s.Org.Areas[i], s.Distribution[i])
	}
	row(r.t("report.overall"), s.Org.Overall, s.OverallDistribution)
}

// heatmap shows the teams' means by area, each with its difference from
// the organisation's mean, coloured by level.
func (r *team) heatmap() {
	s := r.data.Summary
	// Keep the heatmap, its legend and key on one page when they fit on
	// one: rows are at most two lines high.
	if h := 40 + float64(len(s.Teams)+2)*8 + float64(len(r.q.Areas))*4.5; h < pageH-bottom-margin && r.f.GetY()+h > pageH-bottom {
		r.f.AddPage()
	}
	r.heading(2, r.t("report.heatmap"))
	if len(s.Teams) == 0 {
		r.para(r.t("report.no_teams"), "", 10, ink)
		return
	}
	r.para(r.t("report.heatmap_lead"), "", 9, ink)
	r.f.Ln(2)
	// The overall column is wider, for its heading.
	w := (textW - 36) / (float64(len(r.q.Areas)) + 1.4)
	cols := []column{{36, "L"}}
	head := []string{r.t("report.team")}
	for i := range r.q.Areas {
		cols = append(cols, column{w, "C"})
		head = append(head, strconv.Itoa(i+1))
	}
	cols = append(cols, column{1.4 * w, "C"})
	head = append(head, r.t("report.overall"))
	tb := r.table(cols, head, 7)
	row := func(x analytics.Row, name string, compare bool) {
		cells, fills := []string{name}, []*rgb{nil}
		for i, c := range append(x.Areas[:len(x.Areas):len(x.Areas)], x.Overall) {
			org := s.Org.Overall
			if i < len(s.Org.Areas) {
				org = s.Org.Areas[i]
			}
			text := r.cell(c)
			var fill *rgb
			if c.Hidden == analytics.Shown {
				fill = levelColor(r.q, c.Mean)
				if compare && org.Hidden == analytics.Shown {
					text += "\n(" + signed(c.Mean-org.Mean) + ")"
				}
			}
			cells, fills = append(cells, text), append(fills, fill)
		}
		tb.row(cells, fills)
	}
	row(s.Org, r.t("report.whole_org"), false)
	for _, x := range s.Teams {
		row(x, x.Name, true)
	}
	r.legend()
	var key []string
	for i, a := range r.q.Areas {
		key = append(key, fmt.Sprintf("%d  %s", i+1, r.txt(a.Title)))
	}
	r.room(float64(len(key)+2) * 4.5)
	r.para(r.t("report.area_key"), "B", 9, ink)
	r.f.Ln(1)
	r.para(strings.Join(key, "\n"), "", 9, ink)
}

// legend names the colours of the levels.
func (r *team) legend() {
	f := r.f
	r.room(8)
	f.Ln(3)
	r.font("B", 8, ink)
	label := r.t("report.level_key") + ":"
	f.CellFormat(f.GetStringWidth(label)+3, 5, label, "", 0, "L", false, 0, "")
	r.font("", 8, ink)
	for i, l := range r.q.Levels {
		c := levelTint(i, len(r.q.Levels))
		name := clean(r.txt(l.Label))
		if f.GetX()+8+f.GetStringWidth(name) > pageW-margin {
			f.Ln(6)
		}
		x, y := f.GetX(), f.GetY()
		f.SetFillColor(c.r, c.g, c.b)
		f.SetDrawColor(rule.r, rule.g, rule.b)
		f.Rect(x, y+0.8, 3.5, 3.5, "FD")
		f.SetX(x + 5)
		f.CellFormat(f.GetStringWidth(name)+5, 5, name, "", 0, "L", false, 0, "")
	}
	f.Ln(6)
}

// previous compares the organisation's figures with the previous round.
func (r *team) previous() {
	r.heading(2, r.t("report.previous"))
	p := r.data.Previous
	if p == nil {
		r.para(r.t("report.no_previous"), "", 10, ink)
		return
	}
	s := r.data.Summary
	r.para(r.t("report.previous_lead", r.data.PreviousName), "", 10, ink)
	r.para(r.t("report.previous_participation", s.Org.Submitted, p.Org.Submitted), "", 10, ink)
	r.f.Ln(2)
	tb := r.table([]column{{70, "L"}, {35, "R"}, {35, "R"}, {30, "R"}},
		[]string{r.t("result.area"), r.t("report.previous_round"), r.t("report.this_round"), r.t("result.change")}, 9)
	row := func(name string, before, now analytics.Cell) {
		change := ""
		if before.Hidden == analytics.Shown && now.Hidden == analytics.Shown {
			change = signed(now.Mean - before.Mean)
		}
		tb.row([]string{name, r.cell(before), r.cell(now), change}, nil)
	}
	for i, a := range r.q.Areas {
		// The previous round may have used another version of the
		// questionnaire: areas are matched by id.
		before := analytics.Cell{Hidden: analytics.TooFew}
		for j, pa := range r.data.PreviousQuestionnaire.Areas {
			if pa.ID == a.ID {
				before = p.Org.Areas[j]
			}
		}
		row(r.txt(a.Title), before, s.Org.Areas[i])
	}
	row(r.t("report.overall"), p.Org.Overall, s.Org.Overall)
}

// tints are light backgrounds for the levels, lowest first; dark text on
// each has a contrast of more than 12:1.
var tints = []rgb{
	{0xf9, 0xd8, 0xd3}, {0xfc, 0xe5, 0xc4}, {0xfb, 0xf3, 0xc8},
	{0xe0, 0xf0, 0xd4}, {0xcd, 0xe8, 0xdb}, {0xd3, 0xe4, 0xf5},
}

// levelTint is the background of level i of n, spread over the tints.
func levelTint(i, n int) rgb {
	if n <= 1 {
		return tints[len(tints)-1]
	}
	return tints[i*(len(tints)-1)/(n-1)]
}

// levelColor is the background for a score's level; nil outside the range.
func levelColor(q *assessment.Questionnaire, s float64) *rgb {
	i := q.LevelIndex(s)
	if i < 0 {
		return nil
	}
	c := levelTint(i, len(q.Levels))
	return &c
}
