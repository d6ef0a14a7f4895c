package main

import (
	"bytes"
	"context"
	"flag"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"

	"vertaa/internal/loadgen"
	"vertaa/internal/store/storetest"
)

// The crash test: while leaders answer and submit at a constant rate, the
// server is killed with SIGKILL at random moments and started again. Every
// submission it acknowledged must be in the store exactly once, with the
// badge it said it offered; the SQLite files must pass integrity_check
// after every kill; and the server must be ready within 5 seconds of each
// start. It takes about two minutes, so it runs where VERTAA_E2E=1 (CI).
func TestCrashesLoseNothingAcknowledged(t *testing.T) {
	if os.Getenv("VERTAA_E2E") != "1" {
		t.Skip("the crash test runs with VERTAA_E2E=1 (as in CI)")
	}
	const kills = 10
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 1))
	ctx := context.Background()
	data := t.TempDir()
	var out bytes.Buffer
	if code := demo(ctx, []string{"-leaders", "40"}, env("VERTAA_DATA_DIR", data), &out, &out); code != 0 {
		t.Fatalf("vertaa demo: exit %d\n%s", code, out.String())
	}
	addr := freeAddr(t)
	srv := start(t, "VERTAA_DATA_DIR="+data, "VERTAA_ADDR="+addr)
	waitReady(t, addr, srv)

	cli, code := openCLI(ctx, flag.NewFlagSet("crash test", flag.ContinueOnError), []string{"-data-dir", data}, env(), &out)
	if cli == nil {
		t.Fatalf("open the store beside the server: exit %d\n%s", code, out.String())
	}
	defer cli.stop()
	cfg, err := prepareLoad(ctx, cli, &out)
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL, cfg.Timeout, cfg.Seed = "http://"+addr, 5*time.Second, seed

	type outcome struct {
		rep *loadgen.Report
		err error
	}
	done := make(chan outcome, 1)
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	go func() {
		rep, err := loadgen.Run(loadCtx, cfg, []loadgen.Step{{Rate: 25, Duration: 24 * time.Hour}})
		done <- outcome{rep, err}
	}()

	var ready []time.Duration
	for i := range kills {
		time.Sleep(time.Duration(3000+rnd.IntN(4000)) * time.Millisecond)
		srv.stop(t, syscall.SIGKILL)
		storetest.IntegrityCheck(t, data)
		began := time.Now()
		srv = start(t, "VERTAA_DATA_DIR="+data, "VERTAA_ADDR="+addr)
		waitReady(t, addr, srv)
		took := time.Since(began)
		ready = append(ready, took)
		if took > 5*time.Second {
			t.Errorf("kill %d: ready %v after the start, more than 5s", i+1, took)
		}
	}
	time.Sleep(3 * time.Second) // some load on the last start too
	stopLoad()
	o := <-done
	if o.err != nil {
		t.Fatal(o.err)
	}
	var log bytes.Buffer
	o.rep.Print(&log)
	check, err := checkLoad(ctx, cli.db, o.rep)
	if err != nil {
		t.Fatal(err)
	}
	check.print(&log)
	t.Logf("%d kills, ready after each start in %v\n%s", kills, ready, log.String())
	if check.Lost != 0 || check.Duplicated != 0 || check.AwardsLost != 0 {
		t.Errorf("lost %d, duplicated %d submissions, lost %d badge offers: %v", check.Lost, check.Duplicated, check.AwardsLost, check.Problems)
	}
	// The test must have had something to lose.
	if check.Acked < 2*kills {
		t.Errorf("only %d submissions were acknowledged: too few to show anything", check.Acked)
	}
	srv.stop(t, syscall.SIGTERM)
	storetest.IntegrityCheck(t, data)
}

// freeAddr returns a loopback address with a port free now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitReady waits until the server at addr answers /readyz with 200.
func waitReady(t *testing.T, addr string, srv *server) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("not ready within 30s\n%s", srv.logText())
}
