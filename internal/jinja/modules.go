package jinja

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/nikolalohinski/gonja/v2/exec"
)

// modulesNS is dbt's `modules`: the parts of Python's datetime, re, itertools and pytz that
// dbt projects use, implemented in Go. Nothing else of Python is reachable.
var modulesNS = map[string]any{
	"datetime":  datetimeModule,
	"re":        reModule,
	"itertools": itertoolsModule,
	"pytz":      pytzModule,
	"time":      map[string]any{"time": callable(func(*exec.Evaluator, *exec.VarArgs) *exec.Value { return exec.AsValue(float64(time.Now().Unix())) })},
}

// ---- datetime -----------------------------------------------------------------------------

// pyDatetime is a datetime.datetime (or date, when dateOnly) with the methods templates call.
type pyDatetime struct {
	t        time.Time
	dateOnly bool
}

func (d *pyDatetime) String() string {
	if d.dateOnly {
		return d.t.Format("2006-01-02")
	}
	s := d.t.Format("2006-01-02 15:04:05")
	if us := d.t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	if d.t.Location() != time.Local && d.t.Location().String() != "" && !d.naive() {
		s += d.t.Format("-07:00")
	}
	return s
}

func (d *pyDatetime) naive() bool { return d.t.Location() == naiveLoc }

// naiveLoc marks datetimes made without a timezone (Python's naive datetimes).
var naiveLoc = time.FixedZone("", 0)

func (d *pyDatetime) GetAttribute(name string) (*exec.Value, bool) {
	t := d.t
	fn := func(f func(va *exec.VarArgs) *exec.Value) (*exec.Value, bool) {
		return exec.AsValue(func(va *exec.VarArgs) *exec.Value { return f(va) }), true
	}
	switch name {
	case "year":
		return exec.AsValue(t.Year()), true
	case "month":
		return exec.AsValue(int(t.Month())), true
	case "day":
		return exec.AsValue(t.Day()), true
	case "hour":
		return exec.AsValue(t.Hour()), true
	case "minute":
		return exec.AsValue(t.Minute()), true
	case "second":
		return exec.AsValue(t.Second()), true
	case "microsecond":
		return exec.AsValue(t.Nanosecond() / 1000), true
	case "tzinfo":
		if d.naive() {
			return exec.AsValue(nil), true
		}
		return exec.AsValue(t.Location().String()), true
	case "strftime":
		return fn(func(va *exec.VarArgs) *exec.Value {
			f, _ := argString(va, 0, "format")
			return exec.AsValue(strftime(t, f))
		})
	case "isoformat":
		return fn(func(va *exec.VarArgs) *exec.Value {
			sep, ok := argString(va, 0, "sep")
			if !ok {
				sep = "T"
			}
			if d.dateOnly {
				return exec.AsValue(t.Format("2006-01-02"))
			}
			s := t.Format("2006-01-02") + sep + t.Format("15:04:05")
			if us := t.Nanosecond() / 1000; us != 0 {
				s += fmt.Sprintf(".%06d", us)
			}
			if !d.naive() {
				s += t.Format("-07:00")
			}
			return exec.AsValue(s)
		})
	case "date":
		return fn(func(*exec.VarArgs) *exec.Value {
			return exec.AsValue(&pyDatetime{t: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location()), dateOnly: true})
		})
	case "timestamp":
		return fn(func(*exec.VarArgs) *exec.Value { return exec.AsValue(float64(t.UnixNano()) / 1e9) })
	case "weekday":
		return fn(func(*exec.VarArgs) *exec.Value { return exec.AsValue((int(t.Weekday()) + 6) % 7) })
	case "isoweekday":
		return fn(func(*exec.VarArgs) *exec.Value { return exec.AsValue((int(t.Weekday())+6)%7 + 1) })
	case "astimezone", "replace":
		return fn(func(va *exec.VarArgs) *exec.Value {
			nt := t
			if name == "replace" {
				y, mo, dd := nt.Date()
				h, mi, s := nt.Clock()
				get := func(k string, v int) int {
					if x, ok := va.KwArgs[k]; ok {
						return x.Integer()
					}
					return v
				}
				nt = time.Date(get("year", y), time.Month(get("month", int(mo))), get("day", dd),
					get("hour", h), get("minute", mi), get("second", s), get("microsecond", nt.Nanosecond()/1000)*1000, nt.Location())
			}
			return exec.AsValue(&pyDatetime{t: nt, dateOnly: d.dateOnly})
		})
	case "__add__", "add":
		return exec.AsValue(nil), false
	}
	return exec.AsValue(nil), false
}

// strftime supports the directives dbt projects use.
func strftime(t time.Time, f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			b.WriteString(fmt.Sprintf("%04d", t.Year()))
		case 'y':
			b.WriteString(fmt.Sprintf("%02d", t.Year()%100))
		case 'm':
			b.WriteString(fmt.Sprintf("%02d", int(t.Month())))
		case 'd':
			b.WriteString(fmt.Sprintf("%02d", t.Day()))
		case 'H':
			b.WriteString(fmt.Sprintf("%02d", t.Hour()))
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(fmt.Sprintf("%02d", h))
		case 'M':
			b.WriteString(fmt.Sprintf("%02d", t.Minute()))
		case 'S':
			b.WriteString(fmt.Sprintf("%02d", t.Second()))
		case 'f':
			b.WriteString(fmt.Sprintf("%06d", t.Nanosecond()/1000))
		case 'j':
			b.WriteString(fmt.Sprintf("%03d", t.YearDay()))
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'A':
			b.WriteString(t.Weekday().String())
		case 'a':
			b.WriteString(t.Weekday().String()[:3])
		case 'B':
			b.WriteString(t.Month().String())
		case 'b':
			b.WriteString(t.Month().String()[:3])
		case 'Z':
			if t.Location() != naiveLoc {
				b.WriteString(t.Format("MST"))
			}
		case 'z':
			if t.Location() != naiveLoc {
				b.WriteString(t.Format("-0700"))
			}
		case 's':
			b.WriteString(fmt.Sprint(t.Unix()))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

type pyTimedelta struct{ d time.Duration }

func (td *pyTimedelta) String() string { return td.d.String() }

func (td *pyTimedelta) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "days":
		return exec.AsValue(int(td.d / (24 * time.Hour))), true
	case "seconds":
		return exec.AsValue(int((td.d % (24 * time.Hour)) / time.Second)), true
	case "total_seconds":
		return exec.AsValue(func(*exec.VarArgs) *exec.Value { return exec.AsValue(td.d.Seconds()) }), true
	}
	return exec.AsValue(nil), false
}

func datetimeArgs(va *exec.VarArgs) time.Time {
	get := func(i int, k string, def int) int {
		if v, ok := argValue(va, i, k); ok {
			return v.Integer()
		}
		return def
	}
	return time.Date(get(0, "year", 1970), time.Month(get(1, "month", 1)), get(2, "day", 1),
		get(3, "hour", 0), get(4, "minute", 0), get(5, "second", 0), get(6, "microsecond", 0)*1000, naiveLoc)
}

type moduleObj map[string]any

var datetimeClass = moduleObj{
	"now": func(va *exec.VarArgs) *exec.Value {
		return exec.AsValue(&pyDatetime{t: time.Now().In(naiveLoc)})
	},
	"utcnow": func(*exec.VarArgs) *exec.Value {
		return exec.AsValue(&pyDatetime{t: time.Now().UTC().In(naiveLoc)})
	},
	"today": func(*exec.VarArgs) *exec.Value {
		return exec.AsValue(&pyDatetime{t: time.Now().In(naiveLoc)})
	},
	"strptime": func(va *exec.VarArgs) *exec.Value {
		s, _ := argString(va, 0, "date_string")
		f, _ := argString(va, 1, "format")
		t, err := strptime(s, f)
		if err != nil {
			return exec.AsValue(err)
		}
		return exec.AsValue(&pyDatetime{t: t})
	},
	"fromisoformat": func(va *exec.VarArgs) *exec.Value {
		s, _ := argString(va, 0, "date_string")
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
			if t, err := time.ParseInLocation(layout, s, naiveLoc); err == nil {
				return exec.AsValue(&pyDatetime{t: t})
			}
		}
		return exec.AsValue(fmt.Errorf("invalid isoformat string: %q", s))
	},
}

var dateClass = moduleObj{
	"today": func(*exec.VarArgs) *exec.Value {
		n := time.Now()
		return exec.AsValue(&pyDatetime{t: time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, naiveLoc), dateOnly: true})
	},
}

func (m moduleObj) String() string { return "module" }

func (m moduleObj) GetAttribute(name string) (*exec.Value, bool) {
	if v, ok := m[name]; ok {
		return exec.AsValue(v), true
	}
	return exec.AsValue(nil), false
}

var datetimeModule = moduleObj{
	"datetime": datetimeCtor(func(va *exec.VarArgs) *exec.Value { return exec.AsValue(&pyDatetime{t: datetimeArgs(va)}) }),
	"date": dateCtor(func(va *exec.VarArgs) *exec.Value {
		return exec.AsValue(&pyDatetime{t: datetimeArgs(va), dateOnly: true})
	}),
	"timedelta": func(va *exec.VarArgs) *exec.Value {
		var d time.Duration
		unit := map[string]time.Duration{"weeks": 7 * 24 * time.Hour, "days": 24 * time.Hour, "hours": time.Hour,
			"minutes": time.Minute, "seconds": time.Second, "milliseconds": time.Millisecond, "microseconds": time.Microsecond}
		if len(va.Args) > 0 {
			d += time.Duration(va.Args[0].Float() * float64(24*time.Hour))
		}
		for k, u := range unit {
			if v, ok := va.KwArgs[k]; ok {
				d += time.Duration(v.Float() * float64(u))
			}
		}
		return exec.AsValue(&pyTimedelta{d: d})
	},
	"timezone": moduleObj{"utc": "UTC"},
}

// datetimeCtor and dateCtor are Python classes: callable as constructors
// (datetime.datetime(2024, 1, 1)) and with class attributes (datetime.datetime.now()). gonja
// calls values of function kind only, hence function types with methods.
type datetimeCtor func(*exec.VarArgs) *exec.Value

func (datetimeCtor) String() string { return "datetime" }
func (datetimeCtor) GetAttribute(name string) (*exec.Value, bool) {
	return datetimeClass.GetAttribute(name)
}

type dateCtor func(*exec.VarArgs) *exec.Value

func (dateCtor) String() string { return "date" }
func (dateCtor) GetAttribute(name string) (*exec.Value, bool) {
	return dateClass.GetAttribute(name)
}

var pytzModule = moduleObj{
	"utc": "UTC",
	"timezone": func(va *exec.VarArgs) *exec.Value {
		s, _ := argString(va, 0, "zone")
		return exec.AsValue(s)
	},
}

func strptime(s, f string) (time.Time, error) {
	repl := map[byte]string{'Y': "2006", 'm': "01", 'd': "02", 'H': "15", 'M': "04", 'S': "05", 'y': "06",
		'f': "000000", 'b': "Jan", 'B': "January", 'z': "-0700", 'Z': "MST", 'p': "PM", 'I': "03", 'j': "002"}
	var layout strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] == '%' && i+1 < len(f) {
			if r, ok := repl[f[i+1]]; ok {
				layout.WriteString(r)
				i++
				continue
			}
		}
		layout.WriteByte(f[i])
	}
	return time.ParseInLocation(layout.String(), s, naiveLoc)
}

// ---- re -----------------------------------------------------------------------------------

// reModule is a safe subset of Python's re on Go's regexp (linear time, so a hostile pattern
// cannot hang a render). Python-only syntax (lookarounds, backreferences) is reported as an
// error by the compile step.
var reModule = moduleObj{
	"IGNORECASE": 2, "I": 2, "MULTILINE": 8, "M": 8, "DOTALL": 16, "S": 16, "VERBOSE": 64, "X": 64,
	"compile": func(va *exec.VarArgs) *exec.Value {
		re, err := reCompile(va, 0, 1)
		if err != nil {
			return exec.AsValue(err)
		}
		return exec.AsValue(&pyRegex{re: re})
	},
	"match":     func(va *exec.VarArgs) *exec.Value { return reCall(va, "match") },
	"search":    func(va *exec.VarArgs) *exec.Value { return reCall(va, "search") },
	"fullmatch": func(va *exec.VarArgs) *exec.Value { return reCall(va, "fullmatch") },
	"findall":   func(va *exec.VarArgs) *exec.Value { return reCall(va, "findall") },
	"sub":       func(va *exec.VarArgs) *exec.Value { return reCall(va, "sub") },
	"split":     func(va *exec.VarArgs) *exec.Value { return reCall(va, "split") },
	"escape": func(va *exec.VarArgs) *exec.Value {
		s, _ := argString(va, 0, "pattern")
		return exec.AsValue(regexp.QuoteMeta(s))
	},
}

func reCompile(va *exec.VarArgs, patIdx, flagIdx int) (*regexp.Regexp, error) {
	p, _ := argValue(va, patIdx, "pattern")
	if p == nil {
		return nil, errors.New("re: missing pattern")
	}
	if r, ok := p.Interface().(*pyRegex); ok {
		return r.re, nil
	}
	pat := p.String()
	flags := 0
	if f, ok := argValue(va, flagIdx, "flags"); ok {
		flags = f.Integer()
	}
	prefix := ""
	if flags&2 != 0 {
		prefix += "i"
	}
	if flags&8 != 0 {
		prefix += "m"
	}
	if flags&16 != 0 {
		prefix += "s"
	}
	if prefix != "" {
		pat = "(?" + prefix + ")" + pat
	}
	if len(pat) > 10000 {
		return nil, errors.New("re: pattern too long")
	}
	return regexp.Compile(pat)
}

// reCall runs re.<op>(pattern, string, ...) with Python's argument order.
func reCall(va *exec.VarArgs, op string) *exec.Value {
	switch op {
	case "sub":
		re, err := reCompile(va, 0, 4)
		if err != nil {
			return exec.AsValue(err)
		}
		repl, _ := argString(va, 1, "repl")
		s, _ := argString(va, 2, "string")
		return regexSub(re, repl, s)
	default:
		re, err := reCompile(va, 0, 2)
		if err != nil {
			return exec.AsValue(err)
		}
		s, _ := argString(va, 1, "string")
		return regexOp(re, op, s)
	}
}

var pyGroupRef = regexp.MustCompile(`\\(\d+)`)

func regexSub(re *regexp.Regexp, repl, s string) *exec.Value {
	// Python writes group references as \1; Go as ${1}.
	goRepl := pyGroupRef.ReplaceAllString(strings.ReplaceAll(repl, "$", "$$"), "$${$1}")
	out := re.ReplaceAllString(s, goRepl)
	if len(out) > DefaultLimits.MaxOutput {
		return exec.AsValue(errTooBig)
	}
	return exec.AsValue(out)
}

func regexOp(re *regexp.Regexp, op, s string) *exec.Value {
	switch op {
	case "match", "fullmatch", "search":
		loc := re.FindStringSubmatchIndex(s)
		if loc == nil || (op != "search" && loc[0] != 0) || (op == "fullmatch" && loc[1] != len(s)) {
			return exec.AsValue(nil)
		}
		return exec.AsValue(&pyMatch{s: s, loc: loc})
	case "findall":
		out := []any{}
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			switch len(m) {
			case 1:
				out = append(out, m[0])
			case 2:
				out = append(out, m[1])
			default:
				g := make([]any, len(m)-1)
				for i, x := range m[1:] {
					g[i] = x
				}
				out = append(out, g)
			}
		}
		return exec.AsValue(&out)
	case "split":
		parts := re.Split(s, -1)
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return exec.AsValue(&out)
	}
	return exec.AsValue(nil)
}

type pyRegex struct{ re *regexp.Regexp }

func (r *pyRegex) String() string { return r.re.String() }

func (r *pyRegex) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "pattern":
		return exec.AsValue(r.re.String()), true
	case "match", "search", "fullmatch", "findall", "split":
		return exec.AsValue(func(va *exec.VarArgs) *exec.Value {
			s, _ := argString(va, 0, "string")
			return regexOp(r.re, name, s)
		}), true
	case "sub":
		return exec.AsValue(func(va *exec.VarArgs) *exec.Value {
			repl, _ := argString(va, 0, "repl")
			s, _ := argString(va, 1, "string")
			return regexSub(r.re, repl, s)
		}), true
	}
	return exec.AsValue(nil), false
}

type pyMatch struct {
	s   string
	loc []int
}

func (m *pyMatch) String() string { return m.s[m.loc[0]:m.loc[1]] }

func (m *pyMatch) group(i int) any {
	if i < 0 || 2*i+1 >= len(m.loc) || m.loc[2*i] < 0 {
		return nil
	}
	return m.s[m.loc[2*i]:m.loc[2*i+1]]
}

func (m *pyMatch) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "group":
		return exec.AsValue(func(va *exec.VarArgs) *exec.Value {
			if len(va.Args) == 0 {
				return exec.AsValue(m.group(0))
			}
			return exec.AsValue(m.group(va.Args[0].Integer()))
		}), true
	case "groups":
		return exec.AsValue(func(*exec.VarArgs) *exec.Value {
			out := []any{}
			for i := 1; 2*i < len(m.loc); i++ {
				out = append(out, m.group(i))
			}
			return exec.AsValue(out)
		}), true
	case "start":
		return exec.AsValue(func(*exec.VarArgs) *exec.Value { return exec.AsValue(m.loc[0]) }), true
	case "end":
		return exec.AsValue(func(*exec.VarArgs) *exec.Value { return exec.AsValue(m.loc[1]) }), true
	}
	return exec.AsValue(nil), false
}

// ---- itertools ----------------------------------------------------------------------------

var itertoolsModule = moduleObj{
	"chain": func(va *exec.VarArgs) *exec.Value {
		out := []any{}
		for _, a := range va.Args {
			out = append(out, toList(a)...)
		}
		return exec.AsValue(&out)
	},
	"product": func(va *exec.VarArgs) *exec.Value {
		out := []any{[]any{}}
		for _, a := range va.Args {
			var next []any
			for _, prefix := range out {
				for _, x := range toList(a) {
					p := append(append([]any{}, prefix.([]any)...), x)
					next = append(next, p)
					if len(next) > DefaultLimits.MaxRangeItems {
						return exec.AsValue(errTooBig)
					}
				}
			}
			out = next
		}
		if out == nil {
			out = []any{}
		}
		return exec.AsValue(&out)
	},
	"combinations": func(va *exec.VarArgs) *exec.Value {
		if len(va.Args) < 2 {
			return exec.AsValue(errors.New("combinations() takes 2 arguments"))
		}
		items := toList(va.Args[0])
		r := va.Args[1].Integer()
		out := []any{}
		var rec func(start int, cur []any)
		rec = func(start int, cur []any) {
			if len(out) > DefaultLimits.MaxRangeItems {
				return
			}
			if len(cur) == r {
				out = append(out, append([]any{}, cur...))
				return
			}
			for i := start; i < len(items); i++ {
				rec(i+1, append(cur, items[i]))
			}
		}
		if r >= 0 && r <= len(items) {
			rec(0, nil)
		}
		return exec.AsValue(&out)
	},
}

// ---- json and yaml ------------------------------------------------------------------------

func fromJSONFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	s, _ := argString(va, 0, "string")
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		if def, ok := argValue(va, 1, "default"); ok {
			return def
		}
		return exec.AsValue(nil)
	}
	return exec.AsValue(normalizeJSON(v))
}

func toJSONFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	v, _ := argValue(va, 0, "value")
	b, err := json.Marshal(toGo(v))
	if err != nil {
		if def, ok := argValue(va, 1, "default"); ok {
			return def
		}
		return exec.AsValue(nil)
	}
	return exec.AsValue(string(b))
}

func fromYAMLFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	s, _ := argString(va, 0, "value")
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		if def, ok := argValue(va, 1, "default"); ok {
			return def
		}
		return exec.AsValue(nil)
	}
	return exec.AsValue(normalizeJSON(v))
}

func toYAMLFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	v, _ := argValue(va, 0, "value")
	b, err := yaml.Marshal(toGo(v))
	if err != nil {
		return exec.AsValue(nil)
	}
	return exec.AsValue(string(b))
}

// normalizeJSON turns decoded numbers that are whole into ints and YAML's map keys into
// strings, so templates see what Python would give them.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int(x)) && x < 1<<53 && x > -(1<<53) {
			return int(x)
		}
		return x
	case uint64:
		return int(x)
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeJSON(e)
		}
		return x
	case map[any]any:
		out := make(map[string]any, len(x))
		keys := make([]string, 0, len(x))
		for k, e := range x {
			ks := fmt.Sprint(k)
			keys = append(keys, ks)
			out[ks] = normalizeJSON(e)
		}
		sort.Strings(keys)
		return out
	case []any:
		for i, e := range x {
			x[i] = normalizeJSON(e)
		}
		return x
	}
	return v
}
