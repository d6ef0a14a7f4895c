package bake

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"unicode/utf8"
)

// pngSignature starts every PNG datastream.
const pngSignature = "\x89PNG\r\n\x1a\n"

// The iTXt keywords of a baked credential.
const (
	keywordV3 = "openbadgecredential"
	keywordV2 = "openbadges"
)

// chunk is one checked chunk of a PNG datastream.
type chunk struct {
	typ  string
	off  int    // where its length field starts
	data []byte // its data, within the datastream
}

// raw returns the whole chunk (length, type, data, CRC) from the datastream png.
func (c chunk) raw(png []byte) []byte {
	return png[c.off : c.off+12+len(c.data)]
}

// BakePNG returns the PNG with one iTXt chunk inserted right after IHDR:
// keyword "openbadgecredential" (V3) or "openbadges" (V2), compression flag
// 0, compression method 0, empty language tag and translated keyword, text =
// value (UTF-8). Any existing chunk with either keyword (tEXt, zTXt or iTXt)
// is removed first, so a re-baked image carries exactly one. The PNG must be
// valid: signature, chunk lengths and CRCs are checked. The value is baked
// byte for byte; it must pass the same rules that ExtractPNG applies.
func BakePNG(png []byte, kind Kind, value string) (_ []byte, err error) {
	defer annotate(&err, "bake: bake PNG")
	if err := checkValue(kind, value); err != nil {
		return nil, err
	}
	chunks, err := pngChunks(png)
	if err != nil {
		return nil, err
	}
	keyword := keywordV3
	if kind == V2 {
		keyword = keywordV2
	}
	// keyword, NUL, compression flag and method, empty language tag and
	// translated keyword with their NULs, text
	dataLen := len(keyword) + 5 + len(value)
	size := len(png) + 12 + dataLen
	for _, c := range chunks {
		if _, ok := credentialKind(c); ok {
			size -= 12 + len(c.data)
		}
	}
	if size > MaxImageSize {
		return nil, fmt.Errorf("baked image would be %d bytes, more than %d: %w", size, MaxImageSize, ErrTooLarge)
	}

	out := make([]byte, 0, size)
	out = append(out, png[:len(pngSignature)]...)
	out = append(out, chunks[0].raw(png)...) // IHDR
	start := len(out)
	out = binary.BigEndian.AppendUint32(out, uint32(dataLen))
	out = append(out, "iTXt"...)
	out = append(out, keyword...)
	out = append(out, 0, 0, 0, 0, 0)
	out = append(out, value...)
	out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start+4:]))
	for _, c := range chunks[1:] {
		if _, ok := credentialKind(c); !ok {
			out = append(out, c.raw(png)...)
		}
	}
	return out, nil
}

// ExtractPNG returns the baked value and its kind. It refuses: not a PNG,
// truncated data or a bad CRC, more than MaxImageSize, a chunk whose length
// runs past the end, no credential chunk, two or more credential chunks (of
// either keyword and any text chunk type), a compressed credential (a zTXt
// chunk or an iTXt with compression flag 1: the specifications say
// uncompressed), chunks after IEND, a value that is not valid UTF-8, a value
// larger than MaxValueSize, and a value that is not a credential of its kind
// (see ErrBadValue). Errors say which rule failed.
//
// A tEXt chunk with keyword "openbadges", the pre-2.0 way of baking a hosted
// assertion URL that the 2.0 specification still describes, is read as a
// Latin-1 V2 value.
func ExtractPNG(png []byte) (value string, kind Kind, err error) {
	defer annotate(&err, "bake: extract PNG")
	chunks, err := pngChunks(png)
	if err != nil {
		return "", 0, err
	}
	var found []chunk
	for _, c := range chunks {
		if _, ok := credentialKind(c); ok {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return "", 0, fmt.Errorf("no text chunk with keyword %q or %q: %w", keywordV3, keywordV2, ErrNoCredential)
	case 1:
	default:
		return "", 0, fmt.Errorf("%d chunks carry Open Badges data (%s at byte %d, %s at byte %d): %w",
			len(found), found[0].typ, found[0].off, found[1].typ, found[1].off, ErrTwoCredentials)
	}
	c := found[0]
	kind, _ = credentialKind(c)
	value, err = chunkText(c, kind)
	if err != nil {
		return "", 0, fmt.Errorf("chunk %s at byte %d: %w", c.typ, c.off, err)
	}
	if err := checkValue(kind, value); err != nil {
		return "", 0, fmt.Errorf("chunk %s at byte %d: %w", c.typ, c.off, err)
	}
	return value, kind, nil
}

// pngChunks checks the signature, every chunk's length, type and CRC, that
// IHDR comes first and that nothing follows IEND, and returns the chunks.
func pngChunks(png []byte) ([]chunk, error) {
	if len(png) > MaxImageSize {
		return nil, fmt.Errorf("image of %d bytes, more than %d: %w", len(png), MaxImageSize, ErrTooLarge)
	}
	if !bytes.HasPrefix(png, []byte(pngSignature)) {
		if len(png) > 0 && len(png) < len(pngSignature) && pngSignature[:len(png)] == string(png) {
			return nil, fmt.Errorf("%d bytes, shorter than the PNG signature: %w", len(png), ErrTruncated)
		}
		return nil, fmt.Errorf("no PNG signature: %w", ErrNotPNG)
	}
	var chunks []chunk
	for off := len(pngSignature); ; {
		if off == len(png) {
			return nil, fmt.Errorf("data ends at byte %d without an IEND chunk: %w", off, ErrTruncated)
		}
		if len(png)-off < 8 {
			return nil, fmt.Errorf("chunk header at byte %d is cut short: %w", off, ErrTruncated)
		}
		n := binary.BigEndian.Uint32(png[off:])
		typ := png[off+4 : off+8]
		if !isChunkType(typ) {
			return nil, fmt.Errorf("chunk at byte %d: type %q is not four ASCII letters: %w", off, typ, ErrCorrupt)
		}
		if n > 1<<31-1 {
			return nil, fmt.Errorf("chunk %s at byte %d: length %d is more than 2^31-1: %w", typ, off, n, ErrCorrupt)
		}
		end := off + 12 + int(n)
		if end > len(png) {
			return nil, fmt.Errorf("chunk %s at byte %d: length %d runs past the end of the data: %w", typ, off, n, ErrTruncated)
		}
		if crc32.ChecksumIEEE(png[off+4:end-4]) != binary.BigEndian.Uint32(png[end-4:]) {
			return nil, fmt.Errorf("chunk %s at byte %d: CRC mismatch: %w", typ, off, ErrCorrupt)
		}
		c := chunk{typ: string(typ), off: off, data: png[off+8 : end-4]}
		if len(chunks) == 0 && (c.typ != "IHDR" || n != 13) {
			return nil, fmt.Errorf("first chunk is %s of %d bytes, not a 13-byte IHDR: %w", c.typ, n, ErrCorrupt)
		}
		chunks = append(chunks, c)
		off = end
		if c.typ == "IEND" {
			if off != len(png) {
				return nil, fmt.Errorf("%d bytes after the IEND chunk: %w", len(png)-off, ErrCorrupt)
			}
			return chunks, nil
		}
	}
}

// isChunkType reports whether typ is a valid chunk type: four ASCII letters.
func isChunkType(typ []byte) bool {
	for _, c := range typ {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// credentialKind returns the kind of Open Badges data that c holds, and
// whether it holds any: a tEXt, zTXt or iTXt chunk with one of the two
// keywords.
func credentialKind(c chunk) (Kind, bool) {
	switch c.typ {
	case "tEXt", "zTXt", "iTXt":
	default:
		return 0, false
	}
	keyword, _, _ := bytes.Cut(c.data, []byte{0})
	switch string(keyword) {
	case keywordV3:
		return V3, true
	case keywordV2:
		return V2, true
	}
	return 0, false
}

// chunkText returns the text of credential chunk c of the given kind.
func chunkText(c chunk, kind Kind) (string, error) {
	_, rest, ok := bytes.Cut(c.data, []byte{0})
	if !ok {
		return "", fmt.Errorf("no NUL after the keyword: %w", ErrCorrupt)
	}
	switch {
	case c.typ == "zTXt":
		return "", fmt.Errorf("compressed text chunk; the baking specifications forbid compression: %w", ErrUnsupported)
	case c.typ == "tEXt" && kind == V3:
		return "", fmt.Errorf("an Open Badges 3.0 credential must be in an iTXt chunk: %w", ErrUnsupported)
	case c.typ == "tEXt" && len(rest) > MaxValueSize:
		return "", fmt.Errorf("value of at least %d bytes, more than %d: %w", len(rest), MaxValueSize, ErrTooLarge)
	case c.typ == "tEXt":
		// Latin-1, the encoding of tEXt, maps bytes to the first 256 code points.
		text := make([]byte, 0, len(rest))
		for _, b := range rest {
			text = utf8.AppendRune(text, rune(b))
		}
		return string(text), nil
	}
	if len(rest) < 2 {
		return "", fmt.Errorf("iTXt cut short after the keyword: %w", ErrCorrupt)
	}
	flag, method := rest[0], rest[1]
	switch {
	case flag == 1:
		return "", fmt.Errorf("compressed iTXt; the baking specifications forbid compression: %w", ErrUnsupported)
	case flag != 0:
		return "", fmt.Errorf("iTXt compression flag %d: %w", flag, ErrCorrupt)
	case method != 0:
		return "", fmt.Errorf("iTXt compression method %d: %w", method, ErrCorrupt)
	}
	_, rest, ok = bytes.Cut(rest[2:], []byte{0}) // language tag
	if ok {
		_, rest, ok = bytes.Cut(rest, []byte{0}) // translated keyword
	}
	if !ok {
		return "", fmt.Errorf("iTXt without NULs after language tag and translated keyword: %w", ErrCorrupt)
	}
	if len(rest) > MaxValueSize {
		return "", fmt.Errorf("value of %d bytes, more than %d: %w", len(rest), MaxValueSize, ErrTooLarge)
	}
	return string(rest), nil
}
