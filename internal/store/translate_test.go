package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"vertaa/internal/apperr"
)

func TestTranslate(t *testing.T) {
	dup := mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000 duplicate key error collection: vertaa.x"}}}
	cases := []struct {
		name string
		err  error
		kind apperr.Kind
		msg  string
	}{
		{"not found", mongo.ErrNoDocuments, apperr.NotFound, "response not found"},
		{"duplicate key", dup, apperr.Conflict, "response already exists"},
		{"deadline", fmt.Errorf("find: %w", context.DeadlineExceeded), apperr.Unavailable, "the database is not reachable"},
		{"disconnected", mongo.ErrClientDisconnected, apperr.Unavailable, "the database is not reachable"},
		{"anything else", errors.New("(BadValue) secret driver detail"), apperr.Internal, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := translate(tc.err, "response")
			if k := apperr.KindOf(err); k != tc.kind {
				t.Fatalf("kind = %v, want %v", k, tc.kind)
			}
			if m := apperr.MessageOf(err); m != tc.msg {
				t.Fatalf("message = %q, want %q", m, tc.msg)
			}
			if e, ok := errors.AsType[*apperr.Error](err); !ok || e.Err == nil || e.Err.Error() != tc.err.Error() {
				t.Fatalf("the cause %v is not kept for the logs", tc.err)
			}
		})
	}
	if translate(nil, "x") != nil {
		t.Fatal("translate(nil) != nil")
	}
}
