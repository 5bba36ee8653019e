package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDispatch: every command is reached with the arguments after its
// name, and its exit status is the process's.
func TestDispatch(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		status int
		stderr string
	}{
		{nil, 2, "usage: wsflow-tools <command>"},
		{[]string{"-h"}, 0, "usage: wsflow-tools <command>"},
		{[]string{"soak"}, 2, `wsflow-tools: unknown command "soak"`},
		{[]string{"bench", "-h"}, 0, "usage: wsflow-tools bench [flags]"},
		{[]string{"bench", "-rounds", "0", "-target", "x=ws://127.0.0.1:1/"}, 2, "-rounds must be at least 1"},
		{[]string{"bench-server", "-h"}, 0, "usage: wsflow-tools bench-server"},
		{[]string{"bench-server", "-impl", "nope"}, 2, "wsflow-tools bench-server:"},
		{[]string{"demo", "-max-message", "0"}, 2, `invalid value "0" for flag -max-message`},
		{[]string{"demo", "-addr", "127.0.0.1:-1"}, 1, "wsflow-tools: listen tcp"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // a server that started would stop at once
			err := program.Run(ctx, tt.args, strings.NewReader(""), &stdout, &stderr)
			require.Equal(t, tt.status, program.ExitCode(err, &stderr), "stderr:\n%s", stderr.String())
			require.Empty(t, stdout.String())
			require.Equal(t, 1, strings.Count(stderr.String(), tt.stderr), "reported once:\n%s", stderr.String())
		})
	}
}
