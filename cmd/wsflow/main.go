// Command wsflow runs the wsflow demo application, a command-line client,
// and a load generator.
//
// Usage:
//
//	wsflow demo [flags]          serve the demo application
//	wsflow cat [flags] URL       an interactive client: stdin lines out, messages in
//	wsflow bench [flags]         measure echo servers side by side
//	wsflow bench-server [flags]  serve a baseline echo server for bench
//
// The demo serves the sockets of Play's WebSocket guide, written with the
// wsflow library; docs/demo.md describes what each route does. It prints
// "listening on http://HOST:PORT" once it accepts connections, logs with
// log/slog to standard error, and on SIGINT or SIGTERM closes every socket
// with 1001 and exits 0 within -shutdown-grace.
//
// Every flag of the demo may also be set with an environment variable
// WSFLOW_<NAME>, e.g. WSFLOW_MAX_MESSAGE for -max-message; the command
// line wins, and an empty variable counts as unset. Run "wsflow demo -h"
// for the flags, and likewise for each command.
//
// Exit status: 0 after a shutdown or -h; 2 for a mistake in the command
// line or the environment; 1 for any other error, such as an address
// already in use.
//
// Each command lives in a package of its own under internal/: demo, cat
// and bench; this one only dispatches.
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

	"github.com/wsflow/wsflow/cmd/wsflow/internal/bench"
	"github.com/wsflow/wsflow/cmd/wsflow/internal/cat"
	"github.com/wsflow/wsflow/cmd/wsflow/internal/cli"
	"github.com/wsflow/wsflow/cmd/wsflow/internal/demo"
)

// command runs a subcommand with the arguments that follow its name,
// until it is done or ctx ends.
type command func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// commands maps each subcommand to the function that runs it.
var commands = map[string]command{
	"demo":         noStdin(demo.Run),
	"cat":          cat.Run,
	"bench":        noStdin(bench.Run),
	"bench-server": noStdin(bench.RunServer),
}

// noStdin adapts a command that reads nothing from standard input.
func noStdin(run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) command {
	return func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
		return run(ctx, args, stdout, stderr)
	}
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
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(cli.ExitCode(err, os.Stderr))
}

// run runs the subcommand named by args[0] until it is done or ctx ends.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return cli.UsageError{Err: errors.New("no command")}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "wsflow: unknown command %q\n\n%s", args[0], usage)
		return cli.UsageError{Err: fmt.Errorf("unknown command %q", args[0])}
	}
	return cmd(ctx, args[1:], stdin, stdout, stderr)
}
