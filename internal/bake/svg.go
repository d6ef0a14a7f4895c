package bake

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// The namespaces of an SVG document and of the baked elements.
const (
	nsSVG = "http://www.w3.org/2000/svg"
	nsV3  = "https://purl.imsglobal.org/ob/v3p0"
	nsV2  = "http://openbadges.org"
)

// BakeSVG returns the SVG with the credential element added as the first
// child of the root <svg>, and xmlns:openbadges on the root declaring the
// element's namespace:
//
//   - V3, xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0": a JSON
//     credential goes in the body, <openbadges:credential><![CDATA[json]]></openbadges:credential>;
//     a VC-JWT goes in the verify attribute, <openbadges:credential verify="jws"></openbadges:credential>.
//   - V2, xmlns:openbadges="http://openbadges.org": a hosted assertion URL or
//     a signed assertion goes in the verify attribute, <openbadges:assertion verify="url"/>;
//     a JSON assertion goes in the body, <openbadges:assertion verify="url"><![CDATA[json]]></openbadges:assertion>,
//     with its verify.url (or else its id) in the verify attribute.
//
// Any existing openbadges:credential or openbadges:assertion element is
// removed, and the rest of the document is kept byte for byte. White space
// around the value is not part of it and is dropped. BakeSVG refuses input
// that ExtractSVG would refuse, a value containing "]]>", and a value with
// characters XML does not carry unchanged (control characters, and carriage
// returns, which XML turns into line feeds).
func BakeSVG(svg []byte, kind Kind, value string) (_ []byte, err error) {
	defer annotate(&err, "bake: bake SVG")
	value = strings.Trim(value, xmlSpace)
	if err := checkSVGValue(kind, value); err != nil {
		return nil, err
	}
	doc, err := scanSVG(svg)
	if err != nil {
		return nil, err
	}
	ns := nsV3
	if kind == V2 {
		ns = nsV2
	}
	root, err := rewriteRoot(svg[doc.rootStart:doc.rootEnd], ns)
	if err != nil {
		return nil, err
	}
	elem := bakedElement(kind, value)

	var b bytes.Buffer
	b.Grow(len(svg) + len(root.tag) + len(elem) + len(root.end))
	b.Write(svg[:doc.rootStart])
	b.WriteString(root.tag)
	b.WriteString(elem)
	b.WriteString(root.end)
	cursor := doc.rootEnd
	for _, e := range doc.baked {
		if e.start < cursor { // inside an element already removed
			continue
		}
		b.Write(svg[cursor:e.start])
		cursor = e.end
	}
	b.Write(svg[cursor:])
	out := b.Bytes()
	if len(out) > MaxImageSize {
		return nil, fmt.Errorf("baked image would be %d bytes, more than %d: %w", len(out), MaxImageSize, ErrTooLarge)
	}
	// A document can rebind the openbadges prefix in ways that text editing
	// does not see; reading the result back catches them.
	got, gotKind, err := ExtractSVG(out)
	if err != nil {
		return nil, fmt.Errorf("baked document does not read back: %w", err)
	}
	if got != value || gotKind != kind {
		return nil, fmt.Errorf("baked document reads back a different value: %w", ErrCorrupt)
	}
	return out, nil
}

// ExtractSVG returns the baked value and its kind. The document is parsed
// with encoding/xml in strict mode, with no entities beyond the five
// predefined ones; it refuses a DOCTYPE, more than MaxImageSize, a root that
// is not <svg>, malformed or truncated XML, no credential element and two or
// more (openbadges:credential in the 3.0 namespace and openbadges:assertion in
// the 2.0 namespace, anywhere in the document, counted together). The value
// is the element's text (CDATA included) when it has any, else its verify
// attribute, without surrounding white space; it must be a credential of
// its kind (see ErrBadValue) that BakeSVG could bake. Errors say which rule
// failed.
func ExtractSVG(svg []byte) (value string, kind Kind, err error) {
	defer annotate(&err, "bake: extract SVG")
	doc, err := scanSVG(svg)
	if err != nil {
		return "", 0, err
	}
	switch len(doc.baked) {
	case 0:
		return "", 0, fmt.Errorf("no openbadges:credential or openbadges:assertion element: %w", ErrNoCredential)
	case 1:
	default:
		return "", 0, fmt.Errorf("%d openbadges elements (lines %d and %d): %w",
			len(doc.baked), doc.baked[0].line, doc.baked[1].line, ErrTwoCredentials)
	}
	e := doc.baked[0]
	value = strings.Trim(string(e.body), xmlSpace)
	if value == "" {
		value = strings.Trim(e.verify, xmlSpace)
	}
	if value == "" {
		return "", 0, fmt.Errorf("element on line %d has neither text nor a verify attribute: %w", e.line, ErrNoCredential)
	}
	if err := checkSVGValue(e.kind, value); err != nil {
		return "", 0, fmt.Errorf("element on line %d: %w", e.line, err)
	}
	return value, e.kind, nil
}

// checkSVGValue is checkValue, and that XML carries value unchanged in
// CDATA or an attribute.
func checkSVGValue(kind Kind, value string) error {
	if err := checkValue(kind, value); err != nil {
		return err
	}
	if strings.Contains(value, "]]>") {
		return fmt.Errorf(`value contains "]]>", which would end its CDATA section: %w`, ErrBadValue)
	}
	for _, r := range value {
		if r == '\r' || !isXMLChar(r) {
			return fmt.Errorf("value contains %U, which XML does not carry unchanged: %w", r, ErrBadValue)
		}
	}
	return nil
}

// isXMLChar reports whether XML 1.0 allows r in a document.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		0x20 <= r && r <= 0xD7FF ||
		0xE000 <= r && r <= 0xFFFD ||
		0x10000 <= r && r <= 0x10FFFF
}

// svgDoc is what a scan of an SVG document found.
type svgDoc struct {
	rootStart, rootEnd int // the root's start tag is svg[rootStart:rootEnd]
	baked              []bakedElem
}

// bakedElem is an openbadges:credential or openbadges:assertion element.
type bakedElem struct {
	kind       Kind
	start, end int    // the element is svg[start:end]
	depth      int    // 1 for the root
	line       int    // the line its start tag ends on
	verify     string // the verify attribute
	body       []byte // the character data directly inside, CDATA included
}

// scanSVG parses the whole document and returns where its root start tag
// and its baked elements are.
func scanSVG(svg []byte) (svgDoc, error) {
	var doc svgDoc
	if len(svg) > MaxImageSize {
		return doc, fmt.Errorf("image of %d bytes, more than %d: %w", len(svg), MaxImageSize, ErrTooLarge)
	}
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	var (
		depth     int
		rootSeen  bool
		rootEnded bool
		open      []int // indexes in doc.baked of the elements not yet ended
	)
	for {
		start := int(d.InputOffset())
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return doc, xmlError(err, rootSeen, svg)
		}
		switch t := tok.(type) {
		case xml.Directive:
			line, _ := d.InputPos()
			return doc, fmt.Errorf("line %d: a DOCTYPE or other <!...> declaration: %w", line, ErrUnsupported)
		case xml.StartElement:
			line, _ := d.InputPos()
			if depth == 0 {
				if rootSeen {
					return doc, fmt.Errorf("line %d: a second root element <%.64s>: %w", line, t.Name.Local, ErrCorrupt)
				}
				if t.Name.Local != "svg" || t.Name.Space != nsSVG && t.Name.Space != "" {
					return doc, fmt.Errorf("root element is <%.64s> in namespace %.64q: %w", t.Name.Local, t.Name.Space, ErrNotSVG)
				}
				rootSeen = true
				doc.rootStart, doc.rootEnd = start, int(d.InputOffset())
			}
			depth++
			if kind, ok := bakedKind(t.Name); ok {
				e := bakedElem{kind: kind, start: start, depth: depth, line: line}
				for _, a := range t.Attr {
					if a.Name.Space == "" && a.Name.Local == "verify" {
						e.verify = a.Value
					}
				}
				open = append(open, len(doc.baked))
				doc.baked = append(doc.baked, e)
			}
		case xml.EndElement:
			if n := len(open); n > 0 && doc.baked[open[n-1]].depth == depth {
				doc.baked[open[n-1]].end = int(d.InputOffset())
				open = open[:n-1]
			}
			depth--
			rootEnded = depth == 0
		case xml.CharData:
			if depth == 0 && len(bytes.Trim(t, xmlSpace+"\uFEFF")) > 0 {
				line, _ := d.InputPos()
				if rootEnded {
					return doc, fmt.Errorf("line %d: text after the root element: %w", line, ErrCorrupt)
				}
				return doc, fmt.Errorf("line %d: text before the root element: %w", line, ErrNotSVG)
			}
			if n := len(open); n > 0 && doc.baked[open[n-1]].depth == depth {
				e := &doc.baked[open[n-1]]
				e.body = append(e.body, t...)
			}
		}
	}
	if !rootSeen {
		return doc, fmt.Errorf("no root element: %w", ErrNotSVG)
	}
	return doc, nil
}

// xmlError classifies an error of the XML decoder reading svg.
func xmlError(err error, rootSeen bool, svg []byte) error {
	var syntax *xml.SyntaxError
	switch {
	case errors.As(err, &syntax) && strings.HasPrefix(syntax.Msg, "unexpected EOF"):
		return fmt.Errorf("XML ends on line %d inside an element or tag: %w", syntax.Line, ErrTruncated)
	case errors.As(err, &syntax) && syntax.Msg == "invalid UTF-8" && endsInPartialRune(svg):
		return fmt.Errorf("XML ends on line %d inside a character: %w", syntax.Line, ErrTruncated)
	}
	// The decoder quotes names from the document, which can be long.
	msg := err.Error()
	if len(msg) > 200 {
		msg = strings.ToValidUTF8(msg[:200], "") + "…"
	}
	if !rootSeen {
		return fmt.Errorf("%s: %w", msg, ErrNotSVG)
	}
	return fmt.Errorf("%s: %w", msg, ErrCorrupt)
}

// endsInPartialRune reports whether b ends with the first bytes of a
// multi-byte UTF-8 sequence.
func endsInPartialRune(b []byte) bool {
	for i := len(b) - 1; i >= 0 && i >= len(b)-3; i-- {
		if utf8.RuneStart(b[i]) {
			return !utf8.FullRune(b[i:])
		}
	}
	return false
}

// bakedKind returns the kind of a baked element name, and whether it is one.
func bakedKind(name xml.Name) (Kind, bool) {
	switch {
	case name.Space == nsV3 && name.Local == "credential":
		return V3, true
	case name.Space == nsV2 && name.Local == "assertion":
		return V2, true
	}
	return 0, false
}

// rootTag is the rewritten root start tag.
type rootTag struct {
	tag string // the start tag, with xmlns:openbadges set
	end string // the end tag when the original was self-closing, else ""
}

// rewriteRoot returns the root start tag tag with its xmlns:openbadges
// attribute set to ns, added after the last attribute when missing. The
// decoder has already checked that tag is well formed.
func rewriteRoot(tag []byte, ns string) (rootTag, error) {
	isSpace := func(c byte) bool { return strings.IndexByte(xmlSpace, c) >= 0 }
	i := 1 // after "<"
	for i < len(tag) && !isSpace(tag[i]) && tag[i] != '/' && tag[i] != '>' {
		i++
	}
	name := string(tag[1:i])
	attrEnd := i               // end of the last attribute
	valStart, valEnd := -1, -1 // value of xmlns:openbadges
	for {
		for i < len(tag) && isSpace(tag[i]) {
			i++
		}
		if i >= len(tag) || tag[i] == '/' || tag[i] == '>' {
			break
		}
		nameStart := i
		for i < len(tag) && !isSpace(tag[i]) && tag[i] != '=' {
			i++
		}
		attr := string(tag[nameStart:i])
		for i < len(tag) && isSpace(tag[i]) {
			i++
		}
		if i+1 >= len(tag) || tag[i] != '=' {
			return rootTag{}, fmt.Errorf("cannot read attribute %q of the root start tag: %w", attr, ErrCorrupt)
		}
		i++
		for i < len(tag) && isSpace(tag[i]) {
			i++
		}
		if i >= len(tag) || tag[i] != '"' && tag[i] != '\'' {
			return rootTag{}, fmt.Errorf("cannot read attribute %q of the root start tag: %w", attr, ErrCorrupt)
		}
		closing := bytes.IndexByte(tag[i+1:], tag[i])
		if closing < 0 {
			return rootTag{}, fmt.Errorf("cannot read attribute %q of the root start tag: %w", attr, ErrCorrupt)
		}
		if attr == "xmlns:openbadges" && valStart < 0 {
			valStart, valEnd = i+1, i+1+closing
		}
		i += closing + 2
		attrEnd = i
	}

	var r rootTag
	if valStart >= 0 {
		r.tag = string(tag[:valStart]) + ns + string(tag[valEnd:])
	} else {
		r.tag = string(tag[:attrEnd]) + ` xmlns:openbadges="` + ns + `"` + string(tag[attrEnd:])
	}
	if strings.HasSuffix(r.tag, "/>") {
		r.tag = strings.TrimSuffix(r.tag, "/>") + ">"
		r.end = "</" + name + ">"
	}
	return r, nil
}

// bakedElement returns the element that carries value.
func bakedElement(kind Kind, value string) string {
	var b strings.Builder
	switch {
	case kind == V3 && isJSON(value):
		b.WriteString("<openbadges:credential><![CDATA[")
		b.WriteString(value)
		b.WriteString("]]></openbadges:credential>")
	case kind == V3:
		b.WriteString(`<openbadges:credential verify="`)
		_ = xml.EscapeText(&b, []byte(value)) // a strings.Builder does not fail
		b.WriteString(`"></openbadges:credential>`)
	case isJSON(value):
		b.WriteString("<openbadges:assertion")
		if v := assertionURL(value); v != "" {
			b.WriteString(` verify="`)
			_ = xml.EscapeText(&b, []byte(v))
			b.WriteString(`"`)
		}
		b.WriteString("><![CDATA[")
		b.WriteString(value)
		b.WriteString("]]></openbadges:assertion>")
	default:
		b.WriteString(`<openbadges:assertion verify="`)
		_ = xml.EscapeText(&b, []byte(value))
		b.WriteString(`"/>`)
	}
	return b.String()
}

// assertionURL returns where a JSON Open Badges 2.0 assertion is hosted: its
// verify.url, or else its id; "" when it has neither.
func assertionURL(assertion string) string {
	var a map[string]any
	if json.Unmarshal([]byte(assertion), &a) != nil {
		return ""
	}
	if verify, ok := a["verify"].(map[string]any); ok {
		if u, ok := verify["url"].(string); ok && u != "" {
			return u
		}
	}
	id, _ := a["id"].(string)
	return id
}
