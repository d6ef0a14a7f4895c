package webapp_test

// The browser test drives Debian's chromium with chromedp through the
// whole flow of a leader, with an accessibility audit by axe-core on the
// way. It needs /usr/bin/chromium (or VERTAA_CHROMIUM) and, for the audit,
// axe.min.js from the npm package axe-core at VERTAA_AXE_JS. Without them
// it skips, unless VERTAA_E2E=1 (as in CI), where it fails instead.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vertaa/internal/assessment"
)

// browserNeeds returns the chromium binary and axe-core's source, or skips
// (or fails under VERTAA_E2E=1) the test when one is missing.
func browserNeeds(t *testing.T) (chromium string, axe []byte) {
	t.Helper()
	required := os.Getenv("VERTAA_E2E") == "1"
	missing := func(what string) {
		if required {
			t.Fatalf("VERTAA_E2E=1 but %s", what)
		}
		t.Skipf("skipping the browser test: %s (set VERTAA_E2E=1 to require it)", what)
	}
	chromium = os.Getenv("VERTAA_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(chromium); err != nil {
		missing("chromium is not installed at " + chromium)
	}
	path := os.Getenv("VERTAA_AXE_JS")
	if path == "" {
		missing("VERTAA_AXE_JS does not name axe.min.js of the npm package axe-core")
	}
	axe, err := os.ReadFile(path)
	if err != nil {
		missing("cannot read VERTAA_AXE_JS: " + err.Error())
	}
	return chromium, axe
}

// browser is one headless chromium with its own empty profile: closing it
// is closing the browser, cookies and all.
type browser struct {
	ctx    context.Context
	cancel func()
}

func newBrowser(t *testing.T, chromium string, width int) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "fi"),
		chromedp.WindowSize(width, 900),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, tcancel := context.WithTimeout(ctx, 2*time.Minute)
	b := &browser{ctx: ctx, cancel: func() { tcancel(); cancel(); acancel() }}
	t.Cleanup(b.cancel)
	return b
}

// do runs the steps in the browser's tab and fails the test on an error.
func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		url, _ := chromedp.Run(b.ctx, chromedp.Location())
		t.Fatalf("browser at %s: %v", url, err)
	}
}

// eval evaluates a script in the page and returns its value.
func eval[T any](t *testing.T, b *browser, script string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](script, opts...))
	if err != nil {
		t.Fatalf("evaluate %.60q: %v", script, err)
	}
	return v
}

func (b *browser) location(t *testing.T) string {
	t.Helper()
	url, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return url
}

func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// axeViolation is the part of an axe-core result the test reports.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// audit runs axe-core on the current page against WCAG 2.1 A and AA and
// fails the test on any violation.
func (b *browser) audit(t *testing.T, axe []byte, what string) {
	t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[*runtime.RemoteObject](string(axe))); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	result := eval[string](t, b, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
			.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise)
	var violations []axeViolation
	if err := json.Unmarshal([]byte(result), &violations); err != nil {
		t.Fatalf("axe result %q: %v", result, err)
	}
	for _, v := range violations {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, strings.Join(n.Target, " "))
		}
		t.Errorf("axe on %s: %s (%s): %s at %v", what, v.ID, v.Impact, v.Help, targets)
	}
}

// screenshot saves the page as a PNG in the folder VERTAA_SCREENSHOTS,
// if set, for a person to look at.
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("VERTAA_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fitsWidth fails the test when the page scrolls sideways.
func (b *browser) fitsWidth(t *testing.T, what string) {
	t.Helper()
	if eval[bool](t, b, `document.documentElement.scrollWidth > document.documentElement.clientWidth`) {
		t.Errorf("%s scrolls sideways at this width", what)
	}
}

// answerArea clicks the answer v of every item on the current area page.
func (b *browser) answerArea(t *testing.T, q *assessment.Questionnaire, page int, v string) {
	t.Helper()
	for _, it := range q.Areas[page-1].Items {
		if it.Kind == assessment.TextItem {
			continue
		}
		b.do(t, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="a.%s"][value="%s"]`, it.ID, v))))
	}
}

// move presses the previous or next button and waits for page to load.
func (b *browser) move(t *testing.T, button string, page int) {
	t.Helper()
	b.do(t, chromedp.Click(chromedp.CSS(`button[value="`+button+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`form.sheet[action$="/%d"] button`, page))))
}

func TestBrowserLeaderFlow(t *testing.T) {
	chromium, axe := browserNeeds(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	w := newWorld(t, withPublicURL(base))
	go w.app.Listener(ln)
	t.Cleanup(func() { _ = w.app.Shutdown() })
	q := w.questionnaire(t, "tiimityo")
	half := len(q.Areas) / 2

	// A phone-sized window: 320 CSS pixels wide.
	b := newBrowser(t, chromium, 320)
	b.signIn(t, base, w.leader.Email)
	b.do(t, chromedp.Click(chromedp.CSS(`form[action="/assess/start"] input[name="round"] ~ button`)),
		chromedp.WaitVisible(chromedp.CSS(`fieldset.item`)))
	b.audit(t, axe, "the questionnaire page")
	b.fitsWidth(t, "the questionnaire page")
	b.screenshot(t, "questionnaire-320")

	// One tab stop per radio group: the arrow key moves within a group.
	first := q.Areas[0].Items[0].ID
	b.do(t,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="a.%s"][value="1"]`, first))),
		chromedp.KeyEvent(kb.ArrowDown),
	)
	checked := eval[string](t, b, fmt.Sprintf(`document.querySelector('input[name="a.%s"]:checked').value`, first))
	if checked != "2" {
		t.Fatalf("the arrow key moved the answer to %q, want 2", checked)
	}

	for page := 1; page <= half; page++ {
		b.answerArea(t, q, page, "4")
		b.move(t, "next", page+1)
	}
	// Close the browser half-way: everything is gone but the server's draft.
	b.cancel()

	b = newBrowser(t, chromium, 1024)
	b.signIn(t, base, w.leader.Email)
	if !strings.Contains(b.text(t, "main"), "Jatka") {
		t.Fatal("the home page does not offer to continue")
	}
	b.do(t, chromedp.Click(chromedp.CSS(`form[action="/assess/start"] input[name="round"] ~ button`)),
		chromedp.WaitVisible(chromedp.CSS(`.progress`)))
	if loc := b.location(t); !strings.HasSuffix(loc, fmt.Sprintf("/%d", half+1)) {
		t.Fatalf("resumed at %s, want page %d", loc, half+1)
	}
	// The earlier pages kept their answers.
	b.move(t, "prev", half)
	if !eval[bool](t, b, fmt.Sprintf(`document.querySelector('input[name="a.%s"][value="4"]').checked`, q.Areas[half-1].Items[0].ID)) {
		t.Fatal("an answer given before closing the browser is gone")
	}
	b.move(t, "next", half+1)

	// The error state: submit from the last page with areas unanswered.
	draftPage := b.location(t)
	lastPage := draftPage[:strings.LastIndex(draftPage, "/")+1] + fmt.Sprint(len(q.Areas)+1)
	b.do(t, chromedp.Navigate(lastPage), chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`.error-summary`)))
	b.audit(t, axe, "the questionnaire's error state")
	b.screenshot(t, "error-state")
	b.do(t, chromedp.Click(chromedp.CSS(`.error-summary a`)), chromedp.WaitVisible(chromedp.CSS(`fieldset.item`)))

	for page := half + 1; page <= len(q.Areas); page++ {
		b.do(t, chromedp.Navigate(draftPage[:strings.LastIndex(draftPage, "/")+1]+fmt.Sprint(page)), chromedp.WaitVisible(chromedp.CSS(`fieldset.item`)))
		b.answerArea(t, q, page, "5")
		b.move(t, "next", page+1)
	}
	b.do(t,
		chromedp.SendKeys(chromedp.CSS(`textarea`), "Tiimipalaverien rakenne ja vuorotteleva puheenjohtajuus"),
		// Two quick clicks on the submit button.
		chromedp.DoubleClick(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`figure.radar svg`)),
	)
	b.audit(t, axe, "the results page")
	b.screenshot(t, "results")

	rs, err := w.app.db.Responses(context.Background(), w.leader.ID)
	if err != nil || len(rs) != 1 {
		t.Fatalf("%d responses after a double submit (%v), want 1", len(rs), err)
	}
	page := b.text(t, "main")
	for i, a := range rs[0].Result.Areas {
		// The first half answered 4 (apart from reversed items), the rest 5.
		if !strings.Contains(page, fmt.Sprintf("%.2f", a.Score)) {
			t.Errorf("the results page does not show area %d's score %.2f", i+1, a.Score)
		}
	}
	if !strings.Contains(page, "Tiimipalaverien rakenne") {
		t.Error("the results page does not show the reflection")
	}
	b.do(t, chromedp.EmulateViewport(320, 800))
	b.fitsWidth(t, "the results page")

	// HR's analytics of the round: charts, tables and filters.
	b.cancel()
	b = newBrowser(t, chromium, 1024)
	b.signIn(t, base, w.hrA.Email)
	b.do(t, chromedp.Navigate(base+"/orgs/"+w.orgA.ID+"/analytics"), chromedp.WaitVisible(chromedp.CSS(`table.heatmap`)))
	b.audit(t, axe, "the analytics page")
	b.screenshot(t, "analytics")
	b.do(t, chromedp.EmulateViewport(320, 800))
	b.fitsWidth(t, "the analytics page")
}
