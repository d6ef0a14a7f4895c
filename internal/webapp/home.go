package webapp

import "github.com/gofiber/fiber/v2"

func (a *app) home(c *fiber.Ctx) error {
	return a.render(c, fiber.StatusOK, "home", a.texts.T(langOf(c), "home.page_title"), nil)
}
