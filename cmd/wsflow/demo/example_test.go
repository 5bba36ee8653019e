package demo_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/wsflow/wsflow/cmd/wsflow/demo"
)

// The demo is an http.Handler: serve it anywhere, and shut its sockets
// down before the server.
func ExampleNew() {
	cfg := demo.DefaultConfig()
	cfg.MaxConns = 100
	app := demo.New(cfg)
	srv := httptest.NewServer(app)
	defer srv.Close()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		app.Shutdown(ctx) // every socket is sent 1001 going away
	}()

	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("%d %s", resp.StatusCode, body)

	resp, err = http.Get(srv.URL + "/echo") // not a WebSocket handshake
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// 200 ok
	// 426
}

// ParseFlags reads the command line, and the WSFLOW_* variables, into a
// Config.
func ExampleParseFlags() {
	cfg, err := demo.ParseFlags([]string{"-max-message", "1024", "-origins", "*.example.com"}, io.Discard)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.MaxMessage, cfg.Origins, cfg.KeepAlive)
	// Output: 1024 [*.example.com] 30s
}
