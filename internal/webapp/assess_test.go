package webapp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"vertaa/internal/assessment"
)

// questionnaire returns a shipped questionnaire.
func (w *world) questionnaire(t testing.TB, id string) *assessment.Questionnaire {
	t.Helper()
	for _, q := range w.app.responses.Questionnaires() {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("no questionnaire %s", id)
	return nil
}

// pageForm answers every item of an area page with value v.
func pageForm(q *assessment.Questionnaire, page int, v string) url.Values {
	f := url.Values{"action": {"next"}}
	for _, it := range q.Areas[page-1].Items {
		if it.Kind != assessment.TextItem {
			f.Set("a."+it.ID, v)
		}
	}
	return f
}

var draftURL = regexp.MustCompile(`^/assess/([a-z0-9]+)/(\d+)$`)

// startRound starts the leader's draft of the world's round.
func startRound(t *testing.T, c *client, w *world) string {
	t.Helper()
	resp, _ := c.post("/assess/start", url.Values{"org": {w.orgA.ID}, "round": {w.roundA.ID}})
	m := draftURL.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("start: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	return m[1]
}

func TestAnsweringARound(t *testing.T) {
	w := newWorld(t)
	q := w.questionnaire(t, "tiimityo")
	c := w.as(t, w.leader)
	if _, body := c.get("/"); !strings.Contains(body, "Kevät 2027") {
		t.Fatal("the open round is not on the leader's home page")
	}
	draft := startRound(t, c, w)
	base := "/assess/" + draft + "/"

	resp, body := c.get(base + "1")
	if resp.StatusCode != 200 || strings.Count(body, "<fieldset") < len(q.Areas[0].Items) || !strings.Contains(body, "<legend>") || !strings.Contains(body, `<progress max="100" value="0"`) {
		t.Fatalf("page 1: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = c.post(base+"1", pageForm(q, 1, "4"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != base+"2" {
		t.Fatalf("save page 1: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Back to page 1: the answers are there.
	_, body = c.get(base + "1")
	if !strings.Contains(body, `value="4" checked`) {
		t.Fatal("page 1 lost its answers")
	}

	t.Run("bad input changes nothing", func(t *testing.T) {
		first := q.Areas[0].Items[0].ID
		for name, form := range map[string]url.Values{
			"unknown item":      {"a.zz-9": {"3"}},
			"item of page 2":    {"a." + q.Areas[1].Items[0].ID: {"3"}},
			"outside the scale": {"a." + first: {"9"}},
			"not a number":      {"a." + first: {"paljon"}},
		} {
			form.Set("action", "next")
			if resp, _ := c.post(base+"1", form); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", name, resp.StatusCode)
			}
		}
		_, body := c.get(base + "1")
		if !strings.Contains(body, `value="4" checked`) {
			t.Fatal("a refused save changed the answers")
		}
		other := w.as(t, w.hrB)
		if resp, _ := other.get(base + "1"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another person's draft: %d", resp.StatusCode)
		}
		if resp, _ := other.post(base+"1", pageForm(q, 1, "1")); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("saving into another person's draft: %d", resp.StatusCode)
		}
	})

	last := len(q.Areas) + 1
	resp, body = c.post(base+"submit", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="error-summary"`) ||
		!strings.Contains(body, fmt.Sprintf(`href="/assess/%s/2#item-%s"`, draft, q.Areas[1].Items[0].ID)) {
		t.Fatalf("submit half-answered: %d\n%s", resp.StatusCode, body)
	}
	for page := 2; page < last; page++ {
		if resp, _ := c.post(base+fmt.Sprint(page), pageForm(q, page, "5")); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save page %d: %d", page, resp.StatusCode)
		}
	}
	submit := url.Values{"a." + q.Reflections[0].ID: {"Viikkopalaverin rakenne"}}
	resp, _ = c.post(base+"submit", submit)
	result := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(result, "/results/") {
		t.Fatalf("submit: %d %s", resp.StatusCode, result)
	}
	// The same form again (a double click, a retry) leads to the same response.
	resp, _ = c.post(base+"submit", submit)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(result, resp.Header.Get("Location")) {
		t.Fatalf("second submit: %d %s, want the first response %s", resp.StatusCode, resp.Header.Get("Location"), result)
	}
	rs, _ := w.app.db.Responses(context.Background(), w.leader.ID)
	if len(rs) != 1 {
		t.Fatalf("%d responses, want 1", len(rs))
	}
	// The submitted draft is gone from the user's point of view.
	if resp, _ := c.get(base + "1"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(result, resp.Header.Get("Location")) {
		t.Fatalf("opening the submitted draft: %d %s, want the results", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := c.post(base+"1", pageForm(q, 1, "1")); resp.StatusCode != http.StatusConflict {
		t.Fatalf("changing the submitted draft: %d, want 409", resp.StatusCode)
	}
	resp, body = c.get(strings.Split(result, "?")[0])
	if resp.StatusCode != 200 || !strings.Contains(body, `role="img"`) || !strings.Contains(body, "Viikkopalaverin rakenne") {
		t.Fatalf("results page: %d", resp.StatusCode)
	}
	// Area 1 answered 4 everywhere: 4.00 unless an item is reverse-scored.
	want := rs[0].Result.Areas[0].Score
	if !strings.Contains(body, fmt.Sprintf("%.2f", want)) {
		t.Fatalf("results page does not show the area score %.2f", want)
	}
	if resp, _ := w.as(t, w.hrA).get(strings.Split(result, "?")[0]); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("HR opening the leader's results: %d", resp.StatusCode)
	}
	if _, body := c.get("/me/export"); !strings.Contains(body, `"responses":[{`) || !strings.Contains(body, "Viikkopalaverin rakenne") {
		t.Fatal("the export lacks the response")
	}
}

func TestClosedRoundRefusesAnswers(t *testing.T) {
	w := newWorld(t)
	q := w.questionnaire(t, "tiimityo")
	c := w.as(t, w.leader)
	draft := startRound(t, c, w)
	hr := w.as(t, w.hrA)
	if resp, _ := hr.post("/orgs/"+w.orgA.ID+"/rounds/"+w.roundA.ID+"/close", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d", resp.StatusCode)
	}
	resp, body := c.post("/assess/"+draft+"/1", pageForm(q, 1, "3"))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Arviointikierros on suljettu") {
		t.Fatalf("saving in a closed round: %d", resp.StatusCode)
	}
	if resp, _ := c.post("/assess/"+draft+"/submit", nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("submitting in a closed round: %d", resp.StatusCode)
	}
}

func TestAutosave(t *testing.T) {
	w := newWorld(t)
	q := w.questionnaire(t, "tiimityo")
	c := w.as(t, w.leader)
	draft := startRound(t, c, w)
	f := pageForm(q, 1, "2")
	f.Set("page", "1")
	f.Set("_csrf", c.csrf)
	req := newFormRequest("/assess/"+draft+"/autosave", f)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	if resp, _ := c.send(req); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("autosave: %d", resp.StatusCode)
	}
	if _, body := c.get("/assess/" + draft + "/1"); !strings.Contains(body, `value="2" checked`) {
		t.Fatal("autosave did not keep the answers")
	}
}

func TestRoundsPage(t *testing.T) {
	w := newWorld(t)
	hr := w.as(t, w.hrA)
	path := "/orgs/" + w.orgA.ID + "/rounds"
	resp, body := hr.post(path, url.Values{"name": {""}, "questionnaire": {"tiimityo"}, "opens": {"2026-12-01"}, "closes": {"2026-11-01"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-name"`) || !strings.Contains(body, `href="#f-closes"`) {
		t.Fatalf("invalid round: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = hr.post(path, url.Values{"name": {"Syksy"}, "questionnaire": {"johtamisosaaminen"}, "teams": {w.teamA.ID}, "opens": {"2026-01-01"}, "closes": {"2099-12-31"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create round: %d", resp.StatusCode)
	}
	if _, body := hr.get(path); !strings.Contains(body, "Syksy") || !strings.Contains(body, "Tiimi A") {
		t.Fatal("the new round is not listed with its team")
	}
}
