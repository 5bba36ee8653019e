package doccheck

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Block is one ```go block of a markdown document.
type Block struct {
	Line      int    // the line of its first line of code, from 1
	Code      string // its text
	CompileIn string // the function type of a "compiled in" directive, if any
	Skip      string // the reason of a "not compiled" directive, if any
}

var (
	compiledIn  = regexp.MustCompile(`^<!--\s*compiled in:\s*(.+?)\s*-->$`)
	notCompiled = regexp.MustCompile(`^<!--\s*not compiled:\s*(.+?)\s*-->$`)
)

// Blocks returns the ```go blocks of a markdown document, with the
// directive on the line before each fence. A block left open at the end
// of the document is an error.
func Blocks(doc []byte) ([]Block, error) {
	var (
		blocks []Block
		cur    *Block
		code   strings.Builder
		prev   string // the line before the current one, trimmed
		fence  string
	)
	sc := bufio.NewScanner(bytes.NewReader(doc))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```go") && strings.TrimSpace(trimmed[len("```go"):]) == "":
			fence = line[:strings.Index(line, "```")]
			cur = &Block{Line: n + 1}
			if m := compiledIn.FindStringSubmatch(prev); m != nil {
				cur.CompileIn = m[1]
			}
			if m := notCompiled.FindStringSubmatch(prev); m != nil {
				cur.Skip = m[1]
			}
			code.Reset()
		case cur != nil && trimmed == "```":
			cur.Code = code.String()
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			code.WriteString(strings.TrimPrefix(line, fence))
			code.WriteByte('\n')
		}
		prev = trimmed
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: a ```go block is never closed", cur.Line-1)
	}
	return blocks, nil
}
