package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"vertaa/internal/store/storetest"
)

// BenchmarkUserLists measures what starting an assessment reads of the
// leader (their responses and the draft of the round) on a store where
// others have 200 or 5,000 responses, against a floor of reading one
// response by its id in the same run. The goal is that the cost does not
// grow with the instance: the 5,000 case within 1.5 times the 200 case.
func BenchmarkUserLists(b *testing.B) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, others := range []int{200, 5000} {
		b.Run(fmt.Sprintf("others=%d", others), func(b *testing.B) {
			s, _ := storetest.NewWithSchemaDatabase(b)
			for i := range others {
				if _, err := s.AddResponse(ctx, responseOf(fmt.Sprintf("u%05d", i), "r", t0)); err != nil {
					b.Fatal(err)
				}
			}
			for i := range 3 {
				if _, err := s.AddResponse(ctx, responseOf("ann", fmt.Sprintf("a%d", i), t0.Add(time.Duration(i)*time.Hour))); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := s.CreateDraft(ctx, draftOf("ann", "round", "q", t0)); err != nil {
				b.Fatal(err)
			}
			b.Run("floor", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Response(ctx, "ann", "a1"); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("lists", func(b *testing.B) {
				for b.Loop() {
					rs, err := s.Responses(ctx, "ann")
					if err != nil || len(rs) != 3 {
						b.Fatal(len(rs), err)
					}
					if _, err := s.DraftFor(ctx, "ann", "round", "q"); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
