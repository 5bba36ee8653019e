package flow_test

import (
	"context"
	"fmt"
	"github.com/wsflow/wsflow/internal/flowtest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
)

func TestFused(t *testing.T) {
	double := flow.Map(func(s string) string { return s + s })
	hub := flow.NewHub[string]()
	cases := []struct {
		name  string
		f     flow.Flow[string, string]
		fused bool
	}{
		{"Identity", flow.Identity[string](), true},
		{"Map", double, true},
		{"Via of fused stages", flow.Via(flow.Via(double, flow.Filter(func(string) bool { return true })),
			flow.Scan("", func(acc, s string) string { return acc + s })), true},
		{"Take, Drop, TakeWhile, MapConcat", flow.Via(flow.Via(flow.Take[string](3), flow.Drop[string](1)),
			flow.Via(flow.TakeWhile(func(string) bool { return true }), flow.MapConcat(func(s string) []string { return []string{s} }))), true},
		{"Recover", flow.Via(double, flow.Recover(func(error) (string, bool) { return "", false })), true},
		{"Buffer", flow.Buffer[string](4, flow.Backpressure), false},
		{"a fused stage after a Buffer", flow.Via(flow.Buffer[string](4, flow.Backpressure), double), false},
		{"a fused stage before a Buffer", flow.Via(double, flow.Buffer[string](4, flow.Backpressure)), false},
		{"a Hub's member", hub.Join(), false},
		{"Wrap", flow.Wrap(flow.Ignore[string](), flow.Empty[string]()), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := flow.Start(context.Background(), c.f, func(string) error { return nil })
			defer r.Stop()
			assert.Equal(t, c.fused, r.Fused())
		})
	}
}

// recordingBatcher records holds, releases and emits in the order they
// happen.
type recordingBatcher struct {
	mu     sync.Mutex
	events []string
}

func (b *recordingBatcher) add(e string) {
	b.mu.Lock()
	b.events = append(b.events, e)
	b.mu.Unlock()
}

func (b *recordingBatcher) Hold()    { b.add("hold") }
func (b *recordingBatcher) Release() { b.add("release") }

func (b *recordingBatcher) recorded() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.events...)
}

// TestHubMemberBatchesWhatIsQueued shows a member's drain holding the
// output around everything queued for it, when the member leads straight
// to the output, and not when a stage of its own goroutine lies between.
func TestHubMemberBatchesWhatIsQueued(t *testing.T) {
	for _, c := range []struct {
		name    string
		after   flow.Flow[string, string]
		batched bool
	}{
		{"straight to the output", flow.Identity[string](), true},
		{"through a fused stage", flow.Map(func(s string) string { return s }), true},
		{"through a Buffer", flow.Buffer[string](1, flow.Backpressure), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			hub := flow.NewHub[string]()
			b := &recordingBatcher{}
			first := make(chan struct{})
			unblock := make(chan struct{})
			got := make(chan struct{}, 16)
			r := flow.Start(context.Background(), flow.Via(hub.Join(), c.after), func(v string) error {
				b.add(v)
				if v == "m0" {
					close(first)
					<-unblock // the rest queue up meanwhile
				}
				got <- struct{}{}
				return nil
			}, flow.WithBatcher(b))
			defer r.Stop()
			hub.Publish("m0")
			flowtest.Receive(t, first)
			for i := 1; i <= 4; i++ {
				hub.Publish(fmt.Sprint("m", i))
			}
			close(unblock)
			for range 5 {
				flowtest.Receive(t, got)
			}
			events := b.recorded()
			if c.batched {
				require.Equal(t, []string{"m0", "hold", "m1", "m2", "m3", "m4", "release"}, events)
				return
			}
			require.NotContains(t, events, "hold")
			require.Equal(t, []string{"m0", "m1", "m2", "m3", "m4"}, events)
		})
	}
}

func TestLends(t *testing.T) {
	keep := flow.Map(func(s string) string { return s })
	cases := []struct {
		name  string
		f     flow.Flow[string, string]
		opts  []flow.RunOption
		lends bool
	}{
		{"Identity into an emit that copies", flow.Identity[string](), []flow.RunOption{flow.EmitCopies()}, true},
		{"Identity into any other emit", flow.Identity[string](), nil, false},
		{"Take and Drop", flow.Via(flow.Take[string](5), flow.Drop[string](1)), []flow.RunOption{flow.EmitCopies()}, true},
		{"Map: its function may keep the element", keep, []flow.RunOption{flow.EmitCopies()}, false},
		{"Identity into a Map", flow.Via(flow.Identity[string](), keep), []flow.RunOption{flow.EmitCopies()}, false},
		{"Buffer", flow.Buffer[string](2, flow.Backpressure), []flow.RunOption{flow.EmitCopies()}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := flow.Start(context.Background(), c.f, func(string) error { return nil }, c.opts...)
			defer r.Stop()
			assert.Equal(t, c.lends, r.Lends())
		})
	}
}
