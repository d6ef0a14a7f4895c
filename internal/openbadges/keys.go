package openbadges

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"vertaa/internal/keyring"
)

// keyPurpose is the purpose of badge signing keys in the keyring; session
// keys have another, so that neither kind verifies the other's tokens.
const keyPurpose = "badge"

// Keys are the issuer's ES256 signing keys: the current one signs, retired
// ones stay published so that what they signed still verifies.
type Keys struct {
	store  keyring.Store
	master *keyring.Master
	site   Site

	mu      sync.RWMutex
	current string
	private *ecdsa.PrivateKey
	public  map[string]publicKey // by key id
	order   []string             // key ids, newest first
}

type publicKey struct {
	key     *ecdsa.PublicKey
	created time.Time
	retired time.Time
}

// LoadKeys loads the badge keys, creating the first one when there is
// none; created reports whether it did.
func LoadKeys(ctx context.Context, store keyring.Store, master *keyring.Master, site Site) (k *Keys, created bool, err error) {
	k = &Keys{store: store, master: master, site: site}
	if err := k.Reload(ctx); err != nil {
		return nil, false, err
	}
	if k.private != nil {
		return k, false, nil
	}
	if _, err := k.Rotate(ctx); err != nil {
		return nil, false, err
	}
	return k, true, nil
}

// LoadPublicKeys loads the published keys only, for verifying: it needs
// no master key and cannot sign.
func LoadPublicKeys(ctx context.Context, store keyring.Store, site Site) (*Keys, error) {
	k := &Keys{store: store, site: site}
	return k, k.Reload(ctx)
}

// Reload reads the keys again (another process may have rotated them).
func (k *Keys) Reload(ctx context.Context) error {
	stored, err := k.store.SigningKeys(ctx, keyPurpose)
	if err != nil {
		return err
	}
	public := map[string]publicKey{}
	var order []string
	var current string
	var private *ecdsa.PrivateKey
	for _, s := range stored { // newest first
		if s.Alg != "ES256" {
			continue
		}
		pk, err := x509.ParsePKIXPublicKey(s.Public)
		ec, ok := pk.(*ecdsa.PublicKey)
		if err != nil || !ok || ec.Curve != elliptic.P256() {
			return fmt.Errorf("badge key %s: not a P-256 public key", s.ID)
		}
		public[s.ID] = publicKey{key: ec, created: s.Created, retired: s.Retired}
		order = append(order, s.ID)
		if private == nil && s.Retired.IsZero() && k.master != nil {
			der, err := k.master.Open(keyPurpose, s.Sealed)
			if err != nil {
				return fmt.Errorf("badge key %s: %w", s.ID, err)
			}
			if private, err = x509.ParseECPrivateKey(der); err != nil {
				return fmt.Errorf("badge key %s: %w", s.ID, err)
			}
			current = s.ID
		}
	}
	k.mu.Lock()
	k.current, k.private, k.public, k.order = current, private, public, order
	k.mu.Unlock()
	return nil
}

// Rotate creates a new signing key and retires the current one, which
// stays published. It returns the new key's id.
func (k *Keys) Rotate(ctx context.Context) (string, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		return "", err
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	id := "es256-" + strings.ToLower(rand.Text()[:16])
	k.mu.RLock()
	old := k.current
	k.mu.RUnlock()
	if err := k.store.AddSigningKey(ctx, keyring.StoredKey{ID: id, Purpose: keyPurpose, Alg: "ES256",
		Sealed: k.master.Seal(keyPurpose, der), Public: pub, Created: now}); err != nil {
		return "", err
	}
	if old != "" {
		if err := k.store.RetireSigningKey(ctx, old, now); err != nil {
			return "", err
		}
	}
	return id, k.Reload(ctx)
}

// signer returns the current key and its kid URL.
func (k *Keys) signer() (*ecdsa.PrivateKey, string, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.private == nil {
		return nil, "", errors.New("no badge signing key")
	}
	return k.private, k.site.Key(k.current), nil
}

// Public returns the public key with the id, and whether it is known.
func (k *Keys) Public(id string) (*ecdsa.PublicKey, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	p, ok := k.public[id]
	return p.key, ok
}

// KeyIDFromURL returns the key id of a kid URL of this site, or "".
func (k *Keys) KeyIDFromURL(kid string) string {
	id, ok := strings.CutPrefix(kid, k.site.Key(""))
	if !ok || strings.ContainsAny(id, "/?#") {
		return ""
	}
	return id
}

// JWK is a public key as a JSON Web Key.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
}

// JWKOf returns the JWK of a P-256 public key.
func JWKOf(pub *ecdsa.PublicKey, kid string) JWK {
	b, _ := pub.Bytes() // uncompressed point: 0x04 || X || Y
	return JWK{Kty: "EC", Crv: "P-256", X: base64.RawURLEncoding.EncodeToString(b[1:33]),
		Y: base64.RawURLEncoding.EncodeToString(b[33:65]), Kid: kid, Use: "sig", Alg: "ES256"}
}

// PublicKey parses a P-256 JWK.
func (j JWK) PublicKey() (*ecdsa.PublicKey, error) {
	if j.Kty != "EC" || j.Crv != "P-256" {
		return nil, fmt.Errorf("not a P-256 key (kty %q, crv %q)", j.Kty, j.Crv)
	}
	x, err1 := base64.RawURLEncoding.DecodeString(j.X)
	y, err2 := base64.RawURLEncoding.DecodeString(j.Y)
	if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
		return nil, errors.New("bad coordinates")
	}
	point := append([]byte{4}, append(x, y...)...)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		return nil, fmt.Errorf("not a point on P-256: %w", err)
	}
	return pub, nil
}

// JWK returns the bare public JWK of a key id.
func (k *Keys) JWK(id string) (JWK, bool) {
	pub, ok := k.Public(id)
	if !ok {
		return JWK{}, false
	}
	return JWKOf(pub, k.site.Key(id)), true
}

// JWKS returns every published key, current first.
func (k *Keys) JWKS() []JWK {
	k.mu.RLock()
	ids := append([]string(nil), k.order...)
	k.mu.RUnlock()
	out := make([]JWK, 0, len(ids))
	for _, id := range ids {
		if j, ok := k.JWK(id); ok {
			out = append(out, j)
		}
	}
	return out
}

// PEM returns the public key with the id in PEM, for Open Badges 2.0.
func (k *Keys) PEM(id string) (string, bool) {
	pub, ok := k.Public(id)
	if !ok {
		return "", false
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", false
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), true
}

// Current returns the id of the signing key.
func (k *Keys) Current() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current
}
