package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fixtureYAML(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../internal/assessment/testdata/fixture.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestValidateShipped(t *testing.T) {
	var out, errb bytes.Buffer
	if code := validate(nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"assessments/johtamisosaaminen.yaml: ok: johtamisosaaminen", "assessments/tiimityo.yaml: ok: tiimityo"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	bad := strings.Replace(fixtureYAML(t), "version: 1.0.0", "version: one", 1)
	bad = strings.Replace(bad, "sv: Testenkät", "se: Testenkät", 1)
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := validate([]string{dir}, &out, &errb)
	if code != exitFailure {
		t.Fatalf("exit %d, want %d", code, exitFailure)
	}
	file := filepath.ToSlash(filepath.Join(dir, "bad.yaml"))
	for _, want := range []string{
		file + ":4: version: \"one\" is not a semantic version",
		file + ":9: title.se: language \"se\" is not one of",
		file + ":7: title.sv: missing translation",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errb.String(), "3 problems in 1 files") {
		t.Errorf("summary: %q", errb.String())
	}
}

func TestValidateMissingPath(t *testing.T) {
	var out, errb bytes.Buffer
	if code := validate([]string{filepath.Join(t.TempDir(), "nope.yaml")}, &out, &errb); code != exitUsage {
		t.Fatalf("exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(errb.String(), "nope.yaml") {
		t.Errorf("message %q does not name the file", errb.String())
	}
}

// TestServeRefusesInvalidDefinitions starts the real binary with an extra
// definitions folder: a valid file is loaded beside the shipped ones, an
// invalid one or a clash with a shipped id stops the start with the file
// and line.
func TestServeRefusesInvalidDefinitions(t *testing.T) {
	good := strings.Replace(fixtureYAML(t), "id: fixture", "id: oma-kysely", 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "oma.yaml"), []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	s := start(t, "VERTAA_DATA_DIR="+t.TempDir(), "VERTAA_ASSESSMENTS_DIR="+dir)
	var loaded []string
	s.mu.Lock()
	for _, r := range s.logs {
		if r["msg"] == "questionnaire loaded" {
			loaded = append(loaded, r["id"].(string))
		}
	}
	s.mu.Unlock()
	if strings.Join(loaded, ",") != "johtamisosaaminen,oma-kysely,tiimityo" {
		t.Fatalf("loaded %v", loaded)
	}

	for name, content := range map[string]string{
		"invalid":   strings.Replace(good, "scale: level4", "scale: nope", 1),
		"duplicate": strings.Replace(fixtureYAML(t), "id: fixture", "id: tiimityo", 1),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "oma.yaml"), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out := runToExit(t, "VERTAA_DATA_DIR="+t.TempDir(), "VERTAA_ASSESSMENTS_DIR="+dir)
			if code != exitFailure || !strings.Contains(out, "invalid questionnaire definitions") || !strings.Contains(out, "oma.yaml:") {
				t.Fatalf("exit %d, output:\n%s", code, out)
			}
		})
	}
}
