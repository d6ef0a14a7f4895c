package loadgen

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestReadsTheServersAnswers(t *testing.T) {
	if got := csrfToken([]byte(`<form><input type="hidden" name="_csrf" value="abc_-9"></form>`)); got != "abc_-9" {
		t.Errorf("csrfToken = %q", got)
	}
	if got := csrfToken([]byte(`<p>no form</p>`)); got != "" {
		t.Errorf("csrfToken of a page with no form = %q", got)
	}
	if d, p, ok := draftPage("/assess/d1/3"); !ok || d != "d1" || p != 3 {
		t.Errorf("draftPage = %q, %d, %v", d, p, ok)
	}
	for _, bad := range []string{"/assess/d1", "/assess//2", "/assess/d1/x", "/assess/d1/0", "/assess/d1/-2", "/results/r1", "%zz"} {
		if _, _, ok := draftPage(bad); ok {
			t.Errorf("draftPage(%q) ok", bad)
		}
	}
	if id, badge, ok := resultOf("/results/r1?notice=submitted_badge"); !ok || id != "r1" || !badge {
		t.Errorf("resultOf = %q, %v, %v", id, badge, ok)
	}
	if id, badge, ok := resultOf("/results/r2?notice=submitted"); !ok || id != "r2" || badge {
		t.Errorf("resultOf = %q, %v, %v", id, badge, ok)
	}
	for _, bad := range []string{"/results/", "/results/r1/report.pdf", "/assess/d/1", "/?notice=draft_saved"} {
		if _, _, ok := resultOf(bad); ok {
			t.Errorf("resultOf(%q) ok", bad)
		}
	}
}

// A user follows what the server answers: a redirect to the sign-in page
// ends their session; a submission's redirect records its response; a
// failed submission is tried again until one is acknowledged.
func TestUserFollowsAnswers(t *testing.T) {
	g := newGenerator("http://127.0.0.1", Config{Seed: 1})
	u := &user{cookies: map[string]string{}, in: true, draft: "d1", page: 7, viewed: true}
	h := func(kv ...string) http.Header {
		x := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			x.Add(kv[i], kv[i+1])
		}
		return x
	}
	g.update(u, submit, 0, h(), nil)
	if !u.submitting || u.tries != 1 || u.draft != "d1" {
		t.Fatalf("after a submission with no answer: %+v", u)
	}
	g.update(u, submit, 303, h("Location", "/results/r9?notice=submitted", "Set-Cookie", "vertaa_session=s2; Path=/"), nil)
	if u.submitting || len(g.acked) != 1 || g.acked[0].Response != "r9" || g.acked[0].Tries != 2 || u.cookies["vertaa_session"] != "s2" {
		t.Fatalf("after the acknowledgement: %+v, acked %+v", u, g.acked)
	}
	g.update(u, home, 303, h("Location", "/signin?next=%2F"), nil)
	if u.in {
		t.Fatal("a redirect to the sign-in page left the user signed in")
	}
}

func FuzzServerAnswers(f *testing.F) {
	for _, s := range []string{"/assess/d1/3", "/results/r1?notice=submitted_badge", `name="_csrf" value="x"`, "%", "/assess/a/b/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tok := csrfToken([]byte(s)); strings.Contains(tok, `"`) {
			t.Fatalf("token %q holds a quote", tok)
		}
		if d, p, ok := draftPage(s); ok && (d == "" || strings.Contains(d, "/") || p < 1) {
			t.Fatalf("draftPage(%q) = %q, %d", s, d, p)
		}
		if id, _, ok := resultOf(s); ok && (id == "" || strings.Contains(id, "/")) {
			t.Fatalf("resultOf(%q) = %q", s, id)
		}
	})
}

func TestProcessSampler(t *testing.T) {
	read := ProcessSampler(os.Getpid())
	before, err := read()
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if before.RSS <= 0 {
		t.Fatalf("resident memory %d", before.RSS)
	}
	x := 0
	for began := time.Now(); time.Since(began) < 300*time.Millisecond; {
		x++ // spend CPU time
	}
	after, err := read()
	if err != nil {
		t.Fatal(err)
	}
	if after.CPU <= before.CPU {
		t.Fatalf("CPU time did not grow while spending it: %v then %v (%d)", before.CPU, after.CPU, x)
	}
	if _, err := ProcessSampler(-1)(); err == nil {
		t.Fatal("no error for a process that does not exist")
	}
}

// The server's CPU use in a step and its memory trend come from the
// samples: a line through memory growing 1 MiB a minute has that slope.
func TestUsageFigures(t *testing.T) {
	r := &Report{}
	for i := range 61 {
		r.Server = append(r.Server, Usage{At: time.Duration(i) * time.Second, RSS: 100<<20 + int64(i)<<20/60,
			CPU: time.Duration(i) * 1500 * time.Millisecond})
	}
	if got := r.CPU(StepReport{Began: 10 * time.Second, Ended: 50 * time.Second}); got < 1.49 || got > 1.51 {
		t.Errorf("CPU = %.3f cores, want 1.5", got)
	}
	if got := r.CPU(StepReport{Began: 70 * time.Second, Ended: 80 * time.Second}); got != 0 {
		t.Errorf("CPU of a step with no samples = %v", got)
	}
	slope, peak := r.MemoryTrend()
	if slope < 0.99*(1<<20) || slope > 1.01*(1<<20) || peak != 101<<20 {
		t.Errorf("memory trend %.0f B/min, peak %d", slope, peak)
	}
}
