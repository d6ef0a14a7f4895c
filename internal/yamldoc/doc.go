package yamldoc

import (
	"fmt"
	"io/fs"
	"path"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize is the largest definition file read.
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

// Doc is a decoded file, for reporting problems with their lines.
type Doc struct {
	file     string
	pos      positions
	Problems Problems
}

// Addf records a problem at path.
func (d *Doc) Addf(path, format string, args ...any) {
	d.Problems = append(d.Problems, Problem{File: d.file, Line: d.pos.line(path), Path: path, Message: fmt.Sprintf(format, args...)})
}

// Err returns the recorded problems, sorted, or nil.
func (d *Doc) Err() error {
	if len(d.Problems) == 0 {
		return nil
	}
	d.Problems.Sort()
	return d.Problems
}

// Decode reads one YAML document of file f into out, which must point to
// a struct. It reports, all at once, a malformed file, values of the wrong
// type and fields out does not have. A Doc is returned whenever decoding
// got far enough for further checks to add problems with lines; the error
// is Problems.
func Decode[T any](f File, out *T) (*Doc, error) {
	name, data := f.Name, f.Data
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
		return nil, Problems{{File: name, Line: root.Content[0].Line, Message: "the file must be a mapping of fields"}}
	}
	// Decode first: the decoder refuses excessive aliasing before anything
	// walks the tree. Values of the wrong type are reported together with
	// unknown fields.
	decodeErr := root.Decode(out)
	if _, typeErr := decodeErr.(*yaml.TypeError); decodeErr != nil && !typeErr {
		return nil, yamlProblems(name, decodeErr)
	}
	d := &Doc{file: name, pos: positions{}}
	walk(&root, "", reflect.TypeFor[T](), d.pos, func(p string, line int, key string) {
		d.Problems = append(d.Problems, Problem{File: name, Line: line, Path: p, Message: fmt.Sprintf("unknown field %q", key)})
	})
	if decodeErr != nil {
		d.Problems = append(d.Problems, yamlProblems(name, decodeErr)...)
		d.Problems.Sort()
		return nil, d.Problems
	}
	return d, nil
}
