package webapp

import (
	"github.com/gofiber/fiber/v2"
)

// resetForm asks for the address to send a password link to.
func (a *app) resetForm(c *fiber.Ctx) error {
	return a.renderForm(c, fiber.StatusOK, "reset", a.texts.T(langOf(c), "reset.title"), nil, &form{Values: map[string]string{}, Errors: map[string]string{}})
}

// reset sends a password link if the address has an account, and answers
// the same either way. Requests are limited per address and per client.
func (a *app) reset(c *fiber.Ctx) error {
	f := newForm(c, "email")
	if err := take(c, limitCheck{a.limits.resetClient, c.IP()}, limitCheck{a.limits.resetAccount, emailKey(f.Values["email"])}); err != nil {
		return err
	}
	if err := a.accounts.RequestPasswordReset(c.UserContext(), f.Values["email"]); err != nil {
		if f.fail(err, a.texts, langOf(c)) {
			return a.renderForm(c, fiber.StatusOK, "reset", a.texts.T(langOf(c), "reset.title"), nil, f)
		}
		return err
	}
	return c.Redirect("/reset?notice=reset_sent", fiber.StatusSeeOther)
}

// passwordForm asks for a new password, for the user of a single-use link.
func (a *app) passwordForm(c *fiber.Ctx) error {
	u, err := a.accounts.PasswordLink(c.UserContext(), c.Params("token"))
	if err != nil {
		return a.linkError(c, err)
	}
	return a.renderForm(c, fiber.StatusOK, "password", a.texts.T(langOf(c), "password.title"), u.Email, &form{Values: map[string]string{}, Errors: map[string]string{}})
}

func (a *app) password(c *fiber.Ctx) error {
	if err := take(c, limitCheck{a.limits.linkClient, c.IP()}); err != nil {
		return err
	}
	f := newForm(c)
	u, err := a.accounts.SetPasswordWithLink(c.UserContext(), c.Params("token"), c.FormValue("password"))
	if err != nil {
		if f.fail(err, a.texts, langOf(c)) {
			return a.renderForm(c, fiber.StatusOK, "password", a.texts.T(langOf(c), "password.title"), u.Email, f)
		}
		return a.linkError(c, err)
	}
	return c.Redirect("/signin?notice=password_set", fiber.StatusSeeOther)
}

// emailConfirmForm shows a button that confirms the address: a GET must
// not use up the link, since mail scanners follow links.
func (a *app) emailConfirmForm(c *fiber.Ctx) error {
	return a.render(c, fiber.StatusOK, "email", a.texts.T(langOf(c), "email.title"), nil)
}

func (a *app) emailConfirm(c *fiber.Ctx) error {
	if err := take(c, limitCheck{a.limits.linkClient, c.IP()}); err != nil {
		return err
	}
	if _, err := a.accounts.ConfirmEmail(c.UserContext(), c.Params("token")); err != nil {
		return a.linkError(c, err)
	}
	return c.Redirect("/?notice=email_confirmed", fiber.StatusSeeOther)
}
