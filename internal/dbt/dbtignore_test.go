package dbt

import "testing"

func TestIgnorePatterns(t *testing.T) {
	ig := parseIgnore("# scripts beside the models\n**.py\n\nmodels/wip/\n/analyses/*.sql\n!analyses/keep.sql\ntmp_*\nmodels/**/scratch\n")
	cases := map[string]bool{
		"models/x/code/crawler.py": true,
		"crawler.py":               true,
		"models/x/a.sql":           false,
		"models/wip/a.sql":         true,
		"models/wip/deep/b.yml":    true,
		"models/other/wip.sql":     false,
		"analyses/a.sql":           true,
		"analyses/keep.sql":        false,
		"analyses/sub/a.sql":       false,
		"models/tmp_orders.sql":    true,
		"models/tmp_dir/a.sql":     true,
		"models/scratch/a.sql":     true,
		"models/a/b/scratch/c.sql": true,
		"models/a/scratchpad.sql":  false,
	}
	for rel, want := range cases {
		if got := ig.Ignored(rel); got != want {
			t.Errorf("Ignored(%q) = %v, want %v", rel, got, want)
		}
	}
	if parseIgnore("# only a comment\n\n") != nil {
		t.Error("a file of comments ignores something")
	}
	var none *ignoreFile
	if none.Ignored("models/a.sql") {
		t.Error("no .dbtignore ignores a file")
	}
}

// A project's .dbtignore keeps helper scripts in a model folder out of the project, as dbt does:
// a Python file named like a SQL model is no second resource of that name.
func TestDbtignoreLeavesFilesOut(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml":        "name: p\nprofile: none\n",
		".dbtignore":             "**.py\nmodels/wip\n",
		"models/columns.sql":     "select 1 as id",
		"models/code/columns.py": "import requests\n",
		"models/wip/draft.sql":   "select * from {{ ref('nowhere') }}",
		"models/wip_not/b.sql":   "select 2 as id",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.Nodes["model.p.columns"] == nil || p.Nodes["model.p.draft"] != nil || p.Nodes["model.p.b"] == nil {
		t.Errorf("nodes = %v", keys(p.Nodes))
	}
	for _, d := range p.Diagnostics {
		t.Errorf("diagnostic %+v", d)
	}
}
