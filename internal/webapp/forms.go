package webapp

import (
	"github.com/gofiber/fiber/v2"

	"vertaa/internal/apperr"
	"vertaa/internal/i18n"
)

// form is what a page with a form needs: the values the user typed and
// the problems, next to each field and in a summary at the top.
type form struct {
	// Which names the form of a page with several, so that values and
	// problems show in the right one.
	Which  string
	Values map[string]string
	Errors map[string]string // field -> message
	// Defaults fill inputs of the page's other forms, by input id.
	Defaults map[string]string
	Summary  []formError // in the order of the fields
}

type formError struct {
	Href, Message string // Href leads to the field: "#" and its input's id
}

// newForm returns a form holding the named fields of the request.
func newForm(c *fiber.Ctx, fields ...string) *form {
	f := &form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, name := range fields {
		f.Values[name] = c.FormValue(name)
	}
	return f
}

// fail records field errors in the user's language. It returns false
// when err has none (the caller then returns err as it is).
func (f *form) fail(err error, texts interface {
	T(i18n.Lang, string, ...any) string
}, lang i18n.Lang) bool {
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 || apperr.KindOf(err) != apperr.Invalid {
		return false
	}
	for _, fe := range fields {
		if _, seen := f.Errors[fe.Field]; seen {
			continue
		}
		msg := texts.T(lang, "field."+fe.Code)
		f.Errors[fe.Field] = msg
		f.Summary = append(f.Summary, formError{Href: "#" + inputID(f.Which, fe.Field), Message: msg})
	}
	return true
}

// inputID is the id of a field's input in the named form.
func inputID(which, field string) string {
	if which == "" {
		return "f-" + field
	}
	return "f-" + which + "-" + field
}

// inputView is one labelled input for the "input" template.
type inputView struct {
	ID, Name, Type, Label, Hint, Value, Error, Autocomplete string
}

// Input describes an input of the page's only form: its label and hint
// are the texts labelKey and labelKey+".hint" (when that exists).
// Passwords are never filled back in.
func (p page) Input(name, typ, labelKey, autocomplete string) inputView {
	return p.InputIn("", name, typ, labelKey, autocomplete)
}

// InputIn is Input for the form named which on a page with several.
func (p page) InputIn(which, name, typ, labelKey, autocomplete string) inputView {
	v := inputView{ID: inputID(which, name), Name: name, Type: typ, Label: p.T(labelKey), Autocomplete: autocomplete}
	if p.texts.Has(labelKey + ".hint") {
		v.Hint = p.T(labelKey + ".hint")
	}
	switch {
	case p.Form == nil:
	case p.Form.Which == which:
		if typ != "password" {
			v.Value = p.Form.Values[name]
		}
		v.Error = p.Form.Errors[name]
	default:
		v.Value = p.Form.Defaults[v.ID]
	}
	return v
}

// textareaView is one labelled text area for the "textarea" template.
type textareaView struct {
	inputView
	Rows int
}

// Textarea describes a text area of the page's only form, like Input.
func (p page) Textarea(name, labelKey string, rows int) textareaView {
	return textareaView{inputView: p.InputIn("", name, "", labelKey, ""), Rows: rows}
}
