package webapp

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
)

const principalKey localKey = 100

// sessionCookie names the session cookie: with the __Host- prefix where
// the site is served over HTTPS (browsers accept the prefix only on
// Secure cookies).
func (a *app) sessionCookie() string {
	if a.https {
		return "__Host-vertaa_session"
	}
	return "vertaa_session"
}

// authenticate finds the signed-in user from the session cookie: a valid
// token and a live session record. A bad or ended session is cleared and
// the request goes on as anonymous; a database failure fails the request.
func (a *app) authenticate(c *fiber.Ctx) error {
	token := c.Cookies(a.sessionCookie())
	if token == "" {
		return c.Next()
	}
	ctx := c.UserContext()
	claims, err := a.sessions.Verify(ctx, token)
	if err == nil {
		var p *account.Principal
		p, err = a.accounts.Principal(ctx, claims.UserID, claims.SessionID)
		if err == nil {
			c.Locals(principalKey, p)
			return c.Next()
		}
	}
	if apperr.KindOf(err) != apperr.Unauthorized {
		return err
	}
	a.clearSession(c)
	return c.Next()
}

// principalOf returns the signed-in user, or nil.
func principalOf(c *fiber.Ctx) *account.Principal {
	p, _ := c.Locals(principalKey).(*account.Principal)
	return p
}

// startSession signs u in on this browser.
func (a *app) startSession(c *fiber.Ctx, u account.User) error {
	sess, err := a.accounts.StartSession(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	token, err := a.sessions.Issue(u.ID, sess.ID, sess.ExpiresAt)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: a.sessionCookie(), Value: token, Path: "/", Expires: sess.ExpiresAt,
		HTTPOnly: true, Secure: a.https, SameSite: fiber.CookieSameSiteLaxMode,
	})
	if u.Lang != "" {
		a.setLangCookie(c, u.Lang)
	}
	return nil
}

// clearSession removes the session cookie.
func (a *app) clearSession(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: a.sessionCookie(), Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HTTPOnly: true, Secure: a.https, SameSite: fiber.CookieSameSiteLaxMode,
	})
}
