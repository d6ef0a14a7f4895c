package account

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"vertaa/internal/apperr"
	"vertaa/internal/audit"
	"vertaa/internal/i18n"
	"vertaa/internal/mail"
)

// Texts gives the user interface texts, for e-mails.
type Texts interface {
	T(lang i18n.Lang, key string, args ...any) string
}

// SessionLifetime is how long a sign-in lasts.
const SessionLifetime = 12 * time.Hour

// Service carries out what people do with accounts: setting up the
// instance, signing in, passwords, invitations, organisations, teams and
// roles. Every method that acts for someone takes the acting principal
// and checks that they may; the web layer checks too, but the service
// does not rely on it.
type Service struct {
	store     Store
	texts     Texts
	publicURL string
	notify    func() // wakes the e-mail dispatcher
	now       func() time.Time
}

// NewService returns a service. publicURL is the base of the links in
// e-mails; notify is called after e-mail is queued.
func NewService(store Store, texts Texts, publicURL string, notify func()) *Service {
	return &Service{store: store, texts: texts, publicURL: strings.TrimSuffix(publicURL, "/"), notify: notify, now: func() time.Time { return time.Now().UTC() }}
}

// newID returns a random identifier for a session or an import.
func newID() string { return strings.ToLower(rand.Text()) }

// lang returns the supported language named by s, or the default.
func lang(s string) i18n.Lang {
	if l, ok := i18n.Parse(s); ok {
		return l
	}
	return i18n.Default
}

// link returns the public URL of a path.
func (s *Service) link(path string) string { return s.publicURL + path }

// record adds an audit event; a failure to audit fails the action.
func (s *Service) record(ctx context.Context, e audit.Event) error {
	e.At = s.now()
	if err := s.store.Record(ctx, e); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// composeMail writes one e-mail in language l: subject and body are the
// texts "mail.<key>.subject" and "mail.<key>.body", the body formatted
// with args.
func (s *Service) composeMail(to, toName string, l i18n.Lang, key string, args ...any) mail.Message {
	return mail.Message{
		To:      to,
		ToName:  toName,
		Subject: s.texts.T(l, "mail."+key+".subject"),
		Text:    s.texts.T(l, "mail."+key+".body", args...) + "\n\n-- \n" + s.texts.T(l, "mail.footer", s.publicURL),
	}
}

// sendMail queues one e-mail (see composeMail) and wakes the dispatcher.
func (s *Service) sendMail(ctx context.Context, to, toName string, l i18n.Lang, key string, args ...any) error {
	if err := s.store.Enqueue(ctx, s.composeMail(to, toName, l, key, args...)); err != nil {
		return err
	}
	s.notify()
	return nil
}

// issueToken stores a new single-use link and returns its secret.
func (s *Service) issueToken(ctx context.Context, t Token) (string, error) {
	secret, hash := newTokenSecret()
	t.Hash, t.CreatedAt = hash, s.now()
	t.ExpiresAt = t.CreatedAt.Add(tokenLifetime[t.Kind])
	if err := s.store.AddTokens(ctx, t); err != nil {
		return "", err
	}
	return secret, nil
}

// Principal loads the user of a session with their grants. A disabled or
// deleted user, or an ended session, is Unauthorized.
func (s *Service) Principal(ctx context.Context, userID, sessionID string) (*Principal, error) {
	refused := apperr.New(apperr.Unauthorized, "not signed in")
	if _, err := s.store.Session(ctx, sessionID, userID, s.now()); err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return nil, refused
		}
		return nil, err
	}
	u, err := s.store.User(ctx, userID)
	if apperr.KindOf(err) == apperr.NotFound || (err == nil && u.Disabled) {
		return nil, refused
	}
	if err != nil {
		return nil, err
	}
	grants, err := s.store.Grants(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &Principal{User: u, Grants: grants, SessionID: sessionID}, nil
}

// StartSession records a new session for the user and returns it.
func (s *Service) StartSession(ctx context.Context, userID string) (Session, error) {
	now := s.now()
	sess := Session{ID: newID(), UserID: userID, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	return sess, s.store.CreateSession(ctx, sess)
}

// SignOut ends one session.
func (s *Service) SignOut(ctx context.Context, p *Principal) error {
	if err := s.store.DeleteSession(ctx, p.User.ID, p.SessionID); err != nil {
		return err
	}
	return s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.SignOut, TargetID: p.User.ID})
}

// errSignIn is the one answer to a failed sign-in, whatever the reason.
var errSignIn = apperr.InvalidFields(FieldError("email", "signin.failed"))

// FieldError is a shorthand for an apperr.FieldError.
func FieldError(field, code string) apperr.FieldError {
	return apperr.FieldError{Field: field, Code: code}
}

// SignIn checks an e-mail address and password. An unknown address, a
// wrong password and a disabled account get the same answer after the
// same work, so that the answer does not tell which addresses exist.
func (s *Service) SignIn(ctx context.Context, email, password, ip string) (User, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		CheckNoUser(password)
		return User{}, errSignIn
	}
	u, err := s.store.UserByEmail(ctx, email)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		CheckNoUser(password)
		return User{}, s.refuse(ctx, audit.Event{Action: audit.SignInFailed, Detail: "unknown account", IP: ip})
	case err != nil:
		return User{}, err
	}
	if u.PasswordHash == "" || !CheckPassword(u.PasswordHash, password) || u.Disabled {
		if u.PasswordHash == "" {
			CheckNoUser(password)
		}
		detail := "wrong password"
		if u.Disabled {
			detail = "disabled account"
		}
		return User{}, s.refuse(ctx, audit.Event{Action: audit.SignInFailed, TargetID: u.ID, Detail: detail, IP: ip})
	}
	return u, s.record(ctx, audit.Event{ActorID: u.ID, Action: audit.SignIn, TargetID: u.ID, IP: ip})
}

// refuse records a failed sign-in and returns the refusal, or the error
// of recording it.
func (s *Service) refuse(ctx context.Context, e audit.Event) error {
	if err := s.record(ctx, e); err != nil {
		return err
	}
	return errSignIn
}
