// Package report renders vertaa's PDF reports with fpdf: the leader's
// personal report of one response, to bring to a development discussion,
// and HR's team report of one round, with every figure under the
// anonymity threshold. It knows nothing of HTTP or storage: callers give
// it the data, already checked for access.
package report

import (
	"time"

	"vertaa/internal/analytics"
	"vertaa/internal/assessment"
	"vertaa/internal/i18n"
	"vertaa/internal/scoring"
)

// Texts gives the user interface texts: the report's own words are the
// texts "report.*" of web/locales.
type Texts interface {
	T(lang i18n.Lang, key string, args ...any) string
}

// Personal is what the leader's personal report shows.
type Personal struct {
	Lang          i18n.Lang
	Name          string
	Organisation  string // "" for a personal assessment
	RoundName     string // "" for a personal assessment
	Questionnaire *assessment.Questionnaire
	SubmittedAt   time.Time
	Result        scoring.Result
	// Answers holds the reflection answers (text items) by item id.
	Answers assessment.Answers
	// Earlier are the leader's earlier responses to the same
	// questionnaire, newest first.
	Earlier []Earlier
	// Badges are the leader's accepted, valid badges.
	Badges      []Badge
	GeneratedAt time.Time
}

// Earlier is an earlier response, for the change since then.
type Earlier struct {
	SubmittedAt time.Time
	Result      scoring.Result
}

// Badge is a badge the leader holds, with the URL anyone can verify it at.
type Badge struct {
	Name       string
	URL        string
	IssuedOn   time.Time
	ValidUntil time.Time // zero: does not expire
}

// Team is what HR's team report of one round shows.
type Team struct {
	Lang          i18n.Lang
	Organisation  string
	RoundName     string
	Opens, Closes time.Time
	Questionnaire *assessment.Questionnaire
	Summary       analytics.Summary
	// OtherVersion counts responses to another version of the
	// questionnaire, which the summary leaves out.
	OtherVersion int
	// Previous is the organisation's previous round of the same
	// questionnaire, if any, with the version it was summarised by.
	Previous              *analytics.Summary
	PreviousQuestionnaire *assessment.Questionnaire
	PreviousName          string
	GeneratedAt           time.Time
}
