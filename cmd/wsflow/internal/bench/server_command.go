package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/wsflow/wsflow/cmd/wsflow/internal/cli"
)

// RunServer is the "wsflow bench-server" command: it serves one of the
// baseline echo servers of "wsflow bench" at /echo until ctx ends. A
// mistake in args is a cli.UsageError.
func RunServer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wsflow bench-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	impl := fs.String("impl", "", "the echo server: "+strings.Join(EchoNames(), ", "))
	addr := fs.String("addr", "127.0.0.1:0", "listen on `HOST:PORT`")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: wsflow bench-server -impl NAME [-addr HOST:PORT]\n\n"+
			"Serves at /echo a baseline echo server of \"wsflow bench\", one that does nothing\n"+
			"but read each message and write it back, and prints \"listening on\n"+
			"http://HOST:PORT\" once it accepts connections.\n\n")
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	h, err := EchoHandler(*impl)
	if err != nil {
		fmt.Fprintf(stderr, "wsflow bench-server: %v\n", err)
		return cli.UsageError{Err: err}
	}
	if err := RaiseFileLimit(0); err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.Handle("GET /echo", h)
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
