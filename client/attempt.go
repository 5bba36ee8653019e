package client

import "net/http"

// An Attempt is one dial, as WithBeforeDial's function sees it before it
// is made and may change it.
type Attempt struct {
	// N counts the dials of one Dial: 1 for the first, 2 for the next.
	N int
	// URL is the URL to dial: the url given to Dial, on every attempt,
	// until the function changes it.
	URL string
	// Header is the handshake request's headers: a copy of WithHeader's
	// for each attempt, which the function may change.
	Header http.Header
	// Prev is why the previous attempt ended: nil on the first, and
	// after a connection that closed normally (1000).
	Prev error
}

// attempt returns the nth dial to url, as the WithBeforeDial function,
// if any, made it.
func (c *config) attempt(n int, url string, prev error) (*Attempt, error) {
	a := &Attempt{N: n, URL: url, Header: c.header.Clone(), Prev: prev}
	if c.beforeDial != nil {
		if err := c.beforeDial(a); err != nil {
			return nil, err
		}
	}
	return a, nil
}
