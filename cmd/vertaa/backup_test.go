package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/audit"
	"vertaa/internal/badge"
	"vertaa/internal/embeddb"
	"vertaa/internal/openbadges"
	"vertaa/internal/store"
	"vertaa/internal/store/storetest"
)

// testMasterKey returns a master key setting made of one repeated byte.
func testMasterKey(b byte) string {
	return "VERTAA_MASTER_KEY=" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32))
}

// storeDocuments reads every document of every collection of db as raw
// BSON, sorted bytewise per collection.
func storeDocuments(t *testing.T, db *store.Store) map[string][][]byte {
	return storetest.Documents(t, db.StaticSnapshot())
}

// documentsIn returns the number of documents the embedded store in dir
// holds, without preparing it as the server would.
func documentsIn(t *testing.T, dir string) int {
	t.Helper()
	srv, err := embeddb.Start(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	db, err := store.Open(context.Background(), srv.URI(), "vertaa")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	n := 0
	for _, docs := range storeDocuments(t, db) {
		n += len(docs)
	}
	return n
}

var backedUpLine = regexp.MustCompile(`(?m)^Backed up (\d+) documents in (\d+) collections of the database vertaa \(instance (\S+)\) to (.+) \(\d+\.\d MB\) in \d+\.\d s\.$`)

// backupFile runs vertaa backup and returns the instance id it reports.
func backupFile(t *testing.T, env []string, file string) string {
	t.Helper()
	code, out, errOut := runVertaa(t, env, "", "backup", file)
	m := backedUpLine.FindStringSubmatch(out)
	if code != 0 || m == nil || m[4] != file {
		t.Fatalf("vertaa backup: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "restoring it needs this master key (VERTAA_MASTER_KEY)") {
		t.Errorf("the backup does not say that it needs the master key:\n%s", out)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the backup file: %v, want mode 0600", err)
	}
	return m[3]
}

// restoreFile runs vertaa restore and fails the test unless it succeeds.
func restoreFile(t *testing.T, env []string, file string) {
	t.Helper()
	code, out, errOut := runVertaa(t, env, "", "restore", file)
	if code != 0 || !strings.Contains(out, "Restored ") {
		t.Fatalf("vertaa restore: exit %d\n%s%s", code, out, errOut)
	}
}

// A demo network with an accepted badge, backed up beside the open store
// and restored into a new data folder, holds the same documents byte for
// byte; the badge issued before the backup verifies with the restored
// keys, and the server starts on the restored folder as the same
// instance.
func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	env := []string{"VERTAA_DATA_DIR=" + data, "VERTAA_PUBLIC_URL=" + testPublicURL, testMasterKey(42)}
	if code, out, errOut := runVertaa(t, env, "", "demo", "-leaders", "30"); code != 0 {
		t.Fatalf("vertaa demo: exit %d\n%s%s", code, out, errOut)
	}
	fx := acceptedBadge(t, testConfig(t, env...))
	inst, err := fx.db.Instance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "vertaa.backup")
	// The store is open in this process, as a running server holds it.
	if got := backupFile(t, env, file); got != inst.ID {
		t.Errorf("the backup reports instance %s, want %s", got, inst.ID)
	}
	before := storeDocuments(t, fx.db)
	fx.stop()
	if leftovers, _ := filepath.Glob(filepath.Join(data, ".snapshot-*")); len(leftovers) > 0 {
		t.Errorf("the backup left its copy of the database behind: %v", leftovers)
	}
	for _, c := range []string{"users", "responses", "rounds", "awards", "keys", "instance", "audit", "outbox", "rollups"} {
		if len(before[c]) == 0 {
			t.Fatalf("the source has no %s: the round trip would prove little", c)
		}
	}

	restored := filepath.Join(t.TempDir(), "restored")
	renv := []string{"VERTAA_DATA_DIR=" + restored, "VERTAA_PUBLIC_URL=" + testPublicURL, testMasterKey(42)}
	restoreFile(t, renv, file)
	rcfg := testConfig(t, renv...)
	db, stop := openTestStore(t, rcfg)
	after := storeDocuments(t, db)
	if got, want := slices.Sorted(maps.Keys(after)), slices.Sorted(maps.Keys(before)); !slices.Equal(got, want) {
		t.Fatalf("restored collections %v, backed up %v", got, want)
	}
	for name, docs := range before {
		if !slices.EqualFunc(docs, after[name], bytes.Equal) {
			t.Errorf("%s: %d documents restored, %d backed up, or they differ", name, len(after[name]), len(docs))
		}
	}

	// The indexes are made: a second user with the same address is refused.
	if _, err := db.CreateUser(ctx, account.User{Email: fx.owner.User.Email, Name: "Copy", CreatedAt: time.Now()}); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("a user with an address taken: %v, want Conflict from the unique index", err)
	}

	master, err := existingMaster(rcfg, "")
	if err != nil {
		t.Fatal(err)
	}
	keys, created, err := openbadges.LoadKeys(ctx, db, master, openbadges.NewSite(testPublicURL))
	if err != nil || created {
		t.Fatalf("the restored badge keys: created %v, %v; want the backed-up ones", created, err)
	}
	catalog, _ := loadQuestionnaires("", "")
	texts, _ := loadTexts()
	svc, err := newBadges(rcfg, badgeDeps{db: db, questionnaires: catalog, definitions: db, texts: texts, notify: func() {}}, keys, master.Derive("award-id"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Verify(ctx, badge.VerifyInput{Text: fx.award.Credential, Email: fx.owner.User.Email})
	if err != nil || !res.Valid {
		t.Fatalf("the badge issued before the backup does not verify after the restore: %+v, %v", res, err)
	}
	stop()

	s := start(t, renv...)
	if got := s.record("store ready")["instance"]; got != inst.ID {
		t.Fatalf("the server on the restored folder is instance %v, want %s\n%s", got, inst.ID, s.logText())
	}
}

// A backup taken while the server writes restores cleanly, and holds a
// moment of the database: every document it holds is the source's, and
// of the documents written meanwhile some or all, never more.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	env := []string{"VERTAA_DATA_DIR=" + data, testMasterKey(7)}
	db, _ := openTestStore(t, testConfig(t, env...))
	if _, err := db.Instance(ctx); err != nil {
		t.Fatal(err)
	}
	var written atomic.Int64
	stopWriting := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stopWriting:
				return
			default:
			}
			if _, err := db.CreateUser(ctx, account.User{Email: fmt.Sprintf("u%d@example.fi", i), Name: "U", CreatedAt: time.Now()}); err != nil {
				t.Errorf("create user %d: %v", i, err)
				return
			}
			if err := db.Record(ctx, audit.Event{At: time.Now(), Action: audit.UserCreated, TargetID: fmt.Sprint(i)}); err != nil {
				t.Errorf("record %d: %v", i, err)
				return
			}
			written.Add(1)
		}
	})
	for written.Load() < 100 {
		time.Sleep(10 * time.Millisecond)
	}
	first := written.Load()
	file := filepath.Join(t.TempDir(), "b")
	backupFile(t, env, file)
	last := written.Load()
	close(stopWriting)
	wg.Wait()
	if last-first < 10 {
		t.Fatalf("only %d writes during the backup: the test proves nothing", last-first)
	}
	source := storeDocuments(t, db)

	restored := t.TempDir()
	restoreFile(t, []string{"VERTAA_DATA_DIR=" + restored, testMasterKey(7)}, file)
	rdb, _ := openTestStore(t, testConfig(t, "VERTAA_DATA_DIR="+restored))
	got := storeDocuments(t, rdb)
	for name, docs := range got {
		for _, d := range docs {
			if _, found := slices.BinarySearchFunc(source[name], d, bytes.Compare); !found {
				t.Fatalf("%s: the restored database holds a document the source never held", name)
			}
		}
	}
	users, events := int64(len(got["users"])), int64(len(got["audit"]))
	if users < first || users > last+1 || events < first || events > last+1 {
		t.Fatalf("the backup holds %d users and %d events; %d of each were written before it began, %d when it ended", users, events, first, last)
	}
	t.Logf("%d users and %d events written before the backup, %d by its end; it holds %d users and %d events", first, first, last, users, events)
}

// Restore refuses, with a message that says why, and leaves the target
// empty: a target that is not empty, or in use, a file that is not a
// backup or of an unknown version, a truncated or altered backup, and a
// wrong or missing master key. Backup refuses what it cannot back up.
func TestBackupRestoreRefusals(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	env := []string{"VERTAA_DATA_DIR=" + data, "VERTAA_PUBLIC_URL=" + testPublicURL, testMasterKey(1)}
	cfg := testConfig(t, env...)
	db, stop := openTestStore(t, cfg)
	if _, err := db.Instance(ctx); err != nil {
		t.Fatal(err)
	}
	master, _ := loadMaster(cfg, slog.New(slog.DiscardHandler))
	if _, _, err := openbadges.LoadKeys(ctx, db, master, openbadges.NewSite(testPublicURL)); err != nil {
		t.Fatal(err)
	}
	// Documents for several chunks: the audit events come first and the
	// users last, so that a restore that wrote before it checked the whole
	// archive would have written the events when it meets damage at the
	// end.
	for i := range 600 {
		if err := db.Record(ctx, audit.Event{At: time.Now(), Action: audit.UserCreated, TargetID: fmt.Sprint(i), Detail: strings.Repeat("x", 200)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 400 {
		if _, err := db.CreateUser(ctx, account.User{Email: fmt.Sprintf("user%d@example.fi", i), Name: strings.Repeat("Nimi ", 30), CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	files := t.TempDir()
	good := filepath.Join(files, "good")
	backupFile(t, env, good)
	archive, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	sourceDocs := documentsIn(t, data)
	bodyAt := bytes.IndexByte(archive, '\n') + 1
	bodyAt += bytes.IndexByte(archive[bodyAt:], '\n') + 1
	write := func(name string, b []byte) string {
		path := filepath.Join(files, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const chunk = 64<<10 + 16
	full := (len(archive) - bodyAt - 1) / chunk // chunks before the last
	if full < 3 {
		t.Fatalf("the archive has %d bytes of body, less than four chunks", len(archive)-bodyAt)
	}
	flipped := slices.Clone(archive)
	flipped[len(archive)-50] ^= 1

	target := filepath.Join(t.TempDir(), "target")
	held := t.TempDir()
	holder, err := embeddb.Start(held, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Stop()
	targetEnv := func(extra ...string) []string {
		return append([]string{"VERTAA_DATA_DIR=" + target}, extra...)
	}
	cases := []struct {
		name string
		env  []string
		file string
		code int
		want string
	}{
		{"not empty", env, good, exitUsage,
			fmt.Sprintf("VERTAA_DATA_DIR: the database vertaa already holds %d documents (in ", sourceDocs)},
		{"in use", []string{"VERTAA_DATA_DIR=" + held, testMasterKey(1)}, good, exitUsage,
			"(pid " + fmt.Sprint(os.Getpid()) + "): data folder is in use by another vertaa process: stop it first; a restore needs the data folder to itself"},
		{"wrong master key", targetEnv(testMasterKey(2)), good, exitUsage,
			"VERTAA_MASTER_KEY: is not the master key " + good + " was made with (a backup of instance "},
		{"no master key", targetEnv(), good, exitUsage,
			"VERTAA_MASTER_KEY: is not set and there is no " + filepath.Join(target, "master.key") + ": set it to the master key of the instance the backup was made of"},
		{"no such file", targetEnv(testMasterKey(1)), filepath.Join(files, "missing"), exitUsage, "no such file or directory"},
		{"not a backup", targetEnv(testMasterKey(1)), write("text", []byte("name,email\n")), exitUsage, ": not a vertaa backup"},
		{"wrong magic", targetEnv(testMasterKey(1)), write("magic", bytes.Replace(archive, []byte("vertaa-backup"), []byte("vertaa-backuq"), 1)),
			exitUsage, ": not a vertaa backup"},
		{"future version", targetEnv(testMasterKey(1)), write("v2", bytes.Replace(archive, []byte("vertaa-backup 1\n"), []byte("vertaa-backup 2\n"), 1)),
			exitUsage, ": unknown backup format version 2: this vertaa reads version 1"},
		{"truncated", targetEnv(testMasterKey(1)), write("cut", archive[:bodyAt+full*chunk]), exitFailure,
			fmt.Sprintf(": the backup is truncated: it ends after %d KiB of data, without its last part; nothing was restored", full*64)},
		{"header only", targetEnv(testMasterKey(1)), write("header", archive[:bodyAt]), exitFailure,
			": the backup is truncated: it ends after its header; nothing was restored"},
		{"truncated within", targetEnv(testMasterKey(1)), write("cut2", archive[:len(archive)-100]), exitFailure,
			": the backup is damaged or was altered: its last part does not authenticate (the file was cut short, damaged or altered"},
		{"flipped byte", targetEnv(testMasterKey(1)), write("flipped", flipped), exitFailure,
			": the backup is damaged or was altered: its last part does not authenticate"},
		{"no file", targetEnv(testMasterKey(1)), "", exitUsage, "usage: vertaa restore [settings] FILE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"restore"}
			if tc.file != "" {
				args = append(args, tc.file)
			}
			code, out, errOut := runVertaa(t, tc.env, "", args...)
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if code != tc.code || out != "" || len(lines) != 1 || !strings.HasPrefix(lines[0], "vertaa restore: ") || !strings.Contains(lines[0], tc.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d and one line with %q", code, out, errOut, tc.code, tc.want)
			}
		})
	}
	if n := documentsIn(t, target); n != 0 {
		t.Errorf("the refused restores left %d documents in the target", n)
	}
	if _, err := os.Stat(filepath.Join(target, "master.key")); !os.IsNotExist(err) {
		t.Errorf("a restore made a master key: %v", err)
	}
	if n := documentsIn(t, data); n != sourceDocs {
		t.Errorf("the refused restore into the source changed it: %d documents, was %d", n, sourceDocs)
	}

	// The refused restores did not spoil the target: the backup restores.
	restoreFile(t, targetEnv(testMasterKey(1)), good)

	ferret := t.TempDir()
	mongo, err := embeddb.Start(ferret, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer mongo.Stop()
	for _, tc := range []struct {
		name string
		env  []string
		file string
		want string
	}{
		{"exists", env, good, good + ": exists already: back up to a new file"},
		{"wrong master key", []string{"VERTAA_DATA_DIR=" + data, testMasterKey(3)}, filepath.Join(files, "new"),
			"VERTAA_MASTER_KEY: does not match the master key this database was set up with"},
		{"no master key", []string{"VERTAA_DATA_DIR=" + data}, filepath.Join(files, "new"),
			"VERTAA_MASTER_KEY: is not set and there is no " + filepath.Join(data, "master.key")},
		{"no database", []string{"VERTAA_DATA_DIR=" + t.TempDir(), testMasterKey(1)}, filepath.Join(files, "new"), "holds no database vertaa to back up"},
		{"standalone MongoDB", []string{"VERTAA_MONGODB_URI=" + mongo.URI(), testMasterKey(1)}, filepath.Join(files, "new"),
			"VERTAA_MONGODB_URI: the database is a standalone server, which cannot read every collection at one point in time; make it a replica set"},
	} {
		t.Run("backup "+tc.name, func(t *testing.T) {
			code, out, errOut := runVertaa(t, tc.env, "", "backup", tc.file)
			if code != exitUsage || out != "" || !strings.HasPrefix(errOut, "vertaa backup: ") || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 2 and %q", code, out, errOut, tc.want)
			}
			if _, err := os.Stat(filepath.Join(files, "new")); !os.IsNotExist(err) {
				t.Fatalf("a refused backup wrote its file: %v", err)
			}
		})
	}
	if leftovers, _ := filepath.Glob(filepath.Join(files, ".*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}
