package demo

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker"
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

// demoProcess is the demo binary at one address, which a test kills or
// stops and starts again there, under clients that must come back.
type demoProcess struct {
	bin  string
	logs *syncBuffer // standard error of every run

	mu     sync.Mutex
	addr   string
	cmd    *exec.Cmd  // the running process, nil between runs
	exited chan error // its Wait's result
}

// startProcess runs `wsflow demo -addr 127.0.0.1:0 args...`; later runs
// use the address the first one got. At the end of the test a running
// process is stopped with SIGTERM and must exit 0.
func startProcess(t *testing.T, bin string, args ...string) *demoProcess {
	t.Helper()
	p := &demoProcess{bin: bin, logs: &syncBuffer{}, addr: "127.0.0.1:0"}
	require.NoError(t, p.start(args...))
	t.Cleanup(func() { require.NoError(t, p.term(), "the demo's exit, stderr:\n%s", p.logs) })
	return p
}

// start runs the demo at p's address and returns once it listens (within
// testTimeout, a hang guard).
func (p *demoProcess) start(args ...string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return fmt.Errorf("the demo at %s is running", p.addr)
	}
	stdout := &syncBuffer{}
	cmd := exec.Command(p.bin, append([]string{"demo", "-addr", p.addr}, args...)...)
	cmd.Stdout, cmd.Stderr = stdout, p.logs
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	running, ended := context.WithTimeout(context.Background(), testTimeout)
	defer ended()
	go func() {
		err := cmd.Wait()
		ended() // no listening line will come
		exited <- err
	}()
	p.cmd, p.exited = cmd, exited
	if err := stdout.WaitFor(running, "\n"); err != nil {
		return fmt.Errorf("the demo did not start: %v; stderr:\n%s", err, p.logs)
	}
	m := listeningLine.FindStringSubmatch(stdout.String())
	if m == nil {
		return fmt.Errorf("listening line: %q", stdout.String())
	}
	p.addr = m[1]
	return nil
}

// kill ends the process with SIGKILL: its sockets end without a close
// frame.
func (p *demoProcess) kill() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return nil
	}
	p.cmd.Process.Kill()
	<-p.exited
	p.cmd = nil
	return nil
}

// term stops the process with SIGTERM and returns its exit's error: nil
// for 0.
func (p *demoProcess) term() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return nil
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	guard := time.NewTimer(testTimeout)
	defer guard.Stop()
	var err error
	select {
	case err = <-p.exited:
	case <-guard.C:
		p.cmd.Process.Kill()
		err = fmt.Errorf("still running after SIGTERM: %v", <-p.exited)
	}
	p.cmd = nil
	return err
}

func (p *demoProcess) url(scheme, pathAndQuery string) string {
	return scheme + "://" + p.demo().addr + pathAndQuery
}

// demo returns the running demo, for the helpers that take a testDemo.
func (p *demoProcess) demo() *testDemo {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &testDemo{addr: p.addr, logs: p.logs}
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
	natsURL := startNATS(t, t.TempDir(), -1).ClientURL()
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
	natsURL := startNATS(t, t.TempDir(), -1).ClientURL()
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
