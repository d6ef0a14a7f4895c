package i18n_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"vertaa/internal/i18n"
)

func TestNegotiate(t *testing.T) {
	cases := map[string]i18n.Lang{
		"":                            i18n.FI,
		"sv-FI,sv;q=0.9,en;q=0.8":     i18n.SV,
		"en-GB,en;q=0.9":              i18n.EN,
		"de-DE,de;q=0.9":              i18n.FI,
		"de;q=0.9, en;q=0.5":          i18n.EN,
		"fi-FI":                       i18n.FI,
		"en;q=0.1, sv;q=0.2":          i18n.SV,
		"not a header ;;; q=ä":        i18n.FI,
		"*":                           i18n.FI,
		"nb-NO,nb;q=0.9,sv;q=0.5":     i18n.SV,
		"en-US,en;q=0.9,fi;q=0.8,sv;": i18n.EN,
	}
	for header, want := range cases {
		if got := i18n.Negotiate(header); got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", header, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]bool{"fi": true, "SV": true, " en ": true, "de": false, "": false, "fi-FI": false} {
		if _, ok := i18n.Parse(in); ok != want {
			t.Errorf("Parse(%q) ok = %v, want %v", in, ok, want)
		}
	}
}

func TestLoad(t *testing.T) {
	good := fstest.MapFS{
		"fi.json": {Data: []byte(`{"hello": "Hei %s", "bye": "Näkemiin"}`)},
		"sv.json": {Data: []byte(`{"hello": "Hej %s", "bye": "Hej då"}`)},
		"en.json": {Data: []byte(`{"hello": "Hello %s", "bye": "Goodbye"}`)},
	}
	c, err := i18n.Load(good)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T(i18n.SV, "hello", "Åsa"); got != "Hej Åsa" {
		t.Errorf("T(sv, hello) = %q", got)
	}
	if got := c.T(i18n.FI, "bye"); got != "Näkemiin" {
		t.Errorf("T(fi, bye) = %q", got)
	}
	if got := c.T(i18n.EN, "no.such.key"); got != "no.such.key" {
		t.Errorf("T of an unknown key = %q, want the key", got)
	}
	if !c.Has("bye") || c.Has("no.such.key") {
		t.Error("Has does not match the catalog")
	}

	t.Run("ErrMissingKey", func(t *testing.T) {
		bad := fstest.MapFS{
			"fi.json": good["fi.json"],
			"sv.json": {Data: []byte(`{"hello": "Hej %s"}`)},
			"en.json": {Data: []byte(`{"hello": "Hello %s", "bye": "   "}`)},
		}
		_, err := i18n.Load(bad)
		if err == nil {
			t.Fatal("Load accepted a catalog with a missing and an empty text")
		}
		for _, want := range []string{"sv.json: bye: missing", "en.json: bye: empty text"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	})
	t.Run("ErrBadJSON", func(t *testing.T) {
		bad := fstest.MapFS{"fi.json": {Data: []byte(`{"hello": `)}, "sv.json": good["sv.json"], "en.json": good["en.json"]}
		if _, err := i18n.Load(bad); err == nil || !strings.Contains(err.Error(), "fi.json") {
			t.Fatalf("got %v, want an error naming fi.json", err)
		}
	})
}

// FuzzNegotiate feeds arbitrary Accept-Language headers: the answer is
// always a supported language.
func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "fi", "sv-FI,sv;q=0.9", "en;q=x", "*;q=0.1", "zz-ZZ-u-co-phonebk"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		if _, ok := i18n.Parse(string(i18n.Negotiate(header))); !ok {
			t.Fatalf("Negotiate(%q) gave an unsupported language", header)
		}
	})
}
