package main

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestParseConfigDefaults(t *testing.T) {
	c, err := parseConfig(nil, env(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "data" || c.MongoURI != "" || c.MongoDatabase != "vertaa" ||
		c.PublicURL != nil || c.MongoTimeout != 10*time.Second || c.RequestTimeout != 10*time.Second || c.ShutdownTimeout != 15*time.Second ||
		c.AnonymityThreshold != 5 {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestParseConfigPrecedence(t *testing.T) {
	c, err := parseConfig([]string{"-addr", ":9000"}, env("VERTAA_ADDR", "127.0.0.1:7000", "VERTAA_DATA_DIR", "/var/lib/vertaa/"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9000" {
		t.Errorf("the flag must win over the environment: addr = %q", c.Addr)
	}
	if c.DataDir != "/var/lib/vertaa" {
		t.Errorf("data dir = %q", c.DataDir)
	}
	c, err = parseConfig(nil, env("VERTAA_PUBLIC_URL", "https://vertaa.example.fi/", "VERTAA_MONGODB_URI", "mongodb://db1,db2/?replicaSet=rs0",
		"VERTAA_LOG_LEVEL", "DEBUG", "VERTAA_LOG_FORMAT", "json"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL.String() != "https://vertaa.example.fi" || c.MongoURI != "mongodb://db1,db2/?replicaSet=rs0" || c.LogLevel.String() != "DEBUG" || c.LogFormat != "json" {
		t.Fatalf("config = %+v", c)
	}
}

// TestParseConfigErrors checks that each bad value is refused with one line
// that names the setting the way the user gave it.
func TestParseConfigErrors(t *testing.T) {
	cases := []struct {
		args []string
		env  []string
		want string
	}{
		{nil, []string{"VERTAA_ADDR", "8080"}, "VERTAA_ADDR: \"8080\" is not host:port"},
		{[]string{"-addr", "localhost:http"}, nil, "-addr: \"localhost:http\": port must be a number"},
		{nil, []string{"VERTAA_ADDR", "127.0.0.1:70000"}, "VERTAA_ADDR: \"127.0.0.1:70000\": port must be a number from 0 to 65535"},
		{nil, []string{"VERTAA_PUBLIC_URL", "vertaa.example.fi"}, "VERTAA_PUBLIC_URL: \"vertaa.example.fi\" must start with https://"},
		{nil, []string{"VERTAA_PUBLIC_URL", "ftp://x.fi"}, "VERTAA_PUBLIC_URL: \"ftp://x.fi\" must start with https://"},
		{nil, []string{"VERTAA_PUBLIC_URL", "https://x.fi/app"}, "VERTAA_PUBLIC_URL: \"https://x.fi/app\" must be the root of a host"},
		{nil, []string{"VERTAA_PUBLIC_URL", "https://u:p@x.fi"}, "must not contain a user name or password"},
		{nil, []string{"VERTAA_PUBLIC_URL", "https://"}, "has no host"},
		{nil, []string{"VERTAA_MONGODB_URI", "postgres://u:hunter2@db/x"}, "VERTAA_MONGODB_URI: \"postgres://u:xxxxx@db/x\" must start with mongodb://"},
		{nil, []string{"VERTAA_MONGODB_DATABASE", "my.db"}, "VERTAA_MONGODB_DATABASE: \"my.db\": use 1 to 63 letters"},
		{[]string{"-mongodb-timeout", "10"}, nil, "-mongodb-timeout: \"10\" is not a duration"},
		{nil, []string{"VERTAA_SHUTDOWN_TIMEOUT", "-1s"}, "VERTAA_SHUTDOWN_TIMEOUT: \"-1s\" must be positive"},
		{nil, []string{"VERTAA_REQUEST_TIMEOUT", "5m"}, "VERTAA_REQUEST_TIMEOUT: \"5m\" must be at most 1m0s"},
		{nil, []string{"VERTAA_ANONYMITY_THRESHOLD", "2"}, "VERTAA_ANONYMITY_THRESHOLD: \"2\" must be a whole number of at least 3"},
		{[]string{"-anonymity-threshold", "five"}, nil, "-anonymity-threshold: \"five\" must be a whole number of at least 3"},
		{nil, []string{"VERTAA_LOG_LEVEL", "loud"}, "VERTAA_LOG_LEVEL: unknown log level \"loud\""},
		{nil, []string{"VERTAA_LOG_FORMAT", "xml"}, "VERTAA_LOG_FORMAT: unknown log format \"xml\""},
		{[]string{"-data-dir", ""}, nil, "-data-dir: must not be empty"},
		{[]string{"stray"}, nil, "arguments: unexpected \"stray\""},
	}
	for _, tc := range cases {
		_, err := parseConfig(tc.args, env(tc.env...), io.Discard)
		if err == nil {
			t.Errorf("args %v env %v: accepted, want %q", tc.args, tc.env, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("args %v env %v:\n got %q\nwant one line with %q", tc.args, tc.env, err, tc.want)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error shows a password: %q", err)
		}
	}
}

func TestRedactURI(t *testing.T) {
	cases := map[string]string{
		"mongodb://localhost:27017":                                  "mongodb://localhost:27017",
		"mongodb://app:s3cr%40t@db1:27017,db2:27017/vertaa?tls=true": "mongodb://app:xxxxx@db1:27017,db2:27017/vertaa?tls=true",
		"mongodb+srv://app:p@ss@cluster0.example.net/":               "mongodb+srv://app:xxxxx@cluster0.example.net/",
		"mongodb://onlyuser@db/":                                     "mongodb://onlyuser@db/",
		"mongodb://%2Ftmp%2Fmongodb.sock/":                           "mongodb://%2Ftmp%2Fmongodb.sock/",
		"not a uri":                                                  "not a uri",
	}
	for in, want := range cases {
		if got := redactURI(in); got != want {
			t.Errorf("redactURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestREADMEDocumentsEverySetting keeps the README's configuration table in
// step with the settings the code reads.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, s := range settings {
		flagCell := "`-" + s.flag + "`"
		if s.flag == "" {
			flagCell = "–"
		}
		row := "| `" + s.env + "` | " + flagCell + " |"
		if !strings.Contains(readme, row) {
			t.Errorf("README.md has no table row starting %s", row)
		}
	}
}
