package doccheck_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/internal/doccheck"
)

// The checker type-checks each kind of block, counts the blocks left out,
// and reports a fault at its line of the document.
func TestCheckSample(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	givens, err := os.ReadFile(givensPath)
	require.NoError(t, err)
	res, err := doccheck.Check(root, "testdata/sample.md", "sample.md", givensPath, givens)
	require.NoError(t, err)
	require.Equal(t, 5, res.Checked)
	require.Equal(t, []string{"sample.md:32: shows a shape, not code"}, res.Skipped)
	require.Equal(t, []string{"sample.md:38:8: undefined: router.Acept"}, res.Faults)
}

func TestBlocks(t *testing.T) {
	blocks, err := doccheck.Blocks([]byte("text\n<!-- not compiled: why -->\n```go\nx := 1\n```\n\n```go\ny\n"))
	require.ErrorContains(t, err, "line 7: a ```go block is never closed")
	require.Nil(t, blocks)
	blocks, err = doccheck.Blocks([]byte("- item:\n\n  ```go\n  x := 1\n  ```\n"))
	require.NoError(t, err)
	require.Equal(t, []doccheck.Block{{Line: 4, Code: "x := 1\n"}}, blocks)
}
