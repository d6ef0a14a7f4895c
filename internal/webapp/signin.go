package webapp

import (
	"github.com/gofiber/fiber/v2"

	"vertaa/internal/account"
)

func (a *app) signinForm(c *fiber.Ctx) error {
	if principalOf(c) != nil {
		return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	f := &form{Values: map[string]string{"next": c.Query("next")}, Errors: map[string]string{}}
	return a.renderForm(c, fiber.StatusOK, "signin", a.texts.T(langOf(c), "signin.title"), nil, f)
}

// signin checks the password. Failed attempts are limited per account and
// per client address: the sixth quick failure for one account is answered
// 429 without looking at the password.
func (a *app) signin(c *fiber.Ctx) error {
	f := newForm(c, "email", "next")
	acct, client := emailKey(f.Values["email"]), c.IP()
	for _, l := range []limitCheck{{a.limits.signinAccount, acct}, {a.limits.signinClient, client}} {
		if d := l.l.Wait(l.key); d > 0 {
			return tooMany(c, d)
		}
	}
	u, err := a.accounts.SignIn(c.UserContext(), f.Values["email"], c.FormValue("password"), client)
	if err != nil {
		if !f.fail(err, a.texts, langOf(c)) {
			return err
		}
		a.limits.signinAccount.Take(acct)
		a.limits.signinClient.Take(client)
		return a.renderForm(c, fiber.StatusOK, "signin", a.texts.T(langOf(c), "signin.title"), nil, f)
	}
	a.limits.signinAccount.Reset(acct)
	if err := a.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(safeNext(f.Values["next"]), fiber.StatusSeeOther)
}

func (a *app) signout(c *fiber.Ctx) error {
	if err := a.accounts.SignOut(c.UserContext(), principalOf(c)); err != nil {
		return err
	}
	a.clearSession(c)
	return c.Redirect("/?notice=signed_out", fiber.StatusSeeOther)
}

// setupForm asks for the first administrator's details.
func (a *app) setupForm(c *fiber.Ctx) error {
	if err := a.accounts.CheckSetupLink(c.UserContext(), c.Params("token")); err != nil {
		return a.linkError(c, err)
	}
	return a.renderForm(c, fiber.StatusOK, "setup", a.texts.T(langOf(c), "setup.title"), nil, &form{Values: map[string]string{}, Errors: map[string]string{}})
}

func (a *app) setup(c *fiber.Ctx) error {
	if err := take(c, limitCheck{a.limits.linkClient, c.IP()}); err != nil {
		return err
	}
	f := newForm(c, "email", "name")
	u, err := a.accounts.CompleteSetup(c.UserContext(), c.Params("token"), account.NewUser{
		Email: f.Values["email"], Name: f.Values["name"], Password: c.FormValue("password"), Lang: string(langOf(c)),
	})
	if err != nil {
		if f.fail(err, a.texts, langOf(c)) {
			return a.renderForm(c, fiber.StatusOK, "setup", a.texts.T(langOf(c), "setup.title"), nil, f)
		}
		return a.linkError(c, err)
	}
	if err := a.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect("/admin?notice=setup_done", fiber.StatusSeeOther)
}
