package assessment_test

import (
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"vertaa/assessments"
	"vertaa/internal/assessment"
	"vertaa/internal/yamldoc"
	"vertaa/internal/yamldoc/schematest"
)

func loadSchema(t *testing.T) (*jsonschema.Schema, map[string]any) {
	return schematest.Load(t, assessments.FS, "questionnaire.schema.json")
}

// asJSON converts a YAML document to the JSON value the schema validates.
func asJSON(t *testing.T, data []byte) any { return schematest.YAML(t, data) }

// TestShippedDefinitionsMatchSchema validates every shipped definition and
// the test fixture against the published JSON Schema.
func TestShippedDefinitionsMatchSchema(t *testing.T) {
	sch, _ := loadSchema(t)
	files, err := yamldoc.ReadFS(assessments.FS, "assessments")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("%d shipped definitions, want at least 2", len(files))
	}
	files = append(files, yamldoc.File{Name: "fixture.yaml", Data: fixture(t)})
	for _, f := range files {
		if err := sch.Validate(asJSON(t, f.Data)); err != nil {
			t.Errorf("%s does not match the schema: %v", f.Name, err)
		}
	}
}

func TestSchemaRejectsWhatTheLoaderRejects(t *testing.T) {
	sch, _ := loadSchema(t)
	for name, data := range map[string][]byte{
		"unknown field":  edit(t, "estimated_minutes: 5", "estimated_minutes: 5\ntitel: x"),
		"bad item kind":  edit(t, "kind: text", "kind: essay"),
		"unknown lang":   edit(t, "en: Test questionnaire", "en: Test questionnaire\n  de: Test"),
		"bad id":         edit(t, "id: fixture", "id: Fixture"),
		"missing scales": edit(t, "scales:", "skales:"),
	} {
		if err := sch.Validate(asJSON(t, data)); err == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}

// TestSchemaInSyncWithTypes checks that every object of the schema has
// exactly the fields of the Go type the loader decodes into.
func TestSchemaInSyncWithTypes(t *testing.T) {
	_, raw := loadSchema(t)
	defs := raw["$defs"].(map[string]any)
	resolve := func(node map[string]any) map[string]any {
		if ref, ok := node["$ref"].(string); ok {
			return defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		return node
	}
	var check func(path string, typ reflect.Type, node map[string]any)
	check = func(path string, typ reflect.Type, node map[string]any) {
		node = resolve(node)
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
			var keys []string
			for k := range props {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
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
			if typ == reflect.TypeFor[assessment.Text]() {
				props, _ := node["properties"].(map[string]any)
				if len(props) != 3 {
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
	check("", reflect.TypeFor[assessment.Questionnaire](), raw)
}
