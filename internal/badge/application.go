package badge

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/audit"
)

// Limits of an application.
const (
	MinTextLength      = 20
	MaxEvidenceLength  = 5000
	MaxReflectionLen   = 3000
	MaxLinks           = 10
	MaxLinkLength      = 500
	MaxCommentLength   = 2000
	applicationHistory = 50 // decisions kept on one application
)

// ApplicationInput is what the applicant writes.
type ApplicationInput struct {
	OrgID      string
	Evidence   string
	Links      []string
	Reflection string
}

// check normalises the input and returns the problems with it.
func (in *ApplicationInput) check(p *account.Principal, cl *Class) error {
	var fields []apperr.FieldError
	in.Evidence, in.Reflection = strings.TrimSpace(in.Evidence), strings.TrimSpace(in.Reflection)
	text := func(field, s string, max int) {
		switch n := len([]rune(s)); {
		case n < MinTextLength:
			fields = append(fields, apperr.FieldError{Field: field, Code: "text.too_short"})
		case n > max:
			fields = append(fields, apperr.FieldError{Field: field, Code: "text.too_long"})
		}
	}
	text("evidence", in.Evidence, MaxEvidenceLength)
	text("reflection", in.Reflection, MaxReflectionLen)
	var links []string
	for _, l := range in.Links {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(l) > MaxLinkLength {
			fields = append(fields, apperr.FieldError{Field: "links", Code: "link.invalid"})
			break
		}
		links = append(links, l)
	}
	if len(links) > MaxLinks {
		fields = append(fields, apperr.FieldError{Field: "links", Code: "link.too_many"})
	}
	in.Links = links
	if slices.Contains(cl.Earn.Reviewers, "hr") && !p.Has(account.Leader, in.OrgID) && !p.Has(account.HR, in.OrgID) {
		fields = append(fields, apperr.FieldError{Field: "org", Code: "org.not_member"})
	}
	return apperr.InvalidFields(fields...)
}

// Apply submits an application for a badge earned by application.
func (s *Service) Apply(ctx context.Context, p *account.Principal, classID string, in ApplicationInput) (Application, error) {
	cl, ok := s.classes.Get(classID)
	if !ok || cl.Earn.Kind != ByApplication {
		return Application{}, notFound("badge")
	}
	if err := in.check(p, cl); err != nil {
		return Application{}, err
	}
	apps, err := s.store.Applications(ctx, p.User.ID)
	if err != nil {
		return Application{}, err
	}
	if slices.ContainsFunc(apps, func(a Application) bool {
		return a.ClassID == classID && (a.State == Submitted || a.State == Returned)
	}) {
		return Application{}, apperr.Keyed(apperr.Conflict, "application.exists", "you already have an open application for this badge")
	}
	awards, err := s.store.Awards(ctx, p.User.ID)
	if err != nil {
		return Application{}, err
	}
	now := s.now()
	if slices.ContainsFunc(awards, func(a Award) bool { return a.ClassID == classID && current(a, now) }) {
		return Application{}, apperr.Keyed(apperr.Conflict, "application.held", "you hold this badge already, or it is waiting for you to accept it")
	}
	a := Application{ID: newID(), ClassID: classID, UserID: p.User.ID, OrgID: in.OrgID, UserName: p.User.Name,
		State: Submitted, Evidence: in.Evidence, Links: in.Links, Reflection: in.Reflection, Round: 1,
		SubmittedAt: now, UpdatedAt: now}
	if err := s.store.AddApplication(ctx, a); err != nil {
		return Application{}, err
	}
	return a, s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.ApplicationSubmitted, OrgID: a.OrgID, TargetID: p.User.ID, Detail: classID + " " + a.ID})
}

// Resubmit submits a returned application again, with changes.
func (s *Service) Resubmit(ctx context.Context, p *account.Principal, id string, in ApplicationInput) (Application, error) {
	a, cl, err := s.ownApplication(ctx, p, id)
	if err != nil {
		return Application{}, err
	}
	if a.State != Returned {
		return Application{}, apperr.Keyed(apperr.Conflict, "application.not_returned", "only a returned application can be submitted again")
	}
	in.OrgID = a.OrgID
	if err := in.check(p, cl); err != nil {
		return Application{}, err
	}
	now := s.now()
	a.Evidence, a.Links, a.Reflection = in.Evidence, in.Links, in.Reflection
	a.State, a.Round, a.SubmittedAt, a.UpdatedAt = Submitted, a.Round+1, now, now
	if a, err = s.store.UpdateApplication(ctx, a); err != nil {
		return Application{}, err
	}
	return a, s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.ApplicationSubmitted, OrgID: a.OrgID, TargetID: p.User.ID, Detail: a.ClassID + " " + a.ID})
}

// Withdraw gives up an application that is not decided yet.
func (s *Service) Withdraw(ctx context.Context, p *account.Principal, id string) error {
	a, _, err := s.ownApplication(ctx, p, id)
	if err != nil {
		return err
	}
	if a.State != Submitted && a.State != Returned {
		return apperr.Keyed(apperr.Conflict, "application.closed", "this application is %s already", a.State)
	}
	a.State, a.UpdatedAt = Withdrawn, s.now()
	if _, err := s.store.UpdateApplication(ctx, a); err != nil {
		return err
	}
	return s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.ApplicationWithdrawn, OrgID: a.OrgID, TargetID: p.User.ID, Detail: a.ClassID + " " + a.ID})
}

// Applications returns p's applications, newest first.
func (s *Service) Applications(ctx context.Context, p *account.Principal) ([]Application, error) {
	return s.store.Applications(ctx, p.User.ID)
}

func (s *Service) ownApplication(ctx context.Context, p *account.Principal, id string) (Application, *Class, error) {
	a, cl, err := s.application(ctx, id)
	if err == nil && a.UserID != p.User.ID {
		return Application{}, nil, notFound("application")
	}
	return a, cl, err
}

// application returns an application with its class.
func (s *Service) application(ctx context.Context, id string) (Application, *Class, error) {
	a, err := s.store.Application(ctx, id)
	if apperr.KindOf(err) == apperr.NotFound {
		return Application{}, nil, notFound("application")
	}
	if err != nil {
		return Application{}, nil, err
	}
	cl, ok := s.classes.Get(a.ClassID)
	if !ok {
		return Application{}, nil, notFound("application")
	}
	return a, cl, nil
}

// held returns the ids of the classes p holds now.
func (s *Service) held(ctx context.Context, userID string) (map[string]bool, error) {
	awards, err := s.store.Awards(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	held := map[string]bool{}
	for _, a := range awards {
		if a.Holds(now) {
			held[a.ClassID] = true
		}
	}
	return held, nil
}

// mayReview reports whether p may review an application: as HR of the
// applicant's organisation, or as a holder of an endorsing badge; never
// their own.
func mayReview(p *account.Principal, a Application, cl *Class, held map[string]bool) bool {
	if a.UserID == p.User.ID {
		return false
	}
	if slices.Contains(cl.Earn.Reviewers, "hr") && p.Has(account.HR, a.OrgID) {
		return true
	}
	return slices.ContainsFunc(cl.Earn.Endorsers, func(id string) bool { return held[id] })
}

// Reviewable returns the submitted applications p may review and has not
// decided on yet, oldest first.
func (s *Service) Reviewable(ctx context.Context, p *account.Principal) ([]Application, error) {
	held, err := s.held(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	var classIDs []string
	for _, cl := range s.classes.All() {
		if cl.Earn.Kind == ByApplication && slices.ContainsFunc(cl.Earn.Endorsers, func(id string) bool { return held[id] }) {
			classIDs = append(classIDs, cl.ID)
		}
	}
	orgIDs := p.OrgIDs(account.HR)
	if len(orgIDs) == 0 && len(classIDs) == 0 {
		return nil, nil
	}
	open, err := s.store.OpenApplications(ctx, orgIDs, classIDs)
	if err != nil {
		return nil, err
	}
	var out []Application
	for _, a := range open {
		if cl, ok := s.classes.Get(a.ClassID); ok && mayReview(p, a, cl, held) && !a.Decided(p.User.ID) {
			out = append(out, a)
		}
	}
	return out, nil
}

// Application returns an application to its applicant or to someone who
// may review it.
func (s *Service) Application(ctx context.Context, p *account.Principal, id string) (Application, *Class, error) {
	a, cl, err := s.application(ctx, id)
	if err != nil {
		return Application{}, nil, err
	}
	if a.UserID == p.User.ID {
		return a, cl, nil
	}
	held, err := s.held(ctx, p.User.ID)
	if err != nil {
		return Application{}, nil, err
	}
	if !mayReview(p, a, cl, held) {
		return Application{}, nil, notFound("application")
	}
	return a, cl, nil
}

// MayReview reports whether p may decide on the application now.
func (s *Service) MayReview(ctx context.Context, p *account.Principal, a Application) (bool, error) {
	cl, ok := s.classes.Get(a.ClassID)
	if !ok || a.State != Submitted || a.Decided(p.User.ID) {
		return false, nil
	}
	held, err := s.held(ctx, p.User.ID)
	if err != nil {
		return false, err
	}
	return mayReview(p, a, cl, held), nil
}

// DecisionInput is a reviewer's verdict.
type DecisionInput struct {
	Approve bool
	Comment string
}

// Decide records a reviewer's verdict. A return, which needs a comment,
// sends the application back to the applicant; enough approvals offer
// the badge.
func (s *Service) Decide(ctx context.Context, p *account.Principal, id string, in DecisionInput) (Application, error) {
	a, cl, err := s.Application(ctx, p, id)
	if err != nil {
		return Application{}, err
	}
	if a.UserID == p.User.ID {
		return Application{}, notFound("application")
	}
	if a.State != Submitted {
		return Application{}, apperr.Keyed(apperr.Conflict, "application.closed", "this application is %s already", a.State)
	}
	if a.Decided(p.User.ID) {
		return Application{}, apperr.Keyed(apperr.Conflict, "application.decided", "you have already given your decision")
	}
	in.Comment = strings.TrimSpace(in.Comment)
	switch {
	case !in.Approve && in.Comment == "":
		return Application{}, apperr.InvalidFields(apperr.FieldError{Field: "comment", Code: "comment.required"})
	case len([]rune(in.Comment)) > MaxCommentLength:
		return Application{}, apperr.InvalidFields(apperr.FieldError{Field: "comment", Code: "text.too_long"})
	}
	now := s.now()
	a.Decisions = append(a.Decisions, Decision{ReviewerID: p.User.ID, ReviewerName: p.User.Name, Round: a.Round,
		Approve: in.Approve, Comment: in.Comment, At: now})
	if len(a.Decisions) > applicationHistory {
		return Application{}, apperr.Keyed(apperr.Conflict, "application.too_many_rounds", "this application has been reviewed too many times")
	}
	a.UpdatedAt = now
	applicant, err := s.store.User(ctx, a.UserID)
	if err != nil {
		return Application{}, err
	}
	action := audit.ApplicationApproved
	switch {
	case !in.Approve:
		a.State, action = Returned, audit.ApplicationReturned
	case a.approvals() >= cl.Earn.Approvals:
		a.State = Approved
		a.AwardID = s.awardID(a.UserID, cl.ID, "application:"+a.ID)
	}
	if a, err = s.store.UpdateApplication(ctx, a); err != nil {
		return Application{}, err
	}
	if err := s.record(ctx, audit.Event{ActorID: p.User.ID, Action: action, OrgID: a.OrgID, TargetID: a.UserID, Detail: cl.ID + " " + a.ID}); err != nil {
		return Application{}, err
	}
	switch a.State {
	case Returned:
		err = s.sendMail(ctx, applicant, "badge_returned", cl.NameIn(applicant.Lang), in.Comment, s.site.Base+"/me/applications/"+a.ID)
	case Approved:
		_, err = s.offer(ctx, applicant, []offer{{cl, s.applicationAward(a, applicant)}})
	}
	return a, err
}

// applicationAward is the award an approved application earns.
func (s *Service) applicationAward(a Application, u account.User) Award {
	l := lang(u.Lang)
	aw := Award{OrgID: a.OrgID, Source: "application:" + a.ID, Evidence: []Evidence{
		{Name: s.texts.T(l, "badge.evidence.application"), Narrative: a.Evidence, Public: true},
	}}
	for _, link := range a.Links {
		aw.Evidence = append(aw.Evidence, Evidence{Name: s.texts.T(l, "badge.evidence.link"), URL: link, Public: true})
	}
	aw.Evidence = append(aw.Evidence, Evidence{Name: s.texts.T(l, "badge.evidence.reflection"), Narrative: a.Reflection})
	var approvers []string
	for _, d := range a.Decisions {
		if d.Round == a.Round && d.Approve {
			approvers = append(approvers, d.ReviewerName)
		}
	}
	aw.Evidence = append(aw.Evidence, Evidence{Name: s.texts.T(l, "badge.evidence.review"),
		Narrative: s.texts.T(l, "badge.evidence.approved_by", strings.Join(approvers, ", ")), Public: true})
	return aw
}

func newID() string { return strings.ToLower(randomHex(10)) }
