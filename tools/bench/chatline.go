package bench

import (
	"bytes"
	"errors"
)

// lineKind is what a line of a chat room is.
type lineKind int

// The lines of the demo's /chat/{room}?name=N.
const (
	lineSaid   lineKind = iota // "N: TEXT": member N said TEXT
	lineJoined                 // "* N joined"
	lineLeft                   // "* N left"
)

// chatLine is one message a chat room's member receives; name and text
// are slices of the message.
type chatLine struct {
	kind lineKind
	name []byte
	text []byte // lineSaid only
}

// errNotChat is a message that is no line of the chat protocol.
var errNotChat = errors.New(`a message that is neither "NAME: TEXT" nor "* NAME joined" nor "* NAME left"`)

// parseChatLine reads a message of the demo's /chat protocol. A member's
// name matches [A-Za-z0-9_-]{1,32}, so it holds neither a space nor a
// colon, and a line "* ..." cannot be one a member said.
func parseChatLine(b []byte) (chatLine, error) {
	if rest, ok := bytes.CutPrefix(b, []byte("* ")); ok {
		if name, ok := bytes.CutSuffix(rest, []byte(" joined")); ok && validMemberName(name) {
			return chatLine{kind: lineJoined, name: name}, nil
		}
		if name, ok := bytes.CutSuffix(rest, []byte(" left")); ok && validMemberName(name) {
			return chatLine{kind: lineLeft, name: name}, nil
		}
		return chatLine{}, errNotChat
	}
	name, text, ok := bytes.Cut(b, []byte(": "))
	if !ok || !validMemberName(name) {
		return chatLine{}, errNotChat
	}
	return chatLine{kind: lineSaid, name: name, text: text}, nil
}

// validMemberName reports whether name matches [A-Za-z0-9_-]{1,32}.
func validMemberName(name []byte) bool {
	if len(name) < 1 || len(name) > 32 {
		return false
	}
	for _, c := range name {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}
