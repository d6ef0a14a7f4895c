package webapp_test

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"vertaa/internal/session"
)

func TestSignInAndOut(t *testing.T) {
	w := newWorld(t)
	c := w.app.client(t)
	resp, body := c.get("/signin")
	if resp.StatusCode != 200 || !strings.Contains(body, `name="email"`) {
		t.Fatalf("GET /signin = %d", resp.StatusCode)
	}

	t.Run("wrong password keeps the address and explains", func(t *testing.T) {
		resp, body := c.post("/signin", url.Values{"email": {"leader@opisto.fi"}, "password": {"väärä salasana"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, want := range []string{
			`class="error-summary" role="alert"`,
			`<a href="#f-email">`,
			`value="leader@opisto.fi"`,
			`aria-invalid="true"`,
			`id="f-email-error"`,
			`<title>Virhe:`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(body, "väärä salasana") {
			t.Error("the password was sent back")
		}
	})

	resp, _ = c.post("/signin", url.Values{"email": {"leader@opisto.fi"}, "password": {strongPassword}, "next": {"/me"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/me" {
		t.Fatalf("sign in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "vertaa_session" {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" {
		t.Fatalf("session cookie %+v", cookie)
	}
	stolen := cookie.Value
	if _, body := c.get("/me"); !strings.Contains(body, "Šárka Ääritalo") {
		t.Fatal("the profile does not show the signed-in user")
	}

	resp, _ = c.post("/signout", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}
	// The token itself is still validly signed and unexpired, but its
	// session has ended.
	replay := w.app.client(t)
	replay.cookies["vertaa_session"] = stolen
	if resp, _ := replay.get("/me"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
		t.Fatalf("a token after sign-out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if replay.cookies["vertaa_session"] != "" {
		t.Error("the dead session cookie was not cleared")
	}
}

func TestNextIsLocal(t *testing.T) {
	w := newWorld(t)
	for next, want := range map[string]string{
		"/orgs/x":              "/orgs/x",
		"https://evil.example": "/",
		"//evil.example/x":     "/",
		"/\\evil.example":      "/",
		"javascript:alert(1)":  "/",
	} {
		c := w.app.client(t)
		resp, _ := c.post("/signin", url.Values{"email": {"leader@opisto.fi"}, "password": {strongPassword}, "next": {next}})
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("next=%q redirected to %q, want %q", next, got, want)
		}
	}
}

// TestForgedSessionTokensAreRefused puts forged tokens in the session
// cookie: each is treated as no session at all.
func TestForgedSessionTokensAreRefused(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	sess, err := w.app.accounts.StartSession(ctx, w.admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := w.app.db.SigningKeys(ctx, "session")
	if err != nil || len(keys) != 1 {
		t.Fatalf("session keys: %v %v", keys, err)
	}
	claims := func(aud string, exp time.Time) jwt.RegisteredClaims {
		return jwt.RegisteredClaims{Issuer: w.app.publicURL, Subject: w.admin.ID, Audience: jwt.ClaimStrings{aud},
			ExpiresAt: jwt.NewNumericDate(exp), IssuedAt: jwt.NewNumericDate(time.Now().Add(-time.Hour)), ID: sess.ID}
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.RegisteredClaims) string {
		tok := jwt.NewWithClaims(m, c)
		tok.Header["kid"] = keys[0].ID
		tok.Header["typ"] = session.TokenType
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	_, otherKey, _ := ed25519.GenerateKey(nil)
	good := claims(session.Audience, sess.ExpiresAt)
	forged := map[string]string{
		"alg none":              sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good),
		"HS256 with public key": sign(jwt.SigningMethodHS256, keys[0].Public, good),
		"another key":           sign(jwt.SigningMethodEdDSA, otherKey, good),
		"wrong audience":        sign(jwt.SigningMethodEdDSA, otherKey, claims("vertaa:badge", sess.ExpiresAt)),
	}
	for name, tok := range forged {
		t.Run(name, func(t *testing.T) {
			c := w.app.client(t)
			c.cookies["vertaa_session"] = tok
			resp, _ := c.get("/admin")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
				t.Fatalf("GET /admin with a forged token: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
	// The real token, for contrast, works.
	real, err := w.app.sessions.Issue(w.admin.ID, sess.ID, sess.ExpiresAt)
	if err != nil {
		t.Fatal(err)
	}
	c := w.app.client(t)
	c.cookies["vertaa_session"] = real
	if resp, _ := c.get("/admin"); resp.StatusCode != 200 {
		t.Fatalf("the genuine token: %d", resp.StatusCode)
	}
	expired, _ := w.app.sessions.Issue(w.admin.ID, sess.ID, time.Now().Add(-time.Hour))
	c.cookies["vertaa_session"] = expired
	if resp, _ := c.get("/admin"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("an expired token: %d", resp.StatusCode)
	}
}

func TestCSRF(t *testing.T) {
	w := newWorld(t)
	c := w.as(t, w.hrA)
	path := "/orgs/" + w.orgA.ID + "/teams"
	cases := map[string]func() (*http.Response, string){
		"no token": func() (*http.Response, string) {
			return c.postRaw(path, url.Values{"name": {"Uusi tiimi"}})
		},
		"wrong token": func() (*http.Response, string) {
			return c.postRaw(path, url.Values{"name": {"Uusi tiimi"}, "_csrf": {"forged"}})
		},
		"token of another browser": func() (*http.Response, string) {
			other := w.app.client(t)
			other.get("/")
			return c.postRaw(path, url.Values{"name": {"Uusi tiimi"}, "_csrf": {other.csrf}})
		},
		"another site's origin": func() (*http.Response, string) {
			req := newFormRequest(path, url.Values{"name": {"Uusi tiimi"}, "_csrf": {c.csrf}})
			req.Header.Set("Origin", "https://evil.example")
			return c.send(req)
		},
	}
	for name, send := range cases {
		t.Run(name, func(t *testing.T) {
			resp, body := send()
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
			// The page explains in the user's language (Finnish here).
			if !strings.Contains(body, "Lomake on vanhentunut") && !strings.Contains(body, "toiselta verkkosivustolta") {
				t.Fatalf("the refusal is not explained in Finnish:\n%s", body)
			}
		})
	}
	teams, _ := w.app.db.Teams(context.Background(), w.orgA.ID)
	if len(teams) != 1 {
		t.Fatalf("a refused request created a team: %v", teams)
	}
	if resp, _ := c.post(path, url.Values{"name": {"Uusi tiimi"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("with the right token: %d", resp.StatusCode)
	}
	// Signing in is a state-changing form too.
	anon := w.app.client(t)
	if resp, _ := anon.postRaw("/signin", url.Values{"email": {"leader@opisto.fi"}, "password": {strongPassword}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-in without a token: %d", resp.StatusCode)
	}
}

func newFormRequest(path string, values url.Values) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func TestSignInRateLimit(t *testing.T) {
	w := newWorld(t)
	c := w.app.client(t)
	for i := range 5 {
		resp, _ := c.post("/signin", url.Values{"email": {"leader@opisto.fi"}, "password": {"väärin " + string(rune('a'+i))}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d: %d", i+1, resp.StatusCode)
		}
	}
	for _, pw := range []string{"väärin f", strongPassword} {
		resp, _ := c.post("/signin", url.Values{"email": {"LEADER@opisto.fi"}, "password": {pw}})
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("6th attempt (%q): %d, want 429", pw, resp.StatusCode)
		}
		if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Fatalf("Retry-After = %q", ra)
		}
	}
	// Another account from the same address is not locked out.
	if resp, _ := c.post("/signin", url.Values{"email": {"hr.a@opisto.fi"}, "password": {strongPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another account: %d", resp.StatusCode)
	}
}

func TestResetRateLimit(t *testing.T) {
	w := newWorld(t)
	c := w.app.client(t)
	for i := range 3 {
		if resp, _ := c.post("/reset", url.Values{"email": {"leader@opisto.fi"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
	}
	if resp, _ := c.post("/reset", url.Values{"email": {"leader@opisto.fi"}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th reset request: %d, want 429", resp.StatusCode)
	}
}
