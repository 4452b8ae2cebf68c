package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats lists the output formats Write accepts.
var Formats = []string{"human", "json", "github-annotation", "github-annotation-native", "sarif"}

// Write prints results in one of Formats.
func Write(w io.Writer, format string, results []FileResult, rules []Rule) error {
	switch format {
	case "", "human", "text":
		return writeHuman(w, results)
	case "json":
		return writeJSON(w, results)
	case "github-annotation":
		return writeGitHubJSON(w, results)
	case "github-annotation-native":
		return writeGitHubNative(w, results)
	case "sarif":
		return writeSARIF(w, results, rules)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

func writeHuman(w io.Writer, results []FileResult) error {
	total, files := 0, 0
	for _, r := range results {
		if len(r.Violations) == 0 && len(r.Problems) == 0 {
			continue
		}
		files++
		status := "FAIL"
		if len(r.Violations) == 0 {
			status = "PASS"
		}
		fmt.Fprintf(w, "== [%s] %s\n", r.Path, status)
		for _, p := range r.Problems {
			fmt.Fprintf(w, "  note: %s\n", p)
		}
		for _, v := range r.Violations {
			warn := ""
			if v.Warning {
				warn = " (warning)"
			}
			fmt.Fprintf(w, "L:%4d | P:%4d | %s | %s%s [%s]\n", v.Line, v.Col, v.Code, v.Description, warn, v.Name)
			total++
		}
	}
	if total == 0 {
		_, err := fmt.Fprintf(w, "All finished! %d files linted, no violations.\n", len(results))
		return err
	}
	_, err := fmt.Fprintf(w, "All finished! %d violations in %d of %d files.\n", total, files, len(results))
	return err
}

type jsonViolation struct {
	StartLine   int    `json:"start_line_no"`
	StartPos    int    `json:"start_line_pos"`
	EndLine     int    `json:"end_line_no"`
	EndPos      int    `json:"end_line_pos"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Warning     bool   `json:"warning"`
	Fixes       []any  `json:"fixes"`
}

type jsonFile struct {
	Filepath   string          `json:"filepath"`
	Violations []jsonViolation `json:"violations"`
}

func writeJSON(w io.Writer, results []FileResult) error {
	out := make([]jsonFile, 0, len(results))
	for _, r := range results {
		f := jsonFile{Filepath: r.Path, Violations: []jsonViolation{}}
		for _, v := range r.Violations {
			f.Violations = append(f.Violations, jsonViolation{
				StartLine: v.Line, StartPos: v.Col, EndLine: v.EndLine, EndPos: v.EndCol,
				Code: v.Code, Name: v.Name, Description: v.Description, Warning: v.Warning, Fixes: []any{},
			})
		}
		out = append(out, f)
	}
	enc := json.NewEncoder(w)
	return enc.Encode(out)
}

// writeGitHubJSON prints the annotation objects GitHub's check-run API takes.
func writeGitHubJSON(w io.Writer, results []FileResult) error {
	type ann struct {
		File     string `json:"file"`
		Line     int    `json:"line"`
		StartCol int    `json:"start_column"`
		EndLine  int    `json:"end_line"`
		EndCol   int    `json:"end_column"`
		Title    string `json:"title"`
		Message  string `json:"message"`
		Level    string `json:"annotation_level"`
	}
	out := []ann{}
	for _, r := range results {
		for _, v := range r.Violations {
			level := "failure"
			if v.Warning {
				level = "warning"
			}
			out = append(out, ann{File: r.Path, Line: v.Line, StartCol: v.Col, EndLine: v.EndLine, EndCol: v.EndCol,
				Title: "SQLFluff", Message: v.Code + ": " + v.Description, Level: level})
		}
	}
	return json.NewEncoder(w).Encode(out)
}

// writeGitHubNative prints workflow commands (::error file=...::message) that GitHub Actions
// turns into annotations.
func writeGitHubNative(w io.Writer, results []FileResult) error {
	for _, r := range results {
		for _, v := range r.Violations {
			level := "error"
			if v.Warning {
				level = "warning"
			}
			msg := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(v.Code + ": " + v.Description + " [" + v.Name + "]")
			if _, err := fmt.Fprintf(w, "::%s title=SQLFluff,file=%s,line=%d,col=%d,endLine=%d,endColumn=%d::%s\n",
				level, r.Path, v.Line, v.Col, v.EndLine, v.EndCol, msg); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeSARIF(w io.Writer, results []FileResult, rules []Rule) error {
	type msg struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Short msg    `json:"shortDescription"`
	}
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
	type artifact struct {
		URI string `json:"uri"`
	}
	type physical struct {
		Artifact artifact `json:"artifactLocation"`
		Region   region   `json:"region"`
	}
	type location struct {
		Physical physical `json:"physicalLocation"`
	}
	type result struct {
		RuleID    string     `json:"ruleId"`
		Level     string     `json:"level"`
		Message   msg        `json:"message"`
		Locations []location `json:"locations"`
	}
	var rs []rule
	for _, r := range rules {
		m := r.Meta()
		rs = append(rs, rule{ID: m.Code, Name: m.Name, Short: msg{m.Description}})
	}
	res := []result{}
	for _, fr := range results {
		for _, v := range fr.Violations {
			level := "error"
			if v.Warning {
				level = "warning"
			}
			res = append(res, result{RuleID: v.Code, Level: level, Message: msg{v.Description},
				Locations: []location{{physical{artifact{fr.Path}, region{v.Line, v.Col, v.EndLine, v.EndCol}}}}})
		}
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool":    map[string]any{"driver": map[string]any{"name": "dataops lint", "rules": rs}},
			"results": res,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
