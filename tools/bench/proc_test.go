package bench

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A /proc/PID/stat line whose command name holds spaces and parentheses;
// utime is 1234 ticks and stime 56.
const statFixture = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 3174 0 0 0 1234 56 0 0 20 0 7 0 " +
	"123456 2304636 4586 18446744073709551615 1 1 0 0 0 0 0 0 2143420159 0 0 0 17 1 0 0 0 0 0\n"

func TestParseStatCPU(t *testing.T) {
	cpu, err := ParseStatCPU([]byte(statFixture))
	require.NoError(t, err)
	assert.Equal(t, 1290*10*time.Millisecond, cpu)

	_, err = ParseStatCPU([]byte("4242 no parens 1 2 3"))
	assert.Error(t, err)
	_, err = ParseStatCPU([]byte("4242 (short) S 1 2 3"))
	assert.Error(t, err)
	_, err = ParseStatCPU([]byte(strings.Replace(statFixture, " 1234 ", " x ", 1)))
	assert.Error(t, err)
}

const statusFixture = `Name:	wsflow
Umask:	0022
State:	S (sleeping)
VmPeak:	 2304636 kB
VmSize:	 2304636 kB
VmHWM:	   20112 kB
VmRSS:	   18344 kB
RssAnon:	    7896 kB
Threads:	7
`

func TestParseStatusRSS(t *testing.T) {
	rss, err := ParseStatusRSS([]byte(statusFixture))
	require.NoError(t, err)
	assert.Equal(t, int64(18344*1024), rss)

	_, err = ParseStatusRSS([]byte("Name:\tkthreadd\nState:\tS\n"))
	assert.Error(t, err, "no VmRSS line")
	_, err = ParseStatusRSS([]byte("VmRSS:\t 12 MB\n"))
	assert.Error(t, err, "unexpected unit")
}

func TestParseStatBusy(t *testing.T) {
	// user nice system idle iowait irq softirq steal guest guest_nice
	busy, err := ParseStatBusy([]byte("cpu  100 2 30 5000 7 1 11 3 50 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n"))
	require.NoError(t, err)
	assert.Equal(t, (100+2+30+1+11+3)*10*time.Millisecond, busy)

	_, err = ParseStatBusy([]byte("intr 1 2 3\n"))
	assert.Error(t, err)
}

const ioFixture = `rchar: 6976
wchar: 120
syscr: 10
syscw: 4242
read_bytes: 0
write_bytes: 0
cancelled_write_bytes: 0
`

func TestParseIOWrites(t *testing.T) {
	n, err := ParseIOWrites([]byte(ioFixture))
	require.NoError(t, err)
	assert.Equal(t, int64(4242), n, "syscw, not syscr or wchar")

	_, err = ParseIOWrites([]byte("rchar: 1\nsyscr: 2\n"))
	assert.ErrorContains(t, err, "no syscw line")
	_, err = ParseIOWrites([]byte("syscw: many\n"))
	assert.ErrorContains(t, err, "bad syscw")
}

func TestProcOfThisProcess(t *testing.T) {
	cpu, err := ProcCPU(0)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, cpu, time.Duration(0))
	rss, err := ProcRSS(0)
	require.NoError(t, err)
	assert.Greater(t, rss, int64(1<<20), "a Go test binary holds more than 1 MiB")
	_, err = MachineBusy()
	require.NoError(t, err)

	before, err := ProcWrites(0)
	require.NoError(t, err)
	f, err := os.Create(t.TempDir() + "/w")
	require.NoError(t, err)
	for range 3 {
		_, err = f.Write([]byte("x"))
		require.NoError(t, err)
	}
	require.NoError(t, f.Close())
	after, err := ProcWrites(0)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, after-before, int64(3), "three write(2) calls")
}

const tcpFixture = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 20 4 30 10 -1
   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 100 0 0 10 0
`

func TestListeningInodes(t *testing.T) {
	inodes, err := listeningInodes(strings.NewReader(tcpFixture), 8080) // 0x1F90
	require.NoError(t, err)
	assert.Equal(t, []string{"111"}, inodes, "the established connection on the same port is not a listener")

	inodes, err = listeningInodes(strings.NewReader(tcpFixture), 80)
	require.NoError(t, err)
	assert.Equal(t, []string{"333"}, inodes)

	inodes, err = listeningInodes(strings.NewReader(tcpFixture), 9)
	require.NoError(t, err)
	assert.Empty(t, inodes)
}
