package flow_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRuntimeHooksAreNotExported keeps what only a connection runtime
// asks of a run (package internal/flowrun) out of flow's public face.
func TestRuntimeHooksAreNotExported(t *testing.T) {
	exported := map[string]bool{}
	notTest := func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", notTest, 0)
	require.NoError(t, err)
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if d.Name.IsExported() && (d.Recv == nil || ast.IsExported(receiver(d))) {
						exported[d.Name.Name] = true
					}
				case *ast.GenDecl:
					for _, s := range d.Specs {
						if s, ok := s.(*ast.TypeSpec); ok && s.Name.IsExported() {
							exported[s.Name.Name] = true
						}
					}
				}
			}
		}
	}
	require.True(t, exported["Start"], "the parse found flow's API")
	for _, name := range []string{"Batcher", "WithBatcher", "EmitCopies", "KeepInput", "RunOption", "Fused", "Lends", "AfterDone"} {
		assert.False(t, exported[name], "flow exports %s", name)
	}
}

// receiver returns the name of the type of method d's receiver.
func receiver(d *ast.FuncDecl) string {
	t := d.Recv.List[0].Type
	if p, ok := t.(*ast.StarExpr); ok {
		t = p.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	return t.(*ast.Ident).Name
}
