package openbadges

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"vertaa/internal/statuslist"
)

// Algorithm is the only JOSE algorithm the issuer signs with and the
// verifier accepts.
const Algorithm = "ES256"

// TokenType is the JOSE "typ" of the credentials; Open Badges 3.0 says
// that it is JWT when present.
const TokenType = "JWT"

// MaxTokenSize bounds the tokens the verifier reads.
const MaxTokenSize = 256 << 10

// Sign signs a credential as a VC-JWT: the payload is the credential with
// the registered claims that repeat its fields (iss = issuer.id, jti =
// id, sub = credentialSubject.id, nbf = validFrom, exp = validUntil), and
// the header's kid is the URL of the public key.
func (k *Keys) Sign(c Credential) (string, error) {
	subject := c.CredentialSubject.ID
	return k.sign(c, c.Issuer.ID, c.ID, subject, c.ValidFrom, c.ValidUntil)
}

// sign signs any credential document with the registered claims. The
// payload is the document's JSON with the claims added at its end; the
// signature is golang-jwt's ES256.
func (k *Keys) sign(doc any, iss, jti, sub, validFrom, validUntil string) (string, error) {
	priv, kid, err := k.signer()
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	if len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' {
		return "", fmt.Errorf("a credential must be a JSON object")
	}
	nbf, err := time.Parse(time.RFC3339, validFrom)
	if err != nil {
		return "", fmt.Errorf("validFrom: %w", err)
	}
	claims := registeredClaims{Iss: iss, Jti: jti, Sub: sub, Nbf: nbf.Unix()}
	if validUntil != "" {
		exp, err := time.Parse(time.RFC3339, validUntil)
		if err != nil {
			return "", fmt.Errorf("validUntil: %w", err)
		}
		claims.Exp = exp.Unix()
	}
	tail, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	payload := append(append(body[:len(body)-1:len(body)-1], ','), tail[1:]...)
	header, err := json.Marshal(joseHeader{Alg: Algorithm, Kid: kid, Typ: TokenType})
	if err != nil {
		return "", err
	}
	signing := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sig, err := jwt.SigningMethodES256.Sign(signing, priv)
	if err != nil {
		return "", err
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// joseHeader is the header of the tokens the issuer signs.
type joseHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
}

// registeredClaims are the JWT claims that repeat a credential's fields.
type registeredClaims struct {
	Iss string `json:"iss"`
	Jti string `json:"jti"`
	Sub string `json:"sub,omitempty"`
	Nbf int64  `json:"nbf"`
	Exp int64  `json:"exp,omitempty"`
}

// StatusListCredential is a BitstringStatusListCredential: the list of
// revoked credentials, signed by the issuer.
type StatusListCredential struct {
	Context           []string          `json:"@context"`
	ID                string            `json:"id"`
	Type              []string          `json:"type"`
	Issuer            string            `json:"issuer"`
	ValidFrom         string            `json:"validFrom"`
	ValidUntil        string            `json:"validUntil,omitempty"`
	CredentialSubject StatusListSubject `json:"credentialSubject"`
}

// StatusListSubject holds the list itself.
type StatusListSubject struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	StatusPurpose string `json:"statusPurpose"`
	EncodedList   string `json:"encodedList"`
}

// StatusList returns the status list credential of list number n, valid
// from now until validUntil, the time by which verifiers should fetch it
// again.
func (s Site) StatusListCredential(n int, list *statuslist.List, now, validUntil time.Time) StatusListCredential {
	return StatusListCredential{
		Context:   []string{Contexts[0]},
		ID:        s.StatusListURL(n),
		Type:      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		Issuer:    s.Issuer(),
		ValidFrom: timestamp(now),
		ValidUntil: func() string {
			if validUntil.IsZero() {
				return ""
			}
			return timestamp(validUntil)
		}(),
		CredentialSubject: StatusListSubject{ID: s.StatusListURL(n) + "#list", Type: "BitstringStatusList",
			StatusPurpose: "revocation", EncodedList: list.Encode()},
	}
}

// SignStatusList signs a status list credential as a VC-JWT.
func (k *Keys) SignStatusList(c StatusListCredential) (string, error) {
	return k.sign(c, c.Issuer, c.ID, c.CredentialSubject.ID, c.ValidFrom, c.ValidUntil)
}
