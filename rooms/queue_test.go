package rooms

import "testing"

// TestQueueWakesOncePerBatch shows a member's writer woken once for what
// it finds pending: a message pushed while the writer is on its way to
// take what woke it joins that take and leaves no wake behind, after
// which the writer would wake to find nothing.
func TestQueueWakesOncePerBatch(t *testing.T) {
	q := newLiveQueue[string](Limits{Messages: 8, Bytes: 1 << 10})
	q.push("a", 1, 1)
	<-q.ready // the writer wakes
	q.push("b", 1, 2)
	if got := q.take(nil); len(got) != 2 {
		t.Fatalf("took %d messages, want 2", len(got))
	}
	select {
	case <-q.ready:
		t.Fatal("the writer is woken again with nothing pending")
	default:
	}
	q.push("c", 1, 3)
	select {
	case <-q.ready:
	default:
		t.Fatal("a push onto an empty queue does not wake the writer")
	}
}
