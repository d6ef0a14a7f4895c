// Package badge is vertaa's digital badges: badge classes defined in YAML
// files, the rules by which they are earned (automatically from an
// assessment, by an application that reviewers approve, or as a pathway
// of other badges), and awards with their life: offered, accepted or
// declined, revoked. It knows nothing of HTTP or storage; the Open Badges
// documents are built by package openbadges.
package badge

import (
	"slices"

	"vertaa/internal/assessment"
)

// Class is a badge class: what a badge says and how it is earned.
type Class struct {
	ID              string          `yaml:"id" json:"id"`
	Version         string          `yaml:"version" json:"version"`
	DefaultLanguage string          `yaml:"default_language" json:"default_language"`
	Languages       []string        `yaml:"languages" json:"languages"`
	Name            assessment.Text `yaml:"name" json:"name"`
	Description     assessment.Text `yaml:"description" json:"description"`
	Criteria        assessment.Text `yaml:"criteria" json:"criteria"`
	// Image is the file name of the square SVG artwork beside the
	// definition; a PNG rendering with the same base name is beside it.
	Image           string      `yaml:"image" json:"image"`
	AchievementType string      `yaml:"achievement_type" json:"achievement_type"`
	ValidMonths     int         `yaml:"valid_months" json:"valid_months"`
	Tags            []string    `yaml:"tags" json:"tags"`
	Alignments      []Alignment `yaml:"alignments" json:"alignments"`
	Earn            Earn        `yaml:"earn" json:"earn"`

	Source string `yaml:"-" json:"-"`
}

// Alignment relates a badge to a competence framework.
type Alignment struct {
	TargetName      assessment.Text `yaml:"target_name" json:"target_name"`
	TargetURL       string          `yaml:"target_url" json:"target_url"`
	TargetFramework string          `yaml:"target_framework" json:"target_framework"`
	TargetCode      string          `yaml:"target_code,omitempty" json:"target_code,omitempty"`
}

// Way is how a badge is earned.
type Way string

// The ways to earn a badge.
const (
	Automatic     Way = "automatic"   // from a submitted response that meets rules
	ByApplication Way = "application" // reviewers approve the leader's evidence
	Pathway       Way = "pathway"     // holding every badge of a set
)

// Earn declares how a badge is earned.
type Earn struct {
	Kind Way `yaml:"kind" json:"kind"`
	// Automatic:
	Questionnaire string `yaml:"questionnaire,omitempty" json:"questionnaire,omitempty"`
	Rules         []Rule `yaml:"rules,omitempty" json:"rules,omitempty"`
	// Application:
	EvidencePrompt assessment.Text `yaml:"evidence_prompt,omitempty" json:"evidence_prompt,omitempty"`
	// Reviewers may be "hr" (HR of the applicant's organisation).
	Reviewers []string `yaml:"reviewers,omitempty" json:"reviewers,omitempty"`
	// Endorsers are badge ids whose holders may review too (peers).
	Endorsers []string `yaml:"endorsers,omitempty" json:"endorsers,omitempty"`
	Approvals int      `yaml:"approvals,omitempty" json:"approvals,omitempty"`
	// Pathway:
	Requires []string `yaml:"requires,omitempty" json:"requires,omitempty"`
}

// Rule is one condition on a response: an area at a level or above, or
// the overall score at a minimum.
type Rule struct {
	Area       string   `yaml:"area,omitempty" json:"area,omitempty"`
	MinLevel   string   `yaml:"min_level,omitempty" json:"min_level,omitempty"`
	MinOverall *float64 `yaml:"min_overall,omitempty" json:"min_overall,omitempty"`
}

// achievementTypes are the Open Badges 3.0 achievement types a class may
// declare.
var achievementTypes = []string{
	"Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree", "Award", "Badge",
	"BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification", "CommunityService", "Competency",
	"Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork", "GeneralEducationDevelopment",
	"JourneymanCertificate", "LearningProgram", "License", "Membership", "ProfessionalDoctorate",
	"QualityAssuranceCredential", "MasterCertificate", "MasterDegree", "MicroCredential", "ResearchDoctorate",
	"SecondarySchoolDiploma",
}

// IsAchievementType reports whether s is an Open Badges 3.0 achievement type.
func IsAchievementType(s string) bool { return slices.Contains(achievementTypes, s) }
