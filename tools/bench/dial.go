package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// dialTimeout bounds each handshake.
const dialTimeout = 10 * time.Second

// dialParallel is how many handshakes are under way at once: enough to
// open thousands of connections in seconds, few enough to stay within the
// listen backlog of any server.
const dialParallel = 64

// dialClient is the HTTP client of the handshakes. Each upgraded
// connection leaves the transport's pool, so the pool plays no part.
var dialClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// connsPerSource is how many connections dialAll opens from one loopback
// source address: each connection to one server takes one of the source
// address's ephemeral ports (net.ipv4.ip_local_port_range, 28,232 by
// default on Linux), so beyond it dialAll binds 127.0.0.2, 127.0.0.3, ...
// in turn (all of 127.0.0.0/8 is loopback on Linux).
const connsPerSource = 20000

// sourceClients are the HTTP clients bound to 127.0.0.2 and on, made as
// needed.
var sourceClients struct {
	sync.Mutex
	clients []*http.Client
}

// sourceClient returns the client of connection i of a run of dialAll:
// dialClient for the first connsPerSource, then one bound to 127.0.0.2
// for the next connsPerSource, and so on.
func sourceClient(i int) (*http.Client, error) {
	k := i / connsPerSource
	if k == 0 {
		return dialClient, nil
	}
	if k > 253 {
		return nil, fmt.Errorf("connection %d: more than %d connections", i+1, 254*connsPerSource)
	}
	sourceClients.Lock()
	defer sourceClients.Unlock()
	for len(sourceClients.clients) < k {
		ip := net.IPv4(127, 0, 0, byte(2+len(sourceClients.clients)))
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}
		sourceClients.clients = append(sourceClients.clients, &http.Client{Transport: &http.Transport{DisableCompression: true, DialContext: d.DialContext}})
	}
	return sourceClients.clients[k-1], nil
}

// dialAll opens n connections to url. On error it closes those it opened.
func dialAll(ctx context.Context, url string, n int, readLimit int64) ([]*websocket.Conn, error) {
	conns := make([]*websocket.Conn, n)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	next := make(chan int)
	for range min(n, dialParallel) {
		wg.Go(func() {
			for i := range next {
				client, err := sourceClient(i)
				var c *websocket.Conn
				if err == nil {
					c, err = dialFrom(ctx, client, url, readLimit)
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("connection %d of %d: %w", i+1, n, err)
					}
					mu.Unlock()
					continue
				}
				conns[i] = c
			}
		})
	}
	for i := range n {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		closeAll(conns, false)
		return nil, firstErr
	}
	return conns, nil
}

func dialOne(ctx context.Context, url string, readLimit int64) (*websocket.Conn, error) {
	return dialFrom(ctx, dialClient, url, readLimit)
}

// dialFrom opens one connection to url with client.
func dialFrom(ctx context.Context, client *http.Client, url string, readLimit int64) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient:      client,
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(readLimit)
	return c, nil
}

// closeParallel is how many closing handshakes are under way at once.
const closeParallel = 256

// closeAll closes every non-nil connection of conns: with a closing
// handshake (1000) when graceful, else at once. It returns when all are
// closed.
func closeAll(conns []*websocket.Conn, graceful bool) {
	sem := make(chan struct{}, closeParallel)
	var wg sync.WaitGroup
	for _, c := range conns {
		if c == nil {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if graceful {
				c.Close(websocket.StatusNormalClosure, "")
			} else {
				c.CloseNow()
			}
		})
	}
	wg.Wait()
}
