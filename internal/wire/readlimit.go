package wire

import "github.com/coder/websocket"

// LimitReads gives ws, the coder/websocket connection over c, c's read
// limit: the largest message it accepts, whose 1009 names it (0: any
// size, which coder/websocket spells -1).
func (c *Conn) LimitReads(ws *websocket.Conn) {
	if c.readLimit == 0 {
		ws.SetReadLimit(-1)
		return
	}
	ws.SetReadLimit(c.readLimit)
}
