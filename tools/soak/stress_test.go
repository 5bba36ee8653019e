package soak

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/tools/internal/demotest"
)

// echoMessages is the sequence of the echo tests, made once.
var echoMessages = sync.OnceValue(func() [][]byte { return echoSequence(10_000) })

// echoSequence returns n text messages whose sizes run over every value
// from 1 byte to 8 KiB (for n >= 8192) in a scrambled order. Each is a
// slice, from a random place, of random text mixing one- to four-byte
// UTF-8 characters; a character cut by the end is replaced with dots.
func echoSequence(n int) [][]byte {
	const maxSize = 8 << 10
	alphabet := []rune("az09 ~éßЖ€世✓😀𝄞")
	rng := rand.New(rand.NewPCG(1, 2))
	var text []byte
	for len(text) < 8*maxSize {
		text = utf8.AppendRune(text, alphabet[rng.IntN(len(alphabet))])
	}
	msgs := make([][]byte, n)
	for i := range msgs {
		size := 1 + i*7919%maxSize // 7919 is prime: i ↦ size runs over all sizes
		from := rng.IntN(len(text) - maxSize - utf8.UTFMax)
		for !utf8.RuneStart(text[from]) {
			from++
		}
		m := bytes.Clone(text[from : from+size])
		last := len(m) - 1
		for last > 0 && !utf8.RuneStart(m[last]) {
			last--
		}
		if !utf8.FullRune(m[last:]) {
			copy(m[last:], "...")
		}
		msgs[i] = m
	}
	return msgs
}

func TestEchoSequence(t *testing.T) {
	msgs := echoMessages()
	sizes := make(map[int]bool)
	multiByte := 0
	for _, m := range msgs {
		require.True(t, utf8.Valid(m))
		sizes[len(m)] = true
		if utf8.RuneCount(m) < len(m) {
			multiByte++
		}
	}
	require.Len(t, sizes, 8192, "every size from 1 B to 8 KiB")
	require.True(t, sizes[1] && sizes[8192])
	require.Greater(t, multiByte, 9000)
	require.NotEqual(t, msgs[100], msgs[100+8192], "same size, different content")
	require.Equal(t, len(msgs[100]), len(msgs[100+8192]))
}

// pipeline sends msgs on c from one goroutine while receiving the echoes
// on the calling one, and checks they come back intact, as text, in order.
func pipeline(ctx context.Context, c *client.Conn, msgs [][]byte) error {
	written := make(chan error, 1)
	go func() {
		for _, m := range msgs {
			if err := c.Send(ctx, message.Text(m)); err != nil {
				written <- err
				return
			}
		}
		written <- nil
	}()
	fail := func(err error) error {
		c.CloseNow()
		<-written
		return err
	}
	for i, want := range msgs {
		m, err := c.Receive(ctx)
		if err != nil {
			return fail(fmt.Errorf("reading message %d: %w", i, err))
		}
		if got, ok := m.(message.Text); !ok || string(got) != string(want) {
			return fail(fmt.Errorf("message %d: got a %v message %.20q..., want text of %d bytes", i, m.Kind(), m, len(want)))
		}
	}
	if err := <-written; err != nil {
		return err
	}
	return c.Close(message.NormalClosure, "")
}

// dialEcho opens a connection to d's /echo whose steps and writes may
// take as long as the test: under -race, beside other packages' tests, a
// peer's reader can go unscheduled for long.
func dialEcho(t *testing.T, d *demotest.Demo) *client.Conn {
	t.Helper()
	return wstest.Dial(t, d.WS("/echo"), wstest.WithTimeout(10*time.Minute)).Client()
}

// TestEchoManyMessages: 10,000 messages of 1 B to 8 KiB come back intact
// and in order on one /echo connection, and on each of 20 concurrent ones.
func TestEchoManyMessages(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 210,000 messages")
	}
	// Keep-alive is off: coder/websocket answers a ping inside its
	// reader, under the write lock this client's writer holds while it is
	// blocked on a server that is itself blocked writing echoes not yet
	// read. The pong waits, and the server drops the client for a missing
	// pong. The write timeout is long: under -race, beside other packages'
	// tests, a client's reader can go unscheduled for longer than the
	// default 10 s, and the server would rightly drop it (that rule has
	// its own tests).
	d := demotest.Start(t, "-keepalive", "0", "-write-timeout", "5m")
	msgs := echoMessages()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	t.Run("one connection", func(t *testing.T) {
		began := time.Now()
		require.NoError(t, pipeline(ctx, dialEcho(t, d), msgs))
		t.Logf("%d messages echoed in %v", len(msgs), time.Since(began))
	})

	t.Run("20 concurrent connections", func(t *testing.T) {
		const conns = 20
		cs := make([]*client.Conn, conns)
		for i := range cs {
			cs[i] = dialEcho(t, d)
		}
		began := time.Now()
		errs := make([]error, conns)
		var wg sync.WaitGroup
		for i, c := range cs {
			wg.Go(func() { errs[i] = pipeline(ctx, c, msgs) })
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "connection %d", i)
		}
		t.Logf("%d connections × %d messages echoed in %v", conns, len(msgs), time.Since(began))
	})
}
