// Package cat is "wsflow cat", an interactive command-line WebSocket
// client: each line of standard input is sent as a message, each message
// received is printed on standard output, and the close that ends the
// connection is printed on standard error.
package cat

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wsflow/wsflow/internal/cli"
)

const catUsage = `usage: wsflow cat [flags] URL

Connects to the WebSocket at URL (ws:// or wss://), sends each line of
standard input as a text message (without its line ending), and prints
each message it receives on standard output, one per line; a binary one
is printed as "binary:" and its bytes in hex ("binary: 68 69"). When
standard input ends it closes the connection with 1000 and waits for the
server's close. The close code and reason are printed on standard error.

A server's text cannot drive the terminal: in the messages printed, and
in what cat prints on standard error (a refused handshake's body), the
control characters but the newline are escaped, as \x1b for ESC, \x0d
for a carriage return, \x7f for DEL, \u009b for a C1 control, and \xff
for a byte that is not UTF-8. With -raw, text messages are printed as
they come, whether standard output is a terminal or not.

  echo hi | wsflow cat ws://localhost:9000/echo

Exit status: 0 after a close with 1000 (normal closure) or 1001 (going
away); 1 after any other close, a dropped connection, or a refused
handshake (its HTTP status and body are printed); 2 for a mistake in the
command line. A redirect is not followed (browsers do not follow one on
a WebSocket handshake either): it is a refused handshake, whose
Location is printed.

Flags:
`

// Limits of wsflow cat.
const (
	catHandshakeTimeout = 30 * time.Second // for the opening handshake
	catCloseWait        = 5 * time.Second  // for the server's close, once cat has sent its own
	catReadLimit        = 64 << 20         // the largest message cat reads
)

// catConfig is the command line of wsflow cat.
type catConfig struct {
	url          string
	binary       bool
	raw          bool
	header       http.Header
	subprotocols []string
}

// parseCatFlags reads wsflow cat's command line. Flags may come before or
// after the URL. Mistakes are reported on stderr; -h returns
// flag.ErrHelp.
func parseCatFlags(args []string, stderr io.Writer) (*catConfig, error) {
	cfg := &catConfig{header: http.Header{}}
	fs := flag.NewFlagSet("wsflow cat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), catUsage)
		fs.PrintDefaults()
	}
	fs.BoolVar(&cfg.binary, "binary", false, "send each line as a binary message instead of a text message")
	fs.BoolVar(&cfg.raw, "raw", false, "print text messages as they come, control characters included, for a program reading the output")
	fs.Var(headerFlag{cfg.header}, "H", "add a `\"Name: value\"` header to the handshake request (repeatable)")
	fs.Func("subprotocol", "offer a `subprotocol` to the server (repeatable, in order of preference)", func(p string) error {
		cfg.subprotocols = append(cfg.subprotocols, p)
		return nil
	})
	fs.Func("origin", "send an Origin header with this `origin`, as a browser would, e.g. http://localhost:9000", func(o string) error {
		cfg.header.Set("Origin", o)
		return nil
	})

	var rest []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(rest) != 1 {
		fmt.Fprintf(stderr, "wsflow cat: want one URL, got %d arguments\n\n", len(rest))
		fs.Usage()
		return nil, errors.New("want one URL")
	}
	u, err := url.Parse(rest[0])
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "wsflow cat: %v\n", err)
		return nil, errors.New("bad URL")
	case u.Host == "" || (u.Scheme != "ws" && u.Scheme != "wss"):
		fmt.Fprintf(stderr, "wsflow cat: %q is not a ws:// or wss:// URL\n", rest[0])
		return nil, errors.New("bad URL")
	}
	cfg.url = rest[0]
	return cfg, nil
}

// headerFlag is the repeatable -H flag: "Name: value" adds a header.
type headerFlag struct{ h http.Header }

// String is empty: the headers are not shown as a default.
func (f headerFlag) String() string { return "" }

// Set adds the header of s, "Name: value".
func (f headerFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t") {
		return fmt.Errorf("want \"Name: value\", got %q", s)
	}
	f.h.Add(name, strings.TrimSpace(value))
	return nil
}

// Run is the "wsflow cat" command, reading the lines to send from stdin.
// It returns nil for exit status 0, a cli.UsageError for 2 and ErrFailed
// for 1 (see the usage, "wsflow cat -h"); cat has printed the details.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	switch runCat(ctx, args, stdin, stdout, stderr) {
	case 0:
		return nil
	case 2:
		return cli.UsageError{Err: errors.New("cat: bad command line")}
	default:
		return ErrFailed
	}
}

// ErrFailed is Run's error when the connection failed or ended with a
// close other than 1000 or 1001; cat has printed how on stderr, and the
// error wraps cli.ErrReported.
var ErrFailed = fmt.Errorf("cat: failed: %w", cli.ErrReported)

// runCat runs wsflow cat with args, reading the lines to send from stdin,
// and returns its exit status (see catUsage). When ctx ends (an
// interrupt), it closes the connection as the end of stdin does.
//
// A goroutine reads stdin; when the server closes first it may still be
// blocked in a read, and ends when stdin does.
func runCat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseCatFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	s := &session{cfg: cfg, interrupt: ctx, stdin: stdin, stdout: stdout, stderr: stderr, closeWait: catCloseWait, handshake: catHandshakeTimeout}
	return s.run()
}
