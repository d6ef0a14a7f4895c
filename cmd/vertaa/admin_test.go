package main

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

var passwordLink = regexp.MustCompile(`http://[^/\s]+/password/[A-Za-z0-9_-]{43}`)

func runAdmin(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := command(env...)
	cmd.Args = append([]string{binary, "admin", "create"}, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

func TestAdminCreate(t *testing.T) {
	data := t.TempDir()
	env := []string{"VERTAA_DATA_DIR=" + data}

	s := start(t, env...)
	setup := s.record("this instance has no administrator yet: open the setup link to create the first one, or run vertaa admin create")
	if setup == nil || !strings.Contains(setup["setup_link"].(string), "/setup/") {
		t.Fatalf("no setup link logged on an empty instance\n%s", s.logText())
	}
	// Beside the running server: the command uses the server's database.
	code, out, errOut := runAdmin(t, env, "--email", "Anna.Admin@Verkosto.fi", "--name", "Anna Admin")
	if code != 0 || !passwordLink.MatchString(out) || !strings.Contains(out, "Anna.Admin@verkosto.fi") {
		t.Fatalf("admin create beside the server: exit %d\n%s\n%s", code, out, errOut)
	}
	if code := s.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("server exit %d", code)
	}

	// With no server running, the command starts the store itself.
	code, out, errOut = runAdmin(t, env, "--email", "toinen@verkosto.fi", "--name", "Toinen Admin")
	if code != 0 || !passwordLink.MatchString(out) {
		t.Fatalf("admin create alone: exit %d\n%s%s", code, out, errOut)
	}
	// Now the instance has an administrator: no setup link.
	s = start(t, env...)
	if s.record("this instance has no administrator yet: open the setup link to create the first one, or run vertaa admin create") != nil {
		t.Fatal("a setup link was logged although administrators exist")
	}

	for _, args := range [][]string{
		{"--email", "not an address", "--name", "X"},
		{"--name", "X"},
		{"--email", "x@y.fi"},
	} {
		if code, _, errOut := runAdmin(t, env, args...); code != exitUsage || !strings.Contains(errOut, "vertaa admin create:") {
			t.Errorf("admin create %v: exit %d %q, want 2 with a message", args, code, errOut)
		}
	}
}

func TestMasterKeyMismatch(t *testing.T) {
	data := t.TempDir()
	s := start(t, "VERTAA_DATA_DIR="+data)
	s.stop(t, syscall.SIGTERM)
	if err := os.WriteFile(filepath.Join(data, "master.key"), []byte(base64.StdEncoding.EncodeToString(make([]byte, 32))), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := runToExit(t, "VERTAA_DATA_DIR="+data)
	if code != exitUsage || !strings.Contains(out, "does not match the master key this database was set up with") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	code, out = runToExit(t, "VERTAA_DATA_DIR="+t.TempDir(), "VERTAA_MASTER_KEY=tooshort")
	if code != exitUsage || !strings.Contains(out, "VERTAA_MASTER_KEY") {
		t.Fatalf("short key: exit %d\n%s", code, out)
	}
}
