package webapp

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/apperr"
	"vertaa/internal/i18n"
)

var statusOfKind = map[apperr.Kind]int{
	apperr.Internal:     fiber.StatusInternalServerError,
	apperr.Invalid:      fiber.StatusBadRequest,
	apperr.Unauthorized: fiber.StatusUnauthorized,
	apperr.Forbidden:    fiber.StatusForbidden,
	apperr.NotFound:     fiber.StatusNotFound,
	apperr.Conflict:     fiber.StatusConflict,
	apperr.Unavailable:  fiber.StatusServiceUnavailable,
	apperr.TooMany:      fiber.StatusTooManyRequests,
}

// kindOfStatus classifies the errors Fiber itself returns (no route, wrong
// method, body too large) by their status.
func kindOfStatus(status int) apperr.Kind {
	switch {
	case status == fiber.StatusNotFound:
		return apperr.NotFound
	case status == fiber.StatusUnauthorized:
		return apperr.Unauthorized
	case status == fiber.StatusForbidden:
		return apperr.Forbidden
	case status == fiber.StatusConflict:
		return apperr.Conflict
	case status == fiber.StatusTooManyRequests:
		return apperr.TooMany
	case status == fiber.StatusServiceUnavailable:
		return apperr.Unavailable
	case status >= 400 && status < 500:
		return apperr.Invalid
	}
	return apperr.Internal
}

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error struct {
		Kind      string `json:"kind"`
		Message   string `json:"message"`
		RequestID string `json:"request_id"`
	} `json:"error"`
}

type errorPage struct {
	Heading, Explanation, Detail string
}

// handleError is the one error handler of the application. It answers in
// JSON, or with an HTML page when the client prefers HTML. Internal errors
// are logged with the request id and shown only as a generic message;
// their cause never reaches the client.
func (a *app) handleError(c *fiber.Ctx, err error) error {
	ctx := c.UserContext()
	kind := apperr.KindOf(err)
	status := statusOfKind[kind]
	detail := apperr.MessageOf(err)
	if fe, ok := errors.AsType[*fiber.Error](err); ok {
		status, kind = fe.Code, kindOfStatus(fe.Code)
		detail = ""
	}
	switch kind {
	case apperr.Internal:
		a.log.LogAttrs(ctx, slog.LevelError, "internal error", slog.Int("status", status), slog.Any("error", err))
	case apperr.Unavailable:
		a.log.LogAttrs(ctx, slog.LevelWarn, "dependency unavailable", slog.Any("error", err))
		c.Set(fiber.HeaderRetryAfter, "5")
	default:
		a.log.LogAttrs(ctx, slog.LevelDebug, "request refused", slog.Int("status", status), slog.Any("error", err))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")

	lang := langOf(c)
	if c.Accepts(fiber.MIMEApplicationJSON, fiber.MIMETextHTML) == fiber.MIMETextHTML {
		p := errorPage{
			Heading:     a.texts.T(lang, "error."+kind.String()+".heading"),
			Explanation: a.texts.T(lang, "error."+kind.String()+".text"),
		}
		// The page shows the detail in the user's language when there is
		// a text for it; an English detail only on an English page.
		if key := apperr.KeyOf(err); key != "" && a.texts.Has("error.detail."+key) {
			p.Detail = a.texts.T(lang, "error.detail."+key)
		} else if lang == i18n.EN {
			p.Detail = detail
		}
		if err := a.render(c, status, "error", p.Heading, p); err == nil {
			return nil
		}
		// Rendering failed: fall through to the plain JSON answer.
	}
	var body errorBody
	body.Error.Kind = kind.String()
	body.Error.Message = detail
	if body.Error.Message == "" {
		body.Error.Message = http.StatusText(status)
	}
	body.Error.RequestID = requestID(c)
	return c.Status(status).JSON(body)
}
