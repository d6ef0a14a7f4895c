// Package backup writes and reads vertaa's backup archives: the documents
// of every collection of a database, encrypted under a key derived from
// the master key. It knows nothing of the database: documents pass through
// it as raw BSON, which it only frames.
//
// An archive is two lines of clear text followed by the encrypted body:
//
//	vertaa-backup 1
//	{"created":…,"database":…,"instance":…,"collections":[{"name":…,"documents":N},…],"salt":…,"key_check":…}
//	chunk 0, chunk 1, …, last chunk
//
// The first line is the magic and the format version; the second is the
// header as JSON. The body is every document of the header's collections,
// in the header's order and numbers, each a BSON document (which starts
// with its own length). It is cut into chunks of 64 KiB of plaintext, each
// sealed with AES-256-GCM under a key of its own archive: HKDF-SHA256 of
// the master key's "backup" key with the header's random salt. The nonce
// is the chunk's number with a last-chunk flag, so that chunks cannot be
// reordered, dropped or cut off at the end unnoticed, and the additional
// data is the SHA-256 of the two clear-text lines, so that the header
// cannot be changed either. The key check, an HMAC of the salt under the
// master key's "backup-check" key, tells a wrong master key apart from a
// damaged file before anything is decrypted.
package backup

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"vertaa/internal/keyring"
)

// Version is the format version this package writes and reads.
const Version = 1

// MaxDocumentSize is the largest document an archive may hold: MongoDB's
// limit.
const MaxDocumentSize = 16 << 20

const (
	magic     = "vertaa-backup "
	chunkSize = 64 << 10 // plaintext bytes of every chunk but the last
	maxHeader = 1 << 20  // bytes of the JSON header line
	saltSize  = 32
)

// Errors of reading an archive. Others are I/O errors of the source.
var (
	ErrNotBackup = errors.New("not a vertaa backup")
	ErrVersion   = errors.New("unknown backup format version")
	ErrWrongKey  = errors.New("the master key is not the one the backup was made with")
	ErrTruncated = errors.New("the backup is truncated")
	ErrDamaged   = errors.New("the backup is damaged or was altered")
)

// Header describes an archive. It is stored in clear text, so that an
// archive tells what it holds without the master key; it holds no
// personal data.
type Header struct {
	Created  time.Time `json:"created"`
	Database string    `json:"database"` // the name of the database backed up
	Instance string    `json:"instance"` // the id of the vertaa installation
	// Collections are the collections in the order of the body, with
	// their numbers of documents.
	Collections []Collection `json:"collections"`
}

// Collection is a collection of an archive and its number of documents.
type Collection struct {
	Name      string `json:"name"`
	Documents int64  `json:"documents"`
}

// Documents returns the number of documents of all collections.
func (h Header) Documents() int64 {
	var n int64
	for _, c := range h.Collections {
		n += c.Documents
	}
	return n
}

// fileHeader is the header line as stored.
type fileHeader struct {
	Header
	Salt     []byte `json:"salt"`      // random, of this archive
	KeyCheck []byte `json:"key_check"` // see checkValue
}

// collectionName is what a header may name: MongoDB's own collections
// ("system.…") are never backed up.
var collectionName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,119}$`)

// maxCollections bounds the header a reader accepts.
const maxCollections = 10_000

// validate checks what a writer is given and a reader finds.
func (h Header) validate() error {
	switch {
	case h.Created.IsZero():
		return errors.New("no creation time")
	case len(h.Database) > 200 || len(h.Instance) > 200:
		return errors.New("database name or instance id too long")
	case len(h.Collections) > maxCollections:
		return fmt.Errorf("more than %d collections", maxCollections)
	}
	seen := make(map[string]bool, len(h.Collections))
	for _, c := range h.Collections {
		if !collectionName.MatchString(c.Name) || strings.HasPrefix(c.Name, "system.") {
			return fmt.Errorf("collection name %q", c.Name)
		}
		if seen[c.Name] {
			return fmt.Errorf("collection %s twice", c.Name)
		}
		seen[c.Name] = true
		if c.Documents < 0 {
			return fmt.Errorf("collection %s: %d documents", c.Name, c.Documents)
		}
	}
	return nil
}

// keys derives an archive's body cipher and key check from the master key
// and the archive's salt.
func keys(master *keyring.Master, salt []byte) (cipher.AEAD, []byte) {
	bodyKey, err := hkdf.Key(sha256.New, master.Derive("backup"), salt, "vertaa backup body", 32)
	if err != nil {
		panic(err) // hkdf fails only for lengths it cannot produce
	}
	block, err := aes.NewCipher(bodyKey)
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	mac := hmac.New(sha256.New, master.Derive("backup-check"))
	mac.Write([]byte("vertaa backup key check\x00"))
	mac.Write(salt)
	return aead, mac.Sum(nil)
}

// nonce is the GCM nonce of chunk number i: its number, big-endian, and a
// last byte of 1 for the last chunk.
func nonce(dst []byte, i uint64, last bool) []byte {
	dst = dst[:12]
	clear(dst)
	binary.BigEndian.PutUint64(dst[3:11], i)
	if last {
		dst[11] = 1
	}
	return dst
}

// checkFrame checks that doc is framed as a BSON document: its first four
// bytes give its length, little-endian, and it ends with a zero byte.
func checkFrame(doc []byte) error {
	if len(doc) < 5 || len(doc) > MaxDocumentSize || int(binary.LittleEndian.Uint32(doc)) != len(doc) || doc[len(doc)-1] != 0 {
		return fmt.Errorf("not a BSON document of at most %d bytes", MaxDocumentSize)
	}
	return nil
}
