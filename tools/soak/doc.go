// Package soak holds the tests that load the connection runtime through
// the demo application, over loopback: long echo sequences on one and on
// many sockets (stress_test.go), and the soak test, 1,000 connections with
// faults mixed in, which runs only with -soak:
//
//	go test -count=1 -timeout 5m -run '^TestSoak$' -v ./tools/soak -soak
//
// It has no code of its own besides these tests.
package soak
