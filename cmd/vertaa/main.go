// Command vertaa runs the vertaa service: leadership competence
// self-assessments, verifiable digital badges and anonymous team
// comparisons for schools and colleges.
//
// Usage:
//
//	vertaa [serve] [flags]        run the web server (the default)
//	vertaa validate [paths...]    check questionnaire and badge definitions
//	vertaa admin create --email ADDRESS --name NAME
//	                              make an administrator
//	vertaa verify [-email ADDRESS] FILE
//	                              check a badge
//	vertaa keys rotate            start signing badges with a new key
//	vertaa demo [-seed N]         fill an empty store with a demo network
//	vertaa backup FILE            write an encrypted backup of the database
//	vertaa restore FILE           restore a backup into an empty database
//	vertaa loadtest [-rate N] [-duration D] [-steps N,...]
//	                              load a running server and check that
//	                              nothing acknowledged was lost
//	vertaa help                   list the settings
//
// Every setting is a flag and a VERTAA_* environment variable; flags win.
// With no database configured the server runs an embedded FerretDB in the
// data folder.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit codes: 1 for a failure while running, 2 for bad usage or
// configuration.
const (
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stderr))
}

// run executes the command line args and returns the exit code. Messages
// for the user go to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, err := parseConfig(args, getenv, stderr)
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if err != nil {
			fmt.Fprintln(stderr, "vertaa:", err)
			return exitUsage
		}
		return serve(ctx, cfg, stderr)
	case "validate":
		return validate(args, os.Stdout, stderr)
	case "admin":
		if len(args) > 0 && args[0] == "create" {
			return adminCreate(ctx, args[1:], getenv, os.Stdout, stderr)
		}
		fmt.Fprintln(stderr, "vertaa: usage: vertaa admin create --email ADDRESS --name NAME")
		return exitUsage
	case "verify":
		return verifyFile(ctx, args, getenv, os.Stdout, stderr)
	case "keys":
		if len(args) > 0 && args[0] == "rotate" {
			return keysRotate(ctx, args[1:], getenv, os.Stdout, stderr)
		}
		fmt.Fprintln(stderr, "vertaa: usage: vertaa keys rotate")
		return exitUsage
	case "demo":
		return demo(ctx, args, getenv, os.Stdout, stderr)
	case "backup":
		return backupCmd(ctx, args, getenv, os.Stdout, stderr)
	case "restore":
		return restoreCmd(ctx, args, getenv, os.Stdout, stderr)
	case "loadtest":
		return loadtest(ctx, args, getenv, os.Stdout, stderr)
	case "help", "-h", "--help":
		printHelp(stderr)
		return 0
	}
	fmt.Fprintf(stderr, "vertaa: unknown command %q (try vertaa help)\n", cmd)
	return exitUsage
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `vertaa: leadership competence self-assessments and verifiable badges

Usage:
  vertaa [serve] [flags]       run the web server (the default)
  vertaa validate [paths...]   check questionnaire and badge files or folders (default: the shipped ones)
  vertaa admin create --email ADDRESS --name NAME [flags]
                               make an administrator and print a link to set the password
  vertaa verify [-email ADDRESS] [-lang fi|sv|en] FILE
                               check a baked badge (.png, .svg), a .jwt file, or a JWT or badge URL
                               given in place of FILE; exits 0 when valid, 1 when not
  vertaa keys rotate           sign badges with a new key from now on; old keys stay published
  vertaa demo [-seed N] [-leaders N] [flags]
                               fill an empty store with a demo network (three organisations, their
                               teams, HR and 300 leaders, two rounds of answers) and print links to sign in
  vertaa backup [flags] FILE   write every collection of the database, as it is at one moment, to the new
                               file FILE, encrypted with a key derived from the master key; works beside a
                               running server (on MongoDB it needs a replica set)
  vertaa restore [flags] FILE  write the backup FILE into an empty database (a new data folder, or a new
                               VERTAA_MONGODB_DATABASE) after checking all of it; needs the master key the
                               backup was made with (VERTAA_MASTER_KEY, or master.key in the data folder)
  vertaa loadtest [-url URL] [-rate N] [-duration D] [-steps N,N,...] [-pid PID] [-report FILE] [flags]
                               drive a running server with leaders' and HR's traffic at a constant arrival
                               rate (on the demo network, seeded into an empty store), then read the store
                               back; exits 1 when a submission was lost or duplicated or a goal was missed
  vertaa help                  show this help

Settings (flag, then environment variable, then default):
`)
	for _, s := range settings {
		def, flagName := s.def, "-"+s.flag
		if def == "" {
			def = "-"
		}
		if s.flag == "" {
			flagName = "(no flag)"
		}
		fmt.Fprintf(w, "  %-19s %-25s default %s\n      %s\n", flagName, s.env, def, s.usage)
	}
}
