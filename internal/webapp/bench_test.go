package webapp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"vertaa/internal/account"
	"vertaa/internal/assessment"
)

// BenchmarkSubmit compares the whole submit path – the HTTP handler with
// its session and CSRF checks, validation, scoring and the insert – with
// a bare insert of the same document into the same store, in the same run.
// Both run with 8 concurrent clients, as a server takes submissions, so
// that the figures are throughputs; the goal is submit/insert >= 0.7:
//
//	go test -run XXX -bench Submit -benchtime 300x ./internal/webapp/
func BenchmarkSubmit(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	q := w.questionnaire(b, "johtamisosaaminen")
	csrf := w.app.client(b)
	csrf.ensureCSRF()
	csrfCookie := cookieHeader(csrf)

	// pending is one leader with a fully answered personal draft and a
	// session cookie.
	type pending struct {
		draft, cookie string
	}
	made := 0
	prepare := func(n int) chan pending {
		ch := make(chan pending, n)
		for i := range n {
			made++
			u, err := w.app.db.CreateUser(ctx, account.User{Email: fmt.Sprintf("leader%d@opisto.fi", made), Name: "Bench", CreatedAt: time.Now()})
			if err != nil {
				b.Fatal(err)
			}
			if err := w.app.db.AddGrant(ctx, account.Grant{UserID: u.ID, Role: account.Leader, OrgID: w.orgA.ID}); err != nil {
				b.Fatal(err)
			}
			sess, err := w.app.accounts.StartSession(ctx, u.ID)
			if err != nil {
				b.Fatal(err)
			}
			p, err := w.app.accounts.Principal(ctx, u.ID, sess.ID)
			if err != nil {
				b.Fatal(err)
			}
			token, err := w.app.sessions.Issue(u.ID, sess.ID, sess.ExpiresAt)
			if err != nil {
				b.Fatal(err)
			}
			d, err := w.app.responses.Start(ctx, p, "", "", q.ID)
			if err != nil {
				b.Fatal(err)
			}
			for page, a := range q.Areas {
				ans := assessment.Answers{}
				for _, it := range a.Items {
					if it.Scored() {
						sc, _ := q.Scale(it.Scale)
						ans[it.ID] = assessment.Answer{Value: sc.Points[(i+page+len(it.ID))%len(sc.Points)].Value}
					}
				}
				if d, err = w.app.responses.SavePage(ctx, p, d.ID, page+1, ans, page+2); err != nil {
					b.Fatal(err)
				}
			}
			ch <- pending{draft: d.ID, cookie: csrfCookie + "; vertaa_session=" + token}
		}
		close(ch)
		return ch
	}
	submit := func(x pending) error {
		form := url.Values{"_csrf": {csrf.csrf}}
		req := httptest.NewRequest(http.MethodPost, "/assess/"+x.draft+"/submit", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", x.cookie)
		resp, err := w.app.Test(req, -1)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/results/") {
			return fmt.Errorf("submit: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		return nil
	}

	b.Run("insert", func(b *testing.B) {
		first := <-prepare(1)
		if err := submit(first); err != nil {
			b.Fatal(err)
		}
		var doc bson.D
		responses := w.app.raw.Collection("responses")
		if err := responses.FindOne(ctx, bson.D{}).Decode(&doc); err != nil {
			b.Fatal(err)
		}
		b.SetParallelism(4)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				// The same document under a new id.
				d := make(bson.D, len(doc))
				copy(d, doc)
				d[0].Value = bson.NewObjectID().Hex()
				if _, err := responses.InsertOne(ctx, d); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("submit", func(b *testing.B) {
		work := prepare(b.N)
		b.SetParallelism(4)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := submit(<-work); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// cookieHeader returns the client's cookies as a Cookie header.
func cookieHeader(c *client) string {
	var parts []string
	for k, v := range c.cookies {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, "; ")
}
