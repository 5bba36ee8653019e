package cmdtest

import (
	"context"
	"testing"
	"time"
)

func TestBufferWaitFor(t *testing.T) {
	var b Buffer
	done := make(chan error, 1)
	go func() { done <- b.WaitFor(Context(t), "two") }()
	b.Write([]byte("one "))
	b.Write([]byte("two"))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := b.WaitFor(ctx, "three"); err == nil {
		t.Fatal("WaitFor returned nil for text that never came")
	}
	if got := b.String(); got != "one two" {
		t.Fatalf("String() = %q", got)
	}
}

func TestSocketBuffers(t *testing.T) {
	if n := SocketBuffers(); n < 64<<10 {
		t.Fatalf("SocketBuffers() = %d", n)
	}
}
