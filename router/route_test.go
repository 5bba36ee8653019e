package router_test

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/router"
)

func TestRoutePath(t *testing.T) {
	tests := []struct {
		route  router.Route
		params []string
		want   string
		err    string
	}{
		{"/echo", nil, "/echo", ""},
		{"GET /echo", nil, "/echo", ""},
		{"GET example.com/echo", nil, "/echo", ""},
		{"GET /chat/{room}", []string{"lobby"}, "/chat/lobby", ""},
		{"/chat/{room}/members", []string{"a b/c"}, "/chat/a%20b%2Fc/members", ""},
		{"/files/{path...}", []string{"a/b c/d"}, "/files/a/b%20c/d", ""},
		{"/{$}", nil, "/", ""},
		{"/a b/100%/{x}", []string{"y"}, "/a%20b/100%25/y", ""},
		{"/a%2Fb/%7E/{x}", []string{"y"}, "/a%2Fb/~/y", ""},
		{"/chat/{room}", nil, "", "too few parameters"},
		{"/echo", []string{"x"}, "", "too many parameters"},
		{"/chat/{room}", []string{""}, "", "is empty"},
	}
	for _, tt := range tests {
		t.Run(string(tt.route), func(t *testing.T) {
			got, err := tt.route.Path(tt.params...)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestRouteURL(t *testing.T) {
	r := httptest.NewRequest("GET", "http://localhost:9000/", nil)
	u, err := router.Route("GET /chat/{room}").URL(r, "lobby")
	require.NoError(t, err)
	require.Equal(t, "ws://localhost:9000/chat/lobby", u)

	r.Header.Set("X-Forwarded-Proto", "https")
	require.Equal(t, "wss://localhost:9000/echo", router.WebSocketURL(r, "/echo"))

	r = httptest.NewRequest("GET", "https://example.com/", nil)
	r.TLS = &tls.ConnectionState{}
	require.Equal(t, "wss://example.com/echo?x=1", router.WebSocketURL(r, "/echo?x=1"))

	_, err = router.Route("/chat/{room}").URL(r)
	require.Error(t, err)
}
