// Command wsflow runs the wsflow demo application and a command-line
// client.
//
// Usage:
//
//	wsflow demo [flags]          serve the demo application
//	wsflow cat [flags] URL       an interactive client: stdin lines out, messages in
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
// The demo is package demo, which the load generator in tools/ runs as
// well; cat lives under internal/; this command only dispatches.
package main

import (
	"github.com/wsflow/wsflow/cmd/wsflow/demo"
	"github.com/wsflow/wsflow/cmd/wsflow/internal/cat"
	"github.com/wsflow/wsflow/internal/cli"
)

// program is the wsflow command: its subcommands by name.
var program = cli.Program{
	Name: "wsflow",
	Usage: `usage: wsflow <command> [flags]

commands:
  demo          serve the demo application (wsflow demo -h for its flags)
  cat           an interactive client: stdin lines out, messages in (wsflow cat -h)
`,
	Commands: map[string]cli.Command{
		"demo": cli.NoStdin(demo.Run),
		"cat":  cat.Run,
	},
}

func main() { program.Main() }
