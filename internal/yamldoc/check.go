package yamldoc

import "regexp"

var (
	idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	// semverPattern is the pattern of semver.org, 2.0.0.
	semverPattern = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)
)

// Limits of the definition formats.
const (
	MaxIDLength   = 64
	MaxTextLength = 4000 // bytes of one text in one language
)

// CheckID records a problem at path unless id is a valid id: lower-case
// letters, digits, '-' and '_', starting with a letter or digit.
func (d *Doc) CheckID(path, id string) {
	switch {
	case id == "":
		d.Addf(path, "missing id")
	case len(id) > MaxIDLength:
		d.Addf(path, "%q is longer than %d characters", id, MaxIDLength)
	case !idPattern.MatchString(id):
		d.Addf(path, "%q is not a valid id: use lower-case letters, digits, '-' and '_', starting with a letter or digit", id)
	}
}

// CheckVersion records a problem at path unless v is a semantic version.
func (d *Doc) CheckVersion(path, v string) {
	switch {
	case v == "":
		d.Addf(path, "missing version")
	case !semverPattern.MatchString(v):
		d.Addf(path, "%q is not a semantic version such as 1.0.0", v)
	}
}
