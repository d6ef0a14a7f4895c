package webapp

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/account"
	"vertaa/internal/apperr"
	"vertaa/internal/ratelimit"
)

// limits are the rate limits of the endpoints that can be abused to guess
// passwords or links, or to send e-mail to strangers.
type limits struct {
	signinAccount *ratelimit.Limiter // failed sign-ins per account
	signinClient  *ratelimit.Limiter // failed sign-ins per client address
	resetAccount  *ratelimit.Limiter // reset e-mails per address
	resetClient   *ratelimit.Limiter // reset requests per client address
	inviteActor   *ratelimit.Limiter // invitations per HR user
	inviteClient  *ratelimit.Limiter // invitations per client address
	linkClient    *ratelimit.Limiter // single-use link submissions per client address
	verifyClient  *ratelimit.Limiter // badge verifications per client address
}

func newLimits() limits {
	return limits{
		signinAccount: ratelimit.New(5, 15*time.Minute),
		signinClient:  ratelimit.New(30, 15*time.Minute),
		resetAccount:  ratelimit.New(3, time.Hour),
		resetClient:   ratelimit.New(20, time.Hour),
		inviteActor:   ratelimit.New(200, time.Hour),
		inviteClient:  ratelimit.New(200, time.Hour),
		linkClient:    ratelimit.New(30, 15*time.Minute),
		verifyClient:  ratelimit.New(300, 15*time.Minute),
	}
}

// tooMany answers 429 with Retry-After.
func tooMany(c *fiber.Ctx, wait time.Duration) error {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())))
	return apperr.Keyed(apperr.TooMany, "too_many", "too many attempts: try again in %d seconds", int(wait.Seconds()))
}

// take uses up one event of every limiter for its key; if any refuses,
// it answers 429 and uses up nothing more.
func take(c *fiber.Ctx, checks ...limitCheck) error {
	for _, ch := range checks {
		if d := ch.l.Take(ch.key); d > 0 {
			return tooMany(c, d)
		}
	}
	return nil
}

type limitCheck struct {
	l   *ratelimit.Limiter
	key string
}

// emailKey is the limiter key of an e-mail address as typed.
func emailKey(email string) string {
	if e, err := account.NormalizeEmail(email); err == nil {
		return account.EmailKey(e)
	}
	return email
}
