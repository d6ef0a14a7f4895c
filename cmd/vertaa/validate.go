package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"vertaa/assessments"
	"vertaa/badges"
	"vertaa/internal/assessment"
	"vertaa/internal/badge"
	"vertaa/internal/yamldoc"
)

// validate checks questionnaire and badge class definitions and prints
// every problem as file:line: path: message. With no paths it checks the
// shipped questionnaires and the shipped badges. A path is a file or a
// folder of *.yaml files; a file with a top-level earn field is a badge
// class, any other a questionnaire. Badges are checked against the given
// questionnaires and the shipped ones, and against the given badges and
// the shipped ones, each set without the shipped definitions whose ids the
// given ones take; their artwork is read beside them. It returns 0 when
// all are valid, 1 when some are not and 2 when a path cannot be read.
func validate(paths []string, stdout, stderr io.Writer) int {
	shippedQ, err := yamldoc.ReadFS(assessments.FS, "assessments")
	if err != nil {
		fmt.Fprintln(stderr, "vertaa validate:", err)
		return exitFailure
	}
	shippedB, err := readBadges(badges.FS, "badges")
	if err != nil {
		fmt.Fprintln(stderr, "vertaa validate:", err)
		return exitFailure
	}
	var qFiles []yamldoc.File
	var bFiles []badge.File
	if len(paths) == 0 {
		qFiles, bFiles = shippedQ, shippedB
	}
	for _, p := range paths {
		files, dir, err := readDefinitionsIn(p)
		if err != nil {
			fmt.Fprintln(stderr, "vertaa validate:", err)
			return exitUsage
		}
		for _, f := range files {
			if isBadge(f.Data) {
				bFiles = append(bFiles, badge.File{File: f, Dir: dir})
			} else {
				qFiles = append(qFiles, f)
			}
		}
	}
	if len(qFiles)+len(bFiles) == 0 {
		fmt.Fprintln(stderr, "vertaa validate: no .yaml or .yml files in", paths)
		return exitUsage
	}

	var ps yamldoc.Problems
	var qs *assessment.Catalog
	if len(qFiles) > 0 {
		qs, err = assessment.NewCatalog(qFiles)
		if fps, ok := errors.AsType[yamldoc.Problems](err); ok {
			ps = append(ps, fps...)
		} else if err != nil {
			fmt.Fprintln(stderr, "vertaa validate:", err)
			return exitFailure
		}
	}
	var classes []*badge.Class
	if len(bFiles) > 0 {
		given := map[string]bool{}
		for _, f := range bFiles {
			given[f.Name] = true
		}
		all := append(bFiles, without(shippedB, bFiles)...)
		c, err := badge.LoadFiles(all, checkedAgainst(shippedQ, qFiles))
		if fps, ok := errors.AsType[yamldoc.Problems](err); ok {
			ps = append(ps, fps...)
		} else if err != nil {
			fmt.Fprintln(stderr, "vertaa validate:", err)
			return exitFailure
		} else {
			for _, cl := range c.All() {
				if given[cl.Source] {
					classes = append(classes, cl)
				}
			}
		}
	}
	if len(ps) > 0 {
		ps.Sort()
		for _, p := range ps {
			fmt.Fprintln(stdout, p)
		}
		fmt.Fprintf(stderr, "vertaa validate: %d problems in %d files\n", len(ps), len(qFiles)+len(bFiles))
		return exitFailure
	}
	if qs != nil {
		for _, q := range qs.All() {
			fmt.Fprintf(stdout, "%s: ok: %s %s, %d areas, %d items (%s)\n", q.Source, q.ID, q.Version, len(q.Areas), q.ItemCount(), q.Hash[:19])
		}
	}
	for _, cl := range classes {
		fmt.Fprintf(stdout, "%s: ok: %s %s, %s, %s, %s\n", cl.Source, cl.ID, cl.Version, cl.AchievementType, earnSummary(cl.Earn), validity(cl.ValidMonths))
	}
	return 0
}

// earnSummary says in a few words how a badge is earned.
func earnSummary(e badge.Earn) string {
	switch e.Kind {
	case badge.Automatic:
		return fmt.Sprintf("automatic from %s (%s)", e.Questionnaire, plural(len(e.Rules), "rule"))
	case badge.ByApplication:
		by := append(append([]string{}, e.Reviewers...), e.Endorsers...)
		return fmt.Sprintf("application (%s by %s)", plural(e.Approvals, "approval"), strings.Join(by, ", "))
	case badge.Pathway:
		return fmt.Sprintf("pathway of %s", plural(len(e.Requires), "badge"))
	}
	return string(e.Kind)
}

func validity(months int) string {
	if months == 0 {
		return "does not expire"
	}
	return "valid " + plural(months, "month")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// checkedAgainst returns the questionnaires badges are checked against:
// the given ones that are valid, and the shipped ones whose ids they do
// not take.
func checkedAgainst(shipped, given []yamldoc.File) *assessment.Catalog {
	var files []yamldoc.File
	ids := map[string]bool{}
	for _, f := range append(append([]yamldoc.File{}, given...), shipped...) {
		q, err := assessment.Parse(f.Name, f.Data)
		if err != nil || ids[q.ID] {
			continue
		}
		ids[q.ID] = true
		files = append(files, f)
	}
	c, err := assessment.NewCatalog(files)
	if err != nil {
		return nil // cannot happen: each file parsed, and the ids differ
	}
	return c
}

// without returns the shipped badge files that are not among the given
// files and whose ids none of them takes.
func without(shipped, given []badge.File) []badge.File {
	names, ids := map[string]bool{}, map[string]bool{}
	for _, f := range given {
		names[f.Name] = true
		ids[idOf(f.Data)] = true
	}
	var out []badge.File
	for _, f := range shipped {
		if !names[f.Name] && !ids[idOf(f.Data)] {
			out = append(out, f)
		}
	}
	return out
}

// idOf returns the top-level id of a definition, or "".
func idOf(data []byte) string {
	var d struct {
		ID string `yaml:"id"`
	}
	if len(data) > yamldoc.MaxFileSize || yaml.Unmarshal(data, &d) != nil {
		return ""
	}
	return d.ID
}

// isBadge reports whether a definition is a badge class: a mapping with a
// top-level earn field.
func isBadge(data []byte) bool {
	if len(data) > yamldoc.MaxFileSize {
		return false
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return false
	}
	m := root.Content[0].Content
	for i := 0; i+1 < len(m); i += 2 {
		if m[i].Value == "earn" {
			return true
		}
	}
	return false
}

func readBadges(fsys fs.FS, prefix string) ([]badge.File, error) {
	files, err := yamldoc.ReadFS(fsys, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]badge.File, len(files))
	for i, f := range files {
		out[i] = badge.File{File: f, Dir: fsys}
	}
	return out, nil
}

// readDefinitions reads one file, or the definition files of a folder.
func readDefinitions(path string) ([]yamldoc.File, error) {
	files, _, err := readDefinitionsIn(path)
	return files, err
}

// readDefinitionsIn is readDefinitions that also returns the folder the
// files are in, where a badge's artwork is read.
func readDefinitionsIn(path string) ([]yamldoc.File, fs.FS, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if info.IsDir() {
		dir := os.DirFS(path)
		files, err := yamldoc.ReadFS(dir, filepath.ToSlash(path))
		return files, dir, err
	}
	if info.Size() > yamldoc.MaxFileSize {
		return nil, nil, fmt.Errorf("%s is larger than %d bytes", path, yamldoc.MaxFileSize)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return []yamldoc.File{{Name: path, Data: b}}, os.DirFS(filepath.Dir(path)), nil
}
