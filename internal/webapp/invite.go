package webapp

import (
	"github.com/gofiber/fiber/v2"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
)

// linkError answers a single-use link that does not work (unknown,
// expired or used) with a page that says what to do.
func (a *app) linkError(c *fiber.Ctx, err error) error {
	if apperr.KindOf(err) != apperr.NotFound {
		return err
	}
	return a.render(c, fiber.StatusNotFound, "link", a.texts.T(langOf(c), "link.title"), nil)
}

// invitePage is an invitation and the path of its page, to come back to
// after signing in.
type invitePage struct {
	account.InvitationInfo
	Path string
}

// inviteForm shows what an invitation offers and asks for what is needed
// to accept it.
func (a *app) inviteForm(c *fiber.Ctx) error {
	info, err := a.accounts.InvitationFor(c.UserContext(), c.Params("token"))
	if err != nil {
		return a.linkError(c, err)
	}
	f := &form{Values: map[string]string{"email": info.Token.Email, "name": info.Token.Name}, Errors: map[string]string{}}
	return a.renderForm(c, fiber.StatusOK, "invite", a.texts.T(langOf(c), "invite.title"), invitePage{info, c.Path()}, f)
}

func (a *app) inviteAccept(c *fiber.Ctx) error {
	if err := take(c, limitCheck{a.limits.linkClient, c.IP()}); err != nil {
		return err
	}
	ctx := c.UserContext()
	info, err := a.accounts.InvitationFor(ctx, c.Params("token"))
	if err != nil {
		return a.linkError(c, err)
	}
	f := newForm(c, "email", "name")
	res, err := a.accounts.AcceptInvitation(ctx, c.Params("token"), principalOf(c), account.NewUser{
		Email: f.Values["email"], Name: f.Values["name"], Password: c.FormValue("password"), Lang: string(langOf(c)),
	})
	switch {
	case f.fail(err, a.texts, langOf(c)):
		return a.renderForm(c, fiber.StatusOK, "invite", a.texts.T(langOf(c), "invite.title"), invitePage{info, c.Path()}, f)
	case apperr.KindOf(err) == apperr.Unauthorized:
		return c.Redirect("/signin?notice=invite_signin&next=/invite/"+c.Params("token"), fiber.StatusSeeOther)
	case err != nil:
		return a.linkError(c, err)
	case res.CheckEmail:
		return c.Redirect("/?notice=invite_check_email", fiber.StatusSeeOther)
	}
	if principalOf(c) == nil {
		if err := a.startSession(c, res.User); err != nil {
			return err
		}
	}
	return c.Redirect("/?notice=invite_accepted", fiber.StatusSeeOther)
}
