package flow_test

import (
	"context"
	"testing"

	"github.com/wsflow/wsflow/internal/batch"
	"github.com/wsflow/wsflow/internal/flowrun"
	"github.com/wsflow/wsflow/internal/flowtest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
)

func TestFused(t *testing.T) {
	double := flow.Map(func(s string) string { return s + s })
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
		{"Wrap", flow.Wrap(flow.Ignore[string](), flow.Empty[string]()), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := flow.Start(context.Background(), c.f, func(string) error { return nil })
			defer r.Stop()
			assert.Equal(t, c.fused, flowrun.Of(r).Fused())
		})
	}
}

// nopBatcher is a batch.Output that does nothing.
type nopBatcher struct{}

func (nopBatcher) Hold()    {}
func (nopBatcher) Release() {}

// TestSourceSeesItsBatcher shows which sources are given the run's
// Batcher (package internal/batch): a Wrap's source whose emits lead
// straight to the output, and no source with a stage of its own goroutine
// or another source's emits between it and the output.
func TestSourceSeesItsBatcher(t *testing.T) {
	for _, c := range []struct {
		name    string
		build   func(flow.Source[string]) flow.Flow[string, string]
		batcher bool
	}{
		{"straight to the output", func(src flow.Source[string]) flow.Flow[string, string] {
			return flow.Wrap(flow.Ignore[string](), src)
		}, true},
		{"through a fused stage", func(src flow.Source[string]) flow.Flow[string, string] {
			return flow.Via(flow.Wrap(flow.Ignore[string](), src), flow.Map(func(s string) string { return s }))
		}, true},
		{"in a Concat", func(src flow.Source[string]) flow.Flow[string, string] {
			return flow.Wrap(flow.Ignore[string](), flow.Concat(flow.Just("a"), src))
		}, true},
		{"through a Buffer", func(src flow.Source[string]) flow.Flow[string, string] {
			return flow.Via(flow.Wrap(flow.Ignore[string](), src), flow.Buffer[string](1, flow.Backpressure))
		}, false},
		{"in a Zip", func(src flow.Source[string]) flow.Flow[string, string] {
			return flow.Wrap(flow.Ignore[string](), flow.Zip(src, flow.Just("a"), func(a, b string) string { return a + b }))
		}, false},
		{"in a Merge", func(src flow.Source[string]) flow.Flow[string, string] {
			return flow.Wrap(flow.Ignore[string](), flow.Merge(src, flow.Just("a")))
		}, false},
		{"Through a Buffer", func(src flow.Source[string]) flow.Flow[string, string] {
			return flow.Wrap(flow.Ignore[string](), flow.Through(src, flow.Buffer[string](1, flow.Backpressure)))
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			seen := make(chan bool, 1)
			src := flow.SourceFunc(func(ctx context.Context, emit func(string) error) error {
				seen <- batch.From(ctx) != nil
				return nil
			})
			ctx := flowrun.NewContext(context.Background(), flowrun.Options{Batcher: nopBatcher{}})
			r := flow.Start(ctx, c.build(src), func(string) error { return nil })
			defer r.Stop()
			require.Equal(t, c.batcher, flowtest.Receive(t, seen))
		})
	}
	t.Run("without a Batcher", func(t *testing.T) {
		seen := make(chan bool, 1)
		r := flow.Start(context.Background(), flow.Wrap(flow.Ignore[string](), flow.SourceFunc(func(ctx context.Context, emit func(string) error) error {
			seen <- batch.From(ctx) != nil
			return nil
		})), func(string) error { return nil })
		defer r.Stop()
		require.False(t, flowtest.Receive(t, seen))
	})
}

func TestLends(t *testing.T) {
	keep := flow.Map(func(s string) string { return s })
	cases := []struct {
		name   string
		f      flow.Flow[string, string]
		copies bool // flowrun.Options.EmitCopies
		lends  bool
	}{
		{"Identity into an emit that copies", flow.Identity[string](), true, true},
		{"Identity into any other emit", flow.Identity[string](), false, false},
		{"Take and Drop", flow.Via(flow.Take[string](5), flow.Drop[string](1)), true, true},
		{"Map: its function may keep the element", keep, true, false},
		{"Identity into a Map", flow.Via(flow.Identity[string](), keep), true, false},
		{"Buffer", flow.Buffer[string](2, flow.Backpressure), true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := flowrun.NewContext(context.Background(), flowrun.Options{EmitCopies: c.copies})
			r := flow.Start(ctx, c.f, func(string) error { return nil })
			defer r.Stop()
			assert.Equal(t, c.lends, flowrun.Of(r).Lends())
		})
	}
}

// TestRunOptionsAreNotInherited shows that the options a runtime gives a
// run are the run's alone: a run started inside one of its stages gets
// none of them.
func TestRunOptionsAreNotInherited(t *testing.T) {
	lends := make(chan bool, 1)
	nested := flow.SourceFunc(func(ctx context.Context, emit func(string) error) error {
		r := flow.Start(ctx, flow.Identity[string](), func(string) error { return nil })
		lends <- flowrun.Of(r).Lends()
		return r.Stop()
	})
	ctx := flowrun.NewContext(context.Background(), flowrun.Options{EmitCopies: true})
	r := flow.Start(ctx, flow.Wrap(flow.Ignore[string](), nested), func(string) error { return nil })
	defer r.Stop()
	require.False(t, flowtest.Receive(t, lends), "a nested run took the outer run's EmitCopies")
}
