package webapp

import (
	"github.com/gofiber/fiber/v2"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/audit"
)

// adminPage is the administrator's overview: the organisations of the
// network.
type adminPage struct {
	Orgs []account.Organisation
}

func (a *app) adminHome(c *fiber.Ctx) error {
	return a.renderAdmin(c, nil)
}

func (a *app) renderAdmin(c *fiber.Ctx, f *form) error {
	orgs, err := a.accounts.Orgs(c.UserContext(), principalOf(c))
	if err != nil {
		return err
	}
	if f == nil {
		f = &form{Values: map[string]string{}, Errors: map[string]string{}}
	}
	return a.renderForm(c, fiber.StatusOK, "admin", a.texts.T(langOf(c), "admin.title"), adminPage{Orgs: orgs}, f)
}

func (a *app) orgCreate(c *fiber.Ctx) error {
	f := newForm(c, "name")
	if _, err := a.accounts.CreateOrg(c.UserContext(), principalOf(c), f.Values["name"]); err != nil {
		if f.fail(err, a.texts, langOf(c)) {
			return a.renderAdmin(c, f)
		}
		return err
	}
	return c.Redirect("/admin?notice=org_created", fiber.StatusSeeOther)
}

func (a *app) orgRename(c *fiber.Ctx) error {
	f := newForm(c, "name")
	if err := a.accounts.RenameOrg(c.UserContext(), principalOf(c), c.Params("org"), f.Values["name"]); err != nil {
		if f.fail(err, a.texts, langOf(c)) {
			return a.renderAdmin(c, f)
		}
		return err
	}
	return c.Redirect("/admin?notice=org_renamed", fiber.StatusSeeOther)
}

type usersPage struct {
	Query string
	Users []account.User
}

func (a *app) adminUsers(c *fiber.Ctx) error {
	q := c.Query("q")
	users, err := a.accounts.SearchUsers(c.UserContext(), principalOf(c), q)
	if err != nil {
		return err
	}
	return a.render(c, fiber.StatusOK, "users", a.texts.T(langOf(c), "users.title"), usersPage{Query: q, Users: users})
}

type userPage struct {
	account.UserDetail
	AllOrgs []account.Organisation
	Self    bool
}

func (a *app) adminUser(c *fiber.Ctx) error { return a.renderUser(c, nil) }

// renderUser shows a person to an administrator, with the problems of
// the erasure form f, if any.
func (a *app) renderUser(c *fiber.Ctx, f *form) error {
	ctx, p := c.UserContext(), principalOf(c)
	d, err := a.accounts.User(ctx, p, c.Params("user"))
	if err != nil {
		return err
	}
	orgs, err := a.accounts.Orgs(ctx, p)
	if err != nil {
		return err
	}
	return a.renderForm(c, fiber.StatusOK, "user", d.User.Name, userPage{UserDetail: d, AllOrgs: orgs, Self: d.User.ID == p.User.ID}, f)
}

// adminUserErase erases a person once the administrator has typed their
// e-mail address. The answers and badges are erased with the account; a
// failure midway leaves the person on their page, to be erased again.
func (a *app) adminUserErase(c *fiber.Ctx) error {
	f := newForm(c, "email")
	f.Which = "erase"
	err := a.accounts.Erase(c.UserContext(), principalOf(c), c.Params("user"), f.Values["email"], a.responses, a.badges)
	if err != nil {
		if f.fail(err, a.texts, langOf(c)) {
			return a.renderUser(c, f)
		}
		return err
	}
	return c.Redirect("/admin/users?notice=user_erased", fiber.StatusSeeOther)
}

// adminUserRole grants or revokes one role.
func (a *app) adminUserRole(c *fiber.Ctx) error {
	role, ok := account.ParseRole(c.FormValue("role"))
	if !ok {
		return apperr.InvalidFields(account.FieldError("role", "role.invalid"))
	}
	userID := c.Params("user")
	err := a.accounts.SetRole(c.UserContext(), principalOf(c), userID, role, c.FormValue("org"), c.FormValue("action") != "revoke")
	if err != nil {
		return err
	}
	return c.Redirect("/admin/users/"+userID+"?notice=roles_saved", fiber.StatusSeeOther)
}

func (a *app) adminUserDisable(c *fiber.Ctx) error { return a.setDisabled(c, true) }
func (a *app) adminUserEnable(c *fiber.Ctx) error  { return a.setDisabled(c, false) }

func (a *app) setDisabled(c *fiber.Ctx, disabled bool) error {
	userID := c.Params("user")
	if err := a.accounts.SetDisabled(c.UserContext(), principalOf(c), userID, disabled); err != nil {
		return err
	}
	return c.Redirect("/admin/users/"+userID+"?notice=user_saved", fiber.StatusSeeOther)
}

func (a *app) adminOutbox(c *fiber.Ctx) error {
	msgs, err := a.accounts.Outbox(c.UserContext(), principalOf(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, fiber.StatusOK, "outbox", a.texts.T(langOf(c), "outbox.title"), msgs)
}

type auditPage struct {
	Org    *account.Organisation
	Events []audit.Event
	Names  map[string]string // user id -> name
}

func (a *app) adminAudit(c *fiber.Ctx) error {
	events, names, err := a.accounts.AuditLog(c.UserContext(), principalOf(c), "")
	if err != nil {
		return err
	}
	return a.render(c, fiber.StatusOK, "audit", a.texts.T(langOf(c), "audit.title"), auditPage{Events: events, Names: names})
}

func (a *app) orgAudit(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), principalOf(c)
	org, err := a.accounts.Org(ctx, p, c.Params("org"))
	if err != nil {
		return err
	}
	events, names, err := a.accounts.AuditLog(ctx, p, org.ID)
	if err != nil {
		return err
	}
	return a.render(c, fiber.StatusOK, "audit", a.texts.T(langOf(c), "audit.title"), auditPage{Org: &org, Events: events, Names: names})
}
