package webapp_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// answerRound has c answer the world's round with value v and share it
// with a reflection.
func answerRound(t *testing.T, c *client, w *world, v, reflection string) {
	t.Helper()
	q := w.questionnaire(t, "tiimityo")
	base := "/assess/" + startRound(t, c, w) + "/"
	for page := 1; page <= len(q.Areas); page++ {
		if resp, _ := c.post(base+fmt.Sprint(page), pageForm(q, page, v)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save page %d: %d", page, resp.StatusCode)
		}
	}
	resp, _ := c.post(base+"submit", url.Values{"a." + q.Reflections[0].ID: {reflection}})
	result := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(result, "/results/") {
		t.Fatalf("submit: %d %s", resp.StatusCode, result)
	}
	result = strings.Split(result, "?")[0]
	if resp, _ := c.post(result+"/sharing", url.Values{"shared": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("share: %d", resp.StatusCode)
	}
}

var score = regexp.MustCompile(`>\d\.\d\d<`)

// closeRound has HR close the world's round.
func closeRound(t *testing.T, hr *client, w *world) {
	t.Helper()
	if resp, _ := hr.post("/orgs/"+w.orgA.ID+"/rounds/"+w.roundA.ID+"/close", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("close the round: %d", resp.StatusCode)
	}
}

// TestAnalyticsPage: HR of the organisation sees its rounds with every
// figure under the threshold, and the reflections shared with them; no one
// else sees the page.
func TestAnalyticsPage(t *testing.T) {
	w := newWorld(t)
	answerRound(t, w.as(t, w.leader), w, "4", "Viikkopalaverit <toimivat>")
	hr := w.as(t, w.hrA)
	path := "/orgs/" + w.orgA.ID + "/analytics"
	resp, body := hr.get(path)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("HR: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	// While the round is open its figures wait for it to close.
	for _, want := range []string{"kierros kesken", "luvut näytetään, kun se on päättynyt"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page of an open round lacks %q", want)
		}
	}
	closeRound(t, hr, w)
	_, body = hr.get(path)
	for _, want := range []string{"Kevät 2027", "n = 1", "liian vähän vastauksia", "Viikkopalaverit &lt;toimivat&gt;", `href="` + path + `/export.csv?`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if m := score.FindString(body); m != "" {
		t.Errorf("a score is shown for a single respondent: %s", m)
	}
	if _, body := hr.get("/orgs/" + w.orgA.ID); !strings.Contains(body, `href="`+path+`"`) {
		t.Error("the organisation page does not link to the analytics")
	}
	// Filters that name nothing fall back to the defaults.
	if resp, body := hr.get(path + "?round=nope&team=nope&questionnaire=nope"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Kevät 2027") {
		t.Fatalf("unknown filters: %d", resp.StatusCode)
	}
	for name, c := range map[string]*client{"leader": w.as(t, w.leader), "HR of another organisation": w.as(t, w.hrB)} {
		if resp, _ := c.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, resp.StatusCode)
		}
	}

	// The network view: the administrator's only, with the organisation's
	// single respondent hidden.
	resp, body = w.as(t, w.admin).get("/admin/network?questionnaire=tiimityo")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Koko verkosto") || !strings.Contains(body, "liian vähän vastauksia") {
		t.Fatalf("network view: %d", resp.StatusCode)
	}
	if m := score.FindString(body); m != "" {
		t.Errorf("the network view shows a score of a single respondent: %s", m)
	}
	if resp, _ := hr.get("/admin/network"); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden {
		t.Errorf("HR opens the network view: %d", resp.StatusCode)
	}
}

// The exports hold the page's figures, hidden alike, and the shared
// reflections; only HR of the organisation gets them.
func TestAnalyticsExports(t *testing.T) {
	w := newWorld(t)
	answerRound(t, w.as(t, w.leader), w, "4", "=HYPERLINK(\"http://x\")")
	hr := w.as(t, w.hrA)
	closeRound(t, hr, w)
	base := "/orgs/" + w.orgA.ID + "/analytics/export."
	resp, body := hr.get(base + "csv")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(resp.Header.Get("Content-Disposition"), `analytiikka-`) {
		t.Fatalf("CSV: %d %v", resp.StatusCode, resp.Header)
	}
	for _, want := range []string{"Kevät 2027", "liian vähän vastauksia", `'=HYPERLINK(""http://x"")`} {
		if !strings.Contains(body, want) {
			t.Errorf("the CSV lacks %q:\n%s", want, body)
		}
	}
	if m := regexp.MustCompile(`,\d\.\d\d,`).FindString(body); m != "" {
		t.Errorf("the CSV shows a score of a single respondent: %s", m)
	}
	resp, body = hr.get(base + "xlsx")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("XLSX: %d %v", resp.StatusCode, resp.Header)
	}
	book, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows("Tiimit")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows {
		if len(row) > 1 && row[0] == "Koko organisaatio" {
			found = true
			if row[1] != "liian vähän vastauksia" || row[2] != "1" {
				t.Errorf("the XLSX shows %q for a single respondent", row[1:3])
			}
		}
	}
	if !found {
		t.Errorf("the XLSX has no row for the organisation: %q", rows)
	}
	for name, c := range map[string]*client{"leader": w.as(t, w.leader), "HR of another organisation": w.as(t, w.hrB)} {
		for _, format := range []string{"csv", "xlsx"} {
			if resp, _ := c.get(base + format); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s, %s: %d, want 404", name, format, resp.StatusCode)
			}
		}
	}
}
