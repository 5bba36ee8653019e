package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ListenerPID returns the process that listens on TCP port port, for a
// target given by URL: it finds the listening socket's inode in
// /proc/net/tcp and /proc/net/tcp6, then the process holding a descriptor
// for that socket among /proc/*/fd. It sees only processes this user may
// inspect; 0 with an error when none is found.
func ListenerPID(port int) (int, error) {
	var inodes []string
	for _, name := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		found, err := listeningInodes(f, port)
		f.Close()
		if err != nil {
			return 0, err
		}
		inodes = append(inodes, found...)
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("no listening socket on port %d in /proc/net/tcp", port)
	}
	want := make(map[string]bool, len(inodes))
	for _, ino := range inodes {
		want["socket:["+ino+"]"] = true
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		link, err := os.Readlink(fd)
		if err != nil || !want[link] {
			continue
		}
		pid, err := strconv.Atoi(strings.Split(fd, "/")[2])
		if err == nil {
			return pid, nil
		}
	}
	return 0, fmt.Errorf("no visible process holds the socket listening on port %d", port)
}

// listeningInodes returns the inodes of the sockets in LISTEN state on
// port, from the content of /proc/net/tcp or /proc/net/tcp6.
//
// Each line after the header reads "sl local_address rem_address st
// tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...", with the
// local address as hex "ADDR:PORT" and st 0A for LISTEN.
func listeningInodes(r io.Reader, port int) ([]string, error) {
	sc := bufio.NewScanner(r)
	var inodes []string
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		f := bytes.Fields(sc.Bytes())
		if len(f) < 10 {
			continue
		}
		_, hexPort, ok := bytes.Cut(f[1], []byte(":"))
		if !ok {
			continue
		}
		p, err := strconv.ParseUint(string(hexPort), 16, 16)
		if err != nil || int(p) != port || string(f[3]) != "0A" {
			continue
		}
		inodes = append(inodes, string(f[9]))
	}
	return inodes, sc.Err()
}
