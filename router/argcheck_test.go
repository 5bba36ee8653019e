package router_test

import (
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// A programmer's error is refused where it is written, as http.Handle
// does: a panic at construction that names the argument, not a failure
// on every handshake.
func TestConstructionRefusesNonsense(t *testing.T) {
	identity := func(*http.Request) flow.Flow[string, string] { return flow.Identity[string]() }
	orResult := func(*http.Request) (flow.Flow[string, string], error) { return flow.Identity[string](), nil }
	for _, tt := range []struct {
		name string
		make func()
		want string
	}{
		{"Reject(0)", func() { _ = router.Reject(0, "zero") }, "router: Reject: status 0 is not an HTTP status that refuses a handshake (300 to 599)"},
		{"Reject(200)", func() { _ = router.Reject(http.StatusOK, "ok") }, "router: Reject: status 200 is not an HTTP status that refuses a handshake (300 to 599)"},
		{"Reject(101)", func() { _ = router.Reject(http.StatusSwitchingProtocols, "") }, "router: Reject: status 101 is not an HTTP status that refuses a handshake (300 to 599)"},
		{"Reject(600)", func() { _ = router.Reject(600, "") }, "router: Reject: status 600 is not an HTTP status that refuses a handshake (300 to 599)"},
		{"Accept nil transformer", func() { router.Accept[string, string](nil, identity) }, "router: Accept: nil transformer"},
		{"Accept nil newFlow", func() { router.Accept(transformer.String(), nil) }, "router: Accept: nil newFlow"},
		{"AcceptOrResult nil transformer", func() { router.AcceptOrResult[string, string](nil, orResult) }, "router: AcceptOrResult: nil transformer"},
		{"AcceptOrResult nil newFlow", func() { router.AcceptOrResult(transformer.String(), nil) }, "router: AcceptOrResult: nil newFlow"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.PanicsWithValue(t, tt.want, tt.make)
		})
	}
}

// Every status a handshake can be refused with is accepted.
func TestRejectStatusRange(t *testing.T) {
	for _, status := range []int{300, 302, 400, 401, 403, 426, 500, 503, 599} {
		require.NotPanics(t, func() { _ = router.Reject(status, "refused") })
	}
}

// A Rejection written as a literal cannot be checked where it is written:
// one whose status cannot refuse a handshake is the factory's failure, a
// 500, not an upgrade answered with 200 or a panic inside net/http.
func TestRejectionLiteralWithoutRefusingStatus(t *testing.T) {
	for _, status := range []int{0, 200} {
		h := router.AcceptOrResult(transformer.String(), func(*http.Request) (flow.Flow[string, string], error) {
			return flow.Flow[string, string]{}, &router.Rejection{Status: status, Body: "nonsense"}
		}, router.WithLogger(slog.New(slog.DiscardHandler)))
		resp := wstest.Serve(t, h).DialRefused(t, "/")
		require.Equal(t, http.StatusInternalServerError, resp.StatusCode, "status %d", status)
	}
}
