// Package obtest checks Open Badges documents in tests against the official
// JSON Schemas and JSON-LD contexts in ../shared/openbadges, which exist
// beside the repository in development and CI but not on a user's machine:
// without the folder a test about the schema skips, and a check inside a
// larger test is left out with a line in the test log.
package obtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// dir returns ../shared/openbadges beside the repository, or "".
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	d := filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "shared", "openbadges")
	if _, err := os.Stat(d); err != nil {
		return ""
	}
	return d
}

// ValidateCredential checks an OpenBadgeCredential (JSON) against the Open
// Badges 3.0 AchievementCredential schema (draft 2019-09), and checks that
// every property it uses is defined by the contexts it lists, as a JSON-LD
// processor in safe mode requires.
func ValidateCredential(t testing.TB, credential []byte) {
	t.Helper()
	if dir() == "" {
		t.Log("the credential was not checked against the Open Badges 3.0 schema: ../shared/openbadges is absent")
		return
	}
	if err := CheckCredential(t, credential); err != nil {
		t.Fatalf("%v\n%s", err, credential)
	}
}

// CheckCredential is ValidateCredential returning what is wrong instead of
// failing the test; it skips the test without ../shared/openbadges.
func CheckCredential(t testing.TB, credential []byte) error {
	t.Helper()
	d := dir()
	if d == "" {
		t.Skip("../shared/openbadges is absent: the Open Badges schema checks need it")
	}
	const name = "ob_v3p0_achievementcredential_schema.json"
	raw, err := os.ReadFile(filepath.Join(d, "schema", name))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2019)
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(name)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(credential))
	if err != nil {
		return fmt.Errorf("credential is not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("credential does not follow the Open Badges 3.0 schema:\n%v", err)
	}
	return checkTerms(t, d, credential)
}

// contextFiles maps the context URLs the service uses to their files.
var contextFiles = map[string]string{
	"https://www.w3.org/ns/credentials/v2":                       "credentials-v2.jsonld",
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-3.0.3.json",
	"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json":    "ob-v3p0-extensions.json",
}

// checkTerms fails when a property name or a type of the document is not a
// term of one of the contexts it lists.
func checkTerms(t testing.TB, d string, credential []byte) error {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(credential, &v); err != nil {
		return err
	}
	terms := map[string]bool{}
	ctxs, _ := v["@context"].([]any)
	for _, c := range ctxs {
		u, _ := c.(string)
		file, ok := contextFiles[u]
		if !ok {
			return fmt.Errorf("context %q is not one of the known contexts", u)
		}
		raw, err := os.ReadFile(filepath.Join(d, "contexts", file))
		if err != nil {
			t.Fatal(err)
		}
		var ctx any
		if err := json.Unmarshal(raw, &ctx); err != nil {
			t.Fatal(err)
		}
		collectTerms(ctx, terms)
	}
	var missing []string
	walk(v, func(key string, typ []string) {
		if !strings.HasPrefix(key, "@") && key != "id" && key != "type" && !terms[key] {
			missing = append(missing, "property "+key)
		}
		for _, ty := range typ {
			if !terms[ty] {
				missing = append(missing, "type "+ty)
			}
		}
	})
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("not defined by the credential's contexts: %s", strings.Join(missing, ", "))
	}
	return nil
}

// collectTerms adds every key of every @context object in v.
func collectTerms(v any, terms map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if c, ok := x["@context"]; ok {
			collectTerms(c, terms)
		}
		for k, val := range x {
			if !strings.HasPrefix(k, "@") {
				terms[k] = true
			}
			if m, ok := val.(map[string]any); ok {
				collectTerms(m, terms)
			}
		}
	case []any:
		for _, e := range x {
			collectTerms(e, terms)
		}
	}
}

// walk calls f for every property of every object, with the object's types
// for the "type" property.
func walk(v any, f func(key string, types []string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if k == "@context" {
				continue
			}
			var types []string
			if k == "type" {
				switch ty := val.(type) {
				case string:
					types = []string{ty}
				case []any:
					for _, e := range ty {
						s, _ := e.(string)
						types = append(types, s)
					}
				}
			}
			f(k, types)
			if k != "type" {
				walk(val, f)
			}
		}
	case []any:
		for _, e := range x {
			walk(e, f)
		}
	}
}
