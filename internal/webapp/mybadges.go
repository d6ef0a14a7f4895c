package webapp

import (
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/badge"
)

// awardRow is one award in a list.
type awardRow struct {
	ID, ClassID, Name, State string
	OfferedAt, AcceptedAt    time.Time
	ValidUntil               time.Time
	Expired                  bool
}

func (a *app) awardRow(aw badge.Award, c *fiber.Ctx) awardRow {
	r := awardRow{ID: aw.ID, ClassID: aw.ClassID, Name: aw.ClassID, State: string(aw.State), OfferedAt: aw.OfferedAt,
		AcceptedAt: aw.AcceptedAt, ValidUntil: aw.ValidUntil, Expired: aw.Expired(a.badges.Now())}
	if cl, ok := a.badges.Classes().Get(aw.ClassID); ok {
		r.Name = cl.NameIn(classLang(cl, langOf(c)))
	}
	return r
}

// applicationRow is one application in a list.
type applicationRow struct {
	ID, ClassName, UserName, State string
	SubmittedAt                    time.Time
}

func (a *app) applicationRow(ap badge.Application, c *fiber.Ctx) applicationRow {
	r := applicationRow{ID: ap.ID, ClassName: ap.ClassID, UserName: ap.UserName, State: string(ap.State), SubmittedAt: ap.SubmittedAt}
	if cl, ok := a.badges.Classes().Get(ap.ClassID); ok {
		r.ClassName = cl.NameIn(classLang(cl, langOf(c)))
	}
	return r
}

// myBadges lists the signed-in user's badges and applications.
func (a *app) myBadges(c *fiber.Ctx) error {
	ctx, p := c.UserContext(), principalOf(c)
	awards, err := a.badges.Awards(ctx, p)
	if err != nil {
		return err
	}
	apps, err := a.badges.Applications(ctx, p)
	if err != nil {
		return err
	}
	reviews, err := a.badges.Reviewable(ctx, p)
	if err != nil {
		return err
	}
	var d struct {
		Offered, Held, Other []awardRow
		Applications         []applicationRow
		Reviews              int
	}
	for _, aw := range awards {
		row := a.awardRow(aw, c)
		switch {
		case aw.State == badge.Offered:
			d.Offered = append(d.Offered, row)
		case aw.State == badge.Accepted:
			d.Held = append(d.Held, row)
		default:
			d.Other = append(d.Other, row)
		}
	}
	for _, ap := range apps {
		d.Applications = append(d.Applications, a.applicationRow(ap, c))
	}
	d.Reviews = len(reviews)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, fiber.StatusOK, "my_badges", a.texts.T(langOf(c), "mybadges.title"), d)
}

// ownAwardView is what the earner sees of one of their awards.
type ownAwardView struct {
	awardRow
	Class    classView
	Evidence []badge.Evidence
	URL      string
}

// myBadge shows one of the user's awards: the offer with the form to
// accept it, or the accepted badge with its sharing links.
func (a *app) myBadge(c *fiber.Ctx) error {
	return a.myBadgeForm(c, nil)
}

func (a *app) myBadgeForm(c *fiber.Ctx, f *form) error {
	aw, cl, err := a.badges.OwnAward(c.UserContext(), principalOf(c), c.Params("award"))
	if err != nil {
		return err
	}
	v := ownAwardView{awardRow: a.awardRow(aw, c), Class: a.classView(cl, langOf(c)), Evidence: aw.Evidence,
		URL: a.badges.Site().Award(aw.ID)}
	if f == nil {
		f = &form{Values: map[string]string{"name": principalOf(c).User.Name}, Errors: map[string]string{}}
		for i, e := range aw.Evidence {
			if e.Public {
				f.Values["evidence-"+strconv.Itoa(i)] = "on"
			}
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.renderForm(c, fiber.StatusOK, "my_badge", v.Name, v, f)
}

func (a *app) myBadgeAccept(c *fiber.Ctx) error {
	aw, _, err := a.badges.OwnAward(c.UserContext(), principalOf(c), c.Params("award"))
	if err != nil {
		return err
	}
	f := newForm(c, "name")
	in := badge.AcceptInput{Name: f.Values["name"]}
	for i := range aw.Evidence {
		key := "evidence-" + strconv.Itoa(i)
		if c.FormValue(key) != "" {
			in.Public = append(in.Public, i)
			f.Values[key] = "on"
		}
	}
	accepted, err := a.badges.Accept(c.UserContext(), principalOf(c), aw.ID, in)
	switch {
	case err != nil && accepted.State == badge.Accepted:
		// The badge is the earner's; only offering a pathway badge it
		// completes failed, and accepting any badge tries that again.
		a.log.ErrorContext(c.UserContext(), "offering pathway badges", slog.String("award", aw.ID), slog.Any("error", err))
	case err != nil:
		if f.fail(err, a.texts, langOf(c)) {
			return a.myBadgeForm(c, f)
		}
		return err
	}
	return c.Redirect("/me/badges/"+aw.ID+"?notice=badge_accepted", fiber.StatusSeeOther)
}

func (a *app) myBadgeDecline(c *fiber.Ctx) error {
	if err := a.badges.Decline(c.UserContext(), principalOf(c), c.Params("award")); err != nil {
		return err
	}
	return c.Redirect("/me/badges?notice=badge_declined", fiber.StatusSeeOther)
}

// myBadgeWithdraw revokes one of the user's own badges.
func (a *app) myBadgeWithdraw(c *fiber.Ctx) error {
	p := principalOf(c)
	reason := a.texts.T(langFrom(p.User.Lang), "badge.withdrawn_reason")
	if err := a.badges.Revoke(c.UserContext(), p, c.Params("award"), reason); err != nil {
		return err
	}
	return c.Redirect("/me/badges?notice=badge_withdrawn", fiber.StatusSeeOther)
}

// applyForm shows the application form of a badge earned by application.
func (a *app) applyForm(c *fiber.Ctx) error {
	return a.renderApply(c, "", nil)
}

// applyView is the application form's page.
type applyView struct {
	Class classView
	Orgs  []account.Organisation
	// Action is where the form posts: a new application or a returned
	// one sent again.
	Action      string
	Application *badge.Application
	Decisions   []badge.Decision
}

func (a *app) renderApply(c *fiber.Ctx, appID string, f *form) error {
	ctx, p := c.UserContext(), principalOf(c)
	var v applyView
	var cl *badge.Class
	if appID == "" {
		var err error
		if cl, err = a.class(c); err != nil {
			return err
		}
		if cl.Earn.Kind != badge.ByApplication {
			return apperr.New(apperr.NotFound, "this badge is not earned by application")
		}
		v.Action = "/badges/classes/" + cl.ID + "/apply"
	} else {
		ap, acl, err := a.badges.Application(ctx, p, appID)
		if err != nil || ap.UserID != p.User.ID {
			return apperr.New(apperr.NotFound, "application not found")
		}
		cl, v.Application, v.Action = acl, &ap, "/me/applications/"+ap.ID
		for _, d := range ap.Decisions {
			if d.Comment != "" {
				v.Decisions = append(v.Decisions, d)
			}
		}
		if f == nil {
			f = &form{Values: map[string]string{"evidence": ap.Evidence, "links": strings.Join(ap.Links, "\n"),
				"reflection": ap.Reflection}, Errors: map[string]string{}}
		}
	}
	v.Class = a.classView(cl, langOf(c))
	orgs, err := a.accounts.Orgs(ctx, p)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if p.Has(account.Leader, o.ID) || p.Has(account.HR, o.ID) {
			v.Orgs = append(v.Orgs, o)
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.renderForm(c, fiber.StatusOK, "apply", a.texts.T(langOf(c), "apply.title", v.Class.Name), v, f)
}

func applicationInput(f *form) badge.ApplicationInput {
	return badge.ApplicationInput{OrgID: f.Values["org"], Evidence: f.Values["evidence"],
		Links: strings.Split(f.Values["links"], "\n"), Reflection: f.Values["reflection"]}
}

func (a *app) apply(c *fiber.Ctx) error {
	f := newForm(c, "org", "evidence", "links", "reflection")
	ap, err := a.badges.Apply(c.UserContext(), principalOf(c), c.Params("class"), applicationInput(f))
	if err != nil {
		if f.fail(err, a.texts, langOf(c)) {
			return a.renderApply(c, "", f)
		}
		return err
	}
	return c.Redirect("/me/applications/"+ap.ID+"?notice=application_sent", fiber.StatusSeeOther)
}

// myApplication shows one of the user's applications; a returned one can
// be changed and sent again.
func (a *app) myApplication(c *fiber.Ctx) error {
	return a.renderApply(c, c.Params("app"), nil)
}

func (a *app) myApplicationResubmit(c *fiber.Ctx) error {
	f := newForm(c, "evidence", "links", "reflection")
	if _, err := a.badges.Resubmit(c.UserContext(), principalOf(c), c.Params("app"), applicationInput(f)); err != nil {
		if f.fail(err, a.texts, langOf(c)) {
			return a.renderApply(c, c.Params("app"), f)
		}
		return err
	}
	return c.Redirect("/me/applications/"+c.Params("app")+"?notice=application_sent", fiber.StatusSeeOther)
}

func (a *app) myApplicationWithdraw(c *fiber.Ctx) error {
	if err := a.badges.Withdraw(c.UserContext(), principalOf(c), c.Params("app")); err != nil {
		return err
	}
	return c.Redirect("/me/badges?notice=application_withdrawn", fiber.StatusSeeOther)
}

// reviews lists the applications the user may review.
func (a *app) reviews(c *fiber.Ctx) error {
	apps, err := a.badges.Reviewable(c.UserContext(), principalOf(c))
	if err != nil {
		return err
	}
	var rows []applicationRow
	for _, ap := range apps {
		rows = append(rows, a.applicationRow(ap, c))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, fiber.StatusOK, "reviews", a.texts.T(langOf(c), "reviews.title"), rows)
}

// reviewView is the page of one application for a reviewer.
type reviewView struct {
	Application badge.Application
	Class       classView
	MayDecide   bool
	Approvals   int
}

func (a *app) review(c *fiber.Ctx) error { return a.renderReview(c, nil) }

func (a *app) renderReview(c *fiber.Ctx, f *form) error {
	ctx, p := c.UserContext(), principalOf(c)
	ap, cl, err := a.badges.Application(ctx, p, c.Params("app"))
	if err != nil {
		return err
	}
	if ap.UserID == p.User.ID {
		return c.Redirect("/me/applications/"+ap.ID, fiber.StatusSeeOther)
	}
	may, err := a.badges.MayReview(ctx, p, ap)
	if err != nil {
		return err
	}
	v := reviewView{Application: ap, Class: a.classView(cl, langOf(c)), MayDecide: may, Approvals: cl.Earn.Approvals}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.renderForm(c, fiber.StatusOK, "review", a.texts.T(langOf(c), "review.title", v.Class.Name, ap.UserName), v, f)
}

func (a *app) reviewDecide(c *fiber.Ctx) error {
	f := newForm(c, "decision", "comment")
	in := badge.DecisionInput{Approve: f.Values["decision"] == "approve", Comment: f.Values["comment"]}
	if d := f.Values["decision"]; d != "approve" && d != "return" {
		return a.renderReview(c, failField(f, a, c, "decision", "decision.required"))
	}
	if _, err := a.badges.Decide(c.UserContext(), principalOf(c), c.Params("app"), in); err != nil {
		if f.fail(err, a.texts, langOf(c)) {
			return a.renderReview(c, f)
		}
		return err
	}
	return c.Redirect("/reviews?notice=decision_saved", fiber.StatusSeeOther)
}

// failField records one problem with one field of f.
func failField(f *form, a *app, c *fiber.Ctx, field, code string) *form {
	f.fail(apperr.InvalidFields(apperr.FieldError{Field: field, Code: code}), a.texts, langOf(c))
	return f
}

// adminBadges lists the latest awards for administrators, with a form to
// revoke each accepted one.
func (a *app) adminBadges(c *fiber.Ctx) error { return a.renderAdminBadges(c, nil) }

func (a *app) renderAdminBadges(c *fiber.Ctx, f *form) error {
	awards, err := a.badges.RecentAwards(c.UserContext(), principalOf(c), 200)
	if err != nil {
		return err
	}
	var rows []awardRow
	for _, aw := range awards {
		rows = append(rows, a.awardRow(aw, c))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.renderForm(c, fiber.StatusOK, "admin_badges", a.texts.T(langOf(c), "adminbadges.title"), rows, f)
}

func (a *app) adminBadgeRevoke(c *fiber.Ctx) error {
	f := newForm(c, "reason")
	f.Which = c.Params("award")
	if err := a.badges.Revoke(c.UserContext(), principalOf(c), c.Params("award"), f.Values["reason"]); err != nil {
		if f.fail(err, a.texts, langOf(c)) {
			return a.renderAdminBadges(c, f)
		}
		return err
	}
	return c.Redirect("/admin/badges?notice=badge_revoked", fiber.StatusSeeOther)
}
