package webapp_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestEraseFromTheUserPage: an administrator erases a person on their
// page after typing their address. A wrong address is shown next to the
// field and in the error summary, and changes nothing; the right one, in
// any case, erases them, and the public page of their badge then shows it
// revoked, with nothing of them.
func TestEraseFromTheUserPage(t *testing.T) {
	w := newWorld(t)
	fi := finnish(t)
	leader := w.as(t, w.leader)
	submitPersonal(t, leader, w, "johtamisosaaminen", "5")
	award := offeredAwards(t, leader)[0]
	if resp, body := leader.post("/me/badges/"+award+"/accept", url.Values{"name": {w.leader.Name}, "evidence-0": {"on"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d\n%s", resp.StatusCode, body)
	}
	if _, body := w.app.client(t).get("/badges/awards/" + award); !strings.Contains(body, html.EscapeString(w.leader.Name)) {
		t.Fatal("the badge page does not name its earner before the erasure")
	}

	admin := w.as(t, w.admin)
	path := "/admin/users/" + w.leader.ID
	if resp, body := admin.get(path); resp.StatusCode != http.StatusOK || !strings.Contains(body, `action="`+path+`/erase"`) ||
		!strings.Contains(body, `<label for="f-erase-email">`) {
		t.Fatalf("the user page has no erasure form: %d\n%s", resp.StatusCode, body)
	}

	resp, body := admin.post(path+"/erase", url.Values{"email": {w.hrA.Email}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("erasing with another address: %d, want 422", resp.StatusCode)
	}
	for _, want := range []string{`class="error-summary"`, `href="#f-erase-email"`, `id="f-erase-email-error"`, `aria-invalid="true"`,
		fi["field.email.mismatch"], html.EscapeString(w.hrA.Email)} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused erasure's page lacks %q", want)
		}
	}
	if u, err := w.app.db.User(context.Background(), w.leader.ID); err != nil || u.Disabled {
		t.Fatalf("a refused erasure changed the leader: %+v, %v", u, err)
	}
	if resp, _ := leader.get("/me"); resp.StatusCode != http.StatusOK {
		t.Fatalf("a refused erasure signed the leader out: %d", resp.StatusCode)
	}

	resp, _ = admin.post(path+"/erase", url.Values{"email": {strings.ToUpper(w.leader.Email)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/users?notice=user_erased" {
		t.Fatalf("erasing: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := admin.get("/admin/users?notice=user_erased"); !strings.Contains(body, fi["notice.user_erased"]) {
		t.Error("the people page does not say the person was erased")
	}
	if resp, _ := admin.get(path); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the erased person's page: %d, want 404", resp.StatusCode)
	}
	if resp, _ := leader.get("/me"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the erased person is still signed in: %d", resp.StatusCode)
	}

	resp, body = w.app.client(t).get("/badges/awards/" + award)
	if resp.StatusCode != http.StatusGone || !strings.Contains(body, fi["badge.erased_reason"]) {
		t.Fatalf("the erased person's badge page: %d\n%s", resp.StatusCode, body)
	}
	for _, personal := range []string{"Šárka", "Ääritalo", w.leader.Email, w.leader.ID} {
		if strings.Contains(html.UnescapeString(body), personal) {
			t.Errorf("the erased person's badge page shows %q", personal)
		}
	}
	// Checked by its address, it is revoked too, not a broken badge.
	resp, body = w.app.client(t).post("/verify", url.Values{"credential": {w.app.publicURL + "/badges/awards/" + award}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, fi["verify.check.format.erased"]) ||
		!strings.Contains(body, fi["badge.erased_reason"]) || strings.Contains(html.UnescapeString(body), "Ääritalo") {
		t.Fatalf("verifying the erased person's badge by its address: %d\n%s", resp.StatusCode, body)
	}
}

// TestEraseRefusesSelf: the administrator's own page has no erasure
// form, and erasing oneself anyway is refused with a reason.
func TestEraseRefusesSelf(t *testing.T) {
	w := newWorld(t)
	admin := w.as(t, w.admin)
	path := "/admin/users/" + w.admin.ID
	if _, body := admin.get(path); strings.Contains(body, path+"/erase") {
		t.Fatal("the administrator's own page offers to erase them")
	}
	resp, body := admin.post(path+"/erase", url.Values{"email": {w.admin.Email}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, finnish(t)["error.detail.erase_self"]) {
		t.Fatalf("erasing oneself: %d\n%s", resp.StatusCode, body)
	}
	if _, err := w.app.db.User(context.Background(), w.admin.ID); err != nil {
		t.Fatalf("the administrator after erasing themselves: %v", err)
	}
	if resp, _ := admin.get("/admin"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the administrator was signed out: %d", resp.StatusCode)
	}
}

// TestEraseIsForAdministrators: HR of the person's organisation, who
// knows their address, gets 404 and erases nothing.
func TestEraseIsForAdministrators(t *testing.T) {
	w := newWorld(t)
	for _, c := range []*client{w.as(t, w.hrA), w.as(t, w.leader)} {
		resp, _ := c.post("/admin/users/"+w.leader.ID+"/erase", url.Values{"email": {w.leader.Email}})
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("erasing as a non-administrator: %d, want 404", resp.StatusCode)
		}
	}
	if u, err := w.app.db.User(context.Background(), w.leader.ID); err != nil || u.Disabled {
		t.Fatalf("the leader after a non-administrator's erasure: %+v, %v", u, err)
	}
}

// TestEraseReviewer: the applicant still sees the comment of a reviewer
// who was erased, from "(erased reviewer)" instead of their name.
func TestEraseReviewer(t *testing.T) {
	w := newWorld(t)
	leader, hr := w.as(t, w.leader), w.as(t, w.hrA)
	resp, _ := leader.post("/badges/classes/vertaisvalmentaja/apply", url.Values{"org": {w.orgA.ID},
		"evidence":   {"Valmensin kahta uutta tiiminvetäjää puolen vuoden ajan."},
		"reflection": {"Opin kysymään enemmän ja neuvomaan vähemmän."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d", resp.StatusCode)
	}
	appURL := strings.Split(resp.Header.Get("Location"), "?")[0]
	appID := appURL[strings.LastIndex(appURL, "/")+1:]
	const comment = "Kerro, miten valmennus muutti tiimien työtä."
	if resp, _ := hr.post("/reviews/"+appID, url.Values{"decision": {"return"}, "comment": {comment}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("return: %d", resp.StatusCode)
	}
	if resp, _ := w.as(t, w.admin).post("/admin/users/"+w.hrA.ID+"/erase", url.Values{"email": {w.hrA.Email}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("erasing the reviewer: %d", resp.StatusCode)
	}
	_, body := leader.get(appURL)
	if !strings.Contains(body, comment) || !strings.Contains(body, finnish(t)["review.erased_reviewer"]) || strings.Contains(body, w.hrA.Name) {
		t.Fatalf("the applicant's page after the reviewer's erasure:\n%s", body)
	}
}
