package flow_test

import (
	"context"
	"github.com/wsflow/wsflow/internal/flowtest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
)

func TestBufferStrategies(t *testing.T) {
	// Downstream takes 1 and stalls; 2, 3, 4 fill a buffer of 3, and 5
	// and 6 overflow it.
	tests := []struct {
		strategy flow.Overflow
		want     []int
		err      error
	}{
		{flow.Backpressure, []int{1, 2, 3, 4, 5, 6}, nil},
		{flow.DropHead, []int{1, 4, 5, 6}, nil},
		{flow.DropTail, []int{1, 2, 3, 6}, nil},
		{flow.DropBuffer, []int{1, 5, 6}, nil},
		{flow.DropNew, []int{1, 2, 3, 4}, nil},
		{flow.Fail, nil, flow.ErrBufferOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.strategy.String(), func(t *testing.T) {
			entered := make(chan int, 10)
			release := make(chan struct{})
			var c collector[int]
			r := flow.Start(t.Context(), flow.Buffer[int](3, tt.strategy), func(v int) error {
				entered <- v
				<-release
				return c.emit(v)
			})
			defer r.Stop()
			require.NoError(t, r.Push(1))
			assert.Equal(t, 1, flowtest.Receive(t, entered)) // the buffer is empty again
			for _, v := range []int{2, 3, 4} {
				require.NoError(t, r.Push(v))
			}
			switch {
			case tt.err != nil:
				assert.ErrorIs(t, r.Push(5), tt.err)
				close(release)
				flowtest.WaitDone(t, r)
				assert.ErrorIs(t, r.Stop(), tt.err)
				return
			case tt.strategy == flow.Backpressure:
				pushed := make(chan error, 1)
				go func() {
					if err := r.Push(5); err != nil {
						pushed <- err
						return
					}
					pushed <- r.Push(6)
				}()
				select {
				case <-pushed:
					t.Fatal("a push into a full buffer returned")
				default:
				}
				close(release)
				require.NoError(t, flowtest.Receive(t, pushed))
			default:
				require.NoError(t, r.Push(5))
				require.NoError(t, r.Push(6))
				close(release)
			}
			r.CloseInput()
			flowtest.WaitDone(t, r)
			assert.NoError(t, r.Stop())
			assert.Equal(t, tt.want, c.values())
		})
	}
}

func TestBufferCompletesAndFails(t *testing.T) {
	got, err := run(t, flow.Buffer[int](2, flow.Backpressure), 1, 2, 3)
	assert.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3}, got)

	_, err = run(t, flow.Via(failAt(2), flow.Buffer[int](2, flow.Backpressure)), 1, 2, 3)
	assert.ErrorIs(t, err, errBoom)

	var ce *message.CloseError
	require.ErrorAs(t, flow.ErrBufferOverflow, &ce)
	assert.Equal(t, message.PolicyViolation, ce.Code)
}

func TestBufferCancel(t *testing.T) {
	p := flowtest.NewPeer[int]()
	r := flow.Start(t.Context(), flow.Buffer[int](4, flow.Backpressure), p.Emit)
	require.NoError(t, r.Push(1))
	require.NoError(t, r.Push(2))
	p.HangUp()
	r.Cancel()
	assert.ErrorIs(t, r.Stop(), context.Canceled)
}

func TestOverflowString(t *testing.T) {
	assert.Equal(t, "Overflow(42)", flow.Overflow(42).String())
}
