package cli

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

// Command runs a subcommand with the arguments that follow its name,
// until it is done or ctx ends.
type Command func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// NoStdin adapts a command that reads nothing from standard input.
func NoStdin(run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) Command {
	return func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
		return run(ctx, args, stdout, stderr)
	}
}

// Program is a binary made of subcommands: its first argument names the
// command, and the rest are that command's.
type Program struct {
	Name     string             // the binary's name, as in "NAME: unknown command"
	Usage    string             // printed for -h, for no command and for an unknown one
	Commands map[string]Command // each subcommand by name
}

// Run runs the subcommand named by args[0] until it is done or ctx ends.
// -h, -help, --help and help print the usage and return flag.ErrHelp; no
// command or an unknown one print it and return a UsageError.
func (p Program) Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, p.Usage)
		return UsageError{Err: errors.New("no command")}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, p.Usage)
		return flag.ErrHelp
	}
	cmd, ok := p.Commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "%s: unknown command %q\n\n%s", p.Name, args[0], p.Usage)
		return UsageError{Err: fmt.Errorf("unknown command %q", args[0])}
	}
	return cmd(ctx, args[1:], stdin, stdout, stderr)
}

// Main runs the program with the process's arguments and standard files,
// until the command is done or SIGINT or SIGTERM arrives, and exits with
// the status p.ExitCode gives.
func (p Program) Main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := p.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(p.ExitCode(err, os.Stderr))
}
