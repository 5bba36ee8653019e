// Package roomclient is a member of a room served with the /rooms
// protocol of the wsflow demo (see cmd/wsflow): it joins the room, follows
// the room's epoch and sequence numbers, and comes back after any drop
// with since and epoch, so that its caller sees every event once, in the
// room's order, and is told when the room's history no longer reached
// back to the last event it had.
//
// A Member runs over client.Dial with WithReconnect, its Backoff the
// caller's: a handshake refused for good (a 403, a 404) ends Run with the
// *client.HandshakeError after one attempt.
package roomclient
