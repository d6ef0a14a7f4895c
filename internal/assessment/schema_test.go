package assessment_test

import (
	"reflect"
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
	schematest.InSync(t, raw, reflect.TypeFor[assessment.Questionnaire](), reflect.TypeFor[assessment.Text]())
}
