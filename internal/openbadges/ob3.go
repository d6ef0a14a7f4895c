package openbadges

// The Open Badges 3.0 document, field for field as the specification
// names them.

// Credential is an OpenBadgeCredential.
type Credential struct {
	Context           []string          `json:"@context"`
	ID                string            `json:"id"`
	Type              []string          `json:"type"`
	Name              string            `json:"name"`
	Issuer            Profile           `json:"issuer"`
	ValidFrom         string            `json:"validFrom"`
	ValidUntil        string            `json:"validUntil,omitempty"`
	CredentialSubject Subject           `json:"credentialSubject"`
	Evidence          []EvidenceDoc     `json:"evidence,omitempty"`
	CredentialStatus  *CredentialStatus `json:"credentialStatus,omitempty"`
	CredentialSchema  []SchemaRef       `json:"credentialSchema"`
}

// Profile is the issuer.
type Profile struct {
	ID    string   `json:"id"`
	Type  []string `json:"type"`
	Name  string   `json:"name"`
	URL   string   `json:"url,omitempty"`
	Email string   `json:"email,omitempty"`
}

// Subject is the earner and what they achieved.
type Subject struct {
	ID          string           `json:"id"`
	Type        []string         `json:"type"`
	Name        string           `json:"name,omitempty"`
	Identifier  []IdentityObject `json:"identifier"`
	Achievement Achievement      `json:"achievement"`
	Result      []Result         `json:"result,omitempty"`
}

// IdentityObject is the salted hash of the earner's e-mail address.
type IdentityObject struct {
	Type         string `json:"type"`
	IdentityHash string `json:"identityHash"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
	Salt         string `json:"salt"`
}

// Achievement is the badge class.
type Achievement struct {
	ID                string              `json:"id"`
	Type              []string            `json:"type"`
	AchievementType   string              `json:"achievementType"`
	Name              string              `json:"name"`
	Description       string              `json:"description"`
	Criteria          Criteria            `json:"criteria"`
	Image             *Image              `json:"image,omitempty"`
	Alignment         []AlignmentDoc      `json:"alignment,omitempty"`
	ResultDescription []ResultDescription `json:"resultDescription,omitempty"`
	Tag               []string            `json:"tag,omitempty"`
	InLanguage        string              `json:"inLanguage,omitempty"`
	Version           string              `json:"version,omitempty"`
	Creator           *Profile            `json:"creator,omitempty"`
}

// Criteria says how the badge is earned.
type Criteria struct {
	ID        string `json:"id,omitempty"`
	Narrative string `json:"narrative"`
}

// Image is the badge's artwork.
type Image struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Caption string `json:"caption,omitempty"`
}

// AlignmentDoc relates the achievement to a framework.
type AlignmentDoc struct {
	Type            []string `json:"type"`
	TargetName      string   `json:"targetName"`
	TargetURL       string   `json:"targetUrl"`
	TargetFramework string   `json:"targetFramework,omitempty"`
	TargetCode      string   `json:"targetCode,omitempty"`
}

// ResultDescription lists the levels the achievement can be reached at.
type ResultDescription struct {
	ID                   string        `json:"id"`
	Type                 []string      `json:"type"`
	Name                 string        `json:"name"`
	ResultType           string        `json:"resultType"`
	RubricCriterionLevel []RubricLevel `json:"rubricCriterionLevel,omitempty"`
}

// RubricLevel is one level.
type RubricLevel struct {
	ID          string   `json:"id"`
	Type        []string `json:"type"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
}

// Result is the level the earner reached.
type Result struct {
	Type              []string `json:"type"`
	ResultDescription string   `json:"resultDescription"`
	AchievedLevel     string   `json:"achievedLevel"`
}

// EvidenceDoc is one piece of evidence.
type EvidenceDoc struct {
	ID        string   `json:"id,omitempty"`
	Type      []string `json:"type"`
	Name      string   `json:"name,omitempty"`
	Narrative string   `json:"narrative,omitempty"`
}

// CredentialStatus points at the credential's bit in a status list.
type CredentialStatus struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

// SchemaRef declares the schema the credential follows.
type SchemaRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

func (s Site) profile(iss Issuer) Profile {
	return Profile{ID: s.Issuer(), Type: []string{"Profile"}, Name: iss.Name, URL: iss.URL, Email: iss.Email}
}

// Achievement returns the Open Badges 3.0 Achievement of a badge class.
func (s Site) Achievement(b Badge, iss Issuer) Achievement {
	ach := Achievement{
		ID:              s.Class(b.ClassID),
		Type:            []string{"Achievement"},
		AchievementType: b.AchievementType,
		Name:            b.Name,
		Description:     b.Description,
		Criteria:        Criteria{ID: s.Class(b.ClassID) + "#criteria", Narrative: b.Criteria},
		Image:           &Image{ID: s.Image(b.ClassID, "png"), Type: "Image", Caption: b.Name},
		Tag:             b.Tags,
		InLanguage:      b.Language,
		Version:         b.Version,
	}
	creator := s.profile(iss)
	ach.Creator = &creator
	for _, a := range b.Alignments {
		ach.Alignment = append(ach.Alignment, AlignmentDoc{Type: []string{"Alignment"}, TargetName: a.TargetName,
			TargetURL: a.TargetURL, TargetFramework: a.TargetFramework, TargetCode: a.TargetCode})
	}
	if len(b.Levels) > 0 {
		rd := ResultDescription{ID: s.Class(b.ClassID) + "#levels", Type: []string{"ResultDescription"},
			Name: b.Name, ResultType: "RubricCriterionLevel"}
		for _, l := range b.Levels {
			rd.RubricCriterionLevel = append(rd.RubricCriterionLevel, RubricLevel{ID: s.Class(b.ClassID) + "#level-" + l.ID,
				Type: []string{"RubricCriterionLevel"}, Name: l.Name, Description: l.Description})
		}
		ach.ResultDescription = []ResultDescription{rd}
	}
	return ach
}

// Credential returns the OpenBadgeCredential of an award.
func (s Site) Credential(b Badge, iss Issuer, a Award) Credential {
	c := Credential{
		Context:   Contexts,
		ID:        s.Award(a.ID),
		Type:      []string{"VerifiableCredential", "OpenBadgeCredential"},
		Name:      b.Name,
		Issuer:    s.profile(iss),
		ValidFrom: timestamp(a.ValidFrom),
		CredentialSubject: Subject{
			ID:   a.SubjectID,
			Type: []string{"AchievementSubject"},
			Name: a.Name,
			Identifier: []IdentityObject{{Type: "IdentityObject", IdentityHash: IdentityHash(a.Email, a.Salt),
				IdentityType: "emailAddress", Hashed: true, Salt: a.Salt}},
			Achievement: s.Achievement(b, iss),
		},
		CredentialStatus: &CredentialStatus{
			ID:                   s.StatusListURL(a.StatusList) + "#" + itoa(a.StatusIndex),
			Type:                 "BitstringStatusListEntry",
			StatusPurpose:        "revocation",
			StatusListIndex:      itoa(a.StatusIndex),
			StatusListCredential: s.StatusListURL(a.StatusList),
		},
		CredentialSchema: []SchemaRef{{ID: SchemaURL, Type: "1EdTechJsonSchemaValidator2019"}},
	}
	if !a.ValidUntil.IsZero() {
		c.ValidUntil = timestamp(a.ValidUntil)
	}
	if a.Level != "" && len(b.Levels) > 0 {
		c.CredentialSubject.Result = []Result{{Type: []string{"Result"}, ResultDescription: s.Class(b.ClassID) + "#levels",
			AchievedLevel: s.Class(b.ClassID) + "#level-" + a.Level}}
	}
	for i, e := range a.Evidence {
		doc := EvidenceDoc{Type: []string{"Evidence"}, Name: e.Name, Narrative: e.Narrative, ID: e.URL}
		if doc.ID == "" {
			doc.ID = s.Award(a.ID) + "#evidence-" + itoa(i+1)
		}
		c.Evidence = append(c.Evidence, doc)
	}
	return c
}
