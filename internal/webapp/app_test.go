package webapp_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"vertaa/badges"
	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/assessment/assessmenttest"
	"vertaa/internal/badge"
	"vertaa/internal/i18n"
	"vertaa/internal/keyring"
	"vertaa/internal/logging"
	"vertaa/internal/openbadges"
	"vertaa/internal/response"
	"vertaa/internal/session"
	"vertaa/internal/store"
	"vertaa/internal/store/storetest"
	"vertaa/internal/webapp"
	"vertaa/web"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// logBuffer collects JSON log lines; it is safe for concurrent writers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the logged records as maps.
func (b *logBuffer) records(t testing.TB) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

type testApp struct {
	*fiber.App
	logs      *logBuffer
	db        *store.Store
	raw       *mongo.Database // the same database, through the driver
	accounts  *account.Service
	responses *response.Service
	sessions  *session.Manager
	badges    *badge.Service
	publicURL string
}

type appOption func(*webapp.Config)

func withPublicURL(u string) appOption {
	return func(c *webapp.Config) { c.PublicURL, _ = url.Parse(u) }
}

func withDB(db webapp.Pinger) appOption {
	return func(c *webapp.Config) { c.DB = db }
}

func newApp(t testing.TB, opts ...appOption) testApp {
	t.Helper()
	logs := &logBuffer{}
	catalog := assessmenttest.Shipped(t)
	db, raw := storetest.NewWithDatabase(t)
	ctx := context.Background()
	if err := db.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.IndexIDs(t, raw)
	sub, err := fs.Sub(web.Locales, "locales")
	if err != nil {
		t.Fatal(err)
	}
	texts, err := i18n.Load(sub)
	if err != nil {
		t.Fatal(err)
	}
	cfg := webapp.Config{
		Logger:         logging.New(logs, slog.LevelDebug, logging.JSON, false),
		DB:             db,
		Questionnaires: catalog,
		Texts:          texts,
		RequestTimeout: 5 * time.Second,
	}
	cfg.PublicURL, _ = url.Parse("http://127.0.0.1:8080")
	for _, o := range opts {
		o(&cfg)
	}
	master, err := keyring.New(keyring.NewSecret())
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := session.New(ctx, db, master, cfg.PublicURL.String())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Sessions = sessions
	cfg.Accounts = account.NewService(db, texts, cfg.PublicURL.String(), func() {})
	if cfg.Responses, err = response.NewService(ctx, db, catalog); err != nil {
		t.Fatal(err)
	}
	cfg.CSRFKey = master.Derive("csrf")
	classes, err := badge.Load(badges.FS, "badges", catalog)
	if err != nil {
		t.Fatal(err)
	}
	site := openbadges.NewSite(cfg.PublicURL.String())
	keys, _, err := openbadges.LoadKeys(ctx, db, master, site)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Badges, err = badge.NewService(badge.Config{Store: db, Classes: classes, Questionnaires: catalog,
		Definitions: cfg.Responses, Site: site, Keys: keys, Texts: texts, IDKey: master.Derive("award-id"),
		Issuer: openbadges.Issuer{Name: "Ammattiopistojen johtamisverkosto", URL: cfg.PublicURL.String(), Email: "verkosto@example.fi"}})
	if err != nil {
		t.Fatal(err)
	}
	app, err := webapp.New(cfg)
	if err != nil {
		t.Fatalf("webapp.New: %v", err)
	}
	return testApp{App: app, logs: logs, db: db, raw: raw, accounts: cfg.Accounts, responses: cfg.Responses, sessions: sessions,
		badges: cfg.Badges, publicURL: cfg.PublicURL.String()}
}

// do sends the request through the real app and returns the response and
// its body.
func (a testApp) do(t testing.TB, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := a.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func get(target string, header ...string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

func TestHealthz(t *testing.T) {
	a := newApp(t)
	resp, body := a.do(t, get("/healthz"))
	if resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("GET /healthz = %d %s", resp.StatusCode, body)
	}
}

func TestReadyz(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		a := newApp(t)
		resp, body := a.do(t, get("/readyz"))
		if resp.StatusCode != 200 || !strings.Contains(body, `"ready"`) {
			t.Fatalf("GET /readyz = %d %s", resp.StatusCode, body)
		}
	})
	t.Run("ErrDatabaseDown", func(t *testing.T) {
		s := storetest.New(t)
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		a := newApp(t, withDB(s))
		resp, body := a.do(t, get("/readyz"))
		if resp.StatusCode != 503 {
			t.Fatalf("GET /readyz with the database closed = %d %s, want 503", resp.StatusCode, body)
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
		// /healthz says the process is alive all the same.
		if resp, _ := a.do(t, get("/healthz")); resp.StatusCode != 200 {
			t.Fatalf("GET /healthz with the database closed = %d, want 200", resp.StatusCode)
		}
	})
}

func TestErrorResponses(t *testing.T) {
	a := newApp(t)
	a.Get("/test/internal", func(c *fiber.Ctx) error {
		return errors.New("dial tcp 10.0.0.5:27017: secret driver detail")
	})
	a.Get("/test/panic", func(c *fiber.Ctx) error { panic("secret panic detail") })
	a.Get("/test/invalid", func(c *fiber.Ctx) error {
		return apperr.New(apperr.Invalid, "areas[2].items[0]: answer 9 is outside the scale 1-5")
	})
	a.Get("/test/forbidden", func(c *fiber.Ctx) error {
		return apperr.Wrap(errors.New("org o2 != o1"), apperr.Forbidden, "you may not see this team")
	})

	cases := []struct {
		path       string
		status     int
		kind       string
		showDetail string
	}{
		{"/test/internal", 500, "internal", ""},
		{"/test/panic", 500, "internal", ""},
		{"/test/invalid", 400, "invalid", "areas[2].items[0]: answer 9 is outside the scale 1-5"},
		{"/test/forbidden", 403, "forbidden", "you may not see this team"},
		{"/no/such/page", 404, "not_found", ""},
	}
	for _, tc := range cases {
		t.Run("JSON"+tc.path, func(t *testing.T) {
			resp, body := a.do(t, get(tc.path, "Accept", "application/json"))
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.status)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type = %q, want JSON", ct)
			}
			var got struct {
				Error struct {
					Kind, Message string
					RequestID     string `json:"request_id"`
				}
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if got.Error.Kind != tc.kind {
				t.Errorf("kind = %q, want %q", got.Error.Kind, tc.kind)
			}
			if tc.showDetail != "" && got.Error.Message != tc.showDetail {
				t.Errorf("message = %q, want %q", got.Error.Message, tc.showDetail)
			}
			if got.Error.RequestID == "" || got.Error.RequestID != resp.Header.Get(webapp.HeaderRequestID) {
				t.Errorf("request_id = %q, header = %q", got.Error.RequestID, resp.Header.Get(webapp.HeaderRequestID))
			}
			assertNoSecrets(t, body)
		})
		t.Run("HTML"+tc.path, func(t *testing.T) {
			resp, body := a.do(t, get(tc.path, "Accept", browserAccept, "Accept-Language", "en"))
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.status)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Fatalf("Content-Type = %q, want HTML", ct)
			}
			if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "<h1>") {
				t.Errorf("error page is not a complete English page:\n%s", body)
			}
			if !strings.Contains(body, resp.Header.Get(webapp.HeaderRequestID)) {
				t.Error("error page does not show the request id")
			}
			if tc.showDetail != "" && !strings.Contains(body, "outside the scale") && !strings.Contains(body, "you may not see") {
				t.Errorf("error page does not show the message %q", tc.showDetail)
			}
			assertNoSecrets(t, body)
		})
	}

	t.Run("internal errors are logged with the request id", func(t *testing.T) {
		resp, _ := a.do(t, get("/test/internal", "Accept", "application/json"))
		id := resp.Header.Get(webapp.HeaderRequestID)
		found := false
		for _, r := range a.logs.records(t) {
			if r["msg"] == "internal error" && r["request_id"] == id && strings.Contains(r["error"].(string), "secret driver detail") {
				found = true
			}
		}
		if !found {
			t.Fatalf("no internal error log line with request_id %s", id)
		}
	})
	t.Run("panics are logged with their stack", func(t *testing.T) {
		a.do(t, get("/test/panic"))
		found := false
		for _, r := range a.logs.records(t) {
			if msg, _ := r["error"].(string); strings.Contains(msg, "secret panic detail") && strings.Contains(msg, "goroutine") {
				found = true
			}
		}
		if !found {
			t.Fatal("the panic and its stack were not logged")
		}
	})
}

func assertNoSecrets(t *testing.T, body string) {
	t.Helper()
	for _, secret := range []string{"secret", "10.0.0.5", "goroutine", "org o2"} {
		if strings.Contains(body, secret) {
			t.Errorf("response leaks %q:\n%s", secret, body)
		}
	}
}

func TestErrorPageLanguages(t *testing.T) {
	a := newApp(t)
	for lang, heading := range map[string]string{"fi": "Sivua ei löytynyt", "sv": "Sidan hittades inte", "en": "Page not found"} {
		resp, body := a.do(t, get("/missing", "Accept", browserAccept, "Accept-Language", lang))
		if resp.StatusCode != 404 || !strings.Contains(body, `lang="`+lang+`"`) || !strings.Contains(body, heading) {
			t.Errorf("%s: got %d, want a 404 page with %q:\n%s", lang, resp.StatusCode, heading, body)
		}
	}
}

func TestRequestID(t *testing.T) {
	a := newApp(t)
	t.Run("generated", func(t *testing.T) {
		r1, _ := a.do(t, get("/healthz"))
		r2, _ := a.do(t, get("/healthz"))
		id1, id2 := r1.Header.Get(webapp.HeaderRequestID), r2.Header.Get(webapp.HeaderRequestID)
		if id1 == "" || id1 == id2 {
			t.Fatalf("request ids %q and %q: want two different non-empty ids", id1, id2)
		}
	})
	t.Run("taken from a proxy", func(t *testing.T) {
		resp, _ := a.do(t, get("/healthz", webapp.HeaderRequestID, "lb-0123456789abcdef"))
		if got := resp.Header.Get(webapp.HeaderRequestID); got != "lb-0123456789abcdef" {
			t.Fatalf("request id = %q, want the proxy's", got)
		}
	})
	t.Run("forged ids are replaced", func(t *testing.T) {
		forged := "x\" level=ERROR msg=\"forged"
		resp, _ := a.do(t, get("/healthz", webapp.HeaderRequestID, forged))
		if got := resp.Header.Get(webapp.HeaderRequestID); got == forged || got == "" {
			t.Fatalf("request id = %q, want a fresh one", got)
		}
	})
	t.Run("every request is logged once with its id and without the query", func(t *testing.T) {
		resp, _ := a.do(t, get("/healthz?token=secret-reset-token"))
		id := resp.Header.Get(webapp.HeaderRequestID)
		n := 0
		for _, r := range a.logs.records(t) {
			if r["msg"] == "request" && r["request_id"] == id {
				n++
				if r["path"] != "/healthz" || r["status"] != float64(200) || r["method"] != "GET" {
					t.Errorf("access log line = %v", r)
				}
			}
		}
		if n != 1 {
			t.Fatalf("%d access log lines for request %s, want 1", n, id)
		}
		if strings.Contains(a.logs.buf.String(), "secret-reset-token") {
			t.Fatal("the query string reached the log")
		}
	})
}

func TestRequestDeadline(t *testing.T) {
	a := newApp(t)
	a.Get("/test/deadline", func(c *fiber.Ctx) error {
		d, ok := c.UserContext().Deadline()
		if !ok {
			return errors.New("no deadline")
		}
		return c.SendString(time.Until(d).Round(time.Second).String())
	})
	resp, body := a.do(t, get("/test/deadline"))
	if resp.StatusCode != 200 || body != "5s" {
		t.Fatalf("got %d %q, want the 5s request timeout", resp.StatusCode, body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	for _, tc := range []struct {
		publicURL string
		hsts      bool
	}{{"http://127.0.0.1:8080", false}, {"https://vertaa.example.fi", true}} {
		a := newApp(t, withPublicURL(tc.publicURL))
		for _, path := range []string{"/", "/missing"} {
			resp, _ := a.do(t, get(path, "Accept", browserAccept))
			h := resp.Header
			csp := h.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("%s: CSP = %q", path, csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: headers = %v", path, h)
			}
			if got := h.Get("Strict-Transport-Security") != ""; got != tc.hsts {
				t.Errorf("%s on %s: HSTS present = %v, want %v", path, tc.publicURL, got, tc.hsts)
			}
		}
	}
}

func TestLanguage(t *testing.T) {
	a := newApp(t)
	langOf := regexp.MustCompile(`<html lang="([a-z]+)">`)
	lang := func(body string) string {
		m := langOf.FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return m[1]
	}
	if _, body := a.do(t, get("/")); lang(body) != "fi" {
		t.Errorf("no preference: lang = %q, want fi", lang(body))
	}
	if _, body := a.do(t, get("/", "Accept-Language", "sv-FI,sv;q=0.9")); lang(body) != "sv" {
		t.Errorf("Accept-Language sv: lang = %q", lang(body))
	}
	resp, body := a.do(t, get("/?lang=en", "Accept-Language", "sv"))
	if lang(body) != "en" {
		t.Errorf("?lang=en: lang = %q", lang(body))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "lang" {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != "en" || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("?lang=en set cookie %+v", cookie)
	}
	if _, body := a.do(t, get("/", "Cookie", "lang=en", "Accept-Language", "sv")); lang(body) != "en" {
		t.Errorf("cookie en: lang = %q", lang(body))
	}
	if _, body := a.do(t, get("/?lang=xx", "Accept-Language", "sv")); lang(body) != "sv" {
		t.Errorf("?lang=xx: lang = %q, want the Accept-Language choice", lang(body))
	}
}

func TestStaticAssets(t *testing.T) {
	a := newApp(t)
	_, home := a.do(t, get("/"))
	m := regexp.MustCompile(`href="(/static/style\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(home)
	if m == nil {
		t.Fatalf("home page links no versioned stylesheet:\n%s", home)
	}
	resp, css := a.do(t, get(m[1]))
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(css, "focus-visible") {
		t.Fatalf("GET %s = %d %s", m[1], resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("versioned asset Cache-Control = %q", cc)
	}
	if resp, _ := a.do(t, get("/static/style.css?v=old")); resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale version Cache-Control = %q, want no-cache", resp.Header.Get("Cache-Control"))
	}
	if resp, _ := a.do(t, get("/static/style.css", "If-None-Match", resp.Header.Get("ETag"))); resp.StatusCode != 304 {
		t.Errorf("conditional GET = %d, want 304", resp.StatusCode)
	}
	if resp, _ := a.do(t, get("/static/nope.js")); resp.StatusCode != 404 {
		t.Errorf("unknown asset = %d, want 404", resp.StatusCode)
	}
}

func TestBodyLimit(t *testing.T) {
	// Fiber refuses an oversized body by its announced length, before any
	// handler, so this needs a real listener rather than app.Test. The
	// test sends only the headers, so that the refusal cannot race with
	// writing the body.
	a := newApp(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go a.Listener(ln)
	t.Cleanup(func() { _ = a.Shutdown() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST /signin HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", 2<<20)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || !strings.Contains(string(body), `"invalid"`) {
		t.Fatalf("a 2 MiB body got %d %s, want 413 with a JSON error", resp.StatusCode, body)
	}
}
