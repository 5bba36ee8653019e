package cli_test

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/wsflow/wsflow/internal/cli"
)

// A command's flags, each also set by WSFLOW_<NAME>; the command line
// wins.
func ExampleParseWithEnv() {
	os.Setenv("WSFLOW_WAIT", "2s")
	os.Setenv("WSFLOW_COUNT", "5")
	defer os.Unsetenv("WSFLOW_WAIT")
	defer os.Unsetenv("WSFLOW_COUNT")

	var count int
	var wait time.Duration
	fs := flag.NewFlagSet("wsflow example", flag.ContinueOnError)
	fs.SetOutput(os.Stdout)
	fs.Usage = func() {} // a command prints its own usage here
	fs.Var(cli.Int[int]{P: &count, Min: 1}, "count", "how many")
	fs.Var(cli.Duration{P: &wait}, "wait", "how long")
	if err := cli.ParseWithEnv(fs, []string{"-count", "3"}); err != nil {
		return
	}
	fmt.Println(count, wait)

	err := cli.ParseWithEnv(fs, []string{"-count", "0"})
	fmt.Println(cli.ExitCode(err, os.Stdout))
	// Output:
	// 3 2s
	// invalid value "0" for flag -count: must be at least 1
	// 2
}
