package badge

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
)

// Limits of the artwork.
const (
	// MaxArtworkSize is the largest artwork file read, in bytes.
	MaxArtworkSize = 1 << 20
	// MinImageSide and MaxImageSide bound the side of the square PNG, in
	// pixels.
	MinImageSide = 200
	MaxImageSide = 2048
)

const svgNamespace = "http://www.w3.org/2000/svg"

// artwork reads the class's SVG and PNG artwork from dir, the folder of
// the definition, checks them and keeps them in images under the class id.
func (v *validator) artwork(dir fs.FS, images map[string][]byte) {
	c := v.c
	if !validImageName(c.Image) {
		return // reported by class
	}
	base := strings.TrimSuffix(c.Image, ".svg")
	for _, format := range []string{"svg", "png"} {
		name := base + "." + format
		b, err := readArtwork(dir, name)
		if err != nil {
			v.add("image", "%v", err)
			continue
		}
		var problems []string
		if format == "svg" {
			problems = checkSVG(b)
		} else {
			problems = checkPNG(b)
		}
		for _, p := range problems {
			v.add("image", "%s: %s", name, p)
		}
		if len(problems) == 0 {
			images[c.ID+"."+format] = b
		}
	}
}

func readArtwork(dir fs.FS, name string) ([]byte, error) {
	if dir == nil {
		return nil, fmt.Errorf("no artwork %s beside the definition", name)
	}
	info, err := fs.Stat(dir, name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no artwork %s beside the definition", name)
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %v", name, err)
	case info.IsDir():
		return nil, fmt.Errorf("%s is a folder, not artwork", name)
	case info.Size() > MaxArtworkSize:
		return nil, fmt.Errorf("%s is larger than %d bytes", name, MaxArtworkSize)
	}
	b, err := fs.ReadFile(dir, name)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", name, err)
	}
	if len(b) > MaxArtworkSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, MaxArtworkSize)
	}
	return b, nil
}

// checkSVG checks that b is a well-formed SVG document whose viewBox is
// square, and that it runs no script and loads nothing from elsewhere when
// a browser shows it. It returns the problems found.
func checkSVG(b []byte) []string {
	var problems []string
	seen := map[string]bool{}
	add := func(format string, args ...any) {
		p := fmt.Sprintf(format, args...)
		if !seen[p] {
			seen[p] = true
			problems = append(problems, p)
		}
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			add("not well-formed XML: %v", err)
			return problems
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					add("not well-formed XML: more than one root element")
					return problems
				}
				if t.Name.Space != svgNamespace || t.Name.Local != "svg" {
					add("the root element must be <svg> in the namespace %s", svgNamespace)
					return problems
				}
				square(t.Attr, add)
			}
			depth++
			switch name := strings.ToLower(t.Name.Local); name {
			case "script", "foreignobject", "iframe", "embed", "object":
				add("<%s> is not allowed in artwork", t.Name.Local)
			}
			for _, a := range t.Attr {
				switch local := strings.ToLower(a.Name.Local); {
				case strings.HasPrefix(local, "on"):
					add("event handler attribute %s is not allowed in artwork", a.Name.Local)
				case local == "href" && !localReference(a.Value):
					add("%s=%q refers outside the file: artwork must be self-contained", a.Name.Local, truncate(a.Value, 60))
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if roots == 0 {
		add("no <svg> element")
	}
	return problems
}

// localReference reports whether an href stays inside the file: a
// fragment, or an embedded raster image.
func localReference(href string) bool {
	href = strings.TrimSpace(href)
	if strings.HasPrefix(href, "#") {
		return true
	}
	for _, t := range []string{"data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/webp;"} {
		if len(href) >= len(t) && strings.EqualFold(href[:len(t)], t) {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// square checks the viewBox, width and height of the root element.
func square(attrs []xml.Attr, add func(string, ...any)) {
	var viewBox, width, height *string
	for i, a := range attrs {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "viewBox":
			viewBox = &attrs[i].Value
		case "width":
			width = &attrs[i].Value
		case "height":
			height = &attrs[i].Value
		}
	}
	if viewBox == nil {
		add("the <svg> element needs a square viewBox, such as viewBox=\"0 0 400 400\"")
	} else {
		f := strings.FieldsFunc(*viewBox, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
		var n [4]float64
		ok := len(f) == 4
		for i := 0; ok && i < 4; i++ {
			x, err := strconv.ParseFloat(f[i], 64)
			ok = err == nil && !math.IsNaN(x) && !math.IsInf(x, 0)
			n[i] = x
		}
		switch {
		case !ok || n[2] <= 0 || n[3] <= 0:
			add("viewBox %q is not four numbers: min-x min-y width height", truncate(*viewBox, 60))
		case n[2] != n[3]:
			add("viewBox %q is %v wide and %v high: the artwork must be square", *viewBox, n[2], n[3])
		}
	}
	if width != nil && height != nil {
		w, wu, wok := length(*width)
		h, hu, hok := length(*height)
		if !wok || !hok || w != h || wu != hu {
			add("width %q and height %q differ: the artwork must be square", truncate(*width, 20), truncate(*height, 20))
		}
	}
}

// length parses an SVG length such as "400", "400px" or "10cm" into its
// number and unit ("px" when none is given).
func length(s string) (float64, string, bool) {
	s = strings.TrimSpace(s)
	i := len(s)
	for i > 0 && (s[i-1] == '%' || (s[i-1]|0x20 >= 'a' && s[i-1]|0x20 <= 'z')) {
		i--
	}
	unit := strings.ToLower(s[i:])
	if unit == "" {
		unit = "px"
	}
	x, err := strconv.ParseFloat(s[:i], 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x <= 0 {
		return 0, "", false
	}
	return x, unit, true
}

// checkPNG checks that b is a square PNG image of a reasonable size that
// decodes.
func checkPNG(b []byte) []string {
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return []string{"not a PNG image: " + err.Error()}
	}
	if cfg.Width != cfg.Height {
		return []string{fmt.Sprintf("%d × %d pixels: the artwork must be square", cfg.Width, cfg.Height)}
	}
	if cfg.Width < MinImageSide || cfg.Width > MaxImageSide {
		return []string{fmt.Sprintf("%d × %d pixels: use %d to %d pixels a side", cfg.Width, cfg.Height, MinImageSide, MaxImageSide)}
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		return []string{"damaged PNG image: " + err.Error()}
	}
	return nil
}
