package store

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func newTestCache() (*docCache, *time.Time) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return &docCache{now: func() time.Time { return now }}, &now
}

func TestCacheHitMissExpiry(t *testing.T) {
	c, now := newTestCache()
	if _, ok, tk := c.get("users/u1"); ok {
		t.Fatal("hit in an empty cache")
	} else {
		c.offer(tk, "Aino")
	}
	if v, ok, _ := c.get("users/u1"); !ok || v != "Aino" {
		t.Fatalf("get = %v, %v", v, ok)
	}
	*now = now.Add(cacheTTL + time.Second)
	if _, ok, _ := c.get("users/u1"); ok {
		t.Fatal("an expired entry was returned")
	}
}

// TestCacheRefusesStaleOffers covers the race of a reader that misses,
// reads the old value from the database, and offers it after a writer
// changed the document and invalidated the key.
func TestCacheRefusesStaleOffers(t *testing.T) {
	c, _ := newTestCache()
	_, _, tk := c.get("users/u1") // reader misses and goes to the database
	c.invalidate("users/u1")      // a writer changes the document meanwhile
	c.offer(tk, "old name")       // the reader offers what it read
	if v, ok, _ := c.get("users/u1"); ok {
		t.Fatalf("a stale value was cached: %v", v)
	}
	// A prefix invalidation (sign out everywhere) refuses offers in flight.
	_, _, tk = c.get("sessions/u1:s1")
	c.invalidatePrefix("sessions/u1:")
	c.offer(tk, "session")
	if _, ok, _ := c.get("sessions/u1:s1"); ok {
		t.Fatal("a session ended by a prefix invalidation was cached")
	}
	// Other users' sessions go when their prefix does.
	_, _, tk = c.get("sessions/u2:s1")
	c.offer(tk, "session 2")
	c.invalidatePrefix("sessions/u1:")
	if _, ok, _ := c.get("sessions/u2:s1"); !ok {
		t.Fatal("another user's session was dropped")
	}
}

func TestCacheBounded(t *testing.T) {
	c, _ := newTestCache()
	for i := range cacheMaxKeys + 10 {
		_, _, tk := c.get(fmt.Sprint(i))
		c.offer(tk, i)
		c.invalidate(fmt.Sprint("w", i))
	}
	if len(c.entries) > cacheMaxKeys {
		t.Fatalf("%d entries", len(c.entries))
	}
}

func TestCacheConcurrent(t *testing.T) {
	c, _ := newTestCache()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				key := fmt.Sprint("k", i%20)
				if _, ok, tk := c.get(key); !ok {
					c.offer(tk, g)
				}
				if i%7 == 0 {
					c.invalidate(key)
				}
				if i%97 == 0 {
					c.invalidatePrefix("k1")
				}
			}
		})
	}
	wg.Wait()
}

// Expired values are removed as new ones come in, so that the cache holds
// what was read lately, not everything read since it was last emptied.
func TestCacheForgetsExpiredValues(t *testing.T) {
	c, now := newTestCache()
	for i := range 1000 {
		_, _, tk := c.get(fmt.Sprintf("drafts/d%d", i))
		c.offer(tk, i)
	}
	c.set("users/u1", "Aino")
	if len(c.entries) != 1001 {
		t.Fatalf("%d entries before expiry, want 1001", len(c.entries))
	}
	c.invalidate("drafts/d0")
	*now = now.Add(cacheTTL + time.Second)
	c.set("users/u2", "Eero")
	if len(c.entries) != 2 {
		t.Fatalf("%d entries after the values expired, want 2 (one of them an invalidation mark)", len(c.entries))
	}
	*now = now.Add(markTTL)
	c.set("users/u3", "Tuuli")
	if len(c.entries) != 1 {
		t.Fatalf("%d entries after the mark expired too, want 1", len(c.entries))
	}
	if v, ok, _ := c.get("users/u3"); !ok || v != "Tuuli" {
		t.Fatalf("the new value is gone: %v, %v", v, ok)
	}
}
