package jinja

import (
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// apiColumn is dbt's Column class as macros reach it (`api.Column`, `adapter.Column`):
// its class methods that name a type for the adapter. Packages write
// `safe_cast(x, api.Column.translate_type("date"))`; a silent stub there would leave
// `cast(x as )` in every model that calls them.
type apiColumn struct{ adapter string }

func (c *apiColumn) String() string { return "Column" }

// columnTypeLabels are each adapter's Column.TYPE_LABELS: the generic names translate_type
// maps to the warehouse's; a name not listed is returned as given.
func columnTypeLabels(adapter string) map[string]string {
	switch adapter {
	case "bigquery":
		return map[string]string{"TEXT": "STRING", "FLOAT": "FLOAT64", "INTEGER": "INT64"}
	case "databricks", "spark":
		return map[string]string{"LONG": "BIGINT"}
	}
	return map[string]string{"STRING": "TEXT", "TIMESTAMP": "TIMESTAMP", "FLOAT": "FLOAT", "INTEGER": "INT", "BOOLEAN": "BOOLEAN", "NUMERIC": "NUMERIC"}
}

func (c *apiColumn) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "translate_type":
		return exec.AsValue(callable(func(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			t, _ := argString(va, 0, "dtype")
			if l, ok := columnTypeLabels(c.adapter)[strings.ToUpper(t)]; ok {
				return exec.AsValue(l)
			}
			return exec.AsValue(t)
		})), true
	case "string_type":
		return exec.AsValue(callable(func(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			size, _ := argString(va, 0, "size")
			switch c.adapter {
			case "bigquery", "databricks", "spark":
				return exec.AsValue("string")
			}
			return exec.AsValue("character varying(" + size + ")")
		})), true
	case "numeric_type":
		return exec.AsValue(callable(func(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			t, _ := argString(va, 0, "dtype")
			p, pok := argValue(va, 1, "precision")
			s, sok := argValue(va, 2, "scale")
			if c.adapter == "bigquery" || !pok || !sok || p.IsNil() || s.IsNil() {
				return exec.AsValue(t)
			}
			return exec.AsValue(t + "(" + p.String() + "," + s.String() + ")")
		})), true
	}
	return exec.AsValue(newStub(&stubInfo{name: "api.Column." + name, quiet: true})), true
}
