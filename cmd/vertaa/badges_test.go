package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/assessment"
	"vertaa/internal/audit"
	"vertaa/internal/badge"
	"vertaa/internal/bake"
	"vertaa/internal/openbadges"
	"vertaa/internal/response"
	"vertaa/internal/scoring"
	"vertaa/internal/store"
)

// testPublicURL is the public URL the badge tests issue and verify under.
const testPublicURL = "https://vertaa.example.fi"

// runVertaa runs the binary with the arguments, the settings env and
// stdin, and returns its exit code, standard output and standard error.
func runVertaa(t *testing.T, env []string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := command(env...)
	cmd.Args = append([]string{binary}, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("vertaa %v did not exit within 60s", args)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// testConfig parses the settings env the way the binary run by command
// would.
func testConfig(t *testing.T, env ...string) config {
	t.Helper()
	vars := map[string]string{"VERTAA_ADDR": "127.0.0.1:0"}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	cfg, err := parseConfig(nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// openTestStore opens the store of cfg in this process, as the server
// does; the store is stopped at the end of the test or by calling stop.
func openTestStore(t *testing.T, cfg config) (*store.Store, func()) {
	t.Helper()
	db, stopDB, err := openStore(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = db.Close(context.Background())
			stopDB()
		})
	}
	t.Cleanup(stop)
	return db, stop
}

var (
	newKeyLine     = regexp.MustCompile(`(?m)^New badge signing key (es256-[a-z0-9]{16}) signs from now on\.$`)
	retiredKeyLine = regexp.MustCompile(`(?m)^Retired (es256-[a-z0-9]{16}); it stays published at (\S+)$`)
)

// rotated returns the new and the retired key id that keys rotate printed.
func rotated(t *testing.T, out string) (newID, retiredID string) {
	t.Helper()
	n, r := newKeyLine.FindStringSubmatch(out), retiredKeyLine.FindStringSubmatch(out)
	if n == nil || r == nil {
		t.Fatalf("keys rotate printed no new and retired key:\n%s", out)
	}
	if want := testPublicURL + "/badges/keys/" + r[1]; r[2] != want {
		t.Errorf("retired key published at %s, want %s", r[2], want)
	}
	if !strings.Contains(out, "All keys: "+testPublicURL+"/.well-known/jwks.json") {
		t.Errorf("no link to all keys:\n%s", out)
	}
	return n[1], r[1]
}

func TestKeysRotate(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := []string{"VERTAA_DATA_DIR=" + data, "VERTAA_PUBLIC_URL=" + testPublicURL}
	masterPath := filepath.Join(data, masterFile)

	// A fresh data folder: the first key is created, then retired.
	code, out, errOut := runVertaa(t, env, "", "keys", "rotate")
	if code != 0 {
		t.Fatalf("keys rotate: exit %d\n%s%s", code, out, errOut)
	}
	second, first := rotated(t, out)
	if first == second {
		t.Fatalf("the new key %s is the retired one", second)
	}
	if n := strings.Count(errOut, "CREATED A NEW MASTER KEY"); n != 1 || !strings.Contains(errOut, masterPath) ||
		!strings.Contains(errOut, "level=WARN") {
		t.Errorf("keys rotate on a fresh folder warned %d times of a new master key, want once, at WARN, naming %s:\n%s", n, masterPath, errOut)
	}
	info, err := os.Stat(masterPath)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", masterPath, info.Mode().Perm())
	}
	masterBefore, _ := os.ReadFile(masterPath)

	// The rest runs beside a store open in this process, as beside a
	// running server.
	cfg := testConfig(t, env...)
	db, _ := openTestStore(t, cfg)
	ctx := context.Background()

	code, out, errOut = runVertaa(t, env, "", "keys", "rotate")
	if code != 0 {
		t.Fatalf("second keys rotate: exit %d\n%s%s", code, out, errOut)
	}
	third, retired := rotated(t, out)
	if retired != second || third == second || third == first {
		t.Fatalf("second rotate: new %s, retired %s; want a new key and %s retired", third, retired, second)
	}
	if strings.Contains(errOut, "CREATED A NEW MASTER KEY") {
		t.Errorf("the second run created a master key again:\n%s", errOut)
	}
	if b, _ := os.ReadFile(masterPath); !bytes.Equal(b, masterBefore) {
		t.Error("the second run changed master.key")
	}

	keys, err := db.SigningKeys(ctx, "badge")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	if len(keys) != 3 || keys[0].ID != third || !keys[0].Retired.IsZero() {
		t.Fatalf("badge keys %v, want 3, newest %s not retired", ids, third)
	}
	for _, k := range keys[1:] {
		if k.Retired.IsZero() {
			t.Errorf("key %s is not retired", k.ID)
		}
		if k.ID != first && k.ID != second {
			t.Errorf("unexpected key %s", k.ID)
		}
	}

	events, err := db.AuditEvents(ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range events {
		if e.Action == audit.KeyRotated {
			got[e.TargetID] = e.Detail
		}
	}
	if len(got) != 2 || !strings.Contains(got[second], first) || !strings.Contains(got[third], second) {
		t.Errorf("key.rotated events %v, want one for %s (retiring %s) and one for %s (retiring %s)", got, second, first, third, second)
	}

	// Another master key than the one the folder was set up with.
	wrong := append(env[:len(env):len(env)], "VERTAA_MASTER_KEY="+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	code, out, errOut = runVertaa(t, wrong, "", "keys", "rotate")
	if code != exitUsage || !strings.Contains(errOut, "VERTAA_MASTER_KEY") ||
		!strings.Contains(errOut, "does not match the master key this database was set up with") {
		t.Errorf("keys rotate with a wrong VERTAA_MASTER_KEY: exit %d, want 2 naming VERTAA_MASTER_KEY\n%s%s", code, out, errOut)
	}
	if keys, _ := db.SigningKeys(ctx, "badge"); len(keys) != 3 {
		t.Errorf("a failed rotate changed the keys: %d keys", len(keys))
	}

	for _, args := range [][]string{{"keys"}, {"keys", "list"}, {"keys", "rotate", "extra"}} {
		if code, _, errOut := runVertaa(t, env, "", args...); code != exitUsage || !strings.Contains(errOut, "vertaa") {
			t.Errorf("%v: exit %d %q, want 2 with a message", args, code, errOut)
		}
	}
}

// topAnswers answers every scored item of q at its best.
func topAnswers(q *assessment.Questionnaire) assessment.Answers {
	answers := assessment.Answers{}
	for _, a := range q.Areas {
		for _, it := range a.Items {
			if !it.Scored() {
				continue
			}
			sc, _ := q.Scale(it.Scale)
			lo, hi := sc.Range()
			v := hi
			if it.Reverse {
				v = lo
			}
			answers[it.ID] = assessment.Answer{Value: v}
		}
	}
	return answers
}

// badgeFixture is a data folder with an accepted badge, set up as the
// server would.
type badgeFixture struct {
	db    *store.Store
	stop  func()
	svc   *badge.Service
	owner *account.Principal
	award badge.Award
}

// acceptedBadge starts the store of cfg in this process and has a leader
// earn and accept a badge of the self-assessment johtamisosaaminen.
func acceptedBadge(t *testing.T, cfg config) badgeFixture {
	t.Helper()
	ctx := context.Background()
	db, stop := openTestStore(t, cfg)
	catalog, err := loadQuestionnaires(cfg.AssessmentsDir, "")
	if err != nil {
		t.Fatal(err)
	}
	texts, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	master, err := loadMaster(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	responses, err := response.NewService(ctx, db, catalog)
	if err != nil {
		t.Fatal(err)
	}
	keys, _, err := openbadges.LoadKeys(ctx, db, master, openbadges.NewSite(cfg.PublicURL.String()))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := newBadges(cfg, badgeDeps{db: db, questionnaires: catalog, definitions: responses, texts: texts,
		notify: func() {}}, keys, master.Derive("award-id"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(ctx, account.User{Email: "Leena.Leader@example.fi", Name: "Leena Leader", Lang: "en", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	p := &account.Principal{User: u}

	q, ok := catalog.Get("johtamisosaaminen")
	if !ok {
		t.Fatal("no questionnaire johtamisosaaminen")
	}
	result, err := scoring.New(q).Score(topAnswers(q))
	if err != nil {
		t.Fatal(err)
	}
	offered, err := svc.EvaluateResponse(ctx, p, badge.Submission{ResponseID: "r1", Questionnaire: q, Result: result,
		SubmittedAt: time.Now().UTC()})
	if err != nil || len(offered) == 0 {
		t.Fatalf("a top result earned %d badges: %v", len(offered), err)
	}
	a, err := svc.Accept(ctx, p, offered[0].ID, badge.AcceptInput{Name: u.Name, Public: []int{0}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Credential == "" || a.State != badge.Accepted {
		t.Fatalf("accepted award %+v has no credential", a)
	}
	return badgeFixture{db: db, stop: stop, svc: svc, owner: p, award: a}
}

// checkMarks counts the lines of a verification report by their mark.
func checkMarks(out string) (passed, failed, skipped int) {
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "✓ "):
			passed++
		case strings.HasPrefix(line, "✗ "):
			failed++
		case strings.HasPrefix(line, "– "):
			skipped++
		}
	}
	return
}

func TestVerify(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	master := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{42}, 32))
	setupEnv := []string{"VERTAA_DATA_DIR=" + data, "VERTAA_PUBLIC_URL=" + testPublicURL, "VERTAA_MASTER_KEY=" + master}
	// verify runs without the master key: it needs the public keys only.
	env := setupEnv[:2]
	fx := acceptedBadge(t, testConfig(t, setupEnv...))
	a, owner := fx.award, fx.owner.User.Email
	awardURL := testPublicURL + "/badges/awards/" + a.ID
	ctx := context.Background()

	files := t.TempDir()
	cl, _ := fx.svc.Classes().Get(a.ClassID)
	img, ok := fx.svc.Classes().Image(cl, "png")
	if !ok {
		t.Fatalf("class %s has no PNG", cl.ID)
	}
	baked, err := bake.BakePNG(img, bake.V3, a.Credential)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		path := filepath.Join(files, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	pngPath := write("badge.png", baked)
	jwtPath := write("badge.jwt", []byte(a.Credential+"\n"))
	plainPath := write("plain.png", img)
	parts := strings.Split(a.Credential, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	forged := bytes.ReplaceAll(payload, []byte("Leena Leader"), []byte("Mallory Leader"))
	if bytes.Equal(forged, payload) {
		t.Fatal("the credential does not name the earner")
	}
	tamperedPath := write("tampered.jwt", []byte(parts[0]+"."+base64.RawURLEncoding.EncodeToString(forged)+"."+parts[2]))

	// With no process holding the data folder, verify starts the store.
	fx.stop()
	code, out, errOut := runVertaa(t, env, "", "verify", "-email", owner, pngPath)
	if code != 0 {
		t.Fatalf("verify the baked PNG: exit %d\n%s%s", code, out, errOut)
	}
	if passed, failed, skipped := checkMarks(out); passed != 7 || failed+skipped != 0 {
		t.Errorf("baked PNG: %d checks passed, %d failed, %d skipped; want 7 passed\n%s", passed, failed, skipped, out)
	}
	if !strings.Contains(out, "The badge is valid.") || !strings.Contains(out, awardURL) {
		t.Errorf("baked PNG: the report does not say valid and name %s:\n%s", awardURL, out)
	}

	// The rest runs beside a store open in this process, as beside a
	// running server.
	db, _ := openTestStore(t, testConfig(t, setupEnv...))
	fx.db = db
	cfg := testConfig(t, setupEnv...)
	catalog, _ := loadQuestionnaires("", "")
	texts, _ := loadTexts()
	masterKey, _ := loadMaster(cfg, slog.New(slog.DiscardHandler))
	keys, _, err := openbadges.LoadKeys(ctx, db, masterKey, openbadges.NewSite(testPublicURL))
	if err != nil {
		t.Fatal(err)
	}
	fx.svc, err = newBadges(cfg, badgeDeps{db: db, questionnaires: catalog, definitions: db, texts: texts, notify: func() {}},
		keys, masterKey.Derive("award-id"))
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name                   string
		stdin                  string
		args                   []string
		code                   int
		want                   []string
		passed, failed, skiped int
	}{
		{name: "JWT file of the owner", args: []string{"-email", owner, jwtPath}, code: 0,
			want: []string{"The badge is valid.", awardURL, "✓ Recipient: The badge was issued to the e-mail address given."}, passed: 7},
		{name: "owner's address in other case", args: []string{"-email", strings.ToUpper(owner), jwtPath}, code: 0, passed: 7},
		{name: "JWT file of someone else", args: []string{"-email", "someone.else@example.fi", jwtPath}, code: exitFailure,
			want: []string{"The badge is not valid.", "✗ Recipient: The badge was not issued to the e-mail address given."}, passed: 6, failed: 1},
		{name: "JWT file, no address", args: []string{jwtPath}, code: 0,
			want: []string{"The badge is valid.", "– Recipient: No e-mail address was given"}, passed: 6, skiped: 1},
		{name: "JWT as the argument", args: []string{a.Credential}, code: 0, want: []string{"The badge is valid.", awardURL}, passed: 6, skiped: 1},
		{name: "award URL as the argument", args: []string{awardURL}, code: 0, want: []string{"The badge is valid."}, passed: 6, skiped: 1},
		{name: "JWT on standard input", stdin: a.Credential + "\n", args: []string{"-email", owner, "-"}, code: 0,
			want: []string{"The badge is valid."}, passed: 7},
		{name: "tampered JWT", args: []string{tamperedPath}, code: exitFailure,
			want: []string{"The badge is not valid.", "✗ Signature: The signature does not match"}, passed: 2, failed: 1, skiped: 4},
		{name: "image without a badge", args: []string{plainPath}, code: exitFailure,
			want: []string{"✗ Format: The image holds no badge credential."}, failed: 1, skiped: 6},
		{name: "in Finnish", args: []string{"-lang", "fi", "-email", owner, pngPath}, code: 0,
			want: []string{"Merkki on voimassa.", "✓ Allekirjoitus: ", awardURL}, passed: 7},
		{name: "missing file", args: []string{filepath.Join(files, "missing.png")}, code: exitUsage},
		{name: "no argument", args: nil, code: exitUsage},
		{name: "only a flag", args: []string{"-email", owner}, code: exitUsage},
		{name: "unknown language", args: []string{"-lang", "de", jwtPath}, code: exitUsage},
		{name: "unknown flag", args: []string{"-colour", "red", jwtPath}, code: exitUsage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runVertaa(t, env, tc.stdin, append([]string{"verify"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if tc.code == exitUsage {
				if out != "" || !strings.Contains(errOut, "vertaa verify") {
					t.Errorf("usage error: stdout %q, stderr %q; want a message on stderr only", out, errOut)
				}
				return
			}
			if p, f, s := checkMarks(out); p != tc.passed || f != tc.failed || s != tc.skiped {
				t.Errorf("checks passed/failed/skipped %d/%d/%d, want %d/%d/%d\n%s", p, f, s, tc.passed, tc.failed, tc.skiped, out)
			}
		})
	}

	// After a key rotation the badge still verifies: the old key stays
	// published.
	if code, out, errOut := runVertaa(t, setupEnv, "", "keys", "rotate"); code != 0 {
		t.Fatalf("keys rotate: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runVertaa(t, env, "", "verify", "-email", owner, pngPath); code != 0 {
		t.Fatalf("verify after a key rotation: exit %d\n%s%s", code, out, errOut)
	}

	// Revoked: not valid, and the reason is shown.
	const reason = "Myönnetty virheellisesti testissä"
	if err := fx.svc.Revoke(ctx, fx.owner, a.ID, reason); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runVertaa(t, env, "", "verify", pngPath)
	if code != exitFailure {
		t.Fatalf("verify a revoked badge: exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, w := range []string{"The badge is not valid.", "✗ Revocation: The issuer has revoked the badge.", "Reason for revocation: " + reason} {
		if !strings.Contains(out, w) {
			t.Errorf("revoked badge: output lacks %q:\n%s", w, out)
		}
	}

	if _, err := os.Stat(filepath.Join(data, masterFile)); !os.IsNotExist(err) {
		t.Errorf("verify created %s (err %v): it needs no master key", filepath.Join(data, masterFile), err)
	}
}

func TestLoadMasterCreatesKeyOnce(t *testing.T) {
	data := filepath.Join(t.TempDir(), "new", "data")
	path := filepath.Join(data, masterFile)
	cfg := testConfig(t, "VERTAA_DATA_DIR="+data)
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))

	first, err := loadMaster(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, info.Mode().Perm())
	}
	if dir, err := os.Stat(data); err != nil || dir.Mode().Perm() != 0o700 {
		t.Errorf("the new data folder: %v, want mode 0700", err)
	}
	lines := strings.Split(strings.TrimSpace(logged.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "level=WARN") || !strings.Contains(lines[0], "CREATED A NEW MASTER KEY") ||
		!strings.Contains(lines[0], "file="+path) {
		t.Fatalf("want one WARN line about the new master key naming %s, got:\n%s", path, logged.String())
	}
	content, _ := os.ReadFile(path)
	if secret, err := decodeSecret(string(content)); err != nil || len(secret) < 32 {
		t.Fatalf("master.key holds %q: %v", content, err)
	}

	logged.Reset()
	second, err := loadMaster(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	if logged.Len() != 0 {
		t.Errorf("the second load logged:\n%s", logged.String())
	}
	if !bytes.Equal(first.Derive("x"), second.Derive("x")) {
		t.Error("the second load returned another master key")
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, content) {
		t.Error("the second load changed master.key")
	}

	// With VERTAA_MASTER_KEY, no file is created and nothing logged.
	other := filepath.Join(t.TempDir(), "data")
	cfg = testConfig(t, "VERTAA_DATA_DIR="+other, "VERTAA_MASTER_KEY="+base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)))
	if _, err := loadMaster(cfg, log); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(other, masterFile)); !os.IsNotExist(err) {
		t.Errorf("master.key created although VERTAA_MASTER_KEY is set: %v", err)
	}
	if logged.Len() != 0 {
		t.Errorf("loading VERTAA_MASTER_KEY logged:\n%s", logged.String())
	}

	// A master.key that is not a secret stops the start, naming the file.
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, masterFile), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = loadMaster(testConfig(t, "VERTAA_DATA_DIR="+bad), log)
	if _, ok := err.(*configError); !ok || !strings.Contains(err.Error(), filepath.Join(bad, masterFile)) {
		t.Errorf("a bad master.key: %v, want a configuration error naming the file", err)
	}
}

// Processes starting together on a fresh data folder (a server and a
// command beside it) must all get the same, complete master key.
func TestLoadMasterConcurrent(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for range 20 {
		cfg := testConfig(t, "VERTAA_DATA_DIR="+t.TempDir())
		var wg sync.WaitGroup
		masters := make([][]byte, 8)
		errs := make([]error, len(masters))
		for i := range masters {
			wg.Go(func() {
				m, err := loadMaster(cfg, log)
				if err == nil {
					masters[i] = m.Derive("x")
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i := range masters {
			if errs[i] != nil {
				t.Fatalf("concurrent load %d: %v", i, errs[i])
			}
			if !bytes.Equal(masters[i], masters[0]) {
				t.Fatalf("concurrent loads returned different master keys")
			}
		}
	}
}
