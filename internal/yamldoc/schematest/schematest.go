// Package schematest checks YAML definition files against the JSON Schemas
// published for editors, in tests.
package schematest

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// Load compiles the JSON Schema file name of fsys and returns it with its
// raw JSON.
func Load(t testing.TB, fsys fs.FS, name string) (*jsonschema.Schema, map[string]any) {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(name)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	return sch, raw
}

// YAML converts a YAML document to the JSON value a schema validates.
func YAML(t testing.TB, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// InSync checks that every object of the schema raw has exactly the fields
// (by yaml tag) of the Go type typ the loader decodes into, and refuses
// additional properties as the loader does. A map of type text is a text
// in fi, sv and en; any other map is checked against its schema's
// additionalProperties.
func InSync(t testing.TB, raw map[string]any, typ, text reflect.Type) {
	t.Helper()
	defs, _ := raw["$defs"].(map[string]any)
	resolve := func(node map[string]any) map[string]any {
		if ref, ok := node["$ref"].(string); ok {
			return defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		return node
	}
	var check func(path string, typ reflect.Type, node map[string]any)
	check = func(path string, typ reflect.Type, node map[string]any) {
		node = resolve(node)
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		switch typ.Kind() {
		case reflect.Struct:
			props, _ := node["properties"].(map[string]any)
			var fields []string
			for i := range typ.NumField() {
				f := typ.Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
				if name == "" || name == "-" {
					continue
				}
				fields = append(fields, name)
				sub, ok := props[name].(map[string]any)
				if !ok {
					t.Errorf("%s.%s (%s.%s) is not in the schema", path, name, typ.Name(), f.Name)
					continue
				}
				check(path+"."+name, f.Type, sub)
			}
			for _, k := range slices.Sorted(maps.Keys(props)) {
				if !slices.Contains(fields, k) {
					t.Errorf("schema property %s.%s has no field in %s", path, k, typ.Name())
				}
			}
			if node["additionalProperties"] != false {
				t.Errorf("schema object %s allows additional properties; the loader refuses unknown fields", path)
			}
		case reflect.Slice:
			items, ok := node["items"].(map[string]any)
			if !ok {
				t.Errorf("schema %s is not an array with items", path)
				return
			}
			check(path+"[]", typ.Elem(), items)
		case reflect.Map:
			if typ == text {
				if props, _ := node["properties"].(map[string]any); len(props) != 3 {
					t.Errorf("schema text %s does not list fi, sv and en", path)
				}
				return
			}
			ap, ok := node["additionalProperties"].(map[string]any)
			if !ok {
				t.Errorf("schema %s is not a map of objects", path)
				return
			}
			check(path+".*", typ.Elem(), ap)
		}
	}
	check("", typ, raw)
}
