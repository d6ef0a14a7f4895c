// Package i18n holds the user interface texts in Finnish, Swedish and
// English and picks a language for a request.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Lang is a supported user interface language, as a BCP 47 tag.
type Lang string

// The supported languages. Finnish is the default: the service is run by
// Finnish colleges.
const (
	FI Lang = "fi"
	SV Lang = "sv"
	EN Lang = "en"
)

// Default is the language used when nothing else matches.
const Default = FI

// Langs lists the supported languages in the order they are offered.
var Langs = []Lang{FI, SV, EN}

var matcher = language.NewMatcher([]language.Tag{language.Finnish, language.Swedish, language.English})

// Parse returns the supported language named by s ("fi", "sv", "en", any
// case) and whether s named one.
func Parse(s string) (Lang, bool) {
	l := Lang(strings.ToLower(strings.TrimSpace(s)))
	return l, slices.Contains(Langs, l)
}

// Negotiate picks the supported language that best matches an
// Accept-Language header, or Default.
func Negotiate(acceptLanguage string) Lang {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Langs[i]
}

// Catalog maps message keys to texts in every supported language.
type Catalog struct {
	texts map[Lang]map[string]string
}

// Load reads one JSON object of key -> text per language from fsys
// (fi.json, sv.json, en.json) and checks that every language has exactly
// the same keys and no empty text.
func Load(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{texts: make(map[Lang]map[string]string, len(Langs))}
	for _, l := range Langs {
		b, err := fs.ReadFile(fsys, string(l)+".json")
		if err != nil {
			return nil, fmt.Errorf("load %s texts: %w", l, err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("load %s.json: %w", l, err)
		}
		c.texts[l] = m
	}
	var problems []string
	for _, l := range Langs {
		for key, text := range c.texts[l] {
			if strings.TrimSpace(text) == "" {
				problems = append(problems, fmt.Sprintf("%s.json: %s: empty text", l, key))
			}
			for _, other := range Langs {
				if _, ok := c.texts[other][key]; !ok {
					problems = append(problems, fmt.Sprintf("%s.json: %s: missing (present in %s.json)", other, key, l))
				}
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		problems = slices.Compact(problems)
		return nil, fmt.Errorf("texts do not match across languages:\n%s", strings.Join(problems, "\n"))
	}
	return c, nil
}

// T returns the text of key in lang, formatted with args as by fmt.Sprintf.
// An unknown key returns the key itself, so that a missing text shows up
// on the page instead of breaking it; tests check that templates use only
// known keys.
func (c *Catalog) T(lang Lang, key string, args ...any) string {
	text, ok := c.texts[lang][key]
	if !ok {
		text, ok = c.texts[Default][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(text, args...)
	}
	return text
}

// Has reports whether key is a known message key.
func (c *Catalog) Has(key string) bool {
	_, ok := c.texts[Default][key]
	return ok
}
