package report

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden images under testdata")

// The golden comparison: a pixel differs when its grey level is off by more
// than pixelTolerance of 255, and a page differs when more than
// pageTolerance of its pixels do. Antialiasing differences between
// poppler versions stay well under that; a moved table or chart does not.
const (
	pixelTolerance = 64
	pageTolerance  = 0.01
	goldenDPI      = 40
)

// raster renders one page of pdf as an image at dpi.
func raster(tb testing.TB, pdf []byte, page, dpi int) image.Image {
	tb.Helper()
	n := strconv.Itoa(page)
	out := run(tb, pdf, "pdftoppm", "-png", "-r", strconv.Itoa(dpi), "-f", n, "-l", n, "-singlefile")
	img, err := png.Decode(bytes.NewReader([]byte(out)))
	if err != nil {
		tb.Fatalf("pdftoppm page %d: %v", page, err)
	}
	return img
}

// differs returns the share of pixels of a and b whose grey levels differ by
// more than pixelTolerance; 1 when the sizes differ.
func differs(a, b image.Image) float64 {
	if a.Bounds().Size() != b.Bounds().Size() {
		return 1
	}
	ra, rb := a.Bounds(), b.Bounds()
	bad := 0
	for y := 0; y < ra.Dy(); y++ {
		for x := 0; x < ra.Dx(); x++ {
			ga := color.GrayModel.Convert(a.At(ra.Min.X+x, ra.Min.Y+y)).(color.Gray).Y
			gb := color.GrayModel.Convert(b.At(rb.Min.X+x, rb.Min.Y+y)).(color.Gray).Y
			if d := int(ga) - int(gb); d > pixelTolerance || d < -pixelTolerance {
				bad++
			}
		}
	}
	return float64(bad) / float64(ra.Dx()*ra.Dy())
}

// golden compares a page with testdata/name.png, or rewrites that file
// under -update. On a difference the page is written beside the golden
// file as name.actual.png, to look at.
func golden(t *testing.T, name string, page image.Image) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	var b bytes.Buffer
	if err := png.Encode(&b, page); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	want, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if d := differs(want, page); d > pageTolerance {
		actual := filepath.Join("testdata", name+".actual.png")
		_ = os.WriteFile(actual, b.Bytes(), 0o644)
		t.Errorf("%s: %.1f%% of the pixels differ from the golden image (at most %.1f%% may); see %s, and run with -update if the change is meant",
			name, 100*d, 100*pageTolerance, actual)
	}
}

// One page of each report, rendered by poppler, against its golden image:
// a layout change shows up here.
func TestGoldenPages(t *testing.T) {
	f := load(t)
	golden(t, "personal-fi-1", raster(t, renderPersonal(t, f, f.personalData(t, "fi")), 1, goldenDPI))
	golden(t, "personal-fi-2", raster(t, renderPersonal(t, f, f.personalData(t, "fi")), 2, goldenDPI))
	team, _ := f.teamData(t, "en", 1, teams)
	golden(t, "team-en-1", raster(t, renderTeam(t, f, team), 1, goldenDPI))
	golden(t, "team-en-2", raster(t, renderTeam(t, f, team), 2, goldenDPI))
}

// The comparison notices a layout that moved by a few millimetres, and
// forgives what a rasteriser does differently.
func TestGoldenComparison(t *testing.T) {
	f := load(t)
	page := raster(t, renderPersonal(t, f, f.personalData(t, "fi")), 1, goldenDPI)
	if d := differs(page, page); d != 0 {
		t.Fatalf("a page differs from itself by %v", d)
	}
	moved := image.NewGray(page.Bounds())
	soft := image.NewGray(page.Bounds())
	r := page.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			g := color.GrayModel.Convert(page.At(x, y)).(color.Gray)
			moved.SetGray(x, min(y+5, r.Max.Y-1), g) // 5 px at 40 dpi: 3 mm down
			g.Y = uint8(min(255, int(g.Y)+pixelTolerance/2))
			soft.SetGray(x, y, g)
		}
	}
	if d := differs(page, moved); d <= pageTolerance {
		t.Errorf("a page moved 3 mm differs by only %.2f%%", 100*d)
	}
	if d := differs(page, soft); d > pageTolerance {
		t.Errorf("a page a little lighter differs by %.2f%%", 100*d)
	}
}
