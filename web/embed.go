// Package web holds the service's HTML templates, static assets and user
// interface texts, embedded into the binary.
package web

import "embed"

// Templates holds the HTML templates: layout.html and one file per page.
//
//go:embed templates/*.html
var Templates embed.FS

// Static holds the files served under /static/.
//
//go:embed static
var Static embed.FS

// Locales holds one JSON file of user interface texts per language.
//
//go:embed locales/*.json
var Locales embed.FS
