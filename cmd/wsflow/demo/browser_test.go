package demo

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker"
	"go.uber.org/goleak"
)

// The browser tests drive the index page in headless Chromium, through the
// page's own controls, against the demo running in-process. Every wait is
// for a DOM condition, bounded by testTimeout as a hang guard.

// chromiumPath returns the Chromium to run. Where there is none the test
// is skipped, except under CI=true, where it fails: CI installs Chromium
// (.ci/run), so a missing one there is a broken setup, not a reason to
// pass.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no Chromium (/usr/bin/chromium, chromium or chromium-browser on PATH): " +
		"the browser tests need it; on Debian: apt-get install chromium"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: failing instead of skipping)")
	}
	t.Skip(msg)
	return ""
}

// noLeaks checks, once everything the test started has been cleaned up,
// that no goroutine it started is left: the browser's included. Call it
// first, so that its check runs after every other cleanup.
func noLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// startBrowser starts the headless Chromium at path for the rest of the
// test, with a fresh profile and no network of its own. At the end of the
// test the browser is closed and its process waited for.
func startBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Background tabs keep their timers and rendering: the chat test
		// watches two tabs at once.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// A graceful close lets Chromium stop its helper processes, which
		// a kill would leave writing to the profile for a while.
		if err := chromedp.Cancel(browserCtx); err != nil {
			t.Errorf("closing the browser: %v", err)
		}
		cancelBrowser()
		cancelAlloc() // waits for the browser's process to exit
	})
	// The first Run starts the browser; a timeout on its context would
	// stop the browser with it, so the guard cancels from outside.
	guard(t, cancelBrowser, func() error { return chromedp.Run(browserCtx) })
	return browserCtx
}

// guard runs step, cancelling the browser or tab it works on (and so
// ending step) if it has not returned within testTimeout.
func guard(t *testing.T, cancel context.CancelFunc, step func() error) {
	t.Helper()
	timeout, stop := context.WithTimeout(context.Background(), testTimeout)
	defer stop()
	defer context.AfterFunc(timeout, cancel)()
	err := step()
	if timeout.Err() != nil {
		t.Fatalf("browser: nothing within %v (%v)", testTimeout, err)
	}
	require.NoError(t, err)
}

// tab is one browser tab showing the demo's index page.
type tab struct {
	t      *testing.T
	ctx    context.Context
	cancel context.CancelFunc
}

// openPage opens the index page at url in a new tab, closed at the end of
// the test, and waits for its script to have listed the sockets.
func openPage(t *testing.T, browser context.Context, url string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	tb := &tab{t: t, ctx: ctx, cancel: cancel}
	tb.run(chromedp.Navigate(url), chromedp.WaitVisible(`button[data-socket="echo"]`, chromedp.ByQuery))
	return tb
}

func (tb *tab) run(actions ...chromedp.Action) {
	tb.t.Helper()
	guard(tb.t, tb.cancel, func() error { return chromedp.Run(tb.ctx, actions...) })
}

// until waits until the JavaScript function fn, called with args, returns
// true; it is checked again on every change of the page.
func (tb *tab) until(fn string, args ...any) {
	tb.t.Helper()
	var ok bool
	tb.run(chromedp.PollFunction(fn, &ok,
		chromedp.WithPollingArgs(args...),
		chromedp.WithPollingMutation(),
		chromedp.WithPollingTimeout(0))) // guard bounds the wait
}

// choose picks a socket in the list.
func (tb *tab) choose(socket string) {
	tb.t.Helper()
	tb.run(chromedp.Click(`button[data-socket="`+socket+`"]`, chromedp.ByQuery))
	tb.until(`(id) => document.querySelector('button[data-socket="' + id + '"]').getAttribute("aria-pressed") === "true"`, socket)
}

// setParam fills a parameter of the chosen socket, as typing would.
func (tb *tab) setParam(name, value string) {
	tb.t.Helper()
	sel := "#param-" + name
	tb.run(clear(sel), chromedp.SendKeys(sel, value, chromedp.ByQuery))
}

// clear empties the text field sel, as selecting its text and deleting
// it would.
func clear(sel string) chromedp.Action {
	return chromedp.Evaluate(`document.querySelector(`+strconv.Quote(sel)+`).value = ""`, nil)
}

// connect presses Connect and waits for the socket to be open.
func (tb *tab) connect() {
	tb.t.Helper()
	tb.run(chromedp.Click("#connect", chromedp.ByQuery),
		chromedp.WaitVisible(`#status[data-state="open"]`, chromedp.ByQuery))
}

// typeMessage types text into the message box, in place of the example
// it holds, and presses Send.
func (tb *tab) typeMessage(text string) {
	tb.t.Helper()
	tb.run(clear("#message"), chromedp.SendKeys("#message", text, chromedp.ByQuery), chromedp.Click("#send", chromedp.ByQuery))
}

// waitLog waits for a line of the log of the given kind ("in", "out") and
// text.
func (tb *tab) waitLog(kind, text string) {
	tb.t.Helper()
	tb.until(`(kind, text) => Array.from(document.querySelectorAll("#log li." + kind + " .data"))
		.some((el) => el.textContent === text)`, kind, text)
}

// text returns the text content of the element sel.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	var s string
	tb.run(chromedp.TextContent(sel, &s, chromedp.ByQuery))
	return s
}

// attr returns the attribute name of the element sel.
func (tb *tab) attr(sel, name string) string {
	tb.t.Helper()
	var s string
	var ok bool
	tb.run(chromedp.AttributeValue(sel, name, &s, &ok, chromedp.ByQuery))
	return s
}

// value returns the value of the form control sel.
func (tb *tab) value(sel string) string {
	tb.t.Helper()
	var s string
	tb.run(chromedp.Value(sel, &s, chromedp.ByQuery))
	return s
}

// waitClose waits for the page to show that the socket closed, and
// returns the code, name and reason it shows.
func (tb *tab) waitClose() (code, name, reason string) {
	tb.t.Helper()
	tb.run(chromedp.WaitVisible("#close-info", chromedp.ByQuery))
	return tb.text("#close-code"), tb.text("#close-name"), tb.text("#close-reason")
}

func TestBrowserPage(t *testing.T) {
	chromium := chromiumPath(t)
	noLeaks(t)
	d := startDemo(t)
	browser := startBrowser(t, chromium)
	page := d.httpURL("/")

	t.Run("connects to the echo socket on load", func(t *testing.T) {
		tb := openPage(t, browser, page)
		// No click: the page's script connects to the meta tag's URL.
		tb.run(chromedp.WaitVisible(`#status[data-state="open"]`, chromedp.ByQuery))
		tb.until(`() => document.querySelector('button[data-socket="echo"]').getAttribute("aria-pressed") === "true"`)
		require.Equal(t, d.wsURL("/echo"), tb.text("#url"))
		tb.until(`(text) => Array.from(document.querySelectorAll("#log li .data")).some((el) => el.textContent === text)`,
			"connecting to "+d.wsURL("/echo"))
		tb.typeMessage("no click needed")
		tb.waitLog("in", "no click needed")

		// A person may still pick another socket.
		tb.choose("hello")
		tb.connect()
		tb.typeMessage("again")
		tb.waitLog("in", "Hello, again")
	})

	t.Run("a #socket in the address picks it, without connecting", func(t *testing.T) {
		tb := openPage(t, browser, page+"#hello")
		tb.until(`() => document.querySelector('button[data-socket="hello"]').getAttribute("aria-pressed") === "true"`)
		require.Equal(t, "idle", tb.attr("#status", "data-state"))
	})

	t.Run("echo", func(t *testing.T) {
		tb := openPage(t, browser, page)
		tb.choose("echo")
		require.Equal(t, d.wsURL("/echo"), tb.text("#url"), "the URL comes from the meta tag")
		tb.connect()
		tb.typeMessage("hello from a browser ✓")
		tb.waitLog("out", "hello from a browser ✓")
		tb.waitLog("in", "hello from a browser ✓")
		require.Empty(t, tb.value("#message"), "the message box is emptied once sent")
	})

	t.Run("hello", func(t *testing.T) {
		tb := openPage(t, browser, page)
		tb.choose("hello")
		tb.connect()
		tb.typeMessage("Zoë")
		tb.waitLog("in", "Hello, Zoë")
	})

	t.Run("bytes as binary", func(t *testing.T) {
		tb := openPage(t, browser, page)
		tb.choose("bytes")
		require.Equal(t, d.wsURL("/bytes"), tb.text("#url"))
		tb.connect()
		tb.typeMessage("hé")
		tb.until(`() => Array.from(document.querySelectorAll('#log li.in[data-binary="true"] .hex'))
			.some((el) => el.textContent === "68 c3 a9")`)
	})

	t.Run("chat between two tabs", func(t *testing.T) {
		ann := openPage(t, browser, page)
		bob := openPage(t, browser, page)
		for _, m := range []struct {
			tb   *tab
			name string
		}{{ann, "ann"}, {bob, "bob"}} {
			m.tb.choose("chat")
			m.tb.setParam("room", "browsers")
			m.tb.setParam("name", m.name)
			require.Equal(t, d.wsURL("/chat/browsers?name="+m.name), m.tb.text("#url"))
			m.tb.connect()
			m.tb.waitLog("in", "* "+m.name+" joined")
		}
		ann.waitLog("in", "* bob joined")

		ann.typeMessage("hi bob")
		bob.waitLog("in", "ann: hi bob")
		ann.waitLog("in", "ann: hi bob")
		bob.typeMessage("hi ann")
		ann.waitLog("in", "bob: hi ann")

		bob.run(chromedp.Click("#disconnect", chromedp.ByQuery))
		code, _, _ := bob.waitClose()
		require.Equal(t, "1000", code)
		ann.waitLog("in", "* bob left")
	})

	t.Run("rooms resume after a reconnect", func(t *testing.T) {
		tb := openPage(t, browser, page)
		tb.choose("rooms")
		tb.setParam("room", "resume")
		tb.setParam("name", "ann")
		tb.connect()
		tb.until(`() => document.querySelector("#param-since").value !== ""`) // ann's joined is shown
		epoch, since := tb.value("#param-epoch"), tb.value("#param-since")
		require.True(t, broker.ValidEpoch(epoch), "the page shows the epoch: %q", epoch)
		tb.waitLog("in", `{"epoch":"`+epoch+`"}`)
		tb.waitLog("in", `{"seq":`+since+`,"joined":"ann"}`)
		tb.run(chromedp.Click("#disconnect", chromedp.ByQuery))
		tb.waitClose()

		bob, _ := roomsMember(t, d, "resume", "bob")
		bob.SendText(`{"text":"while ann was away"}`)
		missed := expectEv(t, bob, 0, `{"from":"bob","text":"while ann was away"}`)
		tb.connect()
		tb.until(`(text) => Array.from(document.querySelectorAll("#log li .data")).some((el) => el.textContent === text)`,
			"connecting to "+d.wsURL("/rooms/resume?name=ann&since="+since+"&epoch="+epoch))
		tb.waitLog("in", `{"epoch":"`+epoch+`","recovered":true}`)
		tb.waitLog("in", missed.raw)
	})

	t.Run("close codes", func(t *testing.T) {
		tb := openPage(t, browser, page)
		tb.choose("hello-once")
		tb.run(chromedp.Click("#connect", chromedp.ByQuery))
		code, name, reason := tb.waitClose()
		require.Equal(t, []string{"1000", "normal closure", ""}, []string{code, name, reason})
		tb.waitLog("in", "Hello!")

		tb.choose("close")
		tb.setParam("code", "4001")
		tb.setParam("reason", "done ✓")
		tb.run(chromedp.Click("#connect", chromedp.ByQuery))
		code, name, reason = tb.waitClose()
		require.Equal(t, []string{"4001", "private use", "done ✓"}, []string{code, name, reason})

		tb.choose("fail")
		tb.connect()
		tb.typeMessage("boom")
		code, name, reason = tb.waitClose()
		require.Equal(t, []string{"1011", "internal error", "internal error"}, []string{code, name, reason})
	})

	t.Run("secure after login", func(t *testing.T) {
		tb := openPage(t, browser, page)
		tb.choose("secure")
		tb.run(chromedp.Click("#connect", chromedp.ByQuery))
		code, _, _ := tb.waitClose()
		require.Equal(t, "1006", code, "refused without a session: the browser sees no close frame")

		tb.run(chromedp.SendKeys("#login-user", "ann", chromedp.ByQuery), chromedp.Click("#login", chromedp.ByQuery))
		tb.until(`() => document.querySelector("#login-result").textContent === "logged in as ann"`)
		tb.connect()
		tb.waitLog("in", "Hello, ann")
		tb.typeMessage("only for members")
		tb.waitLog("in", "only for members")
	})
}
