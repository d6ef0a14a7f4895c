package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mattn/go-isatty"

	"vertaa/assessments"
	"vertaa/internal/assessment"
	"vertaa/internal/embeddb"
	"vertaa/internal/logging"
	"vertaa/internal/store"
	"vertaa/internal/webapp"
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

	app, err := webapp.New(webapp.Config{
		Logger:         log,
		DB:             db,
		Questionnaires: catalog,
		PublicURL:      cfg.PublicURL,
		RequestTimeout: cfg.RequestTimeout,
	})
	if err != nil {
		return fail(err)
	}

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
	uri, setting := cfg.MongoURI, cfg.source["VERTAA_MONGODB_URI"]
	if uri == "" {
		setting = cfg.source["VERTAA_DATA_DIR"]
		if err := checkWritable(cfg.DataDir); err != nil {
			return nil, stop, &configError{setting: setting, msg: fmt.Sprintf("data folder %s is not writable: %v", cfg.DataDir, err)}
		}
		srv, err := embeddb.Start(cfg.DataDir, logging.Quiet(log, slog.LevelError).With("component", "ferretdb"))
		if errors.Is(err, embeddb.ErrInUse) {
			return nil, stop, &configError{setting: setting, msg: err.Error()}
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
	return s, stop, nil
}

// loadQuestionnaires loads the shipped questionnaires and those in dir, if
// set (setting names where dir came from). Any problem in any file stops
// the start, naming file and line.
func loadQuestionnaires(dir, setting string) (*assessment.Catalog, error) {
	files, err := assessment.ReadFS(assessments.FS, "assessments")
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
	if ps, ok := errors.AsType[assessment.Problems](err); ok {
		lines := make([]string, len(ps))
		for i, p := range ps {
			lines[i] = p.String()
		}
		return nil, fmt.Errorf("invalid questionnaire definitions (check them with vertaa validate): %s", strings.Join(lines, "; "))
	}
	return c, err
}

// oneLine folds a multi-line error message into one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
