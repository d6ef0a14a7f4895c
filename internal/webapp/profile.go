package webapp

import (
	"github.com/gofiber/fiber/v2"
)

// profile shows the signed-in user's details and the forms to change
// them.
func (a *app) profile(c *fiber.Ctx) error {
	p := principalOf(c)
	f := &form{Which: "profile", Values: map[string]string{"name": p.User.Name, "lang": p.User.Lang}, Errors: map[string]string{}}
	return a.renderForm(c, fiber.StatusOK, "profile", a.texts.T(langOf(c), "profile.title"), nil, f)
}

func (a *app) profileFailed(c *fiber.Ctx, f *form, err error) error {
	if f.fail(err, a.texts, langOf(c)) {
		f.Defaults = map[string]string{inputID("profile", "name"): principalOf(c).User.Name}
		return a.renderForm(c, fiber.StatusOK, "profile", a.texts.T(langOf(c), "profile.title"), nil, f)
	}
	return err
}

func (a *app) profileUpdate(c *fiber.Ctx) error {
	f := newForm(c, "name", "lang")
	f.Which = "profile"
	if err := a.accounts.UpdateProfile(c.UserContext(), principalOf(c), f.Values["name"], f.Values["lang"]); err != nil {
		return a.profileFailed(c, f, err)
	}
	a.setLangCookie(c, string(langFrom(f.Values["lang"])))
	return c.Redirect("/me?notice=profile_saved", fiber.StatusSeeOther)
}

// profilePassword changes the password. All sessions end, this browser
// gets a new one.
func (a *app) profilePassword(c *fiber.Ctx) error {
	p := principalOf(c)
	f := newForm(c)
	f.Which = "password"
	if err := a.accounts.ChangePassword(c.UserContext(), p, c.FormValue("current"), c.FormValue("password")); err != nil {
		return a.profileFailed(c, f, err)
	}
	if err := a.startSession(c, p.User); err != nil {
		return err
	}
	return c.Redirect("/me?notice=password_changed", fiber.StatusSeeOther)
}

func (a *app) profileEmail(c *fiber.Ctx) error {
	f := newForm(c, "email")
	f.Which = "email"
	if err := take(c, limitCheck{a.limits.resetAccount, principalOf(c).User.ID}); err != nil {
		return err
	}
	if err := a.accounts.RequestEmailChange(c.UserContext(), principalOf(c), f.Values["email"]); err != nil {
		return a.profileFailed(c, f, err)
	}
	return c.Redirect("/me?notice=email_sent", fiber.StatusSeeOther)
}

func (a *app) signoutAll(c *fiber.Ctx) error {
	if err := a.accounts.EndAllSessions(c.UserContext(), principalOf(c)); err != nil {
		return err
	}
	a.clearSession(c)
	return c.Redirect("/signin?notice=signed_out_everywhere", fiber.StatusSeeOther)
}
