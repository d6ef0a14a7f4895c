package webapp

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
)

// access is who may use a route. Every route declares one; there is no
// default.
type access int

const (
	public   access = iota // anyone, signed in or not
	signedIn               // any signed-in user
	manager                // HR of the organisation in :org, or an administrator
	admin                  // administrators
)

// guard refuses a request that the route's access does not allow. A
// visitor who is not signed in is sent to the sign-in page; a signed-in
// user without the right gets 404, as if the page did not exist, so that
// ids cannot be probed.
func (a *app) guard(level access) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if level == public {
			return c.Next()
		}
		p := principalOf(c)
		if p == nil {
			if c.Method() == fiber.MethodGet && c.Accepts(fiber.MIMEApplicationJSON, fiber.MIMETextHTML) == fiber.MIMETextHTML {
				return c.Redirect("/signin?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
			}
			return apperr.New(apperr.Unauthorized, "sign in first")
		}
		switch {
		case level == signedIn,
			level == admin && p.IsAdmin(),
			level == manager && (p.IsAdmin() || p.Has(account.HR, c.Params("org"))):
			return c.Next()
		}
		return apperr.New(apperr.NotFound, "page not found")
	}
}

// safeNext returns a local path to go to after signing in, or "/".
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || len(next) < 1 || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return "/"
	}
	return next
}
