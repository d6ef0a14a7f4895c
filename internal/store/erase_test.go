package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/audit"
	"vertaa/internal/mail"
	"vertaa/internal/store/storetest"
)

// TestEraseAccountRedactsOthersRecords: e-mail to the erased person goes,
// whatever the case of its address. In e-mail to others and in audit
// details their address and id are replaced wherever they stand, their
// name only as a word of its own, so that a short name does not mangle
// the words that contain it. The events about them go; those they caused
// on others' records stay, without them. Erasing again changes nothing.
func TestEraseAccountRedactsOthersRecords(t *testing.T) {
	s := storetest.NewWithSchema(t)
	ctx := t.Context()
	u, err := s.CreateUser(ctx, account.User{Email: "ari@opisto.example", Name: "Ari", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(ctx,
		mail.Message{To: "ARI@opisto.example", ToName: "Ari", Subject: "Hei", Text: "Hei Ari"},
		mail.Message{To: "marika@opisto.example", ToName: "Marika", Subject: "Kutsu",
			Text: "Ari (ari@opisto.example) kutsuu sinut, Marika. Terveisin Ari.\nAri"},
	); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, e := range []audit.Event{
		{At: now, ActorID: u.ID, Action: audit.SignIn, TargetID: u.ID, IP: "192.0.2.1"},
		{At: now, ActorID: u.ID, Action: audit.SignOut},
		{At: now, Action: audit.UserDisabled, TargetID: u.ID},
		{At: now, ActorID: u.ID, Action: audit.TeamCreated, OrgID: "org", TargetID: "team"},
		{At: now, Action: audit.RoleGranted, TargetID: "someone", Detail: "hr, pyysi Ari (" + u.ID + "); Marika tiesi"},
	} {
		if err := s.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := s.EraseAccount(ctx, u); err != nil {
			t.Fatal(err)
		}
	}

	msgs, err := s.RecentMail(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].To != "marika@opisto.example" || msgs[0].ToName != "Marika" ||
		msgs[0].Text != "[…] ([…]) kutsuu sinut, Marika. Terveisin […].\n[…]" {
		t.Fatalf("e-mail after erasure: %+v", msgs)
	}
	events, err := s.AuditEvents(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(events, func(a, b audit.Event) int { return strings.Compare(string(a.Action), string(b.Action)) })
	if len(events) != 2 ||
		events[0].Action != audit.RoleGranted || events[0].Detail != "hr, pyysi […] ([…]); Marika tiesi" || events[0].TargetID != "someone" ||
		events[1].Action != audit.TeamCreated || events[1].ActorID != "" || events[1].TargetID != "team" || events[1].OrgID != "org" {
		t.Fatalf("audit events after erasure: %+v", events)
	}
}
