package webapp

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/apperr"
	"vertaa/internal/badge"
	"vertaa/internal/bake"
	"vertaa/internal/i18n"
	"vertaa/internal/openbadges"
)

// Media types of the badge documents.
const (
	mimeLDJSON = "application/ld+json"
	mimeVCJWT  = "application/vc+jwt"
	mimeJWK    = "application/jwk+json"
	mimeJWKS   = "application/jwk-set+json"
	mimeSVG    = "image/svg+xml"
	mimePNG    = "image/png"
)

// wantsJSON reports whether the client prefers JSON (or JSON-LD) to HTML.
func wantsJSON(c *fiber.Ctx) bool {
	switch c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON, mimeLDJSON) {
	case fiber.MIMEApplicationJSON, mimeLDJSON:
		return true
	}
	return false
}

// sendJSONLD writes a JSON-LD document: as application/ld+json to a client
// that asks for it, as application/json otherwise.
func sendJSONLD(c *fiber.Ctx, status int, doc any) error {
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	ct := fiber.MIMEApplicationJSONCharsetUTF8
	if c.Accepts(fiber.MIMEApplicationJSON, mimeLDJSON) == mimeLDJSON {
		ct = mimeLDJSON
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderVary, fiber.HeaderAccept)
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return c.Status(status).Send(b)
}

// publicDoc marks a document anyone may fetch and cache for a while.
func publicDoc(c *fiber.Ctx, maxAge time.Duration) {
	c.Set(fiber.HeaderCacheControl, "public, max-age="+strconv.Itoa(int(maxAge.Seconds())))
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
}

// classLang is the language a class is shown in to the viewer.
func classLang(cl *badge.Class, l i18n.Lang) string {
	for _, x := range cl.Languages {
		if x == string(l) {
			return x
		}
	}
	return cl.DefaultLanguage
}

func (a *app) class(c *fiber.Ctx) (*badge.Class, error) {
	cl, ok := a.badges.Classes().Get(c.Params("class"))
	if !ok {
		return nil, apperr.New(apperr.NotFound, "no such badge")
	}
	return cl, nil
}

// classView is what the pages show of a badge class.
type classView struct {
	ID, Name, Description, Criteria, Kind, Prompt string
	Tags                                          []string
	TagsLang                                      string // the tags are in the class's default language
	Alignments                                    []openbadges.Alignment
	Requires                                      []classLink
	ValidMonths                                   int
	Rules                                         []string
}

type classLink struct{ ID, Name string }

func (a *app) classView(cl *badge.Class, l i18n.Lang) classView {
	tl := classLang(cl, l)
	v := classView{ID: cl.ID, Name: cl.NameIn(tl), Description: cl.Description.In(tl, cl.DefaultLanguage),
		Criteria: cl.Criteria.In(tl, cl.DefaultLanguage), Kind: string(cl.Earn.Kind), Tags: cl.Tags, TagsLang: cl.DefaultLanguage,
		ValidMonths: cl.ValidMonths, Prompt: cl.Earn.EvidencePrompt.In(tl, cl.DefaultLanguage)}
	for _, al := range cl.Alignments {
		v.Alignments = append(v.Alignments, openbadges.Alignment{TargetName: al.TargetName.In(tl, cl.DefaultLanguage),
			TargetURL: al.TargetURL, TargetFramework: al.TargetFramework, TargetCode: al.TargetCode})
	}
	for _, id := range cl.Earn.Requires {
		if rc, ok := a.badges.Classes().Get(id); ok {
			v.Requires = append(v.Requires, classLink{ID: id, Name: rc.NameIn(classLang(rc, l))})
		}
	}
	return v
}

// badgeCatalog lists the badge classes.
func (a *app) badgeCatalog(c *fiber.Ctx) error {
	l := langOf(c)
	var vs []classView
	for _, cl := range a.badges.Classes().All() {
		vs = append(vs, a.classView(cl, l))
	}
	return a.render(c, fiber.StatusOK, "badges", a.texts.T(l, "badges.title"), vs)
}

// badgeClass shows a badge class, or returns its Open Badges 3.0
// Achievement to a client that asks for JSON.
func (a *app) badgeClass(c *fiber.Ctx) error {
	cl, err := a.class(c)
	if err != nil {
		return err
	}
	l := langOf(c)
	if wantsJSON(c) {
		b, err := a.badges.Describe(c.UserContext(), cl, classLang(cl, l), "")
		if err != nil {
			return err
		}
		publicDoc(c, time.Hour)
		doc := struct {
			Context []string `json:"@context"`
			openbadges.Achievement
		}{openbadges.Contexts, a.badges.Site().Achievement(b, a.badges.Issuer())}
		return sendJSONLD(c, fiber.StatusOK, doc)
	}
	return a.render(c, fiber.StatusOK, "badge_class", a.classView(cl, l).Name, a.classView(cl, l))
}

// badgeImage returns a class's artwork.
func (a *app) badgeImage(c *fiber.Ctx) error {
	cl, err := a.class(c)
	if err != nil {
		return err
	}
	ext := c.Params("ext")
	img, ok := a.badges.Classes().Image(cl, ext)
	if !ok || (ext != "svg" && ext != "png") {
		return apperr.New(apperr.NotFound, "no such image")
	}
	publicDoc(c, 24*time.Hour)
	c.Set(fiber.HeaderContentType, map[string]string{"svg": mimeSVG, "png": mimePNG}[ext])
	return c.Send(img)
}

// issuerProfile returns the Open Badges 3.0 issuer Profile.
func (a *app) issuerProfile(c *fiber.Ctx) error {
	iss, site := a.badges.Issuer(), a.badges.Site()
	publicDoc(c, time.Hour)
	return sendJSONLD(c, fiber.StatusOK, struct {
		Context []string `json:"@context"`
		openbadges.Profile
	}{openbadges.Contexts[:2], openbadges.Profile{ID: site.Issuer(), Type: []string{"Profile"}, Name: iss.Name, URL: iss.URL, Email: iss.Email}})
}

// jwks lists every published key, current and retired.
func (a *app) jwks(c *fiber.Ctx) error {
	publicDoc(c, 10*time.Minute)
	c.Set(fiber.HeaderContentType, mimeJWKS)
	b, err := json.Marshal(struct {
		Keys []openbadges.JWK `json:"keys"`
	}{a.badges.Keys().JWKS()})
	if err != nil {
		return err
	}
	return c.Send(b)
}

// badgeKey returns one public key as a bare JWK: what a credential's kid
// URL names.
func (a *app) badgeKey(c *fiber.Ctx) error {
	k, ok := a.badges.Keys().JWK(c.Params("kid"))
	if !ok {
		if err := a.badges.Keys().Reload(c.UserContext()); err != nil {
			return err
		}
		if k, ok = a.badges.Keys().JWK(c.Params("kid")); !ok {
			return apperr.New(apperr.NotFound, "no such key")
		}
	}
	publicDoc(c, time.Hour)
	b, err := json.Marshal(k)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, mimeJWK)
	return c.Send(b)
}

// statusList returns a signed status list credential.
func (a *app) statusList(c *fiber.Ctx) error {
	n, err := strconv.Atoi(c.Params("list"))
	if err != nil {
		return apperr.New(apperr.NotFound, "no such status list")
	}
	signed, err := a.badges.StatusListCredential(c.UserContext(), n)
	if err != nil {
		return err
	}
	publicDoc(c, time.Minute)
	c.Set(fiber.HeaderContentType, mimeVCJWT)
	return c.SendString(signed)
}

// publicAward loads an award for its public page and downloads.
func (a *app) publicAward(c *fiber.Ctx) (badge.Award, *badge.Class, error) {
	return a.badges.Public(c.UserContext(), c.Params("award"))
}

// awardView is what the public page shows of an award.
type awardView struct {
	ID, URL, ClassID, Name, Description, Criteria string
	Earner                                        string
	IssuedOn, ValidUntil                          time.Time
	Level                                         string
	Evidence                                      []badge.Evidence
	Alignments                                    []openbadges.Alignment
	Revoked                                       bool
	RevokedOn                                     time.Time
	RevokeReason                                  string
	Expired                                       bool
	Verification                                  badge.Verification
	LinkedIn                                      string
	IssuerName                                    string
	Own                                           bool
}

// credentialJSON returns the credential of a signed award: the JWT's
// payload without the registered claims.
func credentialJSON(token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("stored credential is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for _, k := range []string{"iss", "sub", "jti", "nbf", "exp", "iat"} {
		delete(m, k)
	}
	return m, nil
}

// award shows an accepted badge to anyone, with its verification status
// computed now; a client asking for JSON gets the credential. A revoked
// badge answers 410 Gone.
func (a *app) award(c *fiber.Ctx) error {
	aw, cl, err := a.publicAward(c)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if aw.State == badge.Revoked {
		status = fiber.StatusGone
	}
	c.Set(fiber.HeaderVary, fiber.HeaderAccept)
	if wantsJSON(c) {
		if aw.State == badge.Revoked {
			return sendJSONLD(c, status, struct {
				ID      string `json:"id"`
				Revoked bool   `json:"revoked"`
				Reason  string `json:"revocationReason,omitempty"`
			}{a.badges.Site().Award(aw.ID), true, aw.RevokeReason})
		}
		doc, err := credentialJSON(aw.Credential)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return sendJSONLD(c, status, doc)
	}
	v, err := a.awardView(c, aw, cl)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return a.render(c, status, "award", v.Name, v)
}

func (a *app) awardView(c *fiber.Ctx, aw badge.Award, cl *badge.Class) (awardView, error) {
	ctx, l := c.UserContext(), langOf(c)
	tl := classLang(cl, l)
	site := a.badges.Site()
	ver, err := a.badges.Verify(ctx, badge.VerifyInput{Text: aw.Credential})
	if err != nil {
		return awardView{}, err
	}
	v := awardView{ID: aw.ID, URL: site.Award(aw.ID), ClassID: cl.ID, Name: cl.NameIn(tl),
		Description: cl.Description.In(tl, cl.DefaultLanguage), Criteria: cl.Criteria.In(tl, cl.DefaultLanguage),
		Earner: aw.Name, IssuedOn: aw.AcceptedAt, ValidUntil: aw.ValidUntil, Revoked: aw.State == badge.Revoked,
		RevokedOn: aw.RevokedAt, RevokeReason: aw.RevokeReason, Expired: aw.Expired(a.badges.Now()),
		Verification: ver, IssuerName: a.badges.Issuer().Name}
	if p := principalOf(c); p != nil && p.User.ID == aw.UserID {
		v.Own = true
	}
	for _, e := range aw.Evidence {
		if e.Public {
			v.Evidence = append(v.Evidence, e)
		}
	}
	b, err := a.badges.Describe(ctx, cl, tl, aw.QuestionnaireHash)
	if err != nil {
		return awardView{}, err
	}
	v.Alignments = b.Alignments
	for _, lv := range b.Levels {
		if lv.ID == aw.Level {
			v.Level = lv.Name
		}
	}
	v.LinkedIn = linkedInURL(v.Name, v.IssuerName, v.URL, aw)
	return v, nil
}

// linkedInURL is the link that adds a badge to the earner's LinkedIn
// profile as a licence or certification.
func linkedInURL(name, issuer, badgeURL string, aw badge.Award) string {
	q := url.Values{}
	q.Set("startTask", "CERTIFICATION_NAME")
	q.Set("name", name)
	q.Set("organizationName", issuer)
	q.Set("issueYear", strconv.Itoa(aw.AcceptedAt.Year()))
	q.Set("issueMonth", strconv.Itoa(int(aw.AcceptedAt.Month())))
	if !aw.ValidUntil.IsZero() {
		q.Set("expirationYear", strconv.Itoa(aw.ValidUntil.Year()))
		q.Set("expirationMonth", strconv.Itoa(int(aw.ValidUntil.Month())))
	}
	q.Set("certUrl", badgeURL)
	q.Set("certId", aw.ID)
	return "https://www.linkedin.com/profile/add?" + q.Encode()
}

// awardDownload sends a baked image, the JWT or the JSON of an award.
func (a *app) awardDownload(c *fiber.Ctx) error {
	aw, cl, err := a.publicAward(c)
	if err != nil {
		return err
	}
	if aw.State == badge.Revoked {
		return apperr.Keyed(apperr.NotFound, "badge.revoked", "this badge has been revoked")
	}
	file := c.Params("file")
	var body []byte
	var ct string
	switch file {
	case "badge.png", "badge.svg":
		ext := strings.TrimPrefix(file, "badge.")
		img, _ := a.badges.Classes().Image(cl, ext)
		if ext == "png" {
			body, err = bake.BakePNG(img, bake.V3, aw.Credential)
		} else {
			body, err = bake.BakeSVG(img, bake.V3, aw.Credential)
		}
		ct = map[string]string{"png": mimePNG, "svg": mimeSVG}[ext]
	case "badge-v2.png":
		var assertion []byte
		if assertion, err = json.Marshal(a.badges.Site().V2Assertion(badge.DocAward(aw), cl.ID)); err == nil {
			img, _ := a.badges.Classes().Image(cl, "png")
			body, err = bake.BakePNG(img, bake.V2, string(assertion))
		}
		ct = mimePNG
	case "credential.jwt":
		body, ct = []byte(aw.Credential), mimeVCJWT
	case "credential.json":
		var doc map[string]any
		if doc, err = credentialJSON(aw.Credential); err == nil {
			body, err = json.MarshalIndent(doc, "", "  ")
		}
		ct = mimeLDJSON
	default:
		return apperr.New(apperr.NotFound, "no such download")
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+cl.ID+"-"+file+`"`)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(body)
}

// Open Badges 2.0 documents.

func (a *app) v2Issuer(c *fiber.Ctx) error {
	k := a.badges.Keys()
	var ids []string
	for _, j := range k.JWKS() {
		ids = append(ids, k.KeyIDFromURL(j.Kid))
	}
	publicDoc(c, time.Hour)
	return sendJSONLD(c, fiber.StatusOK, a.badges.Site().V2IssuerProfile(a.badges.Issuer(), ids))
}

func (a *app) v2Class(c *fiber.Ctx) error {
	cl, err := a.class(c)
	if err != nil {
		return err
	}
	b, err := a.badges.Describe(c.UserContext(), cl, classLang(cl, langOf(c)), "")
	if err != nil {
		return err
	}
	publicDoc(c, time.Hour)
	return sendJSONLD(c, fiber.StatusOK, a.badges.Site().V2BadgeClass(b))
}

// v2Assertion returns the hosted assertion of an award, or 410 Gone with
// revoked: true once it is revoked.
func (a *app) v2Assertion(c *fiber.Ctx) error {
	aw, _, err := a.publicAward(c)
	if err != nil {
		return err
	}
	site := a.badges.Site()
	c.Set(fiber.HeaderCacheControl, "no-cache")
	if aw.State == badge.Revoked {
		return sendJSONLD(c, fiber.StatusGone, site.V2RevokedAssertion(aw.ID, aw.RevokeReason))
	}
	return sendJSONLD(c, fiber.StatusOK, site.V2Assertion(badge.DocAward(aw), aw.ClassID))
}

func (a *app) v2Key(c *fiber.Ctx) error {
	pem, ok := a.badges.Keys().PEM(c.Params("kid"))
	if !ok {
		return apperr.New(apperr.NotFound, "no such key")
	}
	publicDoc(c, time.Hour)
	return sendJSONLD(c, fiber.StatusOK, a.badges.Site().V2KeyDoc(c.Params("kid"), pem))
}

func (a *app) v2Revocations(c *fiber.Ctx) error {
	revoked, err := a.badges.Revoked(c.UserContext())
	if err != nil {
		return err
	}
	var list []openbadges.V2Revoked
	for _, aw := range revoked {
		list = append(list, openbadges.V2Revoked{ID: a.badges.Site().V2AssertionURL(aw.ID), Reason: aw.RevokeReason})
	}
	publicDoc(c, time.Minute)
	return sendJSONLD(c, fiber.StatusOK, a.badges.Site().V2RevocationList(list))
}
