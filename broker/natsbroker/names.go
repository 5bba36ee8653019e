package natsbroker

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash/fnv"
)

// maxEncoded is the longest room name spelled in base64; longer names are
// spelled by their SHA-256, so that a subject stays short.
const maxEncoded = 192

// token returns the subject token of a room: the name itself if it is 1
// to 64 bytes of [A-Za-z0-9-]; else '_' and the name in base64url; or,
// for a name longer than maxEncoded bytes, '~' and its SHA-256 in
// base64url. The three spellings cannot collide.
func token(room string) string {
	switch {
	case plain(room):
		return room
	case len(room) <= maxEncoded:
		return "_" + base64.RawURLEncoding.EncodeToString([]byte(room))
	default:
		sum := sha256.Sum256([]byte(room))
		return "~" + base64.RawURLEncoding.EncodeToString(sum[:])
	}
}

// plain reports whether s is 1 to 64 bytes of [A-Za-z0-9-].
func plain(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validPrefix reports whether p can begin stream names and subjects.
func validPrefix(p string) bool {
	if p == "" {
		return false
	}
	for _, c := range []byte(p) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// partitionOf returns the partition of room among n: FNV-1a of its name.
func partitionOf(room string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(room))
	return int(h.Sum32() % uint32(n))
}

// streamName returns the name of partition i's stream, e.g. WSFLOW_ROOMS_03.
func streamName(prefix string, i int) string { return fmt.Sprintf("%s_%02d", prefix, i) }

// partitionSubject returns the subject prefix of partition i, e.g.
// WSFLOW_ROOMS.03; a room's subject is it, a dot and the room's token.
func partitionSubject(prefix string, i int) string { return fmt.Sprintf("%s.%02d", prefix, i) }
