package openbadges

import (
	"context"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds the verifier arbitrary tokens: it must never panic, and
// must accept only the one credential that was signed.
func FuzzVerify(f *testing.F) {
	k := testKeys(f)
	good, err := k.Sign(site.Credential(testBadge(), issuer, testAward(time.Now())))
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(good, ".")
	f.Add(good)
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add(parts[0] + ".e30." + parts[2])
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("...")
	v := verifier(k)
	f.Fuzz(func(t *testing.T, token string) {
		r := v.Verify(context.Background(), token, "")
		if len(r.Checks) != 7 {
			t.Fatalf("%d checks", len(r.Checks))
		}
		if r.Valid && strings.TrimSpace(token) != good {
			t.Fatalf("accepted a token that was not signed: %q", token)
		}
	})
}
