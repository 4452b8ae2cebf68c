package jinja

import (
	"strings"
	"testing"
)

// api.Column's class methods name types as each adapter's Column class does.
func TestAPIColumnTypes(t *testing.T) {
	src := `{{ api.Column.translate_type("date") }}|{{ api.Column.translate_type("string") }}|{{ adapter.Column.translate_type("integer") }}|{{ api.Column.string_type(16) }}|{{ api.Column.numeric_type("numeric", 12, 2) }}|{{ api.Column.numeric_type("numeric", none, none) }}`
	for adapter, want := range map[string]string{
		"postgres": "date|TEXT|INT|character varying(16)|numeric(12,2)|numeric",
		"bigquery": "date|string|INT64|string|numeric|numeric",
		"spark":    "date|string|integer|string|numeric(12,2)|numeric",
	} {
		env := testEnv(t, func(o *Options) { o.Adapter = adapter })
		res := render(t, env, src)
		if got := strings.TrimSpace(res.Output); got != want {
			t.Errorf("%s: %q, want %q", adapter, got, want)
		}
	}
}
