package webapp_test

import (
	"io/fs"
	"regexp"
	"testing"

	"vertaa/internal/apperr"
	"vertaa/internal/i18n"
	"vertaa/web"
)

// TestTemplateTextsExist checks that every text a template asks for, and
// every error heading the error handler asks for, is in the catalog.
func TestTemplateTextsExist(t *testing.T) {
	sub, err := fs.Sub(web.Locales, "locales")
	if err != nil {
		t.Fatal(err)
	}
	texts, err := i18n.Load(sub)
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`\.T "([^"]+)"`)
	files, err := fs.Glob(web.Templates, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v %v", files, err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(web.Templates, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			if !texts.Has(m[1]) {
				t.Errorf("%s uses unknown text %q", f, m[1])
			}
		}
	}
	for k := apperr.Internal; k <= apperr.TooMany; k++ {
		for _, part := range []string{".heading", ".text"} {
			if !texts.Has("error." + k.String() + part) {
				t.Errorf("no text error.%s%s", k, part)
			}
		}
	}
}
