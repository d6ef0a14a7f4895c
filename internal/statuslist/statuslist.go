// Package statuslist encodes the bitstring of a W3C Bitstring Status List:
// one bit per issued credential, set when the credential is revoked,
// GZIP-compressed and written as a multibase base64url string ("u"
// prefix, no padding).
package statuslist

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// MinEntries is the smallest list the specification allows (16 KiB of
// bits), so that one revocation does not stand out.
const MinEntries = 131072

// maxEntries bounds what Decode accepts: 16 million entries (2 MiB).
const maxEntries = 1 << 24

// List is a status list of a fixed number of entries.
type List struct {
	bits []byte
}

// New returns a list of n entries (at least MinEntries), all clear.
func New(n int) *List {
	n = max(n, MinEntries)
	return &List{bits: make([]byte, (n+7)/8)}
}

// Len returns the number of entries.
func (l *List) Len() int { return len(l.bits) * 8 }

// Set sets entry i; the first bit of the first byte is entry 0, as the
// specification says.
func (l *List) Set(i int) error {
	if i < 0 || i >= l.Len() {
		return fmt.Errorf("status list index %d is outside 0..%d", i, l.Len()-1)
	}
	l.bits[i/8] |= 0x80 >> (i % 8)
	return nil
}

// IsSet reports whether entry i is set; an index outside the list is an
// error.
func (l *List) IsSet(i int) (bool, error) {
	if i < 0 || i >= l.Len() {
		return false, fmt.Errorf("status list index %d is outside 0..%d", i, l.Len()-1)
	}
	return l.bits[i/8]&(0x80>>(i%8)) != 0, nil
}

// Encode returns the list as the specification's encodedList.
func (l *List) Encode() string {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(l.bits)
	_ = zw.Close()
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

// ErrEncoding means that an encodedList is not multibase base64url GZIP
// data of an acceptable size.
var ErrEncoding = errors.New("not a valid encoded status list")

// Decode reads an encodedList. It refuses lists shorter than MinEntries or
// longer than 16 million entries, whatever their compressed size.
func Decode(s string) (*List, error) {
	if len(s) < 2 || s[0] != 'u' {
		return nil, fmt.Errorf("%w: missing the multibase prefix u", ErrEncoding)
	}
	raw, err := base64.RawURLEncoding.DecodeString(s[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEncoding, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEncoding, err)
	}
	bits, err := io.ReadAll(io.LimitReader(zr, maxEntries/8+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEncoding, err)
	}
	if len(bits)*8 < MinEntries || len(bits)*8 > maxEntries {
		return nil, fmt.Errorf("%w: %d entries", ErrEncoding, len(bits)*8)
	}
	return &List{bits: bits}, nil
}
