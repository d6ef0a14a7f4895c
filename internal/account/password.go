package account

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"vertaa/internal/apperr"
)

// The argon2id parameters of new hashes, as OWASP recommends: 19 MiB of
// memory, two passes, one thread.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Bounds on what CheckPassword accepts from a stored hash, so that a
// tampered hash cannot make the server spend unbounded memory or time.
const (
	argonMaxMemory  = 256 * 1024 // KiB
	argonMaxTime    = 10
	argonMaxThreads = 16
	argonMinSaltLen = 8
	argonMaxSaltLen = 64
	argonMinKeyLen  = 16
	argonMaxKeyLen  = 64
)

// argonParams are the cost parameters of one hash.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
}

var argonDefault = argonParams{memory: argonMemory, time: argonTime, threads: argonThreads}

// hashing holds a slot for each argon2 computation running, at most one
// per CPU: each takes 19 MiB and a CPU for tens of milliseconds, so a
// burst of sign-ins waits its turn instead of taking the memory of all of
// them at once (300 at once would take 5.6 GiB).
var hashing = make(chan struct{}, runtime.GOMAXPROCS(0))

// argonKey derives the argon2id key of password, in a slot of hashing.
func argonKey(password, salt []byte, p argonParams, keyLen uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey(password, salt, p.time, p.memory, p.threads, keyLen)
}

// b64 is the encoding of salts and keys in PHC strings: standard alphabet,
// no padding, and only canonical encodings accepted.
var b64 = base64.RawStdEncoding.Strict()

// HashPassword returns an argon2id hash of password in the PHC string format
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, with a 16-byte random salt
// and a 32-byte key, both in unpadded standard base64.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argonKey([]byte(password), salt, argonDefault, argonKeyLen)
	return encodeArgonHash(argonDefault, salt, key), nil
}

// CheckPassword reports whether password matches the encoded hash made by
// HashPassword. It uses the parameters stored in the hash, so that hashes
// made with other costs keep working, but refuses costs beyond 256 MiB of
// memory, 10 passes or 16 threads. A malformed, unsupported or refused hash
// matches no password.
func CheckPassword(encoded, password string) bool {
	p, salt, want, ok := decodeArgonHash(encoded)
	if !ok {
		return false
	}
	got := argonKey([]byte(password), salt, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// noUserHash has the parameters, salt length and key length of new hashes;
// its all-zero key matches no password in practice.
var noUserHash = encodeArgonHash(argonDefault, make([]byte, argonSaltLen), make([]byte, argonKeyLen))

// CheckNoUser spends the time that CheckPassword spends on the hash of a
// real account, so that signing in takes as long for an unknown e-mail
// address as for a wrong password.
func CheckNoUser(password string) {
	CheckPassword(noUserHash, password)
}

func encodeArgonHash(p argonParams, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decodeArgonHash parses an argon2id PHC string and checks its parameters
// against the bounds above.
func decodeArgonHash(encoded string) (p argonParams, salt, key []byte, ok bool) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, false
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return p, nil, nil, false
	}
	memory, ok1 := argonParam(params[0], "m=", argonMaxMemory)
	passes, ok2 := argonParam(params[1], "t=", argonMaxTime)
	threads, ok3 := argonParam(params[2], "p=", argonMaxThreads)
	if !ok1 || !ok2 || !ok3 || passes < 1 || threads < 1 || memory < 8*threads {
		return p, nil, nil, false
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < argonMinSaltLen || len(salt) > argonMaxSaltLen {
		return p, nil, nil, false
	}
	key, err = b64.DecodeString(parts[5])
	if err != nil || len(key) < argonMinKeyLen || len(key) > argonMaxKeyLen {
		return p, nil, nil, false
	}
	return argonParams{memory: memory, time: passes, threads: uint8(threads)}, salt, key, true
}

// argonParam parses one "name=value" parameter with a decimal value of at
// most limit, written without sign or leading zeros.
func argonParam(s, prefix string, limit uint32) (uint32, bool) {
	digits, found := strings.CutPrefix(s, prefix)
	if !found || digits == "" || len(digits) > 1 && digits[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 32)
	if err != nil || n > uint64(limit) {
		return 0, false
	}
	return uint32(n), true
}

// Limits of passwords, in characters.
const (
	minPasswordLength = 8
	maxPasswordLength = 128
	// minPersonalLength is the shortest part of a name or e-mail address
	// that a password may not contain.
	minPersonalLength = 4
	// minPatternLength is the shortest repetition or run that makes a
	// password repetitive.
	minPatternLength = 4
)

// ValidatePassword checks a new password of the user with the given e-mail
// address and name against the policy. It returns nil, or an
// apperr.InvalidFields error for the field "password" with every code that
// applies:
//
//	password.too_short   fewer than 8 characters
//	password.too_long    more than 128 characters
//	password.common      a common password, ignoring case, accents, spaces
//	                     and trailing digits, punctuation and symbols
//	                     ("Salasana 123!" is "salasana")
//	password.personal    contains the local part of the e-mail address, or
//	                     a part of 4 or more letters of it or of the name,
//	                     ignoring case and accents
//	password.repetitive  one or two characters repeated, a short pattern
//	                     repeated, or a run such as 12345678, abcdefgh or
//	                     qwertyui, maybe followed by digits or punctuation
//
// Characters are Unicode code points, not bytes.
func ValidatePassword(password, email, name string) error {
	var codes []string
	switch n := utf8.RuneCountInString(password); {
	case n < minPasswordLength:
		codes = append(codes, "password.too_short")
	case n > maxPasswordLength:
		codes = append(codes, "password.too_long")
	}
	if isCommonPassword(password) {
		codes = append(codes, "password.common")
	}
	if isPersonalPassword(password, email, name) {
		codes = append(codes, "password.personal")
	}
	if isRepetitivePassword(password) {
		codes = append(codes, "password.repetitive")
	}
	fields := make([]apperr.FieldError, len(codes))
	for i, c := range codes {
		fields[i] = apperr.FieldError{Field: "password", Code: c}
	}
	return apperr.InvalidFields(fields...)
}

//go:embed common-passwords.txt
var commonPasswordsFile string

// commonPasswords holds the folded forms (see commonPasswordKey) of the
// entries of common-passwords.txt of at least 4 characters.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{})
	for line := range strings.Lines(commonPasswordsFile) {
		if k := commonPasswordKey(line); utf8.RuneCountInString(k) >= 4 {
			m[k] = struct{}{}
		}
	}
	return m
})

func isCommonPassword(password string) bool {
	common := commonPasswords()
	k := commonPasswordKey(password)
	if _, ok := common[k]; ok {
		return true
	}
	_, ok := common[trimPasswordSuffix(k)]
	return ok
}

// commonPasswordKey returns s folded and without white space, the form in
// which common passwords are compared.
func commonPasswordKey(s string) string {
	return strings.Join(strings.Fields(foldPassword(s)), "")
}

// foldPassword returns s in lower case and without accents, so that
// "Ääritalo" and "aaritalo" compare equal.
func foldPassword(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, norm.NFD.String(strings.ToLower(s)))
}

// trimPasswordSuffix removes the digits, punctuation, symbols and spaces
// that people add to a word to satisfy password rules.
func trimPasswordSuffix(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	})
}

func isPersonalPassword(password, email, name string) bool {
	p := foldPassword(password)
	local := email
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		local = email[:at]
	}
	local = foldPassword(strings.TrimSpace(local))
	if utf8.RuneCountInString(local) >= minPersonalLength && strings.Contains(p, local) {
		return true
	}
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	parts := append(strings.FieldsFunc(local, notLetter), strings.FieldsFunc(foldPassword(name), notLetter)...)
	for _, part := range parts {
		if utf8.RuneCountInString(part) >= minPersonalLength && strings.Contains(p, part) {
			return true
		}
	}
	return false
}

// passwordRuns are sequences of characters whose runs, forwards or
// backwards, make weak passwords: digits (wrapping from 9 to 0), the
// alphabet, and the rows of Finnish and US keyboards.
var passwordRuns = []struct {
	chars  []rune
	cyclic bool
}{
	{[]rune("0123456789"), true},
	{[]rune("abcdefghijklmnopqrstuvwxyzåäö"), false},
	{[]rune("qwertyuiopå"), false},
	{[]rune("asdfghjklöä"), false},
	{[]rune("<zxcvbnm,.-"), false},
	{[]rune("qwertyuiop[]"), false},
	{[]rune("asdfghjkl;'"), false},
	{[]rune("zxcvbnm,./"), false},
	{[]rune("!\"#¤%&/()="), false},
	{[]rune("!@#$%^&*()"), false},
}

// isRepetitivePassword reports whether the password is made of one or two
// distinct characters, of a pattern of up to four characters repeated, or
// of a run; or whether it is a run or one character repeated, followed by
// digits, punctuation or symbols.
func isRepetitivePassword(password string) bool {
	r := []rune(strings.ToLower(password))
	if len(r) < minPatternLength {
		return false
	}
	if distinctRunes(r) <= 2 || isRun(r) {
		return true
	}
	for period := 3; period <= 4 && 2*period <= len(r); period++ {
		if hasPeriod(r, period) {
			return true
		}
	}
	head := []rune(trimPasswordSuffix(string(r)))
	return len(head) >= minPatternLength && len(head) < len(r) && (distinctRunes(head) == 1 || isRun(head))
}

func distinctRunes(r []rune) int {
	seen := make(map[rune]bool, len(r))
	for _, c := range r {
		seen[c] = true
	}
	return len(seen)
}

func hasPeriod(r []rune, period int) bool {
	for i := period; i < len(r); i++ {
		if r[i] != r[i-period] {
			return false
		}
	}
	return true
}

// isRun reports whether r, of at least two characters, follows one of
// passwordRuns one step at a time in one direction.
func isRun(r []rune) bool {
	for _, seq := range passwordRuns {
		start := slices.Index(seq.chars, r[0])
		if start < 0 {
			continue
		}
		for _, step := range []int{1, -1} {
			if followsRun(r[1:], seq.chars, seq.cyclic, start, step) {
				return true
			}
		}
	}
	return false
}

func followsRun(rest, seq []rune, cyclic bool, i, step int) bool {
	for _, c := range rest {
		i += step
		switch {
		case cyclic:
			i = (i + len(seq)) % len(seq)
		case i < 0 || i >= len(seq):
			return false
		}
		if seq[i] != c {
			return false
		}
	}
	return true
}
