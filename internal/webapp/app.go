// Package webapp is vertaa's web front: the Fiber application with its
// routes, handlers, middleware, templates and error handling. Domain
// packages know nothing of it; it knows them through the interfaces it
// declares here.
package webapp

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"time"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/account"
	"vertaa/internal/analytics"
	"vertaa/internal/assessment"
	"vertaa/internal/badge"
	"vertaa/internal/i18n"
	"vertaa/internal/report"
	"vertaa/internal/response"
	"vertaa/internal/session"
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
	// Texts are the user interface texts.
	Texts *i18n.Catalog
	// PublicURL is the externally visible base URL. With https, responses
	// carry HSTS and cookies are Secure.
	PublicURL *url.URL
	// RequestTimeout bounds the work done for one request, database calls
	// included.
	RequestTimeout time.Duration
	// Accounts carries out everything about people and organisations.
	Accounts *account.Service
	// Sessions signs and checks session tokens.
	Sessions *session.Manager
	// Responses carries out rounds, drafts and responses.
	Responses *response.Service
	// AnonymityThreshold is the fewest respondents a figure shown to HR
	// may be based on; 0 means analytics.DefaultThreshold.
	AnonymityThreshold int
	// Badges carries out badges: awards, applications, verification.
	Badges *badge.Service
	// CSRFKey signs the forms' CSRF tokens; 32 bytes from the keyring.
	CSRFKey []byte
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For header gives the client address.
	TrustedProxies []string
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

	accounts   *account.Service
	sessions   *session.Manager
	responses  *response.Service
	badges     *badge.Service
	threshold  int
	reports    *report.Limiter
	csrfSecret []byte
	origin     string // of the public URL, as browsers send it
	limits     limits
}

// New builds the whole web application. main and the tests both call it.
func New(cfg Config) (*fiber.App, error) {
	texts := cfg.Texts
	if texts == nil {
		return nil, fmt.Errorf("webapp needs the user interface texts")
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

		accounts:   cfg.Accounts,
		sessions:   cfg.Sessions,
		responses:  cfg.Responses,
		badges:     cfg.Badges,
		threshold:  cmp.Or(cfg.AnonymityThreshold, analytics.DefaultThreshold),
		reports:    report.NewLimiter(runtime.GOMAXPROCS(0)),
		csrfSecret: cfg.CSRFKey,
		origin:     originOf(cfg.PublicURL),
		limits:     newLimits(),
	}
	if a.accounts == nil || a.sessions == nil || a.responses == nil || a.badges == nil || len(a.csrfSecret) < 32 {
		return nil, fmt.Errorf("webapp needs the account, response and badge services, the session manager and a 32-byte CSRF key")
	}
	if a.qs == nil {
		return nil, fmt.Errorf("no questionnaires")
	}
	if a.threshold < analytics.MinThreshold {
		return nil, fmt.Errorf("anonymity threshold %d is below the minimum %d", a.threshold, analytics.MinThreshold)
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
		// Form uploads (user imports) are parsed from memory.
		StreamRequestBody:       false,
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
		ProxyHeader:             proxyHeader(cfg.TrustedProxies),
	})
	f.Use(a.requestContext, a.recoverPanic, a.securityHeaders, a.language, a.csrf, a.authenticate)
	a.routes(f)
	return f, nil
}

// proxyHeader is the header that gives the client address behind
// trusted proxies, or none without them.
func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

// routes is the table of every route of the service and who may use it.
func (a *app) routes(f *fiber.App) {
	const get, post, options = fiber.MethodGet, fiber.MethodPost, fiber.MethodOptions
	r := func(method, path string, level access, h fiber.Handler) { f.Add(method, path, a.guard(level), h) }

	r(get, "/healthz", public, a.healthz)
	r(get, "/readyz", public, a.readyz)
	r(get, "/static/:name", public, a.static)
	r(get, "/schemas/questionnaire.schema.json", public, a.questionnaireSchema)
	r(get, "/schemas/badge.schema.json", public, a.badgeSchema)
	r(get, "/", public, a.home)
	r(get, "/questionnaires", public, a.questionnaireList)

	r(get, "/signin", public, a.signinForm)
	r(post, "/signin", public, a.signin)
	r(post, "/signout", signedIn, a.signout)
	r(get, "/setup/:token", public, a.setupForm)
	r(post, "/setup/:token", public, a.setup)
	r(get, "/reset", public, a.resetForm)
	r(post, "/reset", public, a.reset)
	r(get, "/password/:token", public, a.passwordForm)
	r(post, "/password/:token", public, a.password)
	r(get, "/email/:token", public, a.emailConfirmForm)
	r(post, "/email/:token", public, a.emailConfirm)
	r(get, "/invite/:token", public, a.inviteForm)
	r(post, "/invite/:token", public, a.inviteAccept)

	r(get, "/me", signedIn, a.profile)
	r(post, "/me/profile", signedIn, a.profileUpdate)
	r(post, "/me/password", signedIn, a.profilePassword)
	r(post, "/me/email", signedIn, a.profileEmail)
	r(post, "/me/signout-all", signedIn, a.signoutAll)
	r(get, "/me/export", signedIn, a.export)

	r(post, "/assess/start", signedIn, a.assessStart)
	r(get, "/assess/:draft/:page", signedIn, a.assessPage)
	r(post, "/assess/:draft/autosave", signedIn, a.assessAutosave)
	r(post, "/assess/:draft/submit", signedIn, a.assessSubmit)
	r(post, "/assess/:draft/delete", signedIn, a.assessDelete)
	r(post, "/assess/:draft/:page", signedIn, a.assessSave)
	r(get, "/results", signedIn, a.results)
	r(get, "/results/:response", signedIn, a.result)
	r(post, "/results/:response/sharing", signedIn, a.resultSharing)
	r(get, "/results/:response/report.pdf", signedIn, a.resultPDF)

	r(get, "/orgs/:org", manager, a.org)
	r(post, "/orgs/:org/teams", manager, a.teamCreate)
	r(post, "/orgs/:org/teams/:team/rename", manager, a.teamRename)
	r(post, "/orgs/:org/teams/:team/delete", manager, a.teamDelete)
	r(post, "/orgs/:org/invitations", manager, a.invite)
	r(post, "/orgs/:org/invite-links", manager, a.inviteLink)
	r(get, "/orgs/:org/import", manager, a.importForm)
	r(post, "/orgs/:org/import", manager, a.importUsers)
	r(post, "/orgs/:org/people/:user/teams", manager, a.personTeams)
	r(post, "/orgs/:org/people/:user/remove", manager, a.personRemove)
	r(get, "/orgs/:org/audit", manager, a.orgAudit)
	r(get, "/orgs/:org/rounds", manager, a.rounds)
	r(post, "/orgs/:org/rounds", manager, a.roundCreate)
	r(post, "/orgs/:org/rounds/:round/close", manager, a.roundClose)
	r(get, "/orgs/:org/rounds/:round/report.pdf", manager, a.roundPDF)
	r(get, "/orgs/:org/analytics", manager, a.dashboard)
	r(get, "/orgs/:org/analytics/export.csv", manager, a.dashboardExport("csv"))
	r(get, "/orgs/:org/analytics/export.xlsx", manager, a.dashboardExport("xlsx"))

	r(get, "/admin", admin, a.adminHome)
	r(get, "/admin/network", admin, a.network)
	r(post, "/admin/orgs", admin, a.orgCreate)
	r(post, "/admin/orgs/:org/rename", admin, a.orgRename)
	r(get, "/admin/users", admin, a.adminUsers)
	r(get, "/admin/users/:user", admin, a.adminUser)
	r(post, "/admin/users/:user/roles", admin, a.adminUserRole)
	r(post, "/admin/users/:user/disable", admin, a.adminUserDisable)
	r(post, "/admin/users/:user/enable", admin, a.adminUserEnable)
	r(post, "/admin/users/:user/erase", admin, a.adminUserErase)
	r(get, "/badges", public, a.badgeCatalog)
	r(get, "/badges/issuer", public, a.issuerProfile)
	r(get, "/badges/classes/:class", public, a.badgeClass)
	r(get, "/badges/classes/:class/image.:ext", public, a.badgeImage)
	r(get, "/badges/awards/:award", public, a.award)
	r(get, "/badges/awards/:award/:file", public, a.awardDownload)
	r(get, "/badges/keys/:kid", public, a.badgeKey)
	r(get, "/.well-known/jwks.json", public, a.jwks)
	r(get, "/badges/status/:list", public, a.statusList)
	r(get, "/badges/v2/issuer", public, a.v2Issuer)
	r(get, "/badges/v2/classes/:class", public, a.v2Class)
	r(get, "/badges/v2/assertions/:award", public, a.v2Assertion)
	r(get, "/badges/v2/keys/:kid", public, a.v2Key)
	r(get, "/badges/v2/revocations", public, a.v2Revocations)
	r(get, "/verify", public, a.verifyForm)
	r(post, "/verify", public, a.verify)
	r(post, "/api/verify", public, a.verifyAPI)
	r(options, "/api/verify", public, a.verifyAPIOptions)

	r(get, "/me/badges", signedIn, a.myBadges)
	r(get, "/me/badges/:award", signedIn, a.myBadge)
	r(post, "/me/badges/:award/accept", signedIn, a.myBadgeAccept)
	r(post, "/me/badges/:award/decline", signedIn, a.myBadgeDecline)
	r(post, "/me/badges/:award/withdraw", signedIn, a.myBadgeWithdraw)
	r(get, "/badges/classes/:class/apply", signedIn, a.applyForm)
	r(post, "/badges/classes/:class/apply", signedIn, a.apply)
	r(get, "/me/applications/:app", signedIn, a.myApplication)
	r(post, "/me/applications/:app", signedIn, a.myApplicationResubmit)
	r(post, "/me/applications/:app/withdraw", signedIn, a.myApplicationWithdraw)
	r(get, "/reviews", signedIn, a.reviews)
	r(get, "/reviews/:app", signedIn, a.review)
	r(post, "/reviews/:app", signedIn, a.reviewDecide)

	r(get, "/admin/badges", admin, a.adminBadges)
	r(post, "/admin/badges/:award/revoke", admin, a.adminBadgeRevoke)
	r(get, "/admin/outbox", admin, a.adminOutbox)
	r(get, "/admin/audit", admin, a.adminAudit)
}
