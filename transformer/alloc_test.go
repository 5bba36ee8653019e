package transformer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

// The text and binary transformers sit on every message's path: encoding
// into a buffer that is already big enough must not allocate, and decoding
// a string makes exactly the one copy the flow keeps.

func TestStringEncodeDoesNotAllocate(t *testing.T) {
	tr := transformer.String()
	dst := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		_, dst, _ = tr.Encode(dst[:0], "hello, world")
	})
	assert.Zero(t, allocs)
}

func TestBytesEncodeDoesNotAllocate(t *testing.T) {
	tr := transformer.Bytes()
	dst := make([]byte, 0, 64)
	v := []byte("hello, world")
	allocs := testing.AllocsPerRun(100, func() {
		_, dst, _ = tr.Encode(dst[:0], v)
	})
	assert.Zero(t, allocs)
}

func TestStringDecodeAllocatesOnce(t *testing.T) {
	tr := transformer.String()
	payload := []byte("hello, world")
	var s string
	allocs := testing.AllocsPerRun(100, func() {
		s, _ = tr.Decode(message.KindText, payload)
	})
	assert.Equal(t, 1.0, allocs)
	assert.Equal(t, "hello, world", s)
}
