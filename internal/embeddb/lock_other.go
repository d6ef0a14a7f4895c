//go:build !unix

package embeddb

import "errors"

type dirLock struct{}

func lockDir(string) (*dirLock, error) {
	return nil, errors.New("the embedded store needs a unix system (Linux or macOS); set VERTAA_MONGODB_URI to use MongoDB")
}

func (*dirLock) release() {}
