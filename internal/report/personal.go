package report

import (
	"io"
	"math"
	"slices"

	"vertaa/internal/assessment"
	"vertaa/internal/chart"
	"vertaa/internal/scoring"
)

// maxEarlier is how many earlier responses the change table shows.
const maxEarlier = 3

// personal is a personal report being written.
type personal struct {
	*doc
	p  Personal
	q  *assessment.Questionnaire
	tl string // the language of the questionnaire's texts
}

// txt returns a questionnaire text in the report's text language.
func (r *personal) txt(t assessment.Text) string { return t.In(r.tl, r.q.DefaultLanguage) }

// RenderPersonal writes the leader's personal report of one response as a
// PDF: a cover with the overall level and the radar chart, the areas with
// their levels, the change since earlier responses, strengths and areas to
// develop with suggestions, the reflections, the badges held with a QR
// code to verify each, and a page to prepare the development discussion.
func RenderPersonal(w io.Writer, p Personal, tx Texts) error {
	q := p.Questionnaire
	r := &personal{p: p, q: q, tl: q.LanguageFor(string(p.Lang))}
	title := r.txt(q.Title)
	r.doc = newDoc(p.Lang, tx, title+" – "+tx.T(p.Lang, "report.personal_title")+" – "+p.Name,
		tx.T(p.Lang, "report.personal_title"), footer(title, q), p.GeneratedAt)
	r.f.AddPage()
	if err := r.cover(); err != nil {
		return err
	}
	r.f.AddPage()
	r.areas()
	r.changes()
	r.highlights()
	r.reflections()
	if err := r.badges(); err != nil {
		return err
	}
	r.discussion()
	return r.write(w)
}

// footer is the text on the left of every page: the questionnaire and its
// version, which the figures depend on.
func footer(title string, q *assessment.Questionnaire) string {
	return title + " · " + q.ID + " " + q.Version
}

func (r *personal) cover() error {
	p, f := r.p, r.f
	r.para("vertaa · "+r.t("report.personal_title"), "", 10, muted)
	f.Ln(2)
	r.heading(1, r.txt(r.q.Title))
	r.pair(r.t("report.name"), p.Name)
	if p.Organisation != "" {
		r.pair(r.t("report.organisation"), p.Organisation)
	}
	if p.RoundName != "" {
		r.pair(r.t("report.round"), p.RoundName)
	} else {
		r.pair(r.t("report.round"), r.t("report.personal_assessment"))
	}
	r.pair(r.t("report.submitted"), date(p.SubmittedAt))
	r.pair(r.t("report.questionnaire"), r.t("report.version", r.q.ID, r.q.Version))
	r.pair(r.t("report.generated"), date(p.GeneratedAt))

	if o := p.Result.Overall; o.Enough {
		if l := r.q.Level(o.Score); l != nil {
			r.heading(2, r.t("result.overall"))
			r.para(r.txt(l.Label)+" · "+score(o.Score), "B", 12, ink)
			f.Ln(1)
			r.para(r.txt(l.Description), "", 10, ink)
		}
	}

	r.heading(2, r.t("result.chart_title"))
	radar := chart.Radar{Title: r.t("result.chart_title"), Min: r.q.Scoring.Min, Max: r.q.Scoring.Max}
	for s := math.Ceil(r.q.Scoring.Min); s <= r.q.Scoring.Max; s++ {
		radar.Rings = append(radar.Rings, s)
	}
	now := chart.Series{Name: r.t("result.this_time"), Style: "solid"}
	for _, a := range r.q.Areas {
		now.Values = append(now.Values, value(areaOf(p.Result, a.ID)))
	}
	radar.Series = []chart.Series{now}
	if len(p.Earlier) > 0 {
		prev := p.Earlier[0]
		s := chart.Series{Name: r.t("result.previous_time", date(prev.SubmittedAt)), Style: "dashed"}
		for _, a := range r.q.Areas {
			s.Values = append(s.Values, value(areaOf(prev.Result, a.ID)))
		}
		radar.Series = append(radar.Series, s)
	}
	for _, a := range r.q.Areas {
		radar.Axes = append(radar.Axes, chart.Axis{Label: r.txt(a.Title)})
	}
	if len(radar.Axes) < 3 {
		return nil // a chart needs three axes; the table has the figures
	}
	size := min(125, pageH-bottom-f.GetY()-12)
	if err := r.radar(radar, (pageW-size)/2, f.GetY(), size); err != nil {
		return err
	}
	f.SetY(pageH - bottom - 10)
	r.para(r.t("report.confidential"), "", 8, muted)
	return nil
}

// value is an area's score for the chart: NaN without enough answers.
func value(a scoring.AreaResult) float64 {
	if !a.Enough {
		return math.NaN()
	}
	return a.Score
}

// areaOf finds an area's result by id; the zero result (not enough
// answers) when an earlier version of the questionnaire lacked the area.
func areaOf(res scoring.Result, id string) scoring.AreaResult {
	for _, a := range res.Areas {
		if a.ID == id {
			return a
		}
	}
	return scoring.AreaResult{ID: id}
}

func (r *personal) areas() {
	r.heading(2, r.t("result.by_area"))
	t := r.table([]column{{50, "L"}, {20, "R"}, {27, "L"}, {73, "L"}},
		[]string{r.t("result.area"), r.t("result.score"), r.t("result.level"), r.t("report.level_description")}, 9)
	for _, fb := range scoring.Feedback(r.q, r.p.Result) {
		if !fb.Result.Enough {
			t.row([]string{r.txt(fb.Area.Title), r.t("result.not_enough"), "", ""}, nil)
			continue
		}
		desc := r.txt(fb.Level.Description)
		if fb.Feedback != nil {
			desc = r.txt(fb.Feedback.Text)
		}
		t.row([]string{r.txt(fb.Area.Title), score(fb.Result.Score), r.txt(fb.Level.Label), desc}, []*rgb{nil, nil, levelColor(r.q, fb.Result.Score)})
	}
	if o := r.p.Result.Overall; o.Enough {
		if l := r.q.Level(o.Score); l != nil {
			t.row([]string{r.t("report.overall"), score(o.Score), r.txt(l.Label), r.txt(l.Description)}, []*rgb{nil, nil, levelColor(r.q, o.Score)})
		}
	}
}

// changes compares the response with the earlier ones, oldest first.
func (r *personal) changes() {
	r.heading(2, r.t("report.changes"))
	if len(r.p.Earlier) == 0 {
		r.para(r.t("report.first_response"), "", 10, ink)
		return
	}
	earlier := slices.Clone(r.p.Earlier[:min(maxEarlier, len(r.p.Earlier))])
	slices.Reverse(earlier)
	r.para(r.t("report.changes_lead"), "", 10, ink)
	r.f.Ln(2)
	w := (textW - 50) / float64(len(earlier)+2)
	cols := []column{{50, "L"}}
	head := []string{r.t("result.area")}
	for _, e := range earlier {
		cols = append(cols, column{w, "R"})
		head = append(head, date(e.SubmittedAt))
	}
	cols = append(cols, column{w, "R"}, column{w, "R"})
	head = append(head, r.t("report.now"), r.t("result.change"))
	t := r.table(cols, head, 9)
	latest := earlier[len(earlier)-1].Result
	row := func(name string, now scoring.AreaResult, at func(scoring.Result) scoring.AreaResult) {
		cells := []string{name}
		for _, e := range earlier {
			cells = append(cells, r.cell(at(e.Result)))
		}
		cells = append(cells, r.cell(now), "")
		if prev := at(latest); prev.Enough && now.Enough {
			cells[len(cells)-1] = signed(now.Score - prev.Score)
		}
		t.row(cells, nil)
	}
	for _, a := range r.q.Areas {
		row(r.txt(a.Title), areaOf(r.p.Result, a.ID), func(res scoring.Result) scoring.AreaResult { return areaOf(res, a.ID) })
	}
	overall := func(res scoring.Result) scoring.AreaResult {
		return scoring.AreaResult{Score: res.Overall.Score, Enough: res.Overall.Enough}
	}
	row(r.t("report.overall"), overall(r.p.Result), overall)
}

// cell is a score, or "not enough answers".
func (r *personal) cell(a scoring.AreaResult) string {
	if !a.Enough {
		return r.t("result.not_enough")
	}
	return score(a.Score)
}

// signed writes a change with its sign.
func signed(x float64) string {
	s := score(math.Abs(x))
	switch {
	case s == "0.00":
		return "±0.00"
	case x < 0:
		return "−" + s
	}
	return "+" + s
}

// highlights lists the strengths and the areas to develop, each with the
// questionnaire's development suggestions for the level reached.
func (r *personal) highlights() {
	fbs := scoring.Feedback(r.q, r.p.Result)
	byID := map[string]scoring.AreaFeedback{}
	for _, fb := range fbs {
		byID[fb.Area.ID] = fb
	}
	for _, part := range []struct {
		key string
		ids []string
	}{{"result.strengths", r.p.Result.Strengths}, {"result.development", r.p.Result.Development}} {
		if len(part.ids) == 0 {
			continue
		}
		r.heading(2, r.t(part.key))
		for _, id := range part.ids {
			fb, ok := byID[id]
			if !ok || fb.Level == nil {
				continue
			}
			r.heading(3, r.txt(fb.Area.Title))
			r.para(r.txt(fb.Level.Label)+" · "+score(fb.Result.Score), "B", 10, ink)
			r.f.Ln(1)
			if fb.Feedback == nil || len(fb.Feedback.Suggestions) == 0 {
				continue
			}
			r.para(r.t("result.suggestions"), "B", 10, muted)
			r.f.Ln(1)
			var items []string
			for _, s := range fb.Feedback.Suggestions {
				items = append(items, r.txt(s))
			}
			r.bullets(items)
		}
	}
}

func (r *personal) reflections() {
	heading := false
	for _, rf := range r.q.Reflections {
		ans, ok := r.p.Answers[rf.ID]
		if !ok || ans.Text == "" {
			continue
		}
		if !heading {
			r.heading(2, r.t("result.reflections"))
			heading = true
		}
		r.room(3 * lineH)
		r.para(r.txt(rf.Text), "B", 10, ink)
		r.f.Ln(1)
		r.para(ans.Text, "", 10, ink)
		r.f.Ln(3)
	}
}

// qrSize is the side of a badge's QR code in millimetres: large enough
// for a phone to read a verification URL from paper.
const qrSize = 30.0

func (r *personal) badges() error {
	if len(r.p.Badges) == 0 {
		return nil
	}
	f := r.f
	r.heading(2, r.t("badges.title"))
	r.para(r.t("report.badges_lead"), "", 10, ink)
	f.Ln(3)
	for _, b := range r.p.Badges {
		r.room(qrSize + 4)
		y := f.GetY()
		if err := r.qr(b.URL, margin, y, qrSize); err != nil {
			return err
		}
		left := margin + qrSize + 5
		f.SetLeftMargin(left)
		f.SetXY(left, y+2)
		r.para(b.Name, "B", 11, ink)
		f.Ln(1)
		issued := r.t("report.issued", date(b.IssuedOn))
		if !b.ValidUntil.IsZero() {
			issued += ", " + r.t("report.valid_until", date(b.ValidUntil))
		}
		r.para(issued, "", 10, ink)
		f.Ln(1)
		r.font("", 9, rgb{0x0b, 0x5c, 0xad})
		url := clean(b.URL)
		for _, line := range wrap(f, url, textW-qrSize-5) {
			f.CellFormat(f.GetStringWidth(line), lineH, line, "", 1, "L", false, 0, url)
		}
		f.SetLeftMargin(margin)
		f.SetY(max(f.GetY(), y+qrSize) + 4)
	}
	return nil
}

// discussion leaves room to prepare the development discussion with the
// leader's supervisor.
func (r *personal) discussion() {
	r.f.AddPage()
	r.heading(2, r.t("report.discussion"))
	r.para(r.t("report.discussion_lead"), "", 10, ink)
	r.f.Ln(4)
	for _, key := range []string{"report.discussion_goals", "report.discussion_support", "report.discussion_followup"} {
		r.room(6 * 9)
		r.para(r.t(key), "B", 10, ink)
		y := r.f.GetY() + 2
		r.f.SetDrawColor(rule.r, rule.g, rule.b)
		r.f.SetLineWidth(0.2)
		for i := 1; i <= 5; i++ {
			r.f.Line(margin, y+float64(i)*9, pageW-margin, y+float64(i)*9)
		}
		r.f.SetY(y + 5*9 + 6)
	}
}
