// Package transformer turns WebSocket frames into typed values and typed
// values back into frames, the way Play's MessageFlowTransformer does.
//
// A frame that does not fit the transformer (a binary frame on a text-only
// socket, a payload that is not JSON, JSON that does not fit the model)
// is rejected with a *message.CloseError whose code and reason the socket
// closes with. The package is pure: no I/O.
package transformer

import "github.com/wsflow/wsflow/message"

// Transformer decodes incoming data frames into In values and encodes Out
// values into outgoing frames.
//
// The connection runtime checks that a text payload is valid UTF-8 before
// Decode sees it. Implementations must be safe for concurrent use by many
// connections; a Transformer is a value shared by every socket of a route.
type Transformer[In, Out any] interface {
	// Decode turns one data frame (kind is message.KindText or
	// message.KindBinary) into a value. payload is only valid during the
	// call: keep a copy, not the slice. A frame that does not fit returns a
	// *message.CloseError.
	Decode(kind message.Kind, payload []byte) (In, error)

	// Encode appends the payload of the frame for v to dst and returns the
	// frame's kind (message.KindText or message.KindBinary) and the
	// extended slice. An error that is a *message.CloseError ends the socket
	// with that close (this is how Raw sends a message.Close); any other
	// error ends it with message.InternalError.
	Encode(dst []byte, v Out) (message.Kind, []byte, error)
}
