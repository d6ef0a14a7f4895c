package report

import (
	"fmt"
	"io"
	"testing"
	"time"
)

// The report benchmarks run with -cpu 1. Their floor is the fixed cost of
// any report: a one-page document with the same two embedded fonts and
// one line of text, so the ratios say what the reports' content costs.

func BenchmarkReportFloor(b *testing.B) {
	texts := load(b).texts
	b.ReportAllocs()
	for b.Loop() {
		d := newDoc("fi", texts, "floor", "floor", "floor", time.Time{})
		d.f.AddPage()
		for _, style := range []string{"", "B"} {
			d.para(leader, style, 10, ink)
		}
		if err := d.write(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPersonalReport(b *testing.B) {
	f := load(b)
	p := f.personalData(b, "fi")
	b.ReportAllocs()
	for b.Loop() {
		if err := RenderPersonal(io.Discard, p, f.texts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTeamReport renders the report of a round of 20 teams of 25.
func BenchmarkTeamReport(b *testing.B) {
	f := load(b)
	specs := make([]teamSpec, 20)
	for i := range specs {
		specs[i] = teamSpec{fmt.Sprintf("Tiimi %d", i+1), 25, 3}
	}
	t, _ := f.teamData(b, "fi", 1, specs)
	prev, _ := f.teamData(b, "fi", 2, specs)
	t.Previous, t.PreviousQuestionnaire, t.PreviousName = &prev.Summary, f.q, "Syksy 2025"
	b.ReportAllocs()
	for b.Loop() {
		if err := RenderTeam(io.Discard, t, f.texts); err != nil {
			b.Fatal(err)
		}
	}
}
