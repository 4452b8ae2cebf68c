package lint

import (
	"regexp"
	"sync"
)

var regexCache sync.Map

// compileCached compiles a user regular expression once; an invalid one matches nothing.
func compileCached(expr string) *regexp.Regexp {
	if expr == "" {
		return nil
	}
	if v, ok := regexCache.Load(expr); ok {
		rx, _ := v.(*regexp.Regexp)
		return rx
	}
	rx, err := regexp.Compile(expr)
	if err != nil {
		rx = nil
	}
	regexCache.Store(expr, rx)
	return rx
}

// Regexp compiles a user regular expression once (nil when invalid).
func Regexp(expr string) *regexp.Regexp { return compileCached(expr) }
