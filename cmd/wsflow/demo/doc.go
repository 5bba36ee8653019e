// Package demo is the wsflow demo application: every socket of Play's
// WebSocket guides, served by the wsflow library the way a user of the
// library would write it. docs/demo.md, at the root of the repository,
// describes its routes, flags, close codes and handshake rules.
//
// New builds the application as an http.Handler from a Config; Run is
// the "wsflow demo" command, which reads the Config from its flags and
// the environment, serves it, and shuts it down gracefully.
//
// Each file holds one part of it: the App and its route table (app.go),
// the routes of one kind of socket
// (echo.go, ends.go, ticks.go, stopwatch.go, callbacks.go, chat.go,
// rooms.go, secure.go), the parameters they read (params.go), the session
// cookies (sessions.go), the calculator model (model.go), the index page
// (page.go and web/), the command (config.go, flags.go, command.go) and
// the NATS it may connect to or start (nats.go).
//
// It is a package of the wsflow command's module, not an internal one, so
// that the tools beside it (tools/: the load generator, the soak) can run
// the demo in their own process; it is not part of the library's API.
package demo
