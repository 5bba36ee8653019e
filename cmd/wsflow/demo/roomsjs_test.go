package demo

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/broker/natsbroker/natstest"
)

// The rooms client module, web/rooms.js, over real sockets: in Node
// (testdata/rooms_client.test.mjs) and in Chromium, through the page's
// rooms panel. Each test kills or stops a demo process under the client
// and starts it again at the same address, and the client comes back.

// nodePath returns the node command. Where there is none the test is
// skipped, except under CI=true, where it fails (.ci/run installs it).
func nodePath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("node"); err == nil {
		return p
	}
	const msg = "no node on PATH: the rooms.js tests need Node 20 or later; on Debian: apt-get install nodejs"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: failing instead of skipping)")
	}
	t.Skip(msg)
	return ""
}

// controlServer serves each step at POST path until the end of the test:
// it answers 204 once the step is done, 500 with the error if it failed.
func controlServer(t *testing.T, steps map[string]func() error) string {
	t.Helper()
	mux := http.NewServeMux()
	for path, step := range steps {
		mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
			if err := step(); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// servedModule fetches /rooms.js from the demo at base, checks that it is
// the embedded module, as JavaScript, and writes it to a file whose name
// tells Node that it is an ES module.
func servedModule(t *testing.T, base string) string {
	t.Helper()
	resp, body := get(t, base+"/rooms.js", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/javascript; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Equal(t, roomsJS, body)
	path := filepath.Join(t.TempDir(), "rooms.mjs")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	return path
}

// TestRoomsJSNode runs testdata/rooms_client.test.mjs in Node: the module
// against fake sockets, then against two demos on one NATS, A and B, A
// killed and started again, then stopped and started without NATS, under
// a member that must come back by itself.
func TestRoomsJSNode(t *testing.T) {
	node := nodePath(t)
	bin := buildDemo(t)
	natsURL := natstest.Start(t, t.TempDir(), -1).ClientURL()
	b := startProcess(t, bin, "-nats", natsURL)
	a := startProcess(t, bin, "-nats", natsURL)
	ctl := controlServer(t, map[string]func() error{
		"/kill-a":  a.kill,
		"/start-a": func() error { return a.start("-nats", natsURL) },
		"/restart-a-alone": func() error {
			if err := a.term(); err != nil {
				return err
			}
			return a.start()
		},
	})
	cmd := exec.CommandContext(testCtx(t), node, "--experimental-websocket", "--test", filepath.Join("testdata", "rooms_client.test.mjs"))
	dieWithTest(cmd)
	cmd.Env = append(os.Environ(),
		"ROOMS_JS="+servedModule(t, a.url("http", "")),
		"DEMO_A="+a.url("ws", ""),
		"DEMO_B="+b.url("ws", ""),
		"ROOMS_CONTROL="+ctl)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "node:\n%s\ndemo A's log:\n%s", out, a.logs)
	t.Logf("node:\n%s", out)
}

// TestBrowserRoomsJS: the page's rooms panel joins with the module, shows
// the events and the epoch, and, when its demo is killed under it and
// started again, comes back by itself with what it missed.
func TestBrowserRoomsJS(t *testing.T) {
	chromium := chromiumPath(t)
	noLeaks(t)
	bin := buildDemo(t)
	natsURL := natstest.Start(t, t.TempDir(), -1).ClientURL()
	other := startProcess(t, bin, "-nats", natsURL)
	d := startProcess(t, bin, "-nats", natsURL)
	browser := startBrowser(t, chromium)

	tb := openPage(t, browser, d.url("http", "/"))
	tb.choose("rooms")
	tb.setParam("room", "underfoot")
	tb.setParam("name", "ann")
	tb.connect()
	tb.until(`() => document.querySelector("#param-since").value !== ""`) // ann's joined is shown
	epoch := tb.value("#param-epoch")
	require.True(t, broker.ValidEpoch(epoch), "the page shows the epoch: %q", epoch)
	tb.waitLog("in", `{"epoch":"`+epoch+`"}`)
	tb.waitLog("in", `{"seq":`+tb.value("#param-since")+`,"joined":"ann"}`)

	bob, _ := roomsMember(t, other.demo(), "underfoot", "bob")
	bob.SendText(`{"text":"before"}`)
	before := expectEv(t, bob, 0, `{"from":"bob","text":"before"}`)
	tb.waitLog("in", before.raw)

	require.NoError(t, d.kill())
	tb.until(`() => Array.from(document.querySelectorAll("#log li .data")).some((el) => el.textContent.startsWith("socket ended: 1006"))`)
	bob.SendText(`{"text":"while ann's server was down"}`)
	missed := expectEv(t, bob, 0, `{"from":"bob","text":"while ann's server was down"}`)
	require.NoError(t, d.start("-nats", natsURL))
	tb.waitLog("in", `{"epoch":"`+epoch+`","recovered":true}`)
	tb.waitLog("in", missed.raw)
	require.Equal(t, "open", tb.attr("#status", "data-state"))
	tb.typeMessage("back")
	expectEv(t, bob, missed.Seq, `{"joined":"ann"}`) // coming back
	expectEv(t, bob, missed.Seq, `{"from":"ann","text":"back"}`)
}
