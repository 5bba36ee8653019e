package cli

import (
	"bytes"
	"flag"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEnvName(t *testing.T) {
	require.Equal(t, "WSFLOW_MAX_MESSAGE", EnvName("max-message"))
	require.Equal(t, "WSFLOW_KEEPALIVE", EnvName("keepalive"))
	require.Equal(t, "WSFLOW_SHUTDOWN_GRACE", EnvName("shutdown-grace"))
}

func TestListenURLHost(t *testing.T) {
	bound := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40123}
	require.Equal(t, "127.0.0.1:40123", ListenURLHost("127.0.0.1:0", bound))
	require.Equal(t, "localhost:40123", ListenURLHost("localhost:9000", bound))
	require.Equal(t, "localhost:40123", ListenURLHost(":0", bound))
	require.Equal(t, "[::1]:40123", ListenURLHost("[::1]:0", bound))
}

// testFlags is a flag set of each kind of value, reporting on out.
func testFlags(out *bytes.Buffer) (*flag.FlagSet, *int, *time.Duration) {
	fs := flag.NewFlagSet("wsflow test", flag.ContinueOnError)
	fs.SetOutput(out)
	n, d := new(int), new(time.Duration)
	fs.Var(Int[int]{n, 1}, "count", "")
	fs.Var(Duration{d}, "wait", "")
	return fs, n, d
}

func TestParseWithEnv(t *testing.T) {
	t.Run("environment, command line wins, empty unset", func(t *testing.T) {
		t.Setenv("WSFLOW_COUNT", "7")
		t.Setenv("WSFLOW_WAIT", "")
		var out bytes.Buffer
		fs, n, d := testFlags(&out)
		require.NoError(t, ParseWithEnv(fs, nil))
		require.Equal(t, 7, *n)
		require.Zero(t, *d)
		fs, n, _ = testFlags(&out)
		require.NoError(t, ParseWithEnv(fs, []string{"-count", "3"}))
		require.Equal(t, 3, *n)
	})
	t.Run("a bad variable is a usage error", func(t *testing.T) {
		t.Setenv("WSFLOW_WAIT", "-1s")
		var out bytes.Buffer
		fs, _, _ := testFlags(&out)
		err := ParseWithEnv(fs, nil)
		require.True(t, IsUsage(err), "%v", err)
		require.Equal(t, "wsflow test: invalid value \"-1s\" for WSFLOW_WAIT: must not be negative\n", out.String())
	})
	t.Run("positional arguments are refused", func(t *testing.T) {
		var out bytes.Buffer
		fs, _, _ := testFlags(&out)
		err := Parse(fs, []string{"extra"})
		require.True(t, IsUsage(err), "%v", err)
		require.Equal(t, "wsflow test: unexpected argument \"extra\"\n", out.String())
	})
	t.Run("help", func(t *testing.T) {
		var out bytes.Buffer
		fs, _, _ := testFlags(&out)
		require.ErrorIs(t, Parse(fs, []string{"-h"}), flag.ErrHelp)
	})
}

func TestPositiveDuration(t *testing.T) {
	var d time.Duration
	v := PositiveDuration{&d, 10 * time.Second}
	require.Equal(t, "10s", v.String())
	require.Error(t, v.Set("0s"))
	require.NoError(t, v.Set("2s"))
	require.Equal(t, "2s", v.String())
}
