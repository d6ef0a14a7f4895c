package webapp

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/account"
	"vertaa/internal/i18n"
)

// views holds one parsed template set per page, each made of the layout
// and the page's "content".
type views struct {
	pages map[string]*template.Template
}

// parseViews parses templates/layout.html and every other template as a
// page. It fails at start-up rather than on the first request.
func parseViews(fsys fs.FS, as *assets) (*views, error) {
	funcs := template.FuncMap{"asset": as.url}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	files, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: make(map[string]*template.Template)}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		v.pages[name] = t
	}
	return v, nil
}

// page is what every template sees.
type page struct {
	Lang      i18n.Lang
	Title     string
	RequestID string
	Langs     []langLink
	Data      any
	// User is the signed-in user, or nil.
	User *account.Principal
	// CSRF is the token every form must send back.
	CSRF string
	// Form holds the values and problems of the page's form, if any.
	Form *form
	// Notice is a message about what just happened ("password changed").
	Notice string
	texts  *i18n.Catalog
}

type langLink struct {
	Code    i18n.Lang
	Name    string
	Current bool
}

// T returns the page's text for key in the page's language.
func (p page) T(key string, args ...any) string { return p.texts.T(p.Lang, key, args...) }

// render writes the named page with the given title and data. The page is
// rendered into a buffer first, so that a template error never sends half
// a page.
func (a *app) render(c *fiber.Ctx, status int, name, title string, data any) error {
	return a.renderForm(c, status, name, title, data, nil)
}

// renderForm renders a page with a form. A form with problems is answered
// with 422.
func (a *app) renderForm(c *fiber.Ctx, status int, name, title string, data any, f *form) error {
	t, ok := a.views.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	if f != nil && len(f.Summary) > 0 && status == fiber.StatusOK {
		status = fiber.StatusUnprocessableEntity
	}
	lang := langOf(c)
	p := page{Lang: lang, Title: title, RequestID: requestID(c), Data: data, texts: a.texts,
		User: principalOf(c), CSRF: csrfToken(c), Form: f}
	if n := c.Query("notice"); n != "" && a.texts.Has("notice."+n) {
		p.Notice = a.texts.T(lang, "notice."+n)
	}
	if f != nil && len(f.Summary) > 0 {
		p.Title = a.texts.T(lang, "form.error_title_prefix") + " " + title
	}
	for _, l := range i18n.Langs {
		p.Langs = append(p.Langs, langLink{Code: l, Name: a.texts.T(l, "lang.name"), Current: l == lang})
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}
