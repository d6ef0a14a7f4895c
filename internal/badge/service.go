package badge

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/assessment"
	"vertaa/internal/audit"
	"vertaa/internal/i18n"
	"vertaa/internal/mail"
	"vertaa/internal/openbadges"
	"vertaa/internal/scoring"
)

// Texts gives the user interface texts, for e-mails and evidence.
type Texts interface {
	T(lang i18n.Lang, key string, args ...any) string
}

// Definitions returns a questionnaire version by its content hash.
type Definitions interface {
	Definition(ctx context.Context, hash string) (*assessment.Questionnaire, error)
}

// Config is what the badge service needs.
type Config struct {
	Store          Store
	Classes        *Catalog
	Questionnaires *assessment.Catalog
	Definitions    Definitions
	Site           openbadges.Site
	Issuer         openbadges.Issuer
	Keys           *openbadges.Keys
	Texts          Texts
	// Notify wakes the e-mail dispatcher.
	Notify func()
	// IDKey (32 bytes) makes award ids: unguessable, and the same for the
	// same earner, badge and reason, so that an award is offered once.
	IDKey []byte
}

// Service carries out what earners, reviewers and administrators do with
// badges. Every method that acts for someone takes the acting principal
// and checks that they may.
type Service struct {
	store   Store
	classes *Catalog
	qs      *assessment.Catalog
	defs    Definitions
	site    openbadges.Site
	issuer  openbadges.Issuer
	keys    *openbadges.Keys
	texts   Texts
	notify  func()
	idKey   []byte
	now     func() time.Time
	lists   listCache
}

// NewService returns a badge service.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Classes == nil || cfg.Questionnaires == nil || cfg.Definitions == nil || cfg.Keys == nil || cfg.Texts == nil {
		return nil, fmt.Errorf("badge service: store, classes, questionnaires, definitions, keys and texts are required")
	}
	if len(cfg.IDKey) < 32 {
		return nil, fmt.Errorf("badge service: the id key must have 32 bytes")
	}
	notify := cfg.Notify
	if notify == nil {
		notify = func() {}
	}
	return &Service{store: cfg.Store, classes: cfg.Classes, qs: cfg.Questionnaires, defs: cfg.Definitions, site: cfg.Site,
		issuer: cfg.Issuer, keys: cfg.Keys, texts: cfg.Texts, notify: notify, idKey: cfg.IDKey,
		now: func() time.Time { return time.Now().UTC() }}, nil
}

// Classes returns the badge classes.
func (s *Service) Classes() *Catalog { return s.classes }

// Site returns the URLs of the badge documents.
func (s *Service) Site() openbadges.Site { return s.site }

// Issuer returns the issuer.
func (s *Service) Issuer() openbadges.Issuer { return s.issuer }

// Keys returns the signing keys.
func (s *Service) Keys() *openbadges.Keys { return s.keys }

// Now returns the service's clock.
func (s *Service) Now() time.Time { return s.now() }

func notFound(what string) error { return apperr.New(apperr.NotFound, "%s not found", what) }

func lang(s string) i18n.Lang {
	if l, ok := i18n.Parse(s); ok {
		return l
	}
	return i18n.Default
}

// awardID returns the id of the award of a badge to a user for a reason.
func (s *Service) awardID(userID, classID, source string) string {
	m := hmac.New(sha256.New, s.idKey)
	m.Write([]byte(userID + "\x00" + classID + "\x00" + source))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil)[:20]))
}

func (s *Service) record(ctx context.Context, e audit.Event) error {
	e.At = s.now()
	if err := s.store.Record(ctx, e); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// sendMail queues an e-mail in the user's language: texts
// "mail.<key>.subject" and "mail.<key>.body" formatted with args.
func (s *Service) sendMail(ctx context.Context, u account.User, key string, args ...any) error {
	l := lang(u.Lang)
	m := mail.Message{To: u.Email, ToName: u.Name, Subject: s.texts.T(l, "mail."+key+".subject"),
		Text: s.texts.T(l, "mail."+key+".body", args...) + "\n\n-- \n" + s.texts.T(l, "mail.footer", s.site.Base)}
	if err := s.store.Enqueue(ctx, m); err != nil {
		return err
	}
	s.notify()
	return nil
}

// Name returns the class's name in a language.
func (c *Class) NameIn(l string) string { return c.Name.In(l, c.DefaultLanguage) }

// current reports whether an award stands in the way of offering its
// class again: offered and waiting, or held.
func current(a Award, now time.Time) bool { return a.State == Offered || a.Holds(now) }

// offer offers badges to a user, each once per reason, and returns the
// awards on offer: offering again for the same reason returns the first
// award while it waits for an answer. One e-mail tells the user of the
// new offers.
func (s *Service) offer(ctx context.Context, u account.User, offers []offer) ([]Award, error) {
	var out []Award
	var names []string
	for _, o := range offers {
		a := o.award
		a.ID = s.awardID(u.ID, o.class.ID, a.Source)
		a.ClassID, a.UserID, a.State, a.OfferedAt = o.class.ID, u.ID, Offered, s.now()
		err := s.store.AddAward(ctx, a)
		if apperr.KindOf(err) == apperr.Conflict {
			// Offered before for the same reason: still on offer, or
			// answered already.
			if a, err = s.store.Award(ctx, a.ID); err != nil {
				return out, err
			}
			if a.State == Offered {
				out = append(out, a)
			}
			continue
		}
		if err != nil {
			return out, err
		}
		if err := s.record(ctx, audit.Event{Action: audit.BadgeOffered, OrgID: a.OrgID, TargetID: u.ID, Detail: o.class.ID + " " + a.ID}); err != nil {
			return out, err
		}
		out = append(out, a)
		names = append(names, "- "+o.class.NameIn(u.Lang))
	}
	if len(names) == 0 {
		return out, nil
	}
	return out, s.sendMail(ctx, u, "badge_offered", strings.Join(names, "\n"), s.site.Base+"/me/badges")
}

// offer is a badge to offer: its class and the award's reason, level and
// evidence.
type offer struct {
	class *Class
	award Award
}

// Submission is a submitted response, for the badges it may earn.
type Submission struct {
	ResponseID    string
	OrgID         string
	Questionnaire *assessment.Questionnaire
	Result        scoring.Result
	SubmittedAt   time.Time
}

// EvaluateResponse offers the automatic badges that a response of p's
// earns and that p does not hold or have on offer yet.
func (s *Service) EvaluateResponse(ctx context.Context, p *account.Principal, sub Submission) ([]Award, error) {
	held, err := s.store.Awards(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	q, now := sub.Questionnaire, s.now()
	var offers []offer
	for _, cl := range s.classes.All() {
		if !cl.Met(q, sub.Result) || slices.ContainsFunc(held, func(a Award) bool { return a.ClassID == cl.ID && current(a, now) }) {
			continue
		}
		a := Award{OrgID: sub.OrgID, Source: "response:" + sub.ResponseID, QuestionnaireHash: q.Hash}
		l := p.User.Lang
		for _, r := range cl.Earn.Rules {
			if r.Area == "" {
				continue
			}
			area, _ := areaResult(sub.Result, r.Area)
			if a.Level == "" {
				a.Level = area.Level
			}
			a.Evidence = append(a.Evidence, Evidence{Name: s.texts.T(lang(l), "badge.evidence.area", areaTitle(q, r.Area, l)),
				Narrative: s.texts.T(lang(l), "badge.evidence.area_level", q.Title.In(l, q.DefaultLanguage), q.Version,
					sub.SubmittedAt.Format("2006-01-02"), areaTitle(q, r.Area, l), levelLabel(q, area.Level, l), area.Score),
				Public: true})
		}
		if sub.Result.Overall.Enough {
			a.Evidence = append(a.Evidence, Evidence{Name: s.texts.T(lang(l), "badge.evidence.overall"),
				Narrative: s.texts.T(lang(l), "badge.evidence.overall_level", q.Title.In(l, q.DefaultLanguage),
					levelLabel(q, sub.Result.Overall.Level, l), sub.Result.Overall.Score), Public: true})
		}
		offers = append(offers, offer{cl, a})
	}
	return s.offer(ctx, p.User, offers)
}

func areaTitle(q *assessment.Questionnaire, id, l string) string {
	for _, a := range q.Areas {
		if a.ID == id {
			return a.Title.In(l, q.DefaultLanguage)
		}
	}
	return id
}

func levelLabel(q *assessment.Questionnaire, id, l string) string {
	for _, lv := range q.Levels {
		if lv.ID == id {
			return lv.Label.In(l, q.DefaultLanguage)
		}
	}
	return id
}

// Awards returns p's awards, newest first.
func (s *Service) Awards(ctx context.Context, p *account.Principal) ([]Award, error) {
	return s.store.Awards(ctx, p.User.ID)
}

// OwnAward returns one of p's awards.
func (s *Service) OwnAward(ctx context.Context, p *account.Principal, id string) (Award, *Class, error) {
	return s.awardIf(ctx, id, func(a Award) bool { return a.UserID == p.User.ID })
}

// Public returns an accepted or revoked award, as anyone may see it.
func (s *Service) Public(ctx context.Context, id string) (Award, *Class, error) {
	return s.awardIf(ctx, id, func(a Award) bool { return a.State == Accepted || a.State == Revoked })
}

// awardIf returns an award with its class if visible says it may be
// seen, and NotFound otherwise.
func (s *Service) awardIf(ctx context.Context, id string, visible func(Award) bool) (Award, *Class, error) {
	a, err := s.store.Award(ctx, id)
	if apperr.KindOf(err) == apperr.NotFound || (err == nil && !visible(a)) {
		return Award{}, nil, notFound("badge")
	}
	if err != nil {
		return Award{}, nil, err
	}
	cl, ok := s.classes.Get(a.ClassID)
	if !ok {
		return Award{}, nil, notFound("badge")
	}
	return a, cl, nil
}

// AcceptInput is what the earner chooses when accepting a badge.
type AcceptInput struct {
	// Name is the name shown on the badge; empty shows none.
	Name string
	// Public lists the indexes of the evidence to show with the badge.
	Public []int
}

// Accept issues an offered badge to p: it signs the credential, which
// makes the badge public. Badges completing a pathway are then offered.
// An error after the badge was accepted comes with the accepted award.
func (s *Service) Accept(ctx context.Context, p *account.Principal, id string, in AcceptInput) (Award, error) {
	a, cl, err := s.OwnAward(ctx, p, id)
	if err != nil {
		return Award{}, err
	}
	if a.State != Offered {
		return Award{}, apperr.Keyed(apperr.Conflict, "badge.not_offered", "this badge is %s, not waiting for an answer", a.State)
	}
	name := strings.Join(strings.Fields(in.Name), " ")
	if len([]rune(name)) > account.MaxNameLength {
		return Award{}, apperr.InvalidFields(apperr.FieldError{Field: "name", Code: "name.too_long"})
	}
	entry, err := s.store.NextStatusEntry(ctx)
	if err != nil {
		return Award{}, err
	}
	now := s.now().Truncate(time.Second)
	a.Name, a.Email, a.Lang = name, p.User.Email, string(lang(p.User.Lang))
	a.Salt, a.SubjectID = randomHex(16), "urn:uuid:"+uuid()
	a.AcceptedAt, a.StatusList, a.StatusIndex = now, entry/ListSize+1, entry%ListSize
	if cl.ValidMonths > 0 {
		a.ValidUntil = now.AddDate(0, cl.ValidMonths, 0)
	}
	for i := range a.Evidence {
		a.Evidence[i].Public = slices.Contains(in.Public, i)
	}
	if a.Credential, err = s.sign(ctx, cl, a); err != nil {
		return Award{}, err
	}
	a.State = Accepted
	if a, err = s.store.UpdateAward(ctx, a); err != nil {
		return Award{}, err
	}
	// From here on the badge is accepted: an error is returned with it.
	if err := s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.BadgeAccepted, OrgID: a.OrgID, TargetID: p.User.ID, Detail: cl.ID + " " + a.ID}); err != nil {
		return a, err
	}
	_, err = s.evaluatePathways(ctx, p.User, a.OrgID)
	return a, err
}

// ListSize is the number of entries of each status list.
const ListSize = 131072

// Decline turns down an offered badge; it stays private.
func (s *Service) Decline(ctx context.Context, p *account.Principal, id string) error {
	a, cl, err := s.OwnAward(ctx, p, id)
	if err != nil {
		return err
	}
	if a.State != Offered {
		return apperr.Keyed(apperr.Conflict, "badge.not_offered", "this badge is %s, not waiting for an answer", a.State)
	}
	a.State, a.DeclinedAt = Declined, s.now()
	if _, err := s.store.UpdateAward(ctx, a); err != nil {
		return err
	}
	return s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.BadgeDeclined, OrgID: a.OrgID, TargetID: p.User.ID, Detail: cl.ID + " " + a.ID})
}

// MaxReasonLength bounds a revocation reason.
const MaxReasonLength = 500

// Revoke revokes an accepted badge: an administrator may revoke any, an
// earner their own. The reason is public: verifiers show it.
func (s *Service) Revoke(ctx context.Context, p *account.Principal, id, reason string) error {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return apperr.InvalidFields(apperr.FieldError{Field: "reason", Code: "required"})
	case len([]rune(reason)) > MaxReasonLength:
		return apperr.InvalidFields(apperr.FieldError{Field: "reason", Code: "text.too_long"})
	}
	a, err := s.store.Award(ctx, id)
	if apperr.KindOf(err) == apperr.NotFound || (err == nil && a.UserID != p.User.ID && !p.IsAdmin()) {
		return notFound("badge")
	}
	if err != nil {
		return err
	}
	switch {
	case a.State != Accepted:
		return apperr.Keyed(apperr.Conflict, "badge.not_accepted", "only an accepted badge can be revoked; this one is %s", a.State)
	}
	a.State, a.RevokedAt, a.RevokedBy, a.RevokeReason = Revoked, s.now(), p.User.ID, reason
	if _, err := s.store.UpdateAward(ctx, a); err != nil {
		return err
	}
	s.lists.forget(a.StatusList)
	if err := s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.BadgeRevoked, OrgID: a.OrgID, TargetID: a.UserID, Detail: a.ClassID + " " + a.ID}); err != nil {
		return err
	}
	if a.UserID == p.User.ID {
		return nil
	}
	u, err := s.store.User(ctx, a.UserID)
	if err != nil {
		return err
	}
	cl, _ := s.classes.Get(a.ClassID)
	name := a.ClassID
	if cl != nil {
		name = cl.NameIn(u.Lang)
	}
	return s.sendMail(ctx, u, "badge_revoked", name, reason)
}

// RecentAwards returns the latest awards, for administrators.
func (s *Service) RecentAwards(ctx context.Context, p *account.Principal, limit int) ([]Award, error) {
	if !p.IsAdmin() {
		return nil, notFound("page")
	}
	return s.store.RecentAwards(ctx, limit)
}

// evaluatePathways offers the pathway badges that the user's held badges
// complete.
func (s *Service) evaluatePathways(ctx context.Context, u account.User, orgID string) ([]Award, error) {
	awards, err := s.store.Awards(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	held := map[string]Award{}
	for _, a := range awards {
		if a.Holds(now) {
			held[a.ClassID] = a
		}
	}
	var offers []offer
	for _, cl := range s.classes.All() {
		has := map[string]bool{}
		for id := range held {
			has[id] = true
		}
		if !cl.PathwayDone(has) || slices.ContainsFunc(awards, func(a Award) bool { return a.ClassID == cl.ID && current(a, now) }) {
			continue
		}
		var ids []string
		a := Award{OrgID: orgID}
		for _, req := range cl.Earn.Requires {
			h := held[req]
			ids = append(ids, h.ID)
			name := req
			if rc, ok := s.classes.Get(req); ok {
				name = rc.NameIn(u.Lang)
			}
			a.Evidence = append(a.Evidence, Evidence{Name: name, URL: s.site.Award(h.ID), Public: true,
				Narrative: s.texts.T(lang(u.Lang), "badge.evidence.pathway", name, h.AcceptedAt.Format("2006-01-02"))})
		}
		a.Source = "pathway:" + strings.Join(ids, ",")
		offers = append(offers, offer{cl, a})
	}
	return s.offer(ctx, u, offers)
}

// Describe returns what a credential says about a class in a language;
// hash names the questionnaire version whose levels it was earned at ("":
// the current one).
func (s *Service) Describe(ctx context.Context, cl *Class, l, hash string) (openbadges.Badge, error) {
	b := openbadges.Badge{ClassID: cl.ID, Name: cl.NameIn(l), Description: cl.Description.In(l, cl.DefaultLanguage),
		Criteria: cl.Criteria.In(l, cl.DefaultLanguage), AchievementType: cl.AchievementType, Tags: cl.Tags,
		Language: l, Version: cl.Version}
	for _, al := range cl.Alignments {
		b.Alignments = append(b.Alignments, openbadges.Alignment{TargetName: al.TargetName.In(l, cl.DefaultLanguage),
			TargetURL: al.TargetURL, TargetFramework: al.TargetFramework, TargetCode: al.TargetCode})
	}
	if cl.Earn.Kind != Automatic || !slices.ContainsFunc(cl.Earn.Rules, func(r Rule) bool { return r.Area != "" }) {
		return b, nil
	}
	var q *assessment.Questionnaire
	if hash == "" {
		q, _ = s.qs.Get(cl.Earn.Questionnaire)
	} else {
		var err error
		if q, err = s.defs.Definition(ctx, hash); err != nil {
			return b, err
		}
	}
	if q == nil {
		return b, nil
	}
	for _, lv := range q.Levels {
		b.Levels = append(b.Levels, openbadges.Level{ID: lv.ID, Name: lv.Label.In(l, q.DefaultLanguage),
			Description: lv.Description.In(l, q.DefaultLanguage)})
	}
	return b, nil
}

// DocAward returns the award as the Open Badges documents describe it,
// with its public evidence only.
func DocAward(a Award) openbadges.Award {
	oa := openbadges.Award{ID: a.ID, SubjectID: a.SubjectID, Email: a.Email, Salt: a.Salt, Name: a.Name,
		ValidFrom: a.AcceptedAt, ValidUntil: a.ValidUntil, Level: a.Level, StatusList: a.StatusList, StatusIndex: a.StatusIndex}
	for _, e := range a.Evidence {
		if e.Public {
			oa.Evidence = append(oa.Evidence, openbadges.Evidence{Name: e.Name, Narrative: e.Narrative, URL: e.URL})
		}
	}
	return oa
}

// sign returns the signed credential of an award being accepted.
func (s *Service) sign(ctx context.Context, cl *Class, a Award) (string, error) {
	b, err := s.Describe(ctx, cl, a.Lang, a.QuestionnaireHash)
	if err != nil {
		return "", err
	}
	return s.keys.Sign(s.site.Credential(b, s.issuer, DocAward(a)))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// uuid returns a random (version 4) UUID.
func uuid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// listCache keeps the status lists for a while, so that a busy verifier
// does not query the database for every check.
type listCache struct {
	mu      sync.Mutex
	entries map[int]cachedList
	// forgotten counts the lists forgotten: a list read while it rose
	// may predate a revocation, and is not kept.
	forgotten uint64
}

type cachedList struct {
	revoked []int // indexes
	at      time.Time
}

func (c *listCache) forget(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, n)
	c.forgotten++
}

// Revoked returns every revoked award, for the Open Badges 2.0 revocation
// list.
func (s *Service) Revoked(ctx context.Context) ([]Award, error) { return s.store.RevokedAwards(ctx) }
