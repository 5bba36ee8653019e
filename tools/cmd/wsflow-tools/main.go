// Command wsflow-tools measures the wsflow demo against other Go
// WebSocket servers.
//
// Usage:
//
//	wsflow-tools bench [flags]         measure servers side by side
//	wsflow-tools bench-server [flags]  serve a baseline server for bench
//	wsflow-tools demo [flags]          serve the wsflow demo (what bench spawns as "wsflow")
//
// bench starts the servers it measures as child processes of this binary
// (-spawn), or measures running ones (-target); BENCHMARKS.md holds its
// figures and the command lines that made them. Exit status: 0 after a
// run or -h; 2 for a mistake in the command line; 1 for any other error.
package main

import (
	"github.com/wsflow/wsflow/cmd/wsflow/demo"
	"github.com/wsflow/wsflow/internal/cli"
	"github.com/wsflow/wsflow/tools/bench"
)

// program is the wsflow-tools command: its subcommands by name.
var program = cli.Program{
	Name: "wsflow-tools",
	Usage: `usage: wsflow-tools <command> [flags]

commands:
  bench         measure servers side by side (wsflow-tools bench -h)
  bench-server  serve a baseline server for bench (wsflow-tools bench-server -h)
  demo          serve the wsflow demo (wsflow-tools demo -h)
`,
	Commands: map[string]cli.Command{
		"bench":        cli.NoStdin(bench.Run),
		"bench-server": cli.NoStdin(bench.RunServer),
		"demo":         cli.NoStdin(demo.Run),
	},
}

func main() { program.Main() }
