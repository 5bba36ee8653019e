package main

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/internal/cli"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runCommand runs the wsflow command line args with an empty standard
// input and returns the exit status, stdout and stderr.
func runCommand(args ...string) (status int, stdout, stderr string) {
	var out, errs bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a server that started would stop at once
	err := program.Run(ctx, args, strings.NewReader(""), &out, &errs)
	return cli.ExitCode(err, &errs), out.String(), errs.String()
}

func TestUsage(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{nil, "usage: wsflow <command>"},
		{[]string{"serve"}, `wsflow: unknown command "serve"`},
	} {
		status, stdout, stderr := runCommand(tt.args...)
		require.Equal(t, 2, status, "%q", tt.args)
		require.Empty(t, stdout)
		require.Equal(t, 1, strings.Count(stderr, tt.stderr), "reported once:\n%s", stderr)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"help"}, {"--help"}} {
		var stdout, stderr bytes.Buffer
		err := program.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
		require.ErrorIs(t, err, flag.ErrHelp)
		require.Equal(t, 0, cli.ExitCode(err, &stderr))
		require.Contains(t, stderr.String(), "usage: wsflow <command>")
		require.Empty(t, stdout.String())
	}
}

// TestDispatch: every command is reached with the arguments after its
// name, and its exit status is the process's.
func TestDispatch(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"demo", "-h"}, 0, "usage: wsflow demo [flags]"},
		{[]string{"demo", "-max-message", "0"}, 2, `invalid value "0" for flag -max-message`},
		{[]string{"demo", "-addr", "127.0.0.1:-1"}, 1, "wsflow: listen tcp"},
		{[]string{"cat", "-h"}, 0, "usage: wsflow cat [flags] URL"},
		{[]string{"cat", "ftp://x/"}, 2, `"ftp://x/" is not a ws:// or wss:// URL`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			status, stdout, stderr := runCommand(tt.args...)
			require.Equal(t, tt.status, status, "stderr:\n%s", stderr)
			require.Empty(t, stdout)
			require.Contains(t, stderr, tt.stderr)
		})
	}
}
