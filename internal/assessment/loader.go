package assessment

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize is the largest definition file the loader reads.
const MaxFileSize = 1 << 20

// File is a definition file: its name, as shown in problems, and content.
type File struct {
	Name string
	Data []byte
}

// ReadFS returns the definition files (*.yaml and *.yml) at the root of
// fsys, named prefix/name.
func ReadFS(fsys fs.FS, prefix string) ([]File, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var files []File
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		files = append(files, File{Name: path.Join(prefix, e.Name()), Data: b})
	}
	return files, nil
}

// Parse reads and validates one definition. The error, if any, is
// Problems: every problem in the file, each with its line and path.
func Parse(name string, data []byte) (*Questionnaire, error) {
	if len(data) > MaxFileSize {
		return nil, Problems{{File: name, Message: fmt.Sprintf("file is larger than %d bytes", MaxFileSize)}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlProblems(name, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, Problems{{File: name, Message: "file is empty"}}
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, Problems{{File: name, Line: root.Content[0].Line, Message: "a questionnaire must be a mapping of fields (id, version, title, ...)"}}
	}
	// Decode first: the decoder refuses excessive aliasing before anything
	// walks the tree. Values of the wrong type are reported together with
	// unknown fields.
	var q Questionnaire
	decodeErr := root.Decode(&q)
	if _, typeErr := decodeErr.(*yaml.TypeError); decodeErr != nil && !typeErr {
		return nil, yamlProblems(name, decodeErr)
	}
	pos := positions{}
	var ps Problems
	walk(&root, "", reflect.TypeFor[Questionnaire](), pos, func(p string, line int, key string) {
		ps = append(ps, Problem{File: name, Line: line, Path: p, Message: fmt.Sprintf("unknown field %q", key)})
	})
	if decodeErr != nil {
		ps = append(ps, yamlProblems(name, decodeErr)...)
		ps.sort()
		return nil, ps
	}
	v := &validator{file: name, pos: pos, q: &q}
	v.questionnaire()
	ps = append(ps, v.problems...)
	if len(ps) > 0 {
		ps.sort()
		return nil, ps
	}
	q.Source = name
	canonical, err := json.Marshal(&q)
	if err != nil {
		return nil, Problems{{File: name, Message: "cannot encode: " + err.Error()}}
	}
	sum := sha256.Sum256(canonical)
	q.Hash = "sha256:" + hex.EncodeToString(sum[:])
	return &q, nil
}

// Catalog is a set of questionnaires with unique ids.
type Catalog struct {
	all []*Questionnaire
}

// NewCatalog parses and validates every file. The error is Problems with
// every problem of every file, including an id used by two files.
func NewCatalog(files []File) (*Catalog, error) {
	var ps Problems
	c := &Catalog{}
	seen := map[string]string{}
	for _, f := range files {
		q, err := Parse(f.Name, f.Data)
		if err != nil {
			if fps, ok := err.(Problems); ok {
				ps = append(ps, fps...)
				continue
			}
			return nil, err
		}
		if other, dup := seen[q.ID]; dup {
			ps = append(ps, Problem{File: f.Name, Line: 1, Path: "id", Message: fmt.Sprintf("%q is already the id of %s", q.ID, other)})
			continue
		}
		seen[q.ID] = f.Name
		c.all = append(c.all, q)
	}
	if len(ps) > 0 {
		ps.sort()
		return nil, ps
	}
	slices.SortFunc(c.all, func(a, b *Questionnaire) int { return strings.Compare(a.ID, b.ID) })
	return c, nil
}

// All returns the questionnaires ordered by id.
func (c *Catalog) All() []*Questionnaire { return c.all }

// Get returns the questionnaire with the given id.
func (c *Catalog) Get(id string) (*Questionnaire, bool) {
	for _, q := range c.all {
		if q.ID == id {
			return q, true
		}
	}
	return nil, false
}
