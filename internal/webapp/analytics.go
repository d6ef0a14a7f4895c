package webapp

import (
	"html/template"
	"math"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/analytics"
	"vertaa/internal/assessment"
	"vertaa/internal/chart"
	"vertaa/internal/i18n"
	"vertaa/internal/response"
)

// option is one choice of a filter.
type option struct {
	Value, Label string
	Selected     bool
}

// figure is one shown cell: the mean, or why it is hidden.
type figure struct {
	Text   string
	Mean   float64 // NaN when hidden
	N      int
	Hidden bool
	Band   int // the level of the mean, for the heatmap's colour; -1 if hidden
}

// areaLabel is an area's column: its number and its title.
type areaLabel struct {
	No    int
	Title string
}

// heatTable is a heatmap with its table of the same figures.
type heatTable struct {
	Caption, RowHeader, Overall, TextLang string
	Areas                                 []areaLabel
	Rows                                  []heatRow
	SVG                                   template.HTML
}

type heatRow struct {
	Name  string
	Org   bool
	Cells []figure // the areas, then overall
}

type participationRow struct {
	Name, Period                string
	Invited, Started, Submitted int
	Rate                        string
	Selected                    bool
}

type distributionRow struct {
	Area   string
	N      int
	Counts []int // nil when hidden
	Why    string
}

type trendRow struct {
	Round string
	Cells []figure
}

type comparisonRow struct {
	Area         string
	Own, Network figure
}

type sharedView struct {
	Name        string
	SubmittedAt time.Time
	Reflections []struct{ Question, Answer string }
}

// dashboardView is HR's analytics page of an organisation.
type dashboardView struct {
	OrgID, OrgName string
	Threshold      int
	Empty          bool
	Query          string // the filters, for the export links
	TextLang       string
	Questionnaires []option
	Rounds         []option
	Teams          []option
	Participation  []participationRow
	TeamsTaking    []participationRow // the chosen round's teams
	RoundName      string
	RoundOpen      bool // its figures are hidden until it closes
	OtherVersion   int
	Areas          []areaLabel
	Overall        string
	Levels         []string
	Heatmap        []heatRow
	Distribution   []distributionRow
	TrendOf        string
	Trend          []trendRow
	Organisations  int  // other organisations in the network
	Comparable     bool // enough of them to compare with
	Comparison     []comparisonRow
	Shared         []sharedView
	// The charts, each beside a table of the same figures; drawn for the
	// page only, not for the exports.
	HeatTable            heatTable
	TrendSVG, NetworkSVG template.HTML
	q                    *assessment.Questionnaire // of the chosen round
}

// dashboardFilter reads the filters from the query string.
func dashboardFilter(c *fiber.Ctx) response.DashboardFilter {
	return response.DashboardFilter{QuestionnaireID: c.Query("questionnaire"), RoundID: c.Query("round"), TeamID: c.Query("team")}
}

func (a *app) loadDashboard(c *fiber.Ctx) (dashboardView, error) {
	lang := langOf(c)
	d, err := a.responses.Dashboard(c.UserContext(), principalOf(c), c.Params("org"), dashboardFilter(c), a.threshold)
	if err != nil {
		return dashboardView{}, err
	}
	return a.buildDashboard(d, lang), nil
}

func (a *app) dashboard(c *fiber.Ctx) error {
	v, err := a.loadDashboard(c)
	if err != nil {
		return err
	}
	if !v.Empty {
		if err := a.dashboardCharts(&v, v.q, langOf(c)); err != nil {
			return err
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, fiber.StatusOK, "analytics", a.texts.T(langOf(c), "analytics.title"), v)
}

// figureOf shows a cell: its mean, or why it is hidden.
func (a *app) figureOf(lang i18n.Lang, q *assessment.Questionnaire, c analytics.Cell) figure {
	if c.Hidden == analytics.Shown {
		return figure{Text: formatScore(c.Mean), Mean: c.Mean, N: c.N, Band: q.LevelIndex(c.Mean)}
	}
	return figure{Text: a.texts.T(lang, c.Hidden.Key()), Mean: math.NaN(), N: c.N, Hidden: true, Band: -1}
}

// rate is a row's response rate, submitted of invited.
func rate(r analytics.Row) string {
	if r.Invited == 0 {
		return "–"
	}
	return strconv.Itoa((100*r.Submitted+r.Invited/2)/r.Invited) + " %"
}

// heatRowOf shows a summary's row.
func (a *app) heatRowOf(lang i18n.Lang, q *assessment.Questionnaire, name string, org bool, r analytics.Row) heatRow {
	h := heatRow{Name: name, Org: org}
	for _, c := range cells(r) {
		h.Cells = append(h.Cells, a.figureOf(lang, q, c))
	}
	return h
}

// cells returns a row's area cells and then its overall cell.
func cells(r analytics.Row) []analytics.Cell {
	return append(append([]analytics.Cell{}, r.Areas...), r.Overall)
}

func (a *app) buildDashboard(d response.Dashboard, lang i18n.Lang) dashboardView {
	T := func(key string, args ...any) string { return a.texts.T(lang, key, args...) }
	v := dashboardView{OrgID: d.Organisation.ID, OrgName: d.Organisation.Name, Threshold: d.Threshold, Empty: len(d.Rounds) == 0}
	if v.Empty {
		return v
	}
	sel := d.Rounds[d.Selected]
	q := sel.Questionnaire
	tl := string(textLang(q, lang))
	txt := func(t assessment.Text) string { return t.In(tl, q.DefaultLanguage) }
	v.TextLang = tl
	query := url.Values{"questionnaire": {d.QuestionnaireID}, "round": {sel.Round.ID}}
	if d.TeamID != "" {
		query.Set("team", d.TeamID)
	}
	v.Query = query.Encode()
	for _, x := range d.Questionnaires {
		v.Questionnaires = append(v.Questionnaires, option{x.ID, x.Title.In(string(textLang(x, lang)), x.DefaultLanguage), x.ID == d.QuestionnaireID})
	}
	for _, r := range d.AllRounds {
		v.Rounds = append(v.Rounds, option{r.ID, r.Name, r.ID == sel.Round.ID})
	}
	for i, rf := range d.Rounds {
		org := rf.Summary.Org
		v.Participation = append(v.Participation, participationRow{Name: rf.Round.Name,
			Period:  rf.Round.Opens.In(helsinki).Format("2.1.2006") + " – " + rf.Round.Closes.In(helsinki).Add(-time.Second).Format("2.1.2006"),
			Invited: org.Invited, Started: org.Started, Submitted: org.Submitted, Rate: rate(org), Selected: i == d.Selected})
	}
	v.Teams = []option{{"", T("analytics.all_teams"), d.TeamID == ""}}
	for _, t := range d.Teams {
		v.Teams = append(v.Teams, option{t.ID, t.Name, t.ID == d.TeamID})
	}
	v.RoundName, v.OtherVersion = sel.Round.Name, sel.OtherVersion
	v.RoundOpen = sel.Summary.Org.Overall.Hidden == analytics.Open
	for i, area := range q.Areas {
		v.Areas = append(v.Areas, areaLabel{i + 1, txt(area.Title)})
	}
	v.Overall = T("report.overall")
	for _, l := range q.Levels {
		v.Levels = append(v.Levels, txt(l.Label))
	}

	sum := sel.Summary
	for _, t := range sum.Teams {
		if d.TeamID == "" || t.ID == d.TeamID {
			v.TeamsTaking = append(v.TeamsTaking, participationRow{Name: t.Name, Invited: t.Invited, Started: t.Started, Submitted: t.Submitted, Rate: rate(t)})
		}
	}
	v.Heatmap = append(v.Heatmap, a.heatRowOf(lang, q, T("report.whole_org"), true, sum.Org))
	for _, t := range sum.Teams {
		if d.TeamID == "" || t.ID == d.TeamID {
			v.Heatmap = append(v.Heatmap, a.heatRowOf(lang, q, t.Name, false, t))
		}
	}
	for i, c := range cells(sum.Org) {
		name, dist := v.Overall, sum.OverallDistribution
		if i < len(q.Areas) {
			name, dist = v.Areas[i].Title, sum.Distribution[i]
		}
		dr := distributionRow{Area: name, N: c.N, Counts: dist}
		if dist == nil {
			dr.Why = a.figureOf(lang, q, c).Text
		}
		v.Distribution = append(v.Distribution, dr)
	}

	v.TrendOf = T("report.whole_org")
	for _, rf := range d.Rounds {
		r := rf.Summary.Org
		if d.TeamID != "" {
			r = analytics.Row{Overall: analytics.Cell{Hidden: analytics.TooFew}, Areas: make([]analytics.Cell, len(rf.Questionnaire.Areas))}
			for i := range r.Areas {
				r.Areas[i].Hidden = analytics.TooFew // the team was not asked
			}
			for _, t := range rf.Summary.Teams {
				if t.ID == d.TeamID {
					r = t
				}
			}
		}
		// An earlier round may have been summarised on another version:
		// areas are matched by id.
		tr := trendRow{Round: rf.Round.Name}
		for _, area := range q.Areas {
			c := analytics.Cell{Hidden: analytics.TooFew}
			for j, other := range rf.Questionnaire.Areas {
				if other.ID == area.ID {
					c = r.Areas[j]
				}
			}
			tr.Cells = append(tr.Cells, a.figureOf(lang, q, c))
		}
		tr.Cells = append(tr.Cells, a.figureOf(lang, q, r.Overall))
		v.Trend = append(v.Trend, tr)
	}
	for _, t := range d.Teams {
		if t.ID == d.TeamID {
			v.TrendOf = t.Name
		}
	}

	v.Organisations = d.Network.OtherOrganisations
	v.Comparable = d.Network.OtherOrganisations >= response.MinOtherOrganisations
	own, others := cells(sum.Org), cells(d.Network.Others)
	for i := range own {
		name := v.Overall
		if i < len(q.Areas) {
			name = v.Areas[i].Title
		}
		v.Comparison = append(v.Comparison, comparisonRow{Area: name, Own: a.figureOf(lang, q, own[i]), Network: a.figureOf(lang, q, others[i])})
	}

	v.q = q
	for _, s := range d.Shared {
		sv := sharedView{Name: s.Name, SubmittedAt: s.SubmittedAt}
		for _, r := range s.Reflections {
			sv.Reflections = append(sv.Reflections, struct{ Question, Answer string }{txt(r.Question), r.Answer})
		}
		v.Shared = append(v.Shared, sv)
	}
	return v
}

// chartWidth is the width the charts are laid out at; they scale to the
// page.
const chartWidth = 720

// dashboardCharts draws the heatmap, the trend and the network comparison.
func (a *app) dashboardCharts(v *dashboardView, q *assessment.Questionnaire, lang i18n.Lang) error {
	T := func(key string, args ...any) string { return a.texts.T(lang, key, args...) }
	lo, hi := q.Scoring.Min, q.Scoring.Max
	labels := make([]string, 0, len(v.Areas)+1)
	for _, area := range v.Areas {
		labels = append(labels, area.Title)
	}
	labels = append(labels, v.Overall)

	var err error
	if v.HeatTable, err = a.heatTableOf(lang, q, T("analytics.heatmap", v.RoundName), T("report.team"), v.Heatmap); err != nil {
		return err
	}

	tr := chart.Trend{Title: T("analytics.trend", v.TrendOf), Min: lo, Max: hi}
	for _, r := range v.Trend {
		tr.Points = append(tr.Points, r.Round)
	}
	first := 0
	if len(labels) > chart.MaxTrendSeries {
		first = len(labels) - 1 // too many areas to tell apart: overall alone
	}
	for c := first; c < len(labels); c++ {
		s := chart.TrendSeries{Name: labels[c]}
		for _, r := range v.Trend {
			s.Values = append(s.Values, r.Cells[c].Mean)
		}
		tr.Series = append(tr.Series, s)
	}
	svg, err := tr.SVG(chartWidth, T("analytics.chart_desc"))
	if err != nil {
		return err
	}
	v.TrendSVG = template.HTML(svg)

	bars := chart.Bars{Title: T("analytics.network"), Labels: labels, Min: lo, Max: hi,
		Series: []chart.BarSeries{{Name: v.OrgName}, {Name: T("analytics.network_average")}}}
	for _, c := range v.Comparison {
		bars.Series[0].Values = append(bars.Series[0].Values, c.Own.Mean)
		bars.Series[1].Values = append(bars.Series[1].Values, c.Network.Mean)
	}
	if svg, err = bars.SVG(chartWidth, T("analytics.chart_desc")); err != nil {
		return err
	}
	v.NetworkSVG = template.HTML(svg)
	return nil
}

// networkView is the administrator's comparison of the network's
// organisations.
type networkView struct {
	Questionnaires []option
	Threshold      int
	HeatTable      heatTable // the network, then each organisation
}

func (a *app) network(c *fiber.Ctx) error {
	lang := langOf(c)
	T := func(key string, args ...any) string { return a.texts.T(lang, key, args...) }
	qs := a.responses.Questionnaires()
	id := c.Query("questionnaire")
	if !slices.ContainsFunc(qs, func(q *assessment.Questionnaire) bool { return q.ID == id }) && len(qs) > 0 {
		id = qs[0].ID
	}
	q, sum, err := a.responses.Network(c.UserContext(), principalOf(c), id, a.threshold)
	if err != nil {
		return err
	}
	v := networkView{Threshold: a.threshold}
	for _, x := range qs {
		v.Questionnaires = append(v.Questionnaires, option{x.ID, x.Title.In(string(textLang(x, lang)), x.DefaultLanguage), x.ID == id})
	}
	rows := []heatRow{a.heatRowOf(lang, q, T("analytics.whole_network"), true, sum.Org)}
	for _, r := range sum.Teams {
		rows = append(rows, a.heatRowOf(lang, q, r.Name, false, r))
	}
	if v.HeatTable, err = a.heatTableOf(lang, q, T("analytics.network_title"), T("analytics.organisation"), rows); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, fiber.StatusOK, "network", T("analytics.network_title"), v)
}

// heatTableOf makes the heatmap of rows of q's figures: the chart and the
// table.
func (a *app) heatTableOf(lang i18n.Lang, q *assessment.Questionnaire, title, rowHeader string, rows []heatRow) (heatTable, error) {
	tl := string(textLang(q, lang))
	t := heatTable{Caption: title, RowHeader: rowHeader, Overall: a.texts.T(lang, "report.overall"), TextLang: tl, Rows: rows}
	bands := min(len(q.Levels), chart.MaxBands)
	hm := chart.Heatmap{Title: title, Min: q.Scoring.Min, Max: q.Scoring.Max, Bands: bands}
	for i, area := range q.Areas {
		t.Areas = append(t.Areas, areaLabel{i + 1, area.Title.In(tl, q.DefaultLanguage)})
		hm.Cols = append(hm.Cols, strconv.Itoa(i+1))
	}
	hm.Cols = append(hm.Cols, t.Overall)
	hm.Rows, hm.Cells = heatCells(rows, bands)
	svg, err := hm.SVG(chartWidth, a.texts.T(lang, "analytics.chart_desc"))
	t.SVG = template.HTML(svg)
	return t, err
}

// heatCells are the heatmap chart's rows and cells of a table's rows.
func heatCells(rows []heatRow, bands int) ([]string, [][]chart.HeatCell) {
	var names []string
	var out [][]chart.HeatCell
	for _, r := range rows {
		names = append(names, r.Name)
		var cs []chart.HeatCell
		for _, f := range r.Cells {
			c := chart.HeatCell{Value: f.Mean, N: f.N, Band: f.Band}
			if f.Hidden {
				c.Hidden = f.Text
			}
			if c.Band >= bands {
				c.Band = -1
			}
			cs = append(cs, c)
		}
		out = append(out, cs)
	}
	return names, out
}
