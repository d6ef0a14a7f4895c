package webapp

import (
	"fmt"
	"html/template"
	"math"
	"time"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/assessment"
	"vertaa/internal/badge"
	"vertaa/internal/chart"
	"vertaa/internal/response"
)

// resultRow is one response in the list of the user's results.
type resultRow struct {
	ID, Title, Level string
	Score            string
	SubmittedAt      time.Time
	Personal         bool
}

func (a *app) results(c *fiber.Ctx) error {
	ctx, lang := c.UserContext(), langOf(c)
	rs, err := a.responses.Responses(ctx, principalOf(c))
	if err != nil {
		return err
	}
	drafts, err := a.responses.Drafts(ctx, principalOf(c))
	if err != nil {
		return err
	}
	var rows []resultRow
	for _, r := range rs {
		q, err := a.responses.Definition(ctx, r.Hash)
		if err != nil {
			return err
		}
		tl := string(textLang(q, lang))
		row := resultRow{ID: r.ID, Title: q.Title.In(tl, q.DefaultLanguage), SubmittedAt: r.SubmittedAt, Personal: r.OrgID == ""}
		if r.Result.Overall.Enough {
			row.Score = formatScore(r.Result.Overall.Score)
			if l := q.Level(r.Result.Overall.Score); l != nil {
				row.Level = l.Label.In(tl, q.DefaultLanguage)
			}
		}
		rows = append(rows, row)
	}
	type draftRow struct {
		ID, Title string
		Page      int
		UpdatedAt time.Time
	}
	var drows []draftRow
	for _, d := range drafts {
		q, err := a.responses.Definition(ctx, d.Hash)
		if err != nil {
			return err
		}
		drows = append(drows, draftRow{ID: d.ID, Title: q.Title.In(string(textLang(q, lang)), q.DefaultLanguage), Page: d.Page, UpdatedAt: d.UpdatedAt})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, fiber.StatusOK, "results", a.texts.T(lang, "results.title"), struct {
		Responses []resultRow
		Drafts    []draftRow
	}{rows, drows})
}

// formatScore writes a score with two decimals at most, as it is kept.
func formatScore(s float64) string {
	return fmt.Sprintf("%.2f", s)
}

// resultView is what the results page shows of one response.
type resultView struct {
	ID          string
	Title       string
	TextLang    string
	RoundName   string
	SubmittedAt time.Time
	Personal    bool
	Shared      bool
	Overall     *levelView
	Chart       template.HTML
	Areas       []areaResultView
	Strengths   []string
	Development []string
	Reflections []reflectionView
	HasPrevious bool
	PreviousAt  time.Time
}

type levelView struct {
	Score, Label, Description string
}

type areaResultView struct {
	ID, Title   string
	Enough      bool
	Score       string
	Level       string
	Feedback    string
	Suggestions []string
	Answered    int
	Items       int
	Change      string // signed change since the previous response, or ""
}

type reflectionView struct {
	Question, Answer string
}

func (a *app) result(c *fiber.Ctx) error {
	lang := langOf(c)
	rep, err := a.responses.Report(c.UserContext(), principalOf(c), c.Params("response"))
	if err != nil {
		return err
	}
	v, err := a.buildResult(rep, string(textLang(rep.Questionnaire, lang)))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, fiber.StatusOK, "result", a.texts.T(lang, "result.title", v.Title), v)
}

func (a *app) buildResult(rep response.Report, tl string) (resultView, error) {
	q, r := rep.Questionnaire, rep.Response
	txt := func(t assessment.Text) string { return t.In(tl, q.DefaultLanguage) }
	v := resultView{ID: r.ID, Title: txt(q.Title), TextLang: tl, SubmittedAt: r.SubmittedAt, Personal: r.OrgID == "", Shared: r.Shared}
	if r.Result.Overall.Enough {
		if l := q.Level(r.Result.Overall.Score); l != nil {
			v.Overall = &levelView{Score: formatScore(r.Result.Overall.Score), Label: txt(l.Label), Description: txt(l.Description)}
		}
	}
	areaTitle := map[string]string{}
	radar := chart.Radar{Title: a.texts.T(langFrom(tl), "result.chart_title"), Min: q.Scoring.Min, Max: q.Scoring.Max}
	for s := math.Ceil(q.Scoring.Min); s <= q.Scoring.Max; s++ {
		radar.Rings = append(radar.Rings, s)
	}
	current := chart.Series{Name: a.texts.T(langFrom(tl), "result.this_time"), Style: "solid"}
	var previous chart.Series
	if rep.Previous != nil {
		v.HasPrevious, v.PreviousAt = true, rep.Previous.SubmittedAt
		previous = chart.Series{Name: a.texts.T(langFrom(tl), "result.previous_time", rep.Previous.SubmittedAt.Format("2.1.2006")), Style: "dashed"}
	}
	for _, fb := range rep.Feedback {
		av := areaResultView{ID: fb.Area.ID, Title: txt(fb.Area.Title), Enough: fb.Result.Enough, Answered: fb.Result.Answered, Items: fb.Result.Items}
		areaTitle[fb.Area.ID] = av.Title
		radar.Axes = append(radar.Axes, chart.Axis{Label: av.Title})
		value := math.NaN()
		if fb.Result.Enough {
			value = fb.Result.Score
			av.Score = formatScore(fb.Result.Score)
			av.Level = txt(fb.Level.Label)
			if fb.Feedback != nil {
				av.Feedback = txt(fb.Feedback.Text)
				for _, s := range fb.Feedback.Suggestions {
					av.Suggestions = append(av.Suggestions, txt(s))
				}
			}
		}
		current.Values = append(current.Values, value)
		if rep.Previous != nil {
			prev := math.NaN()
			for _, pa := range rep.Previous.Result.Areas {
				if pa.ID == fb.Area.ID && pa.Enough {
					prev = pa.Score
				}
			}
			previous.Values = append(previous.Values, prev)
			if !math.IsNaN(prev) && fb.Result.Enough {
				av.Change = fmt.Sprintf("%+.2f", fb.Result.Score-prev)
			}
		}
		v.Areas = append(v.Areas, av)
	}
	radar.Series = []chart.Series{current}
	if rep.Previous != nil {
		radar.Series = append(radar.Series, previous)
	}
	if len(radar.Axes) >= 3 {
		svg, err := radar.SVG(480, a.texts.T(langFrom(tl), "result.chart_desc"))
		if err != nil {
			return v, err
		}
		v.Chart = template.HTML(svg)
	}
	for _, id := range r.Result.Strengths {
		v.Strengths = append(v.Strengths, areaTitle[id])
	}
	for _, id := range r.Result.Development {
		v.Development = append(v.Development, areaTitle[id])
	}
	for _, rf := range q.Reflections {
		if ans, ok := r.Answers[rf.ID]; ok && ans.Text != "" {
			v.Reflections = append(v.Reflections, reflectionView{Question: txt(rf.Text), Answer: ans.Text})
		}
	}
	return v, nil
}

// resultSharing lets HR see the response individually, or stops it.
func (a *app) resultSharing(c *fiber.Ctx) error {
	shared := c.FormValue("shared") == "yes"
	if err := a.responses.SetShared(c.UserContext(), principalOf(c), c.Params("response"), shared); err != nil {
		return err
	}
	return c.Redirect("/results/"+c.Params("response")+"?notice=sharing_saved", fiber.StatusSeeOther)
}

// export sends everything vertaa keeps of the user as a JSON file.
func (a *app) export(c *fiber.Ctx) error {
	e, err := a.responses.Export(c.UserContext(), principalOf(c))
	if err != nil {
		return err
	}
	b, err := a.badges.Export(c.UserContext(), principalOf(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="vertaa-omat-tiedot-%s.json"`, e.ExportedAt.Format("2006-01-02")))
	return c.JSON(struct {
		response.Export
		Badges badge.Export `json:"badges"`
	}{e, b})
}
