package flow_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/wsflow/wsflow/internal/flowtest"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
)

// counter is an actor that keeps its state in local variables: it answers
// each number with the running total and stops at "stop".
func counter(ctx context.Context, mailbox <-chan string, out flow.Outbox[string]) error {
	total := 0
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m, ok := <-mailbox:
			if !ok {
				return nil
			}
			if m == "stop" {
				return nil
			}
			var n int
			if _, err := fmt.Sscan(m, &n); err != nil {
				return message.Errorf(message.PolicyViolation, "not a number: %q", m)
			}
			total += n
			if err := out.Send(fmt.Sprint(total)); err != nil {
				return err
			}
		}
	}
}

func TestActorAnswersInOrder(t *testing.T) {
	got, err := run(t, flow.Actor(counter), "1", "2", "3")
	require.NoError(t, err)
	require.Equal(t, []string{"1", "3", "6"}, got)
}

func TestActorReturningEndsTheFlow(t *testing.T) {
	got, err := run(t, flow.Actor(counter), "5", "stop", "7")
	require.NoError(t, err)
	require.Equal(t, []string{"5"}, got)

	_, err = run(t, flow.Actor(counter), "x")
	var ce *message.CloseError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, message.PolicyViolation, ce.Code)

	boom := errors.New("boom")
	_, err = run(t, flow.Actor(func(context.Context, <-chan string, flow.Outbox[string]) error { return boom }))
	require.ErrorIs(t, err, boom)
}

func TestActorCanSendFirst(t *testing.T) {
	greeter := func(ctx context.Context, mailbox <-chan string, out flow.Outbox[string]) error {
		if err := out.Send("Hello!"); err != nil {
			return err
		}
		for range mailbox {
		}
		return nil
	}
	got, err := run(t, flow.Actor(greeter))
	require.NoError(t, err)
	require.Equal(t, []string{"Hello!"}, got)
}

func TestActorOnDoneRunsAfterTheActorReturned(t *testing.T) {
	returned := make(chan struct{})
	var sawReturn bool
	f := flow.Actor(func(ctx context.Context, _ <-chan string, _ flow.Outbox[string]) error {
		<-ctx.Done()
		close(returned)
		return nil
	}).OnDone(func(error) {
		select {
		case <-returned:
			sawReturn = true
		default:
		}
	})
	r := flow.Start(context.Background(), f, (&collector[string]{}).emit)
	r.Stop()
	require.True(t, sawReturn)
}

// blockedActor takes no message until release is closed.
func blockedActor(release <-chan struct{}, got chan<- string) func(context.Context, <-chan string, flow.Outbox[string]) error {
	return func(ctx context.Context, mailbox <-chan string, _ flow.Outbox[string]) error {
		select {
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		for m := range mailbox {
			got <- m
		}
		close(got)
		return nil
	}
}

func TestMailboxOverflowPolicies(t *testing.T) {
	tests := []struct {
		policy flow.Overflow
		want   []string
		err    error
	}{
		{flow.Backpressure, []string{"1", "2", "3", "4"}, nil},
		{flow.DropNew, []string{"1", "2"}, nil},
		{flow.DropHead, []string{"3", "4"}, nil},
		{flow.Fail, nil, flow.ErrMailboxOverflow},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.policy), func(t *testing.T) {
			release := make(chan struct{})
			got := make(chan string, 10)
			f := flow.Actor(blockedActor(release, got), flow.WithMailbox(2, tt.policy))
			r := flow.Start(context.Background(), f, (&collector[string]{}).emit)
			require.NoError(t, r.Push("1"))
			require.NoError(t, r.Push("2"))
			if tt.policy == flow.Backpressure {
				pushed := make(chan error, 2)
				go func() {
					pushed <- r.Push("3")
					pushed <- r.Push("4")
				}()
				select {
				case <-pushed:
					t.Fatal("a push into a full mailbox returned before the actor took anything")
				default:
				}
				close(release)
				require.NoError(t, flowtest.Receive(t, pushed))
				require.NoError(t, flowtest.Receive(t, pushed))
			} else {
				err3, err4 := r.Push("3"), r.Push("4")
				if tt.err != nil {
					require.ErrorIs(t, err3, tt.err)
					flowtest.WaitDone(t, r)
					require.ErrorIs(t, r.Stop(), tt.err)
					return
				}
				require.NoError(t, err3)
				require.NoError(t, err4)
				close(release)
			}
			r.CloseInput()
			var all []string
			for m := range got {
				all = append(all, m)
			}
			flowtest.WaitDone(t, r)
			require.NoError(t, r.Stop())
			require.Equal(t, tt.want, all)
		})
	}
}
