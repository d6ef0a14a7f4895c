package webapp

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/report"
)

// sendPDF answers a PDF download. Reports are personal data: they are
// never cached.
func sendPDF(c *fiber.Ctx, name string, pdf []byte) error {
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(pdf)
}

// resultPDF sends the personal report of one of the user's responses.
func (a *app) resultPDF(c *fiber.Ctx) error {
	ctx, p, lang := c.UserContext(), principalOf(c), langOf(c)
	rep, err := a.responses.Report(ctx, p, c.Params("response"))
	if err != nil {
		return err
	}
	org, round, err := a.responses.Names(ctx, rep.Response)
	if err != nil {
		return err
	}
	awards, err := a.badges.Awards(ctx, p)
	if err != nil {
		return err
	}
	now := a.badges.Now()
	data := report.Personal{Lang: lang, Name: p.User.Name, Organisation: org, RoundName: round,
		Questionnaire: rep.Questionnaire, SubmittedAt: rep.Response.SubmittedAt, Result: rep.Response.Result,
		Answers: rep.Response.Answers, GeneratedAt: now}
	for _, e := range rep.Earlier {
		data.Earlier = append(data.Earlier, report.Earlier{SubmittedAt: e.SubmittedAt, Result: e.Result})
	}
	for _, aw := range awards {
		if cl, ok := a.badges.Classes().Get(aw.ClassID); ok && aw.Holds(now) {
			data.Badges = append(data.Badges, report.Badge{Name: cl.NameIn(classLang(cl, lang)), URL: a.badges.Site().Award(aw.ID),
				IssuedOn: aw.AcceptedAt, ValidUntil: aw.ValidUntil})
		}
	}
	var buf bytes.Buffer
	if err := a.reports.Do(ctx, func() error { return report.RenderPersonal(&buf, data, a.texts) }); err != nil {
		return err
	}
	return sendPDF(c, report.PersonalFileName(data, a.texts), buf.Bytes())
}

// roundPDF sends HR's team report of a round.
func (a *app) roundPDF(c *fiber.Ctx) error {
	ctx, lang := c.UserContext(), langOf(c)
	rr, err := a.responses.RoundReport(ctx, principalOf(c), c.Params("org"), c.Params("round"), a.threshold)
	if err != nil {
		return err
	}
	data := report.Team{Lang: lang, Organisation: rr.Organisation.Name, RoundName: rr.Round.Name, Opens: rr.Round.Opens,
		Closes: rr.Round.Closes, Questionnaire: rr.Questionnaire, Summary: rr.Summary, OtherVersion: rr.OtherVersion,
		Previous: rr.PreviousSummary, PreviousQuestionnaire: rr.PreviousQuestionnaire, GeneratedAt: a.badges.Now()}
	if rr.Previous != nil {
		data.PreviousName = rr.Previous.Name
	}
	var buf bytes.Buffer
	if err := a.reports.Do(ctx, func() error { return report.RenderTeam(&buf, data, a.texts) }); err != nil {
		return err
	}
	return sendPDF(c, report.TeamFileName(data, a.texts), buf.Bytes())
}
