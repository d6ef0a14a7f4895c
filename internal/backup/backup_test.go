package backup_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"vertaa/internal/backup"
	"vertaa/internal/keyring"
)

// doc returns a BSON document of n bytes: one string field named after i,
// so that every document differs.
func doc(i, n int) []byte {
	name := fmt.Sprintf("f%d", i)
	// int32 length, 0x02 name\0 int32 strlen string\0, 0x00
	str := n - 4 - 1 - len(name) - 1 - 4 - 1 - 1
	if str < 0 {
		panic("document too small")
	}
	b := binary.LittleEndian.AppendUint32(nil, uint32(n))
	b = append(b, 0x02)
	b = append(b, name...)
	b = append(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(str+1))
	b = append(b, bytes.Repeat([]byte{'x'}, str)...)
	return append(b, 0, 0)
}

func master(t testing.TB, fill byte) *keyring.Master {
	t.Helper()
	m, err := keyring.New(bytes.Repeat([]byte{fill}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type entry struct {
	coll string
	doc  []byte
}

// archive writes the entries, grouped by collection in order, with a
// header counting them.
func archive(t testing.TB, m *keyring.Master, entries []entry, extra ...backup.Collection) ([]byte, backup.Header) {
	t.Helper()
	h := backup.Header{Created: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), Database: "vertaa", Instance: "INST"}
	for _, e := range entries {
		if n := len(h.Collections); n == 0 || h.Collections[n-1].Name != e.coll {
			h.Collections = append(h.Collections, backup.Collection{Name: e.coll})
		}
		h.Collections[len(h.Collections)-1].Documents++
	}
	h.Collections = append(h.Collections, extra...)
	var buf bytes.Buffer
	w, err := backup.NewWriter(&buf, m, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := w.Add(e.coll, e.doc); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), h
}

// bodyStart returns the offset of an archive's first chunk, after its
// two lines of clear text.
func bodyStart(data []byte) int {
	first := bytes.IndexByte(data, '\n') + 1
	return first + bytes.IndexByte(data[first:], '\n') + 1
}

// readAll reads an archive to its end.
func readAll(data []byte, m *keyring.Master) (backup.Header, []entry, error) {
	r, err := backup.NewReader(bytes.NewReader(data))
	if err != nil {
		return backup.Header{}, nil, err
	}
	if err := r.Unlock(m); err != nil {
		return r.Header(), nil, err
	}
	var got []entry
	for {
		c, d, err := r.Next()
		if err == io.EOF {
			return r.Header(), got, nil
		}
		if err != nil {
			return r.Header(), got, err
		}
		got = append(got, entry{c, d})
	}
}

// entries makes n documents of the given size spread over collections.
func entries(n, size int, colls ...string) []entry {
	var out []entry
	for i := range n {
		out = append(out, entry{colls[i*len(colls)/n], doc(i, size)})
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	m := master(t, 1)
	for _, tc := range []struct {
		name    string
		entries []entry
		empty   []backup.Collection
	}{
		{"nothing", nil, nil},
		{"empty collections only", nil, []backup.Collection{{Name: "a"}, {Name: "b"}}},
		{"a few documents", entries(5, 40, "users", "keys"), []backup.Collection{{Name: "outbox"}}},
		{"many chunks", entries(300, 1000, "audit", "responses", "team_members"), nil},
		// 64 documents of 1 KiB fill exactly one chunk: the last chunk is full.
		{"exactly one chunk", entries(64, 1024, "x"), nil},
		{"a document larger than a chunk", []entry{{"big", doc(0, 200_000)}, {"small", doc(1, 20)}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, h := archive(t, m, tc.entries, tc.empty...)
			got, es, err := readAll(data, m)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(es, tc.entries, func(a, b entry) bool { return a.coll == b.coll && bytes.Equal(a.doc, b.doc) }) {
				t.Fatalf("read %d documents back, wrote %d, or they differ", len(es), len(tc.entries))
			}
			if !got.Created.Equal(h.Created) || got.Database != h.Database || got.Instance != h.Instance ||
				!slices.Equal(got.Collections, h.Collections) || got.Documents() != int64(len(tc.entries)) {
				t.Fatalf("header %+v, wrote %+v", got, h)
			}
			for _, e := range tc.entries {
				if bytes.Contains(data, e.doc[4:]) {
					t.Fatal("a document is in the archive in clear text")
				}
			}
		})
	}
}

func TestHeaderIsReadable(t *testing.T) {
	data, _ := archive(t, master(t, 1), entries(3, 40, "users"))
	lines := strings.SplitN(string(data), "\n", 3)
	if lines[0] != "vertaa-backup 1" || !strings.Contains(lines[1], `"collections":[{"name":"users","documents":3}]`) ||
		!strings.Contains(lines[1], `"created":"2026-03-02T10:00:00Z"`) || !strings.Contains(lines[1], `"instance":"INST"`) {
		t.Fatalf("clear-text lines:\n%s\n%s", lines[0], lines[1])
	}
}

// Two archives of the same data under the same master key share no key
// stream: each has its own salt, hence its own key.
func TestArchivesHaveTheirOwnKeys(t *testing.T) {
	m := master(t, 1)
	es := entries(3, 100, "users")
	a, _ := archive(t, m, es)
	b, _ := archive(t, m, es)
	bodyA, bodyB := a[bodyStart(a):], b[bodyStart(b):]
	if len(bodyA) != len(bodyB) || bytes.Equal(bodyA[:32], bodyB[:32]) {
		t.Fatal("two archives of the same data begin with the same ciphertext")
	}
}

func TestRefusals(t *testing.T) {
	m := master(t, 1)
	data, _ := archive(t, m, entries(200, 1000, "audit", "users")) // four chunks
	headerEnd := bodyStart(data)
	chunk := 64<<10 + 16
	replace := func(old, new string) []byte { return bytes.Replace(data, []byte(old), []byte(new), 1) }
	flip := func(i int) []byte {
		b := slices.Clone(data)
		b[i] ^= 0x20
		return b
	}
	cases := []struct {
		name   string
		data   []byte
		master *keyring.Master
		want   error
		text   string
	}{
		{"empty file", nil, m, backup.ErrNotBackup, "not a vertaa backup"},
		{"other file", []byte("PK\x03\x04 a zip file, say"), m, backup.ErrNotBackup, "not a vertaa backup"},
		{"wrong magic", replace("vertaa-backup", "vertaa-bakcup"), m, backup.ErrNotBackup, "not a vertaa backup"},
		{"no version", replace("vertaa-backup 1\n", "vertaa-backup \n"), m, backup.ErrNotBackup, "not a vertaa backup"},
		{"signed version", replace("vertaa-backup 1\n", "vertaa-backup +1\n"), m, backup.ErrNotBackup, "not a vertaa backup"},
		{"future version", replace("vertaa-backup 1\n", "vertaa-backup 2\n"), m, backup.ErrVersion,
			"unknown backup format version 2: this vertaa reads version 1"},
		{"header only", data[:headerEnd], m, backup.ErrTruncated, "the backup is truncated: it ends after its header"},
		{"first line only", data[:16], m, backup.ErrDamaged, "no complete header"},
		{"header not JSON", replace(`{"created"`, `["created"`), m, backup.ErrDamaged, "not valid JSON"},
		{"negative count", replace(`"documents":100`, `"documents":-1`), m, backup.ErrDamaged, "-1 documents"},
		{"system collection", replace(`"name":"users"`, `"name":"system.views"`), m, backup.ErrDamaged, "collection name"},
		{"wrong master key", data, master(t, 2), backup.ErrWrongKey, "not the one the backup was made with"},
		{"changed count", replace(`"documents":100`, `"documents":101`), m, backup.ErrDamaged, "part 0 does not authenticate"},
		{"changed instance", replace(`"instance":"INST"`, `"instance":"ISNT"`), m, backup.ErrDamaged, "part 0 does not authenticate"},
		{"flipped byte in the first chunk", flip(headerEnd + 100), m, backup.ErrDamaged, "part 0 does not authenticate"},
		{"flipped byte in the third chunk", flip(headerEnd + 2*chunk + 5), m, backup.ErrDamaged, "part 2 does not authenticate"},
		{"flipped last byte", flip(len(data) - 1), m, backup.ErrDamaged, "last part does not authenticate"},
		{"truncated at a chunk boundary", data[:headerEnd+2*chunk], m, backup.ErrTruncated, "it ends after 128 KiB of data, without its last part"},
		{"truncated within a chunk", data[:headerEnd+2*chunk+1000], m, backup.ErrDamaged, "cut short"},
		{"last byte missing", data[:len(data)-1], m, backup.ErrDamaged, "cut short"},
		{"chunks swapped", slices.Concat(data[:headerEnd], data[headerEnd+chunk:headerEnd+2*chunk], data[headerEnd:headerEnd+chunk],
			data[headerEnd+2*chunk:]), m, backup.ErrDamaged, "part 0 does not authenticate"},
		{"extra bytes", append(slices.Clone(data), 0), m, backup.ErrDamaged, "does not authenticate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, es, err := readAll(tc.data, tc.master)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("got %v, want %v with %q", err, tc.want, tc.text)
			}
			// The first chunk may hold documents before a later one
			// fails; a caller that checks the whole archive first acts
			// on none of them.
			if len(es) > 200 {
				t.Fatalf("%d documents", len(es))
			}
		})
	}
	// Every flipped byte, anywhere, is noticed.
	for i := 0; i < len(data); i += 997 {
		if _, _, err := readAll(flip(i), m); err == nil {
			t.Fatalf("a flipped byte at %d went unnoticed", i)
		}
	}
}

func TestWriterChecksCounts(t *testing.T) {
	m := master(t, 1)
	h := backup.Header{Created: time.Now(), Collections: []backup.Collection{{Name: "a", Documents: 1}, {Name: "b", Documents: 1}}}
	newWriter := func() *backup.Writer {
		w, err := backup.NewWriter(io.Discard, m, h)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	w := newWriter()
	if err := w.Add("b", doc(0, 20)); err == nil || !strings.Contains(err.Error(), "more than the header counts, or out of order") {
		t.Errorf("out of order: %v", err)
	}
	w = newWriter()
	_ = w.Add("a", doc(0, 20))
	if err := w.Add("a", doc(1, 20)); err == nil {
		t.Error("a document more than counted was accepted")
	}
	w = newWriter()
	_ = w.Add("a", doc(0, 20))
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "1 documents of b are missing") {
		t.Errorf("missing document: %v", err)
	}
	w = newWriter()
	if err := w.Add("a", []byte("not bson")); err == nil {
		t.Error("a document that is not BSON was accepted")
	}
	for name, bad := range map[string]backup.Header{
		"no time":        {Collections: []backup.Collection{{Name: "a"}}},
		"twice":          {Created: time.Now(), Collections: []backup.Collection{{Name: "a"}, {Name: "a"}}},
		"system":         {Created: time.Now(), Collections: []backup.Collection{{Name: "system.profile"}}},
		"bad name":       {Created: time.Now(), Collections: []backup.Collection{{Name: "a$b"}}},
		"negative count": {Created: time.Now(), Collections: []backup.Collection{{Name: "a", Documents: -1}}},
	} {
		if _, err := backup.NewWriter(io.Discard, m, bad); err == nil {
			t.Errorf("%s: header accepted", name)
		}
	}
}

// FuzzReader feeds the reader mutations of a real archive: whatever the
// input, it fails with one of its errors or returns well-framed documents
// of the header's collections in the header's numbers.
func FuzzReader(f *testing.F) {
	m := master(f, 1)
	small, _ := archive(f, m, []entry{{"instance", doc(0, 30)}, {"users", doc(1, 60)}, {"users", doc(2, 45)}}, backup.Collection{Name: "outbox"})
	f.Add(small)
	f.Add(small[:bodyStart(small)])
	f.Add(bytes.Replace(small, []byte("backup 1"), []byte("backup 7"), 1))
	empty, _ := archive(f, m, nil)
	f.Add(empty)
	f.Fuzz(func(t *testing.T, data []byte) {
		h, es, err := readAll(data, m)
		if err != nil {
			for _, known := range []error{backup.ErrNotBackup, backup.ErrVersion, backup.ErrWrongKey, backup.ErrTruncated, backup.ErrDamaged} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("unexpected error %v", err)
		}
		if int64(len(es)) != h.Documents() {
			t.Fatalf("%d documents, the header counts %d", len(es), h.Documents())
		}
		i := 0
		for _, c := range h.Collections {
			for range c.Documents {
				d := es[i]
				if d.coll != c.Name || len(d.doc) < 5 || int(binary.LittleEndian.Uint32(d.doc)) != len(d.doc) || d.doc[len(d.doc)-1] != 0 {
					t.Fatalf("document %d: %q of %s", i, d.doc, d.coll)
				}
				i++
			}
		}
	})
}
