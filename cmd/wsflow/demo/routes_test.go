package demo

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
)

func identity(m string) string { return m }

func TestEcho(t *testing.T) {
	d := startDemo(t)
	c := wstest.Dial(t, d.wsURL("/echo"))
	echoes(t, c, []string{"test", "", "héllo wörld ✓ 世界 😀", strings.Repeat("x", 1000)}, identity)
	c.Close()
}

func TestHello(t *testing.T) {
	d := startDemo(t)
	c := wstest.Dial(t, d.wsURL("/hello"))
	echoes(t, c, []string{"world", "", "Zoë", "世界 😀"}, func(m string) string { return "Hello, " + m })
}

func TestBytes(t *testing.T) {
	d := startDemo(t)
	c := wstest.Dial(t, d.wsURL("/bytes"))
	for _, p := range []string{"\x00\x01\xfe\xff", "not UTF-8: \xc3\x28", "plain"} {
		c.SendBinary([]byte(p))
		c.ExpectBinary([]byte(p))
	}
	c.SendText("text")
	c.ExpectClose(message.UnsupportedData, "this socket accepts only binary messages")
}

func TestTextSocketsRefuseBinary(t *testing.T) {
	d := startDemo(t)
	for _, path := range []string{"/echo", "/hello", "/fail"} {
		t.Run(path, func(t *testing.T) {
			c := wstest.Dial(t, d.wsURL(path))
			c.SendBinary([]byte("bin"))
			c.ExpectClose(message.UnsupportedData, "this socket accepts only text messages")
		})
	}
}

func TestInvalidUTF8Text(t *testing.T) {
	d := startDemo(t)
	for _, path := range []string{"/echo", "/hello", "/bytes", "/json", "/model", "/raw", "/fail"} {
		t.Run(path, func(t *testing.T) {
			c := wstest.Dial(t, d.wsURL(path))
			c.SendText("ok \xff\xfe")
			c.ExpectClose(message.InvalidPayload, "text message is not valid UTF-8")
		})
	}
}

func TestJSON(t *testing.T) {
	d := startDemo(t)
	c := wstest.Dial(t, d.wsURL("/json"))
	for _, tt := range []struct {
		kind      message.Kind
		sent, got string
	}{
		{message.KindText, ` { "b" : 1.0 , "a" : [ 1e3 , -0 , 12345678901234567890 ] } `, `{"b":1.0,"a":[1e3,-0,12345678901234567890]}`},
		{message.KindText, "{\"s\": \"\\u00e9\\n\\/ é\", \"z\": null, \"y\": true}", `{"s":"\u00e9\n\/ é","z":null,"y":true}`},
		{message.KindText, "\t\"just a string\"\r\n", `"just a string"`},
		{message.KindText, `[ ]`, `[]`},
		{message.KindBinary, "{ \"from\" : \"a binary frame\" }", `{"from":"a binary frame"}`},
	} {
		c.Send(tt.kind, []byte(tt.sent))
		c.ExpectText(tt.got)
	}
	c.Close()

	for _, bad := range []string{"", "not json", `{"a":1`, `{"a":1} {"b":2}`, `[1,]`} {
		t.Run(bad, func(t *testing.T) {
			c := wstest.Dial(t, d.wsURL("/json"))
			c.SendText(bad)
			ce := closeOf(t, c)
			require.Equal(t, message.InvalidPayload, ce.Code)
			require.True(t, strings.HasPrefix(ce.Reason, "invalid JSON"), "reason %q", ce.Reason)
		})
	}
}

func TestModel(t *testing.T) {
	d := startDemo(t)
	c := wstest.Dial(t, d.wsURL("/model"))
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
		c.SendText(tt.sent)
		c.ExpectText(tt.got)
	}
	c.SendBinary([]byte(`{"op":"add","a":0.5,"b":0.25}`))
	c.ExpectText(`{"op":"add","result":0.75}`)
	c.Close()

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
			c := wstest.Dial(t, d.wsURL("/model"))
			c.SendText(tt.sent)
			c.ExpectClose(message.InvalidPayload, tt.reason)
		})
	}
	t.Run("not JSON", func(t *testing.T) {
		c := wstest.Dial(t, d.wsURL("/model"))
		c.SendText(`{"op":"add",`)
		ce := closeOf(t, c)
		require.Equal(t, message.InvalidPayload, ce.Code)
		require.True(t, strings.HasPrefix(ce.Reason, "invalid JSON"), "reason %q", ce.Reason)
	})
}

func TestHelloOnce(t *testing.T) {
	d := startDemo(t)
	c := wstest.Dial(t, d.wsURL("/hello-once"))
	c.ExpectText("Hello!")
	c.ExpectClose(message.NormalClosure, "")
}

func TestClose(t *testing.T) {
	d := startDemo(t)
	longest := strings.Repeat("é", 61) + "!" // 123 bytes
	for _, tt := range []struct {
		query  string
		code   message.Code
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
			c := wstest.Dial(t, d.wsURL("/close"+tt.query))
			c.ExpectClose(tt.code, tt.reason)
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
			status, body := refused(t, d.wsURL("/close"+tt.query))
			require.Equal(t, http.StatusBadRequest, status)
			require.Equal(t, tt.body, body)
		})
	}
}

func TestFail(t *testing.T) {
	d := startDemo(t)
	c := wstest.Dial(t, d.wsURL("/fail"))
	c.SendText("anything")
	c.ExpectClose(message.InternalError, "internal error")
	require.NoError(t, d.stop()) // every connection has been logged when run returns
	logs := d.logs.String()
	require.Contains(t, logs, "secret-detail")
	require.Contains(t, logs, "route=\"GET /fail\"")
	require.Contains(t, logs, "code=1011")
}

func TestRaw(t *testing.T) {
	d := startDemo(t)
	c := wstest.Dial(t, d.wsURL("/raw"))
	c.SendText("héllo ✓")
	c.ExpectText("héllo ✓")
	c.SendBinary([]byte("\x00\xff\xc3\x28"))
	c.ExpectBinary([]byte("\x00\xff\xc3\x28"))
	c.SendText("")
	c.ExpectText("")

	c.Close()

	// A client's ping waits for the matching pong, which the client's
	// runtime reads.
	pinger, err := client.Open(testCtx(t), d.wsURL("/raw"))
	require.NoError(t, err)
	defer pinger.CloseNow()
	require.NoError(t, pinger.Ping(testCtx(t)))
	require.NoError(t, pinger.Ping(testCtx(t)))
	require.NoError(t, pinger.Close(message.NormalClosure, "done"))
}
