// Package demotest serves the wsflow demo (package demo) inside a test's
// process, on 127.0.0.1, for the tools' tests: the soak and the
// interoperability tests.
package demotest

import (
	"log/slog"
	"testing"

	"github.com/wsflow/wsflow/cmd/wsflow/demo"
	"github.com/wsflow/wsflow/internal/cmdtest"
)

// Demo is the demo application served for one test.
type Demo struct {
	Addr string          // HOST:PORT
	Logs *cmdtest.Buffer // what the demo logged
}

// Start serves demo.New, configured by the demo's flags args, until the
// end of the test, when it shuts the demo down; the test fails if that
// does not go cleanly, or if args are not the demo's flags.
func Start(t testing.TB, args ...string) *Demo {
	t.Helper()
	d := &Demo{Logs: &cmdtest.Buffer{}}
	cfg, err := demo.ParseFlags(args, d.Logs)
	if err != nil {
		t.Fatalf("demo flags %q: %v\n%s", args, err, d.Logs)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(d.Logs, nil))
	app := demo.New(cfg)
	d.Addr = cmdtest.Serve(t, app, app.Shutdown)
	return d
}

// WS returns the ws:// URL of pathAndQuery on the demo.
func (d *Demo) WS(pathAndQuery string) string { return "ws://" + d.Addr + pathAndQuery }
