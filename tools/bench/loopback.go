package bench

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
)

// CheckURL parses a target's URL and refuses anything but a ws:// URL
// whose host is on loopback: a literal loopback address (127.0.0.0/8,
// ::1) or a name, such as localhost, that resolves only to loopback
// addresses. A load generator must not be pointed at someone else's
// server by a typo. It returns the URL and its port.
func CheckURL(ctx context.Context, raw string) (*url.URL, int, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, 0, err
	}
	if u.Scheme != "ws" {
		return nil, 0, fmt.Errorf("target %q: want a ws:// URL", raw)
	}
	host := u.Hostname()
	if host == "" {
		return nil, 0, fmt.Errorf("target %q: no host", raw)
	}
	port := 80
	if p := u.Port(); p != "" {
		port, err = strconv.Atoi(p)
		if err != nil || port <= 0 || port > 65535 {
			return nil, 0, fmt.Errorf("target %q: bad port %q", raw, p)
		}
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return nil, 0, fmt.Errorf("target %q: %s is not a loopback address; the bench runs on loopback only", raw, host)
		}
		return u, port, nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, 0, fmt.Errorf("target %q: %w", raw, err)
	}
	if len(addrs) == 0 {
		return nil, 0, fmt.Errorf("target %q: %s resolves to no address", raw, host)
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return nil, 0, fmt.Errorf("target %q: %s resolves to %s, which is not loopback; the bench runs on loopback only", raw, host, a.IP)
		}
	}
	return u, port, nil
}
