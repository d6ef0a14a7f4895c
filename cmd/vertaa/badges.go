package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"vertaa/badges"
	"vertaa/internal/assessment"
	"vertaa/internal/audit"
	"vertaa/internal/badge"
	"vertaa/internal/i18n"
	"vertaa/internal/keyring"
	"vertaa/internal/openbadges"
	"vertaa/internal/store"
	"vertaa/internal/yamldoc"
)

// loadBadges loads the shipped badge classes, checked against the
// questionnaires.
func loadBadges(questionnaires *assessment.Catalog) (*badge.Catalog, error) {
	c, err := badge.Load(badges.FS, "badges", questionnaires)
	if ps, ok := errors.AsType[yamldoc.Problems](err); ok {
		lines := make([]string, len(ps))
		for i, p := range ps {
			lines[i] = p.String()
		}
		return nil, fmt.Errorf("invalid badge definitions (check them with vertaa validate): %s", strings.Join(lines, "; "))
	}
	return c, err
}

// issuer returns who issues the badges.
func issuer(cfg config) openbadges.Issuer {
	iss := openbadges.Issuer{Name: cfg.IssuerName, URL: cfg.IssuerURL, Email: cfg.IssuerEmail}
	if iss.URL == "" {
		iss.URL = cfg.PublicURL.String()
	}
	return iss
}

// badgeDeps is what the badge service needs besides its keys.
type badgeDeps struct {
	db             *store.Store
	questionnaires *assessment.Catalog
	definitions    badge.Definitions
	texts          *i18n.Catalog
	notify         func()
}

// newBadges builds the badge service on the given keys.
func newBadges(cfg config, d badgeDeps, keys *openbadges.Keys, idKey []byte) (*badge.Service, error) {
	classes, err := loadBadges(d.questionnaires)
	if err != nil {
		return nil, err
	}
	return badge.NewService(badge.Config{Store: d.db, Classes: classes, Questionnaires: d.questionnaires,
		Definitions: d.definitions, Site: openbadges.NewSite(cfg.PublicURL.String()), Issuer: issuer(cfg),
		Keys: keys, Texts: d.texts, Notify: d.notify, IDKey: idKey})
}

// cliContext is what a command run beside the server needs: the
// configuration, the database and the texts.
type cliContext struct {
	cfg   config
	db    *store.Store
	texts *i18n.Catalog
	stop  func()
}

// openCLI parses the settings and opens the database for a command.
func openCLI(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stderr io.Writer) (*cliContext, int) {
	cfg, err := parseConfigWith(fs, args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil, 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		return nil, exitUsage
	}
	if cfg.PublicURL == nil {
		cfg.PublicURL = &url.URL{Scheme: "http", Host: cfg.Addr}
	}
	texts, err := loadTexts()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		return nil, exitFailure
	}
	db, stop, err := openStoreShared(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", fs.Name(), oneLine(err))
		if _, ok := errors.AsType[*configError](err); ok {
			return nil, exitUsage
		}
		return nil, exitFailure
	}
	return &cliContext{cfg: cfg, db: db, texts: texts, stop: func() { _ = db.Close(context.Background()); stop() }}, 0
}

// keysRotate runs "vertaa keys rotate": a new badge signing key signs
// from now on; the old one stays published so that what it signed still
// verifies. A running server picks the new key up within a minute.
func keysRotate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vertaa keys rotate", flag.ContinueOnError)
	cli, code := openCLI(ctx, fs, args, getenv, stderr)
	if cli == nil {
		return code
	}
	defer cli.stop()
	master, err := loadMaster(cli.cfg, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		fmt.Fprintln(stderr, "vertaa keys rotate:", oneLine(err))
		return exitUsage
	}
	site := openbadges.NewSite(cli.cfg.PublicURL.String())
	keys, _, err := openbadges.LoadKeys(ctx, cli.db, master, site)
	if errors.Is(err, keyring.ErrOpen) {
		fmt.Fprintln(stderr, "vertaa keys rotate:", masterSetting(cli.cfg), "does not match the master key this database was set up with")
		return exitUsage
	}
	if err != nil {
		fmt.Fprintln(stderr, "vertaa keys rotate:", oneLine(err))
		return exitFailure
	}
	old := keys.Current()
	id, err := keys.Rotate(ctx)
	if err == nil {
		err = cli.db.Record(ctx, audit.Event{At: time.Now().UTC(), Action: audit.KeyRotated, TargetID: id, Detail: "badge key; retired " + old})
	}
	if err != nil {
		fmt.Fprintln(stderr, "vertaa keys rotate:", oneLine(err))
		return exitFailure
	}
	fmt.Fprintf(stdout, "New badge signing key %s signs from now on.\nRetired %s; it stays published at %s\nAll keys: %s\n",
		id, old, site.Key(old), site.JWKS())
	return 0
}

// verifyFile runs "vertaa verify [-email ADDRESS] FILE": it checks a baked
// badge image, a file holding a JWT, or (given instead of FILE) a JWT or a
// URL of a badge, as the verification page does, and prints each check.
// It exits with 0 when the badge is valid and 1 when it is not.
func verifyFile(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vertaa verify", flag.ContinueOnError)
	email := fs.String("email", "", "e-mail address the badge should belong to")
	lang := fs.String("lang", "en", "language of the report: fi, sv or en")
	// The last argument is FILE: "-" (standard input) but no flag.
	if len(args) == 0 || args[len(args)-1] != "-" && strings.HasPrefix(args[len(args)-1], "-") {
		fmt.Fprintln(stderr, "vertaa verify: usage: vertaa verify [-email ADDRESS] [-lang fi|sv|en] [settings] FILE (a .png, .svg or .jwt file, - for standard input, or a JWT or badge URL)")
		return exitUsage
	}
	target := args[len(args)-1]
	in, err := readVerifyInput(target)
	if err != nil {
		fmt.Fprintln(stderr, "vertaa verify:", err)
		return exitUsage
	}
	cli, code := openCLI(ctx, fs, args[:len(args)-1], getenv, stderr)
	if cli == nil {
		return code
	}
	defer cli.stop()
	l, ok := i18n.Parse(*lang)
	if !ok {
		fmt.Fprintf(stderr, "vertaa verify: -lang %q: use fi, sv or en\n", *lang)
		return exitUsage
	}
	in.Email = *email
	catalog, err := loadQuestionnaires(cli.cfg.AssessmentsDir, cli.cfg.source["VERTAA_ASSESSMENTS_DIR"])
	if err != nil {
		fmt.Fprintln(stderr, "vertaa verify:", oneLine(err))
		return exitFailure
	}
	site := openbadges.NewSite(cli.cfg.PublicURL.String())
	keys, err := openbadges.LoadPublicKeys(ctx, cli.db, site)
	if err != nil {
		fmt.Fprintln(stderr, "vertaa verify:", oneLine(err))
		return exitFailure
	}
	// Verifying signs nothing and offers nothing: the id key is not used.
	svc, err := newBadges(cli.cfg, badgeDeps{db: cli.db, questionnaires: catalog, definitions: cli.db, texts: cli.texts,
		notify: func() {}}, keys, make([]byte, 32))
	if err != nil {
		fmt.Fprintln(stderr, "vertaa verify:", oneLine(err))
		return exitFailure
	}
	res, err := svc.Verify(ctx, in)
	if err != nil {
		fmt.Fprintln(stderr, "vertaa verify:", oneLine(err))
		return exitFailure
	}
	printVerification(stdout, cli.texts, l, res)
	if !res.Valid {
		return exitFailure
	}
	return 0
}

// readVerifyInput reads FILE, standard input for "-", or takes a JWT or a
// URL given in its place.
func readVerifyInput(target string) (badge.VerifyInput, error) {
	if target == "-" {
		b, err := io.ReadAll(io.LimitReader(os.Stdin, 5<<20))
		return badge.VerifyInput{File: b}, err
	}
	if strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "http://") || strings.Count(target, ".") == 2 && !strings.ContainsAny(target, "/\\") {
		if _, err := os.Stat(target); err != nil {
			return badge.VerifyInput{Text: target}, nil
		}
	}
	info, err := os.Stat(target)
	if err != nil {
		return badge.VerifyInput{}, err
	}
	if info.Size() > 5<<20 {
		return badge.VerifyInput{}, fmt.Errorf("%s is larger than 5 MiB", target)
	}
	b, err := os.ReadFile(target)
	return badge.VerifyInput{File: b}, err
}

// printVerification writes a verification report in plain language.
func printVerification(w io.Writer, texts *i18n.Catalog, l i18n.Lang, res badge.Verification) {
	if res.Valid {
		fmt.Fprintln(w, texts.T(l, "verify.valid"))
	} else {
		fmt.Fprintln(w, texts.T(l, "verify.invalid"))
	}
	if res.AwardURL != "" {
		fmt.Fprintln(w, res.AwardURL)
	}
	for _, ch := range res.Checks {
		mark := map[string]string{"passed": "✓", "failed": "✗", "skipped": "–"}[string(ch.Outcome)]
		key := "verify.check." + string(ch.Name) + "." + ch.Code
		if !texts.Has(key) {
			key = "verify.outcome." + string(ch.Outcome)
		}
		fmt.Fprintf(w, "%s %s: %s\n", mark, texts.T(l, "verify.check."+string(ch.Name)), texts.T(l, key))
		if ch.Detail != "" {
			fmt.Fprintf(w, "    %s\n", ch.Detail)
		}
	}
	if res.RevocationReason != "" {
		fmt.Fprintf(w, "%s: %s\n", texts.T(l, "award.revoke_reason"), res.RevocationReason)
	}
}
