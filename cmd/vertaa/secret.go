package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"vertaa/internal/keyring"
)

// masterFile is where the master key is kept when VERTAA_MASTER_KEY is
// not set.
const masterFile = "master.key"

// decodeSecret decodes a base64 master secret (standard or URL alphabet,
// padded or not) and checks its length.
func decodeSecret(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawURLEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, errors.New("is not base64 (make one with: openssl rand -base64 32)")
	}
	if len(b) < keyring.MinSecretLength {
		return nil, fmt.Errorf("is %d bytes; it must be at least %d random bytes", len(b), keyring.MinSecretLength)
	}
	return b, nil
}

// loadMaster returns the master secret from VERTAA_MASTER_KEY, or from
// the data folder's master.key, which it creates on the first start and
// then says so loudly: whoever runs the service must back the file up.
func loadMaster(cfg config, log *slog.Logger) (*keyring.Master, error) {
	if cfg.MasterKey != "" {
		b, err := decodeSecret(cfg.MasterKey)
		if err != nil {
			return nil, &configError{setting: cfg.source["VERTAA_MASTER_KEY"], msg: err.Error()}
		}
		return keyring.New(b)
	}
	path := filepath.Join(cfg.DataDir, masterFile)
	created, err := createSecretFile(path)
	if err != nil {
		return nil, &configError{setting: cfg.source["VERTAA_DATA_DIR"], msg: fmt.Sprintf("cannot create %s: %v", path, err)}
	}
	if created {
		log.Warn("CREATED A NEW MASTER KEY: back this file up and keep it secret. Without it the badge signing keys and sessions "+
			"in the database cannot be used; anyone who has it and the database can sign badges. Set VERTAA_MASTER_KEY to keep it outside the data folder.",
			"file", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &configError{setting: cfg.source["VERTAA_DATA_DIR"], msg: fmt.Sprintf("cannot read %s: %v", path, err)}
	}
	secret, err := decodeSecret(string(b))
	if err != nil {
		return nil, &configError{setting: cfg.source["VERTAA_DATA_DIR"], msg: fmt.Sprintf("%s %v", path, err)}
	}
	return keyring.New(secret)
}

// createSecretFile writes a new random secret to path, readable by the
// owner only, unless the file exists; created reports whether it did.
// The secret is written to a temporary file first and then linked in
// place, so that a process starting at the same time (a command beside
// the server) never reads a file that is empty or half written, and a
// failed write leaves no empty master.key behind.
func createSecretFile(path string) (created bool, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	if _, err := os.Lstat(path); err == nil {
		return false, nil
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*") // mode 0600
	if err != nil {
		return false, err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	secret := base64.StdEncoding.EncodeToString(keyring.NewSecret()) + "\n"
	_, err = f.WriteString(secret)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, err
	}
	// Link fails if path exists: whoever links first has created it. A
	// file system without hard links gets the secret by exclusive create.
	if err := os.Link(tmp, path); errors.Is(err, os.ErrExist) {
		return false, nil
	} else if err != nil {
		return writeNewFile(path, secret)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the new name durable
		_ = d.Close()
	}
	return true, nil
}

// writeNewFile writes content to path, which must not exist, readable by
// the owner only; created is false when it exists.
func writeNewFile(path, content string) (created bool, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = f.WriteString(content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path) // an empty master.key would stop every later start
		return false, err
	}
	return true, nil
}
