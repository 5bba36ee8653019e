"use strict";
// The demo page: it reads the echo socket's URL from the webSocketUrl meta
// tag, filled in by reverse routing, connects to it as soon as the page has
// loaded, and derives every other socket's URL from it (same scheme and
// host), so that it works behind TLS and proxies. A person may then pick
// any other socket and connect to it.

var webSocketUrl = document.querySelector("meta[name='webSocketUrl']").getAttribute("content");
var base = new URL(webSocketUrl);

// The sockets of the demo, in the order the page lists them.
var SOCKETS = [
  { group: "Messages", id: "echo", kind: "string", path: "/echo", example: "Hello, wsflow",
    about: "Sends each text message back unchanged." },
  { id: "hello", kind: "string", path: "/hello", example: "world",
    about: "Answers each message m with \u201cHello, m\u201d." },
  { id: "bytes", kind: "bytes", path: "/bytes", modes: ["binary", "hex"], example: "h\u00e9llo",
    about: "Sends each binary message back, as binary. What you type goes out as its UTF-8 bytes, or as the bytes a hex string spells (\u201cde ad be ef\u201d)." },
  { id: "json", kind: "JSON", path: "/json", modes: ["text", "binary"], example: "{ \"name\" : \"wsflow\", \"tags\" : [ 1.0, 2e3 ] }",
    about: "Answers each JSON value re-serialised compactly: white space goes, member order, escapes and number spellings stay. Not JSON closes with 1007." },
  { id: "model", kind: "model", path: "/model", example: "{\"op\":\"add\",\"a\":1,\"b\":2}",
    about: "A typed model: {\"op\":\"add\"|\"sub\"|\"mul\"|\"div\",\"a\":N,\"b\":N}. JSON that does not fit closes the socket with 1007 and names the field.",
    quick: ["{\"op\":\"mul\",\"a\":6,\"b\":7}", "{\"op\":\"div\",\"a\":1,\"b\":0}", "{\"op\":\"add\",\"a\":\"1\",\"b\":2}", "{\"op\":\"add\",\"a\":1}"] },
  { id: "raw", kind: "raw", path: "/raw", modes: ["text", "binary", "hex"], example: "as it is",
    about: "Messages as they are: text comes back as text, binary as binary." },

  { group: "Streams", id: "ticks", kind: "disconnected", path: "/ticks", params: ["every"], every: "1s",
    about: "Sends \u201ctick\u201d every interval (the first one an interval after connecting). What you send is only logged by the server." },
  { id: "stopwatch", kind: "disconnected", path: "/stopwatch", params: ["every"], every: "1s", quick: ["start", "stop", "reset"],
    about: "A stop watch: start, stop and reset it; while it runs it sends its counter, 0, 1, 2, \u2026 Any other command closes with 1008." },
  { id: "stopwatch/query", kind: "combine", path: "/stopwatch/query", params: ["every"], every: "1m", quick: ["start", "stop", "reset", "time"],
    about: "The stop watch ticking once a minute by default, plus \u201ctime\u201d, answered at once with the counter." },
  { id: "actor/stopwatch", kind: "actor", path: "/actor/stopwatch", params: ["every"], every: "1s", quick: ["start", "stop", "reset"],
    about: "The same stop watch, written with the per-connection actor API." },
  { id: "lookup", kind: "async", path: "/lookup", params: ["parallel", "heartbeat"], example: "{\"id\":1,\"work\":\"2s\"}",
    quick: ["{\"id\":2,\"work\":\"500ms\"}", "{\"id\":3,\"work\":\"0s\"}", "{\"id\":4,\"work\":\"11s\"}"],
    about: "Pieces of work for a simulated back end, parallel at once (mapAsync): each {\"id\":N,\"work\":\"2s\"} is answered with {\"id\":N,\"done\":true} when its work is over, in the order sent; {\"heartbeat\":true} whenever the socket has been quiet for heartbeat (keepAlive)." },
  { id: "callbacks", kind: "callbacks", path: "/callbacks", example: "ping", quick: ["bye"],
    about: "The callback API: \u201cHello!\u201d on open, \u201cgot: m\u201d for each message m; \u201cbye\u201d makes the server close with 1000." },

  { group: "Rooms and sessions", id: "chat", kind: "hub", path: "/chat/{room}", params: ["room", "name"], example: "Hi, everyone!",
    about: "A chat room: everyone in the room sees what each member says, in the same order. Open this page in another tab to talk to yourself." },
  { id: "rooms", kind: "rooms", path: "/rooms/{room}", params: ["room", "name", "since", "epoch"], example: "Hi, everyone!",
    about: "A room of JSON events numbered by the room (seq), shared by every demo on one NATS; what you type goes out as {\"text\":\"...\"}. The panel joins with /rooms.js, which comes back by itself after a drop and gets what you missed: the first message names the room's epoch, and since and epoch follow the last event shown." },
  { id: "secure", kind: "session", path: "/secure", login: true, example: "only for members",
    about: "Accepted only with a session cookie: log in first, and it greets you by name and then echoes. Without one the handshake is refused with 403." },

  { group: "Endings", id: "hello-once", kind: "(in, out)", path: "/hello-once",
    about: "Ignores what you send, sends \u201cHello!\u201d and closes with 1000." },
  { id: "close", kind: "close code", path: "/close", params: ["code", "reason"],
    about: "Closes right after the handshake with the code (1000 or 3000\u20134999) and reason you choose." },
  { id: "fail", kind: "error", path: "/fail", example: "boom",
    about: "The first message makes the flow fail with a Go error: 1011 internal error, the details only in the server's log." }
];

var CLOSE_NAMES = {
  1000: "normal closure", 1001: "going away", 1002: "protocol error", 1003: "unsupported data",
  1005: "no status", 1006: "abnormal closure", 1007: "invalid payload", 1008: "policy violation",
  1009: "message too big", 1010: "mandatory extension", 1011: "internal error", 1012: "service restart",
  1013: "try again later", 1014: "bad gateway", 1015: "TLS handshake"
};

var MODE_LABELS = { text: "text", binary: "binary (UTF-8)", hex: "binary (hex)" };
var MAX_LOG = 1000;

function $(id) { return document.getElementById(id); }

var current = null; // the chosen socket
var ws = null;      // the open or opening WebSocket, if any
var room = null;    // the joined room, for the rooms socket (joinPanelRoom)
var opened = false; // whether ws got past its handshake

// --- URLs ---------------------------------------------------------------

// socketURL returns the URL of socket s with the parameters typed in: for
// the echo socket, the meta tag's URL itself.
function socketURL(s) {
  if (s.path === base.pathname && !s.params) return webSocketUrl;
  var path = s.path.replace("{room}", encodeURIComponent($("param-room").value.trim()));
  var u = new URL(path, base);
  var q = new URLSearchParams();
  (s.params || []).forEach(function (p) {
    if (p === "room") return;
    var v = $("param-" + p).value.trim();
    if (v !== "") q.set(p, v);
  });
  u.search = q.toString();
  return u.toString();
}

function showURL() { $("url").textContent = socketURL(current); }

// --- The list of sockets --------------------------------------------------

function buildNav() {
  var nav = $("sockets"), list = null;
  SOCKETS.forEach(function (s) {
    if (s.group) {
      var h = document.createElement("h2");
      h.textContent = s.group;
      list = document.createElement("ul");
      nav.append(h, list);
    }
    var b = document.createElement("button");
    b.type = "button";
    b.className = "socket";
    b.dataset.socket = s.id;
    b.setAttribute("aria-pressed", "false");
    var name = document.createElement("span");
    name.textContent = s.id;
    var kind = document.createElement("small");
    kind.textContent = s.kind;
    b.append(name, kind);
    b.addEventListener("click", function () { choose(s); });
    var li = document.createElement("li");
    li.append(b);
    list.append(li);
  });
}

function choose(s) {
  if (ws || room) abandon("switched to " + s.path);
  current = s;
  document.querySelectorAll(".socket").forEach(function (b) {
    b.setAttribute("aria-pressed", String(b.dataset.socket === s.id));
  });
  $("socket-title").textContent = s.path;
  $("socket-about").textContent = s.about;
  document.querySelectorAll(".param").forEach(function (el) {
    el.hidden = (s.params || []).indexOf(el.dataset.param) < 0;
  });
  $("param-every").placeholder = s.every || "";
  $("login-form").hidden = !s.login;

  var modes = s.modes || ["text"];
  var sel = $("send-as");
  sel.textContent = "";
  modes.forEach(function (m) { sel.append(new Option(MODE_LABELS[m], m)); });
  sel.hidden = modes.length < 2;
  $("message").value = s.example || "";
  $("message").rows = s.id === "json" || s.id === "model" || s.id === "lookup" ? 3 : 1;

  var quick = $("quick");
  quick.textContent = "";
  (s.quick || []).forEach(function (text) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.title = "send " + text;
    b.addEventListener("click", function () { send(text, "text"); });
    quick.append(b);
  });
  showURL();
  setState("idle", "not connected");
  if (location.hash !== "#" + s.id) history.replaceState(null, "", "#" + s.id);
}

// --- The connection -------------------------------------------------------

function setState(state, text) {
  var st = $("status");
  st.dataset.state = state;
  st.textContent = text;
  var live = state === "open";
  $("message").disabled = !live;
  $("send").disabled = !live;
  $("quick").querySelectorAll("button").forEach(function (b) { b.disabled = !live; });
  $("disconnect").disabled = state !== "open" && state !== "connecting";
  $("connect").textContent = state === "open" || state === "connecting" ? "Reconnect" : "Connect";
  if (state !== "closed") $("close-info").hidden = true;
}

function connect() {
  if (ws || room) abandon("reconnecting");
  showURL();
  if (current.kind === "rooms") {
    room = joinPanelRoom();
    return;
  }
  var url = socketURL(current);
  var sock = new WebSocket(url);
  sock.binaryType = "arraybuffer";
  ws = sock;
  opened = false;
  setState("connecting", "connecting\u2026");
  log("info", "connecting to " + url);
  sock.onopen = function () {
    if (ws !== sock) return;
    opened = true;
    setState("open", "open");
    log("info", "open" + (sock.protocol ? ", subprotocol " + sock.protocol : ""));
    $("message").focus();
  };
  sock.onmessage = function (e) {
    if (ws !== sock) return;
    if (typeof e.data === "string") log("in", e.data);
    else log("in", new Uint8Array(e.data));
  };
  sock.onclose = function (e) {
    if (ws !== sock) return;
    ws = null;
    showClose(e.code, e.reason, opened);
  };
}

// joinPanelRoom joins the room the fields name with the demo's rooms
// client, the module /rooms.js, which comes back by itself after a drop,
// with since and epoch, and returns the handle connect keeps in room.
function joinPanelRoom() {
  var url = new URL(current.path.replace("{room}", encodeURIComponent($("param-room").value.trim())), base).toString();
  var h = { room: null, ended: false, opened: false };
  var opts = {
    onEvent: function (ev) { shown(JSON.stringify(ev)); },
    onEpoch: function (e) {
      shown(JSON.stringify(e.resumed ? { epoch: e.epoch, recovered: e.recovered } : { epoch: e.epoch }));
      if (!e.recovered) log("error", "events were missed: the room's history no longer holds them, or the room started again");
    },
    onState: function (state, info) {
      if (room !== h) return;
      if (state === "connecting") {
        log("info", "connecting to " + info.url);
        setState("connecting", info.attempt > 1 ? "reconnecting\u2026" : "connecting\u2026");
      } else if (state === "open") {
        h.opened = true;
        setState("open", "open");
      } else if (state === "waiting") {
        log("info", "socket ended: " + info.code + (info.reason ? " \u201c" + info.reason + "\u201d" : "") +
          "; trying again in " + Math.round(info.delay) + " ms");
        setState("connecting", "reconnecting\u2026");
      } else if (state === "closed") {
        room = null;
        showClose(info.code, info.reason, h.opened);
      }
    }
  };
  function shown(text) {
    if (room !== h) return;
    log("in", text);
    followRoom(text);
  }
  ["name", "since", "epoch"].forEach(function (p) {
    var v = $("param-" + p).value.trim();
    if (v !== "") opts[p] = p === "since" ? Number(v) : v;
  });
  h.send = function (text) { h.room.send(text); };
  h.close = function () {
    h.ended = true;
    if (h.room) h.room.close();
    else if (room === h) opts.onState("closed", { code: 1000, reason: "" });
  };
  setState("connecting", "connecting\u2026");
  import("./rooms.js").then(function (m) {
    if (!h.ended) h.room = m.joinRoom(url, opts);
  }).catch(function (err) {
    if (room !== h) return;
    log("error", "rooms.js: " + err.message);
    room = null;
    setState("closed", "closed");
  });
  return h;
}

// followRoom keeps since and epoch at the room's epoch and the seq of the
// last event shown, so that reconnecting resumes after it.
function followRoom(text) {
  var ev;
  try { ev = JSON.parse(text); } catch (err) { return; }
  if (!ev || typeof ev !== "object") return;
  if (typeof ev.epoch === "string") $("param-epoch").value = ev.epoch;
  if (typeof ev.seq === "number") $("param-since").value = String(ev.seq);
  showURL();
}

// disconnect closes the socket from this side with 1000; the close
// handshake's outcome is shown when it completes.
function disconnect() {
  if (room) {
    setState("closing", "closing\u2026");
    room.close();
    return;
  }
  if (!ws) return;
  setState("closing", "closing\u2026");
  ws.close(1000);
}

// abandon closes the socket with 1000 and forgets it, for a page moving on
// to another socket.
function abandon(why) {
  var sock = ws || room;
  ws = room = null;
  if (!sock) return;
  sock.close(1000);
  log("info", "disconnected: " + why);
  setState("idle", "not connected");
}

// closeName names a close code: the protocol's own, or the range of an
// application's.
function closeName(code) {
  if (CLOSE_NAMES[code]) return CLOSE_NAMES[code];
  if (code >= 4000 && code <= 4999) return "private use";
  if (code >= 3000 && code <= 3999) return "registered";
  return "";
}

function showClose(code, reason, wasOpen) {
  var tone = code === 1000 || code === 1001 ? "normal" : code >= 3000 && code <= 4999 ? "app" : "bad";
  setState("closed", "closed");
  $("close-code").textContent = String(code);
  $("close-name").textContent = closeName(code);
  $("close-reason").textContent = reason;
  $("close-info").className = "close-info " + tone;
  $("close-info").hidden = false;
  var parts = [String(code)];
  if (closeName(code)) parts.push(closeName(code));
  if (reason) parts.push("\u201c" + reason + "\u201d");
  log("close " + tone, parts.join(" "));
  if (!wasOpen) {
    log("error", "The handshake was refused or failed, and browsers do not say why. " +
      "/secure needs a login first; a bad parameter gets 400, a bad room 404, a foreign origin 403.");
  }
}

// --- Sending --------------------------------------------------------------

function hexBytes(s) {
  var clean = s.replace(/\s+/g, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) return null;
  var out = new Uint8Array(clean.length / 2);
  for (var i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

function send(text, mode) {
  if (room) {
    room.send(text);
    log("out", JSON.stringify({ text: text }));
    return true;
  }
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  var payload = text;
  if (mode === "binary") payload = new TextEncoder().encode(text);
  if (mode === "hex") {
    payload = hexBytes(text);
    if (payload === null) {
      log("error", "not hex: type pairs of hex digits, such as \u201c68 69\u201d");
      return false;
    }
  }
  ws.send(payload);
  log("out", payload);
  return true;
}

// --- The log --------------------------------------------------------------

function hex(bytes) {
  return Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join(" ");
}

// printable returns bytes decoded as UTF-8 when they are valid UTF-8
// without control characters, else null.
function printable(bytes) {
  if (bytes.length === 0) return null;
  try {
    var text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return /[\u0000-\u001f\u007f]/.test(text) ? null : text;
  } catch (e) {
    return null;
  }
}

function clock() {
  var d = new Date();
  function two(n) { return String(n).padStart(2, "0"); }
  return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds()) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

var DIRS = { "in": "\u2193 in", out: "\u2191 out", info: "", error: "!", close: "closed" };

// log adds a line: kind is in, out, info, error or close; data a string
// or, for a binary message, a Uint8Array.
function log(kind, data) {
  var li = document.createElement("li");
  li.className = kind;
  var time = document.createElement("time");
  time.textContent = clock();
  var dir = document.createElement("span");
  dir.className = "dir";
  dir.textContent = DIRS[kind.split(" ")[0]];
  var body = document.createElement("span");
  body.className = "data";
  if (data instanceof Uint8Array) {
    var tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = "binary \u00b7 " + data.length + (data.length === 1 ? " byte" : " bytes");
    var bytes = document.createElement("span");
    bytes.className = "hex";
    bytes.textContent = hex(data);
    body.append(tag, bytes);
    var text = printable(data);
    if (text !== null) {
      var decoded = document.createElement("span");
      decoded.className = "decoded";
      decoded.textContent = "\u201c" + text + "\u201d";
      body.append(" ", decoded);
    }
    li.dataset.binary = "true";
  } else {
    body.textContent = data;
  }
  li.append(time, dir, body);
  var list = $("log");
  var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(li);
  while (list.children.length > MAX_LOG) list.firstChild.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

// --- Wiring ---------------------------------------------------------------

$("server").textContent = base.protocol + "//" + base.host;
buildNav();

$("connect-form").addEventListener("submit", function (e) {
  e.preventDefault();
  connect();
});
$("disconnect").addEventListener("click", disconnect);
document.querySelectorAll(".param input").forEach(function (input) {
  input.addEventListener("input", showURL);
});

$("send-form").addEventListener("submit", function (e) {
  e.preventDefault();
  var input = $("message");
  if (send(input.value, $("send-as").value)) input.value = "";
  input.focus();
});
$("message").addEventListener("keydown", function (e) {
  if (e.key === "Enter" && !e.shiftKey) {
    e.preventDefault();
    $("send-form").requestSubmit();
  }
});
$("clear").addEventListener("click", function () { $("log").textContent = ""; });

$("login-form").addEventListener("submit", function (e) {
  e.preventDefault();
  var result = $("login-result");
  var user = $("login-user").value.trim();
  fetch("/login?user=" + encodeURIComponent(user), { credentials: "same-origin" })
    .then(function (resp) {
      return resp.text().then(function (body) {
        result.textContent = body.trim() || resp.status + " " + resp.statusText;
        result.className = "note " + (resp.ok ? "ok" : "bad");
      });
    })
    .catch(function (err) {
      result.textContent = "login failed: " + err;
      result.className = "note bad";
    });
});

// On load: the socket named by the address's #fragment, if any, else the
// echo socket, which the page connects to at once, with no click.
var initial = SOCKETS.find(function (s) { return "#" + s.id === location.hash; });
choose(initial || SOCKETS[0]);
if (!initial) connect();
