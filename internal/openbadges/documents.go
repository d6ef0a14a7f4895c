// Package openbadges builds, signs and verifies the documents of Open
// Badges 3.0 (an OpenBadgeCredential, a W3C Verifiable Credential 2.0
// signed as a VC-JWT with ES256) and Open Badges 2.0 (hosted assertions,
// for backpacks that still read 2.0), and the Bitstring Status List that
// revokes credentials. It knows nothing of HTTP or storage.
package openbadges

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Contexts of an Open Badges 3.0 credential, in the order the
// specification requires.
var Contexts = []string{
	"https://www.w3.org/ns/credentials/v2",
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
	"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
}

// SchemaURL is the JSON Schema the credentials declare.
const SchemaURL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"

// Site builds the public URLs of the documents from the instance's public
// URL; every document of one award links to the others through it.
type Site struct{ Base string }

// NewSite returns the URLs under base, e.g. https://vertaa.example.fi.
func NewSite(base string) Site { return Site{Base: strings.TrimSuffix(base, "/")} }

func (s Site) Issuer() string              { return s.Base + "/badges/issuer" }
func (s Site) Class(classID string) string { return s.Base + "/badges/classes/" + classID }
func (s Site) Image(classID, ext string) string {
	return s.Base + "/badges/classes/" + classID + "/image." + ext
}
func (s Site) Award(awardID string) string   { return s.Base + "/badges/awards/" + awardID }
func (s Site) Key(kid string) string         { return s.Base + "/badges/keys/" + kid }
func (s Site) JWKS() string                  { return s.Base + "/.well-known/jwks.json" }
func (s Site) StatusListURL(list int) string { return fmt.Sprintf("%s/badges/status/%d", s.Base, list) }
func (s Site) V2Issuer() string              { return s.Base + "/badges/v2/issuer" }
func (s Site) V2Class(classID string) string { return s.Base + "/badges/v2/classes/" + classID }
func (s Site) V2AssertionURL(awardID string) string {
	return s.Base + "/badges/v2/assertions/" + awardID
}
func (s Site) V2Key(kid string) string { return s.Base + "/badges/v2/keys/" + kid }
func (s Site) V2Revocations() string   { return s.Base + "/badges/v2/revocations" }

// Issuer is the organisation that issues the badges: the network.
type Issuer struct {
	Name, URL, Email string
}

// Badge is what a credential says about the badge class, in one language.
type Badge struct {
	ClassID         string
	Name            string
	Description     string
	Criteria        string
	AchievementType string
	Tags            []string
	Language        string
	Version         string
	Alignments      []Alignment
	// Levels describe the achievement's levels (from the questionnaire),
	// for the resultDescription; empty for badges without levels.
	Levels []Level
}

// Alignment relates the badge to a framework.
type Alignment struct {
	TargetName, TargetURL, TargetFramework, TargetCode string
}

// Level is one level of the achievement, e.g. Edistynyt.
type Level struct {
	ID, Name, Description string
}

// Award is one issued badge.
type Award struct {
	ID string
	// SubjectID identifies the earner in the credential (a urn:uuid).
	SubjectID string
	// Email is the earner's address; the credential holds only its salted
	// hash.
	Email string
	Salt  string
	// Name is the name the earner chose to show, or "".
	Name       string
	ValidFrom  time.Time
	ValidUntil time.Time // zero: does not expire
	// Level is the id of the level reached, or "".
	Level       string
	Evidence    []Evidence
	StatusList  int
	StatusIndex int
}

// Evidence is what the earner showed.
type Evidence struct {
	Name, Narrative, URL string
}

// IdentityHash returns "sha256$" and the hex SHA-256 of the lower-case
// address followed by the salt, as Open Badges hashes recipients.
func IdentityHash(email, salt string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email)) + salt))
	return "sha256$" + hex.EncodeToString(sum[:])
}

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func itoa(i int) string { return strconv.Itoa(i) }
