package webapp_test

// The badge pages in a real browser: each page and its error states are
// audited by axe-core, must fit a 320 px wide screen, and are checked for
// what axe cannot see: labels of every control, error messages tied to
// their fields, the verification result announced and written out in
// words, and keyboard use of the forms. See browser_test.go for what the
// test needs to run.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vertaa/web"
)

// finnish returns the Finnish user interface texts, the browser's
// language in these tests.
func finnish(t *testing.T) map[string]string {
	t.Helper()
	raw, err := web.Locales.ReadFile("locales/fi.json")
	if err != nil {
		t.Fatal(err)
	}
	var texts map[string]string
	if err := json.Unmarshal(raw, &texts); err != nil {
		t.Fatal(err)
	}
	return texts
}

// load runs the steps, which lead to a new page, waits for that page and
// fails the test unless it answered with the status want.
func (b *browser) load(t *testing.T, want int, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, steps...)
	if err != nil {
		t.Fatalf("browser at %s: %v", b.location(t), err)
	}
	if resp.Status != int64(want) {
		t.Fatalf("%s answered %d, want %d", resp.URL, resp.Status, want)
	}
}

// controlProblems lists what is wrong with the page's form controls: a
// control without a label (or other accessible name), a radio button or
// checkbox group outside a fieldset with a legend, an aria-describedby
// naming nothing, a field error no control refers to, and an invalid
// control that does not refer to its error.
const controlProblems = `(() => {
  const bad = [];
  const text = el => el ? el.textContent.replace(/\s+/g, " ").trim() : "";
  const show = el => el.outerHTML.slice(0, 120);
  for (const el of document.querySelectorAll("input, select, textarea, button")) {
    if (el.type === "hidden") continue;
    let name = el.tagName === "BUTTON" ? text(el) : Array.from(el.labels || []).map(text).join(" ").trim();
    if (!name) name = (el.getAttribute("aria-label") || "").trim();
    if (!name && el.getAttribute("aria-labelledby")) {
      name = el.getAttribute("aria-labelledby").split(/\s+/).map(id => text(document.getElementById(id))).join(" ").trim();
    }
    if (!name) bad.push("no label: " + show(el));
  }
  for (const el of document.querySelectorAll("input[type=radio]")) {
    const fs = el.closest("fieldset");
    if (!fs || !text(fs.querySelector("legend"))) bad.push("a radio button outside a fieldset with a legend: " + show(el));
  }
  const described = new Set();
  for (const el of document.querySelectorAll("[aria-describedby]")) {
    for (const id of el.getAttribute("aria-describedby").split(/\s+/)) {
      described.add(id);
      if (!document.getElementById(id)) bad.push("aria-describedby names no element: #" + id);
    }
  }
  for (const el of document.querySelectorAll(".field-error")) {
    if (!el.id || !described.has(el.id)) bad.push("a field error that no control refers to: " + show(el));
  }
  for (const el of document.querySelectorAll("[aria-invalid=true]")) {
    const ids = (el.getAttribute("aria-describedby") || "").split(/\s+/);
    if (!ids.some(id => document.getElementById(id)?.classList.contains("field-error"))) bad.push("invalid without its error: " + show(el));
  }
  for (const el of document.querySelectorAll("[tabindex]")) {
    if (el.tabIndex > 0) bad.push("a positive tabindex breaks the tab order: " + show(el));
  }
  return bad;
})()`

// checkPage audits the current page with axe-core at 320 and 1024 px,
// checks that it fits 320 px and that its form controls are labelled,
// and saves a screenshot at both widths.
func (b *browser) checkPage(t *testing.T, axe []byte, what, shot string) {
	t.Helper()
	b.do(t, chromedp.EmulateViewport(320, 800))
	b.audit(t, axe, what+" at 320 px")
	b.fits(t, what)
	for _, p := range eval[[]string](t, b, controlProblems) {
		t.Errorf("%s: %s", what, p)
	}
	b.screenshot(t, shot+"-320")
	b.do(t, chromedp.EmulateViewport(1024, 800))
	b.audit(t, axe, what+" at 1024 px")
	b.fits(t, what+" at 1024 px")
	b.screenshot(t, shot+"-1024")
	b.do(t, chromedp.EmulateViewport(320, 800))
}

// fits is fitsWidth that also names the elements that stick out.
func (b *browser) fits(t *testing.T, what string) {
	t.Helper()
	if eval[bool](t, b, `document.documentElement.scrollWidth <= document.documentElement.clientWidth`) {
		return
	}
	wide := eval[[]string](t, b, `Array.from(document.querySelectorAll("body *"))
		.filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
		.map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "") + " to " + Math.round(e.getBoundingClientRect().right) + " px")`)
	t.Errorf("%s scrolls sideways at %d px: %v", what, eval[int](t, b, `document.documentElement.clientWidth`), wide)
}

// signIn signs in and waits for the page it leads to, not for the sign-in
// page's own heading.
func (b *browser) signIn(t *testing.T, base, email string) {
	t.Helper()
	b.load(t, http.StatusOK, chromedp.Navigate(base+"/signin"))
	b.load(t, http.StatusOK,
		chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), strongPassword),
		chromedp.Click(chromedp.CSS(`main button[type="submit"]`)))
	if strings.Contains(b.location(t), "/signin") {
		t.Fatalf("signing in as %s failed", email)
	}
}

// pressEnter presses and releases Enter as a keyboard does: a raw key
// down, the character, a key up. (chromedp's KeyEvent sends a key down
// that makes the character on its own, and then the character again: the
// second one lands wherever the first moved the focus.)
func pressEnter() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		key := input.DispatchKeyEventParams{Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		down, char, up := key, key, key
		down.Type, char.Type, up.Type = input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeChar, input.DispatchKeyEventTypeKeyUp
		char.Text, char.UnmodifiedText = "\r", "\r"
		for _, e := range []input.DispatchKeyEventParams{down, char, up} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// errorSummaryLeads follows each link of the error summary with the
// keyboard and fails unless it moves the focus to the field it names.
func (b *browser) errorSummaryLeads(t *testing.T, what string) {
	t.Helper()
	hrefs := eval[[]string](t, b, `Array.from(document.querySelectorAll(".error-summary a")).map(a => a.getAttribute("href"))`)
	if len(hrefs) == 0 {
		t.Fatalf("%s: no error summary links", what)
	}
	if eval[string](t, b, `document.querySelector(".error-summary").getAttribute("role")`) != "alert" {
		t.Errorf("%s: the error summary is not announced (role=alert)", what)
	}
	for i, href := range hrefs {
		b.do(t, chromedp.Focus(chromedp.CSS(fmt.Sprintf(`.error-summary li:nth-child(%d) a`, i+1))), pressEnter())
		// The focus moves after the key event, once the fragment is followed.
		if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](fmt.Sprintf(`"#" + document.activeElement.id === %q`, href),
			chromedp.WithPollingTimeout(2*time.Second))); err != nil {
			t.Errorf("%s: the error link %s moved the focus to #%s (at %s)", what, href, eval[string](t, b, `document.activeElement.tagName + "#" + document.activeElement.id`), b.location(t))
		}
	}
}

func TestBrowserBadgePages(t *testing.T) {
	chromium, axe := browserNeeds(t)
	w, base := serveWorld(t)
	fi := finnish(t)
	const coach = "vertaisvalmentaja"

	// The leader earns every area badge of the questionnaire, accepts one
	// (the browser accepts another below) and declines one, so that My
	// badges has something in each list.
	leader := w.as(t, w.leader)
	submitPersonal(t, leader, w, "johtamisosaaminen", "5")
	offered := offeredAwards(t, leader)
	if len(offered) < 4 {
		t.Fatalf("offered %v, want at least 4 badges", offered)
	}
	viaBrowser, viaHTTP, declined := offered[0], offered[1], offered[len(offered)-1]
	if resp, _ := leader.post("/me/badges/"+viaHTTP+"/accept", url.Values{"name": {"Šárka Ääritalo"}, "evidence-0": {"on"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	if resp, _ := leader.post("/me/badges/"+declined+"/decline", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decline: %d", resp.StatusCode)
	}

	b := newBrowser(t, chromium, 320)

	// Public pages, signed out.
	b.load(t, http.StatusOK, chromedp.Navigate(base+"/badges"))
	b.checkPage(t, axe, "the badge catalog", "badges")
	if n := eval[int](t, b, `document.querySelectorAll(".badge-list > li h2 a").length`); n < 8 {
		t.Errorf("the catalog lists %d badges", n)
	}
	b.load(t, http.StatusOK, chromedp.Navigate(base+"/badges/classes/"+coach))
	b.checkPage(t, axe, "a badge class page", "badge-class")

	// The offer: accept it with the keyboard (Enter in the name field).
	b.signIn(t, base, w.leader.Email)
	b.load(t, http.StatusOK, chromedp.Navigate(base+"/me/badges/"+viaBrowser))
	b.checkPage(t, axe, "the offer page", "offer")
	if eval[bool](t, b, `document.querySelector("#f-evidence-0").checked === undefined`) {
		t.Fatal("the offer page has no evidence to choose")
	}
	eval[bool](t, b, `(document.querySelector("#f-name").value = "", true)`)
	b.load(t, http.StatusOK,
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Šárka Ä."),
		pressEnter())
	if !strings.HasSuffix(b.location(t), "/me/badges/"+viaBrowser+"?notice=badge_accepted") {
		t.Fatalf("accepting led to %s", b.location(t))
	}
	if got := b.text(t, `main [role="status"]`); !strings.Contains(got, fi["notice.badge_accepted"]) {
		t.Errorf("the acceptance is not announced: %q", got)
	}
	b.checkPage(t, axe, "an accepted badge of one's own", "my-badge-accepted")

	// The accepted badge's public page.
	b.load(t, http.StatusOK, chromedp.Navigate(base+"/badges/awards/"+viaBrowser))
	b.checkPage(t, axe, "the public badge page", "award")
	if got := b.text(t, `.verification`); !strings.Contains(got, fi["award.valid"]) {
		t.Errorf("the public page does not say in words that the badge is valid: %q", got)
	}

	// The application form's error state: texts too short. The leader
	// then applies properly (over HTTP), so that HR has one to review.
	b.load(t, http.StatusOK, chromedp.Navigate(base+"/badges/classes/"+coach+"/apply"))
	b.checkPage(t, axe, "the application form", "apply")
	b.load(t, http.StatusUnprocessableEntity,
		chromedp.SendKeys(chromedp.CSS(`#f-evidence`), "lyhyt"),
		chromedp.SendKeys(chromedp.CSS(`#f-reflection`), "lyhyt"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	b.checkPage(t, axe, "the application form's error state", "apply-errors")
	b.errorSummaryLeads(t, "the application form")
	if resp, body := leader.post("/badges/classes/"+coach+"/apply", url.Values{"org": {w.orgA.ID},
		"evidence":   {"Valmensin kahta uutta tiiminvetäjää puolen vuoden ajan viikoittain."},
		"links":      {"https://example.fi/valmennus"},
		"reflection": {"Opin kysymään enemmän ja neuvomaan vähemmän."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d\n%s", resp.StatusCode, body)
	}

	// My badges: offered, held, declined and an application.
	b.load(t, http.StatusOK, chromedp.Navigate(base+"/me/badges"))
	b.checkPage(t, axe, "My badges", "my-badges")
	b.load(t, http.StatusOK, chromedp.Click(chromedp.CSS(`main a[href^="/me/applications/"]`)))
	b.checkPage(t, axe, "a submitted application", "application")

	// Verification: the empty form, its error state, a good badge
	// uploaded as a baked PNG, and a broken token pasted in.
	_, png := httpGet(t, base+"/badges/awards/"+viaBrowser+"/badge.png", "")
	pngFile := filepath.Join(t.TempDir(), "badge.png")
	if err := os.WriteFile(pngFile, png, 0o644); err != nil {
		t.Fatal(err)
	}
	b.load(t, http.StatusOK, chromedp.Navigate(base+"/verify"))
	b.checkPage(t, axe, "the verification page", "verify")
	b.load(t, http.StatusUnprocessableEntity, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	b.checkPage(t, axe, "the verification page's error state", "verify-errors")
	b.errorSummaryLeads(t, "the verification page")

	b.load(t, http.StatusOK,
		chromedp.SetUploadFiles(chromedp.CSS(`#f-file`), []string{pngFile}),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), w.leader.Email),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	b.checkPage(t, axe, "a valid badge verified", "verify-valid")
	b.verificationResult(t, fi, true)

	b.load(t, http.StatusOK,
		chromedp.SendKeys(chromedp.CSS(`#f-credential`), "eyJhbGciOiJub25lIn0.eyJ0eXBlIjpbIk9wZW5CYWRnZUNyZWRlbnRpYWwiXX0.AAAA"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	b.checkPage(t, axe, "a broken badge verified", "verify-invalid")
	b.verificationResult(t, fi, false)
	b.cancel()

	// HR: the list of applications, one application, the decision's
	// error state, and a return chosen with the arrow keys.
	b = newBrowser(t, chromium, 320)
	b.signIn(t, base, w.hrA.Email)
	b.load(t, http.StatusOK, chromedp.Navigate(base+"/reviews"))
	b.checkPage(t, axe, "the reviews list", "reviews")
	b.load(t, http.StatusOK, chromedp.Click(chromedp.CSS(`main table a[href^="/reviews/"]`)))
	b.checkPage(t, axe, "a review page", "review")
	b.load(t, http.StatusUnprocessableEntity, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	b.checkPage(t, axe, "a review page's error state", "review-errors")
	b.errorSummaryLeads(t, "the review page")
	b.do(t, chromedp.Focus(chromedp.CSS(`input[name="decision"]`)), chromedp.KeyEvent(kb.ArrowDown))
	if v := eval[string](t, b, `document.querySelector('input[name="decision"]:checked')?.value || ""`); v != "return" {
		t.Fatalf("the arrow key chose %q, want return", v)
	}
	b.load(t, http.StatusOK,
		chromedp.SendKeys(chromedp.CSS(`#f-comment`), "Kerro, miten valmennus muutti tiimien työtä."),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	b.cancel()

	// The leader sees the returned application with the comment and a
	// form to send it again.
	b = newBrowser(t, chromium, 320)
	b.signIn(t, base, w.leader.Email)
	b.load(t, http.StatusOK, chromedp.Navigate(base+"/me/badges"))
	b.load(t, http.StatusOK, chromedp.Click(chromedp.CSS(`main a[href^="/me/applications/"]`)))
	if !strings.Contains(b.text(t, "main"), "Kerro, miten valmennus muutti tiimien työtä.") {
		t.Error("the returned application does not show the comment")
	}
	b.checkPage(t, axe, "a returned application", "application-returned")
	b.cancel()

	// The administrator's list of badges, and its error state: revoking
	// without a reason.
	b = newBrowser(t, chromium, 320)
	b.signIn(t, base, w.admin.Email)
	b.load(t, http.StatusOK, chromedp.Navigate(base+"/admin/badges"))
	b.checkPage(t, axe, "the administrator's badge list", "admin-badges")
	b.load(t, http.StatusUnprocessableEntity, chromedp.Click(chromedp.CSS(`main form[action$="/revoke"] button[type="submit"]`)))
	b.checkPage(t, axe, "the administrator's badge list with an error", "admin-badges-errors")
	b.errorSummaryLeads(t, "the administrator's badge list")
}

// verificationResult checks the verification page's result: announced
// as a status, before the form, with every check's outcome in words.
func (b *browser) verificationResult(t *testing.T, fi map[string]string, valid bool) {
	t.Helper()
	verdict := fi["verify.invalid"]
	if valid {
		verdict = fi["verify.valid"]
	}
	status := eval[string](t, b, `Array.from(document.querySelectorAll('main [role="status"], main [aria-live]')).map(e => e.textContent).join(" ")`)
	if !strings.Contains(status, verdict) {
		t.Errorf("the verification result %q is not announced (role=status holds %q)", verdict, status)
	}
	if !eval[bool](t, b, `document.activeElement.matches(".verification")`) {
		t.Error("the verification result does not have the focus")
	}
	if !eval[bool](t, b, `!!(document.querySelector(".verification").compareDocumentPosition(document.querySelector("main form")) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
		t.Error("the verification result comes after the form")
	}
	words := map[string]string{"passed": fi["verify.outcome.passed"], "failed": fi["verify.outcome.failed"], "skipped": fi["verify.outcome.skipped"]}
	type row struct{ Class, Check, Outcome string }
	rows := eval[[]row](t, b, `Array.from(document.querySelectorAll(".verification table tbody tr")).map(tr => ({
		Class: tr.className, Check: tr.cells[0].textContent.trim(), Outcome: tr.cells[1].textContent.replace(/[✓✗–]/g, "").trim()}))`)
	if len(rows) == 0 {
		t.Fatal("the verification page lists no checks")
	}
	failed := 0
	for _, r := range rows {
		want, ok := words[r.Class]
		if !ok || r.Outcome != want {
			t.Errorf("check %q (%s): the outcome reads %q, want %q in words", r.Check, r.Class, r.Outcome, want)
		}
		if r.Class == "failed" {
			failed++
		}
	}
	if valid == (failed > 0) {
		t.Errorf("valid %v with %d failed checks", valid, failed)
	}
}
