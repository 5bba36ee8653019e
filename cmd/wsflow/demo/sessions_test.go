package demo

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/router/wstest"
)

func TestSessionsVerify(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	s := &sessions{key: []byte("k1"), ttl: time.Hour, now: func() time.Time { return now }}
	other := &sessions{key: []byte("k2"), ttl: time.Hour, now: s.now}
	valid := s.sign("alice", now.Add(time.Hour))

	user, ok := s.verify(valid)
	require.True(t, ok)
	require.Equal(t, "alice", user)

	for name, value := range map[string]string{
		"empty":           "",
		"garbage":         "garbage",
		"two parts":       "alice.1700003600",
		"four parts":      valid + ".x",
		"other user":      "mallory" + strings.TrimPrefix(valid, "alice"),
		"later expiry":    strings.Replace(valid, ".1700003600.", ".1800000000.", 1),
		"flipped mac":     tamper(valid, 5),
		"mac respelled":   tamper(valid, -1),
		"truncated mac":   valid[:len(valid)-2],
		"mac not base64":  valid[:len(valid)-1] + "*",
		"wrong key":       other.sign("alice", now.Add(time.Hour)),
		"expired":         s.sign("alice", now.Add(-time.Second)),
		"expires now":     s.sign("alice", now),
		"invalid user":    s.sign("a b", now.Add(time.Hour)),
		"expiry not int":  "alice.soon." + base64.RawURLEncoding.EncodeToString(s.mac("alice.soon")),
		"mac of other op": "bob.1700003600." + strings.Split(valid, ".")[2],
	} {
		t.Run(name, func(t *testing.T) {
			_, ok := s.verify(value)
			require.False(t, ok, "%q verified", value)
		})
	}
}

// tamper returns value with its MAC changed in one base64 digit: at i
// from the MAC's start, or, for i < 0, the last digit's unused low bit
// (another spelling of the same bytes, which must not verify either).
func tamper(value string, i int) string {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	at := strings.LastIndexByte(value, '.') + 1 + i
	if i < 0 {
		at = len(value) - 1
	}
	d := strings.IndexByte(digits, value[at])
	if i < 0 {
		d ^= 1
	} else {
		d = (d + 1) % len(digits)
	}
	return value[:at] + digits[d:d+1] + value[at+1:]
}

// login logs user in on d and returns the session cookie it set.
func login(t *testing.T, d *testDemo, user string) *http.Cookie {
	t.Helper()
	resp, body := get(t, d.httpURL("/login?user="+user), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Equal(t, "logged in as "+user+"\n", body)
	require.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	cookies := resp.Cookies()
	require.Len(t, cookies, 1)
	return cookies[0]
}

// withCookie sends c with the handshake.
func withCookie(c *http.Cookie) wstest.DialOption {
	return wstest.WithHeader("Cookie", c.String())
}

func TestLogin(t *testing.T) {
	d := startDemo(t, "-secret", "test-secret")
	c := login(t, d, "alice_B-2")
	require.Equal(t, sessionCookie, c.Name)
	require.Equal(t, "/", c.Path)
	require.True(t, c.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, c.SameSite)
	require.Equal(t, 86400, c.MaxAge)
	require.False(t, c.Secure, "the demo was reached over plain HTTP")
	user, ok := newSessions([]byte("test-secret"), time.Hour).verify(c.Value)
	require.True(t, ok)
	require.Equal(t, "alice_B-2", user)

	resp, _ := get(t, d.httpURL("/login?user=alice"), http.Header{"X-Forwarded-Proto": {"https"}})
	require.True(t, resp.Cookies()[0].Secure, "reached over HTTPS through a proxy")

	const badUser = "400 bad request: user must match [A-Za-z0-9_-]{1,32}\n"
	for _, tt := range []struct{ query, body string }{
		{"", badUser},
		{"?user=", badUser},
		{"?user=a+b", badUser},
		{"?user=a.b", badUser},
		{"?user=%C3%A9", badUser},
		{"?user=" + strings.Repeat("x", 33), badUser},
		{"?user=%zz", "400 bad request: malformed query string\n"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := get(t, d.httpURL("/login"+tt.query), nil)
			require.Equal(t, http.StatusBadRequest, resp.StatusCode)
			require.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
			require.Equal(t, tt.body, body)
			require.Empty(t, resp.Cookies())
		})
	}
}

func TestSecure(t *testing.T) {
	d := startDemo(t, "-secret", "test-secret")
	cookie := login(t, d, "alice")

	c := wstest.Dial(t, d.wsURL("/secure"), withCookie(cookie))
	c.ExpectText("Hello, alice")
	echoes(t, c, []string{"one", "two ✓"}, identity)
	c.Close()

	const forbidden = "403 forbidden: no valid session\n"
	status, body := refused(t, d.wsURL("/secure"))
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, forbidden, body)

	same := newSessions([]byte("test-secret"), time.Hour)
	mac := strings.Split(cookie.Value, ".")[2]
	for name, value := range map[string]string{
		"other user":    "mallory" + strings.TrimPrefix(cookie.Value, "alice"),
		"flipped mac":   tamper(cookie.Value, 0),
		"respelled mac": tamper(cookie.Value, -1),
		"later expiry":  "alice.99999999999." + mac,
		"malformed":     "alice",
		"empty":         "",
		"expired":       same.sign("alice", time.Now().Add(-time.Minute)),
		"wrong key":     newSessions([]byte("other-secret"), time.Hour).sign("alice", time.Now().Add(time.Hour)),
	} {
		t.Run(name, func(t *testing.T) {
			status, body := refused(t, d.wsURL("/secure"), withCookie(&http.Cookie{Name: sessionCookie, Value: value}))
			require.Equal(t, http.StatusForbidden, status)
			require.Equal(t, forbidden, body)
		})
	}

	t.Run("signed by this process's key", func(t *testing.T) {
		c := wstest.Dial(t, d.wsURL("/secure"), withCookie(&http.Cookie{Name: sessionCookie, Value: same.sign("bob", time.Now().Add(time.Minute))}))
		c.ExpectText("Hello, bob")
	})
}

func TestRandomSecretPerProcess(t *testing.T) {
	d1 := startDemo(t)
	d2 := startDemo(t)
	cookie := login(t, d1, "alice")
	c := wstest.Dial(t, d1.wsURL("/secure"), withCookie(cookie))
	c.ExpectText("Hello, alice")
	status, _ := refused(t, d2.wsURL("/secure"), withCookie(cookie))
	require.Equal(t, http.StatusForbidden, status)
}
