package badge

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"

	"vertaa/internal/assessment"
	"vertaa/internal/i18n"
	"vertaa/internal/yamldoc"
)

// Limits of the format.
const (
	maxApprovals = 5
	maxMonths    = 120
)

// Catalog is the set of badge classes, with their artwork.
type Catalog struct {
	all    []*Class
	images map[string][]byte // by class id and format: "<id>.svg", "<id>.png"
}

// File is a badge class definition with the folder it is in, where its
// artwork is read.
type File struct {
	yamldoc.File
	Dir fs.FS
}

// Load reads every badge class (*.yaml) at the root of fsys with its
// artwork, and checks them against each other and against the
// questionnaires they are earned from. Files are named prefix/name in
// problems. The error is yamldoc.Problems with every problem of every
// file.
func Load(fsys fs.FS, prefix string, questionnaires *assessment.Catalog) (*Catalog, error) {
	files, err := yamldoc.ReadFS(fsys, prefix)
	if err != nil {
		return nil, err
	}
	src := make([]File, len(files))
	for i, f := range files {
		src[i] = File{File: f, Dir: fsys}
	}
	return LoadFiles(src, questionnaires)
}

// LoadFiles is Load for definition files from anywhere, each with its
// artwork beside it.
func LoadFiles(files []File, questionnaires *assessment.Catalog) (*Catalog, error) {
	c := &Catalog{images: map[string][]byte{}}
	var ps yamldoc.Problems
	type loaded struct {
		class *Class
		v     *validator
	}
	var all []loaded
	// known holds the id of every class that decoded far enough to have
	// one, valid or not, so that a problem in one file does not show as
	// a broken reference in another.
	known := map[string]bool{}
	for _, f := range files {
		cl := &Class{}
		doc, err := yamldoc.Decode(f.File, cl)
		if err != nil {
			fps, ok := errors.AsType[yamldoc.Problems](err)
			if !ok {
				return nil, err
			}
			ps = append(ps, fps...)
			if cl.ID != "" {
				known[cl.ID] = true
			}
			continue
		}
		cl.Source = f.Name
		v := &validator{doc: doc, c: cl}
		v.class(questionnaires)
		v.artwork(f.Dir, c.images)
		all = append(all, loaded{cl, v})
		if cl.ID != "" {
			known[cl.ID] = true
		}
	}
	// References between classes.
	byID := map[string]*Class{}
	for _, l := range all {
		id := l.class.ID
		if id == "" {
			continue
		}
		if other, dup := byID[id]; dup {
			l.v.add("id", "%q is already the id of %s", id, other.Source)
			continue
		}
		byID[id] = l.class
	}
	for _, l := range all {
		l.v.references(known, byID)
		ps = append(ps, l.v.doc.Problems...)
		c.all = append(c.all, l.class)
	}
	if len(ps) > 0 {
		ps.Sort()
		return nil, ps
	}
	sort.Slice(c.all, func(i, j int) bool { return c.all[i].ID < c.all[j].ID })
	return c, nil
}

// All returns the badge classes ordered by id.
func (c *Catalog) All() []*Class { return c.all }

// Get returns the badge class with the id.
func (c *Catalog) Get(id string) (*Class, bool) {
	for _, cl := range c.all {
		if cl.ID == id {
			return cl, true
		}
	}
	return nil, false
}

// Image returns the artwork of a class: "svg" or "png".
func (c *Catalog) Image(cl *Class, format string) ([]byte, bool) {
	img, ok := c.images[cl.ID+"."+format]
	return img, ok
}

// validator checks one badge class.
type validator struct {
	doc *yamldoc.Doc
	c   *Class
}

func (v *validator) add(path, format string, args ...any) { v.doc.Addf(path, format, args...) }

// text checks that t has a non-empty text in every language of the badge
// and in no other.
func (v *validator) text(path string, t assessment.Text, required bool) {
	if len(t) == 0 {
		if required {
			v.add(path, "missing text")
		}
		return
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, l := range keys {
		switch {
		case !slices.Contains(v.c.Languages, l):
			v.add(path+"."+l, "language %q is not one of the badge's languages %v", l, v.c.Languages)
		case strings.TrimSpace(t[l]) == "":
			v.add(path+"."+l, "empty text")
		case len(t[l]) > yamldoc.MaxTextLength:
			v.add(path+"."+l, "text is longer than %d bytes", yamldoc.MaxTextLength)
		}
	}
	for _, l := range v.c.Languages {
		if _, ok := t[l]; !ok {
			v.add(path+"."+l, "missing translation")
		}
	}
}

func (v *validator) id(path, id string) {
	v.doc.CheckID(path, id)
}

// unique reports entries of a list given more than once.
func (v *validator) unique(path string, list []string) {
	seen := map[string]bool{}
	for i, s := range list {
		if seen[s] {
			v.add(fmt.Sprintf("%s[%d]", path, i), "%q is listed twice", s)
		}
		seen[s] = true
	}
}

func isLanguage(s string) bool {
	l, ok := i18n.Parse(s)
	return ok && string(l) == s
}

func (v *validator) class(questionnaires *assessment.Catalog) {
	c := v.c
	v.id("id", c.ID)
	v.doc.CheckVersion("version", c.Version)
	if !isLanguage(c.DefaultLanguage) {
		v.add("default_language", "%q is not a supported language (fi, sv, en)", c.DefaultLanguage)
	}
	if len(c.Languages) == 0 {
		v.add("languages", "list the badge's languages (fi, sv, en)")
	} else if c.DefaultLanguage != "" && !slices.Contains(c.Languages, c.DefaultLanguage) {
		v.add("languages", "must include the default language %q", c.DefaultLanguage)
	}
	for i, l := range c.Languages {
		if !isLanguage(l) {
			v.add(fmt.Sprintf("languages[%d]", i), "%q is not a supported language (fi, sv, en)", l)
		}
	}
	v.unique("languages", c.Languages)
	v.text("name", c.Name, true)
	v.text("description", c.Description, true)
	v.text("criteria", c.Criteria, true)
	if !validImageName(c.Image) {
		v.add("image", "%q must be the name of an .svg file beside the definition", c.Image)
	}
	if !IsAchievementType(c.AchievementType) {
		v.add("achievement_type", "%q is not an Open Badges 3.0 achievement type (such as Competency, Achievement, Certificate)", c.AchievementType)
	}
	if c.ValidMonths < 0 || c.ValidMonths > maxMonths {
		v.add("valid_months", "must be from 0 (does not expire) to %d, got %d", maxMonths, c.ValidMonths)
	}
	for i, t := range c.Tags {
		if strings.TrimSpace(t) == "" {
			v.add(fmt.Sprintf("tags[%d]", i), "empty tag")
		}
	}
	for i, a := range c.Alignments {
		p := fmt.Sprintf("alignments[%d]", i)
		v.text(p+".target_name", a.TargetName, true)
		if u, err := url.Parse(a.TargetURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.add(p+".target_url", "%q is not an absolute http(s) URL", a.TargetURL)
		}
		if strings.TrimSpace(a.TargetFramework) == "" {
			v.add(p+".target_framework", "name the framework")
		}
	}
	v.earn(questionnaires)
}

// validImageName reports whether name is a plain .svg file name, without
// a folder.
func validImageName(name string) bool {
	return path.Ext(name) == ".svg" && len(name) > len(".svg") && path.Base(name) == name &&
		!strings.ContainsAny(name, `\:`) && fs.ValidPath(name)
}

// wayFields are the earn fields each way to earn uses.
var wayFields = map[Way][]string{
	Automatic:     {"questionnaire", "rules"},
	ByApplication: {"evidence_prompt", "reviewers", "endorsers", "approvals"},
	Pathway:       {"requires"},
}

// wayOf returns the way to earn that uses an earn field.
func wayOf(field string) Way {
	for w, fields := range wayFields {
		if slices.Contains(fields, field) {
			return w
		}
	}
	return ""
}

// given lists the earn fields that are set.
func (e Earn) given() []string {
	var fields []string
	add := func(name string, set bool) {
		if set {
			fields = append(fields, name)
		}
	}
	add("questionnaire", e.Questionnaire != "")
	add("rules", len(e.Rules) > 0)
	add("evidence_prompt", len(e.EvidencePrompt) > 0)
	add("reviewers", len(e.Reviewers) > 0)
	add("endorsers", len(e.Endorsers) > 0)
	add("approvals", e.Approvals != 0)
	add("requires", len(e.Requires) > 0)
	return fields
}

func (v *validator) earn(questionnaires *assessment.Catalog) {
	e := v.c.Earn
	if fields, ok := wayFields[e.Kind]; ok {
		for _, f := range e.given() {
			if !slices.Contains(fields, f) {
				v.add("earn."+f, "only %s badges have %s", wayOf(f), f)
			}
		}
	}
	switch e.Kind {
	case Automatic:
		var q *assessment.Questionnaire
		if e.Questionnaire == "" {
			v.add("earn.questionnaire", "name the questionnaire whose responses earn the badge")
		} else if questionnaires != nil {
			q, _ = questionnaires.Get(e.Questionnaire)
		}
		if q == nil && e.Questionnaire != "" {
			v.add("earn.questionnaire", "no questionnaire with id %q", e.Questionnaire)
		}
		if len(e.Rules) == 0 {
			v.add("earn.rules", "an automatic badge needs at least one rule")
		}
		for i, r := range e.Rules {
			v.rule(fmt.Sprintf("earn.rules[%d]", i), r, q)
		}
	case ByApplication:
		v.text("earn.evidence_prompt", e.EvidencePrompt, true)
		if len(e.Reviewers) == 0 && len(e.Endorsers) == 0 {
			v.add("earn.reviewers", "name who reviews applications: hr, or endorsers")
		}
		for i, r := range e.Reviewers {
			if r != "hr" {
				v.add(fmt.Sprintf("earn.reviewers[%d]", i), "%q is not a reviewer role (hr)", r)
			}
		}
		v.unique("earn.reviewers", e.Reviewers)
		v.unique("earn.endorsers", e.Endorsers)
		if e.Approvals < 1 || e.Approvals > maxApprovals {
			v.add("earn.approvals", "must be from 1 to %d, got %d", maxApprovals, e.Approvals)
		}
	case Pathway:
		if len(e.Requires) < 2 {
			v.add("earn.requires", "a pathway requires at least two badges")
		}
		v.unique("earn.requires", e.Requires)
	case "":
		v.add("earn.kind", "say how the badge is earned: automatic, application or pathway")
	default:
		v.add("earn.kind", "%q is not a way to earn a badge (automatic, application, pathway)", e.Kind)
	}
}

// rule checks one rule of an automatic badge against its questionnaire,
// q, when there is one.
func (v *validator) rule(p string, r Rule, q *assessment.Questionnaire) {
	switch {
	case r.Area == "" && r.MinOverall == nil:
		v.add(p, "a rule names an area with min_level, or a min_overall")
	case r.Area != "" && r.MinLevel == "":
		v.add(p+".min_level", "give the lowest level of the area that earns the badge")
	case r.Area == "" && r.MinLevel != "":
		v.add(p+".area", "min_level needs the area it applies to")
	}
	if r.MinOverall != nil && (math.IsNaN(*r.MinOverall) || math.IsInf(*r.MinOverall, 0)) {
		v.add(p+".min_overall", "must be a finite number")
		return
	}
	if q == nil {
		return
	}
	if r.Area != "" && !slices.ContainsFunc(q.Areas, func(a assessment.Area) bool { return a.ID == r.Area }) {
		v.add(p+".area", "questionnaire %s has no area %q", q.ID, r.Area)
	}
	if r.MinLevel != "" && levelIndex(q, r.MinLevel) < 0 {
		v.add(p+".min_level", "questionnaire %s has no level %q", q.ID, r.MinLevel)
	}
	if r.MinOverall != nil && (*r.MinOverall < q.Scoring.Min || *r.MinOverall > q.Scoring.Max) {
		v.add(p+".min_overall", "%v is outside the score range %v to %v of questionnaire %s", *r.MinOverall, q.Scoring.Min, q.Scoring.Max, q.ID)
	}
}

// references checks the badge ids a class names: known holds the id of
// every class read, byID the classes without problems in their id.
func (v *validator) references(known map[string]bool, byID map[string]*Class) {
	c := v.c
	if c.Earn.Kind == Pathway {
		for i, id := range c.Earn.Requires {
			p := fmt.Sprintf("earn.requires[%d]", i)
			switch {
			case id == c.ID:
				v.add(p, "a badge cannot require itself")
			case !known[id]:
				v.add(p, "no badge class with id %q", id)
			}
		}
		if cycle := requiresCycle(c, byID); cycle != nil {
			v.add("earn.requires", "the badge can never be earned: it requires itself through %s", strings.Join(cycle, " → "))
		}
	}
	if c.Earn.Kind == ByApplication {
		for i, id := range c.Earn.Endorsers {
			if !known[id] {
				v.add(fmt.Sprintf("earn.endorsers[%d]", i), "no badge class with id %q", id)
			}
		}
	}
}

// requiresCycle returns a chain of pathway requirements from c back to c
// of at least two steps (c requiring itself directly is reported apart),
// or nil.
func requiresCycle(c *Class, byID map[string]*Class) []string {
	visited := map[string]bool{}
	var walk func(cl *Class, chain []string) []string
	walk = func(cl *Class, chain []string) []string {
		if cl.Earn.Kind != Pathway {
			return nil
		}
		for _, id := range cl.Earn.Requires {
			if id == cl.ID {
				continue
			}
			if id == c.ID {
				return append(chain, id)
			}
			next, ok := byID[id]
			if !ok || visited[id] {
				continue
			}
			visited[id] = true
			if found := walk(next, append(chain, id)); found != nil {
				return found
			}
		}
		return nil
	}
	return walk(c, []string{c.ID})
}
