package apperr_test

import (
	"errors"
	"fmt"
	"testing"

	"vertaa/internal/apperr"
)

func TestKindOfAndMessageOf(t *testing.T) {
	cause := errors.New("E11000 duplicate key error")
	cases := []struct {
		name string
		err  error
		kind apperr.Kind
		msg  string
	}{
		{"plain error is internal", errors.New("boom"), apperr.Internal, ""},
		{"nil is internal", nil, apperr.Internal, ""},
		{"new", apperr.New(apperr.Invalid, "items[%d]: missing answer", 3), apperr.Invalid, "items[3]: missing answer"},
		{"wrapped in context", fmt.Errorf("save: %w", apperr.Wrap(cause, apperr.Conflict, "already submitted")), apperr.Conflict, "already submitted"},
		{"internal message never shown", apperr.Wrap(cause, apperr.Internal, "collection responses"), apperr.Internal, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if k := apperr.KindOf(tc.err); k != tc.kind {
				t.Errorf("KindOf = %v, want %v", k, tc.kind)
			}
			if m := apperr.MessageOf(tc.err); m != tc.msg {
				t.Errorf("MessageOf = %q, want %q", m, tc.msg)
			}
		})
	}
	if err := apperr.Wrap(cause, apperr.Conflict, "already submitted"); !errors.Is(err, cause) || err.Error() != "already submitted: E11000 duplicate key error" {
		t.Errorf("Wrap keeps the cause for logs: %v", err)
	}
}

func TestKindString(t *testing.T) {
	want := map[apperr.Kind]string{
		apperr.Internal: "internal", apperr.Invalid: "invalid", apperr.Unauthorized: "unauthorized",
		apperr.Forbidden: "forbidden", apperr.NotFound: "not_found", apperr.Conflict: "conflict",
		apperr.Unavailable: "unavailable", apperr.TooMany: "too_many_requests", apperr.Kind(99): "internal",
	}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), s)
		}
	}
}

func TestInvalidFields(t *testing.T) {
	if apperr.InvalidFields() != nil {
		t.Fatal("InvalidFields() without fields must be nil")
	}
	err := fmt.Errorf("sign up: %w", apperr.InvalidFields(
		apperr.FieldError{Field: "email", Code: "email.invalid"},
		apperr.FieldError{Field: "password", Code: "password.too_short"},
	))
	if apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("kind = %v", apperr.KindOf(err))
	}
	fs := apperr.FieldsOf(err)
	if len(fs) != 2 || fs[0].Field != "email" || fs[1].Code != "password.too_short" {
		t.Fatalf("fields = %v", fs)
	}
	if apperr.FieldsOf(errors.New("x")) != nil {
		t.Fatal("a plain error has fields")
	}
}
