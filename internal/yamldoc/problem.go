// Package yamldoc reads definition files written in YAML (questionnaires,
// badge classes) into Go types, and reports every problem of a file at
// once with its file, line and path, e.g. "johtamisosaaminen.yaml:120:
// areas[2].items[0].text.sv: missing translation".
package yamldoc

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a definition file, located by file, line
// and path, e.g. "johtamisosaaminen.yaml:120: areas[2].items[0].text.sv:
// missing translation".
type Problem struct {
	File    string
	Line    int
	Path    string
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in one or more definition files. It is
// the error the loader returns, so that an author sees all of them at once.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders problems by file, then line, then path.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Path < b.Path
	})
}
