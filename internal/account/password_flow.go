package account

import (
	"context"

	"vertaa/internal/apperr"
	"vertaa/internal/audit"
)

// RequestPasswordReset e-mails a link to set a new password, if the
// address belongs to an enabled account. It answers the same either way,
// so that the form does not tell which addresses exist.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	email, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if apperr.KindOf(err) == apperr.NotFound || (err == nil && u.Disabled) {
		return nil
	}
	if err != nil {
		return err
	}
	secret, err := s.issueToken(ctx, Token{Kind: TokenPassword, UserID: u.ID, Email: u.Email})
	if err != nil {
		return err
	}
	if err := s.sendMail(ctx, u.Email, u.Name, lang(u.Lang), "reset", u.Name, s.link("/password/"+secret)); err != nil {
		return err
	}
	return s.record(ctx, audit.Event{Action: audit.ResetRequested, TargetID: u.ID})
}

// PasswordLink returns the user a password link is for, without using it.
func (s *Service) PasswordLink(ctx context.Context, secret string) (User, error) {
	t, err := s.store.Token(ctx, TokenPassword, HashToken(secret), s.now())
	if err != nil {
		return User{}, err
	}
	return s.store.User(ctx, t.UserID)
}

// SetPasswordWithLink sets a new password with a single-use link and ends
// every session of the user. Receiving the link proves the address.
func (s *Service) SetPasswordWithLink(ctx context.Context, secret, password string) (User, error) {
	u, err := s.PasswordLink(ctx, secret)
	if err != nil {
		return User{}, err
	}
	// Check the password before using up the link.
	if err := ValidatePassword(password, u.Email, u.Name); err != nil {
		return u, err
	}
	if _, err := s.store.ConsumeToken(ctx, TokenPassword, HashToken(secret), s.now()); err != nil {
		return User{}, err
	}
	if err := s.setPassword(ctx, u, password); err != nil {
		return User{}, err
	}
	if !u.EmailVerified {
		if err := s.store.SetEmailVerified(ctx, u.ID); err != nil {
			return User{}, err
		}
	}
	return u, s.record(ctx, audit.Event{ActorID: u.ID, Action: audit.PasswordReset, TargetID: u.ID})
}

func (s *Service) setPassword(ctx context.Context, u User, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	return s.store.DeleteSessions(ctx, u.ID)
}

// ChangePassword sets a new password for the signed-in user after
// checking the current one, and ends all their sessions; the caller
// starts a new one for the browser in use.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, current, password string) error {
	u, err := s.store.User(ctx, p.User.ID)
	if err != nil {
		return err
	}
	var fields []apperr.FieldError
	if !CheckPassword(u.PasswordHash, current) {
		fields = append(fields, FieldError("current", "password.wrong"))
	}
	fields = append(fields, apperr.FieldsOf(ValidatePassword(password, u.Email, u.Name))...)
	if err := apperr.InvalidFields(fields...); err != nil {
		return err
	}
	if err := s.setPassword(ctx, u, password); err != nil {
		return err
	}
	return s.record(ctx, audit.Event{ActorID: u.ID, Action: audit.PasswordChanged, TargetID: u.ID})
}

// EndAllSessions signs the user out everywhere.
func (s *Service) EndAllSessions(ctx context.Context, p *Principal) error {
	if err := s.store.DeleteSessions(ctx, p.User.ID); err != nil {
		return err
	}
	return s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.SignOut, TargetID: p.User.ID, Detail: "all sessions"})
}

// RequestEmailChange e-mails a confirmation link to the new address; the
// address changes when the link is used.
func (s *Service) RequestEmailChange(ctx context.Context, p *Principal, newEmail string) error {
	email, err := NormalizeEmail(newEmail)
	if err != nil {
		return err
	}
	if EmailKey(email) == EmailKey(p.User.Email) {
		return apperr.InvalidFields(FieldError("email", "email.same"))
	}
	secret, err := s.issueToken(ctx, Token{Kind: TokenEmail, UserID: p.User.ID, Email: email})
	if err != nil {
		return err
	}
	return s.sendMail(ctx, email, p.User.Name, lang(p.User.Lang), "verify", p.User.Name, s.link("/email/"+secret))
}

// ConfirmEmail uses an e-mail confirmation link: the address of the link
// becomes the user's verified address.
func (s *Service) ConfirmEmail(ctx context.Context, secret string) (User, error) {
	t, err := s.store.ConsumeToken(ctx, TokenEmail, HashToken(secret), s.now())
	if err != nil {
		return User{}, err
	}
	u, err := s.store.User(ctx, t.UserID)
	if err != nil {
		return User{}, err
	}
	if t.Email != u.Email {
		if err := s.store.SetEmail(ctx, u.ID, t.Email); err != nil {
			if apperr.KindOf(err) == apperr.Conflict {
				return User{}, apperr.InvalidFields(FieldError("email", "email.taken"))
			}
			return User{}, err
		}
		if err := s.record(ctx, audit.Event{ActorID: u.ID, Action: audit.EmailChanged, TargetID: u.ID}); err != nil {
			return User{}, err
		}
	}
	if err := s.store.SetEmailVerified(ctx, u.ID); err != nil {
		return User{}, err
	}
	u.Email, u.EmailVerified = t.Email, true
	return u, nil
}

// UpdateProfile changes the signed-in user's name and language.
func (s *Service) UpdateProfile(ctx context.Context, p *Principal, name, uiLang string) error {
	name, err := NormalizeName("name", name)
	if err != nil {
		return err
	}
	if err := s.store.SetName(ctx, p.User.ID, name); err != nil {
		return err
	}
	return s.store.SetLang(ctx, p.User.ID, string(lang(uiLang)))
}
