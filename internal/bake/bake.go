// Package bake puts an Open Badges credential into a badge image ("baking")
// and takes it out again, as the baking sections of Open Badges 3.0 (§5.3)
// and of the Open Badges 2.0 Baking Specification describe.
//
// A PNG carries the credential in one uncompressed iTXt chunk, an SVG in one
// openbadges:credential (3.0) or openbadges:assertion (2.0) element. Images
// to extract from come from strangers, so extraction is strict: whatever the
// specifications do not allow, or this package would not itself bake, is
// refused with one of the errors below, wrapped in a message that says which
// rule failed. Whatever ExtractPNG or ExtractSVG returns can be baked again
// and reads back unchanged.
package bake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Kind says which Open Badges version a baked value belongs to.
type Kind int

const (
	V3 Kind = iota // Open Badges 3.0: a VC-JWT (compact JWS) or JSON credential
	V2             // Open Badges 2.0: a hosted assertion URL, a signed assertion (compact JWS) or a JSON assertion
)

// String returns "Open Badges 3.0" or "Open Badges 2.0".
func (k Kind) String() string {
	switch k {
	case V3:
		return "Open Badges 3.0"
	case V2:
		return "Open Badges 2.0"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MaxImageSize is the largest image accepted for extraction (and produced): 5 MiB.
const MaxImageSize = 5 << 20

// MaxValueSize is the largest credential value baked or extracted: 1 MiB.
const MaxValueSize = 1 << 20

// The errors of this package. They come wrapped with the rule that failed;
// test for them with errors.Is.
var (
	ErrNotPNG         = errors.New("not a PNG image")
	ErrNotSVG         = errors.New("not an SVG image")
	ErrTruncated      = errors.New("image is truncated")
	ErrTooLarge       = errors.New("too large")
	ErrNoCredential   = errors.New("no baked credential")
	ErrTwoCredentials = errors.New("more than one baked credential")
	ErrCorrupt        = errors.New("image is corrupt")
	// ErrUnsupported is for content that is well formed but not allowed in
	// a baked badge: a compressed credential chunk, an XML DOCTYPE.
	ErrUnsupported = errors.New("not allowed in a baked badge")
	// ErrBadValue is for a value that is not a credential of its kind: not
	// a JSON object, a compact JWS or (2.0 only) an http(s) URL; or one that
	// the image format cannot carry unchanged.
	ErrBadValue = errors.New("not a usable credential value")
)

// annotate prefixes a non-nil *err with op.
func annotate(err *error, op string) {
	if *err != nil {
		*err = fmt.Errorf("%s: %w", op, *err)
	}
}

// checkValue reports whether value may be baked as kind: at most
// MaxValueSize bytes of UTF-8 holding a JSON object, a compact JWS, or for
// 2.0 an http(s) URL. Leading white space before a JSON object is allowed.
func checkValue(kind Kind, value string) error {
	switch {
	case kind != V3 && kind != V2:
		return fmt.Errorf("unknown kind %d: %w", int(kind), ErrBadValue)
	case value == "":
		return fmt.Errorf("empty value: %w", ErrBadValue)
	case len(value) > MaxValueSize:
		return fmt.Errorf("value of %d bytes, more than %d: %w", len(value), MaxValueSize, ErrTooLarge)
	case !utf8.ValidString(value):
		return fmt.Errorf("value is not valid UTF-8: %w", ErrBadValue)
	case isJSON(value):
		if !json.Valid([]byte(value)) {
			return fmt.Errorf("value starts like a JSON object but is not valid JSON: %w", ErrBadValue)
		}
	case isCompactJWS(value):
	case kind == V2 && isHTTPURL(value):
	case kind == V2:
		return fmt.Errorf("%v value is neither a JSON object, a compact JWS nor an http(s) URL: %w", kind, ErrBadValue)
	default:
		return fmt.Errorf("%v value is neither a JSON object nor a compact JWS: %w", kind, ErrBadValue)
	}
	return nil
}

// xmlSpace is the white space of XML.
const xmlSpace = " \t\r\n"

// isJSON reports whether value, after white space, starts a JSON object.
func isJSON(value string) bool {
	v := strings.TrimLeft(value, xmlSpace)
	return v != "" && v[0] == '{'
}

// isCompactJWS reports whether value has the shape of a JWS in compact
// serialization: three non-empty base64url segments joined by dots.
func isCompactJWS(value string) bool {
	parts := strings.Split(value, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// isHTTPURL reports whether value is an absolute http or https URL with a
// host and without white space or control characters.
func isHTTPURL(value string) bool {
	for i := 0; i < len(value); i++ {
		if value[i] <= ' ' || value[i] == 0x7f {
			return false
		}
	}
	u, err := url.Parse(value)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
