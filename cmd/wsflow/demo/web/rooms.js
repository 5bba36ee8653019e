// rooms.js: a client for the demo's /rooms/{room} sockets, for browsers and
// Node (20 with --experimental-websocket, or 22 and later). One ES module,
// no dependency, no build step; the demo serves it at GET /rooms.js.
//
//   import { joinRoom } from "/rooms.js";
//   const room = joinRoom("ws://localhost:9000/rooms/lobby", {
//     name: "ann",
//     onEvent(ev) { ... },                  // {seq, joined} | {seq, from, text} | {seq, left}
//     onEpoch({ epoch, resumed, recovered }) { ... },
//     onState(state, info) { ... },         // "connecting" | "open" | "waiting" | "closed"
//   });
//   room.send("Hi, everyone!");             // sent as {"text":"Hi, everyone!"}
//   room.close();
//
// joinRoom(url, options) joins the room at url (ws:, wss:, http: or https:;
// relative to the page in a browser; name, since and epoch are options, not
// parameters of url) and returns the room at once. It keeps
// the room joined until room.close(), or until the server ends it for good:
//
// - Events reach onEvent once each, in the room's order. The module keeps
//   the last seq it passed on and the room's epoch; after any drop it comes
//   back with ?since=<last seq>&epoch=<epoch>, and skips an event whose seq
//   is not above the last one of the same epoch.
// - onEpoch is called with the first message of every socket:
//   {epoch, resumed, recovered}. resumed: the socket asked for what came
//   after since. recovered false means events were missed: the room's
//   history no longer held them, or the room started again with a new
//   epoch (its seq numbers start again; the module does too). A caller that
//   keeps state built from events should rebuild it then. A fresh join is
//   {resumed: false, recovered: true}.
// - onState(state, info): "connecting" (a socket is opening to info.url;
//   info.attempt counts the tries since the room was last joined), "open" (the server
//   named the epoch: the room is joined), "waiting" (the socket ended;
//   info.delay ms until the next try, info.code and info.reason of the
//   close), "closed" (for good: info.code and info.reason). room.closed is a
//   promise of that last info.
// - Coming back waits a random time between 0 and
//   min(maxDelay, minDelay * 2^tries) (exponential backoff, full jitter;
//   options minDelay 500 and maxDelay 30000 ms by default).
// - What ends the room for good: room.close(); the server's close 1000 (the
//   room's flow completed); a close code that says trying again would meet
//   the same answer: 1002, 1003, 1007, 1008 (including "too slow: fell
//   behind the room"), 1009, 1010, and the applications' 3000-4999; a
//   message that breaks the protocol (reported as 1002); and, if
//   options.maxFailures is set, that many handshakes in a row failing
//   before the socket opened. Everything else comes back: 1001 (going
//   away), 1005, 1006, 1011, 1012, 1013 (try again later), 1014.
// - A refused handshake (HTTP 400 for a bad name, 404 for a bad room, 403
//   for a foreign origin, 503 while rooms are unavailable) is, to a browser
//   and to Node's WebSocket alike, a socket that fails before it opens,
//   with no status: the same as a server that is not up. So failures before
//   open are retried (with backoff), and maxFailures (default: no limit)
//   bounds them. The module checks name itself: a bad one throws at once.
// - room.send(text) sends {"text": text} now if the socket is open, else
//   queues it (at most options.maxQueue, default 100; beyond, send throws)
//   and sends the queue, in order, once a socket opens. A message handed to
//   a socket that then drops may be lost: the protocol has no
//   acknowledgement, so the module does not send it again (a member sees
//   its own messages come back as {"from": name} events). send after the
//   room has closed throws.
// - options.since and options.epoch start the room from a position kept
//   from before (room.seq and room.epoch), e.g. across a page reload.
// - options.WebSocket: the WebSocket class (default globalThis.WebSocket).

const FINAL = new Set([1000, 1002, 1003, 1007, 1008, 1009, 1010]);

// isFinal reports whether a server's close code ends the room for good.
function isFinal(code) {
  return FINAL.has(code) || (code >= 3000 && code <= 4999);
}

const NAME = /^[A-Za-z0-9_-]{1,32}$/;
const EPOCH = /^[A-Za-z0-9_-]{1,64}$/;

// roomURL returns url as a WebSocket URL: http(s) becomes ws(s), and a
// relative URL is resolved against the page, where there is one.
function roomURL(url) {
  const u = new URL(url, globalThis.location ? globalThis.location.href : undefined);
  if (u.protocol === "http:") u.protocol = "ws:";
  else if (u.protocol === "https:") u.protocol = "wss:";
  if (u.protocol !== "ws:" && u.protocol !== "wss:") throw new TypeError("joinRoom: not a WebSocket URL: " + url);
  for (const p of ["name", "since", "epoch"]) {
    if (u.searchParams.has(p)) throw new TypeError("joinRoom: pass " + p + " as an option, not in the URL");
  }
  return u;
}

function positive(v, what) {
  if (typeof v !== "number" || !(v >= 0)) throw new TypeError("joinRoom: " + what + " must be a number >= 0");
  return v;
}

/**
 * Joins the room at url and keeps it joined; see the module's comment.
 * @returns {{send(text: string): void, close(): void, readonly state: string,
 *   readonly epoch: string, readonly seq: number|null, readonly closed: Promise<{code: number, reason: string}>}}
 */
export function joinRoom(url, options = {}) {
  const WS = options.WebSocket || globalThis.WebSocket;
  if (typeof WS !== "function") {
    throw new TypeError("joinRoom: no WebSocket: pass options.WebSocket, or run Node 20 with --experimental-websocket");
  }
  const base = roomURL(url);
  if (options.name !== undefined && !NAME.test(options.name)) {
    throw new TypeError("joinRoom: name must be 1 to 32 of A-Z a-z 0-9 _ -");
  }
  if (options.epoch !== undefined && !EPOCH.test(options.epoch)) {
    throw new TypeError("joinRoom: epoch must be 1 to 64 of A-Z a-z 0-9 _ -");
  }
  if (options.since !== undefined && !Number.isSafeInteger(options.since)) {
    throw new TypeError("joinRoom: since must be an integer >= 0");
  }
  const minDelay = positive(options.minDelay ?? 500, "minDelay");
  const maxDelay = positive(options.maxDelay ?? 30000, "maxDelay");
  const maxQueue = positive(options.maxQueue ?? 100, "maxQueue");
  const maxFailures = positive(options.maxFailures ?? Infinity, "maxFailures");
  if (minDelay > maxDelay) throw new RangeError("joinRoom: minDelay is above maxDelay");
  const onEvent = options.onEvent || (() => {});
  const onEpoch = options.onEpoch || (() => {});
  const onState = options.onState || (() => {});

  let epoch = options.epoch || ""; // the room's epoch, once known
  let seq = options.since ?? null; // the last seq passed on; null: none asked for yet
  let state = "";
  let ws = null;        // the current socket
  let timer = null;     // the pending retry
  let tries = 0;        // sockets opened since the room was last joined
  let failures = 0;     // handshakes failed in a row before opening
  const queue = [];
  let settle;
  const closed = new Promise((resolve) => { settle = resolve; });

  function setState(s, info) {
    state = s;
    onState(s, info);
  }

  function connect() {
    timer = null;
    const u = new URL(base);
    if (options.name !== undefined) u.searchParams.set("name", options.name);
    const resumed = seq !== null;
    if (resumed) {
      u.searchParams.set("since", String(seq));
      if (epoch) u.searchParams.set("epoch", epoch);
    }
    tries++;
    const sock = new WS(u.toString());
    ws = sock;
    let opened = false;
    let greeted = false;
    setState("connecting", { attempt: tries, url: u.toString() });

    sock.onopen = () => {
      if (ws !== sock) return;
      opened = true;
      failures = 0;
      while (queue.length > 0) sock.send(queue.shift());
    };
    sock.onmessage = (e) => {
      if (ws !== sock) return;
      let msg;
      try {
        msg = typeof e.data === "string" ? JSON.parse(e.data) : null;
      } catch {
        msg = null;
      }
      if (msg === null || typeof msg !== "object") {
        fail(1002, "protocol error: a message that is not a JSON object");
        return;
      }
      if (!greeted) {
        if (typeof msg.epoch !== "string" || !EPOCH.test(msg.epoch)) {
          fail(1002, "protocol error: the first message names no epoch");
          return;
        }
        greeted = true;
        tries = 0;
        const recovered = resumed ? msg.recovered === true : true;
        if (seq === null || (epoch && msg.epoch !== epoch)) seq = 0; // numbering starts again
        epoch = msg.epoch;
        setState("open", { epoch });
        onEpoch({ epoch, resumed, recovered });
        return;
      }
      if (!Number.isSafeInteger(msg.seq) || msg.seq <= 0) {
        fail(1002, "protocol error: an event without a seq");
        return;
      }
      if (msg.seq <= seq) return; // seen before this socket
      seq = msg.seq;
      onEvent(msg);
    };
    // A socket that fails before it opens gets an error event; browsers
    // then send close 1006, Node 20's WebSocket sends nothing more.
    sock.onerror = () => {
      if (ws !== sock || opened) return;
      ended(1006, "");
    };
    sock.onclose = (e) => {
      if (ws !== sock) return;
      ended(e.code, e.reason);
    };

    // ended handles the end of sock: for good, or a retry later.
    function ended(code, reason) {
      ws = null;
      if (!opened) {
        try { sock.close(); } catch { /* already failed */ }
        failures++;
        if (failures >= maxFailures) {
          finish(code, reason || "no socket after " + failures + " tries");
          return;
        }
      } else if (isFinal(code)) {
        finish(code, reason);
        return;
      }
      const delay = Math.random() * Math.min(maxDelay, minDelay * 2 ** Math.min(tries, 52));
      timer = setTimeout(connect, delay);
      setState("waiting", { delay, code, reason });
    }
  }

  // fail ends the room for a server that broke the protocol.
  function fail(code, reason) {
    const sock = ws;
    ws = null;
    sock.close(1000);
    finish(code, reason);
  }

  function finish(code, reason) {
    if (state === "closed") return;
    clearTimeout(timer);
    timer = null;
    queue.length = 0;
    const info = { code, reason };
    setState("closed", info);
    settle(info);
  }

  connect();

  return {
    /** Sends {"text": text}: now, or once a socket opens. */
    send(text) {
      if (typeof text !== "string") throw new TypeError("room.send: text must be a string");
      if (state === "closed") throw new Error("room.send: the room is closed");
      const data = JSON.stringify({ text });
      if (ws && ws.readyState === 1 /* OPEN */) {
        ws.send(data);
        return;
      }
      if (queue.length >= maxQueue) throw new Error("room.send: " + maxQueue + " messages already wait for a socket");
      queue.push(data);
    },
    /** Leaves the room for good: closes the socket with 1000, sends nothing queued. */
    close() {
      const sock = ws;
      ws = null;
      if (sock) {
        try { sock.close(1000); } catch { /* still connecting in Node 20 */ }
      }
      finish(1000, "");
    },
    get state() { return state; },
    get epoch() { return epoch; },
    get seq() { return seq; },
    closed,
  };
}
