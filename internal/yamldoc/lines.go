package yamldoc

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// positions maps a path such as "areas[2].items[0].text" to the line where
// it is written in the file.
type positions map[string]int

// line returns the line of path, or of its nearest ancestor present in the
// file (a missing key is reported where its parent is).
func (p positions) line(path string) int {
	for {
		if l, ok := p[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return p[""]
		}
		path = path[:i]
	}
}

// walk records the position of every node under n, and reports every
// mapping key that the Go type t does not have (a misspelt field would
// otherwise be ignored without a word). It does not follow aliases.
func walk(n *yaml.Node, path string, t reflect.Type, pos positions, unknown func(path string, line int, key string)) {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		walk(n.Content[0], path, t, pos, unknown)
		return
	}
	pos[path] = n.Line
	// An alias is checked where its anchor is; following it here could
	// take exponential time on a crafted file.
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			child := joinPath(path, key.Value)
			var ct reflect.Type
			switch {
			case t == nil:
			case t.Kind() == reflect.Struct:
				f, ok := fieldByTag(t, key.Value)
				if !ok {
					unknown(child, key.Line, key.Value)
					continue
				}
				ct = f
			case t.Kind() == reflect.Map:
				ct = t.Elem()
			}
			pos[child] = key.Line
			walk(val, child, ct, pos, unknown)
			// The key's line is more useful than the value's for a
			// block that starts on the next line.
			pos[child] = key.Line
		}
	case yaml.SequenceNode:
		var et reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			et = t.Elem()
		}
		for i, c := range n.Content {
			walk(c, path+"["+strconv.Itoa(i)+"]", et, pos, unknown)
		}
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// fieldByTag returns the type of the struct field whose yaml tag is name.
func fieldByTag(t reflect.Type, name string) (reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == name && tag != "-" {
			return f.Type, true
		}
	}
	return nil, false
}

// yamlProblems turns the errors of the YAML decoder into problems. The
// decoder reports "line N: message" for each value of the wrong type.
func yamlProblems(file string, err error) Problems {
	var ps Problems
	if te, ok := err.(*yaml.TypeError); ok {
		for _, e := range te.Errors {
			ps = append(ps, lineProblem(file, e))
		}
		return ps
	}
	return Problems{lineProblem(file, strings.TrimPrefix(err.Error(), "yaml: "))}
}

func lineProblem(file, msg string) Problem {
	var line int
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(n); err == nil {
				line, msg = l, after
			}
		}
	}
	return Problem{File: file, Line: line, Message: fmt.Sprint(msg)}
}
