package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"

	"vertaa/assessments"
	"vertaa/internal/account"
	"vertaa/internal/assessment"
	"vertaa/internal/audit"
	"vertaa/internal/embeddb"
	"vertaa/internal/i18n"
	"vertaa/internal/keyring"
	"vertaa/internal/logging"
	"vertaa/internal/mail"
	"vertaa/internal/openbadges"
	"vertaa/internal/response"
	"vertaa/internal/session"
	"vertaa/internal/store"
	"vertaa/internal/webapp"
	"vertaa/internal/yamldoc"
	"vertaa/web"
)

// serve runs the web server until SIGINT or SIGTERM, then shuts down in
// order: stop accepting, finish requests in flight (bounded), close the
// database connections, stop the embedded store.
func serve(ctx context.Context, cfg config, stderr io.Writer) int {
	terminal := false
	if f, ok := stderr.(*os.File); ok {
		terminal = isatty.IsTerminal(f.Fd())
	}
	log := logging.New(stderr, cfg.LogLevel, cfg.LogFormat, terminal)
	// fail reports why the server cannot start; a configuration error
	// exits with 2, anything else with 1.
	fail := func(err error) int {
		log.Error("vertaa cannot start", "error", oneLine(err))
		if _, ok := errors.AsType[*configError](err); ok {
			return exitUsage
		}
		return exitFailure
	}

	catalog, err := loadQuestionnaires(cfg.AssessmentsDir, cfg.source["VERTAA_ASSESSMENTS_DIR"])
	if err != nil {
		return fail(err)
	}
	for _, q := range catalog.All() {
		log.Info("questionnaire loaded", "id", q.ID, "version", q.Version, "hash", q.Hash, "source", q.Source)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fail(&configError{setting: cfg.source["VERTAA_ADDR"], msg: fmt.Sprintf("cannot listen on %s: %v", cfg.Addr, err)})
	}
	defer ln.Close()
	if cfg.PublicURL == nil {
		cfg.PublicURL = &url.URL{Scheme: "http", Host: ln.Addr().String()}
	}

	db, stopDB, err := openStore(ctx, cfg, log)
	if err != nil {
		return fail(err)
	}
	defer stopDB()

	inst, err := db.Instance(ctx)
	if err != nil {
		return fail(err)
	}
	log.Info("store ready", "database", cfg.MongoDatabase, "instance", inst.ID, "created_at", inst.CreatedAt)

	master, err := loadMaster(cfg, log)
	if err != nil {
		return fail(err)
	}
	sessions, err := session.New(ctx, db, master, cfg.PublicURL.String())
	if errors.Is(err, keyring.ErrOpen) {
		return fail(&configError{setting: masterSetting(cfg), msg: "does not match the master key this database was set up with"})
	}
	if err != nil {
		return fail(err)
	}
	texts, err := loadTexts()
	if err != nil {
		return fail(err)
	}
	sender, err := mailSender(cfg, log)
	if err != nil {
		return fail(err)
	}
	dispatcher := mail.NewDispatcher(db, sender, log)
	accounts := account.NewService(db, texts, cfg.PublicURL.String(), dispatcher.Notify)
	if link, expires, err := accounts.SetupLink(ctx); err != nil {
		return fail(err)
	} else if link != "" {
		log.Warn("this instance has no administrator yet: open the setup link to create the first one, or run vertaa admin create",
			"setup_link", link, "expires", expires.Format(time.RFC3339))
	}

	responses, err := response.NewService(ctx, db, catalog)
	if err != nil {
		return fail(err)
	}
	site := openbadges.NewSite(cfg.PublicURL.String())
	keys, created, err := openbadges.LoadKeys(ctx, db, master, site)
	if errors.Is(err, keyring.ErrOpen) {
		return fail(&configError{setting: masterSetting(cfg), msg: "does not match the master key this database was set up with"})
	}
	if err != nil {
		return fail(err)
	}
	if created {
		log.Info("created the first badge signing key", "kid", site.Key(keys.Current()))
	}
	badges, err := newBadges(cfg, badgeDeps{db: db, questionnaires: catalog, definitions: responses, texts: texts,
		notify: dispatcher.Notify}, keys, master.Derive("award-id"))
	if err != nil {
		return fail(err)
	}
	for _, cl := range badges.Classes().All() {
		log.Info("badge class loaded", "id", cl.ID, "version", cl.Version, "earned", cl.Earn.Kind, "source", cl.Source)
	}

	app, err := webapp.New(webapp.Config{
		Logger:             log,
		DB:                 db,
		Questionnaires:     catalog,
		Texts:              texts,
		PublicURL:          cfg.PublicURL,
		RequestTimeout:     cfg.RequestTimeout,
		Accounts:           accounts,
		Sessions:           sessions,
		Responses:          responses,
		Badges:             badges,
		AnonymityThreshold: cfg.AnonymityThreshold,
		CSRFKey:            master.Derive("csrf"),
		TrustedProxies:     cfg.TrustedProxies,
	})
	if err != nil {
		return fail(err)
	}

	// Background work: e-mail delivery and the removal of expired records.
	bgCtx, stopBackground := context.WithCancel(context.Background())
	defer stopBackground()
	var background sync.WaitGroup
	background.Go(func() { dispatcher.Run(bgCtx) })
	background.Go(func() { maintain(bgCtx, db, responses, log) })
	background.Go(func() { reloadKeys(bgCtx, keys, log) })

	sigCtx, stopSignals := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stopSignals()
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL.String())

	select {
	case err := <-served:
		return fail(fmt.Errorf("web server stopped: %w", err))
	case <-sigCtx.Done():
	}
	stopSignals() // a second signal now kills the process at once
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	code := 0
	if err := app.ShutdownWithTimeout(cfg.ShutdownTimeout); err != nil {
		log.Warn("requests still in flight were cut off", "error", err)
		code = exitFailure
	}
	<-served
	stopBackground()
	background.Wait()
	closeCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := db.Close(closeCtx); err != nil {
		log.Warn("closing the database connections", "error", err)
	}
	stopDB()
	log.Info("stopped")
	return code
}

// openStore connects to MongoDB, or starts the embedded store in the data
// folder, and makes sure the collections and indexes exist. stop stops the
// embedded store, if any; it may be called more than once. Errors the
// configuration is at fault for are *configError.
func openStore(ctx context.Context, cfg config, log *slog.Logger) (s *store.Store, stop func(), err error) {
	stop = func() {}
	var srv *embeddb.Server
	uri, setting := cfg.MongoURI, cfg.source["VERTAA_MONGODB_URI"]
	if uri == "" {
		setting = cfg.source["VERTAA_DATA_DIR"]
		if err := checkWritable(cfg.DataDir); err != nil {
			return nil, stop, &configError{setting: setting, msg: fmt.Sprintf("data folder %s is not writable: %v", cfg.DataDir, err)}
		}
		srv, err = embeddb.Start(cfg.DataDir, logging.Quiet(log, slog.LevelError).With("component", "ferretdb"))
		if errors.Is(err, embeddb.ErrInUse) {
			return nil, stop, &configError{setting: setting, msg: err.Error(), err: err}
		}
		if err != nil {
			return nil, stop, err
		}
		stop = srv.Stop
		uri = srv.URI()
		log.Info("no VERTAA_MONGODB_URI: using the embedded store (FerretDB on SQLite)", "data_dir", srv.Dir(), "socket", srv.Socket())
	}
	openCtx, cancel := context.WithTimeout(ctx, cfg.MongoTimeout)
	defer cancel()
	s, err = store.Open(openCtx, uri, cfg.MongoDatabase)
	if err != nil {
		stop()
		return nil, stop, &configError{setting: setting, msg: fmt.Sprintf("cannot reach the database at %s within %v: %v", redactURI(uri), cfg.MongoTimeout, err)}
	}
	if err := s.EnsureSchema(ctx); err != nil {
		_ = s.Close(context.Background())
		stop()
		return nil, stop, fmt.Errorf("prepare the database: %w", err)
	}
	if srv != nil {
		s.SetExclusive()
		if err := srv.IndexIDs(ctx, cfg.MongoDatabase); err != nil {
			_ = s.Close(context.Background())
			stop()
			return nil, stop, fmt.Errorf("index the embedded store: %w", err)
		}
	}
	return s, stop, nil
}

// loadQuestionnaires loads the shipped questionnaires and those in dir, if
// set (setting names where dir came from). Any problem in any file stops
// the start, naming file and line.
func loadQuestionnaires(dir, setting string) (*assessment.Catalog, error) {
	files, err := yamldoc.ReadFS(assessments.FS, "assessments")
	if err != nil {
		return nil, err
	}
	if dir != "" {
		extra, err := readDefinitions(dir)
		if err != nil {
			return nil, &configError{setting: setting, msg: err.Error()}
		}
		files = append(files, extra...)
	}
	c, err := assessment.NewCatalog(files)
	if ps, ok := errors.AsType[yamldoc.Problems](err); ok {
		lines := make([]string, len(ps))
		for i, p := range ps {
			lines[i] = p.String()
		}
		return nil, fmt.Errorf("invalid questionnaire definitions (check them with vertaa validate): %s", strings.Join(lines, "; "))
	}
	return c, err
}

// masterSetting names where the master secret came from.
func masterSetting(cfg config) string {
	if cfg.MasterKey != "" {
		return cfg.source["VERTAA_MASTER_KEY"]
	}
	return "VERTAA_MASTER_KEY (unset: " + filepath.Join(cfg.DataDir, masterFile) + ")"
}

// loadTexts loads the user interface texts.
func loadTexts() (*i18n.Catalog, error) {
	sub, err := fs.Sub(web.Locales, "locales")
	if err != nil {
		return nil, err
	}
	return i18n.Load(sub)
}

// mailSender returns the SMTP sender, or, with no SMTP server configured,
// one that keeps messages for the admin outbox page.
func mailSender(cfg config, log *slog.Logger) (mail.Sender, error) {
	if cfg.SMTP.Host == "" {
		log.Info("no VERTAA_SMTP_HOST: e-mail is not sent; administrators read it on the outbox page")
		return mail.LogSender{Log: log}, nil
	}
	return mail.NewSMTPSender(cfg.SMTP)
}

// maintain removes expired sessions and links, drafts that became
// responses over an hour ago, and audit events past their retention, and rebuilds the
// rounds' rollups that do not match their responses, at start and then
// every hour: the embedded store has no TTL indexes or transactions.
func maintain(ctx context.Context, db *store.Store, responses *response.Service, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		now := time.Now().UTC()
		if n, err := db.DeleteExpired(ctx, now); err != nil {
			log.Warn("removing expired sessions and links", "error", err)
		} else if n > 0 {
			log.Info("removed expired sessions and links", "count", n)
		}
		if n, err := db.DeleteSubmittedDrafts(ctx, now.Add(-submittedDraftsKept)); err != nil {
			log.Warn("removing submitted drafts", "error", err)
		} else if n > 0 {
			log.Info("removed submitted drafts", "count", n)
		}
		if n, err := responses.CheckRollups(ctx); err != nil {
			log.Warn("checking the rounds' rollups", "error", err)
		} else if n > 0 {
			log.Info("rebuilt rollups that did not match their responses", "count", n)
		}
		if n, err := db.DeleteAuditBefore(ctx, now.Add(-audit.Retention)); err != nil {
			log.Warn("removing old audit events", "error", err)
		} else if n > 0 {
			log.Info("removed audit events past their retention", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// submittedDraftsKept is how long a submitted draft stays: within it, a
// submission sent again leads to the response the first one made.
const submittedDraftsKept = time.Hour

// reloadKeys reads the badge keys every minute, so that a key rotated by
// "vertaa keys rotate" or another instance signs here too.
func reloadKeys(ctx context.Context, keys *openbadges.Keys, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		before := keys.Current()
		if err := keys.Reload(ctx); err != nil {
			log.Warn("reloading the badge keys", "error", err)
		} else if keys.Current() != before {
			log.Info("badge signing key changed", "kid", keys.Current())
		}
	}
}

// oneLine folds a multi-line error message into one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
