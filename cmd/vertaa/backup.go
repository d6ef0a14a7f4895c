package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"vertaa/internal/apperr"
	"vertaa/internal/backup"
	"vertaa/internal/embeddb"
	"vertaa/internal/keyring"
	"vertaa/internal/store"
)

// Batches in which a restore writes documents.
const (
	restoreBatchDocs  = 1000
	restoreBatchBytes = 8 << 20
)

// backupCmd runs "vertaa backup FILE": it writes every document of every
// collection of the database, as it was at one moment, to a new archive
// encrypted under a key derived from the master key (see docs/backup.md).
// On the embedded store it reads a consistent copy of the database file,
// so a server may keep running; on MongoDB it reads in one snapshot
// session, which needs a replica set.
func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	const name = "vertaa backup"
	file, cfg, code := parseFileCommand(name, args, getenv, stderr)
	if file == "" {
		return code
	}
	fail := commandFailure(name, stderr)
	master, err := existingMaster(cfg, "the backup is encrypted with the master key the database was set up with")
	if err != nil {
		return fail(err)
	}
	if _, err := os.Lstat(file); err == nil {
		return fail(&configError{setting: file, msg: "exists already: back up to a new file"})
	}
	start := time.Now()
	src, err := openBackupSource(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	defer src.close()
	if err := checkMasterOpensKeys(ctx, src.db, master, cfg); err != nil {
		return fail(err)
	}
	h, size, err := writeBackup(ctx, file, src.snap, master, cfg.MongoDatabase)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "Backed up %d documents in %d collections of the database %s (%s) to %s (%.1f MB) in %.1f s.\n",
		h.Documents(), len(h.Collections), h.Database, instanceText(h), file, float64(size)/1e6, time.Since(start).Seconds())
	fmt.Fprintf(stdout, "The backup is encrypted: restoring it needs this master key (%s). Keep the key safe, apart from the backup.\n", masterSetting(cfg))
	return 0
}

// restoreCmd runs "vertaa restore FILE": it writes a backup into an empty
// database, after checking the whole archive, and then makes the indexes
// as a start of the server would.
func restoreCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	const name = "vertaa restore"
	file, cfg, code := parseFileCommand(name, args, getenv, stderr)
	if file == "" {
		return code
	}
	fail := commandFailure(name, stderr)
	f, err := os.Open(file)
	if err != nil {
		return fail(&configError{setting: "backup file", msg: err.Error()})
	}
	defer f.Close()
	r, err := backup.NewReader(f)
	if errors.Is(err, backup.ErrNotBackup) || errors.Is(err, backup.ErrVersion) {
		return fail(&configError{setting: file, msg: err.Error()})
	}
	if err != nil {
		return fail(fmt.Errorf("%s: %w; nothing was restored", file, err))
	}
	h := r.Header()
	master, err := existingMaster(cfg, "set it to the master key of the instance the backup was made of, or copy that instance's master.key into the data folder; restore never makes a new one")
	if err != nil {
		return fail(err)
	}
	if err := r.Unlock(master); err != nil {
		return fail(&configError{setting: masterSetting(cfg), msg: fmt.Sprintf("is not the master key %s was made with (a backup of %s, made %s): set VERTAA_MASTER_KEY to that instance's master key",
			file, instanceText(h), h.Created.Format(time.RFC3339))})
	}
	start := time.Now()
	dst, err := openRestoreTarget(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	defer dst.close()
	if err := checkEmpty(ctx, dst.db, cfg); err != nil {
		return fail(err)
	}
	// First the whole archive is decrypted and checked, and only then
	// written: a damaged archive changes nothing.
	if err := eachDocument(r, func(collection string, doc []byte) error {
		if err := store.CheckDocument(doc); err != nil {
			return fmt.Errorf("a document of %s: %w", collection, err)
		}
		return nil
	}); err != nil {
		return fail(fmt.Errorf("%s: %w; nothing was restored", file, err))
	}
	if err := writeRestore(ctx, f, master, dst, cfg.MongoDatabase); err != nil {
		return fail(fmt.Errorf("%w; the database now holds part of the backup: empty it (a new data folder, or drop the database) and restore again", err))
	}
	fmt.Fprintf(stdout, "Restored %d documents in %d collections into the database %s (%s) in %.1f s.\n",
		h.Documents(), len(h.Collections), cfg.MongoDatabase, dst.where, time.Since(start).Seconds())
	fmt.Fprintf(stdout, "It is the backup of %s made %s. Start the server with the same master key.\n", instanceText(h), h.Created.Format(time.RFC3339))
	return 0
}

// instanceText names the instance an archive was made of.
func instanceText(h backup.Header) string {
	if h.Instance == "" {
		return "an instance never started"
	}
	return "instance " + h.Instance
}

// parseFileCommand parses "vertaa backup|restore [settings] FILE". file is
// "" when the command is done with code (help, or a usage error).
func parseFileCommand(name string, args []string, getenv func(string) string, stderr io.Writer) (file string, cfg config, code int) {
	if len(args) == 0 || strings.HasPrefix(args[len(args)-1], "-") {
		fmt.Fprintf(stderr, "%s: usage: %s [settings] FILE (vertaa help lists the settings)\n", name, name)
		return "", cfg, exitUsage
	}
	file = args[len(args)-1]
	cfg, err := parseConfigWith(flag.NewFlagSet(name, flag.ContinueOnError), args[:len(args)-1], getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return "", cfg, 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return "", cfg, exitUsage
	}
	return file, cfg, 0
}

// commandFailure returns a function that reports err on one line and
// returns the exit code: 2 when the configuration or the arguments are at
// fault, 1 otherwise.
func commandFailure(name string, stderr io.Writer) func(error) int {
	return func(err error) int {
		fmt.Fprintf(stderr, "%s: %s\n", name, oneLine(err))
		if _, ok := errors.AsType[*configError](err); ok {
			return exitUsage
		}
		return exitFailure
	}
}

// existingMaster returns the master key of VERTAA_MASTER_KEY or the data
// folder's master.key. Unlike a start of the server it never makes one:
// a backup is encrypted with, and a restore needs, the key the data was
// sealed with. hint says what to do when there is none.
func existingMaster(cfg config, hint string) (*keyring.Master, error) {
	if cfg.MasterKey == "" {
		path := filepath.Join(cfg.DataDir, masterFile)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, &configError{setting: "VERTAA_MASTER_KEY", msg: fmt.Sprintf("is not set and there is no %s: %s", path, hint)}
		}
	}
	return loadMaster(cfg, slog.New(slog.DiscardHandler))
}

// checkMasterOpensKeys makes sure that master opens the signing keys
// stored in the database: a backup under another key would be of no use.
func checkMasterOpensKeys(ctx context.Context, db *store.Store, master *keyring.Master, cfg config) error {
	keys, err := db.AllSigningKeys(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := master.Open(k.Purpose, k.Sealed); err != nil {
			return &configError{setting: masterSetting(cfg), msg: "does not match the master key this database was set up with", err: err}
		}
	}
	return nil
}

// backupSource is the database a backup reads, at one point in time.
type backupSource struct {
	db    *store.Store
	snap  *store.Snapshot
	close func()
}

// openBackupSource opens a snapshot of the database: of a consistent copy
// of the embedded store's file, served by an embedded store of its own
// inside the data folder and removed by close (or by the next backup or
// start of the server, if this process is killed); or a snapshot session
// of MongoDB.
func openBackupSource(ctx context.Context, cfg config) (*backupSource, error) {
	openCtx, cancel := context.WithTimeout(ctx, cfg.MongoTimeout)
	defer cancel()
	if cfg.MongoURI != "" {
		setting := cfg.source["VERTAA_MONGODB_URI"]
		db, err := store.Open(openCtx, cfg.MongoURI, cfg.MongoDatabase)
		if err != nil {
			return nil, &configError{setting: setting, msg: fmt.Sprintf("cannot reach the database at %s within %v: %v", redactURI(cfg.MongoURI), cfg.MongoTimeout, err)}
		}
		snap, err := db.Snapshot(openCtx)
		if err != nil {
			_ = db.Close(context.Background())
			if apperr.KindOf(err) == apperr.Invalid {
				return nil, &configError{setting: setting, msg: apperr.MessageOf(err)}
			}
			return nil, err
		}
		return &backupSource{db: db, snap: snap, close: func() {
			snap.Close(context.Background())
			_ = db.Close(context.Background())
		}}, nil
	}
	srv, err := embeddb.StartSnapshot(ctx, cfg.DataDir, cfg.MongoDatabase, slog.New(slog.DiscardHandler))
	if errors.Is(err, embeddb.ErrNoDatabase) {
		return nil, &configError{setting: cfg.source["VERTAA_DATA_DIR"], msg: fmt.Sprintf("%s holds no database %s to back up", cfg.DataDir, cfg.MongoDatabase)}
	}
	if err != nil {
		return nil, fmt.Errorf("copy the database: %w", err)
	}
	db, err := store.Open(openCtx, srv.URI(), cfg.MongoDatabase)
	if err != nil {
		srv.Stop()
		return nil, fmt.Errorf("open the copy of the database: %w", err)
	}
	return &backupSource{db: db, snap: db.StaticSnapshot(), close: func() {
		_ = db.Close(context.Background())
		srv.Stop()
	}}, nil
}

// writeBackup writes the archive of the snapshot to a temporary file
// beside path and renames it to path once it is complete and synced.
func writeBackup(ctx context.Context, path string, snap *store.Snapshot, master *keyring.Master, database string) (backup.Header, int64, error) {
	colls, err := snap.Collections(ctx)
	if err != nil {
		return backup.Header{}, 0, err
	}
	inst, err := snap.InstanceID(ctx)
	if err != nil {
		return backup.Header{}, 0, err
	}
	h := backup.Header{Created: time.Now().UTC(), Database: database, Instance: inst}
	for _, c := range colls {
		h.Collections = append(h.Collections, backup.Collection{Name: c.Name, Documents: c.Documents})
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*") // mode 0600
	if err != nil {
		return h, 0, err
	}
	defer os.Remove(f.Name()) // after a failure; gone by then after success
	defer f.Close()
	buf := bufio.NewWriterSize(f, 1<<20)
	w, err := backup.NewWriter(buf, master, h)
	if err != nil {
		return h, 0, err
	}
	for _, c := range h.Collections {
		if err := snap.Documents(ctx, c.Name, func(doc []byte) error { return w.Add(c.Name, doc) }); err != nil {
			return h, 0, err
		}
	}
	if err := w.Close(); err != nil {
		return h, 0, err
	}
	if err := buf.Flush(); err != nil {
		return h, 0, err
	}
	if err := f.Sync(); err != nil {
		return h, 0, err
	}
	info, err := f.Stat()
	if err != nil {
		return h, 0, err
	}
	if err := f.Close(); err != nil {
		return h, 0, err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return h, 0, err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync() // make the new name durable
		_ = d.Close()
	}
	return h, info.Size(), nil
}

// restoreTarget is the database a restore writes.
type restoreTarget struct {
	db    *store.Store
	srv   *embeddb.Server // the embedded store, or nil for MongoDB
	where string          // the data folder or the MongoDB URI, for messages
	close func()
}

// openRestoreTarget opens the database to restore into without preparing
// it: on the embedded store it takes the data folder, and fails while a
// server holds it.
func openRestoreTarget(ctx context.Context, cfg config) (*restoreTarget, error) {
	openCtx, cancel := context.WithTimeout(ctx, cfg.MongoTimeout)
	defer cancel()
	if cfg.MongoURI != "" {
		db, err := store.Open(openCtx, cfg.MongoURI, cfg.MongoDatabase)
		if err != nil {
			return nil, &configError{setting: cfg.source["VERTAA_MONGODB_URI"], msg: fmt.Sprintf("cannot reach the database at %s within %v: %v", redactURI(cfg.MongoURI), cfg.MongoTimeout, err)}
		}
		return &restoreTarget{db: db, where: redactURI(cfg.MongoURI), close: func() { _ = db.Close(context.Background()) }}, nil
	}
	setting := cfg.source["VERTAA_DATA_DIR"]
	if err := checkWritable(cfg.DataDir); err != nil {
		return nil, &configError{setting: setting, msg: fmt.Sprintf("data folder %s is not writable: %v", cfg.DataDir, err)}
	}
	srv, err := embeddb.Start(cfg.DataDir, slog.New(slog.DiscardHandler))
	if errors.Is(err, embeddb.ErrInUse) {
		return nil, &configError{setting: setting, msg: err.Error() + ": stop it first; a restore needs the data folder to itself", err: err}
	}
	if err != nil {
		return nil, err
	}
	db, err := store.Open(openCtx, srv.URI(), cfg.MongoDatabase)
	if err != nil {
		srv.Stop()
		return nil, err
	}
	return &restoreTarget{db: db, srv: srv, where: "data folder " + srv.Dir(), close: func() {
		_ = db.Close(context.Background())
		srv.Stop()
	}}, nil
}

// checkEmpty refuses a database that holds any document.
func checkEmpty(ctx context.Context, db *store.Store, cfg config) error {
	colls, err := db.StaticSnapshot().Collections(ctx)
	if err != nil {
		return err
	}
	var total int64
	var names []string
	for _, c := range colls {
		if c.Documents > 0 {
			total += c.Documents
			names = append(names, c.Name)
		}
	}
	if total == 0 {
		return nil
	}
	setting, choose := cfg.source["VERTAA_DATA_DIR"], "a new data folder"
	if cfg.MongoURI != "" {
		setting, choose = cfg.source["VERTAA_MONGODB_DATABASE"], "a new database name"
	}
	return &configError{setting: setting, msg: fmt.Sprintf("the database %s already holds %d documents (in %s); a restore writes only into an empty database: choose %s",
		cfg.MongoDatabase, total, strings.Join(names, ", "), choose)}
}

// eachDocument calls f with every document of an unlocked archive and
// returns nil once the whole archive has been read intact.
func eachDocument(r *backup.Reader, f func(collection string, doc []byte) error) error {
	for {
		c, doc, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := f(c, doc); err != nil {
			return err
		}
	}
}

// writeRestore reads the archive in f again from its start and writes its
// collections and documents, in batches, then makes the indexes as the
// server does at start.
func writeRestore(ctx context.Context, f *os.File, master *keyring.Master, dst *restoreTarget, database string) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r, err := backup.NewReader(f)
	if err != nil {
		return err
	}
	if err := r.Unlock(master); err != nil {
		return err
	}
	for _, c := range r.Header().Collections {
		if err := dst.db.CreateCollection(ctx, c.Name); err != nil {
			return err
		}
	}
	var (
		batch [][]byte
		size  int
		coll  string
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := dst.db.InsertDocuments(ctx, coll, batch)
		batch, size = batch[:0], 0
		return err
	}
	err = eachDocument(r, func(c string, doc []byte) error {
		if c != coll {
			if err := flush(); err != nil {
				return err
			}
			coll = c
		}
		batch, size = append(batch, doc), size+len(doc)
		if len(batch) >= restoreBatchDocs || size >= restoreBatchBytes {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	if err := dst.db.EnsureSchema(ctx); err != nil {
		return fmt.Errorf("prepare the database: %w", err)
	}
	if dst.srv != nil {
		if err := dst.srv.IndexIDs(ctx, database); err != nil {
			return fmt.Errorf("index the embedded store: %w", err)
		}
	}
	return nil
}
