package cli

import (
	"net"
	"strconv"
)

// ListenURLHost returns the HOST:PORT of a server's listening line,
// "listening on http://HOST:PORT": the host of addr, the -addr it was
// given ("localhost" when that names none), and the port actually bound,
// so that -addr 127.0.0.1:0 reports the port the system chose.
func ListenURLHost(addr string, bound net.Addr) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return bound.String()
	}
	if tcp, ok := bound.(*net.TCPAddr); ok {
		port = strconv.Itoa(tcp.Port)
	}
	if host == "" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
