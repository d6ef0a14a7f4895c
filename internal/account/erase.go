package account

import (
	"context"
	"slices"
	"strings"

	"vertaa/internal/apperr"
	"vertaa/internal/audit"
)

// PersonalData is a part of the service that keeps personal data of its
// own about people, such as answers or badges. Erase asks each part to
// erase what it keeps of the person. ErasePerson must finish the job when
// called again after a failure midway, and may rely on the user document
// only until it succeeds: the document goes last.
type PersonalData interface {
	ErasePerson(ctx context.Context, p *Principal, u User) error
}

// Erase erases a person at an administrator's order (the right to
// erasure): their account and everything kept of them, in this service
// and in each of parts. confirmEmail is the person's address as the
// administrator typed it, to confirm whom they erase. Nobody erases
// themselves, nor the last administrator.
//
// There are no transactions on the embedded store, so the steps are
// ordered for a retry: the account is disabled and its sessions ended
// first, so that the person starts nothing new meanwhile; the user
// document, through which the administrator finds the person again, goes
// last. After a failure midway, erasing again finishes the job; a failure
// between the audit event and the last step leaves two events for one
// erasure.
func (s *Service) Erase(ctx context.Context, p *Principal, userID, confirmEmail string, parts ...PersonalData) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	if userID == p.User.ID {
		return apperr.Keyed(apperr.Conflict, "erase_self", "you cannot erase your own account")
	}
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return err
	}
	switch typed := strings.TrimSpace(confirmEmail); {
	case typed == "":
		return apperr.InvalidFields(FieldError("email", "email.required"))
	case EmailKey(typed) != EmailKey(u.Email):
		return apperr.InvalidFields(FieldError("email", "email.mismatch"))
	}
	grants, err := s.store.Grants(ctx, u.ID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(grants, func(g Grant) bool { return g.Role == Admin }) {
		if n, err := s.store.CountGrants(ctx, Admin); err != nil || n <= 1 {
			if err == nil {
				err = apperr.Keyed(apperr.Conflict, "last_admin", "the last administrator cannot be erased")
			}
			return err
		}
	}
	if err := s.store.SetDisabled(ctx, u.ID, true); err != nil {
		return err
	}
	if err := s.store.DeleteSessions(ctx, u.ID); err != nil {
		return err
	}
	for _, part := range parts {
		if err := part.ErasePerson(ctx, p, u); err != nil {
			return err
		}
	}
	if err := s.store.EraseAccount(ctx, u); err != nil {
		return err
	}
	// The event names the administrator only: nothing of the person.
	if err := s.record(ctx, audit.Event{ActorID: p.User.ID, Action: audit.UserErased}); err != nil {
		return err
	}
	return s.store.DeleteUser(ctx, u.ID)
}
