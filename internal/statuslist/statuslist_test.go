package statuslist_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"testing"

	"vertaa/internal/statuslist"
)

func TestRoundTrip(t *testing.T) {
	l := statuslist.New(10)
	if l.Len() != statuslist.MinEntries {
		t.Fatalf("Len = %d, want the minimum %d", l.Len(), statuslist.MinEntries)
	}
	for _, i := range []int{0, 7, 8, 42, statuslist.MinEntries - 1} {
		if err := l.Set(i); err != nil {
			t.Fatal(err)
		}
	}
	enc := l.Encode()
	if enc[0] != 'u' || len(enc) > 400 {
		t.Fatalf("encoded list %d bytes, prefix %q", len(enc), enc[:1])
	}
	got, err := statuslist.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got.Len() {
		want := i == 0 || i == 7 || i == 8 || i == 42 || i == statuslist.MinEntries-1
		if set, _ := got.IsSet(i); set != want {
			t.Fatalf("entry %d set = %v, want %v", i, set, want)
		}
	}
	// The first bit of the first byte is entry 0.
	raw, _ := base64.RawURLEncoding.DecodeString(enc[1:])
	zr, _ := gzip.NewReader(bytes.NewReader(raw))
	var first [1]byte
	if _, err := zr.Read(first[:]); err != nil || first[0] != 0b1000_0001 {
		t.Fatalf("first byte %08b, want entries 0 and 7 set", first[0])
	}
	if err := l.Set(statuslist.MinEntries); err == nil {
		t.Fatal("an index past the end was accepted")
	}
	if _, err := l.IsSet(-1); err == nil {
		t.Fatal("a negative index was accepted")
	}
}

func TestDecodeRefuses(t *testing.T) {
	small := func() string {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(make([]byte, 100))
		zw.Close()
		return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
	}()
	for name, s := range map[string]string{
		"empty":         "",
		"no prefix":     statuslist.New(0).Encode()[1:],
		"base58 prefix": "z" + statuslist.New(0).Encode()[1:],
		"not base64":    "u!!!",
		"not gzip":      "u" + base64.RawURLEncoding.EncodeToString([]byte("plain")),
		"too few":       small,
	} {
		if _, err := statuslist.Decode(s); !errors.Is(err, statuslist.ErrEncoding) {
			t.Errorf("%s: got %v, want ErrEncoding", name, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(statuslist.New(0).Encode())
	f.Add("u")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := statuslist.Decode(s)
		if err != nil {
			return
		}
		if l.Len() < statuslist.MinEntries {
			t.Fatalf("accepted %d entries", l.Len())
		}
	})
}
