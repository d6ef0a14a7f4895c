// Package badges holds the badge classes shipped with vertaa, their
// artwork and the JSON Schema of their format.
package badges

import "embed"

// FS holds the shipped badge classes (*.yaml), their artwork (*.svg and a
// PNG rendering of each, *.png) and badge.schema.json.
//
//go:embed *.yaml *.svg *.png badge.schema.json
var FS embed.FS
