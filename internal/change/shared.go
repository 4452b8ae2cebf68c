package change

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// A project in a monorepo may read folders of the repository outside its own directory: its
// dbt_project.yml names them with ".." (model-paths: ["models", "../../sources"]), and the
// loader reads them when they stay inside the repository (internal/dbt confinePaths). A change
// to one of them is a change to the project, and the base must see them as the head does, at
// the same place relative to the project.

// resourcePathKeys are the keys of dbt_project.yml that name folders to read, legacy names
// included.
var resourcePathKeys = []string{"model-paths", "source-paths", "seed-paths", "data-paths", "snapshot-paths",
	"analysis-paths", "macro-paths", "test-paths", "docs-paths"}

// sharedDirs returns the folders outside the project, relative to the repository's top and
// slash-separated, that the resource paths of the project's dbt_project.yml reach in any of
// versions (a commit, or "" for the work tree). A path that leaves the repository, is
// absolute, is rendered by Jinja or names a .git directory is left out, as the loader leaves
// it out.
func (r *Repo) sharedDirs(ctx context.Context, versions ...string) []string {
	if r.Prefix == "" {
		return nil // the project is the whole repository: nothing inside it is outside
	}
	var out []string
	for _, v := range versions {
		var data []byte
		if v == "" {
			b, err := os.ReadFile(filepath.Join(r.Top, filepath.FromSlash(r.Prefix), "dbt_project.yml"))
			if err != nil {
				continue
			}
			data = b
		} else {
			b, ok, err := r.ReadBlob(ctx, v, path.Join(r.Prefix, "dbt_project.yml"))
			if err != nil || !ok {
				continue
			}
			data = b
		}
		for _, d := range sharedDirsOf(r.Prefix, data) {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	slices.Sort(out)
	return out
}

// sharedDirsOf reads the resource paths of one dbt_project.yml of the project at prefix.
func sharedDirsOf(prefix string, data []byte) []string {
	var doc map[string]any
	if yamllimit.Unmarshal(data, &doc) != nil {
		return nil
	}
	var out []string
	for _, k := range resourcePathKeys {
		var list []any
		switch v := doc[k].(type) {
		case []any:
			list = v
		case string:
			list = []any{v}
		}
		for _, e := range list {
			p, ok := e.(string)
			if !ok || p == "" || strings.Contains(p, "{") || path.IsAbs(p) || filepath.IsAbs(p) {
				continue
			}
			top := path.Join(prefix, filepath.ToSlash(p))
			if top == "." || top == ".." || strings.HasPrefix(top, "../") || top == prefix || strings.HasPrefix(top, prefix+"/") {
				continue // beyond the repository, or inside the project
			}
			if slices.ContainsFunc(strings.Split(top, "/"), func(c string) bool { return strings.EqualFold(c, ".git") }) {
				continue
			}
			out = append(out, top)
		}
	}
	return out
}

// pathspecs are the git pathspecs (from the repository's top) of the project and the shared
// folders it reads.
func (r *Repo) pathspecs() []string {
	var out []string
	if r.Prefix != "" {
		out = append(out, ":(top,literal)"+r.Prefix+"/")
	}
	for _, d := range r.Shared {
		out = append(out, ":(top,literal)"+d+"/")
	}
	return out
}

// projectRel turns a path relative to the repository's top into one relative to the project
// ("../../sources/x.yml" for a shared folder's file), as the loader names the file.
func (r *Repo) projectRel(top string) string {
	if r.Prefix == "" {
		return top
	}
	if rest, ok := strings.CutPrefix(top, r.Prefix+"/"); ok {
		return rest
	}
	rel, err := filepath.Rel(filepath.FromSlash("/"+r.Prefix), filepath.FromSlash("/"+top))
	if err != nil {
		return top
	}
	return filepath.ToSlash(rel)
}

// inProject reports whether top (relative to the repository's top) is in the project directory,
// as its pathspec (pathspecs) selects it.
func (r *Repo) inProject(top string) bool {
	return r.Prefix == "" || strings.HasPrefix(top, r.Prefix+"/")
}

// inShared reports whether top (relative to the repository's top) is in a shared folder.
func (r *Repo) inShared(top string) bool {
	for _, d := range r.Shared {
		if strings.HasPrefix(top, d+"/") {
			return true
		}
	}
	return false
}
