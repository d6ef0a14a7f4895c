package account

import (
	"context"
	"time"

	"vertaa/internal/apperr"
	"vertaa/internal/audit"
	"vertaa/internal/i18n"
)

// SetupLink returns a new one-time link to create the first administrator
// when the instance has none, and "" when it has one. Earlier setup links
// stop working.
func (s *Service) SetupLink(ctx context.Context) (link string, expires time.Time, err error) {
	n, err := s.store.CountGrants(ctx, Admin)
	if err != nil || n > 0 {
		return "", time.Time{}, err
	}
	if err := s.store.DeleteTokens(ctx, TokenSetup, ""); err != nil {
		return "", time.Time{}, err
	}
	secret, err := s.issueToken(ctx, Token{Kind: TokenSetup})
	if err != nil {
		return "", time.Time{}, err
	}
	return s.link("/setup/" + secret), s.now().Add(tokenLifetime[TokenSetup]), nil
}

// CheckSetupLink reports whether a setup link can still be used.
func (s *Service) CheckSetupLink(ctx context.Context, secret string) error {
	_, err := s.store.Token(ctx, TokenSetup, HashToken(secret), s.now())
	return err
}

// NewUser is what a person gives when creating their account.
type NewUser struct {
	Email, Name, Password, Lang string
}

// check normalises the fields and checks them all, returning every
// problem at once.
func (n *NewUser) check() error {
	var fields []apperr.FieldError
	email, err := NormalizeEmail(n.Email)
	fields = append(fields, apperr.FieldsOf(err)...)
	name, err := NormalizeName("name", n.Name)
	fields = append(fields, apperr.FieldsOf(err)...)
	fields = append(fields, apperr.FieldsOf(ValidatePassword(n.Password, email, name))...)
	if err := apperr.InvalidFields(fields...); err != nil {
		return err
	}
	n.Email, n.Name, n.Lang = email, name, string(lang(n.Lang))
	return nil
}

// CompleteSetup creates the first administrator with the setup link's
// secret. It fails once an administrator exists.
func (s *Service) CompleteSetup(ctx context.Context, secret string, n NewUser) (User, error) {
	if err := n.check(); err != nil {
		return User{}, err
	}
	if c, err := s.store.CountGrants(ctx, Admin); err != nil || c > 0 {
		if err == nil {
			err = apperr.Keyed(apperr.Conflict, "has_admin", "the instance already has an administrator")
		}
		return User{}, err
	}
	if _, err := s.store.ConsumeToken(ctx, TokenSetup, HashToken(secret), s.now()); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return User{}, err
	}
	u, err := s.store.CreateUser(ctx, User{Email: n.Email, Name: n.Name, Lang: n.Lang, PasswordHash: hash, EmailVerified: true, CreatedAt: s.now()})
	if err != nil {
		return User{}, err
	}
	if err := s.store.AddGrant(ctx, Grant{UserID: u.ID, Role: Admin, CreatedAt: s.now()}); err != nil {
		return User{}, err
	}
	return u, s.record(ctx, audit.Event{ActorID: u.ID, Action: audit.SetupCompleted, TargetID: u.ID})
}

// CreateAdmin creates an administrator from the command line and returns
// a link with which they set their password. An existing user with the
// address is made an administrator.
func (s *Service) CreateAdmin(ctx context.Context, email, name string) (User, string, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return User{}, "", err
	}
	name, err = NormalizeName("name", name)
	if err != nil {
		return User{}, "", err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if apperr.KindOf(err) == apperr.NotFound {
		u, err = s.store.CreateUser(ctx, User{Email: email, Name: name, Lang: string(i18n.Default), CreatedAt: s.now()})
		if err == nil {
			err = s.record(ctx, audit.Event{Action: audit.UserCreated, TargetID: u.ID, Detail: "command line"})
		}
	}
	if err != nil {
		return User{}, "", err
	}
	if err := s.store.AddGrant(ctx, Grant{UserID: u.ID, Role: Admin, CreatedAt: s.now()}); err != nil {
		return User{}, "", err
	}
	if err := s.record(ctx, audit.Event{Action: audit.RoleGranted, TargetID: u.ID, Detail: string(Admin) + " (command line)"}); err != nil {
		return User{}, "", err
	}
	secret, err := s.issueToken(ctx, Token{Kind: TokenPassword, UserID: u.ID, Email: u.Email})
	if err != nil {
		return User{}, "", err
	}
	return u, s.link("/password/" + secret), nil
}
