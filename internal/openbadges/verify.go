package openbadges

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// CheckName names one check of a verification.
type CheckName string

// The checks, in the order they are reported.
const (
	CheckFormat    CheckName = "format"    // a VC-JWT holding an Open Badges 3.0 credential
	CheckKey       CheckName = "key"       // signed with a key that belongs to this issuer
	CheckSignature CheckName = "signature" // the signature is valid: nothing was changed
	CheckClaims    CheckName = "claims"    // the token's claims agree with the credential
	CheckValidity  CheckName = "validity"  // within its validity period
	CheckStatus    CheckName = "status"    // not revoked
	CheckRecipient CheckName = "recipient" // issued to the given e-mail address
)

// Outcome is the result of one check.
type Outcome string

// The outcomes.
const (
	Passed  Outcome = "passed"
	Failed  Outcome = "failed"
	Skipped Outcome = "skipped" // not checked: an earlier check failed, or nothing to check against
)

// Check is the outcome of one check, with a reason code that the user
// interface turns into plain language and a technical detail in English.
type Check struct {
	Name    CheckName `json:"check"`
	Outcome Outcome   `json:"outcome"`
	Code    string    `json:"code"`
	Detail  string    `json:"detail,omitempty"`
}

// Report is the outcome of verifying one credential.
type Report struct {
	// Valid is true when no check failed and all but the recipient check
	// passed.
	Valid  bool    `json:"valid"`
	Checks []Check `json:"checks"`
	// Credential is the verified payload (the credential with the
	// registered claims), when its signature is valid.
	Credential json.RawMessage `json:"credential,omitempty"`
}

// Check returns the check with the name.
func (r Report) Check(name CheckName) Check {
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	return Check{Name: name, Outcome: Skipped}
}

// StatusFunc reports whether the entry of a status list is set: whether the
// credential is revoked.
type StatusFunc func(ctx context.Context, listURL string, index int) (bool, error)

// Verifier checks credentials issued by this site. It trusts only the
// site's own keys: a token that names another key, or carries its key
// with it, is refused.
type Verifier struct {
	Keys   *Keys
	Site   Site
	Status StatusFunc
	Now    func() time.Time
}

// Header parameters that would let a token choose the key that verifies
// it.
var keyHeaders = []string{"jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256"}

// payload is what the verifier reads of the JWT payload: the fields of
// the credential it checks, and the registered claims. Reading only these
// halves the cost of decoding a credential.
type payload struct {
	ID                string              `json:"id"`
	Type              []string            `json:"type"`
	Issuer            struct{ ID string } `json:"issuer"`
	ValidFrom         string              `json:"validFrom"`
	ValidUntil        string              `json:"validUntil"`
	CredentialStatus  *CredentialStatus   `json:"credentialStatus"`
	CredentialSubject struct {
		ID         string           `json:"id"`
		Identifier []IdentityObject `json:"identifier"`
	} `json:"credentialSubject"`

	Iss string          `json:"iss"`
	Sub string          `json:"sub"`
	Jti string          `json:"jti"`
	Nbf json.RawMessage `json:"nbf"`
	Exp json.RawMessage `json:"exp"`
}

// Verify checks a VC-JWT. email, when not empty, is the address the badge
// should have been issued to.
func (v *Verifier) Verify(ctx context.Context, token, email string) Report {
	r := &reporter{}
	v.verify(ctx, r, strings.TrimSpace(token), email)
	r.finish()
	return r.report
}

func (v *Verifier) verify(ctx context.Context, r *reporter, token, email string) {
	if len(token) > MaxTokenSize {
		r.fail(CheckFormat, "too_large", "the token is %d bytes, more than %d", len(token), MaxTokenSize)
		return
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		r.fail(CheckFormat, "not_jwt", "a compact JWT has three dot-separated parts, this has %d", len(parts))
		return
	}
	header := map[string]any{}
	if _, err := decodeSegment(parts[0], &header); err != nil {
		r.fail(CheckFormat, "not_jwt", "header: %v", err)
		return
	}
	var p payload
	raw, err := decodeSegment(parts[1], &p)
	if err != nil {
		r.fail(CheckFormat, "not_jwt", "payload: %v", err)
		return
	}
	if !slices.Contains(p.Type, "OpenBadgeCredential") && !slices.Contains(p.Type, "AchievementCredential") {
		r.fail(CheckFormat, "not_badge", "type %v is not an OpenBadgeCredential", p.Type)
		return
	}
	r.pass(CheckFormat, "ok")

	// The key: only the issuer's own, named by its kid URL.
	if alg, _ := header["alg"].(string); alg != Algorithm {
		r.fail(CheckKey, "alg_not_allowed", "algorithm %q is not allowed; only %s is", header["alg"], Algorithm)
		return
	}
	for _, h := range keyHeaders {
		if _, ok := header[h]; ok {
			r.fail(CheckKey, "key_in_header", "the header carries its own key (%q); only the issuer's published keys are trusted", h)
			return
		}
	}
	if crit, ok := header["crit"]; ok {
		r.fail(CheckKey, "unsupported_header", "critical header parameters %v are not supported", crit)
		return
	}
	kid, _ := header["kid"].(string)
	id := v.Keys.KeyIDFromURL(kid)
	if kid == "" {
		r.fail(CheckKey, "kid_missing", "the header names no key (kid)")
		return
	}
	if id == "" {
		r.fail(CheckKey, "kid_foreign", "key %q is not one of this issuer's keys (%s...)", kid, v.Site.Key(""))
		return
	}
	pub, ok := v.Keys.Public(id)
	if !ok {
		r.fail(CheckKey, "kid_unknown", "this issuer has no key %q", id)
		return
	}
	r.pass(CheckKey, "ok")

	// The signature, by golang-jwt's ES256 (the only method allowed
	// above), over the header and payload exactly as they were sent.
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil {
		r.fail(CheckSignature, "signature_invalid", "the signature is not base64url")
		return
	}
	if err := jwt.SigningMethodES256.Verify(parts[0]+"."+parts[1], sig, pub); err != nil {
		r.fail(CheckSignature, "signature_invalid", "%v", err)
		return
	}
	r.pass(CheckSignature, "ok")
	r.report.Credential = raw

	// The claims repeat the credential's fields, and name this issuer.
	if detail := v.claims(p); detail != "" {
		r.fail(CheckClaims, "claims_mismatch", "%s", detail)
		return
	}
	r.pass(CheckClaims, "ok")

	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	from, _ := time.Parse(time.RFC3339, p.ValidFrom)
	var until time.Time
	if p.ValidUntil != "" {
		until, _ = time.Parse(time.RFC3339, p.ValidUntil)
	}
	switch {
	case now.Before(from):
		r.fail(CheckValidity, "not_yet_valid", "valid from %s", p.ValidFrom)
	case !until.IsZero() && !now.Before(until):
		r.fail(CheckValidity, "expired", "expired on %s", p.ValidUntil)
	default:
		r.pass(CheckValidity, "ok")
	}

	v.status(ctx, r, p.CredentialStatus)

	if email == "" {
		r.skip(CheckRecipient, "no_email")
	} else if recipientMatches(p.CredentialSubject.Identifier, email) {
		r.pass(CheckRecipient, "ok")
	} else {
		r.fail(CheckRecipient, "email_mismatch", "the credential was not issued to %s", email)
	}
	return
}

// claims returns what is wrong with the registered claims, or "".
func (v *Verifier) claims(p payload) string {
	switch {
	case p.Issuer.ID != v.Site.Issuer():
		return fmt.Sprintf("issuer %q is not this issuer (%s)", p.Issuer.ID, v.Site.Issuer())
	case p.Iss != p.Issuer.ID:
		return fmt.Sprintf("iss %q differs from issuer.id %q", p.Iss, p.Issuer.ID)
	case p.Jti != p.ID:
		return fmt.Sprintf("jti %q differs from id %q", p.Jti, p.ID)
	case p.Sub != p.CredentialSubject.ID:
		return fmt.Sprintf("sub %q differs from credentialSubject.id %q", p.Sub, p.CredentialSubject.ID)
	}
	from, err := time.Parse(time.RFC3339, p.ValidFrom)
	if err != nil {
		return fmt.Sprintf("validFrom %q is not a date-time", p.ValidFrom)
	}
	if nbf, ok := numericDate(p.Nbf); !ok || nbf != from.Unix() {
		return fmt.Sprintf("nbf %s differs from validFrom %s", p.Nbf, p.ValidFrom)
	}
	switch {
	case p.ValidUntil == "" && len(p.Exp) > 0:
		return "exp is set but validUntil is not"
	case p.ValidUntil != "":
		until, err := time.Parse(time.RFC3339, p.ValidUntil)
		if err != nil {
			return fmt.Sprintf("validUntil %q is not a date-time", p.ValidUntil)
		}
		if exp, ok := numericDate(p.Exp); !ok || exp != until.Unix() {
			return fmt.Sprintf("exp %s differs from validUntil %s", p.Exp, p.ValidUntil)
		}
	}
	return ""
}

// status checks the credential's entry in its status list.
func (v *Verifier) status(ctx context.Context, r *reporter, st *CredentialStatus) {
	if st == nil {
		r.fail(CheckStatus, "no_status", "the credential has no credentialStatus, so its revocation cannot be checked")
		return
	}
	idx, err := strconv.Atoi(st.StatusListIndex)
	if err != nil || idx < 0 || st.Type != "BitstringStatusListEntry" || st.StatusPurpose != "revocation" {
		r.fail(CheckStatus, "status_unreadable", "credentialStatus is not a revocation entry of a bitstring status list")
		return
	}
	revoked, err := v.Status(ctx, st.StatusListCredential, idx)
	switch {
	case err != nil:
		r.fail(CheckStatus, "status_unavailable", "%v", err)
	case revoked:
		r.fail(CheckStatus, "revoked", "entry %d of %s is set", idx, st.StatusListCredential)
	default:
		r.pass(CheckStatus, "ok")
	}
}

// recipientMatches reports whether one of the identifiers is the salted
// hash, or the plain value, of the e-mail address.
func recipientMatches(ids []IdentityObject, email string) bool {
	for _, id := range ids {
		if id.IdentityType != "emailAddress" {
			continue
		}
		if id.Hashed && strings.EqualFold(id.IdentityHash, IdentityHash(email, id.Salt)) {
			return true
		}
		if !id.Hashed && strings.EqualFold(strings.TrimSpace(id.IdentityHash), strings.TrimSpace(email)) {
			return true
		}
	}
	return false
}

// numericDate reads a JWT NumericDate given as a JSON number.
func numericDate(raw json.RawMessage) (int64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}

// decodeSegment decodes one base64url segment of a JWT as a JSON object,
// and returns the JSON.
func decodeSegment(seg string, v any) (json.RawMessage, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return nil, errors.New("not base64url")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	return raw, nil
}

// reporter collects the checks of one verification.
type reporter struct{ report Report }

func (r *reporter) add(name CheckName, o Outcome, code, detail string) {
	r.report.Checks = append(r.report.Checks, Check{Name: name, Outcome: o, Code: code, Detail: detail})
}
func (r *reporter) pass(name CheckName, code string) { r.add(name, Passed, code, "") }
func (r *reporter) skip(name CheckName, code string) { r.add(name, Skipped, code, "") }
func (r *reporter) fail(name CheckName, code, format string, args ...any) {
	r.add(name, Failed, code, fmt.Sprintf(format, args...))
}

// finish lists the checks not reached as skipped and decides validity.
func (r *reporter) finish() {
	all := []CheckName{CheckFormat, CheckKey, CheckSignature, CheckClaims, CheckValidity, CheckStatus, CheckRecipient}
	valid := true
	for _, name := range all {
		c := r.report.Check(name)
		if !slices.ContainsFunc(r.report.Checks, func(x Check) bool { return x.Name == name }) {
			r.skip(name, "not_reached")
		}
		if c.Outcome == Failed || (c.Outcome != Passed && name != CheckRecipient) {
			valid = false
		}
	}
	slices.SortStableFunc(r.report.Checks, func(a, b Check) int {
		return slices.Index(all, a.Name) - slices.Index(all, b.Name)
	})
	r.report.Valid = valid
}
