package doccheck_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/internal/doccheck"
)

const givensPath = "testdata/givens.go"

// Every Go block of the project's documents compiles, or says why not.
func TestDocumentsCompile(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	givens, err := os.ReadFile(givensPath)
	require.NoError(t, err)
	docs, err := doccheck.Documents(root)
	require.NoError(t, err)
	require.Contains(t, docs, "README.md")
	checked, skipped := 0, 0
	for _, doc := range docs {
		res, err := doccheck.Check(root, filepath.Join(root, doc), doc, givensPath, givens)
		require.NoError(t, err)
		for _, f := range res.Faults {
			t.Errorf("%s", f)
		}
		for _, s := range res.Skipped {
			t.Logf("not compiled: %s", s)
		}
		checked += res.Checked
		skipped += len(res.Skipped)
	}
	t.Logf("%d Go blocks of %d documents type-checked, %d not compiled", checked, len(docs), skipped)
	require.NotZero(t, checked)
}
