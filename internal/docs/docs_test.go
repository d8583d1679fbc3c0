package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// root is the repository's root, seen from this package's folder.
const root = "../.."

// pages returns README.md and the Markdown files under docs/.
func pages(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(root, "README.md")}, files...)
}

var (
	fence      = regexp.MustCompile("(?ms)^```.*?^```[ \t]*$")
	indented   = regexp.MustCompile(`(?m)^(    |\t).*$`)
	codeSpan   = regexp.MustCompile("`[^`\n]*`")
	mdLink     = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	htmlSource = regexp.MustCompile(`(?i)<(?:img|a)\s[^>]*?(?:src|href)="([^"]+)"`)
	heading    = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*#*\s*$`)
)

// prose returns the Markdown text without code: fenced and indented
// blocks and code spans, whose brackets are not links.
func prose(text string) string {
	text = fence.ReplaceAllString(text, "")
	text = indented.ReplaceAllString(text, "")
	return codeSpan.ReplaceAllString(text, "")
}

// targets returns the link and image targets of a page's prose.
func targets(text string) []string {
	var out []string
	for _, re := range []*regexp.Regexp{mdLink, htmlSource} {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// slug is GitHub's anchor of a heading: lower case, punctuation dropped
// (letters, digits, spaces, hyphens and underscores kept), spaces turned
// into hyphens.
func slug(h string) string {
	h = codeSpan.ReplaceAllStringFunc(h, func(s string) string { return strings.Trim(s, "`") })
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors returns the anchors of a page's headings, a repeated one with
// GitHub's suffixes -1, -2, ….
func anchors(text string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, m := range heading.FindAllStringSubmatch(fence.ReplaceAllString(text, ""), -1) {
		s := slug(m[1])
		if n := seen[s]; n > 0 {
			out[s+"-"+strconv.Itoa(n)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}

// TestLinksResolve checks every relative link and image of README.md and
// docs/*.md: the file exists, and a heading anchor names a heading of it.
func TestLinksResolve(t *testing.T) {
	for _, page := range pages(t) {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		name, _ := filepath.Rel(root, page)
		for _, target := range targets(prose(text)) {
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			file := page
			if path != "" {
				file = filepath.Join(filepath.Dir(page), filepath.FromSlash(path))
			}
			st, err := os.Stat(file)
			if err != nil {
				t.Errorf("%s: the link %q names no file of the repository", name, target)
				continue
			}
			if anchor == "" || st.IsDir() || !strings.HasSuffix(file, ".md") {
				continue
			}
			linked, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !anchors(string(linked))[anchor] {
				t.Errorf("%s: the link %q names no heading of %s", name, target, filepath.Base(file))
			}
		}
	}
}

// TestChecker plants broken links and code that looks like links: the
// checker must see the first and not the second.
func TestChecker(t *testing.T) {
	text := "# A `code` heading, (with) punctuation!\n\n## Twice\n\n## Twice\n\n" +
		"[a](docs/a.md#x) ![b](pic.png) <img src=\"c.png\"> `[no](code.md)`\n\n    [no](indented.md)\n\n" +
		"```\n[no](fenced.md)\n```\n"
	got := strings.Join(targets(prose(text)), " ")
	if want := "docs/a.md#x pic.png c.png"; got != want {
		t.Errorf("targets %q, want %q", got, want)
	}
	a := anchors(text)
	for _, want := range []string{"a-code-heading-with-punctuation", "twice", "twice-1"} {
		if !a[want] {
			t.Errorf("anchors %v lack %q", a, want)
		}
	}
}
