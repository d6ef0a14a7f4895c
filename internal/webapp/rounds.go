package webapp

import (
	"time"
	_ "time/tzdata" // Helsinki's time zone on machines without a zone database

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/account"
	"vertaa/internal/response"
)

// helsinki is the time zone of the colleges: a round opens at the start
// of its first day and closes at the end of its last day there.
var helsinki = mustLoadLocation("Europe/Helsinki")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// roundsPage is HR's list of rounds and the form to open one.
type roundsPage struct {
	Org            account.Organisation
	Teams          []account.Team
	Rounds         []roundRow
	Questionnaires []questionnaireOption
}

type roundRow struct {
	response.Round
	Title string
	Open  bool
	Teams []string
}

type questionnaireOption struct {
	ID, Title string
}

func (a *app) loadRounds(c *fiber.Ctx) (roundsPage, error) {
	ctx, p, orgID, lang := c.UserContext(), principalOf(c), c.Params("org"), langOf(c)
	var d roundsPage
	var err error
	if d.Org, err = a.accounts.Org(ctx, p, orgID); err != nil {
		return d, err
	}
	if d.Teams, err = a.accounts.Teams(ctx, p, orgID); err != nil {
		return d, err
	}
	rounds, err := a.responses.Rounds(ctx, p, orgID)
	if err != nil {
		return d, err
	}
	teamName := map[string]string{}
	for _, t := range d.Teams {
		teamName[t.ID] = t.Name
	}
	titles := map[string]string{}
	for _, q := range a.responses.Questionnaires() {
		title := q.Title.In(string(textLang(q, lang)), q.DefaultLanguage)
		titles[q.ID] = title
		d.Questionnaires = append(d.Questionnaires, questionnaireOption{ID: q.ID, Title: title})
	}
	now := time.Now()
	for _, r := range rounds {
		row := roundRow{Round: r, Title: titles[r.QuestionnaireID], Open: r.IsOpen(now)}
		for _, id := range r.TeamIDs {
			row.Teams = append(row.Teams, teamName[id])
		}
		d.Rounds = append(d.Rounds, row)
	}
	return d, nil
}

func (a *app) rounds(c *fiber.Ctx) error {
	d, err := a.loadRounds(c)
	if err != nil {
		return err
	}
	today := time.Now().In(helsinki).Format("2006-01-02")
	f := &form{Values: map[string]string{"opens": today}, Errors: map[string]string{}}
	return a.renderForm(c, fiber.StatusOK, "rounds", a.texts.T(langOf(c), "rounds.title"), d, f)
}

// parseDay reads a yyyy-mm-dd date as the start of that day in Helsinki.
func parseDay(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, helsinki)
	if err != nil {
		return time.Time{}
	}
	return t
}

func (a *app) roundCreate(c *fiber.Ctx) error {
	f := newForm(c, "name", "questionnaire", "opens", "closes")
	var teams []string
	for _, v := range c.Request().PostArgs().PeekMulti("teams") {
		teams = append(teams, string(v))
	}
	in := response.RoundInput{Name: f.Values["name"], QuestionnaireID: f.Values["questionnaire"], TeamIDs: teams, Opens: parseDay(f.Values["opens"])}
	if closes := parseDay(f.Values["closes"]); !closes.IsZero() {
		in.Closes = closes.AddDate(0, 0, 1) // to the end of the last day
	}
	if _, err := a.responses.CreateRound(c.UserContext(), principalOf(c), c.Params("org"), in); err != nil {
		if !f.fail(err, a.texts, langOf(c)) {
			return err
		}
		d, lerr := a.loadRounds(c)
		if lerr != nil {
			return lerr
		}
		return a.renderForm(c, fiber.StatusOK, "rounds", a.texts.T(langOf(c), "rounds.title"), d, f)
	}
	return c.Redirect("/orgs/"+c.Params("org")+"/rounds?notice=round_opened", fiber.StatusSeeOther)
}

func (a *app) roundClose(c *fiber.Ctx) error {
	err := a.responses.CloseRound(c.UserContext(), principalOf(c), c.Params("org"), c.Params("round"))
	if err != nil {
		return err
	}
	return c.Redirect("/orgs/"+c.Params("org")+"/rounds?notice=round_closed", fiber.StatusSeeOther)
}
