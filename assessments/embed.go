// Package assessments holds the questionnaire definitions shipped with
// vertaa and the JSON Schema of their format.
package assessments

import "embed"

// FS holds the shipped definitions (*.yaml) and questionnaire.schema.json.
//
//go:embed *.yaml questionnaire.schema.json
var FS embed.FS
