package webapp_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"vertaa/internal/badge"
	"vertaa/internal/bake"
	"vertaa/internal/mail"
	"vertaa/internal/openbadges/obtest"
	"vertaa/internal/statuslist"
)

// submitPersonal answers every item of a personal assessment with v and
// submits it; it returns where the submit led.
func submitPersonal(t *testing.T, c *client, w *world, qID, v string) string {
	t.Helper()
	q := w.questionnaire(t, qID)
	resp, _ := c.post("/assess/start", url.Values{"questionnaire": {qID}})
	m := draftURL.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("start: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	base := "/assess/" + m[1] + "/"
	for page := 1; page <= len(q.Areas); page++ {
		if resp, body := c.post(base+fmt.Sprint(page), pageForm(q, page, v)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save page %d: %d\n%s", page, resp.StatusCode, body)
		}
	}
	resp, body := c.post(base+"submit", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d\n%s", resp.StatusCode, body)
	}
	return resp.Header.Get("Location")
}

// offeredAwards returns the ids of the awards on offer to the client's
// user, as listed on My badges.
func offeredAwards(t *testing.T, c *client) []string {
	t.Helper()
	_, body := c.get("/me/badges")
	var ids []string
	for _, m := range awardLink.FindAllStringSubmatch(body, -1) {
		if a, err := c.app.db.Award(context.Background(), m[1]); err == nil && a.State == badge.Offered {
			ids = append(ids, m[1])
		}
	}
	return ids
}

var awardLink = regexp.MustCompile(`href="/me/badges/([a-z0-9]+)"`)

// serve runs the world's app on a real port, with its public URL there.
func serveWorld(t *testing.T) (*world, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	w := newWorld(t, withPublicURL(base))
	go w.app.Listener(ln)
	t.Cleanup(func() { _ = w.app.Shutdown() })
	return w, base
}

func httpGet(t *testing.T, u string, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// verifyIndependently checks a VC-JWT the way an outside verifier would:
// it fetches the key named by the header's kid over HTTP from the running
// app and checks the ES256 signature with golang-jwt and the standard
// library only.
func verifyIndependently(t *testing.T, token, base string) map[string]any {
	t.Helper()
	var kid string
	claims := jwt.MapClaims{}
	parsed, err := jwt.ParseWithClaims(token, claims, func(tok *jwt.Token) (any, error) {
		kid, _ = tok.Header["kid"].(string)
		if !strings.HasPrefix(kid, base+"/badges/keys/") {
			return nil, fmt.Errorf("kid %q is not a key URL of the issuer", kid)
		}
		resp, body := httpGet(t, kid, "")
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "jwk+json") {
			return nil, fmt.Errorf("GET %s: %d %s", kid, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var jwk struct{ Kty, Crv, X, Y string }
		if err := json.Unmarshal(body, &jwk); err != nil || jwk.Kty != "EC" || jwk.Crv != "P-256" {
			return nil, fmt.Errorf("not a P-256 JWK: %s", body)
		}
		x, _ := base64.RawURLEncoding.DecodeString(jwk.X)
		y, _ := base64.RawURLEncoding.DecodeString(jwk.Y)
		return &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}, nil
	}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(base+"/badges/issuer"))
	if err != nil || !parsed.Valid {
		t.Fatalf("independent verification failed: %v", err)
	}
	// The kid is listed in the JWKS too.
	if _, body := httpGet(t, base+"/.well-known/jwks.json", ""); !strings.Contains(string(body), kid) {
		t.Fatalf("the JWKS does not list %s: %s", kid, body)
	}
	return claims
}

// checkCredential validates the credential inside a token against the
// Open Badges 3.0 schema and returns it.
func checkCredential(t *testing.T, token string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"iss", "sub", "jti", "nbf", "exp"} {
		delete(m, k)
	}
	doc, _ := json.Marshal(m)
	obtest.ValidateCredential(t, doc)
	return m
}

func apiVerify(t *testing.T, base string, body map[string]string) badgeReport {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(base+"/api/verify", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r badgeReport
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 {
		t.Fatalf("POST /api/verify: %d %v", resp.StatusCode, err)
	}
	return r
}

type badgeReport struct {
	Valid  bool   `json:"valid"`
	Source string `json:"source"`
	Checks []struct {
		Check, Outcome, Code, Detail, Text string
	} `json:"checks"`
	RevocationReason string `json:"revocation_reason"`
}

func (r badgeReport) check(name string) (outcome, code string) {
	for _, c := range r.Checks {
		if c.Check == name {
			return c.Outcome, c.Code
		}
	}
	return "", ""
}

// TestAutomaticBadgeLifecycle follows an assessment badge from the
// submitted self-assessment to its offer, acceptance, public page,
// downloads, verification in every form, and revocation.
func TestAutomaticBadgeLifecycle(t *testing.T) {
	w, base := serveWorld(t)
	ctx := context.Background()
	c := w.as(t, w.leader)

	// Answering 2 everywhere earns nothing.
	if loc := submitPersonal(t, c, w, "johtamisosaaminen", "2"); !strings.HasSuffix(loc, "notice=submitted") {
		t.Fatalf("a low result led to %s", loc)
	}
	if ids := offeredAwards(t, c); len(ids) != 0 {
		t.Fatalf("offered %v for a low result", ids)
	}
	// Answering 5 everywhere earns every area badge of the questionnaire.
	if loc := submitPersonal(t, c, w, "johtamisosaaminen", "5"); !strings.HasSuffix(loc, "notice=submitted_badge") {
		t.Fatalf("a top result led to %s", loc)
	}
	offered := offeredAwards(t, c)
	var areaBadges []string
	for _, cl := range w.app.badges.Classes().All() {
		if cl.Earn.Kind == badge.Automatic && cl.Earn.Questionnaire == "johtamisosaaminen" {
			areaBadges = append(areaBadges, cl.ID)
		}
	}
	if len(offered) != len(areaBadges) || len(areaBadges) < 7 {
		t.Fatalf("offered %d badges, want the %d area badges", len(offered), len(areaBadges))
	}
	// One e-mail tells the earner of all of them.
	msgs, _ := w.app.db.RecentMail(ctx, 50)
	var offerMails []mail.Message
	for _, m := range msgs {
		if m.To == w.leader.Email && strings.Contains(m.Text, base+"/me/badges\n") {
			offerMails = append(offerMails, m)
		}
	}
	if len(offerMails) != 1 || strings.Count(offerMails[0].Text, "\n- ") != len(areaBadges) {
		t.Fatalf("%d e-mails about the offers, want one listing %d badges: %+v", len(offerMails), len(areaBadges), offerMails)
	}
	// An offered badge is not public.
	id := offered[0]
	if resp, _ := httpGet(t, base+"/badges/awards/"+id, ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an offered badge is public: %d", resp.StatusCode)
	}
	// Another user cannot accept it.
	if resp, _ := w.as(t, w.hrA).post("/me/badges/"+id+"/accept", url.Values{"name": {"Hanna"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("someone else accepting: %d", resp.StatusCode)
	}

	// Accept with a chosen name, showing the first piece of evidence only.
	resp, body := c.get("/me/badges/" + id)
	if resp.StatusCode != 200 || !strings.Contains(body, `name="evidence-0"`) {
		t.Fatalf("offer page: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = c.post("/me/badges/"+id+"/accept", url.Values{"name": {"Šárka Ä."}, "evidence-0": {"on"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	if resp, _ := c.post("/me/badges/"+id+"/accept", url.Values{"name": {"x"}}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("accepting twice: %d", resp.StatusCode)
	}

	// The public page, for anyone.
	resp, page := httpGet(t, base+"/badges/awards/"+id, "text/html")
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Šárka Ä.") || strings.Contains(string(page), "linkedin.com/profile/add") {
		t.Fatalf("public page: %d", resp.StatusCode)
	}
	if strings.Contains(string(page), w.leader.Email) {
		t.Fatal("the public page shows the e-mail address")
	}
	// The same URL gives the credential to a JSON client.
	resp, raw := httpGet(t, base+"/badges/awards/"+id, "application/ld+json")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/ld+json" {
		t.Fatalf("JSON: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	obtest.ValidateCredential(t, raw)

	// The JWT download: schema-valid, and verified independently.
	resp, tok := httpGet(t, base+"/badges/awards/"+id+"/credential.jwt", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vc+jwt" {
		t.Fatalf("JWT download: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	token := string(tok)
	cred := checkCredential(t, token)
	claims := verifyIndependently(t, token, base)
	if claims["jti"] != base+"/badges/awards/"+id || claims["sub"] != cred["credentialSubject"].(map[string]any)["id"] {
		t.Fatalf("claims %v do not repeat the credential", claims)
	}
	subject := cred["credentialSubject"].(map[string]any)
	if subject["name"] != "Šárka Ä." || len(cred["evidence"].([]any)) != 1 {
		t.Fatalf("subject %v, evidence %v: the chosen name and only the chosen evidence", subject["name"], cred["evidence"])
	}
	if subject["result"] == nil || !strings.Contains(fmt.Sprint(subject["result"]), "#level-edellakavija") {
		t.Fatalf("the result does not name the level reached: %v", subject["result"])
	}

	// The baked PNG and SVG hold the same token.
	for _, f := range []string{"badge.png", "badge.svg"} {
		resp, img := httpGet(t, base+"/badges/awards/"+id+"/"+f, "")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", f, resp.StatusCode)
		}
		extract := bake.ExtractPNG
		if f == "badge.svg" {
			extract = bake.ExtractSVG
		}
		got, kind, err := extract(img)
		if err != nil || kind != bake.V3 || got != token {
			t.Fatalf("%s: %v, kind %v, same token %v", f, err, kind, got == token)
		}
	}
	// The 2.0 image holds the hosted assertion, which its URL serves.
	_, img := httpGet(t, base+"/badges/awards/"+id+"/badge-v2.png", "")
	v2, kind, err := bake.ExtractPNG(img)
	if err != nil || kind != bake.V2 {
		t.Fatalf("2.0 image: %v %v", err, kind)
	}
	var assertion struct {
		ID, Type, Badge string
		Recipient       struct{ Identity, Salt string }
	}
	_ = json.Unmarshal([]byte(v2), &assertion)
	resp, served := httpGet(t, assertion.ID, "application/ld+json")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/ld+json" || !strings.Contains(string(served), `"hosted"`) {
		t.Fatalf("2.0 assertion: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), served)
	}
	for _, u := range []string{assertion.Badge, base + "/badges/v2/issuer", base + "/badges/v2/revocations"} {
		if resp, _ := httpGet(t, u, "application/ld+json"); resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
	}

	// Verification by token, URL, image upload, with and without the
	// right e-mail address.
	if r := apiVerify(t, base, map[string]string{"credential": token, "email": strings.ToUpper(w.leader.Email)}); !r.Valid {
		t.Fatalf("token: %+v", r)
	}
	if r := apiVerify(t, base, map[string]string{"credential": base + "/badges/awards/" + id}); !r.Valid || r.Source != "url" {
		t.Fatalf("URL: %+v", r)
	}
	if r := apiVerify(t, base, map[string]string{"credential": assertion.ID}); !r.Valid {
		t.Fatalf("2.0 assertion URL: %+v", r)
	}
	if r := apiVerify(t, base, map[string]string{"credential": token, "email": "someone@else.fi"}); r.Valid {
		t.Fatal("valid for another recipient")
	} else if o, code := r.check("recipient"); o != "failed" || code != "email_mismatch" {
		t.Fatalf("recipient check: %s %s", o, code)
	}
	_, png := httpGet(t, base+"/badges/awards/"+id+"/badge.png", "")
	resp, body = c.uploadWith("/verify", "file", "badge.png", string(png), url.Values{"email": {w.leader.Email}})
	if resp.StatusCode != 200 || !strings.Contains(body, "verification valid") || strings.Count(body, "✓") != 7 {
		t.Fatalf("verification page: %d\n%s", resp.StatusCode, body)
	}

	// Revocation by an administrator: everywhere at once.
	admin := w.as(t, w.admin)
	if resp, _ := admin.post("/admin/badges/"+id+"/revoke", url.Values{"reason": {""}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("revoking without a reason: %d", resp.StatusCode)
	}
	if resp, _ := admin.post("/admin/badges/"+id+"/revoke", url.Values{"reason": {"Myönnetty virheellisesti"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	r := apiVerify(t, base, map[string]string{"credential": token})
	if o, code := r.check("status"); r.Valid || o != "failed" || code != "revoked" || r.RevocationReason != "Myönnetty virheellisesti" {
		t.Fatalf("after revocation: %+v", r)
	}
	if resp, body := httpGet(t, assertion.ID, "application/ld+json"); resp.StatusCode != http.StatusGone || !strings.Contains(string(body), `"revoked": true`) {
		t.Fatalf("2.0 assertion after revocation: %d %s", resp.StatusCode, body)
	}
	if resp, body := httpGet(t, base+"/badges/v2/revocations", ""); !strings.Contains(string(body), assertion.ID) {
		t.Fatalf("revocation list: %d %s", resp.StatusCode, body)
	}
	if resp, _ := httpGet(t, base+"/badges/awards/"+id, "text/html"); resp.StatusCode != http.StatusGone {
		t.Fatalf("public page after revocation: %d", resp.StatusCode)
	}
	// The signed status list sets the credential's bit.
	status := cred["credentialStatus"].(map[string]any)
	resp, list := httpGet(t, status["statusListCredential"].(string), "")
	if resp.StatusCode != 200 {
		t.Fatalf("status list: %d", resp.StatusCode)
	}
	lc := verifyIndependently(t, string(list), base)
	bits, err := statuslist.Decode(lc["credentialSubject"].(map[string]any)["encodedList"].(string))
	if err != nil {
		t.Fatal(err)
	}
	idx := 0
	fmt.Sscan(status["statusListIndex"].(string), &idx)
	if set, _ := bits.IsSet(idx); !set || bits.Len() < statuslist.MinEntries {
		t.Fatalf("entry %d of a %d-entry list is not set", idx, bits.Len())
	}
}

// TestVerifyRejectsBrokenInput checks the answers of the verification
// page and API to what is not a good badge.
func TestVerifyRejectsBrokenInput(t *testing.T) {
	w := newWorld(t)
	c := w.app.client(t)
	png, _ := w.app.badges.Classes().Image(w.app.badges.Classes().All()[0], "png")
	fake := "eyJhbGciOiJub25lIn0.eyJ0eXBlIjpbIk9wZW5CYWRnZUNyZWRlbnRpYWwiXX0.AAAA"
	baked, err := bake.BakePNG(png, bake.V3, fake)
	if err != nil {
		t.Fatal(err)
	}
	// Two credential chunks: bake, then splice a second chunk in.
	twice := append([]byte(nil), baked[:len(baked)-12]...)
	chunkStart := bytes.Index(baked, []byte("iTXt")) - 4
	chunkEnd := chunkStart + 12 + int(big.NewInt(0).SetBytes(baked[chunkStart:chunkStart+4]).Int64())
	twice = append(twice, baked[chunkStart:chunkEnd]...)
	twice = append(twice, baked[len(baked)-12:]...)

	for name, tc := range map[string]struct {
		file, text string
		code       string
	}{
		"alg none":           {text: fake, code: "alg_not_allowed"},
		"not a JWT":          {text: "hello", code: "not_jwt"},
		"foreign URL":        {text: "https://badges.example.com/a/1", code: "url_unknown"},
		"unknown award":      {text: w.app.publicURL + "/badges/awards/nosuchaward", code: "url_unknown"},
		"truncated PNG":      {file: string(baked[:len(baked)/2]), code: "image_truncated"},
		"two credentials":    {file: string(twice), code: "image_two_credentials"},
		"PNG without badge":  {file: string(png), code: "image_no_credential"},
		"plain text file":    {file: "not a badge at all", code: "not_jwt"},
		"SVG with a DOCTYPE": {file: `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>`, code: "image_unsupported"},
	} {
		t.Run(name, func(t *testing.T) {
			var resp *http.Response
			var body string
			if tc.file != "" {
				resp, body = c.uploadWith("/verify", "file", "badge", tc.file, nil)
			} else {
				resp, body = c.post("/verify", url.Values{"credential": {tc.text}})
			}
			if resp.StatusCode != 200 || !strings.Contains(body, "verification invalid") || !strings.Contains(body, "✗") {
				t.Fatalf("%d\n%s", resp.StatusCode, body)
			}
			// The API gives the same reason as a code.
			req := httptest.NewRequest(http.MethodPost, "/api/verify", strings.NewReader(`{"credential": `+jsonString(tc.text)+`}`))
			req.Header.Set("Content-Type", "application/json")
			if tc.file != "" {
				var b bytes.Buffer
				mw := multipart.NewWriter(&b)
				fw, _ := mw.CreateFormFile("file", "badge")
				_, _ = fw.Write([]byte(tc.file))
				_ = mw.Close()
				req = httptest.NewRequest(http.MethodPost, "/api/verify", &b)
				req.Header.Set("Content-Type", mw.FormDataContentType())
			}
			resp, raw := w.app.do(t, req)
			var r badgeReport
			_ = json.Unmarshal([]byte(raw), &r)
			found := slices.ContainsFunc(r.Checks, func(c struct{ Check, Outcome, Code, Detail, Text string }) bool {
				return c.Outcome == "failed" && c.Code == tc.code && c.Text != "" && c.Detail != ""
			})
			if resp.StatusCode != 200 || r.Valid || !found {
				t.Fatalf("API: %d %s, want a failed check %q", resp.StatusCode, raw, tc.code)
			}
		})
	}
	// The API acts for no one, so pages of other sites may call it; the
	// form, like every other form, needs its CSRF token.
	req := httptest.NewRequest(http.MethodPost, "/api/verify", strings.NewReader(`{"credential": "x.y.z"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://employer.example.com")
	if resp, body := w.app.do(t, req); resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("cross-site API call: %d %s", resp.StatusCode, body)
	}
	if resp, _ := w.app.client(t).postRaw("/verify", url.Values{"credential": {"x.y.z"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the verification form without a CSRF token: %d", resp.StatusCode)
	}
	// Nothing given: the form says what is missing.
	if resp, body := c.post("/verify", url.Values{"credential": {""}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "error-summary") {
		t.Fatalf("empty form: %d", resp.StatusCode)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestBadgeDocuments checks the public documents that do not depend on an
// award.
func TestBadgeDocuments(t *testing.T) {
	w, base := serveWorld(t)
	_ = w
	resp, body := httpGet(t, base+"/.well-known/jwks.json", "")
	var jwks struct {
		Keys []struct{ Kid, Kty, Crv, Alg string }
	}
	if err := json.Unmarshal(body, &jwks); err != nil || resp.StatusCode != 200 || len(jwks.Keys) != 1 || jwks.Keys[0].Alg != "ES256" {
		t.Fatalf("jwks: %d %s", resp.StatusCode, body)
	}
	resp, body = httpGet(t, jwks.Keys[0].Kid, "")
	if resp.StatusCode != 200 || strings.Contains(string(body), `"d"`) {
		t.Fatalf("key: %d %s", resp.StatusCode, body)
	}
	if resp, _ := httpGet(t, base+"/badges/keys/es256-nosuchkey", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown key: %d", resp.StatusCode)
	}
	cl := w.app.badges.Classes().All()[0]
	resp, body = httpGet(t, base+"/badges/classes/"+cl.ID, "application/json")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"Achievement"`) {
		t.Fatalf("class as JSON: %d %s", resp.StatusCode, body)
	}
	resp, _ = httpGet(t, base+"/badges/classes/"+cl.ID, "text/html")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("class page: %d", resp.StatusCode)
	}
	for _, ext := range []string{"svg", "png"} {
		if resp, _ := httpGet(t, base+"/badges/classes/"+cl.ID+"/image."+ext, ""); resp.StatusCode != 200 {
			t.Fatalf("image.%s: %d", ext, resp.StatusCode)
		}
	}
	if resp, _ := httpGet(t, base+"/badges/classes/"+cl.ID+"/image.gif", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("image.gif: %d", resp.StatusCode)
	}
	for _, n := range []string{"0", "-1", "x", "100001"} {
		if resp, _ := httpGet(t, base+"/badges/status/"+n, ""); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status list %s: %d", n, resp.StatusCode)
		}
	}
	resp, body = httpGet(t, base+"/badges/issuer", "application/ld+json")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Ammattiopistojen johtamisverkosto") {
		t.Fatalf("issuer: %d %s", resp.StatusCode, body)
	}
	if resp, body := httpGet(t, base+"/badges", "text/html"); resp.StatusCode != 200 || strings.Count(string(body), `class="badge-list"`) != 1 {
		t.Fatalf("catalog: %d", resp.StatusCode)
	}
}

var applicationLink = regexp.MustCompile(`href="/reviews/([a-z0-9]+)"`)

// TestApplicationBadge follows a badge earned by application: the
// application, a return with comments, the changed application, the
// approval and the offer; and who may see and decide what.
func TestApplicationBadge(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const classID = "vertaisvalmentaja"
	leader, hr := w.as(t, w.leader), w.as(t, w.hrA)
	apply := url.Values{"org": {w.orgA.ID}, "evidence": {"Valmensin kahta uutta tiiminvetäjää puolen vuoden ajan."},
		"links": {"https://example.fi/valmennus\n\n"}, "reflection": {"Opin kysymään enemmän ja neuvomaan vähemmän."}}

	// Bad input names the fields and stores nothing.
	bad := url.Values{"org": {w.orgB.ID}, "evidence": {"lyhyt"}, "links": {"ftp://x"}, "reflection": {"Opin kysymään enemmän ja neuvomaan vähemmän."}}
	resp, body := leader.post("/badges/classes/"+classID+"/apply", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-evidence"`) || !strings.Contains(body, `href="#f-links"`) {
		t.Fatalf("bad application: %d\n%s", resp.StatusCode, body)
	}
	if apps, _ := w.app.db.Applications(ctx, w.leader.ID); len(apps) != 0 {
		t.Fatalf("a refused application was stored: %+v", apps)
	}
	if resp, _ := leader.post("/badges/classes/pedagoginen-johtaja/apply", apply); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("applying for an automatic badge: %d", resp.StatusCode)
	}

	resp, _ = leader.post("/badges/classes/"+classID+"/apply", apply)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d", resp.StatusCode)
	}
	appURL := strings.Split(resp.Header.Get("Location"), "?")[0]
	appID := appURL[strings.LastIndex(appURL, "/")+1:]
	if resp, _ := leader.post("/badges/classes/"+classID+"/apply", apply); resp.StatusCode != http.StatusConflict {
		t.Fatalf("a second open application: %d", resp.StatusCode)
	}

	// HR of the leader's organisation sees it; HR of another does not,
	// and the leader cannot review their own.
	_, body = hr.get("/reviews")
	if m := applicationLink.FindStringSubmatch(body); m == nil || m[1] != appID {
		t.Fatalf("HR's review list lacks the application:\n%s", body)
	}
	other := w.as(t, w.hrB)
	if _, body := other.get("/reviews"); applicationLink.MatchString(body) {
		t.Fatal("HR of another organisation sees the application")
	}
	if resp, _ := other.post("/reviews/"+appID, url.Values{"decision": {"approve"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("HR of another organisation deciding: %d", resp.StatusCode)
	}
	if resp, _ := leader.post("/reviews/"+appID, url.Values{"decision": {"approve"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the applicant deciding: %d", resp.StatusCode)
	}

	// A return needs a comment.
	if resp, _ := hr.post("/reviews/"+appID, url.Values{"decision": {"return"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("return without a comment: %d", resp.StatusCode)
	}
	if resp, _ := hr.post("/reviews/"+appID, url.Values{"decision": {"return"}, "comment": {"Kerro, miten valmennus muutti tiimien työtä."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("return: %d", resp.StatusCode)
	}
	msgs, _ := w.app.db.RecentMail(ctx, 50)
	if !slices.ContainsFunc(msgs, func(m mail.Message) bool {
		return m.To == w.leader.Email && strings.Contains(m.Text, "Kerro, miten valmennus muutti tiimien työtä.")
	}) {
		t.Fatal("the applicant got no e-mail with the comment")
	}
	// The leader sees the comment, changes the application and sends it
	// again; HR approves it.
	if _, body := leader.get(appURL); !strings.Contains(body, "Kerro, miten valmennus muutti tiimien työtä.") || !strings.Contains(body, `action="`+appURL+`"`) {
		t.Fatalf("the returned application page:\n%s", body)
	}
	apply.Set("evidence", apply.Get("evidence")+" Tiimien palaverit lyhenivät ja vastuut selkenivät.")
	if resp, _ := leader.post(appURL, apply); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send again: %d", resp.StatusCode)
	}
	if resp, _ := hr.post("/reviews/"+appID, url.Values{"decision": {"approve"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", resp.StatusCode)
	}
	if resp, _ := hr.post("/reviews/"+appID, url.Values{"decision": {"approve"}}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("deciding a decided application: %d", resp.StatusCode)
	}
	ap, err := w.app.db.Application(ctx, appID)
	if err != nil || ap.State != badge.Approved || ap.Round != 2 || len(ap.Decisions) != 2 || ap.Decisions[0].Approve || !ap.Decisions[1].Approve {
		t.Fatalf("application %+v, %v: every decision recorded", ap, err)
	}
	// The badge is offered with the application as evidence; the
	// reflection stays private unless the earner shows it.
	offered := offeredAwards(t, leader)
	if len(offered) != 1 || offered[0] != ap.AwardID {
		t.Fatalf("offered %v, want %s", offered, ap.AwardID)
	}
	if resp, _ := leader.post("/me/badges/"+ap.AwardID+"/accept", url.Values{"name": {"Šárka"}, "evidence-0": {"on"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	aw, err := w.app.db.Award(ctx, ap.AwardID)
	if err != nil || aw.State != badge.Accepted || !strings.Contains(aw.Evidence[0].Narrative, "palaverit lyhenivät") {
		t.Fatalf("award %+v, %v", aw, err)
	}
	if _, page := w.app.client(t).get("/badges/awards/" + aw.ID); strings.Contains(page, "neuvomaan vähemmän") || !strings.Contains(page, "palaverit lyhenivät") {
		t.Fatal("the public page shows the private reflection or hides the public evidence")
	}
	checkCredential(t, aw.Credential)
	// The earner's data export holds the badge and the application.
	var export struct {
		Badges struct {
			Awards       []struct{ ID, State, Credential string }
			Applications []struct{ ID, Reflection string }
		}
	}
	if _, body := leader.get("/me/export"); json.Unmarshal([]byte(body), &export) != nil ||
		len(export.Badges.Awards) != 1 || export.Badges.Awards[0].Credential != aw.Credential ||
		len(export.Badges.Applications) != 1 || !strings.Contains(export.Badges.Applications[0].Reflection, "neuvomaan vähemmän") {
		t.Fatalf("export: %+v", export.Badges)
	}
	// Audit: every decision is in the organisation's log.
	events, _ := w.app.db.AuditEvents(ctx, w.orgA.ID, 100)
	var actions []string
	for _, e := range events {
		actions = append(actions, string(e.Action))
	}
	for _, want := range []string{"application.submitted", "application.returned", "application.approved", "badge.offered", "badge.accepted"} {
		if !slices.Contains(actions, want) {
			t.Errorf("no %s in the audit log %v", want, actions)
		}
	}
}

// TestPathwayBadge: holding every area badge offers the pathway badge,
// with the area badges as its evidence.
func TestPathwayBadge(t *testing.T) {
	w := newWorld(t)
	c := w.as(t, w.leader)
	submitPersonal(t, c, w, "johtamisosaaminen", "5")
	offered := offeredAwards(t, c)
	for i, id := range offered {
		if resp, _ := c.post("/me/badges/"+id+"/accept", url.Values{"name": {"Šárka"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("accept %s: %d", id, resp.StatusCode)
		}
		if i < len(offered)-1 && len(offeredAwards(t, c)) != len(offered)-i-1 {
			t.Fatalf("a pathway badge was offered after %d of %d area badges", i+1, len(offered))
		}
	}
	pathway := offeredAwards(t, c)
	slices.Sort(pathway)
	if len(pathway) != 1 {
		t.Fatalf("offered %v after every area badge, want the pathway badge", pathway)
	}
	aw, err := w.app.db.Award(context.Background(), pathway[0])
	if err != nil || aw.ClassID != "johtamisosaamisen-mestari" || len(aw.Evidence) != len(offered) {
		t.Fatalf("pathway award %+v, %v", aw, err)
	}
	for _, e := range aw.Evidence {
		if !strings.HasPrefix(e.URL, w.app.publicURL+"/badges/awards/") {
			t.Fatalf("evidence %+v does not link to the held badge", e)
		}
	}
	if resp, _ := c.post("/me/badges/"+aw.ID+"/accept", url.Values{"name": {""}, "evidence-0": {"on"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept the pathway badge: %d", resp.StatusCode)
	}
	aw, _ = w.app.db.Award(context.Background(), aw.ID)
	if cred := checkCredential(t, aw.Credential); cred["credentialSubject"].(map[string]any)["name"] != nil {
		t.Fatal("an empty name must leave the credential without one")
	}
	// Submitting again offers nothing new: every badge is held.
	submitPersonal(t, c, w, "johtamisosaaminen", "5")
	if got := offeredAwards(t, c); len(got) != 0 {
		t.Fatalf("offered %v after a second top result", got)
	}
}
