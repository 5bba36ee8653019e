package bench

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/internal/cli"
)

func TestParseFlagsBroadcast(t *testing.T) {
	var stderr bytes.Buffer
	r, out, err := parseFlags(context.Background(), strings.Fields("-spawn wsflow,gorilla-hub -mode broadcast -members 7 -senders 3 -rate 50"), &stderr)
	require.NoError(t, err, stderr.String())
	assert.Empty(t, stderr.String(), "the default baseline of broadcast is a target")
	assert.Equal(t, "gorilla-hub", baselineOf(Broadcast, out.baseline))
	assert.Equal(t, []Mode{Broadcast}, r.Modes)
	l := r.Loads[Broadcast]
	assert.Equal(t, 7, l.Members)
	assert.Equal(t, 3, l.Senders)
	assert.Equal(t, 50.0, l.Rate)
	assert.Equal(t, 64, l.Size, "the default size of broadcast")

	r, _, err = parseFlags(context.Background(), strings.Fields("-spawn wsflow -mode broadcast"), &stderr)
	require.NoError(t, err)
	assert.Equal(t, 500, r.Loads[Broadcast].Members)
	assert.Equal(t, 10, r.Loads[Broadcast].Senders)
	assert.Zero(t, r.Loads[Broadcast].Rate, "closed loop")

	r, _, err = parseFlags(context.Background(), strings.Fields("-spawn wsflow -mode broadcast,stream"), &stderr)
	require.NoError(t, err)
	assert.Equal(t, 4, r.Loads[Broadcast].Window, "broadcast's own default of -w")
	assert.Equal(t, 16, r.Loads[Stream].Window)
	r, _, err = parseFlags(context.Background(), strings.Fields("-spawn wsflow -mode broadcast,stream -w 7"), &stderr)
	require.NoError(t, err)
	assert.Equal(t, 7, r.Loads[Broadcast].Window, "-w given: for every mode")
	assert.Equal(t, 7, r.Loads[Stream].Window)
	assert.Contains(t, stderr.String(), `baseline "gorilla-hub" is not a target: no ratios for broadcast`)

	assert.Equal(t, "coder-bg", baselineOf(Stream, ""))
	assert.Equal(t, "gorilla", baselineOf(Broadcast, "gorilla"))
}

func TestParseFlagsRefusesWhatCannotRun(t *testing.T) {
	for args, says := range map[string]string{
		"-spawn coder-bg -mode broadcast":                        "target coder-bg cannot run broadcast: it serves no chat room route",
		"-spawn gorilla-hub -mode stream":                        "target gorilla-hub cannot run stream: it serves no echo route",
		"-spawn wsflow -mode broadcast -senders 11 -members 10":  "-senders from 1 to -members",
		"-spawn wsflow -mode broadcast -members 0":               "-members must be at least 1",
		"-spawn wsflow -mode broadcast -rate -1":                 "-rate must be 0",
		"-spawn wsflow -mode broadcast -binary":                  "chat rooms take text messages only",
		"-spawn wsflow -mode broadcast -size 40":                 "broadcast: -size must be at least 43",
		"-spawn wsflow -mode multicast":                          "unknown mode \"multicast\"",
		"-target hub=ws://127.0.0.1:1/chat/?x=1 -mode broadcast": "takes no query",
	} {
		var stderr bytes.Buffer
		_, _, err := parseFlags(context.Background(), strings.Fields(args), &stderr)
		var usage cli.UsageError
		require.True(t, errors.As(err, &usage), "%s: want a usage error, got %v", args, err)
		assert.ErrorContains(t, err, says, args)
		assert.Contains(t, stderr.String(), says, args)
	}
}

func TestURLTargetRoomRoute(t *testing.T) {
	tg, _, err := URLTarget(context.Background(), "hub", "ws://127.0.0.1:1/chat/")
	require.NoError(t, err)
	assert.Equal(t, "ws://127.0.0.1:1/chat/", tg.RoomURL)
	assert.Empty(t, tg.URL)
	assert.NoError(t, tg.Supports(Broadcast))
	assert.ErrorContains(t, tg.Supports(RTT), "cannot run rtt")

	tg, _, err = URLTarget(context.Background(), "echo", "ws://127.0.0.1:1/echo")
	require.NoError(t, err)
	assert.Equal(t, "ws://127.0.0.1:1/echo", tg.URL)
	assert.Empty(t, tg.RoomURL)
	assert.ErrorContains(t, tg.Supports(Broadcast), "cannot run broadcast")
}
