package lint

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
)

// SQLFluffOptions say how to run an external sqlfluff.
type SQLFluffOptions struct {
	Exe     string // executable; "" means "sqlfluff" from PATH
	Dir     string // working directory (where its configuration is found)
	Dialect string
	Rules   []string
	Exclude []string
	Paths   []string
}

// RunSQLFluff runs `sqlfluff lint --format json` and converts its report to our results.
// Legacy codes (L0xx) of SQLFluff 1.x are mapped to today's codes, and both its old
// (line_no/line_pos) and new (start_line_no/...) position fields are read. Names and
// descriptions of our own rules fill in what old versions do not report.
func RunSQLFluff(ctx context.Context, o SQLFluffOptions, known []Rule) ([]FileResult, error) {
	exe := o.Exe
	if exe == "" {
		exe = "sqlfluff"
	}
	args := []string{"lint", "--format", "json", "--nofail"}
	if o.Dialect != "" {
		args = append(args, "--dialect", o.Dialect)
	}
	if len(o.Rules) > 0 {
		args = append(args, "--rules", strings.Join(legacyRefs(o.Rules, known), ","))
	}
	if len(o.Exclude) > 0 {
		args = append(args, "--exclude-rules", strings.Join(legacyRefs(o.Exclude, known), ","))
	}
	args = append(args, o.Paths...)
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Dir = o.Dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	out := stdout.Bytes()
	start := bytes.IndexByte(out, '[')
	if start < 0 {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 400 {
			msg = msg[len(msg)-400:]
		}
		if runErr != nil {
			return nil, fmt.Errorf("%s: %v: %s", exe, runErr, msg)
		}
		return nil, fmt.Errorf("%s gave no JSON report: %s", exe, msg)
	}
	return ParseSQLFluffJSON(out[start:], known)
}

// legacyRefs translates today's codes to what an old sqlfluff understands when it is 1.x;
// names and groups pass through. Since we cannot know the version cheaply, codes are sent as
// given when they are legacy already and expanded to all legacy aliases otherwise (1.x
// ignores unknown codes; 2.x and later accept both).
func legacyRefs(refs []string, known []Rule) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r)
		for _, k := range known {
			m := k.Meta()
			if strings.EqualFold(m.Code, r) {
				for _, a := range m.Aliases {
					if len(a) == 4 && a[0] == 'L' {
						out = append(out, a)
					}
				}
			}
		}
	}
	return out
}

type sfViolation struct {
	LineNo      int    `json:"line_no"`
	LinePos     int    `json:"line_pos"`
	StartLine   int    `json:"start_line_no"`
	StartPos    int    `json:"start_line_pos"`
	EndLine     int    `json:"end_line_no"`
	EndPos      int    `json:"end_line_pos"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Warning     bool   `json:"warning"`
}

type sfFile struct {
	Filepath   string        `json:"filepath"`
	Violations []sfViolation `json:"violations"`
}

// ParseSQLFluffJSON converts sqlfluff's JSON report.
func ParseSQLFluffJSON(data []byte, known []Rule) ([]FileResult, error) {
	var files []sfFile
	if err := json.Unmarshal(data, &files); err != nil {
		return nil, fmt.Errorf("reading sqlfluff JSON: %w", err)
	}
	byCode := map[string]*Meta{}
	for _, r := range known {
		byCode[r.Meta().Code] = r.Meta()
	}
	out := make([]FileResult, 0, len(files))
	for _, f := range files {
		fr := FileResult{Path: f.Filepath}
		for _, v := range f.Violations {
			line, pos := v.StartLine, v.StartPos
			if line == 0 {
				line, pos = v.LineNo, v.LinePos
			}
			el, ep := v.EndLine, v.EndPos
			if el == 0 {
				el, ep = line, pos
			}
			code := CurrentCode(v.Code)
			name := v.Name
			if m := byCode[code]; m != nil && name == "" {
				name = m.Name
			}
			fr.Violations = append(fr.Violations, Violation{Path: f.Filepath, Line: line, Col: pos, EndLine: el, EndCol: ep,
				Code: code, Name: name, Description: v.Description, Warning: v.Warning})
		}
		sortViolations(fr.Violations)
		out = append(out, fr)
	}
	return out, nil
}
