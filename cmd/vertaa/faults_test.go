package main

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"vertaa/internal/embeddb"
)

// getTimed fetches a page and returns its status, body and how long it
// took; a failed request fails the test.
func getTimed(t *testing.T, url string) (int, string, time.Duration) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html") // as a browser asks
	began := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), time.Since(began)
}

// When the database goes away under a running server, pages that need it
// answer 503 within the request deadline, with a page that says to try
// again; the health check says not ready; and once the database is back,
// the server serves again by itself, with no restart.
func TestDatabaseOutageGives503AndRecovers(t *testing.T) {
	dbDir := t.TempDir()
	quiet := slog.New(slog.DiscardHandler)
	db, err := embeddb.Start(dbDir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Stop() }()
	const deadline = 2 * time.Second
	srv := start(t, "VERTAA_DATA_DIR="+t.TempDir(), "VERTAA_MONGODB_URI="+db.URI(), "VERTAA_REQUEST_TIMEOUT="+deadline.String())
	base := "http://" + srv.addr
	for _, path := range []string{"/readyz", "/badges", "/signin"} {
		if code, body, _ := getTimed(t, base+path); code != http.StatusOK {
			t.Fatalf("GET %s before the outage = %d\n%s", path, code, body)
		}
	}

	db.Stop()
	// /signin needs no database; /readyz and a badge page do.
	for _, path := range []string{"/readyz", "/badges/awards/nosuchaward"} {
		code, body, took := getTimed(t, base+path)
		if code != http.StatusServiceUnavailable {
			t.Errorf("GET %s with the database stopped = %d, want 503\n%s", path, code, body)
		}
		if took > deadline+time.Second {
			t.Errorf("GET %s with the database stopped took %v, more than the request deadline %v", path, took, deadline)
		}
		if path != "/readyz" && !strings.Contains(body, "<html") {
			t.Errorf("GET %s: the 503 is not a page\n%s", path, body)
		}
	}
	if code, _, _ := getTimed(t, base+"/signin"); code != http.StatusOK {
		t.Errorf("GET /signin, which needs no database, = %d during the outage", code)
	}

	if db, err = embeddb.Start(dbDir, quiet); err != nil {
		t.Fatal(err)
	}
	recovered := time.Now().Add(30 * time.Second)
	for {
		code, _, _ := getTimed(t, base+"/readyz")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(recovered) {
			t.Fatalf("not ready 30s after the database came back (last %d)\n%s", code, srv.logText())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, body, _ := getTimed(t, base+"/badges/awards/nosuchaward"); code != http.StatusNotFound {
		t.Fatalf("after the outage, an unknown award = %d, want 404\n%s", code, body)
	}
}
