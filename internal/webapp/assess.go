package webapp

import (
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
	"vertaa/internal/badge"
	"vertaa/internal/i18n"
	"vertaa/internal/response"
)

// assessStart opens the leader's draft for a round or a personal
// assessment and goes to the page where they left off.
func (a *app) assessStart(c *fiber.Ctx) error {
	d, err := a.responses.Start(c.UserContext(), principalOf(c), c.FormValue("org"), c.FormValue("round"), c.FormValue("questionnaire"))
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/assess/%s/%d", d.ID, max(d.Page, 1)), fiber.StatusSeeOther)
}

// sheetView is one page of a questionnaire being answered.
type sheetView struct {
	DraftID     string
	Title       string
	RoundName   string
	TextLang    i18n.Lang // the language of the questionnaire's texts
	Page, Pages int
	Final       bool
	Area        *areaView
	Items       []itemView // of the area
	Reflections []itemView
	Missing     []missingView
	Answered    int
	Required    int
	Percent     int
}

type areaView struct {
	Title, Description string
}

type itemView struct {
	ID, Kind, Text, Help string
	Options              []optionView
	NA                   *optionView
	Value                string // the current answer: a point value, "na" or text
	Required             bool
	Error                string
}

type optionView struct {
	Value, Label string
	Checked      bool
}

type missingView struct {
	ItemID, Text string
	Page         int
}

// textLang picks the language of a questionnaire's texts for the user:
// theirs if the questionnaire is offered in it, else its default.
func textLang(q *assessment.Questionnaire, lang i18n.Lang) i18n.Lang {
	return i18n.Lang(q.LanguageFor(string(lang)))
}

// formatValue writes a point value as the form sends it back.
func formatValue(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// buildSheet prepares a page of the draft for the template.
func (a *app) buildSheet(sh response.Sheet, page int, lang i18n.Lang) sheetView {
	q, d := sh.Questionnaire, sh.Draft
	tl := string(textLang(q, lang))
	txt := func(t assessment.Text) string { return t.In(tl, q.DefaultLanguage) }
	v := sheetView{DraftID: d.ID, Title: txt(q.Title), TextLang: i18n.Lang(tl), Page: page, Pages: response.Pages(q)}
	if sh.Round != nil {
		v.RoundName = sh.Round.Name
	}
	for _, ar := range q.Areas {
		for _, it := range ar.Items {
			if it.Kind == assessment.TextItem || it.Optional {
				continue
			}
			v.Required++
			if _, ok := d.Answers[it.ID]; ok {
				v.Answered++
			}
		}
	}
	if v.Required > 0 {
		v.Percent = int(math.Floor(float64(v.Answered) * 100 / float64(v.Required)))
	}
	current := func(id string) string {
		ans, ok := d.Answers[id]
		switch {
		case !ok:
			return ""
		case ans.NA:
			return "na"
		case ans.Text != "":
			return ans.Text
		}
		return formatValue(ans.Value)
	}
	if page <= len(q.Areas) {
		ar := q.Areas[page-1]
		v.Area = &areaView{Title: txt(ar.Title), Description: txt(ar.Description)}
		for _, it := range ar.Items {
			iv := itemView{ID: it.ID, Kind: string(it.Kind), Text: txt(it.Text), Help: txt(it.Help), Value: current(it.ID),
				Required: it.Kind != assessment.TextItem && !it.Optional}
			if sc, ok := q.Scale(it.Scale); ok {
				for i, p := range sc.Points {
					label := txt(p.Label)
					if it.Kind == assessment.LevelItem {
						label = txt(it.Statements[i])
					}
					val := formatValue(p.Value)
					iv.Options = append(iv.Options, optionView{Value: val, Label: label, Checked: iv.Value == val})
				}
				if it.NotApplicable {
					iv.NA = &optionView{Value: "na", Label: txt(sc.NotApplicable), Checked: iv.Value == "na"}
				}
			}
			v.Items = append(v.Items, iv)
		}
		return v
	}
	v.Final = true
	for _, r := range q.Reflections {
		v.Reflections = append(v.Reflections, itemView{ID: r.ID, Kind: string(assessment.TextItem), Text: txt(r.Text), Help: txt(r.Help), Value: current(r.ID)})
	}
	for _, m := range response.Unanswered(q, d.Answers) {
		v.Missing = append(v.Missing, missingView{ItemID: m.ItemID, Text: txt(m.Item.Text), Page: m.Page})
	}
	return v
}

// sheet loads the signed-in user's draft and the page number in the URL.
func (a *app) sheet(c *fiber.Ctx) (response.Sheet, int, error) {
	sh, err := a.responses.Draft(c.UserContext(), principalOf(c), c.Params("draft"))
	if err != nil {
		return sh, 0, err
	}
	page, err := strconv.Atoi(c.Params("page", c.FormValue("page")))
	if err != nil || page < 1 || page > response.Pages(sh.Questionnaire) {
		return sh, 0, apperr.New(apperr.NotFound, "no such page")
	}
	return sh, page, nil
}

func (a *app) renderSheet(c *fiber.Ctx, status int, v sheetView, f *form) error {
	title := a.texts.T(langOf(c), "assess.page_title", v.Title, v.Page, v.Pages)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.renderForm(c, status, "assess", title, v, f)
}

func (a *app) assessPage(c *fiber.Ctx) error {
	sh, page, err := a.sheet(c)
	if err != nil {
		return err
	}
	if sh.Submitted {
		return c.Redirect("/results/"+sh.Draft.SubmitKey, fiber.StatusSeeOther)
	}
	return a.renderSheet(c, fiber.StatusOK, a.buildSheet(sh, page, langOf(c)), nil)
}

// answersFromForm reads the answers to a page's items from the form:
// field "a.<item id>" holds a point value, "na", or text. An empty field
// is no answer.
func answersFromForm(c *fiber.Ctx, q *assessment.Questionnaire, page int) (assessment.Answers, error) {
	type asked struct {
		id   string
		text bool
	}
	var items []asked
	if page <= len(q.Areas) {
		for _, it := range q.Areas[page-1].Items {
			items = append(items, asked{it.ID, it.Kind == assessment.TextItem})
		}
	} else {
		for _, r := range q.Reflections {
			items = append(items, asked{r.ID, true})
		}
	}
	// A field for an item that is not on this page is refused, not
	// ignored: the form was not made by this page.
	var stray string
	c.Request().PostArgs().VisitAll(func(k, _ []byte) {
		key := string(k)
		if id, ok := strings.CutPrefix(key, "a."); ok && !slices.ContainsFunc(items, func(x asked) bool { return x.id == id }) {
			stray = id
		}
	})
	if stray != "" {
		return nil, apperr.New(apperr.Invalid, "%s: no such question on page %d", stray, page)
	}
	answers := assessment.Answers{}
	for _, it := range items {
		v := c.FormValue("a." + it.id)
		switch {
		case it.text:
			if t := strings.TrimSpace(v); t != "" {
				answers[it.id] = assessment.Answer{Text: t}
			}
		case v == "":
		case v == "na":
			answers[it.id] = assessment.Answer{NA: true}
		default:
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, apperr.New(apperr.Invalid, "%s: %q is not an answer", it.id, v)
			}
			answers[it.id] = assessment.Answer{Value: f}
		}
	}
	return answers, nil
}

// assessSave stores the page's answers and moves to the page the user
// asked for: the previous, the next, or out to the home page.
func (a *app) assessSave(c *fiber.Ctx) error {
	sh, page, err := a.sheet(c)
	if err != nil {
		return err
	}
	answers, err := answersFromForm(c, sh.Questionnaire, page)
	if err != nil {
		return err
	}
	next, leave := page, false
	switch c.FormValue("action") {
	case "prev":
		next = max(page-1, 1)
	case "next":
		next = min(page+1, response.Pages(sh.Questionnaire))
	case "save":
		leave = true
	default:
		if n, err := strconv.Atoi(c.FormValue("goto")); err == nil && n >= 1 && n <= response.Pages(sh.Questionnaire) {
			next = n
		}
	}
	if _, err := a.responses.SavePage(c.UserContext(), principalOf(c), sh.Draft.ID, page, answers, next); err != nil {
		return err
	}
	if leave {
		return c.Redirect("/?notice=draft_saved", fiber.StatusSeeOther)
	}
	return c.Redirect(fmt.Sprintf("/assess/%s/%d", sh.Draft.ID, next), fiber.StatusSeeOther)
}

// assessAutosave stores the page's answers for the script that saves a
// draft every few seconds; it answers 204.
func (a *app) assessAutosave(c *fiber.Ctx) error {
	sh, page, err := a.sheet(c)
	if err != nil {
		return err
	}
	answers, err := answersFromForm(c, sh.Questionnaire, page)
	if err != nil {
		return err
	}
	if _, err := a.responses.SavePage(c.UserContext(), principalOf(c), sh.Draft.ID, page, answers, 0); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendStatus(fiber.StatusNoContent)
}

// assessSubmit submits the draft with the last page's answers.
// Unanswered required items bring the last page back with a summary that
// links to each of them. A second submit of the same form (a double click,
// a retry) leads to the response the first one made.
func (a *app) assessSubmit(c *fiber.Ctx) error {
	ctx, p, draftID := c.UserContext(), principalOf(c), c.Params("draft")
	r, err := a.responses.Submit(ctx, p, draftID, func(q *assessment.Questionnaire, page int) (assessment.Answers, error) {
		return answersFromForm(c, q, page)
	})
	if fields := apperr.FieldsOf(err); len(fields) > 0 {
		sh, derr := a.responses.Draft(ctx, p, draftID)
		if derr != nil {
			return derr
		}
		v := a.buildSheet(sh, response.Pages(sh.Questionnaire), langOf(c))
		f := &form{Values: map[string]string{}, Errors: map[string]string{}}
		for _, m := range v.Missing {
			f.Summary = append(f.Summary, formError{
				Href:    fmt.Sprintf("/assess/%s/%d#item-%s", sh.Draft.ID, m.Page, m.ItemID),
				Message: a.texts.T(langOf(c), "assess.missing", m.Page, m.Text),
			})
		}
		return a.renderSheet(c, fiber.StatusUnprocessableEntity, v, f)
	}
	if err != nil {
		return err
	}
	// The response is kept; a badge it earns is offered now. A failure
	// here must not lose the response, so it is logged, and the badge is
	// offered the next time the leader submits.
	q, err := a.responses.Definition(ctx, r.Hash)
	if err != nil {
		return err
	}
	offered, err := a.badges.EvaluateResponse(ctx, p, badge.Submission{ResponseID: r.ID, OrgID: r.OrgID, Questionnaire: q,
		Result: r.Result, SubmittedAt: r.SubmittedAt})
	if err != nil {
		a.log.ErrorContext(ctx, "offering badges", slog.String("response", r.ID), slog.Any("error", err))
	}
	if len(offered) > 0 {
		return c.Redirect("/results/"+r.ID+"?notice=submitted_badge", fiber.StatusSeeOther)
	}
	return c.Redirect("/results/"+r.ID+"?notice=submitted", fiber.StatusSeeOther)
}

func (a *app) assessDelete(c *fiber.Ctx) error {
	if err := a.responses.DeleteDraft(c.UserContext(), principalOf(c), c.Params("draft")); err != nil {
		return err
	}
	return c.Redirect("/?notice=draft_deleted", fiber.StatusSeeOther)
}
