package account_test

import (
	"strings"
	"testing"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
)

func TestNormalizeEmail(t *testing.T) {
	good := map[string]string{
		"  Aino.Virtanen@Esimerkki.FI ": "Aino.Virtanen@esimerkki.fi",
		"a+b@x.example":                 "a+b@x.example",
		"sarka.aaritalo@koulu.fi":       "sarka.aaritalo@koulu.fi",
	}
	for in, want := range good {
		got, err := account.NormalizeEmail(in)
		if err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                                 "email.required",
		"   ":                              "email.required",
		"no-at-sign":                       "email.invalid",
		"a@b":                              "email.invalid",
		"Name <a@b.fi>":                    "email.invalid",
		"a@b.fi, c@d.fi":                   "email.invalid",
		"a b@c.fi":                         "email.invalid",
		"@c.fi":                            "email.invalid",
		"a@.fi":                            "email.invalid",
		strings.Repeat("a", 250) + "@b.fi": "email.invalid",
		// 254 bytes, but 255 once the domain is in lower case.
		strings.Repeat("a", 248) + "@Ⱥ.fi": "email.invalid",
	}
	for in, code := range bad {
		_, err := account.NormalizeEmail(in)
		fs := apperr.FieldsOf(err)
		if len(fs) != 1 || fs[0].Field != "email" || fs[0].Code != code {
			t.Errorf("NormalizeEmail(%q) = %v, want %s", in, err, code)
		}
	}
	if account.EmailKey("Aino@x.fi") != account.EmailKey("aino@x.fi") {
		t.Error("EmailKey is case-sensitive")
	}
}

func TestNormalizeName(t *testing.T) {
	got, err := account.NormalizeName("name", "  Šárka   Ääritalo ")
	if err != nil || got != "Šárka Ääritalo" {
		t.Fatalf("got %q, %v", got, err)
	}
	for in, code := range map[string]string{"": "name.required", " \t": "name.required", strings.Repeat("ä", 101): "name.too_long", "a\x00b": "name.invalid"} {
		_, err := account.NormalizeName("team", in)
		if fs := apperr.FieldsOf(err); len(fs) != 1 || fs[0].Code != code || fs[0].Field != "team" {
			t.Errorf("NormalizeName(%q) = %v, want %s", in, err, code)
		}
	}
}

func TestPrincipal(t *testing.T) {
	p := account.Principal{Grants: []account.Grant{
		{Role: account.Leader, OrgID: "o1"},
		{Role: account.HR, OrgID: "o2"},
		{Role: account.Leader, OrgID: "o2"},
	}}
	if p.IsAdmin() || !p.Has(account.HR, "o2") || p.Has(account.HR, "o1") || !p.Has(account.Leader, "o1") {
		t.Fatal("Has/IsAdmin do not follow the grants")
	}
	if got := p.OrgIDs(account.Leader); len(got) != 2 {
		t.Fatalf("OrgIDs(leader) = %v", got)
	}
	p.Grants = append(p.Grants, account.Grant{Role: account.Admin})
	if !p.IsAdmin() {
		t.Fatal("admin grant not seen")
	}
	if r, ok := account.ParseRole(" HR "); !ok || r != account.HR {
		t.Fatal("ParseRole(HR)")
	}
	if r, ok := account.ParseRole("Johtaja"); !ok || r != account.Leader {
		t.Fatal("ParseRole(Johtaja)")
	}
	if r, ok := account.ParseRole("ledare"); !ok || r != account.Leader {
		t.Fatal("ParseRole(ledare)")
	}
	if _, ok := account.ParseRole("owner"); ok {
		t.Fatal("ParseRole(owner) accepted")
	}
}
