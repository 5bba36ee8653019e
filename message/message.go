package message

// Kind is the type of a WebSocket frame.
type Kind uint8

// The kinds of frame. Text and Binary carry data; the others are control
// frames.
const (
	KindText Kind = iota + 1
	KindBinary
	KindPing
	KindPong
	KindClose
)

// String returns the lower-case name of k, e.g. "text".
func (k Kind) String() string {
	switch k {
	case KindText:
		return "text"
	case KindBinary:
		return "binary"
	case KindPing:
		return "ping"
	case KindPong:
		return "pong"
	case KindClose:
		return "close"
	}
	return "unknown"
}

// Message is one WebSocket message: a Text, Binary, Ping, Pong or Close.
// It is what the Raw transformer hands a flow, for sockets that want to see
// frames as they are.
type Message interface {
	// Kind reports which kind of frame the message travels in.
	Kind() Kind
}

// Text is a text message. Its payload is UTF-8.
type Text string

// Binary is a binary message.
type Binary []byte

// Ping is a ping control message with its application data.
type Ping []byte

// Pong is a pong control message with its application data.
type Pong []byte

// Close is a close control message: the code and reason a socket ends with.
type Close struct {
	Code   Code
	Reason string
}

// Kind returns KindText.
func (Text) Kind() Kind { return KindText }

// Kind returns KindBinary.
func (Binary) Kind() Kind { return KindBinary }

// Kind returns KindPing.
func (Ping) Kind() Kind { return KindPing }

// Kind returns KindPong.
func (Pong) Kind() Kind { return KindPong }

// Kind returns KindClose.
func (Close) Kind() Kind { return KindClose }

// String returns the code and reason, e.g. "1000 normal closure" or
// `1008 policy violation: "unknown command"`.
func (c Close) String() string {
	if c.Reason == "" {
		return c.Code.String()
	}
	return c.Code.String() + ": " + quote(c.Reason)
}
