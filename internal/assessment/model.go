// Package assessment defines competence self-assessment questionnaires:
// their model, the YAML format HR developers write them in, the loader that
// parses and validates definition files, and the answers a respondent
// gives. It knows nothing of HTTP or storage.
package assessment

import "slices"

// Text is a text in several languages, keyed by language code (fi, sv, en).
type Text map[string]string

// In returns the text in lang, falling back to the fallback language and
// then to the first language in alphabetical order, so that a missing
// translation shows some text rather than none.
func (t Text) In(lang, fallback string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	if s, ok := t[fallback]; ok && s != "" {
		return s
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// Questionnaire is one competence self-assessment definition.
type Questionnaire struct {
	// ID is stable across versions: ^[a-z0-9][a-z0-9_-]*$.
	ID string `yaml:"id" json:"id"`
	// Version is the author's semantic version, e.g. 1.2.0.
	Version string `yaml:"version" json:"version"`
	// DefaultLanguage is the language every text must have and the
	// fallback for a language the questionnaire does not offer.
	DefaultLanguage string `yaml:"default_language" json:"default_language"`
	// Languages are the languages the questionnaire is offered in; every
	// text must have all of them.
	Languages        []string     `yaml:"languages" json:"languages"`
	Title            Text         `yaml:"title" json:"title"`
	Introduction     Text         `yaml:"introduction" json:"introduction"`
	EstimatedMinutes int          `yaml:"estimated_minutes" json:"estimated_minutes"`
	Scoring          Scoring      `yaml:"scoring" json:"scoring"`
	Scales           []Scale      `yaml:"scales" json:"scales"`
	Levels           []Level      `yaml:"levels" json:"levels"`
	Areas            []Area       `yaml:"areas" json:"areas"`
	Reflections      []Reflection `yaml:"reflections,omitempty" json:"reflections,omitempty"`

	// Hash identifies the content: "sha256:" and the hex digest of the
	// canonical JSON form, so that comments and layout do not count.
	Hash string `yaml:"-" json:"-"`
	// Source is the file the definition was loaded from.
	Source string `yaml:"-" json:"-"`
}

// Scoring sets how answers become scores.
type Scoring struct {
	// Min and Max are the score range: every scored scale is mapped
	// linearly onto it, and the levels cover it.
	Min float64 `yaml:"min" json:"min"`
	Max float64 `yaml:"max" json:"max"`
	// MinAnswers is how many scored items of an area must have an answer
	// other than "not applicable" for the area to get a score. An area may
	// set its own.
	MinAnswers int `yaml:"min_answers" json:"min_answers"`
	// Highlights is how many strengths and development areas are named.
	Highlights int `yaml:"highlights" json:"highlights"`
}

// ScaleKind says how a scale's answers are used.
type ScaleKind string

// The scale kinds.
const (
	// Likert is an agreement scale with labelled numeric points.
	Likert ScaleKind = "likert"
	// Levels is an ordinal scale of practice levels; its items describe
	// each level with a statement of their own.
	Levels ScaleKind = "levels"
	// Choice is a nominal scale (background questions); it is not scored.
	Choice ScaleKind = "choice"
)

// Scale is a set of answer options shared by items.
type Scale struct {
	ID     string    `yaml:"id" json:"id"`
	Kind   ScaleKind `yaml:"kind" json:"kind"`
	Points []Point   `yaml:"points" json:"points"`
	// NotApplicable labels the "not applicable / cannot say" answer,
	// which items of this scale may offer.
	NotApplicable Text `yaml:"not_applicable,omitempty" json:"not_applicable,omitempty"`
}

// Point is one answer option of a scale.
type Point struct {
	Value float64 `yaml:"value" json:"value"`
	Label Text    `yaml:"label" json:"label"`
}

// Level is a band of scores with its name and meaning, e.g. Osaava from
// 2.5 up to 3.25. A score s is in the band when Min <= s < Max; the last
// band also holds its Max.
type Level struct {
	ID          string  `yaml:"id" json:"id"`
	Label       Text    `yaml:"label" json:"label"`
	Min         float64 `yaml:"min" json:"min"`
	Max         float64 `yaml:"max" json:"max"`
	Description Text    `yaml:"description" json:"description"`
}

// Area is a competence area with its items and its feedback per level.
type Area struct {
	ID          string  `yaml:"id" json:"id"`
	Title       Text    `yaml:"title" json:"title"`
	Description Text    `yaml:"description" json:"description"`
	Weight      float64 `yaml:"weight" json:"weight"`
	// MinAnswers overrides Scoring.MinAnswers for this area when set.
	MinAnswers int    `yaml:"min_answers,omitempty" json:"min_answers,omitempty"`
	Items      []Item `yaml:"items" json:"items"`
	// Feedback holds, for every level id, what to tell a respondent whose
	// score in this area is at that level.
	Feedback map[string]Feedback `yaml:"feedback" json:"feedback"`
}

// Feedback is the text shown for an area at a level, with development
// suggestions.
type Feedback struct {
	Text        Text   `yaml:"text" json:"text"`
	Suggestions []Text `yaml:"suggestions" json:"suggestions"`
}

// ItemKind is the kind of question an item asks.
type ItemKind string

// The item kinds.
const (
	// LikertItem is a statement answered on a likert scale.
	LikertItem ItemKind = "likert"
	// LevelItem asks the respondent to pick the one statement, among 4 to
	// 6, that best matches their practice (as in SELFIE).
	LevelItem ItemKind = "level"
	// ChoiceItem is a background question on a choice scale; not scored.
	ChoiceItem ItemKind = "choice"
	// TextItem is an open question; not scored.
	TextItem ItemKind = "text"
)

// Item is one question.
type Item struct {
	ID   string   `yaml:"id" json:"id"`
	Kind ItemKind `yaml:"kind" json:"kind"`
	// Scale is the id of the scale; empty for text items.
	Scale string `yaml:"scale,omitempty" json:"scale,omitempty"`
	Text  Text   `yaml:"text" json:"text"`
	// Help is an optional clarification shown under the question.
	Help Text `yaml:"help,omitempty" json:"help,omitempty"`
	// Statements are, for a level item, one statement per point of its
	// scale, from the lowest level to the highest.
	Statements []Text `yaml:"statements,omitempty" json:"statements,omitempty"`
	// Reverse scores the item in reverse (likert items only): agreeing
	// with a statement of weak practice gives a low score.
	Reverse bool `yaml:"reverse,omitempty" json:"reverse,omitempty"`
	// NotApplicable offers the scale's "not applicable / cannot say"
	// answer, which is left out of the scores.
	NotApplicable bool `yaml:"not_applicable,omitempty" json:"not_applicable,omitempty"`
	// Optional items may be left unanswered; the others are required.
	// Text items are always optional.
	Optional bool `yaml:"optional,omitempty" json:"optional,omitempty"`
}

// Scored reports whether answers to the item count towards scores.
func (it *Item) Scored() bool { return it.Kind == LikertItem || it.Kind == LevelItem }

// Reflection is an open reflection question asked after the areas.
type Reflection struct {
	ID   string `yaml:"id" json:"id"`
	Text Text   `yaml:"text" json:"text"`
	Help Text   `yaml:"help,omitempty" json:"help,omitempty"`
}

// LanguageFor returns the language to show the questionnaire's texts in to
// a user of lang: lang if the questionnaire is offered in it, else its
// default language.
func (q *Questionnaire) LanguageFor(lang string) string {
	if slices.Contains(q.Languages, lang) {
		return lang
	}
	return q.DefaultLanguage
}

// Scale returns the scale with the given id.
func (q *Questionnaire) Scale(id string) (*Scale, bool) {
	for i := range q.Scales {
		if q.Scales[i].ID == id {
			return &q.Scales[i], true
		}
	}
	return nil, false
}

// Level returns the level whose band holds score s, or nil when s is
// outside the score range.
func (q *Questionnaire) Level(s float64) *Level {
	if i := q.LevelIndex(s); i >= 0 {
		return &q.Levels[i]
	}
	return nil
}

// LevelIndex returns the index in Levels of the band that holds score s,
// or -1 when s is outside the score range.
func (q *Questionnaire) LevelIndex(s float64) int {
	for i, l := range q.Levels {
		if s >= l.Min && (s < l.Max || (i == len(q.Levels)-1 && s == l.Max)) {
			return i
		}
	}
	return -1
}

// Range returns the lowest and highest point values of the scale.
func (s *Scale) Range() (lo, hi float64) {
	lo, hi = s.Points[0].Value, s.Points[0].Value
	for _, p := range s.Points[1:] {
		lo, hi = min(lo, p.Value), max(hi, p.Value)
	}
	return lo, hi
}

// HasValue reports whether v is one of the scale's point values.
func (s *Scale) HasValue(v float64) bool {
	for _, p := range s.Points {
		if p.Value == v {
			return true
		}
	}
	return false
}

// ItemCount returns the number of items in all areas.
func (q *Questionnaire) ItemCount() int {
	n := 0
	for _, a := range q.Areas {
		n += len(a.Items)
	}
	return n
}
