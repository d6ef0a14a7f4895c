package openbadges

// Open Badges 2.0 documents, for backpacks that read only 2.0. The award
// is a hosted assertion: its id is a URL of this site, and a verifier
// checks it by fetching it there.

// ContextV2 is the Open Badges 2.0 JSON-LD context.
const ContextV2 = "https://w3id.org/openbadges/v2"

// V2Issuer is the issuer's Profile.
type V2Issuer struct {
	Context        string   `json:"@context"`
	Type           string   `json:"type"`
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	URL            string   `json:"url"`
	Email          string   `json:"email,omitempty"`
	PublicKey      []string `json:"publicKey,omitempty"`
	RevocationList string   `json:"revocationList"`
}

// V2BadgeClass is a badge class.
type V2BadgeClass struct {
	Context     string        `json:"@context"`
	Type        string        `json:"type"`
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Image       string        `json:"image"`
	Criteria    V2Criteria    `json:"criteria"`
	Issuer      string        `json:"issuer"`
	Tags        []string      `json:"tags,omitempty"`
	Alignment   []V2Alignment `json:"alignment,omitempty"`
}

// V2Criteria says how the badge is earned.
type V2Criteria struct {
	ID        string `json:"id,omitempty"`
	Narrative string `json:"narrative"`
}

// V2Alignment relates the badge class to a framework.
type V2Alignment struct {
	TargetName      string `json:"targetName"`
	TargetURL       string `json:"targetUrl"`
	TargetFramework string `json:"targetFramework,omitempty"`
	TargetCode      string `json:"targetCode,omitempty"`
}

// V2Assertion is one award.
type V2Assertion struct {
	Context      string       `json:"@context"`
	Type         string       `json:"type"`
	ID           string       `json:"id"`
	Recipient    *V2Identity  `json:"recipient,omitempty"`
	Badge        string       `json:"badge,omitempty"`
	Verification *V2Verify    `json:"verification,omitempty"`
	IssuedOn     string       `json:"issuedOn,omitempty"`
	Expires      string       `json:"expires,omitempty"`
	Image        string       `json:"image,omitempty"`
	Evidence     []V2Evidence `json:"evidence,omitempty"`
	Revoked      bool         `json:"revoked,omitempty"`
	Reason       string       `json:"revocationReason,omitempty"`
}

// V2Identity is the hashed recipient.
type V2Identity struct {
	Type     string `json:"type"`
	Hashed   bool   `json:"hashed"`
	Salt     string `json:"salt"`
	Identity string `json:"identity"`
}

// V2Verify says how to verify the assertion.
type V2Verify struct {
	Type string `json:"type"`
}

// V2Evidence is one piece of evidence.
type V2Evidence struct {
	ID        string `json:"id,omitempty"`
	Name      string `json:"name,omitempty"`
	Narrative string `json:"narrative,omitempty"`
}

// V2Key is a public key of the issuer.
type V2Key struct {
	Context      string `json:"@context"`
	Type         string `json:"type"`
	ID           string `json:"id"`
	Owner        string `json:"owner"`
	PublicKeyPem string `json:"publicKeyPem"`
}

// V2RevocationList lists the revoked assertions.
type V2RevocationList struct {
	Context           string      `json:"@context"`
	Type              string      `json:"type"`
	ID                string      `json:"id"`
	Issuer            string      `json:"issuer"`
	RevokedAssertions []V2Revoked `json:"revokedAssertions"`
}

// V2Revoked is one revoked assertion.
type V2Revoked struct {
	ID     string `json:"id"`
	Reason string `json:"revocationReason,omitempty"`
}

// V2IssuerProfile returns the issuer Profile listing the public keys by id.
func (s Site) V2IssuerProfile(iss Issuer, keyIDs []string) V2Issuer {
	p := V2Issuer{Context: ContextV2, Type: "Issuer", ID: s.V2Issuer(), Name: iss.Name, URL: iss.URL, Email: iss.Email,
		RevocationList: s.V2Revocations()}
	for _, id := range keyIDs {
		p.PublicKey = append(p.PublicKey, s.V2Key(id))
	}
	return p
}

// V2BadgeClass returns the badge class.
func (s Site) V2BadgeClass(b Badge) V2BadgeClass {
	c := V2BadgeClass{Context: ContextV2, Type: "BadgeClass", ID: s.V2Class(b.ClassID), Name: b.Name,
		Description: b.Description, Image: s.Image(b.ClassID, "png"),
		Criteria: V2Criteria{ID: s.Class(b.ClassID) + "#criteria", Narrative: b.Criteria},
		Issuer:   s.V2Issuer(), Tags: b.Tags}
	for _, a := range b.Alignments {
		c.Alignment = append(c.Alignment, V2Alignment{TargetName: a.TargetName, TargetURL: a.TargetURL,
			TargetFramework: a.TargetFramework, TargetCode: a.TargetCode})
	}
	return c
}

// V2Assertion returns the hosted assertion of an award.
func (s Site) V2Assertion(a Award, classID string) V2Assertion {
	as := V2Assertion{Context: ContextV2, Type: "Assertion", ID: s.V2AssertionURL(a.ID),
		Recipient: &V2Identity{Type: "email", Hashed: true, Salt: a.Salt, Identity: IdentityHash(a.Email, a.Salt)},
		Badge:     s.V2Class(classID), Verification: &V2Verify{Type: "hosted"}, IssuedOn: timestamp(a.ValidFrom),
		Image: s.Award(a.ID) + "/badge-v2.png"}
	if !a.ValidUntil.IsZero() {
		as.Expires = timestamp(a.ValidUntil)
	}
	for i, e := range a.Evidence {
		ev := V2Evidence{ID: e.URL, Name: e.Name, Narrative: e.Narrative}
		if ev.ID == "" {
			ev.ID = s.Award(a.ID) + "#evidence-" + itoa(i+1)
		}
		as.Evidence = append(as.Evidence, ev)
	}
	return as
}

// V2RevokedAssertion returns what a revoked assertion's URL answers with.
func (s Site) V2RevokedAssertion(awardID, reason string) V2Assertion {
	return V2Assertion{Context: ContextV2, Type: "Assertion", ID: s.V2AssertionURL(awardID), Revoked: true, Reason: reason}
}

// V2KeyDoc returns a public key document.
func (s Site) V2KeyDoc(kid, pem string) V2Key {
	return V2Key{Context: ContextV2, Type: "CryptographicKey", ID: s.V2Key(kid), Owner: s.V2Issuer(), PublicKeyPem: pem}
}

// V2RevocationList returns the revocation list.
func (s Site) V2RevocationList(revoked []V2Revoked) V2RevocationList {
	if revoked == nil {
		revoked = []V2Revoked{}
	}
	return V2RevocationList{Context: ContextV2, Type: "RevocationList", ID: s.V2Revocations(), Issuer: s.V2Issuer(),
		RevokedAssertions: revoked}
}
