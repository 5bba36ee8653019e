package bench

import (
	"context"
	"fmt"
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
				c, err := dialOne(ctx, url, readLimit)
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
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient:      dialClient,
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
