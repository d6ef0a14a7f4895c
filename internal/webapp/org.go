package webapp

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
)

// orgPage is what HR sees of their organisation.
type orgPage struct {
	Org         account.Organisation
	Teams       []account.Team
	People      []account.Person
	Invitations []account.Token
	// NewLink is an invitation link just created, shown once.
	NewLink        string
	NewLinkExpires time.Time
	Roles          []account.Role // the roles the viewer may invite to
}

// loadOrgPage gathers the organisation page; every read goes through the
// service, which checks that the viewer manages the organisation.
func (a *app) loadOrgPage(c *fiber.Ctx) (orgPage, error) {
	ctx, p, orgID := c.UserContext(), principalOf(c), c.Params("org")
	var d orgPage
	var err error
	if d.Org, err = a.accounts.Org(ctx, p, orgID); err != nil {
		return d, err
	}
	if d.Teams, err = a.accounts.Teams(ctx, p, orgID); err != nil {
		return d, err
	}
	if d.People, err = a.accounts.People(ctx, p, orgID); err != nil {
		return d, err
	}
	if d.Invitations, err = a.accounts.Invitations(ctx, p, orgID); err != nil {
		return d, err
	}
	d.Roles = []account.Role{account.Leader}
	if p.IsAdmin() {
		d.Roles = append(d.Roles, account.HR)
	}
	return d, nil
}

func (a *app) renderOrg(c *fiber.Ctx, d orgPage, f *form) error {
	if f == nil {
		f = &form{Values: map[string]string{}, Errors: map[string]string{}}
	}
	return a.renderForm(c, fiber.StatusOK, "org", d.Org.Name, d, f)
}

func (a *app) org(c *fiber.Ctx) error {
	d, err := a.loadOrgPage(c)
	if err != nil {
		return err
	}
	return a.renderOrg(c, d, nil)
}

// orgFormFailed shows the organisation page again with the problems of
// one of its forms, or returns err if it is not about the form.
func (a *app) orgFormFailed(c *fiber.Ctx, f *form, err error) error {
	if !f.fail(err, a.texts, langOf(c)) {
		return err
	}
	d, lerr := a.loadOrgPage(c)
	if lerr != nil {
		return lerr
	}
	return a.renderOrg(c, d, f)
}

func (a *app) orgURL(c *fiber.Ctx, notice string) string {
	return "/orgs/" + c.Params("org") + "?notice=" + notice
}

func (a *app) teamCreate(c *fiber.Ctx) error {
	f := newForm(c, "name")
	f.Which = "team"
	if _, err := a.accounts.CreateTeam(c.UserContext(), principalOf(c), c.Params("org"), f.Values["name"]); err != nil {
		return a.orgFormFailed(c, f, err)
	}
	return c.Redirect(a.orgURL(c, "team_created"), fiber.StatusSeeOther)
}

func (a *app) teamRename(c *fiber.Ctx) error {
	f := newForm(c, "name")
	f.Which = "team"
	if err := a.accounts.RenameTeam(c.UserContext(), principalOf(c), c.Params("org"), c.Params("team"), f.Values["name"]); err != nil {
		return a.orgFormFailed(c, f, err)
	}
	return c.Redirect(a.orgURL(c, "team_renamed"), fiber.StatusSeeOther)
}

func (a *app) teamDelete(c *fiber.Ctx) error {
	if err := a.accounts.DeleteTeam(c.UserContext(), principalOf(c), c.Params("org"), c.Params("team")); err != nil {
		return err
	}
	return c.Redirect(a.orgURL(c, "team_deleted"), fiber.StatusSeeOther)
}

// invite e-mails one invitation; limited per HR user and per client.
func (a *app) invite(c *fiber.Ctx) error {
	p := principalOf(c)
	if err := take(c, limitCheck{a.limits.inviteActor, p.User.ID}, limitCheck{a.limits.inviteClient, c.IP()}); err != nil {
		return err
	}
	f := newForm(c, "email", "name", "team", "role")
	f.Which = "invite"
	role, _ := account.ParseRole(f.Values["role"])
	err := a.accounts.Invite(c.UserContext(), p, c.Params("org"), account.Invitation{
		Email: f.Values["email"], Name: f.Values["name"], TeamID: f.Values["team"], Role: role,
	})
	if err != nil {
		return a.orgFormFailed(c, f, err)
	}
	return c.Redirect(a.orgURL(c, "invitation_sent"), fiber.StatusSeeOther)
}

// inviteLink creates a single-use invitation link and shows it once.
func (a *app) inviteLink(c *fiber.Ctx) error {
	p := principalOf(c)
	if err := take(c, limitCheck{a.limits.inviteActor, p.User.ID}, limitCheck{a.limits.inviteClient, c.IP()}); err != nil {
		return err
	}
	f := newForm(c, "link_team")
	f.Which = "invite"
	link, expires, err := a.accounts.CreateInviteLink(c.UserContext(), p, c.Params("org"), f.Values["link_team"])
	if err != nil {
		return a.orgFormFailed(c, f, err)
	}
	d, err := a.loadOrgPage(c)
	if err != nil {
		return err
	}
	d.NewLink, d.NewLinkExpires = link, expires
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.renderOrg(c, d, nil)
}

func (a *app) personTeams(c *fiber.Ctx) error {
	var teams []string
	for _, v := range c.Request().PostArgs().PeekMulti("teams") {
		teams = append(teams, string(v))
	}
	if err := a.accounts.SetTeams(c.UserContext(), principalOf(c), c.Params("org"), c.Params("user"), teams); err != nil {
		return err
	}
	return c.Redirect(a.orgURL(c, "teams_saved"), fiber.StatusSeeOther)
}

func (a *app) personRemove(c *fiber.Ctx) error {
	if err := a.accounts.RemoveFromOrg(c.UserContext(), principalOf(c), c.Params("org"), c.Params("user")); err != nil {
		return err
	}
	return c.Redirect(a.orgURL(c, "person_removed"), fiber.StatusSeeOther)
}

// importPage is the user import form and, after a refused file, its
// problems.
type importPage struct {
	Org      account.Organisation
	Problems []importProblem
	Imported int
}

type importProblem struct {
	Line    int
	Message string
}

func (a *app) importForm(c *fiber.Ctx) error {
	org, err := a.accounts.Org(c.UserContext(), principalOf(c), c.Params("org"))
	if err != nil {
		return err
	}
	return a.render(c, fiber.StatusOK, "import", a.texts.T(langOf(c), "import.title"), importPage{Org: org})
}

// importUsers invites everyone in an uploaded CSV file, or nobody: a file
// with problems is refused with every problem and its line.
func (a *app) importUsers(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), principalOf(c)
	org, err := a.accounts.Org(ctx, p, c.Params("org"))
	if err != nil {
		return err
	}
	if err := take(c, limitCheck{a.limits.inviteActor, p.User.ID}); err != nil {
		return err
	}
	lang := langOf(c)
	d := importPage{Org: org}
	fh, err := c.FormFile("file")
	if err != nil {
		d.Problems = []importProblem{{Message: a.texts.T(lang, "import.no_file")}}
		return a.render(c, fiber.StatusUnprocessableEntity, "import", a.texts.T(lang, "import.title"), d)
	}
	file, err := fh.Open()
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "the file cannot be read")
	}
	defer file.Close()
	n, problems, err := a.accounts.Import(ctx, p, org.ID, file)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		for _, pr := range problems {
			msg := a.texts.T(lang, "field."+pr.Code)
			if pr.Ref > 0 {
				msg = a.texts.T(lang, "import.duplicate_of", msg, pr.Ref)
			}
			d.Problems = append(d.Problems, importProblem{Line: pr.Line, Message: msg})
		}
		return a.render(c, fiber.StatusUnprocessableEntity, "import", a.texts.T(lang, "import.title"), d)
	}
	d.Imported = n
	return a.render(c, fiber.StatusOK, "import", a.texts.T(lang, "import.title"), d)
}
