package message

import "strconv"

// Code is a WebSocket close status code (RFC 6455 section 7.4).
type Code uint16

// The close codes of RFC 6455 and the IANA "WebSocket Close Code Number"
// registry. NoStatusReceived, AbnormalClosure and TLSHandshake are reserved:
// they describe what a peer saw and are never sent in a close frame.
const (
	NormalClosure       Code = 1000
	GoingAway           Code = 1001
	ProtocolError       Code = 1002
	UnsupportedData     Code = 1003
	NoStatusReceived    Code = 1005
	AbnormalClosure     Code = 1006
	InvalidPayload      Code = 1007
	PolicyViolation     Code = 1008
	MessageTooBig       Code = 1009
	MandatoryExtension  Code = 1010
	InternalError       Code = 1011
	ServiceRestart      Code = 1012
	TryAgainLater       Code = 1013
	BadGateway          Code = 1014
	TLSHandshake        Code = 1015
	firstRegisteredCode Code = 3000
	lastPrivateCode     Code = 4999
)

var codeNames = map[Code]string{
	NormalClosure:      "normal closure",
	GoingAway:          "going away",
	ProtocolError:      "protocol error",
	UnsupportedData:    "unsupported data",
	NoStatusReceived:   "no status received",
	AbnormalClosure:    "abnormal closure",
	InvalidPayload:     "invalid payload data",
	PolicyViolation:    "policy violation",
	MessageTooBig:      "message too big",
	MandatoryExtension: "mandatory extension",
	InternalError:      "internal error",
	ServiceRestart:     "service restart",
	TryAgainLater:      "try again later",
	BadGateway:         "bad gateway",
	TLSHandshake:       "TLS handshake",
}

// String returns the number and, for a registered code, its name, e.g.
// "1000 normal closure" or "4001".
func (c Code) String() string {
	n := strconv.Itoa(int(c))
	if name, ok := codeNames[c]; ok {
		return n + " " + name
	}
	return n
}

// Sendable reports whether c may be sent in a close frame: 1000-1003,
// 1007-1014, or 3000-4999 (RFC 6455 section 7.4 and the IANA registry).
func (c Code) Sendable() bool {
	switch {
	case c >= NormalClosure && c <= UnsupportedData:
		return true
	case c >= InvalidPayload && c <= BadGateway:
		return true
	case c >= firstRegisteredCode && c <= lastPrivateCode:
		return true
	}
	return false
}
