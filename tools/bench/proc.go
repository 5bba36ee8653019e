package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTick is the unit of the CPU times in /proc/PID/stat. Linux reports
// them in USER_HZ, which is 100 on every architecture Go supports (the
// kernel's own HZ may differ; /proc converts). CPU times are therefore
// known to 10 ms: over a measured window of seconds at full load that is
// well under 1%.
const clockTick = 10 * time.Millisecond

// ProcCPU returns the CPU time (user + system, all threads) that process
// pid has used so far, from /proc/PID/stat; pid 0 means this process.
func ProcCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(procPath(pid, "stat"))
	if err != nil {
		return 0, err
	}
	return ParseStatCPU(b)
}

// ProcWrites returns how many write system calls process pid has made so
// far (write, pwrite, writev and the like, on any file, sockets
// included), from the syscw line of /proc/PID/io; pid 0 means this
// process. Reading another process's io file needs the right to trace it,
// which a user has over its own children.
func ProcWrites(pid int) (int64, error) {
	b, err := os.ReadFile(procPath(pid, "io"))
	if err != nil {
		return 0, err
	}
	return ParseIOWrites(b)
}

// ParseIOWrites returns the syscw count of the content of /proc/PID/io:
// the process's write system calls, all threads included.
func ParseIOWrites(data []byte) (int64, error) {
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		rest, ok := bytes.CutPrefix(line, []byte("syscw:"))
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(rest)), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("/proc io: bad syscw %q", bytes.TrimSpace(rest))
		}
		return n, nil
	}
	return 0, errors.New("/proc io: no syscw line")
}

// ProcRSS returns the resident memory of process pid in bytes, from the
// VmRSS line of /proc/PID/status; pid 0 means this process.
func ProcRSS(pid int) (int64, error) {
	b, err := os.ReadFile(procPath(pid, "status"))
	if err != nil {
		return 0, err
	}
	return ParseStatusRSS(b)
}

func procPath(pid int, name string) string {
	if pid == 0 {
		return "/proc/self/" + name
	}
	return "/proc/" + strconv.Itoa(pid) + "/" + name
}

// ParseStatCPU returns utime + stime from the content of /proc/PID/stat.
//
// The second field, the command name in parentheses, may itself hold
// spaces and parentheses, so the fields are counted from the last ')':
// after it come state (field 3), ..., utime (field 14) and stime (15).
func ParseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("/proc stat: no command name")
	}
	fields := bytes.Fields(stat[i+1:])
	// fields[0] is field 3 (state); utime is field 14, stime field 15.
	const utime, stime = 14 - 3, 15 - 3
	if len(fields) <= stime {
		return 0, fmt.Errorf("/proc stat: %d fields after the command name, want at least %d", len(fields), stime+1)
	}
	var ticks int64
	for _, f := range [][]byte{fields[utime], fields[stime]} {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc stat: bad CPU time %q", f)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// ParseStatusRSS returns the VmRSS of the content of /proc/PID/status, in
// bytes. The kernel reports it in kB (KiB).
func ParseStatusRSS(status []byte) (int64, error) {
	for line := range bytes.SplitSeq(status, []byte("\n")) {
		rest, ok := bytes.CutPrefix(line, []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, fmt.Errorf("/proc status: unexpected VmRSS line %q", line)
		}
		n, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc status: bad VmRSS %q", f[0])
		}
		return n << 10, nil
	}
	return 0, errors.New("/proc status: no VmRSS line (a kernel thread, or a zombie)")
}

// MachineBusy returns the CPU time all CPUs of the machine have spent
// busy so far (everything but idle and iowait, interrupt and softirq
// time included), from the first line of /proc/stat.
func MachineBusy() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	return ParseStatBusy(b)
}

// ParseStatBusy returns the busy CPU time of the "cpu" line of the
// content of /proc/stat: user nice system idle iowait irq softirq steal
// (guest time is already part of user), less idle and iowait.
func ParseStatBusy(stat []byte) (time.Duration, error) {
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 9 || string(f[0]) != "cpu" {
		return 0, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	var ticks int64
	for i, v := range f[1:9] {
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat: bad CPU time %q", v)
		}
		if i != 3 && i != 4 { // idle, iowait
			ticks += n
		}
	}
	return time.Duration(ticks) * clockTick, nil
}
