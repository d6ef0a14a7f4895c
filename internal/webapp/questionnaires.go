package webapp

import (
	"github.com/gofiber/fiber/v2"
	"io/fs"

	"vertaa/assessments"
	"vertaa/badges"
	"vertaa/internal/i18n"
)

// questionnaireCard is one questionnaire on the list page, in the
// reader's language.
type questionnaireCard struct {
	ID, Version, Title, Introduction string
	Lang                             i18n.Lang // of the texts: the reader's or the fallback
	Minutes, Areas, Items            int
	Languages                        []string
}

// questionnaireList shows the questionnaires on offer.
func (a *app) questionnaireList(c *fiber.Ctx) error {
	lang := langOf(c)
	var cards []questionnaireCard
	for _, q := range a.qs.All() {
		textLang := lang
		if _, ok := q.Title[string(lang)]; !ok {
			textLang = i18n.Lang(q.DefaultLanguage)
		}
		var names []string
		for _, l := range q.Languages {
			names = append(names, a.texts.T(lang, "lang."+l))
		}
		cards = append(cards, questionnaireCard{
			ID: q.ID, Version: q.Version,
			Title:        q.Title.In(string(lang), q.DefaultLanguage),
			Introduction: q.Introduction.In(string(lang), q.DefaultLanguage),
			Lang:         textLang,
			Minutes:      q.EstimatedMinutes, Areas: len(q.Areas), Items: q.ItemCount(),
			Languages: names,
		})
	}
	return a.render(c, fiber.StatusOK, "questionnaires", a.texts.T(lang, "questionnaires.title"), cards)
}

// questionnaireSchema publishes the JSON Schema of the questionnaire
// format, for editors that autocomplete YAML.
func (a *app) questionnaireSchema(c *fiber.Ctx) error {
	return sendSchema(c, assessments.FS, "questionnaire.schema.json")
}

// badgeSchema publishes the JSON Schema of the badge class format.
func (a *app) badgeSchema(c *fiber.Ctx) error {
	return sendSchema(c, badges.FS, "badge.schema.json")
}

func sendSchema(c *fiber.Ctx, fsys fs.FS, name string) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/schema+json")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return c.Send(b)
}
