package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"vertaa/internal/logging"
)

func TestFormats(t *testing.T) {
	var buf bytes.Buffer
	logging.New(&buf, slog.LevelInfo, logging.Auto, true).Info("hello", "k", 1)
	if !strings.Contains(buf.String(), "msg=hello k=1") {
		t.Errorf("auto on a terminal should be text: %q", buf.String())
	}
	buf.Reset()
	logging.New(&buf, slog.LevelInfo, logging.Auto, false).Info("hello", "k", 1)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil || rec["msg"] != "hello" {
		t.Errorf("auto off a terminal should be JSON: %q (%v)", buf.String(), err)
	}
	buf.Reset()
	logging.New(&buf, slog.LevelInfo, logging.JSON, true).Info("x")
	if !strings.HasPrefix(buf.String(), "{") {
		t.Errorf("json format on a terminal: %q", buf.String())
	}
}

func TestRequestIDInEveryLine(t *testing.T) {
	var buf bytes.Buffer
	log := logging.New(&buf, slog.LevelDebug, logging.JSON, false).With("component", "test")
	ctx := logging.WithRequestID(context.Background(), "REQ123")
	log.InfoContext(ctx, "one")
	log.WithGroup("g").ErrorContext(ctx, "two", "a", 1)
	log.Info("three")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, want := range []bool{true, true, false} {
		has := strings.Contains(lines[i], `"request_id":"REQ123"`)
		if has != want {
			t.Errorf("line %d %q: request_id present = %v, want %v", i, lines[i], has, want)
		}
	}
	if logging.RequestID(ctx) != "REQ123" || logging.RequestID(context.Background()) != "" {
		t.Error("RequestID does not read the context")
	}
}

func TestLevels(t *testing.T) {
	var buf bytes.Buffer
	log := logging.New(&buf, slog.LevelWarn, logging.Text, false)
	log.Info("dropped")
	log.Warn("kept")
	if strings.Contains(buf.String(), "dropped") || !strings.Contains(buf.String(), "kept") {
		t.Errorf("level warn: %q", buf.String())
	}
	buf.Reset()
	quiet := logging.Quiet(logging.New(&buf, slog.LevelDebug, logging.Text, false), slog.LevelError)
	quiet.Warn("connection accepted")
	quiet.With("c", "ferretdb").Error("disk full")
	if strings.Contains(buf.String(), "connection accepted") || !strings.Contains(buf.String(), "disk full") {
		t.Errorf("quiet logger: %q", buf.String())
	}
}

func TestParse(t *testing.T) {
	for _, s := range []string{"debug", "INFO", "warn", "warning", "Error"} {
		if _, err := logging.ParseLevel(s); err != nil {
			t.Errorf("ParseLevel(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "trace", "5"} {
		if _, err := logging.ParseLevel(s); err == nil {
			t.Errorf("ParseLevel(%q) accepted", s)
		}
	}
	for _, s := range []string{"auto", "TEXT", "json"} {
		if _, err := logging.ParseFormat(s); err != nil {
			t.Errorf("ParseFormat(%q): %v", s, err)
		}
	}
	if _, err := logging.ParseFormat("xml"); err == nil {
		t.Error("ParseFormat(xml) accepted")
	}
}
