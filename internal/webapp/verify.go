package webapp

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/apperr"
	"vertaa/internal/badge"
	"vertaa/internal/bake"
	"vertaa/internal/openbadges"
)

// verifyInput reads what to verify from a form (a file field "file", a
// text field "credential") or, for the API, from a JSON body.
func verifyInput(c *fiber.Ctx) (badge.VerifyInput, error) {
	var in badge.VerifyInput
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		var body struct {
			Credential string `json:"credential"`
			Email      string `json:"email"`
		}
		if err := json.Unmarshal(c.Body(), &body); err != nil {
			return in, apperr.New(apperr.Invalid, "the body is not a JSON object with \"credential\" (a JWT or a URL) and optionally \"email\"")
		}
		in.Text, in.Email = body.Credential, body.Email
	} else {
		in.Text, in.Email = c.FormValue("credential"), c.FormValue("email")
		// The app's body limit (1 MiB) bounds the file.
		if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
			f, err := fh.Open()
			if err != nil {
				return in, err
			}
			defer f.Close()
			if in.File, err = io.ReadAll(io.LimitReader(f, bake.MaxImageSize)); err != nil {
				return in, err
			}
		}
	}
	in.Email = strings.TrimSpace(in.Email)
	if in.Text == "" && len(in.File) == 0 {
		return in, apperr.InvalidFields(apperr.FieldError{Field: "credential", Code: "verify.nothing"})
	}
	return in, nil
}

// checkView is one check in plain language.
type checkView struct {
	Name, Outcome, Text, Detail string
}

// verifyView is the verification page.
type verifyView struct {
	Done      bool
	Result    badge.Verification
	Checks    []checkView
	AwardName string
	Earner    string
	APIURL    string
}

func (a *app) checkViews(c *fiber.Ctx, v badge.Verification) []checkView {
	l := langOf(c)
	var out []checkView
	for _, ch := range v.Checks {
		key := "verify.check." + string(ch.Name) + "." + ch.Code
		if !a.texts.Has(key) {
			key = "verify.outcome." + string(ch.Outcome)
		}
		out = append(out, checkView{Name: a.texts.T(l, "verify.check."+string(ch.Name)), Outcome: string(ch.Outcome),
			Text: a.texts.T(l, key), Detail: ch.Detail})
	}
	return out
}

func (a *app) verifyURL() string { return a.badges.Site().Base + "/api/verify" }

func (a *app) verifyForm(c *fiber.Ctx) error {
	return a.renderForm(c, fiber.StatusOK, "verify", a.texts.T(langOf(c), "verify.title"), verifyView{APIURL: a.verifyURL()}, nil)
}

// verify checks a badge given in the form and shows each check.
func (a *app) verify(c *fiber.Ctx) error {
	if err := take(c, limitCheck{a.limits.verifyClient, c.IP()}); err != nil {
		return err
	}
	f := newForm(c, "credential", "email")
	in, err := verifyInput(c)
	if err != nil {
		if f.fail(err, a.texts, langOf(c)) {
			return a.renderForm(c, fiber.StatusOK, "verify", a.texts.T(langOf(c), "verify.title"), verifyView{APIURL: a.verifyURL()}, f)
		}
		return err
	}
	res, err := a.badges.Verify(c.UserContext(), in)
	if err != nil {
		return err
	}
	v := verifyView{Done: true, Result: res, Checks: a.checkViews(c, res), APIURL: a.verifyURL()}
	if aw := res.Award(); aw != nil {
		if cl, ok := a.badges.Classes().Get(aw.ClassID); ok {
			v.AwardName = cl.NameIn(classLang(cl, langOf(c)))
		}
		v.Earner = aw.Name
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	verdict := "verify.invalid"
	if res.Valid {
		verdict = "verify.valid"
	}
	title := a.texts.T(langOf(c), verdict) + " " + a.texts.T(langOf(c), "verify.title")
	return a.renderForm(c, fiber.StatusOK, "verify", title, v, f)
}

// verifyAPIOptions answers the CORS preflight of the verification API,
// which pages of other sites may call.
func (a *app) verifyAPIOptions(c *fiber.Ctx) error {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set(fiber.HeaderAccessControlAllowMethods, fiber.MethodPost)
	c.Set(fiber.HeaderAccessControlAllowHeaders, fiber.HeaderContentType)
	c.Set(fiber.HeaderAccessControlMaxAge, "86400")
	return c.SendStatus(fiber.StatusNoContent)
}

// verifyAPI checks a badge and answers with the checks in JSON. It
// changes nothing and acts for no one, so it needs no CSRF token.
func (a *app) verifyAPI(c *fiber.Ctx) error {
	if err := take(c, limitCheck{a.limits.verifyClient, c.IP()}); err != nil {
		return err
	}
	in, err := verifyInput(c)
	if err != nil {
		return err
	}
	res, err := a.badges.Verify(c.UserContext(), in)
	if err != nil {
		return err
	}
	type check struct {
		openbadges.Check
		Text string `json:"text"`
	}
	out := struct {
		badge.Verification
		Checks []check `json:"checks"`
	}{Verification: res}
	views := a.checkViews(c, res)
	for i, ch := range res.Checks {
		out.Checks = append(out.Checks, check{Check: ch, Text: views[i].Text})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return c.JSON(out)
}
