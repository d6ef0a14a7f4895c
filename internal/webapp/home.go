package webapp

import (
	"github.com/gofiber/fiber/v2"

	"vertaa/internal/account"
	"vertaa/internal/response"
)

// homePage is the front page; signed in, it shows the user's open
// rounds, drafts and organisations.
type homePage struct {
	Orgs           []homeOrg
	Assignments    []assignmentView
	Drafts         []draftView // personal drafts; round drafts are under Assignments
	Questionnaires []questionnaireOption
	Responses      int
}

type homeOrg struct {
	Org    account.Organisation
	Leader bool
	HR     bool
}

type assignmentView struct {
	response.Assignment
	Title   string
	OrgName string
}

type draftView struct {
	ID, Title string
	Page      int
}

func (a *app) home(c *fiber.Ctx) error {
	var d homePage
	p := principalOf(c)
	if p == nil {
		return a.render(c, fiber.StatusOK, "home", a.texts.T(langOf(c), "home.page_title"), d)
	}
	ctx, lang := c.UserContext(), langOf(c)
	orgs, err := a.accounts.Orgs(ctx, p)
	if err != nil {
		return err
	}
	orgName := map[string]string{}
	for _, o := range orgs {
		orgName[o.ID] = o.Name
		if p.Has(account.Leader, o.ID) || p.Has(account.HR, o.ID) {
			d.Orgs = append(d.Orgs, homeOrg{Org: o, Leader: p.Has(account.Leader, o.ID), HR: p.Has(account.HR, o.ID)})
		}
	}
	titles := map[string]string{}
	for _, q := range a.responses.Questionnaires() {
		titles[q.ID] = q.Title.In(string(textLang(q, lang)), q.DefaultLanguage)
		d.Questionnaires = append(d.Questionnaires, questionnaireOption{ID: q.ID, Title: titles[q.ID]})
	}
	as, err := a.responses.Assignments(ctx, p)
	if err != nil {
		return err
	}
	for _, x := range as {
		d.Assignments = append(d.Assignments, assignmentView{Assignment: x, Title: titles[x.Round.QuestionnaireID], OrgName: orgName[x.Round.OrgID]})
	}
	drafts, err := a.responses.Drafts(ctx, p)
	if err != nil {
		return err
	}
	for _, dr := range drafts {
		if dr.RoundID == "" {
			d.Drafts = append(d.Drafts, draftView{ID: dr.ID, Title: titles[dr.QuestionnaireID], Page: dr.Page})
		}
	}
	rs, err := a.responses.Responses(ctx, p)
	if err != nil {
		return err
	}
	d.Responses = len(rs)
	return a.render(c, fiber.StatusOK, "home", a.texts.T(lang, "home.page_title"), d)
}
