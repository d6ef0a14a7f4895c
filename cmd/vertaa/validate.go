package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"vertaa/assessments"
	"vertaa/internal/assessment"
	"vertaa/internal/yamldoc"
)

// validate checks definition files and prints every problem as
// file:line: path: message. With no paths it checks the shipped
// definitions. It returns 0 when all are valid, 1 when some are not and 2
// when a path cannot be read.
func validate(paths []string, stdout, stderr io.Writer) int {
	var files []yamldoc.File
	if len(paths) == 0 {
		fs, err := yamldoc.ReadFS(assessments.FS, "assessments")
		if err != nil {
			fmt.Fprintln(stderr, "vertaa validate:", err)
			return exitFailure
		}
		files = fs
	}
	for _, p := range paths {
		fs, err := readDefinitions(p)
		if err != nil {
			fmt.Fprintln(stderr, "vertaa validate:", err)
			return exitUsage
		}
		files = append(files, fs...)
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "vertaa validate: no .yaml or .yml files in", paths)
		return exitUsage
	}
	cat, err := assessment.NewCatalog(files)
	if ps, ok := errors.AsType[yamldoc.Problems](err); ok {
		for _, p := range ps {
			fmt.Fprintln(stdout, p)
		}
		fmt.Fprintf(stderr, "vertaa validate: %d problems in %d files\n", len(ps), len(files))
		return exitFailure
	}
	if err != nil {
		fmt.Fprintln(stderr, "vertaa validate:", err)
		return exitFailure
	}
	for _, q := range cat.All() {
		fmt.Fprintf(stdout, "%s: ok: %s %s, %d areas, %d items (%s)\n", q.Source, q.ID, q.Version, len(q.Areas), q.ItemCount(), q.Hash[:19])
	}
	return 0
}

// readDefinitions reads one file, or the definition files of a folder.
func readDefinitions(path string) ([]yamldoc.File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return yamldoc.ReadFS(os.DirFS(path), filepath.ToSlash(path))
	}
	if info.Size() > yamldoc.MaxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, yamldoc.MaxFileSize)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return []yamldoc.File{{Name: path, Data: b}}, nil
}
