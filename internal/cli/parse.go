package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// UsageError is a mistake in the command line or the environment. It has
// already been reported on standard error; the process exits with status 2.
type UsageError struct{ Err error }

// Error returns the mistake's text.
func (e UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the mistake.
func (e UsageError) Unwrap() error { return e.Err }

// IsUsage reports whether err is, or wraps, a UsageError.
func IsUsage(err error) bool {
	var ue UsageError
	return errors.As(err, &ue)
}

// Usagef reports a mistake on fs's output, prefixed with fs's name, and
// returns it as a UsageError.
func Usagef(fs *flag.FlagSet, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	fmt.Fprintf(fs.Output(), "%s: %v\n", fs.Name(), err)
	return UsageError{err}
}

// Parse parses a command's arguments with fs, which takes no positional
// arguments. -h gives flag.ErrHelp; anything wrong is reported on fs's
// output and returned as a UsageError.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return UsageError{err} // fs has reported it, with the usage
	}
	if fs.NArg() > 0 {
		return Usagef(fs, "unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// ParseWithEnv parses args as Parse does, then sets every flag that the
// command line did not give from its environment variable (see EnvName),
// when that is set and not empty. A bad value in the environment is
// reported on fs's output and returned as a UsageError.
func ParseWithEnv(fs *flag.FlagSet, args []string) error {
	if err := Parse(fs, args); err != nil {
		return err
	}
	if err := SetFromEnv(fs, os.LookupEnv); err != nil {
		return Usagef(fs, "%v", err)
	}
	return nil
}

// ErrReported is wrapped by the error of a command that has reported the
// failure on stderr itself: ExitCode adds nothing to what it said.
var ErrReported = errors.New("reported")

// ExitCode returns the process's exit status for the error a command of
// the wsflow binary returned (see Program.ExitCode).
func ExitCode(err error, stderr io.Writer) int {
	return Program{Name: "wsflow"}.ExitCode(err, stderr)
}

// ExitCode returns the process's exit status for the error one of p's
// commands returned: 0 for nil or flag.ErrHelp, 2 for a UsageError
// (already reported), 1 for an error wrapping ErrReported, and 1 for any
// other error, which it reports on stderr as "NAME: ERROR".
func (p Program) ExitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case IsUsage(err):
		return 2
	case errors.Is(err, ErrReported):
		return 1
	}
	fmt.Fprintf(stderr, "%s: %v\n", p.Name, err)
	return 1
}
