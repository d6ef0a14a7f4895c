package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the vertaa command built once for the tests of this package.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vertaa-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "vertaa")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build vertaa: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running vertaa process with its log records.
type server struct {
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex
	logs []map[string]any
	done chan struct{}
	err  error // of Wait, once done is closed
}

// command returns an exec.Cmd of the binary with a clean VERTAA_*
// environment plus the given settings.
func command(env ...string) *exec.Cmd {
	cmd := exec.Command(binary)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VERTAA_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "VERTAA_ADDR=127.0.0.1:0", "VERTAA_LOG_FORMAT=json")
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// start runs the binary and waits until it logs that it listens.
func start(t *testing.T, env ...string) *server {
	t.Helper()
	s := &server{cmd: command(env...), done: make(chan struct{})}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec map[string]any
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				rec = map[string]any{"msg": "unparsed", "line": sc.Text()}
			}
			s.mu.Lock()
			s.logs = append(s.logs, rec)
			s.mu.Unlock()
			if rec["msg"] == "listening" {
				listening <- rec["addr"].(string)
			}
		}
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		<-s.done
	})
	select {
	case s.addr = <-listening:
		return s
	case <-s.done:
		t.Fatalf("vertaa exited before listening: %v\n%s", s.err, s.logText())
	case <-time.After(60 * time.Second):
		t.Fatalf("vertaa did not listen within 60s\n%s", s.logText())
	}
	return nil
}

func (s *server) logText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, r := range s.logs {
		j, _ := json.Marshal(r)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

// record returns the first log record with the message msg.
func (s *server) record(msg string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.logs {
		if r["msg"] == msg {
			return r
		}
	}
	return nil
}

func (s *server) get(t *testing.T, path string) int {
	t.Helper()
	resp, err := http.Get("http://" + s.addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// stop sends sig and returns the exit code.
func (s *server) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("vertaa did not exit within 30s of %v\n%s", sig, s.logText())
	}
	return s.cmd.ProcessState.ExitCode()
}

func TestServeEmbeddedStoreSurvivesRestart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	first := start(t, "VERTAA_DATA_DIR="+data)
	if code := first.get(t, "/readyz"); code != 200 {
		t.Fatalf("GET /readyz = %d\n%s", code, first.logText())
	}
	if r := first.record("no VERTAA_MONGODB_URI: using the embedded store (FerretDB on SQLite)"); r == nil || r["data_dir"] != data {
		t.Errorf("no log line saying the embedded store runs in %s\n%s", data, first.logText())
	}
	inst := first.record("store ready")["instance"]
	if code := first.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0\n%s", code, first.logText())
	}
	if first.record("stopped") == nil {
		t.Errorf("no 'stopped' log line\n%s", first.logText())
	}
	if _, err := os.Stat(filepath.Join(data, "mongodb.sock")); !os.IsNotExist(err) {
		t.Errorf("the socket is left behind after a clean stop: %v", err)
	}

	second := start(t, "VERTAA_DATA_DIR="+data)
	if code := second.get(t, "/readyz"); code != 200 {
		t.Fatalf("second start: GET /readyz = %d", code)
	}
	if got := second.record("store ready")["instance"]; got != inst {
		t.Fatalf("second start has instance %v, want the first start's %v: data did not survive", got, inst)
	}
	if code := second.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("exit code after SIGINT = %d, want 0", code)
	}
}

func TestServeAfterSIGKILL(t *testing.T) {
	data := t.TempDir()
	first := start(t, "VERTAA_DATA_DIR="+data)
	inst := first.record("store ready")["instance"]
	first.stop(t, syscall.SIGKILL)
	if _, err := os.Stat(filepath.Join(data, "mongodb.sock")); err != nil {
		t.Fatalf("expected the killed process to leave its socket behind: %v", err)
	}
	second := start(t, "VERTAA_DATA_DIR="+data)
	if code := second.get(t, "/readyz"); code != 200 {
		t.Fatalf("after SIGKILL: GET /readyz = %d\n%s", code, second.logText())
	}
	if got := second.record("store ready")["instance"]; got != inst {
		t.Fatalf("instance after SIGKILL = %v, want %v", got, inst)
	}
}

// runToExit runs the binary with a bad setting and returns its exit code
// and what it printed.
func runToExit(t *testing.T, env ...string) (int, string) {
	t.Helper()
	cmd := command(env...)
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("vertaa %v did not exit within 60s", env)
	}
	if err == nil {
		return 0, string(out)
	}
	return cmd.ProcessState.ExitCode(), string(out)
}

func TestServeBadConfiguration(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	held := t.TempDir()
	holder := start(t, "VERTAA_DATA_DIR="+held)

	cases := []struct {
		name string
		env  []string
		want string
	}{
		{"bad address", []string{"VERTAA_ADDR=nonsense"}, "VERTAA_ADDR"},
		{"address in use", []string{"VERTAA_ADDR=" + busy.Addr().String(), "VERTAA_DATA_DIR=" + t.TempDir()}, "VERTAA_ADDR: cannot listen"},
		{"unwritable data folder", []string{"VERTAA_DATA_DIR=" + filepath.Join(notADir, "data")}, "VERTAA_DATA_DIR: data folder"},
		{"data folder in use", []string{"VERTAA_DATA_DIR=" + held}, "in use by another vertaa process"},
		{"unreachable MongoDB", []string{"VERTAA_MONGODB_URI=mongodb://app:hunter2@" + closedAddr + "/?connectTimeoutMS=200", "VERTAA_MONGODB_TIMEOUT=1s"}, "VERTAA_MONGODB_URI: cannot reach the database"},
		{"bad log level", []string{"VERTAA_LOG_LEVEL=chatty"}, "VERTAA_LOG_LEVEL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runToExit(t, tc.env...)
			if code != exitUsage {
				t.Errorf("exit code = %d, want %d\n%s", code, exitUsage, out)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			last := lines[len(lines)-1]
			if !strings.Contains(last, tc.want) {
				t.Errorf("last line %q does not name %q", last, tc.want)
			}
			if strings.Contains(out, "panic") || strings.Contains(out, "goroutine") || strings.Contains(out, "hunter2") {
				t.Errorf("output has a panic, stack trace or password:\n%s", out)
			}
		})
	}
	if code := holder.get(t, "/readyz"); code != 200 {
		t.Fatalf("the process holding the data folder is no longer ready: %d", code)
	}
}
