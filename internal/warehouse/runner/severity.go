package runner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

var reCondition = lazyregexp.New(`^\s*(!=|==|=|>=|<=|>|<)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$`)

// condition evaluates dbt's warn_if / error_if ("!=0", ">10", "=0", ...) against a count.
func condition(expr string, failures int64) (bool, error) {
	m := reCondition.FindStringSubmatch(expr)
	if m == nil {
		return false, fmt.Errorf("cannot read condition %q (expected e.g. \"!=0\" or \">10\")", expr)
	}
	n, _ := strconv.ParseFloat(m[2], 64)
	f := float64(failures)
	switch m[1] {
	case "!=":
		return f != n, nil
	case "==", "=":
		return f == n, nil
	case ">=":
		return f >= n, nil
	case "<=":
		return f <= n, nil
	case ">":
		return f > n, nil
	}
	return f < n, nil
}

// testStatus applies a test's severity, error_if and warn_if to its failure count, as dbt
// does: with severity error, error_if decides a failure and warn_if a warning; with severity
// warn, only warn_if counts.
func testStatus(cfg map[string]any, failures int64) (status string, err error) {
	severity := strings.ToLower(configString(cfg, "severity"))
	if severity == "" {
		severity = "error"
	}
	if severity != "error" && severity != "warn" {
		return "", fmt.Errorf("severity %q is neither error nor warn", severity)
	}
	errorIf := configString(cfg, "error_if")
	if errorIf == "" {
		errorIf = "!=0"
	}
	warnIf := configString(cfg, "warn_if")
	if warnIf == "" {
		warnIf = "!=0"
	}
	if severity == "error" {
		bad, err := condition(errorIf, failures)
		if err != nil {
			return "", fmt.Errorf("error_if: %w", err)
		}
		if bad {
			return StatusFail, nil
		}
	}
	warn, err := condition(warnIf, failures)
	if err != nil {
		return "", fmt.Errorf("warn_if: %w", err)
	}
	if warn {
		return StatusWarn, nil
	}
	return StatusPass, nil
}
