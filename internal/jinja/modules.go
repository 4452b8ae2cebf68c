package jinja

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// modulesNS is dbt's `modules`: the parts of Python's datetime, re, itertools and pytz that
// dbt projects use, implemented in Go. Nothing else of Python is reachable.
var modulesNS = map[string]any{
	"datetime":  datetimeModule,
	"re":        reModule,
	"itertools": itertoolsModule,
	"pytz":      pytzModule,
	"time": map[string]any{"time": callable(func(ev *exec.Evaluator, _ *exec.VarArgs) *exec.Value {
		return exec.AsValue(float64(clockRead(ev).Unix()))
	})},
}

// clockRead is the time now, noted on the render that asked for it (Result.ReadClock): only a
// render that read it is rendered again on the next run.
func clockRead(ev *exec.Evaluator) time.Time {
	if st := stateOfEval(ev); st != nil {
		st.readClock = true
	}
	return time.Now()
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

func isTime(v *exec.Value) bool {
	switch v.Interface().(type) {
	case *pyDatetime, *pyTimedelta:
		return true
	}
	return false
}

// timeArith is Python's arithmetic of dates and durations (sign 1 for +, -1 for -):
// datetime ± timedelta, timedelta + datetime, datetime - datetime, timedelta ± timedelta.
// A date moves by whole days only, as Python's does.
func timeArith(l, r *exec.Value, sign time.Duration) (*exec.Value, bool) {
	ld, _ := l.Interface().(*pyDatetime)
	lt, _ := l.Interface().(*pyTimedelta)
	rd, _ := r.Interface().(*pyDatetime)
	rt, _ := r.Interface().(*pyTimedelta)
	shift := func(d *pyDatetime, by time.Duration) *exec.Value {
		if d.dateOnly {
			days := by / (24 * time.Hour)
			if by%(24*time.Hour) < 0 {
				days-- // Python's timedelta floors: -1 hour is -1 day and 23 hours
			}
			return exec.AsValue(&pyDatetime{t: d.t.AddDate(0, 0, int(days)), dateOnly: true})
		}
		return exec.AsValue(&pyDatetime{t: d.t.Add(by)})
	}
	switch {
	case ld != nil && rt != nil:
		return shift(ld, sign*rt.d), true
	case lt != nil && rd != nil && sign > 0:
		return shift(rd, lt.d), true
	case ld != nil && rd != nil && sign < 0:
		return exec.AsValue(&pyTimedelta{d: ld.t.Sub(rd.t)}), true
	case lt != nil && rt != nil:
		return exec.AsValue(&pyTimedelta{d: lt.d + sign*rt.d}), true
	}
	return nil, false
}

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
	"now": callable(func(ev *exec.Evaluator, _ *exec.VarArgs) *exec.Value {
		return exec.AsValue(&pyDatetime{t: clockRead(ev).In(naiveLoc)})
	}),
	"utcnow": callable(func(ev *exec.Evaluator, _ *exec.VarArgs) *exec.Value {
		return exec.AsValue(&pyDatetime{t: clockRead(ev).UTC().In(naiveLoc)})
	}),
	"today": callable(func(ev *exec.Evaluator, _ *exec.VarArgs) *exec.Value {
		return exec.AsValue(&pyDatetime{t: clockRead(ev).In(naiveLoc)})
	}),
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
	"today": callable(func(ev *exec.Evaluator, _ *exec.VarArgs) *exec.Value {
		n := clockRead(ev)
		return exec.AsValue(&pyDatetime{t: time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, naiveLoc), dateOnly: true})
	}),
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

// ---- itertools ----------------------------------------------------------------------------

var itertoolsModule = moduleObj{
	"chain": func(va *exec.VarArgs) *exec.Value {
		out := []any{}
		for _, a := range va.Args {
			out = append(out, toList(a)...)
			if len(out) > DefaultLimits.MaxRangeItems {
				return exec.AsValue(errTooBig)
			}
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
