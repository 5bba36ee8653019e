package demo

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wsflow/wsflow/message"
)

// FuzzCloseParams: any query string gets a sendable close or a 400, never
// a panic; what is accepted is exactly what docs/demo.md allows.
func FuzzCloseParams(f *testing.F) {
	for _, q := range []string{"code=1000", "code=4000&reason=bye", "code=999", "code=abc", "reason=x", "code=3000&reason=%FF", "code=1000&code=5000", "%zz"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := httptest.NewRequest(http.MethodGet, "/close", nil)
		r.URL.RawQuery = rawQuery
		c, err := closeParams(r)
		if err != nil {
			requireBadRequest(t, err)
			return
		}
		if c.Code != 1000 && (c.Code < 3000 || c.Code > 4999) {
			t.Fatalf("query %q accepted code %d", rawQuery, c.Code)
		}
		if !c.Code.Sendable() || len(c.Reason) > message.MaxReasonLen || !utf8.ValidString(c.Reason) {
			t.Fatalf("query %q accepted an unsendable close %v", rawQuery, c)
		}
	})
}

// FuzzEveryParam: any ?every= gets an interval within bounds, the default,
// or a 400.
func FuzzEveryParam(f *testing.F) {
	for _, q := range []string{"every=1s", "every=10ms", "every=1h", "every=9ms", "every=", "every=-1s", "every=1e3s", "every=%00"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := httptest.NewRequest(http.MethodGet, "/ticks", nil)
		r.URL.RawQuery = rawQuery
		const def = 7 * time.Second
		d, err := everyParam(r, def)
		if err != nil {
			requireBadRequest(t, err)
			return
		}
		if d != def && (d < minEvery || d > maxEvery) {
			t.Fatalf("query %q accepted every=%v", rawQuery, d)
		}
	})
}

// FuzzChatParams: any room and query get a valid room and name, or a 404
// or 400.
func FuzzChatParams(f *testing.F) {
	f.Add("lobby", "name=ann")
	f.Add("Lobby", "")
	f.Add("a-b", "name=%E2%9C%93")
	f.Add(strings.Repeat("a", 33), "name=x")
	f.Fuzz(func(t *testing.T, room, rawQuery string) {
		r := httptest.NewRequest(http.MethodGet, "/chat/x", nil)
		r.URL.RawQuery = rawQuery
		r.SetPathValue("room", room)
		gotRoom, name, err := chatParams(r)
		if err != nil {
			if status := rejectionStatus(err); status != http.StatusNotFound && status != http.StatusBadRequest {
				t.Fatalf("room %q, query %q: status %d", room, rawQuery, status)
			}
			return
		}
		if gotRoom != room || !roomName.MatchString(room) || !userName.MatchString(name) {
			t.Fatalf("room %q, query %q accepted as %q, %q", room, rawQuery, gotRoom, name)
		}
	})
}

// FuzzSessionCookie: no cookie value but one signed with the key verifies,
// and a signed one verifies as its own user until it expires.
func FuzzSessionCookie(f *testing.F) {
	s := newSessions([]byte("fuzz key"), time.Hour)
	now := time.Unix(1_800_000_000, 0)
	s.now = func() time.Time { return now }
	good := s.sign("ann", now.Add(time.Hour))
	f.Add(good, "ann", int64(3600))
	f.Add(good+"x", "bob", int64(-1))
	f.Add("ann.1800003600.", "ann", int64(0))
	f.Add(strings.Replace(good, "ann", "bob", 1), "x", int64(10))
	f.Fuzz(func(t *testing.T, value, user string, ttl int64) {
		if u, ok := s.verify(value); ok {
			if value != s.sign(u, time.Unix(expiry(t, value), 0)) {
				t.Fatalf("forged value %q verified as %q", value, u)
			}
		}
		if !userName.MatchString(user) {
			return
		}
		signed := s.sign(user, now.Add(time.Duration(ttl)*time.Second))
		u, ok := s.verify(signed)
		if want := ttl > 0; ok != want || ok && u != user {
			t.Fatalf("sign(%q, ttl %ds) verified as %q %v", user, ttl, u, ok)
		}
	})
}

// expiry returns the expiry field of a cookie value that verified.
func expiry(t *testing.T, value string) int64 {
	parts := strings.Split(value, ".")
	end, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		t.Fatalf("value %q verified with expiry %q", value, parts[1])
	}
	return end
}

func requireBadRequest(t *testing.T, err error) {
	t.Helper()
	if status := rejectionStatus(err); status != http.StatusBadRequest {
		t.Fatalf("want a 400 rejection, got %v", err)
	}
}

// rejectionStatus returns the HTTP status writeRejection gives err.
func rejectionStatus(err error) int {
	w := httptest.NewRecorder()
	writeRejection(w, err)
	return w.Code
}
