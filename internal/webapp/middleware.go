package webapp

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/i18n"
	"vertaa/internal/logging"
)

type localKey int

const (
	requestIDKey localKey = iota
	langKey
)

// HeaderRequestID carries the request id to and from clients and proxies.
const HeaderRequestID = "X-Request-ID"

// incomingID is what a request id set by a proxy in front of us may look
// like; anything else is replaced, so that logs cannot be forged.
var incomingID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestContext gives the request an id and a deadline, puts both into
// the request's context, and writes one access log line once the response,
// error page included, is ready. The log line has no query string and no
// client address: both may be personal data.
func (a *app) requestContext(c *fiber.Ctx) error {
	start := time.Now()
	id := c.Get(HeaderRequestID)
	if !incomingID.MatchString(id) {
		id = rand.Text()
	}
	c.Locals(requestIDKey, id)
	c.Set(HeaderRequestID, id)
	ctx, cancel := context.WithTimeout(logging.WithRequestID(context.Background(), id), a.timeout)
	defer cancel()
	c.SetUserContext(ctx)

	if err := c.Next(); err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			a.log.ErrorContext(ctx, "error handler failed", "error", herr)
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	a.log.LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("method", c.Method()),
		slog.String("path", c.Path()),
		slog.Int("status", c.Response().StatusCode()),
		slog.Int("bytes", len(c.Response().Body())),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
	)
	return nil
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

// recoverPanic turns a panic in a handler into an internal error whose
// stack trace goes to the log and nowhere else.
func (a *app) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return c.Next()
}

// contentSecurityPolicy allows no inline script or style and no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (a *app) securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if a.https {
		c.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	return c.Next()
}

// langCookie remembers the language a user picked.
const langCookie = "lang"

// language picks the language of the response: ?lang= (remembered in a
// cookie), then the cookie, then Accept-Language, then Finnish.
func (a *app) language(c *fiber.Ctx) error {
	lang, ok := i18n.Parse(c.Query("lang"))
	if ok {
		a.setLangCookie(c, string(lang))
	} else if lang, ok = i18n.Parse(c.Cookies(langCookie)); !ok {
		lang = i18n.Negotiate(c.Get(fiber.HeaderAcceptLanguage))
	}
	c.Locals(langKey, lang)
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	return c.Next()
}

// setLangCookie remembers the user's language for a year.
func (a *app) setLangCookie(c *fiber.Ctx, lang string) {
	c.Cookie(&fiber.Cookie{
		Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HTTPOnly: true, Secure: a.https, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// langFrom returns the supported language named by s, or the default.
func langFrom(s string) i18n.Lang {
	if l, ok := i18n.Parse(s); ok {
		return l
	}
	return i18n.Default
}

func langOf(c *fiber.Ctx) i18n.Lang {
	if l, ok := c.Locals(langKey).(i18n.Lang); ok {
		return l
	}
	return i18n.Default
}
