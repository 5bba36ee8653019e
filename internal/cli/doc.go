// Package cli holds what the wsflow commands share on the command line:
// one way to parse a command's flags, each of which may also be set from
// an environment variable WSFLOW_<NAME>; the typed flag values with
// bounds; the usage error that makes the process exit with status 2; and
// the listening line a server prints once it accepts connections.
package cli
