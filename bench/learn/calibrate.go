package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/dataops-dev/dataops/internal/learn"
	"github.com/dataops-dev/dataops/internal/schema"
)

// calibrate measures, on a project's own documentation, when a retrieved dictionary entry
// describes a column better than the source after it (the column's name): every documented
// column's description is held out, the project's other documented columns are the
// dictionary (their own name excluded: that is the project source), and the best entry by
// learn.EntryScore is compared with the engineer's words by token F1, per score band.
func calibrate(args []string) error {
	fset := flag.NewFlagSet("calibrate", flag.ExitOnError)
	sample := fset.Float64("sample", -1, "print examples of the score band starting here")
	fset.Parse(args)
	if *sample >= 0 {
		calibrateSamples(fset.Arg(0), *sample, *sample+0.1, 12)
		return nil
	}
	for _, dir := range fset.Args() {
		if err := calibrateOne(dir); err != nil {
			return err
		}
	}
	return nil
}

type documented struct{ model, column, text string }

func readDocumented(dir string) ([]documented, error) {
	var out []documented
	err := filepath.WalkDir(filepath.Join(dir, "models"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !(strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		var f propertyFile
		if yaml.Unmarshal(data, &f) != nil {
			return nil
		}
		for _, m := range f.Models {
			for _, c := range m.Columns {
				t, _ := c.Description.(string)
				if len(words(t)) == 0 || strings.Contains(t, "{{") || placeholderText.MatchString(t) {
					continue
				}
				out = append(out, documented{m.Name, strings.ToLower(c.Name), t})
			}
		}
		return nil
	})
	return out, err
}

var placeholderText = regexp.MustCompile(`(?i)^\s*(todo|tbd|fixme|description|add description)?\W*$`)

var stop = map[string]bool{}

func init() {
	for _, w := range strings.Fields("a an the of to in for on and or is are be by with from as at this that it its which") {
		stop[w] = true
	}
}

var wordRE = regexp.MustCompile(`[a-z0-9]+`)

func words(s string) []string {
	var out []string
	for _, w := range wordRE.FindAllString(strings.ToLower(s), -1) {
		if !stop[w] {
			out = append(out, w)
		}
	}
	return out
}

// tokenF1 is dbt_eval.py's token F1 (SQuAD style, stop words left out).
func tokenF1(got, want string) float64 {
	a, b := words(got), words(want)
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	cb := map[string]int{}
	for _, w := range b {
		cb[w]++
	}
	common := 0
	ca := map[string]int{}
	for _, w := range a {
		ca[w]++
	}
	for w, n := range ca {
		common += min(n, cb[w])
	}
	if common == 0 {
		return 0
	}
	p, r := float64(common)/float64(len(a)), float64(common)/float64(len(b))
	return 2 * p * r / (p + r)
}

func calibrateOne(dir string) error {
	docs, err := readDocumented(dir)
	if err != nil {
		return err
	}
	// One entry per column name: the text most models give it.
	byName := map[string]map[string]int{}
	for _, d := range docs {
		if byName[d.column] == nil {
			byName[d.column] = map[string]int{}
		}
		byName[d.column][d.text]++
	}
	entries := map[string]string{}
	names := make([]string, 0, len(byName))
	for n, texts := range byName {
		best, c := "", 0
		for t, k := range texts {
			if k > c || k == c && t < best {
				best, c = t, k
			}
		}
		entries[n] = best
		names = append(names, n)
	}
	sort.Strings(names)
	bands := []float64{1, 0.8, 0.7, 0.6, 0.55, 0.5, 0.4, 0.3, 0}
	type agg struct {
		n            int
		fRetr, fName float64
	}
	stats := make([]agg, len(bands))
	for _, d := range docs {
		bestName, best := "", -1.0
		for _, n := range names {
			if n == d.column {
				continue
			}
			if s := learn.EntryScore(d.column, n); s > best || s == best && n < bestName {
				bestName, best = n, s
			}
		}
		if bestName == "" {
			continue
		}
		i := 0
		for i < len(bands)-1 && best < bands[i] {
			i++
		}
		stats[i].n++
		stats[i].fRetr += tokenF1(entries[bestName], d.text)
		stats[i].fName += tokenF1(schema.NameDescription(d.model, d.column), d.text)
	}
	fmt.Printf("%s: %d documented columns, %d distinct names\n", dir, len(docs), len(names))
	fmt.Printf("  %-12s %7s  %-14s %-14s\n", "score", "columns", "F1 retrieved", "F1 name")
	for i, b := range bands {
		s := stats[i]
		if s.n == 0 {
			continue
		}
		label := fmt.Sprintf(">= %.2f", b)
		if i > 0 {
			label = fmt.Sprintf("[%.2f, %.2f)", b, bands[i-1])
		}
		fmt.Printf("  %-12s %7d  %-14.3f %-14.3f\n", label, s.n, s.fRetr/float64(s.n), s.fName/float64(s.n))
	}
	return nil
}

// calibrateSamples prints a few held-out columns of a score band with their best entry.
func calibrateSamples(dir string, lo, hi float64, n int) {
	docs, _ := readDocumented(dir)
	seen := map[string]bool{}
	for _, d := range docs {
		if n == 0 {
			return
		}
		for _, e := range docs {
			if e.column == d.column || seen[d.column] {
				continue
			}
			if s := learn.EntryScore(d.column, e.column); s >= lo && s < hi {
				seen[d.column] = true
				fmt.Printf("%.2f %s <- %s\n   want %q\n   got  %q\n   name %q\n", s, d.column, e.column, d.text, e.text, schema.NameDescription(d.model, d.column))
				n--
				break
			}
		}
	}
}
