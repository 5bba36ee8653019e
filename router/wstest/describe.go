package wstest

import (
	"fmt"
	"strings"

	"github.com/wsflow/wsflow/message"
)

// maxShown is how many bytes of a payload a failure message shows.
const maxShown = 64

// describe renders a message for a failure message: text "Hello" or
// binary [0x01 0x02], cut after maxShown bytes.
func describe(kind message.Kind, p []byte) string {
	shown, more := p, ""
	if len(p) > maxShown {
		shown, more = p[:maxShown], fmt.Sprintf("... (%d bytes)", len(p))
	}
	switch kind {
	case message.KindText:
		return fmt.Sprintf("text %q%s", shown, more)
	case message.KindBinary:
		return fmt.Sprintf("binary [%s]%s", hexBytes(shown), more)
	default:
		return fmt.Sprintf("%s message [%s]%s", kind, hexBytes(shown), more)
	}
}

func hexBytes(p []byte) string {
	var b strings.Builder
	for i, c := range p {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "0x%02x", c)
	}
	return b.String()
}

// firstDifference returns the index of the first byte at which a and b
// differ, or the length of the shorter one.
func firstDifference(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}
