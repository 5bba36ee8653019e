package message

// Compression is a permessage-deflate mode (RFC 7692): the one a server's
// sockets negotiate (router.WithCompression) or a client asks for
// (client.WithCompression).
type Compression int

// The compression modes.
const (
	// CompressionDisabled negotiates no compression.
	CompressionDisabled Compression = iota
	// CompressionContextTakeover keeps a sliding window per connection:
	// better ratios, more memory.
	CompressionContextTakeover
	// CompressionNoContextTakeover compresses each message on its own.
	CompressionNoContextTakeover
)
