// The rooms.js module in Node, run by TestRoomsJSNode (roomsjs_test.go):
// node --experimental-websocket --test testdata/rooms_client.test.mjs, with
// ROOMS_JS the module as the demo serves it, DEMO_A and DEMO_B two demos
// on one NATS, and ROOMS_CONTROL the test's control server, which kills,
// stops and starts demo A on its address when asked (POST /kill-a,
// /start-a, /restart-a-alone) and answers once it has.
import test from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";

const { joinRoom } = await import(pathToFileURL(process.env.ROOMS_JS).href);
const A = process.env.DEMO_A;
const B = process.env.DEMO_B;
const CONTROL = process.env.ROOMS_CONTROL;

// control asks the Go test for a step and waits until it is done.
async function control(step) {
  const resp = await fetch(CONTROL + step, { method: "POST" });
  if (!resp.ok) throw new Error(step + ": " + resp.status + " " + (await resp.text()));
}

// watch records what a room's callbacks report; until(test) waits until
// test() holds, checked again after each callback.
function watch() {
  const w = { events: [], epochs: [], states: [] };
  const waiters = new Set();
  const changed = () => {
    for (const x of waiters) if (x.test()) { waiters.delete(x); x.resolve(); }
  };
  w.until = (test) => new Promise((resolve) => {
    if (test()) resolve();
    else waiters.add({ test, resolve });
  });
  w.options = {
    onEvent(ev) { w.events.push({ ...ev, epoch: w.room.epoch }); changed(); },
    onEpoch(e) { w.epochs.push(e); changed(); },
    onState(state, info) { w.states.push({ state, ...info }); changed(); },
  };
  w.texts = () => w.events.filter((e) => e.text !== undefined).map((e) => e.text);
  w.states.count = (state) => w.states.filter((s) => s.state === state).length;
  return w;
}

// member joins room on the demo at base as name, retrying fast.
function member(base, room, name, extra = {}) {
  const w = watch();
  w.room = joinRoom(base + "/rooms/" + room, { name, minDelay: 5, maxDelay: 100, ...w.options, ...extra });
  return w;
}

// fakeSockets returns a WebSocket class whose sockets a test drives, and
// next(), the next socket made.
function fakeSockets() {
  const made = [];
  let wake = null;
  class FakeSocket {
    constructor(url) {
      this.url = new URL(url);
      this.readyState = 0;
      this.sent = [];
      made.push(this);
      if (wake) { wake(); wake = null; }
    }
    send(data) { this.sent.push(data); }
    close(code) { this.closedWith = code; this.readyState = 3; }
    open() { this.readyState = 1; this.onopen({}); }
    receive(obj) { this.onmessage({ data: JSON.stringify(obj) }); }
    end(code, reason = "") { this.readyState = 3; this.onclose({ code, reason }); }
  }
  let taken = 0;
  const next = async () => {
    while (made.length <= taken) await new Promise((resolve) => { wake = resolve; });
    return made[taken++];
  };
  return { FakeSocket, next, made };
}

test("events once each, in order, across a drop, by seq and epoch", async () => {
  const { FakeSocket, next } = fakeSockets();
  const w = watch();
  w.room = joinRoom("ws://example.test/rooms/lobby", { name: "ann", WebSocket: FakeSocket, minDelay: 0, maxDelay: 0, ...w.options });
  const s1 = await next();
  assert.equal(s1.url.search, "?name=ann");
  s1.open();
  s1.receive({ epoch: "E1" });
  for (const seq of [3, 5, 5, 4, 9]) s1.receive({ seq, from: "bob", text: "t" + seq });
  s1.end(1006);
  assert.equal(w.room.state, "waiting");

  const s2 = await next();
  assert.equal(s2.url.search, "?name=ann&since=9&epoch=E1");
  s2.open();
  s2.receive({ epoch: "E1", recovered: true });
  s2.receive({ seq: 9, from: "bob", text: "t9" });
  s2.receive({ seq: 12, joined: "ann" });
  s2.end(1013, "rooms unavailable");

  const s3 = await next();
  assert.equal(s3.url.search, "?name=ann&since=12&epoch=E1");
  s3.open();
  s3.receive({ epoch: "E2", recovered: false }); // the room started again
  s3.receive({ seq: 1, joined: "ann" });
  assert.deepEqual(w.events.map((e) => [e.epoch, e.seq]), [["E1", 3], ["E1", 5], ["E1", 9], ["E1", 12], ["E2", 1]]);
  assert.deepEqual(w.epochs, [
    { epoch: "E1", resumed: false, recovered: true },
    { epoch: "E1", resumed: true, recovered: true },
    { epoch: "E2", resumed: true, recovered: false },
  ]);
  assert.deepEqual(w.states.filter((s) => s.state === "waiting").map((s) => s.code), [1006, 1013]);
  w.room.close();
  assert.equal(s3.closedWith, 1000);
  assert.deepEqual(await w.room.closed, { code: 1000, reason: "" });
});

test("since and epoch given start from there", async () => {
  const { FakeSocket, next } = fakeSockets();
  const room = joinRoom("http://example.test/rooms/lobby", { since: 41, epoch: "E1", WebSocket: FakeSocket });
  const s = await next();
  assert.equal(s.url.href, "ws://example.test/rooms/lobby?since=41&epoch=E1");
  room.close();
});

test("messages wait for a socket, boundedly, and not after close", async () => {
  const { FakeSocket, next } = fakeSockets();
  const room = joinRoom("ws://example.test/rooms/lobby", { WebSocket: FakeSocket, maxQueue: 2, minDelay: 0, maxDelay: 0 });
  const s1 = await next();
  room.send("one");
  room.send("two");
  assert.throws(() => room.send("three"), /2 messages already wait/);
  s1.open();
  assert.deepEqual(s1.sent, ['{"text":"one"}', '{"text":"two"}']);
  room.send("now");
  assert.deepEqual(s1.sent.at(-1), '{"text":"now"}');
  s1.end(1006);
  room.send("later");
  const s2 = await next();
  s2.open();
  assert.deepEqual(s2.sent, ['{"text":"later"}']);
  room.close();
  assert.throws(() => room.send("closed"), /closed/);
});

test("what ends the room for good, and what does not", async () => {
  for (const [code, final] of [[1000, true], [1001, false], [1003, true], [1006, false], [1007, true],
    [1008, true], [1011, false], [1012, false], [1013, false], [4000, true]]) {
    const { FakeSocket, next, made } = fakeSockets();
    const room = joinRoom("ws://example.test/rooms/lobby", { WebSocket: FakeSocket, minDelay: 0, maxDelay: 0 });
    const s = await next();
    s.open();
    s.receive({ epoch: "E1" });
    s.end(code, "why");
    if (final) {
      assert.deepEqual(await room.closed, { code, reason: "why" }, "close " + code);
      assert.equal(made.length, 1, "close " + code);
    } else {
      await next();
      assert.equal(room.state, "connecting", "close " + code);
      room.close();
    }
  }
});

test("failures before open are retried, up to maxFailures; Node 20 reports them by error alone", async () => {
  const { FakeSocket, next, made } = fakeSockets();
  const room = joinRoom("ws://example.test/rooms/lobby", { WebSocket: FakeSocket, minDelay: 1, maxDelay: 4, maxFailures: 3 });
  for (let i = 0; i < 3; i++) {
    const s = await next();
    s.onerror({}); // no close follows in Node 20
  }
  assert.deepEqual(await room.closed, { code: 1006, reason: "no socket after 3 tries" });
  assert.equal(made.length, 3);
});

test("a protocol it does not speak ends the room", async () => {
  const { FakeSocket, next } = fakeSockets();
  const room = joinRoom("ws://example.test/rooms/lobby", { WebSocket: FakeSocket });
  const s = await next();
  s.open();
  s.receive({ seq: 1, joined: "ann" }); // no epoch first
  assert.equal((await room.closed).code, 1002);
  assert.equal(s.closedWith, 1000);
});

test("bad arguments throw at once", () => {
  assert.throws(() => joinRoom("ws://example.test/rooms/x", { name: "a b" }), /name/);
  assert.throws(() => joinRoom("ws://example.test/rooms/x?since=3"), /since as an option/);
  assert.throws(() => joinRoom("ftp://example.test/rooms/x"), /not a WebSocket URL/);
  assert.throws(() => joinRoom("ws://example.test/rooms/x", { epoch: "a.b" }), /epoch/);
});

test("a demo's 1000 and an application's close code end the room; a refused handshake is retried", async () => {
  const done = watch();
  done.room = joinRoom(B + "/close?code=1000", done.options);
  assert.deepEqual(await done.room.closed, { code: 1000, reason: "" });
  assert.deepEqual(done.states.map((s) => s.state), ["connecting", "closed"]);

  const app = joinRoom(B + "/close?code=4001&reason=not+you");
  assert.deepEqual(await app.closed, { code: 4001, reason: "not you" });

  const refused = watch(); // 404: room names are lower case
  refused.room = joinRoom(B + "/rooms/Lobby", { minDelay: 1, maxDelay: 5, maxFailures: 3, ...refused.options });
  assert.deepEqual(await refused.room.closed, { code: 1006, reason: "no socket after 3 tries" });
  assert.equal(refused.states.count("connecting"), 3);
});

test("resumes across restarts of its server: every event once, in order; recovered:false when the room started again", { timeout: 20_000 }, async () => {
  const alice = member(A, "restarts", "alice");
  const bob = member(B, "restarts", "bob");
  await alice.until(() => alice.epochs.length === 1);
  await bob.until(() => bob.epochs.length === 1);
  const epoch = alice.room.epoch;
  assert.equal(bob.room.epoch, epoch, "one room on one NATS");

  const said = [];
  const say = (n) => { for (let i = 0; i < n; i++) { said.push("m" + (said.length + 1)); bob.room.send(said.at(-1)); } };
  say(5);
  await alice.until(() => alice.texts().includes("m5"));

  await control("/kill-a");
  await alice.until(() => alice.states.count("waiting") >= 1); // it may have tried again already
  assert.equal(alice.states.find((s) => s.state === "waiting").code, 1006, "killed: no close frame");
  alice.room.send("sent while away"); // queued until a socket opens
  say(5);
  await bob.until(() => bob.texts().includes("m10"));
  await control("/start-a");
  await alice.until(() => alice.texts().includes("sent while away"));
  await bob.until(() => bob.texts().includes("sent while away"));

  assert.deepEqual(alice.epochs[1], { epoch, resumed: true, recovered: true });
  assert.deepEqual(alice.texts().filter((t) => /^m\d+$/.test(t)), said, "every message once, in order");
  const seqs = alice.events.map((e) => e.seq);
  assert.deepEqual(seqs, [...new Set(seqs)].sort((x, y) => x - y), "seq increasing");
  // Bob never left: from the first event both could see (the later of
  // their joins) to bob's last, both saw the same events (alice's joined
  // on coming back among them).
  const lo = Math.max(alice.events[0].seq, bob.events[0].seq);
  const hi = bob.events.at(-1).seq;
  const span = (w) => w.events.filter((e) => e.seq >= lo && e.seq <= hi).map(({ epoch, ...e }) => e);
  assert.deepEqual(span(alice), span(bob), "no gap");

  // Demo A comes back with rooms of its own (no NATS): a new epoch.
  const before = alice.states.length;
  await control("/restart-a-alone");
  await alice.until(() => alice.epochs.length === 3);
  assert.equal(alice.states.slice(before).find((s) => s.state === "waiting").code, 1001, "a stopping demo says going away");
  const again = alice.epochs[2];
  assert.equal(again.resumed, true);
  assert.equal(again.recovered, false, "told that events may be missing");
  assert.notEqual(again.epoch, epoch);
  alice.room.send("fresh");
  await alice.until(() => alice.texts().includes("fresh"));
  const fresh = alice.events.filter((e) => e.epoch === again.epoch);
  assert.deepEqual(fresh.map((e) => e.joined ?? e.text), ["alice", "fresh"]);

  alice.room.close();
  bob.room.close();
  assert.deepEqual(await alice.room.closed, { code: 1000, reason: "" });
  await bob.room.closed;
});
