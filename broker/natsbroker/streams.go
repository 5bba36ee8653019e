package natsbroker

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// makeStreams makes or updates the partitions' streams and records their
// epochs. It returns the partitions whose epoch changed since last
// recorded.
func (b *Broker) makeStreams(ctx context.Context) ([]*partition, error) {
	var renewed []*partition
	for _, p := range b.partitions {
		st, err := b.makeStream(ctx, p)
		if err != nil {
			return nil, err
		}
		if p.setEpoch(epochOf(st.CachedInfo().Created)) {
			renewed = append(renewed, p)
		}
	}
	return renewed, nil
}

// makeStream makes or updates p's stream.
func (b *Broker) makeStream(ctx context.Context, p *partition) (jetstream.Stream, error) {
	st, err := b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:              p.stream,
		Description:       fmt.Sprintf("wsflow rooms: partition %s of %d", p.subject, len(b.partitions)),
		Subjects:          []string{p.subject + ".*"},
		Retention:         jetstream.LimitsPolicy,
		Discard:           jetstream.DiscardOld,
		MaxMsgsPerSubject: b.cfg.history,
		MaxBytes:          max(b.cfg.historyBytes/int64(len(b.partitions)), 1),
		MaxAge:            b.cfg.maxAge,
		Storage:           b.cfg.storage,
		Replicas:          b.cfg.replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", p.stream, err)
	}
	return st, nil
}

// epochOf returns the epoch of a stream made at created: its Unix time in
// nanoseconds, in base 36.
func epochOf(created time.Time) string {
	return strconv.FormatInt(created.UnixNano(), 36)
}
