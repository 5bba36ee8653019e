package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wsflow/wsflow/internal/cli"
)

// serverUsage introduces "wsflow-tools bench-server -h".
const serverUsage = `usage: wsflow-tools bench-server -impl NAME [-addr HOST:PORT]

Serves a baseline server of "wsflow-tools bench" and prints "listening on
http://HOST:PORT" once it accepts connections. An echo server (%s)
does nothing but read each message and write it back, at /echo. A
broadcast server (%s) serves chat rooms at /chat/{room}?name=N
with the protocol of the demo's route of that name: "* N joined", "N: TEXT"
for each text message a member sends, "* N left", to every member.

`

// ServerNames lists every server "wsflow-tools bench-server" serves: the echo
// servers and the broadcast servers, sorted.
func ServerNames() []string {
	names := append(EchoNames(), HubNames()...)
	slices.Sort(names)
	return names
}

// serverMux returns a mux that serves the baseline called name at its
// route: /echo for an echo server, /chat/{room} for a broadcast server.
func serverMux(name string) (*http.ServeMux, error) {
	mux := http.NewServeMux()
	if h, err := EchoHandler(name); err == nil {
		mux.Handle("GET /echo", h)
		return mux, nil
	}
	if h, err := HubHandler(name); err == nil {
		mux.Handle("GET /chat/{room}", h)
		return mux, nil
	}
	return nil, fmt.Errorf("unknown server %q (known: %s)", name, strings.Join(ServerNames(), ", "))
}

// RunServer is the "wsflow-tools bench-server" command: it serves one of the
// baseline servers of "wsflow-tools bench" (see ServerNames) until ctx ends. A
// mistake in args is a cli.UsageError.
func RunServer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wsflow-tools bench-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	impl := fs.String("impl", "", "the `server`: "+strings.Join(ServerNames(), ", "))
	addr := fs.String("addr", "127.0.0.1:0", "listen on `HOST:PORT`")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), serverUsage, strings.Join(EchoNames(), ", "), strings.Join(HubNames(), ", "))
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	mux, err := serverMux(*impl)
	if err != nil {
		fmt.Fprintf(stderr, "wsflow-tools bench-server: %v\n", err)
		return cli.UsageError{Err: err}
	}
	if err := RaiseFileLimit(0); err != nil {
		return err
	}

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "listening on http://%s\n", cli.ListenURLHost(*addr, ln.Addr()))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	srv.Close() // the sockets are hijacked: they end with the process
	<-served
	return nil
}
