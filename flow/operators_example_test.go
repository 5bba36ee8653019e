package flow_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wsflow/wsflow/flow"
)

// never is a source that emits nothing and ends only with its run.
func never[T any]() flow.Source[T] {
	return flow.SourceFunc(func(ctx context.Context, _ func(T) error) error {
		<-ctx.Done()
		return ctx.Err()
	})
}

// The fused operators: a running total of the first three numbers after
// the first.
func ExampleScan() {
	f := flow.Via(flow.Via(flow.Drop[int](1), flow.Take[int](3)),
		flow.Scan(0, func(total, v int) int { return total + v }))

	out, err := flow.Collect(context.Background(), f, []int{100, 1, 2, 3, 4})
	fmt.Println(out, err)
	// Output: [1 3 6] <nil>
}

func ExampleTakeWhile() {
	f := flow.TakeWhile(func(m string) bool { return m != "bye" })

	out, err := flow.Collect(context.Background(), f, []string{"hi", "there", "bye", "ignored"})
	fmt.Println(out, err)
	// Output: [hi there] <nil>
}

func ExampleMapConcat() {
	words := flow.MapConcat(strings.Fields)

	out, err := flow.Collect(context.Background(), words, []string{"to be", "or not"})
	fmt.Println(out, err)
	// Output: [to be or not] <nil>
}

// Recover turns a failure into a last message, and the socket closes
// normally.
func ExampleRecover() {
	parse := flow.MapErr(func(s string) (string, error) {
		if s == "" {
			return "", errors.New("empty message")
		}
		return strings.ToUpper(s), nil
	})
	f := flow.Via(parse, flow.Recover(func(err error) (string, bool) { return "error: " + err.Error(), true }))

	out, err := flow.Collect(context.Background(), f, []string{"a", "", "b"})
	fmt.Println(out, err)
	// Output: [A error: empty message] <nil>
}

// A lookup per message against a slow back end, four at a time, answers
// in the order of the questions: Akka's mapAsync(4).
func ExampleMapAsync() {
	lookup := func(ctx context.Context, id int) (string, error) {
		select {
		case <-time.After(time.Duration(5-id) * time.Millisecond): // later ids answer sooner
			return fmt.Sprint("user-", id), nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}

	out, err := flow.Collect(context.Background(), flow.MapAsync(4, lookup), []int{1, 2, 3, 4})
	fmt.Println(out, err)
	// Output: [user-1 user-2 user-3 user-4] <nil>
}

// A buffer lets a fast producer run ahead of a slow consumer; DropHead
// keeps the freshest elements when it overflows.
func ExampleBuffer() {
	f := flow.Buffer[string](16, flow.DropHead)

	out, err := flow.Collect(context.Background(), f, []string{"a", "b", "c"})
	fmt.Println(out, err)
	// Output: [a b c] <nil>
}

// Throttle delays rather than drops: all three arrive, at most 1000 a
// second.
func ExampleThrottle() {
	f := flow.Throttle[int](1000, time.Second, 1)

	out, err := flow.Collect(context.Background(), f, []int{1, 2, 3})
	fmt.Println(out, err)
	// Output: [1 2 3] <nil>
}

// Of a burst, Debounce lets only the last through.
func ExampleDebounce() {
	f := flow.Debounce[string](time.Hour)

	out, err := flow.Collect(context.Background(), f, []string{"h", "he", "hel", "hello"})
	fmt.Println(out, err)
	// Output: [hello] <nil>
}

func ExampleGroupedWithin() {
	f := flow.GroupedWithin[int](2, time.Second)

	out, err := flow.Collect(context.Background(), f, []int{1, 2, 3, 4, 5})
	fmt.Println(out, err)
	// Output: [[1 2] [3 4] [5]] <nil>
}

// The server's heartbeat: a "ping" whenever nothing else has been sent
// for a while (here a millisecond).
func ExampleKeepAlive() {
	out := flow.Through(flow.Concat(flow.Just("hello"), never[string]()),
		flow.Via(flow.KeepAlive(time.Millisecond, func() string { return "ping" }), flow.Take[string](3)))

	got, err := out.Collect(context.Background())
	fmt.Println(got, err)
	// Output: [hello ping ping] <nil>
}

// A socket that hears nothing for the timeout closes with 1001.
func ExampleIdleTimeout() {
	quiet := flow.Through(never[string](), flow.IdleTimeout[string](time.Millisecond))

	_, err := quiet.Collect(context.Background())
	fmt.Println(errors.Is(err, flow.ErrIdleTimeout), err)
	// Output: true websocket closed: 1001 going away: "idle timeout"
}

func ExampleCompletionTimeout() {
	slow := flow.Through(never[string](), flow.CompletionTimeout[string](time.Millisecond))

	_, err := slow.Collect(context.Background())
	fmt.Println(errors.Is(err, flow.ErrCompletionTimeout))
	// Output: true
}

func ExampleTickTime() {
	ticks := flow.Through(flow.TickTime(time.Millisecond), flow.Take[time.Time](3))

	got, err := ticks.Collect(context.Background())
	fmt.Println(len(got), got[0].Before(got[1]), err)
	// Output: 3 true <nil>
}

func ExampleConcat() {
	out, err := flow.Concat(flow.Just("welcome"), flow.Just("a", "b")).Collect(context.Background())
	fmt.Println(out, err)
	// Output: [welcome a b] <nil>
}

func ExampleZip() {
	numbered := flow.Zip(flow.Just(1, 2, 3), flow.Just("a", "b"), func(n int, s string) string {
		return fmt.Sprint(n, ". ", s)
	})

	out, err := numbered.Collect(context.Background())
	fmt.Println(out, err)
	// Output: [1. a 2. b] <nil>
}

// One kill switch ends every socket of a user, for instance on log out.
func ExampleKillSwitch() {
	var user flow.KillSwitch
	socket := flow.Via(flow.Identity[string](), flow.KillSwitched[string](&user))

	a := flow.Start(context.Background(), socket, func(string) error { return nil })
	b := flow.Start(context.Background(), socket, func(string) error { return nil })
	user.Shutdown() // or user.Abort(message.NewCloseError(...))
	<-a.Done()
	<-b.Done()
	fmt.Println(a.Stop(), b.Stop())
	// Output: <nil> <nil>
}

// A stage of your own, on a goroutine of its own: pairs of elements.
func ExampleStageFunc() {
	pairs := flow.StageFunc(func(ctx context.Context, in <-chan string, emit func(string) error) error {
		var first string
		for n := 1; ; n++ {
			select {
			case v, ok := <-in:
				if !ok {
					return nil
				}
				if n%2 == 1 {
					first = v
					continue
				}
				if err := emit(first + v); err != nil {
					return err
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})

	out, err := flow.Collect(context.Background(), pairs, []string{"a", "b", "c", "d"})
	fmt.Println(out, err)
	// Output: [ab cd] <nil>
}

func ExampleSourceFunc() {
	countdown := flow.SourceFunc(func(ctx context.Context, emit func(int) error) error {
		for i := 3; i > 0; i-- {
			if err := emit(i); err != nil {
				return err
			}
		}
		return nil
	})

	out, err := countdown.Collect(context.Background())
	fmt.Println(out, err)
	// Output: [3 2 1] <nil>
}
