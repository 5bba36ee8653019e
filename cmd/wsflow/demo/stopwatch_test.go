package demo

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
)

// every is the interval of the ticking sockets under test.
const every = "20ms"

// elapse returns once at least n intervals of every have passed: it
// counts n ticks of a /ticks socket, whose first tick comes one interval
// after its handshake. Tests wait on it where the passing of time is the
// point (a stop watch that stays stopped), never to let the server catch
// up.
func elapse(t *testing.T, d *testDemo, n int) {
	t.Helper()
	clock := wstest.Dial(t, d.wsURL("/ticks?every="+every))
	for range n {
		clock.ExpectText("tick")
	}
	clock.CloseNow()
}

// expectCounts reads the stop watch ticks from, from+1, ... up to to.
func expectCounts(t *testing.T, c *wstest.Conn, from, to int) {
	t.Helper()
	for n := from; n <= to; n++ {
		c.ExpectText(strconv.Itoa(n))
	}
}

// untilClose reads text messages until the server closes the connection,
// and returns them and the close.
func untilClose(t *testing.T, c *wstest.Conn) ([]string, message.Close) {
	t.Helper()
	var msgs []string
	for {
		kind, p, closed := c.Next()
		if closed != nil {
			return msgs, *closed
		}
		require.Equal(t, message.KindText, kind, "after %q", msgs)
		msgs = append(msgs, string(p))
	}
}

// countsFrom returns how many of msgs, from the first, read from, from+1,
// from+2, ...
func countsFrom(msgs []string, from int) int {
	n := 0
	for n < len(msgs) && msgs[n] == strconv.Itoa(from+n) {
		n++
	}
	return n
}

// unknown is the close of a stop watch sent the command cmd.
func unknown(cmd string) message.Close {
	return message.Close{Code: message.PolicyViolation, Reason: "unknown command " + strconv.Quote(cmd)}
}

// TestStopwatchProtocol runs the protocol of /stopwatch against the three
// sockets that speak it: the Flow API's, the one that also answers
// "time", and the actor's.
//
// A command travels to the server while ticks travel back, so the ticks
// that follow a command may include ticks the server sent before it read
// the command. The assertions allow for them and rely only on what the
// server guarantees: the counter moves only by ticks and by reset, and
// no tick passes the running check once stop has been read. A tick that
// had already passed it when stop arrived may still be counted and sent
// (Play's stop watch, with its AtomicBoolean and AtomicLong, does the
// same).
func TestStopwatchProtocol(t *testing.T) {
	d := startDemo(t)
	for _, route := range []string{"/stopwatch", "/stopwatch/query", "/actor/stopwatch"} {
		url := d.wsURL(route + "?every=" + every)
		t.Run(strings.TrimPrefix(route, "/"), func(t *testing.T) {
			t.Run("stopped until start; an unknown command closes with 1008", func(t *testing.T) {
				c := wstest.Dial(t, url)
				elapse(t, d, 3)
				c.SendText("jump")
				require.Equal(t, unknown("jump"), closeOf(t, c), "no tick before the close")
			})

			t.Run("start ticks 0 1 2; after stop, start resumes where it stopped", func(t *testing.T) {
				c := wstest.Dial(t, url)
				c.SendText("start")
				expectCounts(t, c, 0, 2)
				c.SendText("stop")
				elapse(t, d, 5) // a stopped watch does not count
				c.SendText("start")
				expectCounts(t, c, 3, 5)
			})

			t.Run("stop sends no more ticks", func(t *testing.T) {
				c := wstest.Dial(t, url)
				c.SendText("start")
				expectCounts(t, c, 0, 2)
				c.SendText("stop")
				c.SendText("reset")
				elapse(t, d, 5)
				c.SendText("jump")
				msgs, ce := untilClose(t, c)
				require.Equal(t, unknown("jump"), ce)
				// Ticks the server sent before it read stop continue from 3;
				// any tick sent after reset would read 0, 1, 2, ...: at most
				// one, the tick in flight, may read 0.
				rest := msgs[countsFrom(msgs, 3):]
				require.True(t, len(rest) == 0 || len(rest) == 1 && rest[0] == "0",
					"ticks after stop and reset: %q", msgs)
			})

			t.Run("reset starts again from 0", func(t *testing.T) {
				c := wstest.Dial(t, url)
				c.SendText("start")
				expectCounts(t, c, 0, 2)
				c.SendText("reset")
				var before []string
				for {
					p := c.ReadText()
					if p == "0" {
						break
					}
					before = append(before, p)
				}
				require.Equal(t, len(before), countsFrom(before, 3), "ticks before the reset took effect: %q", before)
				expectCounts(t, c, 1, 2)
				c.SendText("stop")
				c.Close()
			})

			t.Run("a long unknown command is named in a reason that fits a close frame", func(t *testing.T) {
				c := wstest.Dial(t, url)
				c.SendText(strings.Repeat("é", 100))
				// `unknown command "` is 17 bytes; 53 two-byte characters fill
				// the remaining 106 of the 123 a close reason may have.
				c.ExpectClose(message.PolicyViolation, `unknown command "`+strings.Repeat("é", 53))
			})
		})
	}

	for _, route := range []string{"/stopwatch", "/actor/stopwatch"} {
		t.Run(strings.TrimPrefix(route, "/")+" knows no time", func(t *testing.T) {
			c := wstest.Dial(t, d.wsURL(route))
			c.SendText("time")
			require.Equal(t, unknown("time"), closeOf(t, c))
		})
	}
}

func TestStopwatchQuery(t *testing.T) {
	d := startDemo(t)

	t.Run("time answers at once", func(t *testing.T) {
		c := wstest.Dial(t, d.wsURL("/stopwatch/query")) // a tick a minute: none comes
		c.SendText("time")
		c.ExpectText("0")
		c.SendText("start")
		c.SendText("time")
		c.ExpectText("0")
		c.SendText("time")
		c.ExpectText("0") // time changes nothing
		c.SendText("stop")
		c.SendText("reset")
		c.SendText("time")
		c.ExpectText("0")
		c.SendText("jump")
		require.Equal(t, unknown("jump"), closeOf(t, c))
	})

	t.Run("time counts the ticks sent", func(t *testing.T) {
		c := wstest.Dial(t, d.wsURL("/stopwatch/query?every="+every))
		c.SendText("start")
		expectCounts(t, c, 0, 2)
		c.SendText("stop")
		c.SendText("time")
		c.SendText("jump")
		msgs, ce := untilClose(t, c)
		require.Equal(t, unknown("jump"), ce)
		// The answer is one more than the last tick before it: "3" unless
		// ticks left before the server read stop. A tick that had passed
		// the running check when stop arrived may come after the answer,
		// reading the same number.
		if n := len(msgs); n >= 2 && msgs[n-1] == msgs[n-2] {
			msgs = msgs[:n-1]
		}
		require.NotEmpty(t, msgs, "no answer")
		require.Equal(t, len(msgs), countsFrom(msgs, 3), "ticks then the answer: %q", msgs)
		if len(msgs) > 1 {
			t.Logf("ticks sent before the server read stop: %q", msgs)
		}
	})

	t.Run("time after reset", func(t *testing.T) {
		c := wstest.Dial(t, d.wsURL("/stopwatch/query?every="+every))
		c.SendText("start")
		expectCounts(t, c, 0, 1)
		c.SendText("stop")
		c.SendText("reset")
		c.SendText("time")
		c.SendText("jump")
		msgs, ce := untilClose(t, c)
		require.Equal(t, unknown("jump"), ce)
		// Ticks before the server read stop continue from 2; the answer
		// counts the ticks sent since the reset: none, or a tick in flight
		// counted after the reset, before ("0", "1") or after ("0", "0")
		// the answer.
		rest := msgs[countsFrom(msgs, 2):]
		require.Contains(t, [][]string{{"0"}, {"0", "1"}, {"0", "0"}}, rest, "after the ticks: %q", msgs)
	})
}

func TestTicks(t *testing.T) {
	d := startDemo(t)

	t.Run("ticks and logs its input", func(t *testing.T) {
		c := wstest.Dial(t, d.wsURL("/ticks?every="+every))
		for range 3 {
			c.ExpectText("tick")
		}
		c.SendText("hello ticks")
		for range 3 {
			c.ExpectText("tick") // still open; nothing answers
		}
		require.NoError(t, d.logs.WaitFor(testCtx(t), `msg="ticks: received" message="hello ticks"`))
		c.Close()
	})

	t.Run("default every second", func(t *testing.T) {
		for _, query := range []string{"", "?every="} {
			c := wstest.Dial(t, d.wsURL("/ticks"+query))
			c.ExpectText("tick")
			c.Close()
		}
	})

	t.Run("bounds accepted", func(t *testing.T) {
		for _, query := range []string{"?every=10ms", "?every=1h", "?every=1m30s", "?every=0.5s"} {
			c := wstest.Dial(t, d.wsURL("/ticks"+query))
			c.Close()
		}
	})
}

// TestEveryRefused checks, on every ticking route, that an interval that
// is not a Go duration within 10ms to 1h is refused before the upgrade.
func TestEveryRefused(t *testing.T) {
	d := startDemo(t)
	const (
		notDuration = "400 bad request: every must be a duration such as 250ms, 2s or 1m\n"
		outOfRange  = "400 bad request: every must lie within 10ms to 1h\n"
	)
	for _, route := range []string{"/ticks", "/stopwatch", "/stopwatch/query", "/actor/stopwatch"} {
		for _, tt := range []struct{ query, body string }{
			{"?every=5ms", outOfRange},
			{"?every=9ms", outOfRange},
			{"?every=9999us", outOfRange},
			{"?every=2h", outOfRange},
			{"?every=1h0m0.001s", outOfRange},
			{"?every=0", outOfRange},
			{"?every=-1s", outOfRange},
			{"?every=abc", notDuration},
			{"?every=1", notDuration},
			{"?every=1%20s", notDuration},
			{"?every=%zz", "400 bad request: malformed query string\n"},
		} {
			t.Run(strings.TrimPrefix(route, "/")+tt.query, func(t *testing.T) {
				status, body := refused(t, d.wsURL(route+tt.query))
				require.Equal(t, http.StatusBadRequest, status)
				require.Equal(t, tt.body, body)
			})
		}
	}
}
