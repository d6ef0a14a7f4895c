package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"vertaa/internal/keyring"
)

// secretFile is where the master secret is kept when VERTAA_SECRET_KEY is
// not set.
const secretFile = "secret.key"

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

// loadMaster returns the master secret from VERTAA_SECRET_KEY, or from
// the data folder's secret.key, which it creates on the first start.
func loadMaster(cfg config) (*keyring.Master, error) {
	if cfg.SecretKey != "" {
		b, err := decodeSecret(cfg.SecretKey)
		if err != nil {
			return nil, &configError{setting: cfg.source["VERTAA_SECRET_KEY"], msg: err.Error()}
		}
		return keyring.New(b)
	}
	path := filepath.Join(cfg.DataDir, secretFile)
	if err := createSecretFile(path); err != nil {
		return nil, &configError{setting: cfg.source["VERTAA_DATA_DIR"], msg: fmt.Sprintf("cannot create %s: %v", path, err)}
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
// owner only, unless the file exists.
func createSecretFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(keyring.NewSecret()) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
