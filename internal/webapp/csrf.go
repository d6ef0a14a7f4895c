package webapp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/apperr"
)

const (
	csrfKey   localKey = 101
	csrfField          = "_csrf"
	// HeaderCSRF carries the token for requests sent by script.
	HeaderCSRF = "X-CSRF-Token"
)

func (a *app) csrfCookie() string {
	if a.https {
		return "__Host-vertaa_csrf"
	}
	return "vertaa_csrf"
}

// csrf protects every state-changing request. Each browser gets a random
// cookie; forms carry an HMAC of it under the instance's CSRF key, which a
// page on another site can neither read nor compute. A request whose
// Origin is another site is refused as well.
func (a *app) csrf(c *fiber.Ctx) error {
	seed := c.Cookies(a.csrfCookie())
	if len(seed) < 32 {
		seed = base64.RawURLEncoding.EncodeToString(randomBytes(32))
		c.Cookie(&fiber.Cookie{
			Name: a.csrfCookie(), Value: seed, Path: "/", HTTPOnly: true, Secure: a.https,
			SameSite: fiber.CookieSameSiteLaxMode, SessionOnly: true,
		})
	}
	token := a.csrfSign(seed)
	c.Locals(csrfKey, token)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if csrfExempt[c.Path()] {
		return c.Next()
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && origin != a.origin {
		return apperr.Keyed(apperr.Forbidden, "cross_site", "request from another site refused")
	}
	sent := c.FormValue(csrfField)
	if sent == "" {
		sent = c.Get(HeaderCSRF)
	}
	if !hmac.Equal([]byte(sent), []byte(token)) || c.Cookies(a.csrfCookie()) == "" {
		return apperr.Keyed(apperr.Forbidden, "csrf", "the form has expired: reload the page and try again")
	}
	return c.Next()
}

// csrfExempt are the paths whose POST requests change nothing and act for
// no one (they never read the session), so that other sites and scripts
// may call them.
var csrfExempt = map[string]bool{"/api/verify": true}

func (a *app) csrfSign(seed string) string {
	m := hmac.New(sha256.New, a.csrfSecret)
	m.Write([]byte(seed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func csrfToken(c *fiber.Ctx) string {
	t, _ := c.Locals(csrfKey).(string)
	return t
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// originOf returns the scheme://host of a URL, as browsers send it in the
// Origin header.
func originOf(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
