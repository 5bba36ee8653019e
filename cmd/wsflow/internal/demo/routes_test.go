package demo

import (
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
)

func identity(m string) string { return m }

func TestEcho(t *testing.T) {
	d := startDemo(t)
	c := dial(t, d.wsURL("/echo"), nil)
	echoes(t, c, []string{"test", "", "héllo wörld ✓ 世界 😀", strings.Repeat("x", 1000)}, identity)
	require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))
}

func TestHello(t *testing.T) {
	d := startDemo(t)
	c := dial(t, d.wsURL("/hello"), nil)
	echoes(t, c, []string{"world", "", "Zoë", "世界 😀"}, func(m string) string { return "Hello, " + m })
}

func TestBytes(t *testing.T) {
	d := startDemo(t)
	c := dial(t, d.wsURL("/bytes"), nil)
	for _, p := range []string{"\x00\x01\xfe\xff", "not UTF-8: \xc3\x28", "plain"} {
		send(t, c, websocket.MessageBinary, p)
		expect(t, c, websocket.MessageBinary, p)
	}
	send(t, c, websocket.MessageText, "text")
	require.Equal(t, closed(websocket.StatusUnsupportedData, "this socket accepts only binary messages"), closeOf(t, c))
}

func TestTextSocketsRefuseBinary(t *testing.T) {
	d := startDemo(t)
	for _, path := range []string{"/echo", "/hello", "/fail"} {
		t.Run(path, func(t *testing.T) {
			c := dial(t, d.wsURL(path), nil)
			send(t, c, websocket.MessageBinary, "bin")
			require.Equal(t, closed(websocket.StatusUnsupportedData, "this socket accepts only text messages"), closeOf(t, c))
		})
	}
}

func TestInvalidUTF8Text(t *testing.T) {
	d := startDemo(t)
	for _, path := range []string{"/echo", "/hello", "/bytes", "/json", "/model", "/raw", "/fail"} {
		t.Run(path, func(t *testing.T) {
			c := dial(t, d.wsURL(path), nil)
			send(t, c, websocket.MessageText, "ok \xff\xfe")
			require.Equal(t, closed(websocket.StatusInvalidFramePayloadData, "text message is not valid UTF-8"), closeOf(t, c))
		})
	}
}

func TestJSON(t *testing.T) {
	d := startDemo(t)
	c := dial(t, d.wsURL("/json"), nil)
	for _, tt := range []struct {
		typ       websocket.MessageType
		sent, got string
	}{
		{websocket.MessageText, ` { "b" : 1.0 , "a" : [ 1e3 , -0 , 12345678901234567890 ] } `, `{"b":1.0,"a":[1e3,-0,12345678901234567890]}`},
		{websocket.MessageText, "{\"s\": \"\\u00e9\\n\\/ é\", \"z\": null, \"y\": true}", `{"s":"\u00e9\n\/ é","z":null,"y":true}`},
		{websocket.MessageText, "\t\"just a string\"\r\n", `"just a string"`},
		{websocket.MessageText, `[ ]`, `[]`},
		{websocket.MessageBinary, "{ \"from\" : \"a binary frame\" }", `{"from":"a binary frame"}`},
	} {
		send(t, c, tt.typ, tt.sent)
		expect(t, c, websocket.MessageText, tt.got)
	}
	require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))

	for _, bad := range []string{"", "not json", `{"a":1`, `{"a":1} {"b":2}`, `[1,]`} {
		t.Run(bad, func(t *testing.T) {
			c := dial(t, d.wsURL("/json"), nil)
			send(t, c, websocket.MessageText, bad)
			ce := closeOf(t, c)
			require.Equal(t, websocket.StatusInvalidFramePayloadData, ce.Code)
			require.True(t, strings.HasPrefix(ce.Reason, "invalid JSON"), "reason %q", ce.Reason)
		})
	}
}

func TestModel(t *testing.T) {
	d := startDemo(t)
	c := dial(t, d.wsURL("/model"), nil)
	for _, tt := range []struct{ sent, got string }{
		{`{"op":"add","a":1,"b":2}`, `{"op":"add","result":3}`},
		{`{"op":"sub","a":1,"b":2.5}`, `{"op":"sub","result":-1.5}`},
		{`{"op":"mul","a":-3,"b":0.5}`, `{"op":"mul","result":-1.5}`},
		{`{"b":4,"a":1,"op":"div"}`, `{"op":"div","result":0.25}`},
		{`{"op":"div","a":1,"b":0}`, `{"op":"div","error":"division by zero"}`},
		{`{"op":"add","a":0,"b":0}`, `{"op":"add","result":0}`}, // the socket stayed open
		{`{"op":"mul","a":1e308,"b":10}`, `{"op":"mul","error":"result out of range"}`},
		{` { "op" : "sub" , "a" : 1e2 , "b" : 1 } `, `{"op":"sub","result":99}`},
	} {
		send(t, c, websocket.MessageText, tt.sent)
		expect(t, c, websocket.MessageText, tt.got)
	}
	send(t, c, websocket.MessageBinary, `{"op":"add","a":0.5,"b":0.25}`)
	expect(t, c, websocket.MessageText, `{"op":"add","result":0.75}`)
	require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))

	for _, tt := range []struct{ name, sent, reason string }{
		{"unknown field", `{"op":"add","a":1,"b":2,"c":3}`, `unknown field "c"`},
		{"wrong type", `{"op":"add","a":"1","b":2}`, `field "a": want number, got string`},
		{"wrong type of op", `{"op":7,"a":1,"b":2}`, `field "op": want string, got number`},
		{"missing field", `{"op":"add","a":1}`, `missing required field "b"`},
		{"null field", `{"op":null,"a":1,"b":2}`, `missing required field "op"`},
		{"bad op", `{"op":"pow","a":1,"b":2}`, `field "op": must be add, sub, mul or div`},
		{"not an object", `[1,2]`, `want object, got array`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, d.wsURL("/model"), nil)
			send(t, c, websocket.MessageText, tt.sent)
			require.Equal(t, closed(websocket.StatusInvalidFramePayloadData, tt.reason), closeOf(t, c))
		})
	}
	t.Run("not JSON", func(t *testing.T) {
		c := dial(t, d.wsURL("/model"), nil)
		send(t, c, websocket.MessageText, `{"op":"add",`)
		ce := closeOf(t, c)
		require.Equal(t, websocket.StatusInvalidFramePayloadData, ce.Code)
		require.True(t, strings.HasPrefix(ce.Reason, "invalid JSON"), "reason %q", ce.Reason)
	})
}

func TestHelloOnce(t *testing.T) {
	d := startDemo(t)
	c := dial(t, d.wsURL("/hello-once"), nil)
	expect(t, c, websocket.MessageText, "Hello!")
	require.Equal(t, closed(websocket.StatusNormalClosure, ""), closeOf(t, c))
}

func TestClose(t *testing.T) {
	d := startDemo(t)
	longest := strings.Repeat("é", 61) + "!" // 123 bytes
	for _, tt := range []struct {
		query  string
		code   websocket.StatusCode
		reason string
	}{
		{"?code=1000", 1000, ""},
		{"?code=1000&reason=bye", 1000, "bye"},
		{"?code=3000&reason=registered", 3000, "registered"},
		{"?code=4999&reason=" + urlEscape(longest), 4999, longest},
		{"?code=4000&reason=%E2%9C%93+done", 4000, "✓ done"},
		{"?reason=first&code=4001", 4001, "first"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			c := dial(t, d.wsURL("/close"+tt.query), nil)
			require.Equal(t, closed(tt.code, tt.reason), closeOf(t, c))
		})
	}

	const badCode = "400 bad request: code must be 1000 or an integer within 3000-4999\n"
	for _, tt := range []struct{ query, body string }{
		{"", "400 bad request: the query parameter code is required\n"},
		{"?reason=x", "400 bad request: the query parameter code is required\n"},
		{"?code=", badCode},
		{"?code=999", badCode},
		{"?code=1001", badCode},
		{"?code=1011", badCode},
		{"?code=2999", badCode},
		{"?code=5000", badCode},
		{"?code=65536", badCode},
		{"?code=-1000", badCode},
		{"?code=abc", badCode},
		{"?code=1000.0", badCode},
		{"?code=1000&reason=" + urlEscape(longest+"x"), "400 bad request: reason must be at most 123 bytes\n"},
		{"?code=1000&reason=%FF", "400 bad request: reason must be valid UTF-8\n"},
		{"?code=1000&reason=%zz", "400 bad request: malformed query string\n"},
	} {
		t.Run("refused"+tt.query, func(t *testing.T) {
			status, body := refused(t, d.wsURL("/close"+tt.query), nil)
			require.Equal(t, http.StatusBadRequest, status)
			require.Equal(t, tt.body, body)
		})
	}
}

func TestFail(t *testing.T) {
	d := startDemo(t)
	c := dial(t, d.wsURL("/fail"), nil)
	send(t, c, websocket.MessageText, "anything")
	require.Equal(t, closed(websocket.StatusInternalError, "internal error"), closeOf(t, c))
	require.NoError(t, d.stop()) // every connection has been logged when run returns
	logs := d.logs.String()
	require.Contains(t, logs, "secret-detail")
	require.Contains(t, logs, "route=\"GET /fail\"")
	require.Contains(t, logs, "code=1011")
}

func TestRaw(t *testing.T) {
	d := startDemo(t)
	c := dial(t, d.wsURL("/raw"), nil)
	send(t, c, websocket.MessageText, "héllo ✓")
	expect(t, c, websocket.MessageText, "héllo ✓")
	send(t, c, websocket.MessageBinary, "\x00\xff\xc3\x28")
	expect(t, c, websocket.MessageBinary, "\x00\xff\xc3\x28")
	send(t, c, websocket.MessageText, "")
	expect(t, c, websocket.MessageText, "")

	// The client's Ping waits for the matching pong, which a reader sees.
	read := make(chan error, 1)
	go func() {
		_, _, err := c.Read(testCtx(t))
		read <- err
	}()
	require.NoError(t, c.Ping(testCtx(t)))
	require.NoError(t, c.Ping(testCtx(t)))
	require.NoError(t, c.Close(websocket.StatusNormalClosure, "done"))
	require.Equal(t, websocket.StatusNormalClosure, websocket.CloseStatus(<-read))
}
