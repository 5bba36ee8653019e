package flowtest

import (
	"context"
	"errors"

	"github.com/wsflow/wsflow/flow"
)

// Script is a flow for one side of a socket: it sends each of send, then
// takes n messages from its peer into got, then completes. It fails if
// its input ends first.
func Script(send []string, n int, got *[]string) flow.Flow[string, string] {
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

// Listen is a flow for one side of a socket: it sends send and then
// delivers everything its peer sends to got, until its input ends.
func Listen(send []string, got chan<- string) flow.Flow[string, string] {
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
				select {
				case got <- m:
				case <-ctx.Done(): // a message nobody takes fails the flow, not the whole run
					return ctx.Err()
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
}
