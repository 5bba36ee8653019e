package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/wsflow/wsflow/internal/cli"
)

// benchUsage introduces "wsflow-tools bench -h".
const benchUsage = `usage: wsflow-tools bench [flags]

Measures WebSocket servers on loopback, side by side: each round runs
every target once, in order (A B C A B C ...), and the tables give each
figure's median over the rounds with its ratio to the baseline target.

Modes: stream (C connections, W messages in flight on each; every echo is
checked for content and order, and a mismatch fails the run), rtt (C
connections doing sequential request/response: latency percentiles), idle
(N connections held open: the server's resident memory per connection)
and broadcast (-members joined to one chat room, -senders of them
sending: deliveries per second and the latency from send to delivery;
every member checks that it receives every sender's messages, in order,
unaltered, and a mismatch or a gap fails the run). Broadcast is a closed
loop by default, each sender keeping -w messages on their way, sending
its next once every member has the one -w before it; with -rate each
sender sends that many messages a second whatever happens. Server CPU time per message (per delivery) is
read from /proc/PID/stat, and the server's write(2) calls per message
(per delivery) from /proc/PID/io.

Targets are spawned or given as running servers. -spawn starts "wsflow"
("wsflow demo", with its echo at /echo and its chat rooms at /chat/) or
"wsflow-tools bench-server -impl NAME": for stream, rtt and idle the echo
servers %s; for broadcast %s. -target
NAME=ws://127.0.0.1:PORT/PATH (loopback only) is a running server: a PATH
ending in / is a chat room route, for broadcast, to which the bench
appends ROOM?name=MEMBER; any other an echo route. Its process is found
by its port. A spawned target is restarted for each idle round; a -target
server is not, and after earlier rounds its idle figure undercounts (it
reuses memory it had freed).

The tables of BENCHMARKS.md:

  wsflow-tools bench -spawn wsflow,coder-bg,coder-ctx,gorilla

Broadcast, closed loop and at 100 messages a second per sender:

  wsflow-tools bench -spawn wsflow,gorilla-hub -mode broadcast
  wsflow-tools bench -spawn wsflow,gorilla-hub -mode broadcast -rate 100

`

// Run is the "wsflow-tools bench" command: it measures the targets its flags
// name (see the usage, "wsflow-tools bench -h") and prints the tables on
// stdout. A mistake in args is a cli.UsageError.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	r, out, err := parseFlags(ctx, args, stderr)
	if err != nil {
		return err
	}
	need := uint64(256)
	for _, l := range r.Loads {
		need += uint64(max(l.Conns, l.Idle, l.Members))
	}
	if err := RaiseFileLimit(need); err != nil {
		return err
	}
	if !out.quiet {
		r.Progress = stderr
	}
	results, runErr := r.Run(ctx)
	if runErr != nil && ctx.Err() != nil {
		runErr = errors.New("interrupted: the tables hold the modes that had finished")
	}
	for i, res := range results {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := res.Write(stdout, baselineOf(res.Mode, out.baseline)); err != nil {
			return err
		}
	}
	if out.svg != "" && len(results) > 0 {
		if err := writeChartFile(out.svg, results, out.baseline); err != nil {
			return err
		}
	}
	return runErr
}

// baselineOf is the target the ratios of mode are to: the one given by
// -baseline, else coder-bg, or gorilla-hub for broadcast.
func baselineOf(mode Mode, given string) string {
	switch {
	case given != "":
		return given
	case mode == Broadcast:
		return "gorilla-hub"
	}
	return "coder-bg"
}

// output is what the bench's flags ask of its report.
type output struct {
	baseline string // -baseline
	quiet    bool   // -q
	svg      string // -svg: the chart's file; "": none
}

// parseFlags reads the bench's flags into a Runner. Mistakes are
// reported on stderr and returned as a cli.UsageError.
func parseFlags(ctx context.Context, args []string, stderr io.Writer) (r *Runner, out output, err error) {
	fs := flag.NewFlagSet("wsflow-tools bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modes := fs.String("mode", "stream,rtt,idle", "comma-separated `modes` to run, in order: stream, rtt, idle, broadcast")
	spawn := fs.String("spawn", "", "comma-separated `targets` to start as child processes: "+strings.Join(SpawnNames(), ", "))
	var urls []string
	fs.Func("target", "a running server to measure, as `NAME=ws://HOST:PORT/PATH` on loopback (repeatable)", func(s string) error {
		urls = append(urls, s)
		return nil
	})
	fs.StringVar(&out.baseline, "baseline", "", "the `target` ratios are to (default coder-bg, and gorilla-hub for broadcast)")
	rounds := fs.Int("rounds", 5, "interleaved `rounds` of every mode")
	dur := fs.Duration("d", 5*time.Second, "measured `duration` of each rtt, stream and broadcast round")
	warmup := fs.Duration("warmup", time.Second, "traffic before each measured window")
	conns := fs.Int("c", 50, "`connections` of rtt and stream")
	window := fs.Int("w", 16, "stream: `messages` in flight per connection; broadcast, closed loop: per sender (default 4 there)")
	size := fs.Int("size", 0, "message size in `bytes` (default: 1024 for stream, 64 for rtt and broadcast)")
	binary := fs.Bool("binary", false, "rtt, stream: send binary messages (the wsflow demo's /echo takes text only)")
	idle := fs.Int("n", 5000, "idle: `connections` held open")
	members := fs.Int("members", 500, "broadcast: `members` of the room")
	senders := fs.Int("senders", 10, "broadcast: how many of the members send (`K`)")
	rate := fs.Float64("rate", 0, "broadcast: `messages` per second per sender; 0: closed loop (a sender's next message once all but -w-1 of its earlier ones have reached every member)")
	quietLoad := fs.Float64("quiet", 0.3, "before each rtt, stream and broadcast round, wait until other processes use less than this many `cores` (0: do not wait)")
	quietWait := fs.Duration("quiet-wait", 20*time.Second, "the longest wait for -quiet, per round")
	fs.BoolVar(&out.quiet, "q", false, "do not print a line per round on standard error")
	fs.StringVar(&out.svg, "svg", "", "also write the run as an SVG chart to `file` (per mode, each target's CPU per message or delivery, or KiB per idle connection, with p50 and p99 latency)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), benchUsage, strings.Join(EchoNames(), ", "), strings.Join(HubNames(), ", "))
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args); err != nil {
		return nil, out, err
	}
	fail := func(err error) (*Runner, output, error) {
		fmt.Fprintf(stderr, "wsflow-tools bench: %v\n", err)
		return nil, out, cli.UsageError{Err: err}
	}

	r = &Runner{
		Rounds: *rounds,
		Loads:  make(map[Mode]Load),
		Quiet:  Quiet{Threshold: *quietLoad, MaxWait: *quietWait},
	}
	for m := range strings.SplitSeq(*modes, ",") {
		mode := Mode(strings.TrimSpace(m))
		if !slices.Contains(Modes, mode) {
			return fail(fmt.Errorf("unknown mode %q (want stream, rtt, idle or broadcast)", mode))
		}
		if slices.Contains(r.Modes, mode) {
			return fail(fmt.Errorf("mode %q given twice", mode))
		}
		l := Load{Conns: *conns, Window: *window, Size: *size, Binary: *binary, Idle: *idle,
			Members: *members, Senders: *senders, Rate: *rate, Warmup: *warmup, Duration: *dur}
		if l.Size == 0 {
			l.Size = map[Mode]int{Stream: 1024, RTT: 64, Broadcast: 64}[mode]
		}
		if mode == Broadcast && !flagSet(fs, "w") {
			// 10 senders x 4 in flight saturate both servers of the table
			// and stay within gorilla-hub's queue of 256 per member (8
			// made it drop members).
			l.Window = broadcastWindow
		}
		r.Modes = append(r.Modes, mode)
		r.Loads[mode] = l
	}
	broadcast := slices.Contains(r.Modes, Broadcast)
	switch {
	case *rounds < 1:
		return fail(errors.New("-rounds must be at least 1"))
	case *conns < 1 || *window < 1 || *idle < 1:
		return fail(errors.New("-c, -w and -n must be at least 1"))
	case *size != 0 && (*size < MinSize || *size > 64<<10):
		return fail(fmt.Errorf("-size must be between %d and %d", MinSize, 64<<10))
	case broadcast && *size != 0 && *size < BroadcastMinSize:
		return fail(fmt.Errorf("broadcast: -size must be at least %d", BroadcastMinSize))
	case *members < 1 || *senders < 1 || *senders > *members:
		return fail(errors.New("-members must be at least 1, and -senders from 1 to -members"))
	case *rate < 0 || math.IsInf(*rate, 0) || math.IsNaN(*rate):
		return fail(errors.New("-rate must be 0 (closed loop) or a positive number of messages per second"))
	case broadcast && *binary:
		return fail(errors.New("broadcast sends text: chat rooms take text messages only (drop -binary)"))
	case *dur <= 0 || *warmup < 0:
		return fail(errors.New("-d must be positive and -warmup not negative"))
	case *quietLoad < 0 || *quietWait < 0:
		return fail(errors.New("-quiet and -quiet-wait must not be negative"))
	}

	names := map[string]bool{}
	add := func(t *Target) error {
		if names[t.Name] {
			return fmt.Errorf("target %q given twice", t.Name)
		}
		names[t.Name] = true
		r.Targets = append(r.Targets, t)
		return nil
	}
	if *spawn != "" {
		if r.Exe, err = os.Executable(); err != nil {
			return nil, out, err
		}
		for name := range strings.SplitSeq(*spawn, ",") {
			t, err := SpawnTarget(strings.TrimSpace(name))
			if err == nil {
				err = add(t)
			}
			if err != nil {
				return fail(err)
			}
		}
	}
	for _, s := range urls {
		name, u, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return fail(fmt.Errorf("-target %q: want NAME=ws://HOST:PORT/PATH", s))
		}
		t, note, err := URLTarget(ctx, name, u)
		if err == nil {
			err = add(t)
		}
		if err != nil {
			return fail(err)
		}
		if note != "" {
			fmt.Fprintf(stderr, "wsflow-tools bench: %s\n", note)
		}
	}
	if len(r.Targets) == 0 {
		return fail(errors.New("no target: give -spawn or -target"))
	}
	for _, mode := range r.Modes {
		for _, t := range r.Targets {
			if err := t.Supports(mode); err != nil {
				return fail(err)
			}
		}
	}
	warned := map[string]bool{}
	for _, mode := range r.Modes {
		if b := baselineOf(mode, out.baseline); !names[b] && !warned[b] {
			warned[b] = true
			fmt.Fprintf(stderr, "wsflow-tools bench: baseline %q is not a target: no ratios for %s\n", b, mode)
		}
	}
	return r, out, nil
}

// writeChartFile writes the chart of results (see WriteChart) to name.
func writeChartFile(name string, results []*Result, baseline string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := WriteChart(f, results, baseline); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// broadcastWindow is the default of -w for broadcast.
const broadcastWindow = 4

// flagSet reports whether name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
