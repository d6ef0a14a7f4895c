package assessment

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"vertaa/internal/yamldoc"
)

// Parse reads and validates one definition. The error, if any, is
// yamldoc.Problems: every problem in the file, each with its line and
// path.
func Parse(name string, data []byte) (*Questionnaire, error) {
	var q Questionnaire
	doc, err := yamldoc.Decode(yamldoc.File{Name: name, Data: data}, &q)
	if err != nil {
		return nil, err
	}
	v := &validator{doc: doc, q: &q}
	v.questionnaire()
	if err := doc.Err(); err != nil {
		return nil, err
	}
	q.Source = name
	canonical, err := json.Marshal(&q)
	if err != nil {
		return nil, yamldoc.Problems{{File: name, Message: "cannot encode: " + err.Error()}}
	}
	sum := sha256.Sum256(canonical)
	q.Hash = "sha256:" + hex.EncodeToString(sum[:])
	return &q, nil
}

// Catalog is a set of questionnaires with unique ids.
type Catalog struct {
	all []*Questionnaire
}

// NewCatalog parses and validates every file. The error is
// yamldoc.Problems with every problem of every file, including an id used
// by two files.
func NewCatalog(files []yamldoc.File) (*Catalog, error) {
	var ps yamldoc.Problems
	c := &Catalog{}
	seen := map[string]string{}
	for _, f := range files {
		q, err := Parse(f.Name, f.Data)
		if err != nil {
			if fps, ok := err.(yamldoc.Problems); ok {
				ps = append(ps, fps...)
				continue
			}
			return nil, err
		}
		if other, dup := seen[q.ID]; dup {
			ps = append(ps, yamldoc.Problem{File: f.Name, Line: 1, Path: "id", Message: fmt.Sprintf("%q is already the id of %s", q.ID, other)})
			continue
		}
		seen[q.ID] = f.Name
		c.all = append(c.all, q)
	}
	if len(ps) > 0 {
		ps.Sort()
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
