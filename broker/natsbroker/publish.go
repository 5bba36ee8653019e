package natsbroker

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// publishAttempt bounds one attempt of a publish; the next attempt sends
// the same message ID, so that JetStream stores the message once.
const publishAttempt = time.Second

// Publish appends data to the room and returns its sequence number once
// JetStream has stored it. A publish that fails for a while (no
// connection, no stream leader, no answer) is tried again, as the same
// message, until ctx is done or the broker is past its grace; then it
// returns broker.ErrUnavailable.
func (b *Broker) Publish(ctx context.Context, room string, data []byte) (uint64, error) {
	if err := b.Available(); err != nil {
		return 0, err
	}
	p := b.partitions[partitionOf(room, len(b.partitions))]
	subject := p.subject + "." + token(room)
	id := msgID()
	wait := 10 * time.Millisecond
	for {
		attempt, cancel := context.WithTimeout(ctx, publishAttempt)
		ack, err := b.js.Publish(attempt, subject, data, jetstream.WithMsgID(id), jetstream.WithExpectStream(p.stream))
		cancel()
		switch {
		case err == nil:
			return ack.Sequence, nil
		case errors.Is(err, nats.ErrMaxPayload), errors.Is(err, nats.ErrBadSubject):
			return 0, err
		case b.Available() != nil:
			return 0, unavailable(err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, unavailable(err)
		case <-t.C:
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// msgID returns a new message ID: 16 random bytes in base64url.
func msgID() string {
	var id [16]byte
	rand.Read(id[:]) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(id[:])
}
