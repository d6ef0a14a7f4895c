package openbadges

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"
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
