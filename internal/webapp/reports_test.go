package webapp_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestReportDownloads: the personal report is its owner's only, the team
// report the organisation's HR's only; both are PDFs that are never cached.
func TestReportDownloads(t *testing.T) {
	w := newWorld(t)
	leader := w.as(t, w.leader)
	result := strings.Split(submitPersonal(t, leader, w, "johtamisosaaminen", "4"), "?")[0]
	if _, body := leader.get(result); !strings.Contains(body, `href="`+result+`/report.pdf"`) {
		t.Fatal("the results page does not offer the PDF")
	}
	pdf := func(c *client, path string) (*http.Response, string) {
		t.Helper()
		resp, body := c.get(path)
		if resp.StatusCode == http.StatusOK {
			if resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") ||
				resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(resp.Header.Get("Content-Disposition"), `.pdf"`) {
				t.Fatalf("%s: %s, %s, %q", path, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Disposition"))
			}
		}
		return resp, body
	}
	if resp, _ := pdf(leader, result+"/report.pdf"); resp.StatusCode != http.StatusOK {
		t.Fatalf("own report: %d", resp.StatusCode)
	}
	for _, who := range []*client{w.as(t, w.hrA), w.as(t, w.admin)} {
		if resp, _ := pdf(who, result+"/report.pdf"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("someone else's personal report: %d", resp.StatusCode)
		}
	}
	// A leader asking for another person's report.
	hr := w.as(t, w.hrA)
	other := strings.Split(submitPersonal(t, hr, w, "tiimityo", "3"), "?")[0]
	if resp, _ := pdf(hr, other+"/report.pdf"); resp.StatusCode != http.StatusOK {
		t.Fatalf("HR's own report: %d", resp.StatusCode)
	}
	if resp, _ := pdf(leader, other+"/report.pdf"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a leader fetching another person's report: %d", resp.StatusCode)
	}

	team := "/orgs/" + w.orgA.ID + "/rounds/" + w.roundA.ID + "/report.pdf"
	if _, body := w.as(t, w.hrA).get("/orgs/" + w.orgA.ID + "/rounds"); !strings.Contains(body, `href="`+team+`"`) {
		t.Fatal("the rounds page does not offer the team report")
	}
	if resp, _ := pdf(w.as(t, w.hrA), team); resp.StatusCode != http.StatusOK {
		t.Fatalf("HR's team report: %d", resp.StatusCode)
	}
	for name, c := range map[string]*client{"leader": leader, "HR of another organisation": w.as(t, w.hrB)} {
		if resp, _ := pdf(c, team); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s fetching the team report: %d", name, resp.StatusCode)
		}
	}
	// Another organisation's round under one's own organisation's URL.
	if resp, _ := pdf(w.as(t, w.hrB), "/orgs/"+w.orgB.ID+"/rounds/"+w.roundA.ID+"/report.pdf"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a round of another organisation: %d", resp.StatusCode)
	}
}
