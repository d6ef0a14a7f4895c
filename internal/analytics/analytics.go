// Package analytics computes what HR sees of a round: participation, and
// area scores per team and for the whole organisation, under an anonymity
// threshold with complementary suppression, so that no figure reveals an
// individual's answers. It knows nothing of HTTP, storage or PDFs.
package analytics

// MinThreshold is the lowest anonymity threshold allowed; DefaultThreshold
// is used unless configured otherwise.
const (
	MinThreshold     = 3
	DefaultThreshold = 5
)

// Group is one team of the organisation in the round's scope.
type Group struct {
	ID, Name string
	// Invited are the members asked to answer.
	Invited []string
}

// Why tells why a cell is hidden.
type Why string

// The reasons a cell is hidden.
const (
	Shown         Why = ""
	TooFew        Why = "too_few"       // fewer respondents than the threshold
	Complementary Why = "complementary" // hidden so that another hidden cell cannot be worked out
	// Open hides the figures of a round that still takes answers: a
	// figure that moved as one more answer came in would reveal that
	// answer to whoever watched it before and after.
	Open Why = "open"
)

// Key names the interface text that says why a cell is hidden, in the
// reports and on HR's pages alike; "" for a shown cell.
func (w Why) Key() string {
	switch w {
	case TooFew:
		return "report.too_few"
	case Complementary:
		return "report.hidden"
	case Open:
		return "report.round_open"
	}
	return ""
}

// Cell is one figure of a table: the mean score of a group in an area (or
// overall), over the respondents with enough answers there.
type Cell struct {
	N      int
	Mean   float64
	SD     float64
	Hidden Why
}

// Row is one group's line: its participation and its cells.
type Row struct {
	ID, Name                    string
	Invited, Started, Submitted int
	Areas                       []Cell // in the order of the questionnaire's areas
	Overall                     Cell
}

// Summary is a round as HR may see it.
type Summary struct {
	Threshold int
	Org       Row
	Teams     []Row // in the order of the input's groups
	// Distribution counts, per area, the organisation's respondents at
	// each level (in the order of the questionnaire's levels); nil for an
	// area whose organisation cell is hidden.
	Distribution [][]int
	// OverallDistribution is the same for the overall score.
	OverallDistribution []int
}
