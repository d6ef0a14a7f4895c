package bake_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"vertaa/internal/bake"
)

// Values of each form, shared by the PNG and SVG tests.
const (
	credentialJWS  = "eyJhbGciOiJFZERTQSIsInR5cCI6InZjK2p3dCJ9.eyJpc3MiOiJodHRwczovL3ZlcnRhYS5leGFtcGxlIiwibmFtZSI6IsWgw6FyYSJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmU"
	credentialJSON = `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],` +
		`"type":["VerifiableCredential","OpenBadgeCredential"],"issuer":{"id":"https://vertaa.example/issuer","type":["Profile"],"name":"Vertaa"},` +
		`"credentialSubject":{"type":["AchievementSubject"],"name":"Šárka Ääritalo","achievement":{"name":"Yhteistyö"}}}`
	assertionURL  = "https://vertaa.example/assertions/42"
	assertionJSON = `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"urn:uuid:8f3c2b8e-5f0e-4f7e-9a57-4c1d0c3e2a10",` +
		`"recipient":{"type":"email","hashed":false,"identity":"sarka@example.fi"},"badge":"https://vertaa.example/badges/1",` +
		`"verify":{"type":"hosted","url":"https://vertaa.example/assertions/42"},"issuedOn":"2026-05-04T10:00:00Z"}`
)

// bakeCases are the round trips that every format must survive.
var bakeCases = []struct {
	name  string
	kind  bake.Kind
	value string
}{
	{"V3 compact JWS", bake.V3, credentialJWS},
	{"V3 JSON with Finnish letters", bake.V3, credentialJSON},
	{"V2 hosted URL", bake.V2, assertionURL},
	{"V2 JSON", bake.V2, assertionJSON},
	{"V2 signed assertion", bake.V2, credentialJWS},
}

// sentinels are all the errors of the package; every error wraps one.
var sentinels = []error{
	bake.ErrNotPNG, bake.ErrNotSVG, bake.ErrTruncated, bake.ErrTooLarge, bake.ErrNoCredential,
	bake.ErrTwoCredentials, bake.ErrCorrupt, bake.ErrUnsupported, bake.ErrBadValue,
}

func wrapsSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// newPNG returns a w×h PNG made by image/png, with a pattern so that it
// compresses like a badge rather than like nothing.
func newPNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dx, dy := x-w/2, y-h/2
			a := uint8(255)
			if dx*dx+dy*dy > w*w/4 {
				a = 0
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x ^ y) & 0x3f), a})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// rawChunk returns a whole chunk: length, type, data, CRC.
func rawChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// iTXt returns the data of an iTXt chunk with the given compression flag.
func iTXt(keyword string, flag byte, text string) []byte {
	return []byte(keyword + "\x00" + string([]byte{flag}) + "\x00" + "\x00" + "\x00" + text)
}

// afterIHDR is where the chunk after IHDR starts: signature and 25-byte IHDR.
const afterIHDR = 8 + 25

// insertChunk returns img with chunk inserted at byte off.
func insertChunk(img []byte, off int, chunk []byte) []byte {
	return append(append(append([]byte(nil), img[:off]...), chunk...), img[off:]...)
}

// beforeIEND returns the offset of the IEND chunk of img.
func beforeIEND(img []byte) int { return len(img) - 12 }

// chunkSpan is a chunk's place in a datastream.
type chunkSpan struct {
	typ      string
	off, end int
}

// spans walks the chunks of a valid PNG.
func spans(tb testing.TB, img []byte) []chunkSpan {
	tb.Helper()
	var s []chunkSpan
	for off := 8; off < len(img); {
		n := int(binary.BigEndian.Uint32(img[off:]))
		s = append(s, chunkSpan{string(img[off+4 : off+8]), off, off + 12 + n})
		off += 12 + n
	}
	return s
}

// countCredentialChunks counts text chunks with either Open Badges keyword.
func countCredentialChunks(tb testing.TB, img []byte) int {
	tb.Helper()
	n := 0
	for _, c := range spans(tb, img) {
		switch c.typ {
		case "tEXt", "zTXt", "iTXt":
			data := string(img[c.off+8 : c.end-4])
			if strings.HasPrefix(data, "openbadges\x00") || strings.HasPrefix(data, "openbadgecredential\x00") {
				n++
			}
		}
	}
	return n
}

func TestPNGRoundTrip(t *testing.T) {
	plain := newPNG(t, 48, 48)
	want, err := png.Decode(bytes.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range bakeCases {
		t.Run(tc.name, func(t *testing.T) {
			baked, err := bake.BakePNG(plain, tc.kind, tc.value)
			if err != nil {
				t.Fatal(err)
			}
			value, kind, err := bake.ExtractPNG(baked)
			if err != nil {
				t.Fatal(err)
			}
			if value != tc.value || kind != tc.kind {
				t.Errorf("ExtractPNG = %q, %v; want %q, %v", value, kind, tc.value, tc.kind)
			}

			keyword := "openbadgecredential"
			if tc.kind == bake.V2 {
				keyword = "openbadges"
			}
			wantChunk := rawChunk("iTXt", iTXt(keyword, 0, tc.value))
			if got := baked[afterIHDR : afterIHDR+len(wantChunk)]; !bytes.Equal(got, wantChunk) {
				t.Errorf("chunk after IHDR = %q, want %q", got, wantChunk)
			}
			if !bytes.Equal(baked[:afterIHDR], plain[:afterIHDR]) || !bytes.Equal(baked[afterIHDR+len(wantChunk):], plain[afterIHDR:]) {
				t.Error("BakePNG changed more than the inserted chunk")
			}

			got, err := png.Decode(bytes.NewReader(baked))
			if err != nil {
				t.Fatalf("image/png cannot decode the baked image: %v", err)
			}
			if got.Bounds() != want.Bounds() || got.At(20, 30) != want.At(20, 30) {
				t.Error("the baked image decodes to other pixels")
			}
		})
	}
}

func TestBakePNGReplaces(t *testing.T) {
	plain := newPNG(t, 16, 16)
	once, err := bake.BakePNG(plain, bake.V2, assertionURL)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := bake.BakePNG(once, bake.V3, credentialJWS)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := bake.BakePNG(plain, bake.V3, credentialJWS)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(twice, direct) {
		t.Error("re-baking differs from baking the plain image")
	}
	if value, kind, err := bake.ExtractPNG(twice); err != nil || value != credentialJWS || kind != bake.V3 {
		t.Errorf("ExtractPNG = %q, %v, %v", value, kind, err)
	}

	t.Run("every earlier chunk type and keyword", func(t *testing.T) {
		img := insertChunk(plain, beforeIEND(plain), rawChunk("tEXt", []byte("openbadges\x00"+assertionURL)))
		img = insertChunk(img, beforeIEND(img), rawChunk("zTXt", []byte("openbadgecredential\x00\x00x\x9c\x03\x00\x00\x00\x00\x01")))
		img = insertChunk(img, beforeIEND(img), rawChunk("iTXt", iTXt("openbadges", 1, "compressed")))
		img = insertChunk(img, beforeIEND(img), rawChunk("tEXt", []byte("Comment\x00kept")))
		baked, err := bake.BakePNG(img, bake.V3, credentialJSON)
		if err != nil {
			t.Fatal(err)
		}
		if n := countCredentialChunks(t, baked); n != 1 {
			t.Errorf("%d credential chunks after baking, want 1", n)
		}
		if !bytes.Contains(baked, rawChunk("tEXt", []byte("Comment\x00kept"))) {
			t.Error("BakePNG removed an unrelated text chunk")
		}
		if value, kind, err := bake.ExtractPNG(baked); err != nil || value != credentialJSON || kind != bake.V3 {
			t.Errorf("ExtractPNG = %q, %v, %v", value, kind, err)
		}
	})
}

func TestExtractPNGLegacyTEXt(t *testing.T) {
	plain := newPNG(t, 8, 8)
	img := insertChunk(plain, afterIHDR, rawChunk("tEXt", []byte("openbadges\x00https://vertaa.example/caf\xe9")))
	value, kind, err := bake.ExtractPNG(img)
	if err != nil {
		t.Fatal(err)
	}
	if value != "https://vertaa.example/café" || kind != bake.V2 {
		t.Errorf("ExtractPNG = %q, %v; want the Latin-1 URL as UTF-8, V2", value, kind)
	}
}

func TestExtractPNGRefuses(t *testing.T) {
	plain := newPNG(t, 16, 16)
	baked, err := bake.BakePNG(plain, bake.V3, credentialJWS)
	if err != nil {
		t.Fatal(err)
	}
	withChunk := func(typ string, data []byte) []byte {
		return insertChunk(plain, afterIHDR, rawChunk(typ, data))
	}
	tooLarge := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, bake.MaxImageSize)...)
	bigValue := `{"pad":"` + strings.Repeat("x", bake.MaxValueSize) + `"}`
	lengthPastEnd := append([]byte(nil), baked...)
	binary.BigEndian.PutUint32(lengthPastEnd[afterIHDR:], 1<<20)
	badCRC := append([]byte(nil), baked...)
	idat := spans(t, baked)[2]
	badCRC[idat.off+10] ^= 0x40

	cases := []struct {
		name string
		img  []byte
		want error
	}{
		{"ErrNotPNG GIF", []byte("GIF89a\x01\x00\x01\x00"), bake.ErrNotPNG},
		{"ErrNotPNG empty", nil, bake.ErrNotPNG},
		{"ErrTooLarge image", tooLarge, bake.ErrTooLarge},
		{"ErrNoCredential", plain, bake.ErrNoCredential},
		{"ErrNoCredential other keyword", withChunk("iTXt", iTXt("openbadge", 0, credentialJWS)), bake.ErrNoCredential},
		{"ErrTwoCredentials same keyword", insertChunk(baked, afterIHDR, rawChunk("iTXt", iTXt("openbadgecredential", 0, credentialJWS))), bake.ErrTwoCredentials},
		{"ErrTwoCredentials both keywords", insertChunk(baked, beforeIEND(baked), rawChunk("iTXt", iTXt("openbadges", 0, assertionURL))), bake.ErrTwoCredentials},
		{"ErrTwoCredentials legacy tEXt", insertChunk(baked, beforeIEND(baked), rawChunk("tEXt", []byte("openbadges\x00"+assertionURL))), bake.ErrTwoCredentials},
		{"ErrUnsupported compressed iTXt", withChunk("iTXt", iTXt("openbadgecredential", 1, "x\x9c\x03\x00\x00\x00\x00\x01")), bake.ErrUnsupported},
		{"ErrUnsupported zTXt", withChunk("zTXt", []byte("openbadges\x00\x00x\x9c\x03\x00\x00\x00\x00\x01")), bake.ErrUnsupported},
		{"ErrUnsupported 3.0 in tEXt", withChunk("tEXt", []byte("openbadgecredential\x00"+credentialJWS)), bake.ErrUnsupported},
		{"ErrCorrupt compression flag 2", withChunk("iTXt", iTXt("openbadges", 2, assertionURL)), bake.ErrCorrupt},
		{"ErrCorrupt iTXt without NULs", withChunk("iTXt", []byte("openbadges\x00\x00\x00en")), bake.ErrCorrupt},
		{"ErrCorrupt chunk after IEND", append(append([]byte(nil), baked...), rawChunk("tEXt", []byte("Comment\x00late"))...), bake.ErrCorrupt},
		{"ErrCorrupt bytes after IEND", append(append([]byte(nil), baked...), 0), bake.ErrCorrupt},
		{"ErrCorrupt bad CRC", badCRC, bake.ErrCorrupt},
		{"ErrCorrupt IHDR not first", insertChunk(plain, 8, rawChunk("tEXt", []byte("Comment\x00early"))), bake.ErrCorrupt},
		{"ErrTruncated length past the end", lengthPastEnd, bake.ErrTruncated},
		{"ErrBadValue not UTF-8", withChunk("iTXt", iTXt("openbadges", 0, "https://vertaa.example/\xff")), bake.ErrBadValue},
		{"ErrBadValue empty", withChunk("iTXt", iTXt("openbadges", 0, "")), bake.ErrBadValue},
		{"ErrBadValue not a credential", withChunk("iTXt", iTXt("openbadgecredential", 0, "hello")), bake.ErrBadValue},
		{"ErrBadValue URL for 3.0", withChunk("iTXt", iTXt("openbadgecredential", 0, assertionURL)), bake.ErrBadValue},
		{"ErrBadValue broken JSON", withChunk("iTXt", iTXt("openbadges", 0, `{"id":`)), bake.ErrBadValue},
		{"ErrTooLarge value", withChunk("iTXt", iTXt("openbadges", 0, bigValue)), bake.ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			value, _, err := bake.ExtractPNG(tc.img)
			if !errors.Is(err, tc.want) {
				t.Fatalf("ExtractPNG error = %v, want %v (value %.40q)", err, tc.want, value)
			}
			if !strings.HasPrefix(err.Error(), "bake: extract PNG: ") {
				t.Errorf("error %q lacks its context", err)
			}
		})
	}
}

func TestExtractPNGErrorMessage(t *testing.T) {
	img, err := bake.BakePNG(newPNG(t, 8, 8), bake.V2, assertionURL)
	if err != nil {
		t.Fatal(err)
	}
	img[20] ^= 1 // IHDR data
	_, _, err = bake.ExtractPNG(img)
	if want := "bake: extract PNG: chunk IHDR at byte 8: CRC mismatch: image is corrupt"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestExtractPNGTruncated(t *testing.T) {
	baked, err := bake.BakePNG(newPNG(t, 16, 16), bake.V3, credentialJSON)
	if err != nil {
		t.Fatal(err)
	}
	for cut := 1; cut < len(baked); cut++ {
		if _, _, err := bake.ExtractPNG(baked[:cut]); !errors.Is(err, bake.ErrTruncated) {
			t.Fatalf("cut at %d of %d: error = %v, want ErrTruncated", cut, len(baked), err)
		}
	}
}

func TestExtractPNGOneByteChanged(t *testing.T) {
	baked, err := bake.BakePNG(newPNG(t, 16, 16), bake.V3, credentialJWS)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range spans(t, baked) {
		for i := c.off; i < c.end; i++ {
			img := append([]byte(nil), baked...)
			img[i] ^= 0x20
			_, _, err := bake.ExtractPNG(img)
			switch {
			case i < c.off+4: // the length, which no CRC covers
				if err == nil {
					t.Fatalf("%s byte %d changed: no error", c.typ, i-c.off)
				}
			case !errors.Is(err, bake.ErrCorrupt):
				t.Fatalf("%s byte %d changed: error = %v, want ErrCorrupt", c.typ, i-c.off, err)
			}
		}
	}
}

func TestBakePNGRefuses(t *testing.T) {
	plain := newPNG(t, 16, 16)
	// A valid PNG just under the limit, padded with a private ancillary chunk.
	pad := rawChunk("prVt", make([]byte, bake.MaxImageSize-len(plain)-12-1000))
	nearLimit := insertChunk(plain, beforeIEND(plain), pad)
	broken := append([]byte(nil), plain...)
	broken[len(broken)-1] ^= 1

	cases := []struct {
		name  string
		img   []byte
		kind  bake.Kind
		value string
		want  error
	}{
		{"ErrNotPNG", []byte("<svg/>"), bake.V3, credentialJWS, bake.ErrNotPNG},
		{"ErrCorrupt", broken, bake.V3, credentialJWS, bake.ErrCorrupt},
		{"ErrTruncated", plain[:len(plain)-5], bake.V3, credentialJWS, bake.ErrTruncated},
		{"ErrTooLarge result", nearLimit, bake.V3, `{"pad":"` + strings.Repeat("x", 1000) + `"}`, bake.ErrTooLarge},
		{"ErrTooLarge value", plain, bake.V2, `{"pad":"` + strings.Repeat("x", bake.MaxValueSize) + `"}`, bake.ErrTooLarge},
		{"ErrBadValue empty", plain, bake.V3, "", bake.ErrBadValue},
		{"ErrBadValue not UTF-8", plain, bake.V2, "https://vertaa.example/\xff", bake.ErrBadValue},
		{"ErrBadValue URL for 3.0", plain, bake.V3, assertionURL, bake.ErrBadValue},
		{"ErrBadValue plain text", plain, bake.V2, "Šárka Ääritalo", bake.ErrBadValue},
		{"ErrBadValue unknown kind", plain, bake.Kind(7), credentialJWS, bake.ErrBadValue},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := bake.BakePNG(tc.img, tc.kind, tc.value); !errors.Is(err, tc.want) {
				t.Errorf("BakePNG error = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := bake.BakePNG(nearLimit, bake.V3, credentialJWS); err != nil {
		t.Errorf("a small value near the limit: %v", err)
	}
}

func FuzzExtractPNG(f *testing.F) {
	fresh := newPNG(f, 8, 8)
	f.Add(fresh)
	for _, tc := range bakeCases {
		baked, err := bake.BakePNG(fresh, tc.kind, tc.value)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(baked)
	}
	baked, _ := bake.BakePNG(fresh, bake.V2, assertionURL)
	f.Add(insertChunk(baked, afterIHDR, rawChunk("iTXt", iTXt("openbadgecredential", 0, credentialJWS))))
	f.Add(insertChunk(fresh, afterIHDR, rawChunk("iTXt", iTXt("openbadges", 1, "x\x9c\x03\x00\x00\x00\x00\x01"))))
	f.Add(insertChunk(fresh, afterIHDR, rawChunk("tEXt", []byte("openbadges\x00https://vertaa.example/caf\xe9"))))

	f.Fuzz(func(t *testing.T, img []byte) {
		value, kind, err := bake.ExtractPNG(img)
		if err != nil {
			if !wrapsSentinel(err) {
				t.Fatalf("error wraps none of the package's errors: %v", err)
			}
			return
		}
		again, err := bake.BakePNG(fresh, kind, value)
		if err != nil {
			t.Fatalf("extracted %q (%v) but cannot bake it: %v", value, kind, err)
		}
		value2, kind2, err := bake.ExtractPNG(again)
		if err != nil || value2 != value || kind2 != kind {
			t.Fatalf("re-baked %q (%v) extracts as %q (%v), %v", value, kind, value2, kind2, err)
		}
	})
}

func BenchmarkBakePNG(b *testing.B) {
	img := newPNG(b, 400, 400)
	value := `{"pad":"` + strings.Repeat("x", 3*1024-10) + `"}`
	b.SetBytes(int64(len(img)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bake.BakePNG(img, bake.V3, value); err != nil {
			b.Fatal(err)
		}
	}
}
