package webapp_test

import (
	"net/http"
	"net/url"
	"testing"

	"vertaa/internal/assessment"
)

// FuzzAssessForm posts arbitrary form bodies to a questionnaire page: the
// answer is a redirect (saved) or 400 (refused), never a server error, and
// whatever is saved still fits the questionnaire.
func FuzzAssessForm(f *testing.F) {
	w := newWorld(f)
	q := w.questionnaire(f, "tiimityo")
	c := w.as(f, w.leader)
	resp, _ := c.post("/assess/start", url.Values{"org": {w.orgA.ID}, "round": {w.roundA.ID}})
	m := draftURL.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		f.Fatal("no draft")
	}
	path := "/assess/" + m[1] + "/1"
	first := q.Areas[0].Items[0].ID
	for _, seed := range []string{
		"action=next&a." + first + "=3",
		"a." + first + "=na",
		"a." + first + "=1e309",
		"a." + first + "=-0&a." + first + "=4",
		"a.zz=1",
		"action=goto&goto=99",
		"%zz=%",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		vals, err := url.ParseQuery(body)
		if err != nil {
			vals = url.Values{"raw": {body}}
		}
		vals.Set("_csrf", c.csrf)
		tc := *c // the same browser, reporting to this run
		tc.t = t
		resp, _ := tc.send(newFormRequest(path, vals))
		if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("body %q: status %d", body, resp.StatusCode)
		}
		sh, err := w.app.responses.Draft(t.Context(), mustPrincipal(t, w), m[1])
		if err != nil {
			t.Fatal(err)
		}
		for id, a := range sh.Draft.Answers {
			it, ok := itemOf(q, id)
			if !ok {
				t.Fatalf("the draft holds an answer to %q", id)
			}
			if sc, ok := q.Scale(it.Scale); ok && !a.NA && !sc.HasValue(a.Value) {
				t.Fatalf("the draft holds %v for %s", a.Value, id)
			}
		}
	})
}

func itemOf(q *assessment.Questionnaire, id string) (assessment.Item, bool) {
	for _, a := range q.Areas {
		for _, it := range a.Items {
			if it.ID == id {
				return it, true
			}
		}
	}
	return assessment.Item{}, false
}
