package assessment

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"vertaa/internal/i18n"
	"vertaa/internal/yamldoc"
)

// pointLimits is how many points each scale kind may have.
var pointLimits = map[ScaleKind][2]int{Likert: {2, 11}, Levels: {4, 6}, Choice: {2, 20}}

// validator collects the problems of one questionnaire.
type validator struct {
	doc *yamldoc.Doc
	q   *Questionnaire
}

func (v *validator) add(path, format string, args ...any) { v.doc.Addf(path, format, args...) }

func (v *validator) id(path, id string, seen map[string]string) {
	v.doc.CheckID(path, id)
	if seen == nil || id == "" {
		return
	}
	if other, dup := seen[id]; dup {
		v.add(path, "id %q is already used at %s", id, other)
		return
	}
	seen[id] = path
}

// text checks that t has a non-empty text in every language the
// questionnaire offers and in no language it does not know.
func (v *validator) text(path string, t Text, required bool) {
	if len(t) == 0 {
		if required {
			v.add(path, "missing text")
		}
		return
	}
	langs := make([]string, 0, len(t))
	for l := range t {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		s := t[l]
		switch {
		case !slices.Contains(v.q.Languages, l):
			v.add(path+"."+l, "language %q is not one of the questionnaire's languages %v", l, v.q.Languages)
		case strings.TrimSpace(s) == "":
			v.add(path+"."+l, "empty text")
		case len(s) > yamldoc.MaxTextLength:
			v.add(path+"."+l, "text is longer than %d bytes", yamldoc.MaxTextLength)
		}
	}
	for _, l := range v.q.Languages {
		if _, ok := t[l]; !ok {
			v.add(path+"."+l, "missing translation")
		}
	}
}

func (v *validator) finite(path string, f float64) bool {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		v.add(path, "must be a finite number")
		return false
	}
	return true
}

func (v *validator) questionnaire() {
	q := v.q
	v.id("id", q.ID, nil)
	v.doc.CheckVersion("version", q.Version)
	v.languages()
	v.text("title", q.Title, true)
	v.text("introduction", q.Introduction, true)
	if q.EstimatedMinutes < 1 || q.EstimatedMinutes > 240 {
		v.add("estimated_minutes", "must be from 1 to 240, got %d", q.EstimatedMinutes)
	}
	rangeOK := v.scoring()
	used := v.areas()
	v.scales(used)
	if rangeOK {
		v.levels()
	}
	v.reflections()
}

func (v *validator) languages() {
	q := v.q
	if _, ok := i18n.Parse(q.DefaultLanguage); !ok || q.DefaultLanguage != strings.ToLower(q.DefaultLanguage) {
		v.add("default_language", "%q is not a supported language (fi, sv, en)", q.DefaultLanguage)
	}
	if len(q.Languages) == 0 {
		v.add("languages", "list the languages the questionnaire is offered in (fi, sv, en)")
	}
	seen := map[string]bool{}
	for i, l := range q.Languages {
		p := fmt.Sprintf("languages[%d]", i)
		if _, ok := i18n.Parse(l); !ok || l != strings.ToLower(l) {
			v.add(p, "%q is not a supported language (fi, sv, en)", l)
		}
		if seen[l] {
			v.add(p, "%q is listed twice", l)
		}
		seen[l] = true
	}
	if len(q.Languages) > 0 && q.DefaultLanguage != "" && !seen[q.DefaultLanguage] {
		v.add("languages", "must include the default language %q", q.DefaultLanguage)
	}
}

// scoring checks the score range and reports whether it is usable.
func (v *validator) scoring() bool {
	s := v.q.Scoring
	ok := v.finite("scoring.min", s.Min) && v.finite("scoring.max", s.Max)
	if ok && s.Min >= s.Max {
		v.add("scoring", "min %v must be less than max %v", s.Min, s.Max)
		ok = false
	}
	if s.MinAnswers < 1 {
		v.add("scoring.min_answers", "must be at least 1, got %d", s.MinAnswers)
	}
	if s.Highlights < 1 || s.Highlights > 5 {
		v.add("scoring.highlights", "must be from 1 to 5, got %d", s.Highlights)
	}
	return ok
}

func (v *validator) scales(used map[string]bool) {
	if len(v.q.Scales) == 0 {
		v.add("scales", "define at least one scale")
	}
	seen := map[string]string{}
	for i := range v.q.Scales {
		s := &v.q.Scales[i]
		p := fmt.Sprintf("scales[%d]", i)
		v.id(p+".id", s.ID, seen)
		limits, ok := pointLimits[s.Kind]
		if !ok {
			v.add(p+".kind", "%q is not a scale kind (likert, levels, choice)", s.Kind)
			continue
		}
		if n := len(s.Points); n < limits[0] || n > limits[1] {
			v.add(p+".points", "a %s scale has %d to %d points, got %d", s.Kind, limits[0], limits[1], n)
		}
		values := map[float64]int{}
		for j, pt := range s.Points {
			pp := fmt.Sprintf("%s.points[%d]", p, j)
			v.text(pp+".label", pt.Label, true)
			if !v.finite(pp+".value", pt.Value) {
				continue
			}
			if k, dup := values[pt.Value]; dup {
				v.add(pp+".value", "value %v is already the value of points[%d]", pt.Value, k)
			}
			values[pt.Value] = j
			if s.Kind != Choice && j > 0 && pt.Value <= s.Points[j-1].Value {
				v.add(pp+".value", "values of a %s scale must increase from the first point to the last", s.Kind)
			}
		}
		v.text(p+".not_applicable", s.NotApplicable, false)
		if s.ID != "" && !used[s.ID] {
			v.add(p+".id", "scale %q is not used by any item", s.ID)
		}
	}
}

func (v *validator) levels() {
	q := v.q
	if len(q.Levels) < 2 {
		v.add("levels", "define at least two levels covering the score range %v to %v", q.Scoring.Min, q.Scoring.Max)
	}
	seen := map[string]string{}
	for i, l := range q.Levels {
		p := fmt.Sprintf("levels[%d]", i)
		v.id(p+".id", l.ID, seen)
		v.text(p+".label", l.Label, true)
		v.text(p+".description", l.Description, true)
		if !v.finite(p+".min", l.Min) || !v.finite(p+".max", l.Max) {
			continue
		}
		if l.Min >= l.Max {
			v.add(p, "min %v must be less than max %v", l.Min, l.Max)
		}
		if i == 0 && l.Min != q.Scoring.Min {
			v.add(p+".min", "the first level must start at the lowest score %v, not %v", q.Scoring.Min, l.Min)
		}
		if i == len(q.Levels)-1 && l.Max != q.Scoring.Max {
			v.add(p+".max", "the last level must end at the highest score %v, not %v", q.Scoring.Max, l.Max)
		}
		if i > 0 {
			prev := q.Levels[i-1]
			switch {
			case l.Min > prev.Max:
				v.add(p+".min", "gap: levels[%d] ends at %v but this level starts at %v", i-1, prev.Max, l.Min)
			case l.Min < prev.Max:
				v.add(p+".min", "overlap: levels[%d] ends at %v but this level starts at %v", i-1, prev.Max, l.Min)
			}
		}
	}
}

// areas checks the areas and their items and returns the ids of the
// scales the items use.
func (v *validator) areas() map[string]bool {
	q := v.q
	if len(q.Areas) == 0 {
		v.add("areas", "define at least one competence area")
	}
	used := map[string]bool{}
	areaIDs := map[string]string{}
	itemIDs := map[string]string{}
	for i := range q.Areas {
		a := &q.Areas[i]
		p := fmt.Sprintf("areas[%d]", i)
		v.id(p+".id", a.ID, areaIDs)
		v.text(p+".title", a.Title, true)
		v.text(p+".description", a.Description, true)
		if a.Weight == 0 {
			a.Weight = 1
		}
		if v.finite(p+".weight", a.Weight) && a.Weight < 0 {
			v.add(p+".weight", "must be positive, got %v", a.Weight)
		}
		if len(a.Items) == 0 {
			v.add(p+".items", "an area needs at least one item")
		}
		scored := 0
		for j := range a.Items {
			it := &a.Items[j]
			v.item(fmt.Sprintf("%s.items[%d]", p, j), it, itemIDs, used)
			if it.Scored() {
				scored++
			}
		}
		if len(a.Items) > 0 && scored == 0 {
			v.add(p+".items", "an area needs at least one likert or level item to be scored")
		}
		if a.MinAnswers < 0 {
			v.add(p+".min_answers", "must not be negative, got %d", a.MinAnswers)
		}
		if need := a.minAnswers(q.Scoring); scored > 0 && need > scored {
			v.add(p+".min_answers", "requires %d answers but the area has only %d scored items", need, scored)
		}
		v.feedback(p, a)
	}
	return used
}

// minAnswers is the number of answers the area needs for a score.
func (a *Area) minAnswers(s Scoring) int {
	if a.MinAnswers > 0 {
		return a.MinAnswers
	}
	return s.MinAnswers
}

func (v *validator) item(p string, it *Item, ids map[string]string, used map[string]bool) {
	v.id(p+".id", it.ID, ids)
	v.text(p+".text", it.Text, true)
	v.text(p+".help", it.Help, false)
	var scale *Scale
	if it.Scale != "" {
		used[it.Scale] = true
		var ok bool
		if scale, ok = v.q.Scale(it.Scale); !ok {
			v.add(p+".scale", "no scale with id %q", it.Scale)
		}
	}
	want := map[ItemKind]ScaleKind{LikertItem: Likert, LevelItem: Levels, ChoiceItem: Choice}
	switch it.Kind {
	case LikertItem, LevelItem, ChoiceItem:
		if it.Scale == "" {
			v.add(p+".scale", "a %s item needs a scale", it.Kind)
		} else if scale != nil && scale.Kind != want[it.Kind] {
			v.add(p+".scale", "a %s item needs a %s scale, but %q is a %s scale", it.Kind, want[it.Kind], scale.ID, scale.Kind)
		}
	case TextItem:
		if it.Scale != "" {
			v.add(p+".scale", "a text item has no scale")
		}
		if it.NotApplicable {
			v.add(p+".not_applicable", "a text item cannot offer \"not applicable\"; it is optional anyway")
		}
	default:
		v.add(p+".kind", "%q is not an item kind (likert, level, choice, text)", it.Kind)
	}
	if it.Reverse && it.Kind != LikertItem {
		v.add(p+".reverse", "only likert items, on a numeric scale, can be reverse-scored")
	}
	if it.Kind == LevelItem {
		if scale != nil && len(it.Statements) != len(scale.Points) {
			v.add(p+".statements", "give one statement per point of scale %q: want %d, got %d", scale.ID, len(scale.Points), len(it.Statements))
		}
		for k, s := range it.Statements {
			v.text(fmt.Sprintf("%s.statements[%d]", p, k), s, true)
		}
	} else if len(it.Statements) > 0 {
		v.add(p+".statements", "only level items have statements")
	}
	if it.NotApplicable && scale != nil && len(scale.NotApplicable) == 0 {
		v.add(p+".not_applicable", "scale %q has no not_applicable label to offer", scale.ID)
	}
}

func (v *validator) feedback(p string, a *Area) {
	levels := map[string]bool{}
	for _, l := range v.q.Levels {
		levels[l.ID] = true
		if l.ID != "" {
			if _, ok := a.Feedback[l.ID]; !ok {
				v.add(p+".feedback", "missing feedback for level %q", l.ID)
			}
		}
	}
	keys := make([]string, 0, len(a.Feedback))
	for k := range a.Feedback {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := a.Feedback[k]
		fp := p + ".feedback." + k
		if !levels[k] {
			v.add(fp, "no level with id %q", k)
		}
		v.text(fp+".text", f.Text, true)
		if len(f.Suggestions) == 0 {
			v.add(fp+".suggestions", "give at least one development suggestion")
		}
		for i, s := range f.Suggestions {
			v.text(fmt.Sprintf("%s.suggestions[%d]", fp, i), s, true)
		}
	}
}

func (v *validator) reflections() {
	ids := map[string]string{}
	// Reflections share the answer namespace with items.
	for _, a := range v.q.Areas {
		for _, it := range a.Items {
			if it.ID != "" {
				ids[it.ID] = "an item"
			}
		}
	}
	for i, r := range v.q.Reflections {
		p := fmt.Sprintf("reflections[%d]", i)
		v.id(p+".id", r.ID, ids)
		v.text(p+".text", r.Text, true)
		v.text(p+".help", r.Help, false)
	}
}
