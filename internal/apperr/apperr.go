// Package apperr defines the one error type of vertaa.
//
// Every error that should reach a user as something other than "internal
// error" is an *Error with a Kind. Domain and store code create them; the web
// layer maps the Kind to an HTTP status and shows Message, never the wrapped
// cause. Errors of any other type are internal: they are logged with the
// request id and the user sees a generic message.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error by what the caller can do about it.
type Kind int

// The kinds of application errors. The zero value is Internal, so an
// *Error built without a kind never leaks its message.
const (
	Internal     Kind = iota // a bug or an unexpected failure; details are logged, not shown
	Invalid                  // the input is wrong; Message says what and where
	Unauthorized             // the caller is not signed in, or the credentials are wrong
	Forbidden                // the caller is signed in but may not do this
	NotFound                 // no such thing, or the caller may not know it exists
	Conflict                 // the request clashes with the current state (duplicate, stale)
	Unavailable              // a dependency (the database) cannot be reached now; retry later
	TooMany                  // rate limited; retry later
)

var kindNames = [...]string{
	Internal:     "internal",
	Invalid:      "invalid",
	Unauthorized: "unauthorized",
	Forbidden:    "forbidden",
	NotFound:     "not_found",
	Conflict:     "conflict",
	Unavailable:  "unavailable",
	TooMany:      "too_many_requests",
}

// String returns the kind's stable machine-readable name, as used in JSON
// error bodies.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return kindNames[Internal]
	}
	return kindNames[k]
}

// Error is an application error: a kind, a message safe to show to the user,
// and optionally the cause, which is only ever logged.
type Error struct {
	Kind    Kind
	Message string // safe to show; empty means "use the kind's generic text"
	Err     error  // the cause; never shown to users
	// Fields says, for Invalid input from a form, what is wrong with
	// which field, so that a page can show it next to the field.
	Fields []FieldError
	// Key names a user interface text that says Message in the user's
	// language, if there is one.
	Key string
}

// Keyed returns an error whose message the user interface shows in the
// user's language through the text named key.
func Keyed(kind Kind, key, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Key: key}
}

// KeyOf returns the text key of the first *Error in err's chain, or "".
func KeyOf(err error) string {
	if e, ok := errors.AsType[*Error](err); ok && e.Kind != Internal {
		return e.Key
	}
	return ""
}

// FieldError is one problem with one input field. Code is a stable key
// (such as "password.too_short") that the user interface translates.
type FieldError struct {
	Field string
	Code  string
}

// InvalidFields returns an Invalid error for problems with input fields. It
// returns nil when fields is empty, so that a validator can end with
// "return apperr.InvalidFields(problems...)".
func InvalidFields(fields ...FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	codes := make([]string, len(fields))
	for i, f := range fields {
		codes[i] = f.Field + ": " + f.Code
	}
	return &Error{Kind: Invalid, Message: "invalid input (" + strings.Join(codes, ", ") + ")", Fields: fields}
}

// FieldsOf returns the field errors of the first *Error in err's chain.
func FieldsOf(err error) []FieldError {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Fields
	}
	return nil
}

func (e *Error) Error() string {
	switch {
	case e.Message != "" && e.Err != nil:
		return e.Message + ": " + e.Err.Error()
	case e.Message != "":
		return e.Message
	case e.Err != nil:
		return e.Kind.String() + ": " + e.Err.Error()
	default:
		return e.Kind.String()
	}
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given kind with a user-visible message.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of the given kind with a user-visible message and a
// cause that is kept for logs only.
func Wrap(err error, kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: err}
}

// KindOf returns the kind of the first *Error in err's chain, or Internal
// when there is none.
func KindOf(err error) Kind {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Kind
	}
	return Internal
}

// MessageOf returns the user-visible message of the first *Error in err's
// chain. It returns "" for internal errors, whatever their text, so that
// internal details cannot reach a user by accident.
func MessageOf(err error) string {
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Kind == Internal {
		return ""
	}
	return e.Message
}
