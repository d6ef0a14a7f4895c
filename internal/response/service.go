package response

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
	"vertaa/internal/audit"
	"vertaa/internal/scoring"
)

// Service carries out what leaders and HR do with assessments.
type Service struct {
	store   Store
	current map[string]*version // by questionnaire id: the published version
	now     func() time.Time
}

// version is a questionnaire with its scorer.
type version struct {
	q      *assessment.Questionnaire
	scorer *scoring.Scorer
}

// NewService returns a service offering the questionnaires of the
// catalog. It keeps every version it offers in the store, so that
// responses to it can be shown after the definition file changes.
func NewService(ctx context.Context, store Store, catalog *assessment.Catalog) (*Service, error) {
	s := &Service{store: store, current: map[string]*version{}, now: func() time.Time { return time.Now().UTC() }}
	for _, q := range catalog.All() {
		if err := store.SaveDefinition(ctx, q); err != nil {
			return nil, fmt.Errorf("keep questionnaire %s %s: %w", q.ID, q.Version, err)
		}
		s.current[q.ID] = &version{q: q, scorer: scoring.New(q)}
	}
	return s, nil
}

// Questionnaires returns the published questionnaires, ordered by id.
func (s *Service) Questionnaires() []*assessment.Questionnaire {
	qs := make([]*assessment.Questionnaire, 0, len(s.current))
	for _, v := range s.current {
		qs = append(qs, v.q)
	}
	slices.SortFunc(qs, func(a, b *assessment.Questionnaire) int { return strings.Compare(a.ID, b.ID) })
	return qs
}

// definition returns the questionnaire version with the hash.
func (s *Service) definition(ctx context.Context, hash string) (*version, error) {
	for _, v := range s.current {
		if v.q.Hash == hash {
			return v, nil
		}
	}
	q, err := s.store.Definition(ctx, hash)
	if err != nil {
		return nil, err
	}
	return &version{q: q, scorer: scoring.New(q)}, nil
}

func newID() string { return strings.ToLower(rand.Text()) }

// notFound is the answer for anything the principal may not see.
func notFound(what string) error { return apperr.New(apperr.NotFound, "%s not found", what) }

// Pages returns the number of pages of a questionnaire: one per area and
// a last one with the reflections and the summary before submitting.
func Pages(q *assessment.Questionnaire) int { return len(q.Areas) + 1 }

// RoundInput is what HR fills in to open a round.
type RoundInput struct {
	Name            string
	QuestionnaireID string
	TeamIDs         []string
	Opens, Closes   time.Time
}

// CreateRound opens a round in an organisation that p manages.
func (s *Service) CreateRound(ctx context.Context, p *account.Principal, orgID string, in RoundInput) (Round, error) {
	if !p.IsAdmin() && !p.Has(account.HR, orgID) {
		return Round{}, notFound("organisation")
	}
	var fields []apperr.FieldError
	name, err := account.NormalizeName("name", in.Name)
	fields = append(fields, apperr.FieldsOf(err)...)
	if _, ok := s.current[in.QuestionnaireID]; !ok {
		fields = append(fields, apperr.FieldError{Field: "questionnaire", Code: "questionnaire.unknown"})
	}
	switch {
	case in.Opens.IsZero():
		fields = append(fields, apperr.FieldError{Field: "opens", Code: "date.invalid"})
	case in.Closes.IsZero():
		fields = append(fields, apperr.FieldError{Field: "closes", Code: "date.invalid"})
	case !in.Closes.After(in.Opens):
		fields = append(fields, apperr.FieldError{Field: "closes", Code: "date.before_opens"})
	case !in.Closes.After(s.now()):
		fields = append(fields, apperr.FieldError{Field: "closes", Code: "date.past"})
	}
	if len(in.TeamIDs) > 0 {
		teams, err := s.store.Teams(ctx, orgID)
		if err != nil {
			return Round{}, err
		}
		for _, id := range in.TeamIDs {
			if !slices.ContainsFunc(teams, func(t account.Team) bool { return t.ID == id }) {
				fields = append(fields, apperr.FieldError{Field: "teams", Code: "team.unknown"})
				break
			}
		}
	}
	if err := apperr.InvalidFields(fields...); err != nil {
		return Round{}, err
	}
	r, err := s.store.CreateRound(ctx, Round{OrgID: orgID, QuestionnaireID: in.QuestionnaireID, Name: name, TeamIDs: in.TeamIDs,
		Opens: in.Opens.UTC(), Closes: in.Closes.UTC(), CreatedBy: p.User.ID, CreatedAt: s.now()})
	if err != nil {
		return Round{}, err
	}
	return r, s.store.Record(ctx, audit.Event{At: s.now(), ActorID: p.User.ID, Action: audit.RoundOpened, OrgID: orgID, TargetID: r.ID, Detail: r.QuestionnaireID})
}

// Rounds lists the rounds of an organisation that p manages, newest
// first.
func (s *Service) Rounds(ctx context.Context, p *account.Principal, orgID string) ([]Round, error) {
	if !p.IsAdmin() && !p.Has(account.HR, orgID) {
		return nil, notFound("organisation")
	}
	return s.store.Rounds(ctx, orgID)
}

// CloseRound ends a round now.
func (s *Service) CloseRound(ctx context.Context, p *account.Principal, orgID, roundID string) error {
	if !p.IsAdmin() && !p.Has(account.HR, orgID) {
		return notFound("organisation")
	}
	r, err := s.store.Round(ctx, orgID, roundID)
	if err != nil {
		return err
	}
	if !r.IsOpen(s.now()) {
		return nil
	}
	if err := s.store.CloseRound(ctx, orgID, roundID, s.now()); err != nil {
		return err
	}
	return s.store.Record(ctx, audit.Event{At: s.now(), ActorID: p.User.ID, Action: audit.RoundClosed, OrgID: orgID, TargetID: roundID})
}

// teamsOf returns the teams of the user in the organisation.
func (s *Service) teamsOf(ctx context.Context, orgID, userID string) ([]string, error) {
	members, err := s.store.TeamMembers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var teams []string
	for _, m := range members {
		if m.UserID == userID {
			teams = append(teams, m.TeamID)
		}
	}
	return teams, nil
}

// roundFor returns a round that asks p to answer, open now, and p's
// teams in its organisation.
func (s *Service) roundFor(ctx context.Context, p *account.Principal, orgID, roundID string) (Round, []string, error) {
	if !p.Has(account.Leader, orgID) {
		return Round{}, nil, notFound("round")
	}
	r, err := s.store.Round(ctx, orgID, roundID)
	if err != nil {
		return Round{}, nil, err
	}
	teams, err := s.teamsOf(ctx, orgID, p.User.ID)
	if err != nil {
		return Round{}, nil, err
	}
	if !r.Includes(teams) {
		return Round{}, nil, notFound("round")
	}
	if !r.IsOpen(s.now()) {
		return Round{}, nil, apperr.Keyed(apperr.Conflict, "round_closed", "the round %s is not open", r.Name)
	}
	return r, teams, nil
}

// Assignment is a round that asks the user to answer, with their progress.
type Assignment struct {
	Round Round
	Draft *Draft // nil when not started
	Done  bool   // a response to the round exists
}

// Assignments lists the open rounds that ask p to answer.
func (s *Service) Assignments(ctx context.Context, p *account.Principal) ([]Assignment, error) {
	orgs := p.OrgIDs(account.Leader)
	if len(orgs) == 0 {
		return nil, nil
	}
	rounds, err := s.store.OpenRounds(ctx, orgs, s.now())
	if err != nil {
		return nil, err
	}
	drafts, err := s.store.Drafts(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	responses, err := s.store.Responses(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	teamsByOrg := map[string][]string{}
	var out []Assignment
	for _, r := range rounds {
		teams, ok := teamsByOrg[r.OrgID]
		if !ok {
			if teams, err = s.teamsOf(ctx, r.OrgID, p.User.ID); err != nil {
				return nil, err
			}
			teamsByOrg[r.OrgID] = teams
		}
		if !r.Includes(teams) {
			continue
		}
		a := Assignment{Round: r}
		a.Done = slices.ContainsFunc(responses, func(x Response) bool { return x.RoundID == r.ID })
		for i := range drafts {
			if drafts[i].RoundID == r.ID && !a.Done {
				a.Draft = &drafts[i]
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// Start returns p's draft for a round of an organisation, or for a
// personal assessment of a questionnaire (orgID and roundID empty),
// creating it at the first call.
func (s *Service) Start(ctx context.Context, p *account.Principal, orgID, roundID, questionnaireID string) (Draft, error) {
	if roundID != "" {
		r, _, err := s.roundFor(ctx, p, orgID, roundID)
		if err != nil {
			return Draft{}, err
		}
		if done, err := s.store.Responses(ctx, p.User.ID); err != nil {
			return Draft{}, err
		} else if slices.ContainsFunc(done, func(x Response) bool { return x.RoundID == r.ID }) {
			return Draft{}, apperr.Keyed(apperr.Conflict, "round_done", "you have answered this round already")
		}
		questionnaireID = r.QuestionnaireID
	} else {
		orgID = ""
	}
	v, ok := s.current[questionnaireID]
	if !ok {
		return Draft{}, notFound("questionnaire")
	}
	d, err := s.store.DraftFor(ctx, p.User.ID, roundID, questionnaireID)
	if err == nil {
		_, rerr := s.store.Response(ctx, p.User.ID, d.SubmitKey)
		switch {
		case apperr.KindOf(rerr) == apperr.NotFound:
			return d, nil // still a draft
		case rerr != nil:
			return Draft{}, rerr
		}
		// The draft was submitted (a personal assessment taken again):
		// clear it away and start afresh.
		if err := s.store.DeleteDraft(ctx, p.User.ID, d.ID); err != nil {
			return Draft{}, err
		}
	} else if apperr.KindOf(err) != apperr.NotFound {
		return Draft{}, err
	}
	now := s.now()
	d, err = s.store.CreateDraft(ctx, Draft{UserID: p.User.ID, OrgID: orgID, RoundID: roundID, QuestionnaireID: questionnaireID,
		Hash: v.q.Hash, Answers: assessment.Answers{}, Page: 1, SubmitKey: newID(), CreatedAt: now, UpdatedAt: now})
	if apperr.KindOf(err) == apperr.Conflict {
		// Started twice at once (two tabs): both get the one draft.
		return s.store.DraftFor(ctx, p.User.ID, roundID, questionnaireID)
	}
	return d, err
}

// Sheet is a draft with its questionnaire, for the questionnaire pages.
type Sheet struct {
	Draft         Draft
	Questionnaire *assessment.Questionnaire
	Round         *Round // nil for a personal assessment
	// Submitted is set when the draft has become a response already (its
	// id is Draft.SubmitKey); it cannot be changed any more.
	Submitted bool
}

// Draft returns p's own draft with its questionnaire version.
func (s *Service) Draft(ctx context.Context, p *account.Principal, draftID string) (Sheet, error) {
	d, err := s.store.Draft(ctx, p.User.ID, draftID)
	if err != nil {
		return Sheet{}, err
	}
	v, err := s.definition(ctx, d.Hash)
	if err != nil {
		return Sheet{}, err
	}
	sh := Sheet{Draft: d, Questionnaire: v.q}
	if _, err := s.store.Response(ctx, p.User.ID, d.SubmitKey); err == nil {
		sh.Submitted = true
	} else if apperr.KindOf(err) != apperr.NotFound {
		return Sheet{}, err
	}
	if d.RoundID != "" {
		r, err := s.store.Round(ctx, d.OrgID, d.RoundID)
		if err != nil {
			return Sheet{}, err
		}
		sh.Round = &r
	}
	return sh, nil
}

// pageItems returns the ids of the items asked on a page.
func pageItems(q *assessment.Questionnaire, page int) []string {
	var ids []string
	if page >= 1 && page <= len(q.Areas) {
		for _, it := range q.Areas[page-1].Items {
			ids = append(ids, it.ID)
		}
	} else if page == Pages(q) {
		for _, r := range q.Reflections {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// SavePage stores the answers given on one page of p's draft: answers to
// that page's items replace the earlier ones, and an item of the page not
// in answers is unanswered again. next is the page the user goes to, or 0
// to leave the page to resume at as it is (an autosave).
// Answers to items of other pages, or that do not fit the questionnaire,
// are Invalid and change nothing. A save that meets a concurrent one (an
// autosave from another tab) is merged again on the newer draft.
func (s *Service) SavePage(ctx context.Context, p *account.Principal, draftID string, page int, answers assessment.Answers, next int) (Draft, error) {
	for attempt := 1; ; attempt++ {
		d, err := s.savePage(ctx, p, draftID, page, answers, next)
		if apperr.KeyOf(err) != "stale" || attempt == 20 {
			return d, err
		}
		time.Sleep(time.Duration(attempt) * time.Millisecond)
	}
}

func (s *Service) savePage(ctx context.Context, p *account.Principal, draftID string, page int, answers assessment.Answers, next int) (Draft, error) {
	sh, err := s.Draft(ctx, p, draftID)
	if err != nil {
		return Draft{}, err
	}
	if sh.Submitted {
		return Draft{}, apperr.Keyed(apperr.Conflict, "submitted", "these answers have been submitted already")
	}
	if sh.Round != nil && !sh.Round.IsOpen(s.now()) {
		return Draft{}, apperr.Keyed(apperr.Conflict, "round_closed", "the round %s is not open", sh.Round.Name)
	}
	q, d := sh.Questionnaire, sh.Draft
	n := Pages(q)
	if page < 1 || page > n || next < 0 || next > n {
		return Draft{}, apperr.New(apperr.Invalid, "no page %d of %d", page, n)
	}
	v, err := s.definition(ctx, d.Hash)
	if err != nil {
		return Draft{}, err
	}
	merged, err := mergePage(v, d, page, answers)
	if err != nil {
		return Draft{}, err
	}
	d.Answers, d.UpdatedAt = merged, s.now()
	if next > 0 {
		d.Page = next
	}
	return s.store.UpdateDraft(ctx, d)
}

// Unanswered returns the required items of the draft that have no
// answer, in questionnaire order, with the page of each.
func Unanswered(q *assessment.Questionnaire, answers assessment.Answers) []Missing {
	var out []Missing
	for i, a := range q.Areas {
		for _, it := range a.Items {
			if it.Kind == assessment.TextItem || it.Optional {
				continue
			}
			if _, ok := answers[it.ID]; !ok {
				out = append(out, Missing{ItemID: it.ID, Page: i + 1, Item: it})
			}
		}
	}
	return out
}

// Missing is a required item without an answer.
type Missing struct {
	ItemID string
	Page   int
	Item   assessment.Item
}

// LastPage reads the answers given on the last page of a questionnaire
// (the reflections), for Submit.
type LastPage func(q *assessment.Questionnaire, page int) (assessment.Answers, error)

// Submit turns p's draft into a response, with the answers given on the
// last page, which readLast reads (nil for none), merged in. Submitting the same draft
// again (a double click, a retry) returns the response made the first
// time. A draft with required items unanswered is Invalid, with one field
// error per item ("item.required"), and keeps the last page's answers; a
// draft of a closed round is Conflict.
//
// The response is the only write: the draft it came from is left for the
// maintenance job to remove (see DeleteSubmittedDrafts), and is hidden
// from then on, so that submitting costs one insert.
func (s *Service) Submit(ctx context.Context, p *account.Principal, draftID string, readLast LastPage) (Response, error) {
	d, err := s.store.Draft(ctx, p.User.ID, draftID)
	if err != nil {
		return Response{}, err
	}
	v, err := s.definition(ctx, d.Hash)
	if err != nil {
		return Response{}, err
	}
	var last assessment.Answers
	if readLast != nil {
		if last, err = readLast(v.q, Pages(v.q)); err != nil {
			return Response{}, err
		}
	}
	var teams []string
	if d.RoundID != "" {
		if _, teams, err = s.roundFor(ctx, p, d.OrgID, d.RoundID); err != nil {
			if done, rerr := s.store.Response(ctx, p.User.ID, d.SubmitKey); rerr == nil {
				return done, nil // submitted before the round closed
			}
			return Response{}, err
		}
	}
	answers, err := mergePage(v, d, Pages(v.q), last)
	if err != nil {
		return Response{}, err
	}
	var fields []apperr.FieldError
	for _, m := range Unanswered(v.q, answers) {
		fields = append(fields, apperr.FieldError{Field: m.ItemID, Code: "item.required"})
	}
	if err := apperr.InvalidFields(fields...); err != nil {
		if _, serr := s.SavePage(ctx, p, draftID, Pages(v.q), last, 0); serr != nil {
			return Response{}, serr
		}
		return Response{}, err
	}
	result, err := v.scorer.Score(answers)
	if err != nil {
		return Response{}, err
	}
	r := Response{
		ID: d.SubmitKey, UserID: p.User.ID, OrgID: d.OrgID, RoundID: d.RoundID, TeamIDs: teams,
		QuestionnaireID: v.q.ID, Version: v.q.Version, Hash: v.q.Hash,
		Answers: answers, Result: result, SubmittedAt: s.now(),
	}
	if r.RoundID != "" {
		r, err = s.store.AddRoundResponse(ctx, r, func(ru *Rollup) error { return s.fold(ctx, ru, r) })
	} else {
		r, err = s.store.AddResponse(ctx, r)
	}
	if apperr.KindOf(err) == apperr.Conflict {
		// Submitted already, by this request's twin or earlier: that
		// response is the answer.
		return s.store.Response(ctx, p.User.ID, d.SubmitKey)
	}
	return r, err
}

// mergePage returns the draft's answers with the answers of one page
// replaced by page, after checking that they belong to that page and fit
// the questionnaire.
func mergePage(v *version, d Draft, page int, answers assessment.Answers) (assessment.Answers, error) {
	items := pageItems(v.q, page)
	for id := range answers {
		if !slices.Contains(items, id) {
			return nil, apperr.New(apperr.Invalid, "%s: no such item on page %d", id, page)
		}
	}
	merged := make(assessment.Answers, len(d.Answers)+len(answers))
	for id, a := range d.Answers {
		if !slices.Contains(items, id) {
			merged[id] = a
		}
	}
	for id, a := range answers {
		merged[id] = a
	}
	if _, err := v.scorer.Score(merged); err != nil {
		return nil, err
	}
	return merged, nil
}

// DeleteDraft deletes p's own draft.
func (s *Service) DeleteDraft(ctx context.Context, p *account.Principal, draftID string) error {
	return s.store.DeleteDraft(ctx, p.User.ID, draftID)
}

// Drafts lists p's drafts that are not submitted yet.
func (s *Service) Drafts(ctx context.Context, p *account.Principal) ([]Draft, error) {
	all, err := s.store.Drafts(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	var open []Draft
	for _, d := range all {
		_, err := s.store.Response(ctx, p.User.ID, d.SubmitKey)
		if err == nil {
			continue // submitted
		}
		if apperr.KindOf(err) != apperr.NotFound {
			return nil, err
		}
		open = append(open, d)
	}
	return open, nil
}

// Report is a response with its questionnaire version and the user's
// earlier responses to the same questionnaire.
type Report struct {
	Response      Response
	Questionnaire *assessment.Questionnaire
	Feedback      []scoring.AreaFeedback
	// Previous is the user's latest earlier response to the same
	// questionnaire, if any.
	Previous *Response
	// Earlier are all the user's earlier responses to the same
	// questionnaire, newest first.
	Earlier []Response
}

// Report returns p's own response with what its results page shows.
func (s *Service) Report(ctx context.Context, p *account.Principal, responseID string) (Report, error) {
	r, err := s.store.Response(ctx, p.User.ID, responseID)
	if err != nil {
		return Report{}, err
	}
	v, err := s.definition(ctx, r.Hash)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Response: r, Questionnaire: v.q, Feedback: scoring.Feedback(v.q, r.Result)}
	all, err := s.store.Responses(ctx, p.User.ID)
	if err != nil {
		return Report{}, err
	}
	for _, x := range all { // newest first
		if x.QuestionnaireID == r.QuestionnaireID && x.SubmittedAt.Before(r.SubmittedAt) {
			rep.Earlier = append(rep.Earlier, x)
		}
	}
	if len(rep.Earlier) > 0 {
		rep.Previous = &rep.Earlier[0]
	}
	return rep, nil
}

// Responses lists p's responses, newest first.
func (s *Service) Responses(ctx context.Context, p *account.Principal) ([]Response, error) {
	return s.store.Responses(ctx, p.User.ID)
}

// Definition returns the questionnaire version with the hash.
func (s *Service) Definition(ctx context.Context, hash string) (*assessment.Questionnaire, error) {
	v, err := s.definition(ctx, hash)
	if err != nil {
		return nil, err
	}
	return v.q, nil
}

// SetShared lets HR see p's response individually, or stops it.
func (s *Service) SetShared(ctx context.Context, p *account.Principal, responseID string, shared bool) error {
	r, err := s.store.Response(ctx, p.User.ID, responseID)
	if err != nil {
		return err
	}
	if r.OrgID == "" {
		return apperr.New(apperr.Invalid, "a personal assessment has no HR to share with")
	}
	mark := func(ru *Rollup) { ru.setShared(SharedRef{UserID: p.User.ID, ResponseID: responseID}, shared) }
	if err := s.store.SetShared(ctx, p.User.ID, responseID, shared, mark); err != nil {
		return err
	}
	action := audit.ResponseUnshared
	if shared {
		action = audit.ResponseShared
	}
	return s.store.Record(ctx, audit.Event{At: s.now(), ActorID: p.User.ID, Action: action, OrgID: r.OrgID, TargetID: r.ID})
}

// Export is everything vertaa keeps of one person, for GDPR access and
// portability.
type Export struct {
	ExportedAt time.Time       `json:"exported_at"`
	User       ExportUser      `json:"user"`
	Roles      []ExportRole    `json:"roles"`
	Drafts     []ExportDraft   `json:"drafts"`
	Responses  []ExportAnswers `json:"responses"`
}

// ExportUser is the account part of an export (without the password hash).
type ExportUser struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	Name          string    `json:"name"`
	Language      string    `json:"language"`
	EmailVerified bool      `json:"email_verified"`
	CreatedAt     time.Time `json:"created_at"`
}

// ExportRole is one role in an export.
type ExportRole struct {
	Role           string `json:"role"`
	OrganisationID string `json:"organisation_id,omitempty"`
}

// ExportDraft is one draft in an export.
type ExportDraft struct {
	ID              string             `json:"id"`
	QuestionnaireID string             `json:"questionnaire_id"`
	RoundID         string             `json:"round_id,omitempty"`
	Answers         assessment.Answers `json:"answers"`
	UpdatedAt       time.Time          `json:"updated_at"`
}

// ExportAnswers is one response in an export.
type ExportAnswers struct {
	ID              string             `json:"id"`
	QuestionnaireID string             `json:"questionnaire_id"`
	Version         string             `json:"version"`
	Hash            string             `json:"hash"`
	OrganisationID  string             `json:"organisation_id,omitempty"`
	RoundID         string             `json:"round_id,omitempty"`
	SubmittedAt     time.Time          `json:"submitted_at"`
	SharedWithHR    bool               `json:"shared_with_hr"`
	Answers         assessment.Answers `json:"answers"`
	Result          scoring.Result     `json:"result"`
}

// Export gathers p's own data.
func (s *Service) Export(ctx context.Context, p *account.Principal) (Export, error) {
	u, err := s.store.User(ctx, p.User.ID)
	if err != nil {
		return Export{}, err
	}
	e := Export{ExportedAt: s.now(), User: ExportUser{ID: u.ID, Email: u.Email, Name: u.Name, Language: u.Lang, EmailVerified: u.EmailVerified, CreatedAt: u.CreatedAt},
		Roles: []ExportRole{}, Drafts: []ExportDraft{}, Responses: []ExportAnswers{}}
	grants, err := s.store.Grants(ctx, u.ID)
	if err != nil {
		return Export{}, err
	}
	for _, g := range grants {
		e.Roles = append(e.Roles, ExportRole{Role: string(g.Role), OrganisationID: g.OrgID})
	}
	drafts, err := s.store.Drafts(ctx, u.ID)
	if err != nil {
		return Export{}, err
	}
	for _, d := range drafts {
		e.Drafts = append(e.Drafts, ExportDraft{ID: d.ID, QuestionnaireID: d.QuestionnaireID, RoundID: d.RoundID, Answers: d.Answers, UpdatedAt: d.UpdatedAt})
	}
	responses, err := s.store.Responses(ctx, u.ID)
	if err != nil {
		return Export{}, err
	}
	for _, r := range responses {
		e.Responses = append(e.Responses, ExportAnswers{ID: r.ID, QuestionnaireID: r.QuestionnaireID, Version: r.Version, Hash: r.Hash,
			OrganisationID: r.OrgID, RoundID: r.RoundID, SubmittedAt: r.SubmittedAt, SharedWithHR: r.Shared, Answers: r.Answers, Result: r.Result})
	}
	if err := s.store.Record(ctx, audit.Event{At: s.now(), ActorID: u.ID, Action: audit.DataExported, TargetID: u.ID}); err != nil {
		return Export{}, err
	}
	return e, nil
}
