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
	for _, want := range []string{
		"assessments/johtamisosaaminen.yaml: ok: johtamisosaaminen",
		"assessments/tiimityo.yaml: ok: tiimityo",
		"badges/pedagoginen-johtaja.yaml: ok: pedagoginen-johtaja 1.0.0, Competency, automatic from johtamisosaaminen (2 rules), valid 36 months\n",
		"badges/vertaisvalmentaja.yaml: ok: vertaisvalmentaja 1.0.0, Achievement, application (1 approval by hr, verkostojen-rakentaja), valid 36 months\n",
		"badges/johtamisosaamisen-mestari.yaml: ok: johtamisosaamisen-mestari 1.0.0, Certificate, pathway of 7 badges, does not expire\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if n := strings.Count(out.String(), "\nbadges/"); n != 9 {
		t.Errorf("%d badges ok, want 9:\n%s", n, out.String())
	}
}

// copyBadges copies the badge fixtures (definitions and artwork) of
// internal/badge into dir, replacing strings in the definitions.
func copyBadges(t *testing.T, dir string, pairs ...string) {
	t.Helper()
	src := "../../internal/badge/testdata/fixture"
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Ext(e.Name()) == ".yaml" {
			s := string(b)
			for i := 0; i+1 < len(pairs); i += 2 {
				s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
			}
			b = []byte(s)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestValidateBadges(t *testing.T) {
	dir := t.TempDir()
	copyBadges(t, dir)
	var out, errb bytes.Buffer
	if code := validate([]string{dir}, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	d := filepath.ToSlash(dir)
	want := d + "/apply.yaml: ok: apply 1.0.0, Achievement, application (1 approval by hr, auto), does not expire\n" +
		d + "/auto.yaml: ok: auto 1.0.0, Competency, automatic from johtamisosaaminen (2 rules), valid 36 months\n" +
		d + "/path.yaml: ok: path 1.0.0, Certificate, pathway of 2 badges, does not expire\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestValidateBadgeFile checks one badge file: its artwork is read beside
// it, and it may refer to the shipped badges.
func TestValidateBadgeFile(t *testing.T) {
	dir := t.TempDir()
	copyBadges(t, dir, "requires: [auto, apply]", "requires: [pedagoginen-johtaja, vertaisvalmentaja]")
	file := filepath.Join(dir, "path.yaml")
	var out, errb bytes.Buffer
	if code := validate([]string{file}, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	if want := file + ": ok: path 1.0.0, Certificate, pathway of 2 badges, does not expire\n"; out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}

	if err := os.Remove(filepath.Join(dir, "path.png")); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	if code := validate([]string{file}, &out, &errb); code != exitFailure {
		t.Fatalf("exit %d, want %d", code, exitFailure)
	}
	if want := file + ":16: image: no artwork path.png beside the definition\n"; out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	if !strings.Contains(errb.String(), "1 problems in 1 files") {
		t.Errorf("summary: %q", errb.String())
	}
}

// TestValidateBadgeWithQuestionnaire checks a badge earned from a
// questionnaire given beside it, and a given badge that replaces a
// shipped one.
func TestValidateBadgeWithQuestionnaire(t *testing.T) {
	dir := t.TempDir()
	copyBadges(t, dir,
		"questionnaire: johtamisosaaminen", "questionnaire: fixture",
		"area: pedagoginen-johtaminen", "area: a",
		"min_level: edistynyt", "min_level: high",
		"id: path", "id: pedagoginen-johtaja")
	if err := os.WriteFile(filepath.Join(dir, "fixture.yaml"), []byte(fixtureYAML(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := validate([]string{dir}, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	d := filepath.ToSlash(dir)
	for _, want := range []string{
		d + "/fixture.yaml: ok: fixture 1.0.0, 3 areas, 8 items (sha256:",
		d + "/auto.yaml: ok: auto 1.0.0, Competency, automatic from fixture (2 rules), valid 36 months\n",
		d + "/path.yaml: ok: pedagoginen-johtaja 1.0.0, Certificate, pathway of 2 badges",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if n := strings.Count(out.String(), "\n"); n != 4 {
		t.Errorf("%d lines, want 4 (a questionnaire and 3 badges):\n%s", n, out.String())
	}

	// Without the questionnaire, the badge refers to nothing.
	out.Reset()
	errb.Reset()
	file := filepath.Join(dir, "auto.yaml")
	if code := validate([]string{file, filepath.Join(dir, "apply.yaml")}, &out, &errb); code != exitFailure {
		t.Fatalf("exit %d, want %d", code, exitFailure)
	}
	if want := file + ":27: earn.questionnaire: no questionnaire with id \"fixture\"\n"; out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestValidateReportsBadgeAndQuestionnaireProblems(t *testing.T) {
	dir := t.TempDir()
	copyBadges(t, dir, "approvals: 1", "approvals: 7", "kind: pathway", "kind: polku")
	bad := strings.Replace(fixtureYAML(t), "version: 1.0.0", "version: one", 1)
	if err := os.WriteFile(filepath.Join(dir, "kysely.yaml"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := validate([]string{dir}, &out, &errb); code != exitFailure {
		t.Fatalf("exit %d, want %d", code, exitFailure)
	}
	d := filepath.ToSlash(dir)
	want := d + "/apply.yaml:24: earn.approvals: must be from 1 to 5, got 7\n" +
		d + "/kysely.yaml:4: version: \"one\" is not a semantic version such as 1.0.0\n" +
		d + "/path.yaml:20: earn.kind: \"polku\" is not a way to earn a badge (automatic, application, pathway)\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	if !strings.Contains(errb.String(), "3 problems in 4 files") {
		t.Errorf("summary: %q", errb.String())
	}
}

func TestIsBadge(t *testing.T) {
	for in, want := range map[string]bool{
		"id: x\nearn:\n  kind: pathway\n": true,
		"{id: x, earn: {kind: pathway}}":  true,
		"id: x\nareas: []\n":              false,
		"id: x\nnotes:\n  earn: 1\n":      false,
		"- earn\n":                        false,
		"earn: [unclosed\n":               false,
		"":                                false,
	} {
		if got := isBadge([]byte(in)); got != want {
			t.Errorf("isBadge(%q) = %v, want %v", in, got, want)
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
