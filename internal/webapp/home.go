package webapp

import (
	"github.com/gofiber/fiber/v2"

	"vertaa/internal/account"
)

// homePage is the front page; signed in, it lists the user's
// organisations and what they may do in each.
type homePage struct {
	Orgs []homeOrg
}

type homeOrg struct {
	Org    account.Organisation
	Leader bool
	HR     bool
}

func (a *app) home(c *fiber.Ctx) error {
	var d homePage
	if p := principalOf(c); p != nil {
		orgs, err := a.accounts.Orgs(c.UserContext(), p)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if p.Has(account.Leader, o.ID) || p.Has(account.HR, o.ID) {
				d.Orgs = append(d.Orgs, homeOrg{Org: o, Leader: p.Has(account.Leader, o.ID), HR: p.Has(account.HR, o.ID)})
			}
		}
	}
	return a.render(c, fiber.StatusOK, "home", a.texts.T(langOf(c), "home.page_title"), d)
}
