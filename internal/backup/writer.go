package backup

import (
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"vertaa/internal/keyring"
)

// Writer writes an archive. Give it the documents of the header's
// collections in the header's order and numbers, then Close it.
type Writer struct {
	out    io.Writer
	aead   cipher.AEAD
	aad    []byte
	buf    []byte // plaintext of the chunk being filled
	sealed []byte // sealed chunk
	nonce  [12]byte
	chunk  uint64
	colls  []Collection
	cur    int   // index of the collection being written
	left   int64 // its documents still to come
	err    error // the first error; the archive is unusable after it
}

// NewWriter writes the header h to out and returns a Writer for the body,
// encrypted under a key derived from master and a fresh random salt.
func NewWriter(out io.Writer, master *keyring.Master, h Header) (*Writer, error) {
	if err := h.validate(); err != nil {
		return nil, fmt.Errorf("backup header: %w", err)
	}
	h.Created = h.Created.UTC()
	salt := make([]byte, saltSize)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails
	aead, check := keys(master, salt)
	line, err := json.Marshal(fileHeader{Header: h, Salt: salt, KeyCheck: check})
	if err != nil {
		return nil, err
	}
	prefix := fmt.Appendf(nil, "%s%d\n%s\n", magic, Version, line)
	if _, err := out.Write(prefix); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(prefix)
	w := &Writer{out: out, aead: aead, aad: sum[:], buf: make([]byte, 0, chunkSize), colls: h.Collections}
	if len(w.colls) > 0 {
		w.left = w.colls[0].Documents
	}
	return w, nil
}

// Add appends a document of the collection. doc is copied; it must be one
// BSON document.
func (w *Writer) Add(collection string, doc []byte) error {
	if w.err != nil {
		return w.err
	}
	if err := checkFrame(doc); err != nil {
		return fmt.Errorf("a document of %s: %w", collection, err)
	}
	w.skipDone()
	if w.cur == len(w.colls) || w.colls[w.cur].Name != collection {
		w.err = fmt.Errorf("backup: a document of %s is more than the header counts, or out of order", collection)
		return w.err
	}
	w.left--
	for len(doc) > 0 {
		if len(w.buf) == chunkSize {
			if err := w.seal(false); err != nil {
				return err
			}
		}
		n := copy(w.buf[len(w.buf):chunkSize], doc)
		w.buf, doc = w.buf[:len(w.buf)+n], doc[n:]
	}
	return nil
}

// skipDone moves on past the collections whose documents are all written.
func (w *Writer) skipDone() {
	for w.cur < len(w.colls) && w.left == 0 {
		w.cur++
		if w.cur < len(w.colls) {
			w.left = w.colls[w.cur].Documents
		}
	}
}

// Close checks that every document the header counts was added and
// writes the last chunk. It does not close the underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	w.skipDone()
	if w.cur < len(w.colls) {
		w.err = fmt.Errorf("backup: %d documents of %s are missing", w.left, w.colls[w.cur].Name)
		return w.err
	}
	if err := w.seal(true); err != nil {
		return err
	}
	w.err = errors.New("backup: the archive is closed")
	return nil
}

// seal encrypts and writes the chunk in buf.
func (w *Writer) seal(last bool) error {
	w.sealed = w.aead.Seal(w.sealed[:0], nonce(w.nonce[:], w.chunk, last), w.buf, w.aad)
	if _, err := w.out.Write(w.sealed); err != nil {
		w.err = err
		return err
	}
	w.chunk++
	w.buf = w.buf[:0]
	return nil
}
