package doccheck

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Result is what Check found in one document.
type Result struct {
	Checked int      // blocks type-checked
	Skipped []string // "README.md:LINE: reason" of each block left out
	Faults  []string // "README.md:LINE:COL: message" of each fault found
}

// packages maps the package names the blocks use without an import to
// their import paths.
var packages = map[string]string{
	"atomic":      "sync/atomic",
	"bytes":       "bytes",
	"context":     "context",
	"errors":      "errors",
	"fmt":         "fmt",
	"http":        "net/http",
	"io":          "io",
	"json":        "encoding/json",
	"log":         "log",
	"os":          "os",
	"signal":      "os/signal",
	"slices":      "slices",
	"slog":        "log/slog",
	"strconv":     "strconv",
	"strings":     "strings",
	"sync":        "sync",
	"testing":     "testing",
	"time":        "time",
	"prometheus":  "github.com/prometheus/client_golang/prometheus",
	"promhttp":    "github.com/prometheus/client_golang/prometheus/promhttp",
	"rxgo":        "github.com/reactivex/rxgo/v2",
	"broker":      "github.com/wsflow/wsflow/broker",
	"natsbroker":  "github.com/wsflow/wsflow/broker/natsbroker",
	"natstest":    "github.com/wsflow/wsflow/broker/natsbroker/natstest",
	"client":      "github.com/wsflow/wsflow/client",
	"roomclient":  "github.com/wsflow/wsflow/client/roomclient",
	"flow":        "github.com/wsflow/wsflow/flow",
	"rxflow":      "github.com/wsflow/wsflow/flow/rxflow",
	"message":     "github.com/wsflow/wsflow/message",
	"metrics":     "github.com/wsflow/wsflow/metrics",
	"rooms":       "github.com/wsflow/wsflow/rooms",
	"router":      "github.com/wsflow/wsflow/router",
	"wstest":      "github.com/wsflow/wsflow/router/wstest",
	"transformer": "github.com/wsflow/wsflow/transformer",
}

// Check type-checks the Go blocks of the markdown document at path
// (named name in what it reports) within the module at root. givens is a
// Go file of package doc declaring the names the document takes as given;
// givensName names it in what Check reports.
func Check(root, path, name, givensName string, givens []byte) (Result, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return Result{}, err
	}
	blocks, err := Blocks(doc)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	var res Result
	var snippets bytes.Buffer // the blocks that share the document's package
	var files [][]byte        // blocks that are whole files
	for _, b := range blocks {
		switch kind := kindOf(b.Code); {
		case b.Skip != "":
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s:%d: %s", name, b.Line, b.Skip))
			continue
		case kind == wholeFile:
			files = append(files, fmt.Appendf(nil, "//line %s:%d:1\n%s", name, b.Line, b.Code))
		case kind == declarations && b.CompileIn == "":
			fmt.Fprintf(&snippets, "//line %s:%d:1\n%s\n", name, b.Line, b.Code)
		case b.CompileIn != "":
			fmt.Fprintf(&snippets, "var _ = %s {\n//line %s:%d:1\n%s}\n", b.CompileIn, name, b.Line, b.Code)
		default:
			fmt.Fprintf(&snippets, "func _() {\n//line %s:%d:1\n%s}\n", name, b.Line, b.Code)
		}
		res.Checked++
	}
	units := [][]fileSource{}
	if snippets.Len() > 0 {
		units = append(units, []fileSource{
			{givensName, givens},
			{name, withImports("doc", snippets.Bytes())},
		})
	}
	for _, f := range files {
		units = append(units, []fileSource{{name, f}})
	}
	for _, u := range units {
		faults, err := typeCheck(root, u)
		if err != nil {
			return res, err
		}
		res.Faults = append(res.Faults, faults...)
	}
	return res, nil
}

type blockKind int

const (
	statements blockKind = iota
	declarations
	wholeFile
)

// kindOf tells a whole file from declarations and statements by which of
// them parses.
func kindOf(code string) blockKind {
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "", code, parser.PackageClauseOnly); err == nil {
		return wholeFile
	}
	if _, err := parser.ParseFile(fset, "", "package doc\n"+code, 0); err == nil {
		return declarations
	}
	return statements
}

// withImports returns a file of package pkg holding src, importing every
// package of packages whose name src uses as a qualifier.
func withImports(pkg string, src []byte) []byte {
	var names []string
	for name := range packages {
		if regexp.MustCompile(`\b` + name + `\.`).Match(src) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var b bytes.Buffer
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	for _, name := range names {
		fmt.Fprintf(&b, "import %s %q\n", name, packages[name])
	}
	b.Write(src)
	return b.Bytes()
}

// fileSource is a Go file's name and text.
type fileSource struct {
	name string
	src  []byte
}

// typeCheck parses and type-checks files as one package, and returns its
// faults, but for an unused variable or import.
func typeCheck(root string, files []fileSource) ([]string, error) {
	fset := token.NewFileSet()
	var parsed []*ast.File
	var faults []string
	for _, f := range files {
		af, err := parser.ParseFile(fset, f.name, f.src, parser.AllErrors|parser.SkipObjectResolution)
		if err != nil {
			return append(faults, err.Error()), nil
		}
		parsed = append(parsed, af)
	}
	var paths []string
	for _, af := range parsed {
		for _, imp := range af.Imports {
			paths = append(paths, strings.Trim(imp.Path.Value, `"`))
		}
	}
	exports, err := exportData(root, paths)
	if err != nil {
		return nil, err
	}
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
			file, ok := exports[path]
			if !ok {
				return nil, fmt.Errorf("no export data for %s", path)
			}
			return os.Open(file)
		}),
		Error: func(err error) {
			te := err.(types.Error)
			if te.Soft && (strings.Contains(te.Msg, "declared and not used") || strings.Contains(te.Msg, "imported and not used")) {
				return
			}
			faults = append(faults, fmt.Sprintf("%s: %s", te.Fset.Position(te.Pos), te.Msg))
		},
	}
	conf.Check("doc", fset, parsed, nil) // the faults are gathered by conf.Error
	return faults, nil
}

// exportData returns the files of compiler export data of paths and of
// everything they import, from go list, run in the module at root.
func exportData(root string, paths []string) (map[string]string, error) {
	exports := map[string]string{}
	if len(paths) == 0 {
		return exports, nil
	}
	cmd := exec.Command("go", append([]string{"list", "-export", "-deps", "-e", "-f", "{{.ImportPath}}\t{{.Export}}\t{{if .Error}}{{.Error}}{{end}}"}, paths...)...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, stderr.Bytes())
	}
	for _, line := range strings.Split(string(out), "\n") {
		path, rest, _ := strings.Cut(line, "\t")
		export, failure, _ := strings.Cut(rest, "\t")
		switch {
		case failure != "":
			return nil, fmt.Errorf("go list %s: %s", path, failure)
		case export != "":
			exports[path] = export
		}
	}
	return exports, nil
}

// Documents returns the markdown documents whose blocks are checked: the
// ones at root and those under root/docs, as paths relative to root.
func Documents(root string) ([]string, error) {
	docs, err := filepath.Glob(filepath.Join(root, "*.md"))
	if err != nil {
		return nil, err
	}
	err = filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			docs = append(docs, p)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	for i, d := range docs {
		if docs[i], err = filepath.Rel(root, d); err != nil {
			return nil, err
		}
	}
	return docs, nil
}
