package badge

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"vertaa/internal/apperr"
	"vertaa/internal/openbadges"
	"vertaa/internal/statuslist"
)

// statusTTL is how long a status list is served from memory. A revocation
// made by this process shows at once; one made by another instance shows
// within this time.
const statusTTL = 30 * time.Second

// StatusValidity is how long a published status list credential is
// valid: verifiers that cache it fetch it again after that, so a
// revocation reaches them within this time.
const StatusValidity = time.Hour

// MaxStatusLists bounds the list numbers served.
const MaxStatusLists = 100000

// revokedList returns status list number n: the revoked entries.
func (s *Service) revokedList(ctx context.Context, n int) (*statuslist.List, error) {
	if n < 1 || n > MaxStatusLists {
		return nil, notFound("status list")
	}
	now := s.now()
	s.lists.mu.Lock()
	c, ok := s.lists.entries[n]
	forgotten := s.lists.forgotten
	s.lists.mu.Unlock()
	if !ok || now.Sub(c.at) > statusTTL || now.Before(c.at) {
		revoked, err := s.store.RevokedIndexes(ctx, n)
		if err != nil {
			return nil, err
		}
		c = cachedList{revoked: revoked, at: now}
		s.lists.mu.Lock()
		// A revocation made while the list was read may be missing
		// from it: then the list serves this call only.
		if s.lists.forgotten == forgotten {
			if s.lists.entries == nil {
				s.lists.entries = map[int]cachedList{}
			}
			s.lists.entries[n] = c
		}
		s.lists.mu.Unlock()
	}
	list := statuslist.New(ListSize)
	for _, i := range c.revoked {
		if err := list.Set(i); err != nil {
			return nil, fmt.Errorf("status list %d: %w", n, err)
		}
	}
	return list, nil
}

// StatusListCredential returns status list n as a signed VC-JWT, valid
// for StatusValidity.
func (s *Service) StatusListCredential(ctx context.Context, n int) (string, error) {
	list, err := s.revokedList(ctx, n)
	if err != nil {
		return "", err
	}
	at := s.now().Truncate(time.Second)
	return s.keys.SignStatusList(s.site.StatusListCredential(n, list, at, at.Add(StatusValidity)))
}

// revoked reports whether entry index of the status list at listURL is
// set. Only this issuer's lists are read.
func (s *Service) revoked(ctx context.Context, listURL string, index int) (bool, error) {
	rest, ok := strings.CutPrefix(listURL, s.site.StatusListURL(0)[:len(s.site.StatusListURL(0))-1])
	n, err := strconv.Atoi(rest)
	if !ok || err != nil || strconv.Itoa(n) != rest {
		return false, fmt.Errorf("%s is not a status list of this issuer", listURL)
	}
	list, err := s.revokedList(ctx, n)
	if apperr.KindOf(err) == apperr.NotFound {
		return false, fmt.Errorf("this issuer has no status list %s", listURL)
	}
	if err != nil {
		return false, err
	}
	return list.IsSet(index)
}

// Verifier returns a verifier of this issuer's credentials that reads
// revocations from the status lists.
func (s *Service) Verifier() *openbadges.Verifier {
	return &openbadges.Verifier{Keys: s.keys, Site: s.site, Status: s.revoked, Now: s.now}
}
