package cat

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"sync"
)

// lineReader reads lines on a goroutine of its own, so that wsflow cat can
// wait for a line and for the connection at once.
type lineReader struct {
	c       <-chan []byte // each line, without its line ending; closed at the end of the input
	done    chan struct{}
	stop    func() // lets the goroutine end after the line it is reading
	readErr error  // why the input ended, unless io.EOF; set before c is closed
}

// readLines starts reading the lines of r. A last line without a line
// ending counts; "\r\n" ends a line as "\n" does. The goroutine ends when
// r ends, or after the line it is reading once stop is called.
func readLines(r io.Reader) *lineReader {
	c := make(chan []byte)
	l := &lineReader{c: c, done: make(chan struct{})}
	l.stop = sync.OnceFunc(func() { close(l.done) })
	go func() {
		defer close(c)
		br := bufio.NewReader(r)
		for {
			line, err := br.ReadBytes('\n')
			if len(line) > 0 {
				line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
				select {
				case c <- line:
				case <-l.done:
					return
				}
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					l.readErr = err
				}
				return
			}
		}
	}()
	return l
}

// err returns why the input ended, once c is closed: nil at its end.
func (l *lineReader) err() error { return l.readErr }
