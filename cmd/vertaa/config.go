package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"vertaa/internal/account"
	"vertaa/internal/analytics"
	"vertaa/internal/logging"
	"vertaa/internal/mail"
	"vertaa/internal/store"
)

// config is the validated configuration of the server.
type config struct {
	Addr            string
	DataDir         string
	AssessmentsDir  string // extra questionnaire definitions; empty: only the shipped ones
	MongoURI        string // empty: run the embedded store in DataDir
	MongoDatabase   string
	MongoTimeout    time.Duration
	PublicURL       *url.URL // nil: derived from the listen address
	LogLevel        slog.Level
	LogFormat       logging.Format
	RequestTimeout  time.Duration
	ShutdownTimeout time.Duration
	// MasterKey is the master secret as given (base64); empty: the file
	// master.key in DataDir, created on first start.
	MasterKey string
	// AnonymityThreshold is the fewest respondents a figure HR sees may
	// be based on.
	AnonymityThreshold int
	// IssuerName, IssuerURL and IssuerEmail describe who issues the badges.
	IssuerName  string
	IssuerURL   string // empty: the public URL
	IssuerEmail string
	// SMTP is the mail server; SMTP.Host empty: no e-mail leaves.
	SMTP           mail.SMTPConfig
	TrustedProxies []string

	// source names each setting the way the user gave it, for messages
	// about values that fail only when the server starts.
	source map[string]string
}

// setting is one configuration value: an environment variable, the flag
// that overrides it (none for secrets, which would show in the process
// list), its default and its description. The README's configuration
// table lists the same settings (a test checks it).
type setting struct {
	env, flag, def, usage string
}

var settings = []setting{
	{"VERTAA_ADDR", "addr", "127.0.0.1:8080", "address (host:port) the web server listens on"},
	{"VERTAA_PUBLIC_URL", "public-url", "", "externally visible base URL, e.g. https://vertaa.example.fi; badge ids and links are built from it (default: http:// and the listen address)"},
	{"VERTAA_DATA_DIR", "data-dir", "./data", "folder of the embedded database; must be writable"},
	{"VERTAA_ASSESSMENTS_DIR", "assessments-dir", "", "folder of questionnaire definitions (*.yaml) to offer besides the shipped ones"},
	{"VERTAA_MONGODB_URI", "mongodb-uri", "", "MongoDB connection string; empty runs the embedded store in the data folder"},
	{"VERTAA_MONGODB_DATABASE", "mongodb-database", "vertaa", "database name (letters, digits, '_' and '-')"},
	{"VERTAA_MONGODB_TIMEOUT", "mongodb-timeout", "10s", "how long to wait for MongoDB at start"},
	{"VERTAA_LOG_LEVEL", "log-level", "info", "debug, info, warn or error"},
	{"VERTAA_LOG_FORMAT", "log-format", "auto", "text, json, or auto (text on a terminal, JSON otherwise)"},
	{"VERTAA_REQUEST_TIMEOUT", "request-timeout", "10s", "longest time spent on one request, at most 1m"},
	{"VERTAA_SHUTDOWN_TIMEOUT", "shutdown-timeout", "15s", "how long a shutdown waits for requests in flight"},
	{"VERTAA_MASTER_KEY", "", "", "master secret: base64 of at least 32 random bytes (default: master.key in the data folder, created on first start)"},
	{"VERTAA_ANONYMITY_THRESHOLD", "anonymity-threshold", "5", "fewest respondents a figure shown to HR may be based on; at least 3"},
	{"VERTAA_ISSUER_NAME", "issuer-name", "vertaa", "name of the organisation that issues the badges, as badges and verifiers show it"},
	{"VERTAA_ISSUER_URL", "issuer-url", "", "web site of the issuing organisation (default: the public URL)"},
	{"VERTAA_ISSUER_EMAIL", "issuer-email", "", "contact e-mail address of the issuer, shown in its badge profile"},
	{"VERTAA_SMTP_HOST", "smtp-host", "", "SMTP server for e-mail; empty: e-mail is kept for the admin outbox page only"},
	{"VERTAA_SMTP_PORT", "smtp-port", "587", "SMTP port"},
	{"VERTAA_SMTP_USERNAME", "smtp-username", "", "SMTP user name"},
	{"VERTAA_SMTP_PASSWORD", "", "", "SMTP password"},
	{"VERTAA_SMTP_FROM", "smtp-from", "", "sender address of e-mail, required with an SMTP server"},
	{"VERTAA_SMTP_TLS", "smtp-tls", "starttls", "starttls, tls (implicit, port 465) or none (a relay on localhost only)"},
	{"VERTAA_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For gives the client address"},
}

// configError names the setting that is wrong, the way the user set it
// (flag, environment variable or default), and says why.
type configError struct {
	setting string
	msg     string
	err     error // the cause, if any
}

func (e *configError) Error() string { return e.setting + ": " + e.msg }

func (e *configError) Unwrap() error { return e.err }

// value is a setting's raw value and where it came from.
type value struct {
	raw    string
	source string // "-addr", "VERTAA_ADDR" or "VERTAA_ADDR (default)"
}

func (v value) errorf(format string, args ...any) error {
	return &configError{setting: v.source, msg: fmt.Sprintf(format, args...)}
}

// parseConfig reads the flags in args over the environment over the
// defaults, and validates every value. It checks the form of each value;
// whether the address can be bound, the folder written and the database
// reached is checked when the server starts.
func parseConfig(args []string, getenv func(string) string, usage io.Writer) (config, error) {
	return parseConfigWith(flag.NewFlagSet("vertaa", flag.ContinueOnError), args, getenv, usage)
}

// parseConfigWith is parseConfig on a flag set that may hold a
// subcommand's own flags.
func parseConfigWith(fs *flag.FlagSet, args []string, getenv func(string) string, usage io.Writer) (config, error) {
	fs.SetOutput(usage)
	flags := make(map[string]*string, len(settings))
	for _, s := range settings {
		if s.flag != "" {
			flags[s.flag] = fs.String(s.flag, "", s.usage+" ("+s.env+")")
		}
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, &configError{setting: "arguments", msg: fmt.Sprintf("unexpected %q", fs.Arg(0))}
	}
	set := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	c := config{source: make(map[string]string, len(settings))}
	get := func(env string) value {
		for _, s := range settings {
			if s.env != env {
				continue
			}
			v := value{raw: s.def, source: env + " (default)"}
			switch {
			case s.flag != "" && set[s.flag]:
				v = value{raw: *flags[s.flag], source: "-" + s.flag}
			case getenv(env) != "":
				v = value{raw: getenv(env), source: env}
			}
			c.source[env] = v.source
			return v
		}
		panic("no setting " + env)
	}

	var err error
	v := get("VERTAA_ADDR")
	if c.Addr, err = parseAddr(v.raw); err != nil {
		return c, v.errorf("%v", err)
	}
	if v = get("VERTAA_PUBLIC_URL"); v.raw != "" {
		if c.PublicURL, err = parsePublicURL(v.raw); err != nil {
			return c, v.errorf("%v", err)
		}
	}
	if v = get("VERTAA_DATA_DIR"); strings.TrimSpace(v.raw) == "" {
		return c, v.errorf("must not be empty")
	}
	c.DataDir = filepath.Clean(v.raw)
	if v = get("VERTAA_ASSESSMENTS_DIR"); v.raw != "" {
		c.AssessmentsDir = filepath.Clean(v.raw)
	}
	v = get("VERTAA_MONGODB_URI")
	c.MongoURI = strings.TrimSpace(v.raw)
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		return c, v.errorf("%q must start with mongodb:// or mongodb+srv://", redactURI(c.MongoURI))
	}
	if v = get("VERTAA_MONGODB_DATABASE"); !store.ValidDatabaseName(v.raw) {
		return c, v.errorf("%q: use 1 to 63 letters, digits, '_' or '-'", v.raw)
	}
	c.MongoDatabase = v.raw
	if c.MongoTimeout, err = parseDuration(get("VERTAA_MONGODB_TIMEOUT"), 0); err != nil {
		return c, err
	}
	v = get("VERTAA_LOG_LEVEL")
	if c.LogLevel, err = logging.ParseLevel(v.raw); err != nil {
		return c, v.errorf("%v", err)
	}
	v = get("VERTAA_LOG_FORMAT")
	if c.LogFormat, err = logging.ParseFormat(v.raw); err != nil {
		return c, v.errorf("%v", err)
	}
	if c.RequestTimeout, err = parseDuration(get("VERTAA_REQUEST_TIMEOUT"), time.Minute); err != nil {
		return c, err
	}
	if c.ShutdownTimeout, err = parseDuration(get("VERTAA_SHUTDOWN_TIMEOUT"), 0); err != nil {
		return c, err
	}
	c.MasterKey = strings.TrimSpace(get("VERTAA_MASTER_KEY").raw)
	if c.MasterKey != "" {
		if _, err := decodeSecret(c.MasterKey); err != nil {
			return c, get("VERTAA_MASTER_KEY").errorf("%v", err)
		}
	}
	v = get("VERTAA_ANONYMITY_THRESHOLD")
	if c.AnonymityThreshold, err = strconv.Atoi(strings.TrimSpace(v.raw)); err != nil || c.AnonymityThreshold < analytics.MinThreshold {
		return c, v.errorf("%q must be a whole number of at least %d", v.raw, analytics.MinThreshold)
	}
	v = get("VERTAA_ISSUER_NAME")
	if c.IssuerName, err = account.NormalizeName("issuer", v.raw); err != nil {
		return c, v.errorf("%q must be a name of 1 to %d characters", v.raw, account.MaxNameLength)
	}
	if v = get("VERTAA_ISSUER_URL"); strings.TrimSpace(v.raw) != "" {
		u, err := url.Parse(strings.TrimSpace(v.raw))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			return c, v.errorf("%q is not an http(s) address of a web site", v.raw)
		}
		c.IssuerURL = u.String()
	}
	if v = get("VERTAA_ISSUER_EMAIL"); strings.TrimSpace(v.raw) != "" {
		if c.IssuerEmail, err = account.NormalizeEmail(v.raw); err != nil {
			return c, v.errorf("%q is not an e-mail address", v.raw)
		}
	}
	if err := parseSMTP(&c, get); err != nil {
		return c, err
	}
	v = get("VERTAA_TRUSTED_PROXIES")
	if c.TrustedProxies, err = parseProxies(v.raw); err != nil {
		return c, v.errorf("%v", err)
	}
	return c, nil
}

// parseSMTP reads the SMTP settings; with no host, the others are
// ignored.
func parseSMTP(c *config, get func(string) value) error {
	host := get("VERTAA_SMTP_HOST")
	c.SMTP.Host = strings.TrimSpace(host.raw)
	if c.SMTP.Host == "" {
		return nil
	}
	port := get("VERTAA_SMTP_PORT")
	n, err := strconv.Atoi(strings.TrimSpace(port.raw))
	if err != nil || n < 1 || n > 65535 {
		return port.errorf("%q must be a port number from 1 to 65535", port.raw)
	}
	c.SMTP.Port = n
	c.SMTP.Username = get("VERTAA_SMTP_USERNAME").raw
	c.SMTP.Password = get("VERTAA_SMTP_PASSWORD").raw
	from := get("VERTAA_SMTP_FROM")
	addr, err := account.NormalizeEmail(from.raw)
	if err != nil {
		return from.errorf("%q must be the sender's e-mail address", from.raw)
	}
	c.SMTP.From, c.SMTP.FromName = addr, "vertaa"
	tlsMode := get("VERTAA_SMTP_TLS")
	c.SMTP.TLS = strings.ToLower(strings.TrimSpace(tlsMode.raw))
	if _, err := mail.NewSMTPSender(c.SMTP); err != nil {
		return &configError{setting: host.source + " and the other VERTAA_SMTP_ settings", msg: err.Error()}
	}
	return nil
}

// parseProxies accepts comma-separated IP addresses and CIDR ranges.
func parseProxies(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return nil, fmt.Errorf("%q is not an IP address or a CIDR range", p)
		}
		out = append(out, p)
	}
	return out, nil
}

// parseAddr accepts host:port with a numeric port; an empty host means
// every interface.
func parseAddr(s string) (string, error) {
	host, port, err := net.SplitHostPort(s)
	if ae, ok := errors.AsType[*net.AddrError](err); ok {
		return "", fmt.Errorf("%q is not host:port (%s)", s, ae.Err)
	}
	if err != nil {
		return "", fmt.Errorf("%q is not host:port", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("%q: port must be a number from 0 to 65535", s)
	}
	if strings.ContainsAny(host, "/ ") {
		return "", fmt.Errorf("%q: bad host %q", s, host)
	}
	return s, nil
}

// parsePublicURL accepts an absolute http or https URL of a host's root.
func parsePublicURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%q is not a URL", s)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%q must start with https:// (or http:// for local use)", s)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("%q has no host", s)
	case u.User != nil:
		return nil, fmt.Errorf("%q must not contain a user name or password", s)
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%q must be the root of a host, without path, query or fragment", s)
	}
	return u, nil
}

// parseDuration accepts a positive Go duration such as 10s or 1m30s, at
// most max when max > 0.
func parseDuration(v value, max time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v.raw))
	switch {
	case err != nil:
		return 0, v.errorf("%q is not a duration such as 10s or 1m30s", v.raw)
	case d <= 0:
		return 0, v.errorf("%q must be positive", v.raw)
	case max > 0 && d > max:
		return 0, v.errorf("%q must be at most %v", v.raw, max)
	}
	return d, nil
}

// redactURI hides the password of a connection string, so that it can be
// shown in messages and logs. It works on strings that are not valid URLs
// too (several hosts, bad escapes).
func redactURI(uri string) string {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return uri
	}
	hosts, path, _ := strings.Cut(rest, "/")
	at := strings.LastIndex(hosts, "@")
	if at < 0 {
		return uri
	}
	user, _, hasPassword := strings.Cut(hosts[:at], ":")
	if hasPassword {
		user += ":xxxxx"
	}
	out := scheme + "://" + user + "@" + hosts[at+1:]
	if path != "" || strings.Contains(rest, "/") {
		out += "/" + path
	}
	return out
}

// checkWritable makes sure dir exists and a file can be created in it.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return err
	}
	name := f.Name()
	_ = f.Close()
	return os.Remove(name)
}
