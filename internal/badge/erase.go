package badge

import (
	"context"
	"strings"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
)

// ErasePerson erases what the badges keep of a person, at an
// administrator's order (see account.Service.Erase).
//
//   - Each badge they accepted is revoked through its status list, as
//     Revoke does, so that a verifier holding a copy sees it revoked; its
//     award keeps only what that needs: its id (in the badge's URL),
//     class, level, dates and status entry, and a reason saying why. The
//     name, address, salt, subject id, evidence and the signed credential
//     go: the public page then shows a revoked badge of nobody.
//   - Their other awards, never public, and their applications, with
//     their evidence, are deleted.
//   - Their decisions on other people's applications stay, as the
//     applicant's record of the review and what counted towards the
//     badge, but without their name or id (see eraseReviewer).
//   - Awards they revoked no longer name them as the revoker.
//
// Each step removes what the next one finds the person by only after, so
// that running it again after a failure midway finishes the job.
func (s *Service) ErasePerson(ctx context.Context, p *account.Principal, u account.User) error {
	if !p.IsAdmin() {
		return notFound("page")
	}
	awards, err := s.store.Awards(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, a := range awards {
		if a.AcceptedAt.IsZero() {
			continue // never public: deleted below
		}
		kept := Award{ID: a.ID, ClassID: a.ClassID, State: Revoked, Level: a.Level, QuestionnaireHash: a.QuestionnaireHash,
			OfferedAt: a.OfferedAt, AcceptedAt: a.AcceptedAt, ValidUntil: a.ValidUntil,
			StatusList: a.StatusList, StatusIndex: a.StatusIndex, RevokedAt: a.RevokedAt,
			RevokeReason: s.texts.T(lang(a.Lang), "badge.erased_reason"), Revision: a.Revision}
		if kept.RevokedAt.IsZero() {
			kept.RevokedAt = s.now()
		}
		if _, err := s.store.UpdateAward(ctx, kept); err != nil {
			return err
		}
		s.lists.forget(a.StatusList)
	}
	if err := s.store.DeleteEarnerRecords(ctx, u.ID); err != nil {
		return err
	}
	if err := s.eraseReviewer(ctx, u.ID); err != nil {
		return err
	}
	revoked, err := s.store.AwardsRevokedBy(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, a := range revoked {
		a.RevokedBy = ""
		if _, err := s.store.UpdateAward(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// eraseReviewer takes a reviewer's id and name out of their decisions on
// other people's applications. Approvals are counted by distinct
// reviewer, so the id becomes a pseudonym, one per erasure, rather than
// nothing. An approved application's award names its approvers in its
// evidence: while it waits for its earner, that name is replaced too,
// before the application, so that running this again still finds the
// award through the application.
func (s *Service) eraseReviewer(ctx context.Context, reviewerID string) error {
	apps, err := s.store.ApplicationsReviewedBy(ctx, reviewerID)
	if err != nil {
		return err
	}
	pseudonym := "erased-" + newID()
	for _, a := range apps {
		var names []string
		for i, d := range a.Decisions {
			if d.ReviewerID != reviewerID {
				continue
			}
			if d.ReviewerName != "" {
				names = append(names, d.ReviewerName)
			}
			a.Decisions[i].ReviewerID, a.Decisions[i].ReviewerName = pseudonym, ""
		}
		if a.AwardID != "" {
			if err := s.unnameApprover(ctx, a.AwardID, names); err != nil {
				return err
			}
		}
		if _, err := s.store.UpdateApplication(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// unnameApprover replaces an approver's names in the evidence of an
// award that is not signed yet. An accepted badge keeps them: its signed
// credential, which its earner holds and may have shared, says the same,
// and our copy must not disagree with it (docs/privacy.md).
func (s *Service) unnameApprover(ctx context.Context, awardID string, names []string) error {
	a, err := s.store.Award(ctx, awardID)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil // the approval's offer was never made
	}
	if err != nil {
		return err
	}
	if a.State != Offered && a.State != Declined {
		return nil
	}
	earner, err := s.store.User(ctx, a.UserID)
	if err != nil {
		return err
	}
	placeholder := s.texts.T(lang(earner.Lang), "review.erased_reviewer")
	changed := false
	for i := range a.Evidence {
		for _, n := range names {
			if strings.Contains(a.Evidence[i].Narrative, n) {
				a.Evidence[i].Narrative, changed = strings.ReplaceAll(a.Evidence[i].Narrative, n, placeholder), true
			}
		}
	}
	if !changed {
		return nil
	}
	_, err = s.store.UpdateAward(ctx, a)
	return err
}
