// Package webapp is vertaa's web front: the Fiber application with its
// routes, handlers, middleware, templates and error handling. Domain
// packages know nothing of it; it knows them through the interfaces it
// declares here.
package webapp

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/assessment"
	"vertaa/internal/i18n"
	"vertaa/web"
)

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Config is what the web application needs from the outside.
type Config struct {
	Logger *slog.Logger
	DB     Pinger
	// Questionnaires are the loaded questionnaire definitions.
	Questionnaires *assessment.Catalog
	// PublicURL is the externally visible base URL. With https, responses
	// carry HSTS and cookies are Secure.
	PublicURL *url.URL
	// RequestTimeout bounds the work done for one request, database calls
	// included.
	RequestTimeout time.Duration
}

// app holds what handlers share.
type app struct {
	log     *slog.Logger
	db      Pinger
	qs      *assessment.Catalog
	https   bool
	timeout time.Duration
	texts   *i18n.Catalog
	views   *views
	assets  *assets
}

// New builds the whole web application. main and the tests both call it.
func New(cfg Config) (*fiber.App, error) {
	texts, err := i18n.Load(mustSub(web.Locales, "locales"))
	if err != nil {
		return nil, err
	}
	as, err := loadAssets(mustSub(web.Static, "static"))
	if err != nil {
		return nil, err
	}
	vs, err := parseViews(web.Templates, as)
	if err != nil {
		return nil, err
	}
	a := &app{
		log:     cfg.Logger,
		db:      cfg.DB,
		qs:      cfg.Questionnaires,
		https:   cfg.PublicURL != nil && cfg.PublicURL.Scheme == "https",
		timeout: cfg.RequestTimeout,
		texts:   texts,
		views:   vs,
		assets:  as,
	}
	if a.qs == nil {
		return nil, fmt.Errorf("no questionnaires")
	}
	if a.timeout <= 0 {
		return nil, fmt.Errorf("request timeout must be positive, got %v", a.timeout)
	}
	f := fiber.New(fiber.Config{
		AppName:               "vertaa",
		ErrorHandler:          a.handleError,
		DisableStartupMessage: true,
		Immutable:             true, // handlers may keep strings from the request
		BodyLimit:             1 << 20,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           2 * time.Minute,
	})
	f.Use(a.requestContext, a.recoverPanic, a.securityHeaders, a.language)
	a.routes(f)
	return f, nil
}

// routes is the table of every route of the service.
func (a *app) routes(f *fiber.App) {
	f.Get("/healthz", a.healthz)
	f.Get("/readyz", a.readyz)
	f.Get("/static/:name", a.static)
	f.Get("/schemas/questionnaire.schema.json", a.questionnaireSchema)
	f.Get("/", a.home)
	f.Get("/questionnaires", a.questionnaireList)
}
