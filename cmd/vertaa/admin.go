package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/embeddb"
	"vertaa/internal/store"
)

// adminCreate runs "vertaa admin create --email ... --name ...": it makes
// the person an administrator and prints a single-use link to set their
// password. It uses the same settings as the server; when a server is
// running on the embedded store, it talks to that server's database.
func adminCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vertaa admin create", flag.ContinueOnError)
	email := fs.String("email", "", "e-mail address of the administrator (required)")
	name := fs.String("name", "", "name of the administrator (required)")
	cfg, err := parseConfigWith(fs, args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil && (*email == "" || *name == "") {
		err = &configError{setting: "--email and --name", msg: "both are required"}
	}
	if err != nil {
		fmt.Fprintln(stderr, "vertaa admin create:", err)
		return exitUsage
	}
	if cfg.PublicURL == nil {
		cfg.PublicURL = &url.URL{Scheme: "http", Host: cfg.Addr}
	}
	db, stop, err := openStoreShared(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "vertaa admin create:", oneLine(err))
		if _, ok := errors.AsType[*configError](err); ok {
			return exitUsage
		}
		return exitFailure
	}
	defer stop()
	defer db.Close(context.Background())
	texts, err := loadTexts()
	if err != nil {
		fmt.Fprintln(stderr, "vertaa admin create:", err)
		return exitFailure
	}
	svc := account.NewService(db, texts, cfg.PublicURL.String(), func() {})
	u, link, err := svc.CreateAdmin(ctx, *email, *name)
	if err != nil {
		msg := oneLine(err)
		if fields := apperr.FieldsOf(err); len(fields) > 0 {
			msg = fmt.Sprintf("--%s: %s", fields[0].Field, fields[0].Code)
		}
		fmt.Fprintln(stderr, "vertaa admin create:", msg)
		if apperr.KindOf(err) == apperr.Invalid {
			return exitUsage
		}
		return exitFailure
	}
	fmt.Fprintf(stdout, "%s <%s> is an administrator.\nSet the password within two hours at:\n%s\n", u.Name, u.Email, link)
	return 0
}

// openStoreShared opens the database for a command run beside the
// server: with the embedded store, it starts it when no server holds the
// data folder, and otherwise connects to the running server's socket.
func openStoreShared(ctx context.Context, cfg config) (*store.Store, func(), error) {
	quiet := slog.New(slog.DiscardHandler)
	db, stop, err := openStore(ctx, cfg, quiet)
	if err == nil || cfg.MongoURI != "" || !errors.Is(err, embeddb.ErrInUse) {
		return db, stop, err
	}
	uri, err := embeddb.SocketURI(cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	openCtx, cancel := context.WithTimeout(ctx, cfg.MongoTimeout)
	defer cancel()
	db, err = store.Open(openCtx, uri, cfg.MongoDatabase)
	if err != nil {
		return nil, nil, fmt.Errorf("the data folder %s is in use, and its server does not answer: %w", cfg.DataDir, err)
	}
	return db, func() {}, nil
}
