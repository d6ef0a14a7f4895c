package assessment

// Answer is a respondent's answer to one item or reflection question.
type Answer struct {
	// Value is the value of the chosen point, for likert, level and
	// choice items.
	Value float64 `json:"value"`
	// NA is the "not applicable / cannot say" answer; Value is then
	// ignored.
	NA bool `json:"na,omitempty"`
	// Text is the answer to a text item or a reflection question.
	Text string `json:"text,omitempty"`
}

// Answers maps item and reflection ids to answers. An item without an
// entry is unanswered.
type Answers map[string]Answer

// MaxAnswerText is the longest open-text answer, in bytes.
const MaxAnswerText = 10000
