package openbadges

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"vertaa/internal/bake"
)

// BenchmarkVerify verifies an issued credential through the verifier
// (header and key checks, the ES256 signature through golang-jwt, the
// claims, validity, the status list lookup and the recipient hash) and,
// as the floor, does only the bare ECDSA P-256 verification of the same
// signature: SHA-256 of the signing input and ecdsa.Verify. The goal is
// verify throughput / floor throughput >= 0.5.
func BenchmarkVerify(b *testing.B) {
	k := testKeys(b)
	tok, err := k.Sign(site.Credential(testBadge(), issuer, testAward(time.Now())))
	if err != nil {
		b.Fatal(err)
	}
	v := verifier(k)
	pub, _ := k.Public(k.Current())
	dot := strings.LastIndexByte(tok, '.')
	b.Run("floor", func(b *testing.B) {
		for b.Loop() {
			sig, _ := base64.RawURLEncoding.DecodeString(tok[dot+1:])
			h := sha256.Sum256([]byte(tok[:dot]))
			if !ecdsa.Verify(pub, h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
				b.Fatal("bad signature")
			}
		}
	})
	b.Run("verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if r := v.Verify(context.Background(), tok, "leena.johtaja@example.fi"); !r.Valid {
				b.Fatal(r.Checks)
			}
		}
	})
}

// BenchmarkIssue issues one award as the service does when an earner
// accepts a badge: it builds the credential, signs it as a VC-JWT and
// bakes it into the badge's 400x400 PNG. The floor is the bare ECDSA
// P-256 signature of the same signing input (SHA-256 and ecdsa.Sign), the
// least any issuer must do.
func BenchmarkIssue(b *testing.B) {
	k := testKeys(b)
	_, file, _, _ := runtime.Caller(0)
	png, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "badges", "pedagoginen-johtaja.png"))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	tok, err := k.Sign(site.Credential(testBadge(), issuer, testAward(now)))
	if err != nil {
		b.Fatal(err)
	}
	priv, _, _ := k.signer()
	input := []byte(tok[:strings.LastIndexByte(tok, '.')])
	b.Run("floor", func(b *testing.B) {
		for b.Loop() {
			h := sha256.Sum256(input)
			if _, _, err := ecdsa.Sign(rand.Reader, priv, h[:]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "awards/s")
	})
	b.Run("issue", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tok, err := k.Sign(site.Credential(testBadge(), issuer, testAward(now)))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := bake.BakePNG(png, bake.V3, tok); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "awards/s")
	})
}
