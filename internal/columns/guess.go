package columns

import (
	"slices"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// guessDialect names the warehouse a project targets when no profile says so (the loader then
// defaults to DuckDB): reading Snowflake SQL with DuckDB's lexer turns `//` comments and
// `v:field` paths into parse errors. The evidence, strongest first: a profile named after an
// adapter, adapter-specific model configs, then SQL written in one dialect only, of the root
// project's own models: installed packages are written for many warehouses (Fivetran's set
// file_format for Databricks on every adapter), so their configs say nothing of this one, and a
// wrong guess reads the loader's double-quoted relations as Databricks strings. It returns ""
// when nothing points anywhere.
func guessDialect(p *dbt.Project) string {
	if p.Target != nil && p.Target.File != "" || p.AdapterFrom != "" {
		return "" // the profile said it, or the adapter the repository installs
	}
	adapters := []string{"snowflake", "bigquery", "redshift", "postgres", "databricks", "spark", "trino", "duckdb", "sqlserver", "fabric", "synapse"}
	prof := strings.ToLower(p.Profile)
	for _, a := range adapters {
		if prof == a || strings.HasPrefix(prof, a+"_") || strings.HasSuffix(prof, "_"+a) {
			return a
		}
	}
	score := map[string]int{}
	seen := 0
	for _, n := range p.Nodes {
		if n.ResourceType != dbt.Model || n.Disabled || n.Package != p.Name {
			continue
		}
		for k := range n.Config {
			switch k {
			case "snowflake_warehouse", "transient", "copy_grants", "secure", "automatic_clustering":
				score["snowflake"] += 3
			case "require_partition_filter", "partition_expiration_days", "labels", "kms_key_name":
				score["bigquery"] += 3
			case "dist", "sort", "sort_type", "bind":
				score["redshift"] += 3
			case "location_root", "liquid_clustered_by", "tblproperties":
				score["databricks"] += 3
			case "file_format":
				// Only Databricks' own formats: multi-warehouse packages set file_format on
				// every adapter (Fivetran: 'delta' on Databricks, else 'parquet').
				if f, _ := n.Config[k].(string); slices.Contains([]string{"delta", "iceberg", "hudi"}, strings.ToLower(f)) {
					score["databricks"] += 3
				}
			}
		}
		if seen < 400 {
			seen++
			sqlSignals(n.RawCode, score)
		}
	}
	best, bestScore := "", 0
	for a, s := range score {
		if s > bestScore || s == bestScore && a < best {
			best, bestScore = a, s
		}
	}
	if bestScore < 3 {
		return ""
	}
	return best
}

// sqlSignals counts constructs only one family of dialects writes.
func sqlSignals(src string, score map[string]int) {
	l := strings.ToLower(src)
	for _, s := range []string{"iff(", "flatten(", "try_to_", "::variant", "to_varchar(", "div0(", "zeroifnull(", "array_construct(", "object_construct(", "parse_json("} {
		if strings.Contains(l, s) {
			score["snowflake"]++
		}
	}
	for _, s := range []string{"safe_cast(", "safe_divide(", "format_date(", "timestamp_diff(", "farm_fingerprint(", "`"} {
		if strings.Contains(l, s) {
			score["bigquery"]++
		}
	}
	for _, s := range []string{"cross apply", "outer apply", "getdate()", "sysdatetime()", "try_convert(", "datalength(", "(nolock)", "for xml path", "maxrecursion", "newid()", "select top ", "iif("} {
		if strings.Contains(l, s) {
			score["sqlserver"]++
		}
	}
}
