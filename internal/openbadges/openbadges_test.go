package openbadges

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"vertaa/internal/keyring/keyringtest"
	"vertaa/internal/openbadges/obtest"
	"vertaa/internal/statuslist"
)

var site = NewSite("https://vertaa.example.fi/")

var issuer = Issuer{Name: "Ammattiopistojen johtamisverkosto", URL: "https://vertaa.example.fi", Email: "badges@example.fi"}

func testKeys(t testing.TB) *Keys {
	t.Helper()
	k, created, err := LoadKeys(context.Background(), &keyringtest.Store{}, keyringtest.Master(), site)
	if err != nil || !created {
		t.Fatalf("LoadKeys: created %v, %v", created, err)
	}
	return k
}

func testBadge() Badge {
	return Badge{ClassID: "pedagoginen-johtaja", Name: "Pedagoginen johtaja", Description: "Johtaa oppimista.",
		Criteria: "Itsearvioinnin pedagogisen johtamisen alue vähintään tasolla Edistynyt.", AchievementType: "Competency",
		Tags: []string{"johtaminen"}, Language: "fi", Version: "1.0.0",
		Alignments: []Alignment{{TargetName: "LifeComp", TargetURL: "https://joint-research-centre.ec.europa.eu/lifecomp_en", TargetFramework: "LifeComp", TargetCode: "L1"}},
		Levels:     []Level{{ID: "osaava", Name: "Osaava", Description: "Hallitsee."}, {ID: "edistynyt", Name: "Edistynyt", Description: "Kehittää."}}}
}

func testAward(now time.Time) Award {
	return Award{ID: "a1b2c3", SubjectID: "urn:uuid:2f1d3c4e-1111-4222-8333-944455556666", Email: "Leena.Johtaja@Example.fi",
		Salt: "5a17", Name: "Leena Johtaja", ValidFrom: now.Add(-time.Hour).Truncate(time.Second),
		ValidUntil: now.AddDate(3, 0, 0).Truncate(time.Second), Level: "edistynyt",
		Evidence:   []Evidence{{Name: "Itsearviointi", Narrative: "Pedagoginen johtaminen: Edistynyt"}, {Name: "Portfolio", URL: "https://example.fi/portfolio"}},
		StatusList: 1, StatusIndex: 42}
}

// verifier returns a verifier whose status lists revoke the given entries
// of list 1.
func verifier(k *Keys, revoked ...int) *Verifier {
	return &Verifier{Keys: k, Site: site, Status: func(_ context.Context, list string, i int) (bool, error) {
		if list != site.StatusListURL(1) {
			return false, errors.New("unknown list " + list)
		}
		for _, r := range revoked {
			if r == i {
				return true, nil
			}
		}
		return false, nil
	}}
}

func TestCredentialFollowsTheSchema(t *testing.T) {
	c := site.Credential(testBadge(), issuer, testAward(time.Now()))
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := obtest.CheckCredential(t, raw); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if c.Context[0] != "https://www.w3.org/ns/credentials/v2" || !strings.Contains(c.Context[1], "/ob/v3p0/context") {
		t.Fatalf("contexts = %v", c.Context)
	}
	id := c.CredentialSubject.Identifier[0]
	if id.IdentityHash != IdentityHash("leena.johtaja@example.fi", "5a17") || strings.Contains(string(raw), "Leena.Johtaja@") {
		t.Fatalf("the e-mail address must be only hashed: %+v", id)
	}
	if c.CredentialSubject.Result[0].AchievedLevel != c.CredentialSubject.Achievement.ResultDescription[0].RubricCriterionLevel[1].ID {
		t.Fatal("the result must point at the level reached")
	}
}

// The schema check itself finds what is wrong, so that a pass above means
// something.
func TestSchemaCheckFindsProblems(t *testing.T) {
	c := site.Credential(testBadge(), issuer, testAward(time.Now()))
	for name, change := range map[string]func(map[string]any){
		"no validFrom":       func(m map[string]any) { delete(m, "validFrom") },
		"contexts reversed":  func(m map[string]any) { ctx := m["@context"].([]any); ctx[0], ctx[1] = ctx[1], ctx[0] },
		"undefined property": func(m map[string]any) { m["favouriteColour"] = "blue" },
		"subject without achievement": func(m map[string]any) {
			delete(m["credentialSubject"].(map[string]any), "achievement")
		},
		"undefined type": func(m map[string]any) {
			m["type"] = []any{"VerifiableCredential", "OpenBadgeCredential", "Diploma2000"}
		},
	} {
		raw, _ := json.Marshal(c)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		change(m)
		raw, _ = json.Marshal(m)
		if err := obtest.CheckCredential(t, raw); err == nil {
			t.Errorf("%s: not found", name)
		}
	}
}

func TestSignedCredentialVerifies(t *testing.T) {
	k := testKeys(t)
	now := time.Now()
	c := site.Credential(testBadge(), issuer, testAward(now))
	tok, err := k.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	r := verifier(k).Verify(context.Background(), tok, "leena.johtaja@example.fi")
	if !r.Valid {
		t.Fatalf("report = %+v", r)
	}
	for _, ch := range r.Checks {
		if ch.Outcome != Passed {
			t.Errorf("check %s = %s (%s)", ch.Name, ch.Outcome, ch.Detail)
		}
	}
	var back Credential
	if err := json.Unmarshal(r.Credential, &back); err != nil || back.ID != site.Award("a1b2c3") || back.CredentialSubject.Achievement.Name != "Pedagoginen johtaja" {
		t.Fatalf("credential = %s, %v", r.Credential, err)
	}

	// The header names the key by its URL and the payload repeats the
	// credential's fields as registered claims.
	var header map[string]any
	var claims map[string]any
	parts := strings.Split(tok, ".")
	if _, err := decodeSegment(parts[0], &header); err != nil {
		t.Fatal(err)
	}
	if _, err := decodeSegment(parts[1], &claims); err != nil {
		t.Fatal("undecodable token")
	}
	if header["alg"] != "ES256" || header["kid"] != site.Key(k.Current()) || header["typ"] != "JWT" {
		t.Fatalf("header = %v", header)
	}
	if claims["iss"] != site.Issuer() || claims["jti"] != c.ID || claims["sub"] != c.CredentialSubject.ID ||
		claims["nbf"] != float64(testAward(now).ValidFrom.Unix()) || claims["exp"] != float64(testAward(now).ValidUntil.Unix()) {
		t.Fatalf("claims = %v", claims)
	}

	// Without an address the recipient is not checked, and the
	// credential is still valid.
	if r := verifier(k).Verify(context.Background(), tok, ""); !r.Valid || r.Check(CheckRecipient).Outcome != Skipped {
		t.Fatalf("without e-mail: %+v", r)
	}
}

// forge returns a token with the header and payload given, signed by sign.
func forge(header, payload map[string]any, sign func(string) string) string {
	h, _ := json.Marshal(header)
	p, _ := json.Marshal(payload)
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	return in + "." + sign(in)
}

func decoded(t *testing.T, tok string) (map[string]any, map[string]any) {
	t.Helper()
	var h, p map[string]any
	parts := strings.Split(tok, ".")
	if _, err := decodeSegment(parts[0], &h); err != nil {
		t.Fatal(err)
	}
	if _, err := decodeSegment(parts[1], &p); err != nil {
		t.Fatal("undecodable token")
	}
	return h, p
}

func TestVerifierRejects(t *testing.T) {
	k := testKeys(t)
	now := time.Now()
	good, err := k.Sign(site.Credential(testBadge(), issuer, testAward(now)))
	if err != nil {
		t.Fatal(err)
	}
	header, payload := decoded(t, good)
	priv, _, _ := k.signer()
	es256 := func(in string) string {
		sig, err := jwt.SigningMethodES256.Sign(in, priv)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(sig)
	}
	with := func(m map[string]any, key string, v any) map[string]any {
		out := map[string]any{}
		for k, x := range m {
			out[k] = x
		}
		if v == nil {
			delete(out, key)
		} else {
			out[key] = v
		}
		return out
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	other := testKeys(t) // another issuer's key, same URLs

	expired := testAward(now)
	expired.ValidFrom, expired.ValidUntil = now.AddDate(-3, 0, -1).Truncate(time.Second), now.Add(-time.Hour).Truncate(time.Second)
	expiredTok, _ := k.Sign(site.Credential(testBadge(), issuer, expired))
	future := testAward(now)
	future.ValidFrom = now.Add(time.Hour).Truncate(time.Second)
	futureTok, _ := k.Sign(site.Credential(testBadge(), issuer, future))
	foreignCred := site.Credential(testBadge(), issuer, testAward(now))
	foreignCred.Issuer.ID = "https://elsewhere.example.com/issuer"
	foreignTok, _ := k.sign(foreignCred, foreignCred.Issuer.ID, foreignCred.ID, foreignCred.CredentialSubject.ID, foreignCred.ValidFrom, foreignCred.ValidUntil)
	otherPriv, _, _ := other.signer()
	otherTok := forge(header, payload, func(in string) string {
		sig, _ := jwt.SigningMethodES256.Sign(in, otherPriv)
		return base64.RawURLEncoding.EncodeToString(sig)
	})

	// One changed byte in the payload: one base64 character in the middle
	// replaced by the next one of the alphabet.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	parts := strings.Split(good, ".")
	b := []byte(parts[1])
	b[len(b)/2] = alphabet[(strings.IndexByte(alphabet, b[len(b)/2])+1)%64]
	tampered := parts[0] + "." + string(b) + "." + parts[2]
	// The same signature bytes written differently: the last character
	// of the 64-byte signature carries 4 unused bits.
	sig := []byte(parts[2])
	sig[len(sig)-1] = alphabet[strings.IndexByte(alphabet, sig[len(sig)-1])^1]
	malleable := parts[0] + "." + parts[1] + "." + string(sig)

	cases := []struct {
		name  string
		token string
		email string
		check CheckName
		code  string
	}{
		{"changed payload byte", tampered, "", CheckSignature, "signature_invalid"},
		{"signature with other unused bits", malleable, "", CheckSignature, "signature_invalid"},
		{"alg none", forge(with(header, "alg", "none"), payload, func(string) string { return "" }), "", CheckKey, "alg_not_allowed"},
		{"HS256 with the public key", forge(with(header, "alg", "HS256"), payload, func(in string) string {
			sig, _ := jwt.SigningMethodHS256.Sign(in, pubDER)
			return base64.RawURLEncoding.EncodeToString(sig)
		}), "", CheckKey, "alg_not_allowed"},
		{"header jwk", forge(with(header, "jwk", JWKOf(&priv.PublicKey, "")), payload, es256), "", CheckKey, "key_in_header"},
		{"header jku", forge(with(header, "jku", "https://attacker.example/jwks.json"), payload, es256), "", CheckKey, "key_in_header"},
		{"header x5c", forge(with(header, "x5c", []string{"MIIB"}), payload, es256), "", CheckKey, "key_in_header"},
		{"no kid", forge(with(header, "kid", nil), payload, es256), "", CheckKey, "kid_missing"},
		{"unknown kid", forge(with(header, "kid", site.Key("es256-nosuchkey")), payload, es256), "", CheckKey, "kid_unknown"},
		{"foreign kid", forge(with(header, "kid", "https://attacker.example/keys/1"), payload, es256), "", CheckKey, "kid_foreign"},
		{"kid with a path", forge(with(header, "kid", site.Key(k.Current())+"/../x"), payload, es256), "", CheckKey, "kid_foreign"},
		{"signed by another key under this kid", otherTok, "", CheckSignature, "signature_invalid"},
		{"iss differs", forge(header, with(payload, "iss", "https://attacker.example"), es256), "", CheckClaims, "claims_mismatch"},
		{"sub differs", forge(header, with(payload, "sub", "urn:uuid:other"), es256), "", CheckClaims, "claims_mismatch"},
		{"jti differs", forge(header, with(payload, "jti", site.Award("other")), es256), "", CheckClaims, "claims_mismatch"},
		{"nbf differs", forge(header, with(payload, "nbf", 1), es256), "", CheckClaims, "claims_mismatch"},
		{"exp missing", forge(header, with(payload, "exp", nil), es256), "", CheckClaims, "claims_mismatch"},
		{"another issuer", foreignTok, "", CheckClaims, "claims_mismatch"},
		{"expired", expiredTok, "", CheckValidity, "expired"},
		{"not yet valid", futureTok, "", CheckValidity, "not_yet_valid"},
		{"revoked", good, "", CheckStatus, "revoked"},
		{"no status", forge(header, with(payload, "credentialStatus", nil), es256), "", CheckStatus, "no_status"},
		{"other recipient", good, "someone.else@example.fi", CheckRecipient, "email_mismatch"},
		{"not a JWT", "hello", "", CheckFormat, "not_jwt"},
		{"payload not JSON", parts[0] + ".bm90IGpzb24." + parts[2], "", CheckFormat, "not_jwt"},
		{"not a badge", forge(header, with(payload, "type", []string{"VerifiableCredential"}), es256), "", CheckFormat, "not_badge"},
		{"too large", strings.Repeat("a", MaxTokenSize+1), "", CheckFormat, "too_large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier(k)
			if tc.code == "revoked" {
				v = verifier(k, 42)
			}
			r := v.Verify(context.Background(), tc.token, tc.email)
			if r.Valid && tc.check != CheckRecipient {
				t.Fatalf("accepted: %+v", r)
			}
			c := r.Check(tc.check)
			if c.Outcome != Failed || c.Code != tc.code {
				t.Fatalf("check %s = %s %q (%s), want failed %q; all: %+v", tc.check, c.Outcome, c.Code, c.Detail, tc.code, r.Checks)
			}
			if c.Detail == "" {
				t.Fatal("a failed check must say why")
			}
			if tc.check == CheckRecipient && r.Valid {
				t.Fatal("a recipient mismatch must make the report invalid")
			}
			// Every check after a failure that stops the verification
			// is reported as skipped, never as passed.
			if len(r.Checks) != 7 {
				t.Fatalf("%d checks reported, want 7", len(r.Checks))
			}
		})
	}
}

func TestRotatedKeysStillVerify(t *testing.T) {
	ctx := context.Background()
	store, master := &keyringtest.Store{}, keyringtest.Master()
	k, _, err := LoadKeys(ctx, store, master, site)
	if err != nil {
		t.Fatal(err)
	}
	first := k.Current()
	old, err := k.Sign(site.Credential(testBadge(), issuer, testAward(time.Now())))
	if err != nil {
		t.Fatal(err)
	}
	second, err := k.Rotate(ctx)
	if err != nil || second == first || k.Current() != second {
		t.Fatalf("rotate: %q %v; current %q", second, err, k.Current())
	}
	// Another instance loading the keys signs with the new key and knows
	// both.
	k2, created, err := LoadKeys(ctx, store, master, site)
	if err != nil || created || k2.Current() != second {
		t.Fatalf("reload: created %v, current %q, %v", created, k2.Current(), err)
	}
	if r := verifier(k2).Verify(ctx, old, ""); !r.Valid {
		t.Fatalf("a credential signed with the retired key: %+v", r.Checks)
	}
	jwks := k2.JWKS()
	if len(jwks) != 2 || jwks[0].Kid != site.Key(second) || jwks[1].Kid != site.Key(first) {
		t.Fatalf("jwks = %+v", jwks)
	}
	for _, j := range jwks {
		pub, err := j.PublicKey()
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := k2.Public(k2.KeyIDFromURL(j.Kid)); !want.Equal(pub) {
			t.Fatal("the JWK is not the key")
		}
	}
	if pem, ok := k2.PEM(first); !ok || !strings.HasPrefix(pem, "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("pem = %q", pem)
	}
	// With another master secret the keys cannot be opened.
	if _, _, err := LoadKeys(ctx, store, keyringtest.Master(), site); err == nil {
		t.Fatal("keys opened with another master secret")
	}
}

func TestStatusListCredential(t *testing.T) {
	k := testKeys(t)
	now := time.Now().Truncate(time.Second)
	l := newList(t, 7, 131071)
	c := site.StatusListCredential(3, l, now, now.Add(time.Hour))
	tok, err := k.SignStatusList(c)
	if err != nil {
		t.Fatal(err)
	}
	h, p := decoded(t, tok)
	if h["kid"] != site.Key(k.Current()) || p["iss"] != site.Issuer() || p["jti"] != site.StatusListURL(3) {
		t.Fatalf("header %v, claims %v", h, p)
	}
	pub, _ := k.Public(k.Current())
	if _, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return pub, nil }, jwt.WithValidMethods([]string{"ES256"})); err != nil {
		t.Fatal(err)
	}
	subj := p["credentialSubject"].(map[string]any)
	if subj["type"] != "BitstringStatusList" || subj["statusPurpose"] != "revocation" {
		t.Fatalf("subject = %v", subj)
	}
	back, err := statuslist.Decode(subj["encodedList"].(string))
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{6, 7, 8, 131071} {
		if set, _ := back.IsSet(i); set != (i == 7 || i == 131071) {
			t.Errorf("entry %d set = %v", i, set)
		}
	}
}

func newList(t *testing.T, set ...int) *statuslist.List {
	t.Helper()
	l := statuslist.New(statuslist.MinEntries)
	for _, i := range set {
		if err := l.Set(i); err != nil {
			t.Fatal(err)
		}
	}
	return l
}
