package schema

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// DbtParse runs `dbt parse` with the dbt executable exe on a project directory (an Overlay with
// the edits) and turns a failure into notes: dbt's own word on whether the edited files are
// valid for the version the team runs. profilesDir is passed through when set. A dbt that
// cannot start, or that fails only for want of a profile or a connection, is reported as a
// warning: it says nothing about the edits.
func DbtParse(ctx context.Context, exe, dir, profilesDir string) []Note {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	args := []string{"parse", "--project-dir", dir, "--no-partial-parse"}
	if profilesDir != "" {
		args = append(args, "--profiles-dir", profilesDir)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if err == nil {
		return nil
	}
	text := ansi.ReplaceAllString(out.String(), "")
	if _, isExit := err.(*exec.ExitError); !isExit {
		return []Note{{Rule: "dbt-parse", Severity: "warning", Message: fmt.Sprintf("could not run %s: %v", exe, err)}}
	}
	lines := errorLines(text, dir)
	sev := "error"
	lower := strings.ToLower(text)
	if strings.Contains(lower, "profile") && (strings.Contains(lower, "not found") || strings.Contains(lower, "could not find")) ||
		strings.Contains(lower, "could not connect") {
		sev = "warning"
	}
	var notes []Note
	for _, l := range lines {
		notes = append(notes, Note{Rule: "dbt-parse", Severity: sev, Path: l.path, Line: l.line, Message: "dbt parse: " + l.msg})
	}
	return notes
}

var (
	ansi = lazyregexp.New(`\x1b\[[0-9;]*[A-Za-z]`)
	// dbt prints timestamps before its log lines: "12:01:02  Encountered an error:".
	logPrefix = lazyregexp.New(`^\d\d:\d\d:\d\d(\.\d+)?\s+`)
	fileLine  = lazyregexp.New(`([\w./-]+\.ya?ml)(?:[:, ]+line (\d+)|:(\d+))?`)
)

type errLine struct {
	path, msg string
	line      int
}

// errorLines picks the lines of dbt's output that say what is wrong, with the file they name
// (made relative to the project).
func errorLines(text, dir string) []errLine {
	var out []errLine
	var keep []string
	capture := false
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(logPrefix.ReplaceAllString(strings.TrimRight(l, "\r"), ""))
		if l == "" {
			continue
		}
		low := strings.ToLower(l)
		if strings.Contains(low, "error") {
			capture = true
		}
		if capture {
			keep = append(keep, l)
		}
	}
	if len(keep) == 0 {
		// No line says "error": keep the end of the output.
		all := strings.Split(strings.TrimSpace(text), "\n")
		if len(all) > 5 {
			all = all[len(all)-5:]
		}
		keep = all
	}
	if len(keep) > 12 {
		keep = keep[:12]
	}
	msg := strings.Join(keep, " | ")
	msg = strings.ReplaceAll(msg, dir+"/", "")
	el := errLine{msg: msg}
	if m := fileLine.FindStringSubmatch(msg); m != nil {
		el.path = strings.TrimPrefix(m[1], dir+"/")
		for _, g := range m[2:] {
			if g != "" {
				fmt.Sscanf(g, "%d", &el.line)
			}
		}
	}
	out = append(out, el)
	return out
}
