package bench

import (
	"fmt"
	"syscall"
)

// RaiseFileLimit raises this process's soft limit on open files to its
// hard limit, and reports an error when even that is below need. Child
// processes started afterwards inherit the raised limit.
//
// Go (since 1.19) raises the soft limit by itself at start-up but gives
// child processes the original one back; setting it explicitly makes the
// raised limit what children inherit, too.
func RaiseFileLimit(need uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("reading the open-file limit: %w", err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return fmt.Errorf("raising the open-file limit to %d: %w", lim.Max, err)
		}
	}
	if lim.Cur < need {
		return fmt.Errorf("the open-file limit is %d (hard limit %d), below the %d this run needs", lim.Cur, lim.Max, need)
	}
	return nil
}
