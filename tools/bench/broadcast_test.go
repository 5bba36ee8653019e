package bench

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// faultyRoom serves one chat room with the demo's protocol, but mishandles
// message 3 of m0 (whose header ends "0000000000000003:"): it drops it,
// sends it twice, sends it after message 4 (reorder), or changes a byte
// of it on its way to m1 (corrupt); any other fault, none. It calls
// onMessage, unless nil, for each message a member sends.
func faultyRoom(fault string, onMessage func()) http.Handler {
	var (
		mu      sync.Mutex
		members = map[*websocket.Conn]string{}
		held    []byte
	)
	// deliver sends line to every member, in one order for all (mu held).
	deliver := func(line []byte) {
		for c, name := range members {
			out := line
			if fault == "corrupt" && name == "m1" && isThirdOfM0(line) {
				out = bytes.Clone(line)
				out[len(out)-1]++
			}
			c.Write(context.Background(), websocket.MessageText, out)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		name := r.URL.Query().Get("name")
		mu.Lock()
		members[c] = name
		deliver([]byte("* " + name + " joined"))
		mu.Unlock()
		defer func() {
			mu.Lock()
			delete(members, c)
			deliver([]byte("* " + name + " left"))
			mu.Unlock()
		}()
		for {
			_, p, err := c.Read(context.Background())
			if err != nil {
				return
			}
			if onMessage != nil {
				onMessage()
			}
			line := append([]byte(name+": "), p...)
			mu.Lock()
			switch third := isThirdOfM0(line); {
			case third && fault == "drop":
			case third && fault == "reorder":
				held = line
			case third && fault == "duplicate":
				deliver(line)
				deliver(line)
			default:
				deliver(line)
				if held != nil && name == "m0" {
					deliver(held)
					held = nil
				}
			}
			mu.Unlock()
		}
	})
}

func isThirdOfM0(line []byte) bool {
	return bytes.HasPrefix(line, []byte("m0: 00000000:0000000000000003:"))
}

func TestBroadcastFailsOnAFault(t *testing.T) {
	for fault, want := range map[string]struct {
		member int // -1: any
		seq    uint64
		says   string
	}{
		"drop":      {-1, 3, "message 3 of m0 is missing: message 4 came next"},
		"duplicate": {-1, 4, "message 3 of m0 came again, or out of order, when message 4 was due"},
		"reorder":   {-1, 3, "message 3 of m0 is missing: message 4 came next"},
		"corrupt":   {1, 3, "message 3 of m0 differs from byte 63"},
	} {
		t.Run(fault, func(t *testing.T) {
			l := tinyBroadcast
			l.Members = 3
			l.Rate = 500 // a closed loop would wait for the dropped message
			_, err := MeasureBroadcast(context.Background(), roomServer(t, faultyRoom(fault, nil)), 0, l)
			var d *DeliveryError
			require.True(t, errors.As(err, &d), "want a delivery error, got %v", err)
			if want.member >= 0 {
				assert.Equal(t, want.member, d.Member)
			}
			assert.Equal(t, 0, d.Sender)
			assert.Equal(t, want.seq, d.Seq)
			assert.Contains(t, d.Error(), want.says)
		})
	}
}

func TestBroadcastFailsOnAFaultInAClosedLoop(t *testing.T) {
	_, err := MeasureBroadcast(context.Background(), roomServer(t, faultyRoom("corrupt", nil)), 0, tinyBroadcast)
	var d *DeliveryError
	require.True(t, errors.As(err, &d), "want a delivery error, got %v", err)
	assert.Equal(t, 1, d.Member)
}

func TestBroadcastEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := tinyBroadcast
	l.Duration = 1 << 62
	// The round ends when ctx does, once the senders have begun.
	_, err := MeasureBroadcast(ctx, roomServer(t, faultyRoom("", cancel)), 0, l)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRunnerRefusesATargetThatCannotRunAMode(t *testing.T) {
	echo, err := EchoHandler("gorilla")
	require.NoError(t, err)
	tg, _, err := URLTarget(context.Background(), "gorilla", echoServer(t, echo))
	require.NoError(t, err)
	r := &Runner{Targets: []*Target{tg}, Modes: []Mode{Stream, Broadcast}, Loads: map[Mode]Load{Stream: tinyLoad, Broadcast: tinyBroadcast}, Rounds: 1}
	results, err := r.Run(context.Background())
	assert.ErrorContains(t, err, "target gorilla cannot run broadcast: it serves no chat room route")
	assert.Empty(t, results, "nothing ran")
}
