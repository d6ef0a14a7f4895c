package store

import (
	"strings"
	"sync"
	"time"
)

// docCache keeps documents read by _id, for a store that is the only
// writer of its database (see Store.SetExclusive): every change goes
// through this process, which drops the cached copy as it writes, so
// the cache is exact. Entries also expire after cacheTTL, as a bound on
// staleness should anything write around the store (such as the command
// line connecting to a running server's database).
//
// A reader that misses the cache reads the database and then offers what
// it read; a change made between the two makes the offer too old to keep
// (generation numbers), so a stale copy is never cached.
type docCache struct {
	mu      sync.Mutex
	entries map[string]cacheEntry
	epoch   uint64 // raised when the cache is emptied
	gen     uint64 // raised by every invalidation
	now     func() time.Time
	// swept is when expired entries were last removed: they are, once
	// per cacheTTL, so that the cache holds what was read in the last
	// minute or two rather than everything read since it was emptied.
	swept time.Time
}

type cacheEntry struct {
	value   any    // nil for an invalidation mark
	gen     uint64 // the invalidation that last touched the key
	expires time.Time
}

const (
	cacheTTL     = time.Minute
	markTTL      = 10 * time.Minute
	cacheMaxKeys = 50_000
)

// ticket is what a reader holds between a miss and its offer.
type ticket struct {
	key        string
	epoch, gen uint64
}

// get returns the cached value of key, or a ticket to offer one read from
// the database.
func (c *docCache) get(key string) (any, bool, ticket) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if ok && e.value != nil && c.now().Before(e.expires) {
		return e.value, true, ticket{}
	}
	return nil, false, ticket{key: key, epoch: c.epoch, gen: e.gen}
}

// offer caches a value read from the database after a miss, unless the key
// was invalidated (or the cache emptied) since the ticket was issued.
func (c *docCache) offer(t ticket, value any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != t.epoch || c.entries[t.key].gen != t.gen {
		return
	}
	if len(c.entries) >= cacheMaxKeys {
		c.entries = nil // start afresh rather than grow
		c.epoch++
		return
	}
	if c.entries == nil {
		c.entries = make(map[string]cacheEntry)
	}
	c.sweep()
	c.entries[t.key] = cacheEntry{value: value, gen: t.gen, expires: c.now().Add(cacheTTL)}
}

// sweep removes the expired entries, at most once per cacheTTL; the
// caller holds mu. An invalidation mark keeps an offer made before the
// invalidation from being cached, so it expires only after markTTL, far
// beyond the longest request (a minute).
func (c *docCache) sweep() {
	now := c.now()
	if now.Sub(c.swept) < cacheTTL {
		return
	}
	c.swept = now
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
}

// invalidate drops the cached copy of key.
func (c *docCache) invalidate(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= cacheMaxKeys {
		c.entries = make(map[string]cacheEntry)
		c.epoch++
	}
	c.gen++
	c.entries[key] = cacheEntry{gen: c.gen, expires: c.now().Add(markTTL)}
}

// set caches the value just written for key (write-through); offers in
// flight for the key are refused.
func (c *docCache) set(key string, value any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= cacheMaxKeys {
		c.entries = make(map[string]cacheEntry)
		c.epoch++
	}
	c.gen++
	c.sweep()
	c.entries[key] = cacheEntry{value: value, gen: c.gen, expires: c.now().Add(cacheTTL)}
}

// invalidatePrefix drops the cached copies of every key with the prefix,
// and refuses every offer in flight, whatever its key.
func (c *docCache) invalidatePrefix(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for k := range c.entries {
		if strings.HasPrefix(k, prefix) {
			delete(c.entries, k)
		}
	}
}
