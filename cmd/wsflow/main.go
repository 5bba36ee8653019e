// Command wsflow runs the wsflow demo application.
//
// Usage:
//
//	wsflow demo [flags]
//
// The demo serves the sockets of Play's WebSocket guide, written with the
// wsflow library; shared/CONTRACT.md describes what each route does. It
// prints "listening on http://HOST:PORT" once it accepts connections (the
// host of -addr, or localhost when -addr names none, and the port actually
// bound), logs with log/slog to standard error, and on SIGINT or SIGTERM
// closes every socket with 1001 and exits 0 within -shutdown-grace.
//
// Every flag may also be set with an environment variable WSFLOW_<NAME>,
// e.g. WSFLOW_MAX_MESSAGE for -max-message; the command line wins, and an
// empty variable counts as unset. Run "wsflow demo -h" for the flags.
//
// Exit status: 0 after a shutdown or -h; 2 for a mistake in the command
// line or the environment; 1 for any other error, such as an address
// already in use.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// commands maps each subcommand to the function that runs it with the
// arguments that follow its name.
var commands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"demo":         runDemo,
	"bench":        runBench,
	"bench-server": runBenchServer,
	"cat":          catCommand,
}

const usage = `usage: wsflow <command> [flags]

commands:
  demo          serve the demo application (wsflow demo -h for its flags)
  bench         measure echo servers side by side (wsflow bench -h)
  bench-server  serve a baseline echo server for bench (wsflow bench-server -h)
  cat           an interactive client: stdin lines out, messages in (wsflow cat -h)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// run runs the subcommand named by args[0] until it is done or ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{errors.New("no command")}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "wsflow: unknown command %q\n\n%s", args[0], usage)
		return usageError{fmt.Errorf("unknown command %q", args[0])}
	}
	return cmd(ctx, args[1:], stdout, stderr)
}

// usageError is a mistake in the command line or the environment. It has
// already been reported on standard error; the process exits with status 2.
type usageError struct{ err error }

// parseFlags parses a command's arguments with fs, which takes no
// positional arguments. -h gives flag.ErrHelp; anything wrong is reported
// on fs's output and returned as a usageError.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err} // fs has reported it, with the usage
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q", fs.Arg(0))
		fmt.Fprintf(fs.Output(), "%s: %v\n", fs.Name(), err)
		return usageError{err}
	}
	return nil
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode returns the process's exit status for the error run returned,
// reporting on stderr an error that has not been reported yet.
func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	}
	fmt.Fprintln(stderr, "wsflow:", err)
	return 1
}
