// Package ratelimit limits how often something may happen per key (an
// account, a client address) with token buckets held in memory. Each
// process limits on its own: with several instances behind a load
// balancer, the effective limit is the sum over instances.
package ratelimit

import (
	"sync"
	"time"
)

// maxKeys bounds the memory a limiter uses; beyond it, full buckets are
// forgotten first.
const maxKeys = 100_000

// Limiter allows Burst events per key at once, refilled evenly over Per.
type Limiter struct {
	burst float64
	rate  float64 // tokens per second
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// New returns a limiter of burst events per period for each key.
func New(burst int, per time.Duration) *Limiter {
	return &Limiter{
		burst:   float64(burst),
		rate:    float64(burst) / per.Seconds(),
		now:     time.Now,
		buckets: make(map[string]*bucket),
	}
}

// refill brings a key's bucket up to date and returns it; a key never
// seen has a full bucket. The caller holds l.mu.
func (l *Limiter) refill(key string) *bucket {
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxKeys {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
		return b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	return b
}

// prune forgets the buckets that have refilled; if that frees nothing,
// it forgets all, rather than grow without bound.
func (l *Limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxKeys {
		clear(l.buckets)
	}
}

// wait is how long until the bucket holds one token. The caller holds l.mu.
func (l *Limiter) wait(b *bucket) time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1-b.tokens)/l.rate*float64(time.Second)).Round(time.Second) + time.Second
}

// Wait returns 0 when an event for key is allowed now, or how long until
// it will be. It uses nothing up.
func (l *Limiter) Wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.wait(l.refill(key))
}

// Take uses up one event for key. It returns 0 when the event was
// allowed, or how long until one will be (and then uses nothing up).
func (l *Limiter) Take(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(key)
	if d := l.wait(b); d > 0 {
		return d
	}
	b.tokens--
	return 0
}

// Reset forgets a key, as after a successful sign-in.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.buckets, key)
}
