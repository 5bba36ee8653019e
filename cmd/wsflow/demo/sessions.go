package demo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wsflow/wsflow/router"
)

// sessionCookie is the name of the demo's session cookie.
const sessionCookie = "wsflow_session"

// userName is what a user name must match.
var userName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// sessions makes and checks signed session cookies. A cookie's value is
// USER.EXPIRES.MAC: the user name, the Unix time in seconds after which
// the session is over, and the HMAC-SHA256 of "USER.EXPIRES" under the
// key, in unpadded base64url. A user name holds no '.', so the value
// splits one way only.
type sessions struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// newSessions returns the sessions signed with key, each valid for ttl.
func newSessions(key []byte, ttl time.Duration) *sessions {
	return &sessions{key: key, ttl: ttl, now: time.Now}
}

// sign returns the cookie value of a session of user that ends at expires.
func (s *sessions) sign(user string, expires time.Time) string {
	payload := user + "." + strconv.FormatInt(expires.Unix(), 10)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

// mac returns the HMAC-SHA256 of payload under the key.
func (s *sessions) mac(payload string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(payload))
	return h.Sum(nil)
}

// verify returns the user of a cookie value, if the value is well formed,
// signed with the key, and not expired.
func (s *sessions) verify(value string) (user string, ok bool) {
	parts := strings.Split(value, ".")
	if len(parts) != 3 {
		return "", false
	}
	user, expires, sig := parts[0], parts[1], parts[2]
	payload := user + "." + expires
	// Compare the encodings, not the decoded bytes: the decoder would take
	// other spellings of the same MAC (unused low bits of the last digit).
	want := base64.RawURLEncoding.EncodeToString(s.mac(payload))
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return "", false
	}
	end, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !s.now().Before(time.Unix(end, 0)) || !userName.MatchString(user) {
		return "", false
	}
	return user, true
}

// user returns the user of r's session, if r carries a valid one.
func (s *sessions) user(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	return s.verify(c.Value)
}

// cookie returns the session cookie of user, valid for the sessions' ttl.
// It is Secure when the client reached the server over HTTPS, as
// router.WebSocketURL judges it (TLS, or X-Forwarded-Proto: https).
func (s *sessions) cookie(r *http.Request, user string) *http.Cookie {
	expires := s.now().Add(s.ttl)
	return &http.Cookie{
		Name:     sessionCookie,
		Value:    s.sign(user, expires),
		Path:     "/",
		Expires:  expires,
		MaxAge:   int(s.ttl / time.Second),
		HttpOnly: true,
		Secure:   strings.HasPrefix(router.WebSocketURL(r, "/"), "wss:"),
		SameSite: http.SameSiteLaxMode,
	}
}
