// Package assessmenttest gives tests the questionnaires that ship with
// vertaa.
package assessmenttest

import (
	"testing"

	"vertaa/assessments"
	"vertaa/internal/assessment"
	"vertaa/internal/yamldoc"
)

// Shipped returns the catalog of the shipped questionnaires, as the
// server loads it without a folder of its own.
func Shipped(tb testing.TB) *assessment.Catalog {
	tb.Helper()
	files, err := yamldoc.ReadFS(assessments.FS, "assessments")
	if err != nil {
		tb.Fatal(err)
	}
	c, err := assessment.NewCatalog(files)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
