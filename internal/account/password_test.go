package account_test

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
)

const (
	testPassword = "Vihreä kettu hyppää aidan yli"
	// knownHash is a hash of testPassword made by HashPassword earlier.
	knownHash = "$argon2id$v=19$m=19456,t=2,p=1$d8Q2PJXFtAqXGrK+QSxO6g$KbnynxLP7mdkd0w7Ra26og91JwvcPcnMluk6EBgOsHs"
)

// testHash is a hash of testPassword, made once for all tests.
var testHash = sync.OnceValues(func() (string, error) { return account.HashPassword(testPassword) })

func hashOf(tb testing.TB) string {
	tb.Helper()
	h, err := testHash()
	if err != nil {
		tb.Fatalf("HashPassword: %v", err)
	}
	return h
}

func TestHashPassword(t *testing.T) {
	h := hashOf(t)
	t.Run("Format", func(t *testing.T) {
		parts := strings.Split(h, "$")
		if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" || parts[3] != "m=19456,t=2,p=1" {
			t.Fatalf("hash %q is not in the expected PHC format", h)
		}
		// 16 and 32 bytes in unpadded base64.
		if len(parts[4]) != 22 || len(parts[5]) != 43 {
			t.Errorf("salt %q or key %q has the wrong length", parts[4], parts[5])
		}
	})
	t.Run("SaltDiffers", func(t *testing.T) {
		h2, err := account.HashPassword(testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if h2 == h {
			t.Errorf("two hashes of one password are equal: %q", h)
		}
		if !account.CheckPassword(h2, testPassword) {
			t.Error("second hash does not match its password")
		}
	})
}

func TestCheckPassword(t *testing.T) {
	h := hashOf(t)
	parts := strings.Split(h, "$")
	salt, key := parts[4], parts[5]
	withParams := func(params string) string { return "$argon2id$v=19$" + params + "$" + salt + "$" + key }
	// flipped changes the last character of the key, still valid base64.
	flipped := h[:len(h)-1] + map[bool]string{true: "B", false: "A"}[h[len(h)-1] == 'A']

	t.Run("OK", func(t *testing.T) {
		if !account.CheckPassword(h, testPassword) {
			t.Error("hash does not match its password")
		}
	})
	t.Run("OKKnownHash", func(t *testing.T) {
		if !account.CheckPassword(knownHash, testPassword) {
			t.Error("a hash made earlier does not match its password")
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		if account.CheckPassword(h, "vihreä kettu hyppää aidan yli") {
			t.Error("hash matches a password that differs in case")
		}
	})
	t.Run("TamperedKey", func(t *testing.T) {
		if account.CheckPassword(flipped, testPassword) {
			t.Error("tampered hash matches")
		}
	})

	// None of these reach argon2, so they are cheap to check.
	malformed := map[string]string{
		"Empty":           "",
		"Garbage":         "not a hash",
		"NoLeadingDollar": strings.TrimPrefix(h, "$"),
		"MissingKey":      "$argon2id$v=19$m=19456,t=2,p=1$" + salt,
		"ExtraField":      h + "$x",
		"VariantArgon2i":  strings.Replace(h, "$argon2id$", "$argon2i$", 1),
		"VariantArgon2d":  strings.Replace(h, "$argon2id$", "$argon2d$", 1),
		"VersionMissing":  strings.Replace(h, "$v=19", "", 1),
		"Version16":       strings.Replace(h, "v=19", "v=16", 1),
		"AbsurdMemory":    withParams("m=99999999,t=2,p=1"),
		"MemoryOverflow":  withParams("m=99999999999999999999,t=2,p=1"),
		"AbsurdTime":      withParams("m=19456,t=11,p=1"),
		"AbsurdThreads":   withParams("m=19456,t=2,p=17"),
		"ZeroTime":        withParams("m=19456,t=0,p=1"),
		"ZeroThreads":     withParams("m=19456,t=2,p=0"),
		"MemoryBelow8p":   withParams("m=7,t=1,p=1"),
		"NegativeMemory":  withParams("m=-1,t=2,p=1"),
		"PlusSign":        withParams("m=+19456,t=2,p=1"),
		"LeadingZero":     withParams("m=019456,t=2,p=1"),
		"TrailingJunk":    withParams("m=19456x,t=2,p=1"),
		"ParamsReordered": withParams("t=2,m=19456,p=1"),
		"ParamMissing":    withParams("m=19456,t=2"),
		"BadBase64Salt":   "$argon2id$v=19$m=19456,t=2,p=1$!!!!$" + key,
		"BadBase64Key":    "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key[:len(key)-2] + "*=",
		"PaddedKey":       h + "=",
		"ShortSalt":       "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + key,
		"ShortKey":        "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$a2V5",
		"LongKey":         "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + strings.Repeat("A", 100),
	}
	for name, encoded := range malformed {
		t.Run("Malformed/"+name, func(t *testing.T) {
			if account.CheckPassword(encoded, testPassword) {
				t.Errorf("CheckPassword(%q) = true", encoded)
			}
		})
	}
}

func TestCheckNoUser(t *testing.T) {
	// It must not panic, and it cannot succeed: it returns nothing.
	account.CheckNoUser(testPassword)
}

// codes returns the codes of a ValidatePassword error, failing the test if
// the error is of the wrong kind or for another field.
func codes(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	if k := apperr.KindOf(err); k != apperr.Invalid {
		t.Fatalf("error %v has kind %v, want invalid", err, k)
	}
	var cs []string
	for _, f := range apperr.FieldsOf(err) {
		if f.Field != "password" {
			t.Errorf("error for field %q, want password", f.Field)
		}
		cs = append(cs, f.Code)
	}
	return cs
}

func TestValidatePassword(t *testing.T) {
	const (
		email = "sarka.aaritalo@koulu.fi"
		name  = "Šárka Ääritalo"
	)
	tests := []struct {
		name        string
		password    string
		email, user string
		want        []string
	}{
		{"OK/Passphrase", "Vihreä kettu hyppää aidan yli", email, name, nil},
		{"OK/RandomASCII", "T7#qv!Lm2pZx", email, name, nil},
		{"OK/EightMultibyteLetters", "Äöåüéñçß", email, name, nil},
		{"OK/GreekEightLetters", "αβγδεζηθ", email, name, nil},
		{"OK/ShortNamePartAllowed", "Ari-kuulee-kolme-kelloa", "a.ku@koulu.fi", "Ari Ku", nil},
		{"OK/NoEmailNoName", "Vihreä kettu hyppää aidan yli", "", "", nil},

		{"TooShort/ASCII", "Xk9#vQ2", email, name, []string{"password.too_short"}},
		{"TooShort/SevenMultibyteLetters", "Äöåüéñç", email, name, []string{"password.too_short"}},
		{"TooShort/Empty", "", email, name, []string{"password.too_short"}},
		{"TooLong", strings.Repeat("Kettu hyppää aidan yli. ", 6), email, name, []string{"password.too_long"}},

		{"Common/Exact", "password", email, name, []string{"password.common"}},
		{"Common/UpperCaseAndSuffix", "Salasana123!", email, name, []string{"password.common"}},
		{"Common/Finnish", "aurinko2024", email, name, []string{"password.common"}},
		{"Common/FinnishWithoutUmlaut", "Kesa2024!", "", "", []string{"password.common"}},
		{"Common/FinnishUmlaut", "KESÄ2025", "", "", []string{"password.common"}},
		{"Common/Swedish", "Lösenord99", email, name, []string{"password.common"}},
		{"Common/Spaces", "I love you 2", email, name, []string{"password.common"}},
		{"Common/Perkele", "Perkele!!", email, name, []string{"password.common"}},

		{"Personal/EmailLocalPart", "x-sarka.aaritalo-x", email, "", []string{"password.personal"}},
		{"Personal/EmailPart", "mun-aaritalo-juttu", email, "", []string{"password.personal"}},
		{"Personal/NameWithAccents", "ŠÁRKA on paras", "", name, []string{"password.personal"}},
		{"Personal/NameWithoutAccents", "minä olen Aaritalo", "", name, []string{"password.personal"}},
		{"Personal/NameUpperCase", "ÄÄRITALON talo 9", "", name, []string{"password.personal"}},

		{"Repetitive/SameCharacter", "xxxxxxxxxx", email, name, []string{"password.repetitive"}},
		{"Repetitive/SameMultibyteCharacter", "ääääääääää", email, name, []string{"password.repetitive"}},
		{"Repetitive/TwoCharacters", "ababababab", email, name, []string{"password.repetitive"}},
		{"Repetitive/PatternRepeated", "xyzxyzxyz", email, name, []string{"password.repetitive"}},
		{"Repetitive/Digits", "23456789", email, name, []string{"password.repetitive"}},
		{"Repetitive/DigitsWrapping", "7890123456", email, name, []string{"password.repetitive"}},
		{"Repetitive/DigitsDown", "76543210", email, name, []string{"password.repetitive"}},
		{"Repetitive/Alphabet", "Bcdefghij", email, name, []string{"password.repetitive"}},
		{"Repetitive/AlphabetWithSuffix", "lmnopqrs!1", email, name, []string{"password.repetitive"}},
		{"Repetitive/KeyboardFinnish", "ghjklöä1", email, name, []string{"password.repetitive"}},
		{"Repetitive/KeyboardSymbols", "!@#$%^&*", email, name, []string{"password.repetitive"}},

		{"Several/ShortCommonRepetitive", "1234", email, name, []string{"password.too_short", "password.common", "password.repetitive"}},
		{"Several/CommonRepetitive", "12345678", email, name, []string{"password.common", "password.repetitive"}},
		{"Several/ShortPersonal", "Šárka1", email, name, []string{"password.too_short", "password.personal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := codes(t, account.ValidatePassword(tt.password, tt.email, tt.user))
			if !slices.Equal(got, tt.want) {
				t.Errorf("ValidatePassword(%q, %q, %q) = %q, want %q", tt.password, tt.email, tt.user, got, tt.want)
			}
		})
	}
}

// TestCommonPasswordsFile checks the embedded list: lower case, unique, long
// enough, and every entry refused.
func TestCommonPasswordsFile(t *testing.T) {
	data, err := os.ReadFile("common-passwords.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) < 800 {
		t.Errorf("%d common passwords, want at least 800", len(lines))
	}
	seen := make(map[string]bool, len(lines))
	for i, p := range lines {
		switch {
		case p != strings.ToLower(p) || p != strings.TrimSpace(p) || !utf8.ValidString(p):
			t.Errorf("line %d: %q is not trimmed lower-case UTF-8", i+1, p)
		case utf8.RuneCountInString(p) < 4:
			t.Errorf("line %d: %q is shorter than 4 characters", i+1, p)
		case seen[p]:
			t.Errorf("line %d: %q is a duplicate", i+1, p)
		}
		seen[p] = true
		if !slices.Contains(codes(t, account.ValidatePassword(p, "", "")), "password.common") {
			t.Errorf("line %d: %q is not refused as common", i+1, p)
		}
	}
}

func FuzzCheckPassword(f *testing.F) {
	f.Add(knownHash, testPassword)
	f.Add(knownHash, "")
	f.Add(strings.Replace(knownHash, "m=19456", "m=99999999", 1), testPassword)
	f.Add(strings.Replace(knownHash, "argon2id", "argon2i", 1), testPassword)
	f.Add("$argon2id$v=19$m=8,t=1,p=1$!!!!$====", "")
	f.Add("$$$$$", "ä")
	f.Fuzz(func(t *testing.T, encoded, password string) {
		ok := account.CheckPassword(encoded, password)
		if ok != (encoded == knownHash && password == testPassword) {
			t.Errorf("CheckPassword(%q, %q) = %v", encoded, password, ok)
		}
	})
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := account.HashPassword(testPassword); err != nil {
			b.Fatal(err)
		}
	}
}
