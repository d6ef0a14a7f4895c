package badge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"

	"vertaa/internal/apperr"
	"vertaa/internal/bake"
	"vertaa/internal/openbadges"
)

// VerifyInput is what someone checking a badge gives: a baked image or a
// file holding a token, or a pasted token or URL; and optionally the
// e-mail address the badge should belong to.
type VerifyInput struct {
	File  []byte
	Text  string
	Email string
}

// Verification is the outcome of checking a badge.
type Verification struct {
	openbadges.Report
	// Source says what was checked: "png", "svg", "jwt", "json" or
	// "url".
	Source string `json:"source"`
	// Version is the Open Badges version found: "3.0" or "2.0".
	Version string `json:"version,omitempty"`
	// AwardURL is the public page of the badge, when it is one of this
	// issuer's and public.
	AwardURL string `json:"award_url,omitempty"`
	// RevocationReason says why the issuer revoked the badge.
	RevocationReason string `json:"revocation_reason,omitempty"`
	award            *Award
}

// Award returns the issuer's record of the verified badge, if found.
func (v Verification) Award() *Award { return v.award }

// The codes of a format failure before there is a token to verify.
var bakeCodes = []struct {
	err  error
	code string
}{
	{bake.ErrTooLarge, "image_too_large"},
	{bake.ErrTruncated, "image_truncated"},
	{bake.ErrTwoCredentials, "image_two_credentials"},
	{bake.ErrNoCredential, "image_no_credential"},
	{bake.ErrUnsupported, "image_unsupported"},
	{bake.ErrBadValue, "image_bad_value"},
	{bake.ErrCorrupt, "image_corrupt"},
	{bake.ErrNotPNG, "not_image"},
	{bake.ErrNotSVG, "not_image"},
}

// failed returns a verification that stopped at the format check.
func failed(source, code, detail string) Verification {
	v := Verification{Source: source}
	v.Checks = []openbadges.Check{{Name: openbadges.CheckFormat, Outcome: openbadges.Failed, Code: code, Detail: detail}}
	for _, n := range []openbadges.CheckName{openbadges.CheckKey, openbadges.CheckSignature, openbadges.CheckClaims,
		openbadges.CheckValidity, openbadges.CheckStatus, openbadges.CheckRecipient} {
		v.Checks = append(v.Checks, openbadges.Check{Name: n, Outcome: openbadges.Skipped, Code: "not_reached"})
	}
	return v
}

// Verify checks a badge given as a baked image, a token or a URL. Only
// this issuer's badges can be verified: a URL of another site is not
// fetched. An Open Badges 2.0 assertion, which is hosted rather than
// signed, is checked through the issuer's record of the award and its
// signed 3.0 credential. The error is for a failure of the service
// itself; what is wrong with the badge is in the checks.
func (s *Service) Verify(ctx context.Context, in VerifyInput) (Verification, error) {
	source, value, kind := "jwt", strings.TrimSpace(in.Text), bake.V3
	if len(in.File) > 0 {
		var err error
		switch {
		case bytes.HasPrefix(in.File, []byte("\x89PNG")):
			source = "png"
			value, kind, err = bake.ExtractPNG(in.File)
		case looksLikeXML(in.File):
			source = "svg"
			value, kind, err = bake.ExtractSVG(in.File)
		default:
			value = strings.TrimSpace(string(in.File))
		}
		if err != nil {
			for _, bc := range bakeCodes {
				if errors.Is(err, bc.err) {
					return failed(source, bc.code, err.Error()), nil
				}
			}
			return failed(source, "image_corrupt", err.Error()), nil
		}
	}
	if value == "" {
		return failed(source, "empty", "nothing to verify"), nil
	}
	version := "3.0"
	if kind == bake.V2 {
		version = "2.0"
	}
	if strings.HasPrefix(value, "{") {
		// A JSON credential or assertion: its id names the award.
		if source == "jwt" {
			source = "json"
		}
		var doc struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal([]byte(value), &doc); err != nil || doc.ID == "" {
			return failed(source, "json_without_id", "the JSON has no id to look the badge up by"), nil
		}
		value = doc.ID
	}
	if strings.HasPrefix(value, "http://") || strings.HasPrefix(value, "https://") {
		if source == "jwt" {
			source = "url"
		}
		a, ok, err := s.awardOfURL(ctx, value)
		if err != nil {
			return Verification{}, err
		}
		if !ok {
			return failed(source, "url_unknown", value+" is not a public badge of this issuer ("+s.site.Base+")"), nil
		}
		if a.Credential == "" {
			// Its earner was erased (see ErasePerson): it is revoked, and
			// no credential is left to check.
			v := failed(source, "erased", "the badge was revoked when its earner's personal data was erased")
			v.award, v.AwardURL, v.RevocationReason = &a, s.site.Award(a.ID), a.RevokeReason
			return v, nil
		}
		if strings.HasPrefix(value, s.site.V2AssertionURL("")) {
			version = "2.0"
		}
		value = a.Credential
	}
	v := Verification{Report: s.Verifier().Verify(ctx, value, in.Email), Source: source, Version: version}
	if v.Check(openbadges.CheckSignature).Outcome == openbadges.Passed {
		var doc struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(v.Credential, &doc)
		if a, ok, err := s.awardOfURL(ctx, doc.ID); err != nil {
			return Verification{}, err
		} else if ok {
			v.award, v.AwardURL = &a, s.site.Award(a.ID)
			if a.State == Revoked {
				v.RevocationReason = a.RevokeReason
			}
		}
	}
	return v, nil
}

// awardOfURL returns the public award that a URL of this site names: its
// page, one of its downloads or its 2.0 assertion.
func (s *Service) awardOfURL(ctx context.Context, u string) (Award, bool, error) {
	var id string
	for _, prefix := range []string{s.site.Award(""), s.site.V2AssertionURL("")} {
		if rest, ok := strings.CutPrefix(u, prefix); ok {
			id, _, _ = strings.Cut(rest, "/")
			id, _, _ = strings.Cut(id, "#")
			id, _, _ = strings.Cut(id, "?")
		}
	}
	if id == "" {
		return Award{}, false, nil
	}
	a, _, err := s.Public(ctx, id)
	if apperr.KindOf(err) == apperr.NotFound {
		return Award{}, false, nil
	}
	return a, err == nil, err
}

// looksLikeXML reports whether data starts, after white space and a byte
// order mark, with "<".
func looksLikeXML(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '<'
}
