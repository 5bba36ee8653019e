package demo

import (
	"os/exec"
	"syscall"
)

// dieWithTest makes cmd's process end with the test process: a test that
// is killed (its timeout, an interrupt) leaves no demo or node behind
// holding its ports and its inherited files.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
