package webapp_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestQuestionnaireList(t *testing.T) {
	a := newApp(t)
	for lang, want := range map[string][]string{
		"fi": {"Johtamisosaamisen itsearviointi", "Tiimityön itsearviointi", "Osaamisalueita", "suomi, ruotsi, englanti"},
		"sv": {"Självvärdering av ledarskapskompetens", "Självvärdering av teamarbete", "finska, svenska, engelska"},
		"en": {"Leadership competence self-assessment", "Team-based working self-assessment", "Finnish, Swedish, English"},
	} {
		resp, body := a.do(t, get("/questionnaires?lang="+lang))
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", lang, resp.StatusCode)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page does not show %q", lang, w)
			}
		}
		if !strings.Contains(body, `<section class="card" aria-labelledby="q-johtamisosaaminen" lang="`+lang+`">`) {
			t.Errorf("%s: the questionnaire card is not marked with its language", lang)
		}
	}
}

func TestSchemasArePublished(t *testing.T) {
	a := newApp(t)
	for _, name := range []string{"questionnaire", "badge"} {
		resp, body := a.do(t, get("/schemas/"+name+".schema.json"))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/schema+json" {
			t.Fatalf("%s: status %d, type %q", name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var schema struct {
			Schema string `json:"$schema"`
			Title  string `json:"title"`
		}
		if err := json.Unmarshal([]byte(body), &schema); err != nil || !strings.Contains(schema.Schema, "json-schema.org") {
			t.Fatalf("%s: not a JSON Schema: %v %q", name, err, body[:min(len(body), 200)])
		}
	}
}
