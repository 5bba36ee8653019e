package doccheck_test

import (
	"go/version"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The module states the lowest Go it needs: the highest that its
// requirements state, and no later, so that requiring it does not raise
// a user's go line further than its dependencies already do.
func TestGoDirectiveIsTheLowestNeeded(t *testing.T) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{if .Main}}main {{end}}{{.GoVersion}}", "all")
	cmd.Env = append(os.Environ(), "GOWORK=off") // the library's module alone, as its users require it
	out, err := cmd.Output()
	require.NoError(t, err)
	var stated, needed string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if v, ok := strings.CutPrefix(line, "main "); ok {
			stated = "go" + v
			continue
		}
		if line != "" && version.Compare("go"+line, needed) > 0 {
			needed = "go" + line
		}
	}
	require.NotEmpty(t, stated)
	require.Equal(t, needed, stated, "go.mod's go line")
}
