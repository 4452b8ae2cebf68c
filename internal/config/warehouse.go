package config

// Warehouse says where seeds, builds, tests and profiling run.
type Warehouse struct {
	// Type is the engine: "" takes the dbt profile's adapter when it is one we run, else duckdb.
	Type string `yaml:"type"`
	// DSN is a connection string (PostgreSQL URL); for DuckDB, Path is used instead.
	DSN string `yaml:"dsn"`
	// Path is the DuckDB database file ("" = in memory).
	Path string `yaml:"path" default:".dataops/warehouse.duckdb"`
	// Schema to build into; "" takes the profile target's schema.
	Schema  string `yaml:"schema"`
	Threads int    `yaml:"threads" default:"4"`
	// AllowQueries lets templates call run_query and other warehouse calls while rendering.
	// Off by default: rendering a pull request's Jinja must never reach the warehouse.
	AllowQueries bool `yaml:"allow_queries"`
}

func (w *Warehouse) validate() error {
	return oneOf("type", w.Type, "duckdb", "postgres")
}
