package badge_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"vertaa/badges"
	"vertaa/internal/assessment"
	"vertaa/internal/assessment/assessmenttest"
	"vertaa/internal/badge"
	"vertaa/internal/yamldoc"
	"vertaa/internal/yamldoc/schematest"
)

func loadSchema(t *testing.T) (*jsonschema.Schema, map[string]any) {
	return schematest.Load(t, badges.FS, "badge.schema.json")
}

// asJSON converts a YAML document to the JSON value the schema validates.
func asJSON(t *testing.T, data []byte) any { return schematest.YAML(t, data) }

// TestShippedBadgesMatchSchema validates every shipped badge class and the
// test fixture against the published JSON Schema.
func TestShippedBadgesMatchSchema(t *testing.T) {
	sch, _ := loadSchema(t)
	files, err := yamldoc.ReadFS(badges.FS, "badges")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 9 {
		t.Fatalf("%d shipped badges, want 9", len(files))
	}
	for name, f := range fixture(t) {
		if strings.HasSuffix(name, ".yaml") {
			files = append(files, yamldoc.File{Name: "testdata/fixture/" + name, Data: f.Data})
		}
	}
	for _, f := range files {
		if !bytes.HasPrefix(f.Data, []byte("# yaml-language-server: $schema=")) {
			t.Errorf("%s does not point editors at the schema on its first line", f.Name)
		}
		if err := sch.Validate(asJSON(t, f.Data)); err != nil {
			t.Errorf("%s does not match the schema: %v", f.Name, err)
		}
	}
}

// TestSchemaRejectsWhatTheLoaderRejects breaks the fixture in ways that
// both the schema and the loader must refuse.
func TestSchemaRejectsWhatTheLoaderRejects(t *testing.T) {
	sch, _ := loadSchema(t)
	cases := []struct {
		name, file string
		edits      []string
	}{
		{"unknown field", "path.yaml", []string{"valid_months: 0", "valid_months: 0\nvalid: 1"}},
		{"bad id", "path.yaml", []string{"id: path", "id: Path"}},
		{"bad version", "path.yaml", []string{"version: 1.0.0", "version: v1"}},
		{"unknown language", "path.yaml", []string{"en: Pathway}", "en: Pathway, de: Pfad}"}},
		{"image not an SVG", "path.yaml", []string{"image: path.svg", "image: path.png"}},
		{"bad achievement type", "path.yaml", []string{"achievement_type: Certificate", "achievement_type: Sertifikaatti"}},
		{"valid_months out of range", "path.yaml", []string{"valid_months: 0", "valid_months: -1"}},
		{"unknown earn kind", "path.yaml", []string{"kind: pathway", "kind: polku"}},
		{"pathway of one badge", "path.yaml", []string{"requires: [auto, apply]", "requires: [auto]"}},
		{"pathway requiring a badge twice", "path.yaml", []string{"requires: [auto, apply]", "requires: [auto, auto]"}},
		{"field of another way", "path.yaml", []string{"  kind: pathway", "  kind: pathway\n  approvals: 1"}},
		{"approvals out of range", "apply.yaml", []string{"approvals: 1", "approvals: 9"}},
		{"unknown reviewer", "apply.yaml", []string{"reviewers: [hr]", "reviewers: [rehtori]"}},
		{"no evidence prompt", "apply.yaml", []string{"  evidence_prompt: {fi: Kuvaa ja linkitä., sv: Beskriv och länka., en: Describe and link.}\n", ""}},
		{"no rules", "auto.yaml", []string{"  rules:\n    - area: pedagoginen-johtaminen\n      min_level: edistynyt\n    - min_overall: 3.0\n", ""}},
		{"area without a level", "auto.yaml", []string{"      min_level: edistynyt\n", ""}},
		{"empty rule", "auto.yaml", []string{"    - min_overall: 3.0", "    - {}"}},
		{"bad alignment URL", "auto.yaml", []string{"target_url: https://", "target_url: "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := fixture(t)
			edit(t, m, tc.file, tc.edits...)
			if err := sch.Validate(asJSON(t, m[tc.file].Data)); err == nil {
				t.Error("the schema accepted it")
			}
			if _, err := badge.Load(m, "", assessmenttest.Shipped(t)); err == nil {
				t.Error("the loader accepted it")
			}
		})
	}
	// The schema cannot see other files: a reference to an unknown badge
	// is the loader's to find.
	m := fixture(t)
	edit(t, m, "path.yaml", "requires: [auto, apply]", "requires: [auto, ghost]")
	if err := sch.Validate(asJSON(t, m["path.yaml"].Data)); err != nil {
		t.Errorf("the schema refused a reference it cannot check: %v", err)
	}
	if _, err := badge.Load(m, "", assessmenttest.Shipped(t)); err == nil {
		t.Error("the loader accepted a pathway requiring an unknown badge")
	}
}

// TestSchemaInSyncWithTypes checks that every object of the schema has
// exactly the fields of the Go type the loader decodes into.
func TestSchemaInSyncWithTypes(t *testing.T) {
	_, raw := loadSchema(t)
	defs := raw["$defs"].(map[string]any)
	schematest.InSync(t, raw, reflect.TypeFor[badge.Class](), reflect.TypeFor[assessment.Text]())

	// The kinds and achievement types are the loader's.
	earn := defs["earn"].(map[string]any)["properties"].(map[string]any)
	kinds := earn["kind"].(map[string]any)["enum"].([]any)
	if len(kinds) != 3 || kinds[0] != string(badge.Automatic) || kinds[1] != string(badge.ByApplication) || kinds[2] != string(badge.Pathway) {
		t.Errorf("schema earn kinds %v", kinds)
	}
	types := raw["properties"].(map[string]any)["achievement_type"].(map[string]any)["enum"].([]any)
	for _, ty := range types {
		if !badge.IsAchievementType(ty.(string)) {
			t.Errorf("schema achievement type %v is not the loader's", ty)
		}
	}
	if len(types) != 31 {
		t.Errorf("schema lists %d achievement types, the loader 31", len(types))
	}
}
