package dbt

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestGuessAdapter(t *testing.T) {
	cases := []struct {
		name      string
		files     map[string]string
		project   string // under the repository root
		want      string
		wantFrom  string
		underRoot bool // the repository root is given
	}{
		{"requirements", map[string]string{"requirements.txt": "dbt-core==1.8.8\ndbt-postgres==1.8.2\npsycopg2-binary<3\n"}, ".", "postgres", "requirements.txt", false},
		{"duckdb beside the warehouse", map[string]string{"pyproject.toml": "[project]\ndependencies = [\"dbt-snowflake>=1.7\", \"dbt-duckdb\"]\n"}, ".", "snowflake", "pyproject.toml", false},
		{"duckdb alone", map[string]string{"Pipfile": "[packages]\ndbt-duckdb = \"*\"\n"}, ".", "duckdb", "Pipfile", false},
		{"not adapters", map[string]string{"requirements.txt": "dbt-core\ndbt-utils\ndbt-postgresql-helper\nsqlfluff-templater-dbt\n"}, ".", "", "", false},
		{"a tie is no answer", map[string]string{"requirements.txt": "dbt-snowflake\ndbt-bigquery\n"}, ".", "", "", false},
		{"the most files win", map[string]string{"requirements.txt": "dbt-snowflake\ndbt-bigquery\n", "Dockerfile": "RUN pip install dbt-bigquery\n"}, ".", "bigquery", "Dockerfile, requirements.txt", false},
		{"starburst is trino", map[string]string{"requirements-dev.txt": "dbt-starburst==1.0\n"}, ".", "trino", "requirements-dev.txt", false},
		{"up to the repository root", map[string]string{"requirements.txt": "dbt-redshift\n", ".github/workflows/ci.yml": "run: pip install dbt-redshift\n", "transform/dbt_project.yml": "name: x\n"}, "transform", "redshift", "../.github/workflows/ci.yml, ../requirements.txt", true},
		{"a profiles template that is not YAML", map[string]string{"profiles.yml": "p:\n  outputs:\n    dev:\n      project: <TODO: fill in>\n      type: bigquery # the warehouse\n"}, ".", "bigquery", "profiles.yml", false},
		{"the profile's type beside a requirements file", map[string]string{"profiles.yml": "p:\n  outputs:\n    dev:\n      type: 'snowflake'\n", "requirements.txt": "dbt-snowflake\n"}, ".", "snowflake", "profiles.yml, requirements.txt", false},
		{"dbt init's profile template", map[string]string{"profile_template.yml": "fixed:\n  type: snowflake\n  threads: 8\nprompts:\n  user:\n    type: string\n"}, ".", "snowflake", "profile_template.yml", false},
		{"not above the project without a root", map[string]string{"requirements.txt": "dbt-redshift\n", "transform/dbt_project.yml": "name: x\n"}, "transform", "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := writeProject(t, c.files)
			r := ""
			if c.underRoot {
				r = root
			}
			got, from := GuessAdapter(filepath.Join(root, c.project), r)
			if got != c.want || from != c.wantFrom {
				t.Errorf("GuessAdapter = %q from %q, want %q from %q", got, from, c.want, c.wantFrom)
			}
		})
	}
	// A FIFO or a link where a requirements file would be is not read (reading a FIFO blocks).
	root := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(root, "requirements.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(writeProject(t, map[string]string{"reqs": "dbt-snowflake\n"}), "reqs")
	if err := os.Symlink(outside, filepath.Join(root, "Pipfile")); err != nil {
		t.Fatal(err)
	}
	if got, from := GuessAdapter(root, ""); got != "" {
		t.Errorf("through a FIFO and a link: %q from %q", got, from)
	}
}
