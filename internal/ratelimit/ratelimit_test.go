package ratelimit

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// clock is a manual clock for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newTest(burst int, per time.Duration) (*Limiter, *clock) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := New(burst, per)
	l.now = c.now
	return l, c
}

func TestBurstThenRefill(t *testing.T) {
	l, c := newTest(5, 15*time.Minute)
	for i := range 5 {
		if d := l.Take("a"); d != 0 {
			t.Fatalf("event %d refused (wait %v)", i+1, d)
		}
	}
	d := l.Take("a")
	if d <= 0 || d > 3*time.Minute+time.Second {
		t.Fatalf("6th event: wait %v, want about 3m (15m / 5)", d)
	}
	if l.Wait("a") <= 0 {
		t.Fatal("Wait says allowed after the burst")
	}
	if l.Take("b") != 0 {
		t.Fatal("another key is limited too")
	}
	c.add(3 * time.Minute)
	if d := l.Take("a"); d != 0 {
		t.Fatalf("after 3m: wait %v, want one event allowed", d)
	}
	if l.Take("a") == 0 {
		t.Fatal("two events allowed after refilling one")
	}
	c.add(time.Hour)
	for i := range 5 {
		if l.Take("a") != 0 {
			t.Fatalf("after an hour, event %d refused: the bucket should be full", i+1)
		}
	}
}

func TestWaitUsesNothing(t *testing.T) {
	l, _ := newTest(2, time.Minute)
	for range 10 {
		if l.Wait("k") != 0 {
			t.Fatal("Wait used up events")
		}
	}
	l.Take("k")
	l.Take("k")
	if l.Wait("k") == 0 {
		t.Fatal("Wait allows after the burst")
	}
	l.Reset("k")
	if l.Wait("k") != 0 {
		t.Fatal("Reset did not forget the key")
	}
}

func TestConcurrentTakesAllowExactlyTheBurst(t *testing.T) {
	l, _ := newTest(50, time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 200 {
		wg.Go(func() {
			if l.Take("k") == 0 {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != 50 {
		t.Fatalf("%d of 200 concurrent events allowed, want 50", allowed)
	}
}

func TestMemoryIsBounded(t *testing.T) {
	l, c := newTest(1, time.Second)
	for i := range maxKeys + 10 {
		l.Take(fmt.Sprint(i))
	}
	if len(l.buckets) > maxKeys {
		t.Fatalf("%d buckets, want at most %d", len(l.buckets), maxKeys)
	}
	c.add(time.Minute)
	l.Take("new")
	if len(l.buckets) > maxKeys {
		t.Fatalf("%d buckets after pruning", len(l.buckets))
	}
}
