package interop_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/cmdtest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testCtx bounds a test's dials and reads; it ends with the test.
func testCtx(t *testing.T) context.Context { return cmdtest.Context(t) }

// script is a client flow that sends each of send, then takes n messages
// from the server into got, then completes.
func script(send []string, n int, got *[]string) flow.Flow[string, string] {
	return flow.StageFunc(func(ctx context.Context, in <-chan string, emit func(string) error) error {
		for _, m := range send {
			if err := emit(m); err != nil {
				return err
			}
		}
		for range n {
			select {
			case m, ok := <-in:
				if !ok {
					return errors.New("input ended early")
				}
				*got = append(*got, m)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
}

// listen is a flow that sends send and then delivers everything the
// server sends to got, until the input ends.
func listen(send []string, got chan<- string) flow.Flow[string, string] {
	return flow.StageFunc(func(ctx context.Context, in <-chan string, emit func(string) error) error {
		for _, m := range send {
			if err := emit(m); err != nil {
				return err
			}
		}
		for {
			select {
			case m, ok := <-in:
				if !ok {
					return nil
				}
				got <- m
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
}
