package webapp_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSetupThroughTheWeb(t *testing.T) {
	a := newApp(t)
	link, _, err := a.accounts.SetupLink(context.Background())
	if err != nil || link == "" {
		t.Fatalf("setup link %q, %v", link, err)
	}
	path := link[strings.Index(link, "/setup/"):]
	c := a.client(t)
	if resp, body := c.get(path); resp.StatusCode != 200 || !strings.Contains(body, `name="password"`) {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	resp, body := c.post(path, url.Values{"name": {"Anna Admin"}, "email": {"admin@verkosto"}, "password": {"salasana1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="Anna Admin"`) ||
		!strings.Contains(body, `href="#f-email"`) || !strings.Contains(body, `href="#f-password"`) {
		t.Fatalf("invalid setup: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = c.post(path, url.Values{"name": {"Anna Admin"}, "email": {"admin@verkosto.fi"}, "password": {strongPassword}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin") {
		t.Fatalf("setup: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := c.get("/admin"); resp.StatusCode != 200 {
		t.Fatalf("the new administrator is not signed in: %d", resp.StatusCode)
	}
	if resp, _ := a.client(t).get(path); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the used setup link still works: %d", resp.StatusCode)
	}
}

func TestInviteThroughTheWeb(t *testing.T) {
	w := newWorld(t)
	hr := w.as(t, w.hrA)
	orgPath := "/orgs/" + w.orgA.ID

	t.Run("errors next to the fields and kept values", func(t *testing.T) {
		resp, body := hr.post(orgPath+"/invitations", url.Values{"email": {"ei osoite"}, "name": {"Pekka Puupää"}, "team": {w.teamB.ID}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, want := range []string{
			`href="#f-invite-email"`, `id="f-invite-email-error"`, `value="ei osoite"`, `value="Pekka Puupää"`,
			`href="#f-invite-team"`, `aria-invalid="true"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		// The other forms of the page stay clean.
		if strings.Contains(body, `id="f-team-name-error"`) {
			t.Error("the team form shows the invitation's error")
		}
	})

	resp, _ := hr.post(orgPath+"/invitations", url.Values{"email": {"uusi@opisto.fi"}, "name": {"Uuno Uusi"}, "team": {w.teamA.ID}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite: %d", resp.StatusCode)
	}
	secret := secretIn(t, w.app, "uusi@opisto.fi")
	guest := w.app.client(t)
	resp, body := guest.get("/invite/" + secret)
	if resp.StatusCode != 200 || !strings.Contains(body, "Opisto A") || !strings.Contains(body, "Tiimi A") || !strings.Contains(body, `value="Uuno Uusi"`) {
		t.Fatalf("invitation page: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = guest.post("/invite/"+secret, url.Values{"name": {"Uuno Uusi"}, "password": {strongPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	if _, body := guest.get("/"); !strings.Contains(body, "Opisto A") {
		t.Fatal("the new leader does not see the organisation")
	}
	if _, body := hr.get(orgPath); !strings.Contains(body, "Uuno Uusi") {
		t.Fatal("HR does not see the new leader")
	}
}

func TestInviteLinkIsShownOnce(t *testing.T) {
	w := newWorld(t)
	hr := w.as(t, w.hrA)
	resp, body := hr.post("/orgs/"+w.orgA.ID+"/invite-links", url.Values{"link_team": {w.teamA.ID}})
	link := mailLink.FindString(body)
	if resp.StatusCode != 200 || link == "" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("invite link: %d %q", resp.StatusCode, link)
	}
	if _, body := hr.get("/orgs/" + w.orgA.ID); strings.Contains(body, link) {
		t.Fatal("the link is shown again")
	}
	guest := w.app.client(t)
	resp, _ = guest.post(link[len("http://127.0.0.1:8080"):], url.Values{"email": {"linkki@opisto.fi"}, "name": {"Liisa Linkki"}, "password": {strongPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("join with the link: %d", resp.StatusCode)
	}
	if _, body := guest.get("/"); !strings.Contains(body, "Opisto A") {
		t.Fatal("joined user does not see the organisation")
	}
}

func TestImportThroughTheWeb(t *testing.T) {
	w := newWorld(t)
	hr := w.as(t, w.hrA)
	path := "/orgs/" + w.orgA.ID + "/import"
	bad := "sähköposti;nimi;tiimi\n" +
		"aino@opisto.fi;Aino Virtanen;Tiimi A\n" +
		"aino@opisto.fi;Aino uudestaan;\n" +
		"rikki;\"auki jäänyt lainausmerkki\n"
	resp, body := hr.upload(path, "file", "henkilot.csv", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"<td>3</td>", "<td>4</td>", "(ensimmäisen kerran rivillä 2)"} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q\n%s", want, body)
		}
	}
	inv, _ := w.app.db.Invitations(context.Background(), w.orgA.ID, timeNow())
	if len(inv) != 0 {
		t.Fatalf("a refused file created %d invitations", len(inv))
	}
	resp, body = hr.upload(path, "file", "henkilot.csv", "email;name\naino@opisto.fi;Aino Virtanen\nsarka@opisto.fi;Šárka Ääritalo\n")
	if resp.StatusCode != 200 || !strings.Contains(body, "2") {
		t.Fatalf("good file: %d\n%s", resp.StatusCode, body)
	}
	inv, _ = w.app.db.Invitations(context.Background(), w.orgA.ID, timeNow())
	if len(inv) != 2 {
		t.Fatalf("%d invitations, want 2", len(inv))
	}
}

func TestPasswordResetThroughTheWeb(t *testing.T) {
	w := newWorld(t)
	c := w.app.client(t)
	for _, email := range []string{"leader@opisto.fi", "nobody@opisto.fi"} {
		resp, _ := c.post("/reset", url.Values{"email": {email}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/reset?notice=reset_sent" {
			t.Fatalf("reset for %s: %d %s (both must answer the same)", email, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	secret := secretIn(t, w.app, "leader@opisto.fi")
	if resp, body := c.get("/password/" + secret); resp.StatusCode != 200 || !strings.Contains(body, "leader@opisto.fi") {
		t.Fatalf("password page: %d", resp.StatusCode)
	}
	if resp, _ := c.post("/password/"+secret, url.Values{"password": {"qwertyui"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("weak password: %d", resp.StatusCode)
	}
	if resp, _ := c.post("/password/"+secret, url.Values{"password": {"uusi hyvä lause tänään"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("new password: %d", resp.StatusCode)
	}
	if resp, body := c.get("/password/" + secret); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "/reset") {
		t.Fatalf("used link: %d", resp.StatusCode)
	}
	c.signIn("leader@opisto.fi", "uusi hyvä lause tänään")
}

func TestHTTPSCookies(t *testing.T) {
	a := newApp(t, withPublicURL("https://vertaa.example.fi"))
	resp, _ := a.client(t).get("/signin")
	var names []string
	for _, ck := range resp.Cookies() {
		names = append(names, ck.Name)
		if !ck.Secure || !ck.HttpOnly {
			t.Errorf("cookie %s is not Secure and HttpOnly", ck.Name)
		}
	}
	if !strings.Contains(strings.Join(names, ","), "__Host-vertaa_csrf") {
		t.Fatalf("cookies %v: want the __Host- prefix over HTTPS", names)
	}
}

func TestAuditLogNamesPeople(t *testing.T) {
	w := newWorld(t)
	c := w.as(t, w.admin)
	resp, body := c.get("/admin/audit")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"signin", "invitation.accepted", "Šárka Ääritalo", "Anna Admin", "org.created"} {
		if !strings.Contains(body, want) {
			t.Errorf("audit log lacks %q", want)
		}
	}
	if strings.Contains(body, strongPassword) {
		t.Fatal("the audit log shows a password")
	}
	hr := w.as(t, w.hrB)
	if _, body := hr.get("/orgs/" + w.orgB.ID + "/audit"); strings.Contains(body, "Šárka Ääritalo") {
		t.Fatal("HR of organisation B sees events of organisation A")
	}
}
