package webapp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"vertaa/internal/account"
)

// who may use each route. Every route of the app must be listed: a new
// route without an entry fails TestAccessMatrix, so that nothing is
// reachable by accident.
var routeAccess = map[string]string{
	"GET /healthz":                           "public",
	"GET /readyz":                            "public",
	"GET /static/:name":                      "public",
	"GET /schemas/questionnaire.schema.json": "public",
	"GET /schemas/badge.schema.json":         "public",
	"GET /":                                  "public",
	"GET /questionnaires":                    "public",
	"GET /signin":                            "public",
	"POST /signin":                           "public",
	"GET /setup/:token":                      "public",
	"POST /setup/:token":                     "public",
	"GET /reset":                             "public",
	"POST /reset":                            "public",
	"GET /password/:token":                   "public",
	"POST /password/:token":                  "public",
	"GET /email/:token":                      "public",
	"POST /email/:token":                     "public",
	"GET /invite/:token":                     "public",
	"POST /invite/:token":                    "public",
	"GET /badges":                            "public",
	"GET /badges/issuer":                     "public",
	"GET /badges/classes/:class":             "public",
	"GET /badges/classes/:class/image.:ext":  "public",
	"GET /badges/awards/:award":              "public",
	"GET /badges/awards/:award/:file":        "public",
	"GET /badges/keys/:kid":                  "public",
	"GET /.well-known/jwks.json":             "public",
	"GET /badges/status/:list":               "public",
	"GET /badges/v2/issuer":                  "public",
	"GET /badges/v2/classes/:class":          "public",
	"GET /badges/v2/assertions/:award":       "public",
	"GET /badges/v2/keys/:kid":               "public",
	"GET /badges/v2/revocations":             "public",
	"GET /verify":                            "public",
	"POST /verify":                           "public",
	"POST /api/verify":                       "public",

	"POST /signout":                       "signed-in",
	"GET /me":                             "signed-in",
	"POST /me/profile":                    "signed-in",
	"POST /me/password":                   "signed-in",
	"POST /me/email":                      "signed-in",
	"POST /me/signout-all":                "signed-in",
	"GET /me/export":                      "signed-in",
	"POST /assess/start":                  "signed-in",
	"GET /assess/:draft/:page":            "signed-in",
	"POST /assess/:draft/:page":           "signed-in",
	"POST /assess/:draft/autosave":        "signed-in",
	"POST /assess/:draft/submit":          "signed-in",
	"POST /assess/:draft/delete":          "signed-in",
	"GET /results":                        "signed-in",
	"GET /results/:response":              "signed-in",
	"POST /results/:response/sharing":     "signed-in",
	"GET /results/:response/report.pdf":   "signed-in",
	"GET /me/badges":                      "signed-in",
	"GET /me/badges/:award":               "signed-in",
	"POST /me/badges/:award/accept":       "signed-in",
	"POST /me/badges/:award/decline":      "signed-in",
	"POST /me/badges/:award/withdraw":     "signed-in",
	"GET /badges/classes/:class/apply":    "signed-in",
	"POST /badges/classes/:class/apply":   "signed-in",
	"GET /me/applications/:app":           "signed-in",
	"POST /me/applications/:app":          "signed-in",
	"POST /me/applications/:app/withdraw": "signed-in",
	"GET /reviews":                        "signed-in",
	"GET /reviews/:app":                   "signed-in",
	"POST /reviews/:app":                  "signed-in",

	"GET /orgs/:org":                          "hr",
	"POST /orgs/:org/teams":                   "hr",
	"POST /orgs/:org/teams/:team/rename":      "hr",
	"POST /orgs/:org/teams/:team/delete":      "hr",
	"POST /orgs/:org/invitations":             "hr",
	"POST /orgs/:org/invite-links":            "hr",
	"GET /orgs/:org/import":                   "hr",
	"POST /orgs/:org/import":                  "hr",
	"POST /orgs/:org/people/:user/teams":      "hr",
	"POST /orgs/:org/people/:user/remove":     "hr",
	"GET /orgs/:org/audit":                    "hr",
	"GET /orgs/:org/rounds":                   "hr",
	"POST /orgs/:org/rounds":                  "hr",
	"POST /orgs/:org/rounds/:round/close":     "hr",
	"GET /orgs/:org/rounds/:round/report.pdf": "hr",
	"GET /orgs/:org/analytics":                "hr",
	"GET /orgs/:org/analytics/export.csv":     "hr",
	"GET /orgs/:org/analytics/export.xlsx":    "hr",

	"GET /admin":                       "admin",
	"GET /admin/network":               "admin",
	"POST /admin/orgs":                 "admin",
	"POST /admin/orgs/:org/rename":     "admin",
	"GET /admin/users":                 "admin",
	"GET /admin/users/:user":           "admin",
	"POST /admin/users/:user/roles":    "admin",
	"POST /admin/users/:user/disable":  "admin",
	"POST /admin/users/:user/enable":   "admin",
	"POST /admin/users/:user/erase":    "admin",
	"GET /admin/outbox":                "admin",
	"GET /admin/audit":                 "admin",
	"GET /admin/badges":                "admin",
	"POST /admin/badges/:award/revoke": "admin",
}

// TestAccessMatrix sends every route as every kind of user and checks
// deny by default: a visitor is sent to sign in, a leader gets nothing of
// HR or the administrator, HR of one organisation nothing of another, and
// nobody reaches another person's data by changing an id in the URL.
func TestAccessMatrix(t *testing.T) {
	w := newWorld(t)
	type route struct{ method, path string }
	var routes []route
	seen := map[string]bool{}
	for _, r := range w.app.GetRoutes(true) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			continue
		}
		key := r.Method + " " + r.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		if _, ok := routeAccess[key]; !ok {
			t.Errorf("route %s has no entry in routeAccess: decide who may use it", key)
			continue
		}
		routes = append(routes, route{r.Method, r.Path})
	}
	for key := range routeAccess {
		if !seen[key] {
			t.Errorf("routeAccess lists %s, which the app does not have", key)
		}
	}

	// fill puts ids of organisation A (the leader's) into a path.
	fill := func(path string) string {
		r := strings.NewReplacer(":org", w.orgA.ID, ":team", w.teamA.ID, ":user", w.leader.ID, ":token", "no-such-token", ":name", "style.css",
			":draft", "no-such-draft", ":page", "1", ":response", "no-such-response", ":round", w.roundA.ID)
		return r.Replace(path)
	}
	send := func(c *client, rt route) int {
		t.Helper()
		if rt.method == http.MethodGet {
			resp, _ := c.get(fill(rt.path))
			return resp.StatusCode
		}
		resp, _ := c.post(fill(rt.path), nil)
		return resp.StatusCode
	}
	denied := func(code int) bool { return code == http.StatusNotFound }

	t.Run("visitor", func(t *testing.T) {
		c := w.app.client(t)
		for _, rt := range routes {
			code := send(c, rt)
			switch routeAccess[rt.method+" "+rt.path] {
			case "public":
				if code == http.StatusUnauthorized || code == http.StatusForbidden {
					t.Errorf("%s %s: %d for a public route", rt.method, rt.path, code)
				}
			default:
				want := http.StatusUnauthorized
				if rt.method == http.MethodGet {
					want = http.StatusSeeOther
				}
				if code != want {
					t.Errorf("%s %s as a visitor: %d, want %d", rt.method, rt.path, code, want)
				}
			}
		}
	})
	for _, who := range []struct {
		name    string
		user    account.User
		allowed map[string]bool
	}{
		{"leader", w.leader, map[string]bool{"signed-in": true}},
		{"HR of another organisation", w.hrB, map[string]bool{"signed-in": true}},
	} {
		t.Run(who.name, func(t *testing.T) {
			c := w.as(t, who.user)
			for _, rt := range routes {
				level := routeAccess[rt.method+" "+rt.path]
				if level == "public" || who.allowed[level] {
					continue
				}
				if code := send(c, rt); !denied(code) {
					t.Errorf("%s %s as %s: %d, want 404", rt.method, rt.path, who.name, code)
				}
			}
		})
	}
	// HR of the leader's organisation and the administrator get through.
	for _, who := range []struct {
		name    string
		user    account.User
		allowed map[string]bool
	}{
		{"HR", w.hrA, map[string]bool{"hr": true}},
		{"administrator", w.admin, map[string]bool{"hr": true, "admin": true}},
	} {
		t.Run(who.name, func(t *testing.T) {
			c := w.as(t, who.user)
			for _, rt := range routes {
				level := routeAccess[rt.method+" "+rt.path]
				if !who.allowed[level] || strings.HasSuffix(rt.path, "/disable") || strings.HasSuffix(rt.path, "/remove") || strings.HasSuffix(rt.path, "/delete") {
					continue
				}
				if code := send(c, rt); code == http.StatusNotFound || code == http.StatusUnauthorized || code == http.StatusForbidden {
					t.Errorf("%s %s as %s: %d, want access", rt.method, rt.path, who.name, code)
				}
			}
			if who.name == "HR" {
				for _, rt := range routes {
					if routeAccess[rt.method+" "+rt.path] == "admin" {
						if code := send(c, rt); !denied(code) {
							t.Errorf("%s %s as HR: %d, want 404", rt.method, rt.path, code)
						}
					}
				}
			}
		})
	}
}

// TestIDsInURLs checks that ids of another organisation's team or person,
// put into a URL of one's own organisation, reach nothing.
func TestIDsInURLs(t *testing.T) {
	w := newWorld(t)
	c := w.as(t, w.hrA)
	for _, path := range []string{
		"/orgs/" + w.orgA.ID + "/teams/" + w.teamB.ID + "/rename",
		"/orgs/" + w.orgA.ID + "/teams/" + w.teamB.ID + "/delete",
		"/orgs/" + w.orgA.ID + "/people/" + w.hrB.ID + "/remove",
		"/orgs/" + w.orgA.ID + "/people/" + w.hrB.ID + "/teams",
	} {
		if resp, _ := c.post(path, map[string][]string{"name": {"Kaapattu"}, "teams": {w.teamA.ID}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, resp.StatusCode)
		}
	}
	teams, _ := w.app.db.Teams(t.Context(), w.orgB.ID)
	if len(teams) != 1 || teams[0].Name != "Tiimi B" {
		t.Fatalf("organisation B's team changed: %+v", teams)
	}
	grants, _ := w.app.db.Grants(t.Context(), w.hrB.ID)
	if len(grants) != 1 {
		t.Fatalf("organisation B's HR lost a role: %+v", grants)
	}
	// JSON clients get the same 404.
	req := httptest.NewRequest(http.MethodGet, "/orgs/"+w.orgB.ID, nil)
	req.Header.Set("Accept", "application/json")
	if resp, _ := c.send(req); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET another organisation as JSON: %d", resp.StatusCode)
	}
}
