package store

import "sync"

// keyLocks serialises changes to one document within this process. The
// embedded store applies an update by reading the document and writing it
// back, so two concurrent updates of one document can lose one of them
// (see the contract tests); a lock per document key prevents that. Across
// processes (several instances on MongoDB) the revision check in the
// update filter refuses a stale write instead.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	users int // holders and waiters, so that the entry can be dropped
}

// lock locks key and returns the function that unlocks it.
func (l *keyLocks) lock(key string) (unlock func()) {
	l.mu.Lock()
	if l.m == nil {
		l.m = make(map[string]*keyLock)
	}
	k, ok := l.m[key]
	if !ok {
		k = &keyLock{}
		l.m[key] = k
	}
	k.users++
	l.mu.Unlock()

	k.Lock()
	return func() {
		k.Unlock()
		l.mu.Lock()
		k.users--
		if k.users == 0 {
			delete(l.m, key)
		}
		l.mu.Unlock()
	}
}
