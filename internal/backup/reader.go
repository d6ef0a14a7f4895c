package backup

import (
	"bufio"
	"bytes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"vertaa/internal/keyring"
)

// Reader reads an archive: NewReader reads its header, Unlock checks the
// master key, and Next returns its documents one by one, decrypting and
// authenticating as it goes. Only a Next that returns io.EOF has seen the
// whole archive intact: check a whole archive before acting on any of it.
type Reader struct {
	src    *bufio.Reader
	header fileHeader
	aad    []byte
	body   *chunkReader // nil until Unlock
	cur    int          // index of the collection being read
	left   int64        // its documents still to come
	err    error        // the first error; sticky
}

// NewReader reads the header of the archive in src. Its errors wrap
// ErrNotBackup, ErrVersion or ErrDamaged, or are I/O errors of src.
func NewReader(src io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(src, chunkSize+64)
	start, err := br.Peek(len(magic))
	if string(start) != magic {
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return nil, ErrNotBackup
	}
	first, err := readLine(br, len(magic)+10)
	if err != nil {
		return nil, ErrNotBackup
	}
	version := first[len(magic) : len(first)-1]
	if len(version) == 0 || len(version) > 9 || bytes.ContainsFunc(version, func(r rune) bool { return r < '0' || r > '9' }) {
		return nil, ErrNotBackup
	}
	if string(version) != fmt.Sprint(Version) {
		return nil, fmt.Errorf("%w %s: this vertaa reads version %d; restore it with the vertaa that made it, or a newer one", ErrVersion, version, Version)
	}
	line, err := readLine(br, maxHeader)
	if err != nil {
		return nil, fmt.Errorf("%w: no complete header", ErrDamaged)
	}
	r := &Reader{src: br}
	if err := json.Unmarshal(line, &r.header); err != nil {
		return nil, fmt.Errorf("%w: the header is not valid JSON", ErrDamaged)
	}
	if err := r.header.validate(); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrDamaged, err)
	}
	if len(r.header.Salt) != saltSize || len(r.header.KeyCheck) != sha256.Size {
		return nil, fmt.Errorf("%w: header: no salt or key check", ErrDamaged)
	}
	sum := sha256.New()
	sum.Write(first)
	sum.Write(line)
	r.aad = sum.Sum(nil)
	return r, nil
}

// readLine reads up to and including the next newline, at most max bytes.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		part, err := br.ReadSlice('\n')
		line = append(line, part...)
		if len(line) > max {
			return nil, errors.New("line too long")
		}
		if err == nil {
			return line, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
	}
}

// Header returns the archive's header. It is not authenticated until the
// first call of Next returns.
func (r *Reader) Header() Header { return r.header.Header }

// Unlock checks that master is the key the archive was made with; the
// error is ErrWrongKey if it is not.
func (r *Reader) Unlock(master *keyring.Master) error {
	aead, check := keys(master, r.header.Salt)
	if !hmac.Equal(check, r.header.KeyCheck) {
		return ErrWrongKey
	}
	r.body = &chunkReader{src: r.src, aead: aead, aad: r.aad, buf: make([]byte, chunkSize+aead.Overhead())}
	if len(r.header.Collections) > 0 {
		r.left = r.header.Collections[0].Documents
	}
	return nil
}

// Next returns the next document and its collection. After the last one
// it checks that the archive ends there and returns io.EOF. Other errors
// wrap ErrTruncated or ErrDamaged, or are I/O errors of the source.
func (r *Reader) Next() (collection string, doc []byte, err error) {
	if r.body == nil {
		return "", nil, errors.New("backup: Next before Unlock")
	}
	if r.err != nil {
		return "", nil, r.err
	}
	colls := r.header.Collections
	for r.cur < len(colls) && r.left == 0 {
		r.cur++
		if r.cur < len(colls) {
			r.left = colls[r.cur].Documents
		}
	}
	if r.cur == len(colls) {
		var one [1]byte
		n, err := io.ReadFull(r.body, one[:])
		switch {
		case n > 0:
			err = fmt.Errorf("%w: more data after the documents the header counts", ErrDamaged)
		case errors.Is(err, io.EOF):
			err = io.EOF
		}
		r.err = err
		return "", nil, err
	}
	name := colls[r.cur].Name
	var size [4]byte
	if _, err := io.ReadFull(r.body, size[:]); err != nil {
		return "", nil, r.fail(err, name)
	}
	n := binary.LittleEndian.Uint32(size[:])
	if n < 5 || n > MaxDocumentSize {
		r.err = fmt.Errorf("%w: a document of %s has a length of %d bytes", ErrDamaged, name, n)
		return "", nil, r.err
	}
	doc = make([]byte, n)
	copy(doc, size[:])
	if _, err := io.ReadFull(r.body, doc[4:]); err != nil {
		return "", nil, r.fail(err, name)
	}
	if doc[n-1] != 0 {
		r.err = fmt.Errorf("%w: a document of %s does not end as BSON does", ErrDamaged, name)
		return "", nil, r.err
	}
	r.left--
	return name, doc, nil
}

// fail records an error met while reading a document of the collection:
// an intact body that ends early does not match its header.
func (r *Reader) fail(err error, collection string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("%w: it ends within the documents of %s", ErrDamaged, collection)
	}
	r.err = err
	return err
}

// chunkReader decrypts and authenticates the chunks of a body.
type chunkReader struct {
	src   *bufio.Reader
	aead  cipher.AEAD
	aad   []byte
	buf   []byte // one sealed chunk
	plain []byte // what is left of the current chunk's plaintext
	out   []byte // plaintext buffer
	nonce [12]byte
	index uint64
	done  bool // the last chunk was read
}

// Read returns plaintext, io.EOF only after the authenticated last chunk.
func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.plain) == 0 {
		if c.done {
			return 0, io.EOF
		}
		if err := c.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.plain)
	c.plain = c.plain[n:]
	return n, nil
}

// next reads, decrypts and authenticates the next chunk. A chunk is the
// last one if the source ends with it.
func (c *chunkReader) next() error {
	n, err := io.ReadFull(c.src, c.buf)
	last := false
	switch {
	case err == nil:
		if _, err := c.src.Peek(1); errors.Is(err, io.EOF) {
			last = true
		} else if err != nil {
			return err
		}
	case errors.Is(err, io.ErrUnexpectedEOF):
		last = true
	case errors.Is(err, io.EOF):
		return c.truncated(c.index)
	default:
		return err
	}
	plain, err := c.aead.Open(c.out[:0], nonce(c.nonce[:], c.index, last), c.buf[:n], c.aad)
	if err != nil {
		if !last {
			return fmt.Errorf("%w: part %d does not authenticate", ErrDamaged, c.index)
		}
		if _, err := c.aead.Open(c.out[:0], nonce(c.nonce[:], c.index, false), c.buf[:n], c.aad); err == nil {
			return c.truncated(c.index + 1)
		}
		return fmt.Errorf("%w: its last part does not authenticate (the file was cut short, damaged or altered, or its header was changed)", ErrDamaged)
	}
	c.out, c.plain, c.done = plain, plain, last
	c.index++
	return nil
}

// truncated is the error of a body that ends after its first chunks
// chunks, none of them the last.
func (c *chunkReader) truncated(chunks uint64) error {
	if chunks == 0 {
		return fmt.Errorf("%w: it ends after its header", ErrTruncated)
	}
	return fmt.Errorf("%w: it ends after %d KiB of data, without its last part", ErrTruncated, chunks*chunkSize>>10)
}
