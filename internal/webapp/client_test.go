package webapp_test

import (
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/response"
)

const strongPassword = "kaksi sammakkoa laulaa"

// client is a browser: it keeps cookies and sends the CSRF token of the
// last page it saw with every form.
type client struct {
	t       testing.TB
	app     testApp
	cookies map[string]string
	csrf    string
}

func (a testApp) client(t testing.TB) *client {
	return &client{t: t, app: a, cookies: map[string]string{}}
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (c *client) send(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", browserAccept)
	}
	var parts []string
	for k, v := range c.cookies {
		parts = append(parts, k+"="+v)
	}
	if len(parts) > 0 {
		req.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	resp, body := c.app.do(c.t, req)
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	if m := csrfInput.FindStringSubmatch(body); m != nil {
		c.csrf = m[1]
	}
	return resp, body
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	return c.send(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form with the CSRF token, fetching a page first if the
// client has none yet.
func (c *client) post(path string, values url.Values) (*http.Response, string) {
	c.t.Helper()
	c.ensureCSRF()
	if values == nil {
		values = url.Values{}
	}
	if values.Get("_csrf") == "" {
		values.Set("_csrf", c.csrf)
	}
	return c.postRaw(path, values)
}

// ensureCSRF loads a page with a form if the client has no token yet:
// the sign-in page for a visitor, any page for a signed-in user (the
// sign-out button is a form).
func (c *client) ensureCSRF() {
	if c.csrf == "" {
		c.get("/signin")
	}
	if c.csrf == "" {
		c.get("/")
	}
}

// postRaw sends a form exactly as given.
func (c *client) postRaw(path string, values url.Values) (*http.Response, string) {
	c.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.send(req)
}

// upload posts a file in a multipart form with the CSRF token.
func (c *client) upload(path, field, name, content string) (*http.Response, string) {
	c.t.Helper()
	return c.uploadWith(path, field, name, content, nil)
}

// uploadWith posts a file and other fields in a multipart form with the
// CSRF token.
func (c *client) uploadWith(path, field, name, content string, values url.Values) (*http.Response, string) {
	c.t.Helper()
	c.ensureCSRF()
	var b strings.Builder
	w := multipart.NewWriter(&b)
	_ = w.WriteField("_csrf", c.csrf)
	for k, vs := range values {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile(field, name)
	_, _ = fw.Write([]byte(content))
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(b.String()))
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.send(req)
}

// signIn signs the client in and fails the test if it cannot.
func (c *client) signIn(email, password string) {
	c.t.Helper()
	resp, body := c.post("/signin", url.Values{"email": {email}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign in as %s: %d\n%s", email, resp.StatusCode, body)
	}
}

// world is a network of two organisations with people in every role.
type world struct {
	app                     testApp
	orgA, orgB              account.Organisation
	teamA, teamB            account.Team
	roundA                  response.Round // open, for everyone in orgA
	admin, hrA, hrB, leader account.User
}

var mailLink = regexp.MustCompile(`http://127\.0\.0\.1:\d+/[a-z]+/[A-Za-z0-9_-]{43}`)

func newWorld(t testing.TB, opts ...appOption) *world {
	t.Helper()
	a := newApp(t, opts...)
	ctx := context.Background()
	w := &world{app: a}
	admin, _, err := a.accounts.CreateAdmin(ctx, "admin@verkosto.fi", "Anna Admin")
	if err != nil {
		t.Fatal(err)
	}
	w.admin = setPassword(t, a, admin)
	sess, _ := a.accounts.StartSession(ctx, admin.ID)
	ap, err := a.accounts.Principal(ctx, admin.ID, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if w.orgA, err = a.accounts.CreateOrg(ctx, ap, "Opisto A"); err != nil {
		t.Fatal(err)
	}
	if w.orgB, err = a.accounts.CreateOrg(ctx, ap, "Opisto B"); err != nil {
		t.Fatal(err)
	}
	w.teamA, _ = a.accounts.CreateTeam(ctx, ap, w.orgA.ID, "Tiimi A")
	w.teamB, _ = a.accounts.CreateTeam(ctx, ap, w.orgB.ID, "Tiimi B")
	join := func(email, name string, role account.Role, org account.Organisation, team string) account.User {
		if err := a.accounts.Invite(ctx, ap, org.ID, account.Invitation{Email: email, Name: name, Role: role, TeamID: team}); err != nil {
			t.Fatal(err)
		}
		res, err := a.accounts.AcceptInvitation(ctx, secretIn(t, a, email), nil, account.NewUser{Name: name, Password: strongPassword})
		if err != nil {
			t.Fatal(err)
		}
		return res.User
	}
	w.hrA = join("hr.a@opisto.fi", "Hanna A", account.HR, w.orgA, "")
	w.hrB = join("hr.b@opisto.fi", "Heikki B", account.HR, w.orgB, "")
	w.leader = join("leader@opisto.fi", "Šárka Ääritalo", account.Leader, w.orgA, w.teamA.ID)
	w.roundA, err = a.responses.CreateRound(ctx, ap, w.orgA.ID, response.RoundInput{Name: "Kevät 2027", QuestionnaireID: "tiimityo",
		Opens: time.Now().Add(-time.Hour), Closes: time.Now().Add(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// secretIn returns the secret of the newest link e-mailed to the address.
func secretIn(t testing.TB, a testApp, to string) string {
	t.Helper()
	msgs, err := a.db.RecentMail(context.Background(), 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if strings.EqualFold(m.To, to) {
			if l := mailLink.FindString(m.Text); l != "" {
				return l[strings.LastIndex(l, "/")+1:]
			}
		}
	}
	t.Fatalf("no link e-mailed to %s", to)
	return ""
}

// setPassword gives a user created without one the test password.
func setPassword(t testing.TB, a testApp, u account.User) account.User {
	t.Helper()
	if err := a.accounts.RequestPasswordReset(context.Background(), u.Email); err != nil {
		t.Fatal(err)
	}
	u, err := a.accounts.SetPasswordWithLink(context.Background(), secretIn(t, a, u.Email), strongPassword)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (w *world) as(t testing.TB, u account.User) *client {
	t.Helper()
	c := w.app.client(t)
	c.signIn(u.Email, strongPassword)
	return c
}

func timeNow() time.Time { return time.Now().UTC() }

// mustPrincipal returns the leader of the world as a principal with a
// session of its own.
func mustPrincipal(t testing.TB, w *world) *account.Principal {
	t.Helper()
	s, err := w.app.accounts.StartSession(context.Background(), w.leader.ID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.app.accounts.Principal(context.Background(), w.leader.ID, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
