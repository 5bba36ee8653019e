package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// readme is a README split into what its translations must share: its
// headings, its fenced code blocks, the commands it quotes inline, and
// the targets of its links.
type readme struct {
	headings []heading
	blocks   []string // each fenced code block, fences included
	commands []string // inline code that runs something: go ..., wsflow ..., curl ..., echo ...
	links    []string // link targets
}

// heading is a section heading: its level and the inline code it names.
type heading struct {
	level int
	code  []string
}

var (
	fence      = regexp.MustCompile("(?ms)^```[^\n]*\n.*?^```$")
	headingRE  = regexp.MustCompile(`(?m)^(#{1,6}) (.*)$`)
	inlineCode = regexp.MustCompile("(?s)`([^`]+)`")
	linkRE     = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	commandRE  = regexp.MustCompile(`^(go|wsflow|curl|echo) `)
)

// parseReadme reads the README at path, relative to the repository's root.
func parseReadme(t *testing.T, path string) readme {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	var r readme
	r.blocks = fence.FindAllString(text, -1)
	prose := fence.ReplaceAllString(text, "")
	for _, m := range headingRE.FindAllStringSubmatch(prose, -1) {
		h := heading{level: len(m[1])}
		for _, c := range inlineCode.FindAllStringSubmatch(m[2], -1) {
			h.code = append(h.code, c[1])
		}
		r.headings = append(r.headings, h)
	}
	for _, c := range inlineCode.FindAllStringSubmatch(prose, -1) {
		if code := strings.Join(strings.Fields(c[1]), " "); commandRE.MatchString(code) {
			r.commands = append(r.commands, code)
		}
	}
	for _, m := range linkRE.FindAllStringSubmatch(prose, -1) {
		r.links = append(r.links, m[1])
	}
	slices.Sort(r.commands) // word order differs between languages; the set may not
	slices.Sort(r.links)
	return r
}

// TestReadmeTranslation fails when README.zh-CN.md has drifted from
// README.md: both must have the same sections in the same order (each
// heading of the same level, naming the same code), the same code blocks
// in the same order, the same inline commands and the same links, but
// for the link from each to the other.
func TestReadmeTranslation(t *testing.T) {
	en := parseReadme(t, "README.md")
	zh := parseReadme(t, "README.zh-CN.md")
	if len(en.headings) < 10 || len(en.blocks) < 10 || len(en.commands) < 3 {
		t.Fatalf("README.md: %d headings, %d code blocks, %d commands: the parser is broken", len(en.headings), len(en.blocks), len(en.commands))
	}

	if len(zh.headings) != len(en.headings) {
		t.Errorf("README.zh-CN.md has %d headings, README.md %d", len(zh.headings), len(en.headings))
	}
	for i := range min(len(en.headings), len(zh.headings)) {
		if e, z := en.headings[i], zh.headings[i]; e.level != z.level || !slices.Equal(e.code, z.code) {
			t.Errorf("heading %d: README.md has level %d naming %q, README.zh-CN.md level %d naming %q", i+1, e.level, e.code, z.level, z.code)
		}
	}

	if len(zh.blocks) != len(en.blocks) {
		t.Errorf("README.zh-CN.md has %d code blocks, README.md %d", len(zh.blocks), len(en.blocks))
	}
	for i := range min(len(en.blocks), len(zh.blocks)) {
		if en.blocks[i] != zh.blocks[i] {
			t.Errorf("code block %d differs:\nREADME.md:\n%s\nREADME.zh-CN.md:\n%s", i+1, en.blocks[i], zh.blocks[i])
		}
	}

	if !slices.Equal(en.commands, zh.commands) {
		t.Errorf("inline commands differ:\nREADME.md:       %q\nREADME.zh-CN.md: %q", en.commands, zh.commands)
	}
	enLinks := slices.DeleteFunc(en.links, func(l string) bool { return l == "README.zh-CN.md" })
	zhLinks := slices.DeleteFunc(zh.links, func(l string) bool { return l == "README.md" })
	if len(enLinks) == len(en.links) {
		t.Error("README.md does not link README.zh-CN.md")
	}
	if len(zhLinks) == len(zh.links) {
		t.Error("README.zh-CN.md does not link README.md")
	}
	if !slices.Equal(enLinks, zhLinks) {
		t.Errorf("links differ:\nREADME.md:       %q\nREADME.zh-CN.md: %q", enLinks, zhLinks)
	}
}
