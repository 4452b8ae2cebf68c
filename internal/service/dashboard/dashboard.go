// Package dashboard is the service's page for people: recent runs per repository with their
// state and timing, findings by agent and rule, acceptance of proposals over time as an
// inline SVG chart, language-model cost, queue health and dead letters. It is rendered on the
// server from Go templates; its stylesheet is embedded, nothing loads from elsewhere. Every
// request must carry the configured bearer token or basic-auth pair.
package dashboard

import (
	"context"
	"crypto/subtle"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/service"
)

//go:embed assets
var assets embed.FS

//go:embed page.html
var pageHTML string

// Auth is who may see the page: a bearer token, a user and password, or both.
type Auth struct {
	Token          string
	User, Password string
}

func (a Auth) allows(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok && a.Token != "" {
		return subtle.ConstantTimeCompare([]byte(tok), []byte(a.Token)) == 1
	}
	if u, p, ok := r.BasicAuth(); ok && a.User != "" && a.Password != "" {
		uok := subtle.ConstantTimeCompare([]byte(u), []byte(a.User))
		pok := subtle.ConstantTimeCompare([]byte(p), []byte(a.Password))
		return uok&pok == 1
	}
	return false
}

// New returns the dashboard's handler. With an empty Auth every request is refused: the page
// is never open by accident.
func New(q *service.Queue, auth Auth) http.Handler {
	tmpl := template.Must(template.New("page").Funcs(template.FuncMap{
		"short": func(s string) string {
			if len(s) > 7 {
				return s[:7]
			}
			return s
		},
		"dur": func(d time.Duration) string { return d.Round(time.Millisecond).String() },
		"ago": func(t time.Time) string { return time.Since(t).Round(time.Second).String() },
	}).Parse(pageHTML))
	static, _ := fs.Sub(assets, "assets")
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		data, err := load(r.Context(), q)
		if err != nil {
			http.Error(w, "the queue cannot be read: Redis unreachable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := tmpl.Execute(w, data); err != nil {
			http.Error(w, "rendering failed", http.StatusInternalServerError)
		}
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !auth.allows(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="dataops"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:")
		w.Header().Set("X-Frame-Options", "DENY")
		mux.ServeHTTP(w, r)
	})
}

type repoRuns struct {
	Repo string
	Runs []service.Run
}

type page struct {
	Now         time.Time
	Health      service.Health
	Repos       []repoRuns
	Findings    []service.RuleCount
	Acceptance  []service.DayAcceptance
	Chart       template.HTML
	Tokens      int64
	CostUSD     string
	DeadLetters []service.DeadLetter
}

func load(ctx context.Context, q *service.Queue) (*page, error) {
	p := &page{Now: time.Now()}
	var err error
	if p.Health, err = q.Health(ctx); err != nil {
		return nil, err
	}
	runs, err := q.Runs(ctx, 200)
	if err != nil {
		return nil, err
	}
	byRepo := map[string][]service.Run{}
	for _, r := range runs {
		byRepo[r.Repo] = append(byRepo[r.Repo], r)
	}
	for repo, rs := range byRepo {
		p.Repos = append(p.Repos, repoRuns{Repo: repo, Runs: rs})
	}
	sort.Slice(p.Repos, func(i, j int) bool { return p.Repos[i].Repo < p.Repos[j].Repo })
	if p.Findings, err = q.FindingTotals(ctx); err != nil {
		return nil, err
	}
	if p.Acceptance, err = q.Acceptance(ctx); err != nil {
		return nil, err
	}
	p.Chart = chart(p.Acceptance)
	var cost float64
	if p.Tokens, cost, err = q.LLM(ctx); err != nil {
		return nil, err
	}
	p.CostUSD = fmt.Sprintf("%.2f", cost)
	if p.DeadLetters, err = q.DeadLetters(ctx, 20); err != nil {
		return nil, err
	}
	return p, nil
}

// chart draws proposals per day as paired bars (proposed, accepted) with the acceptance rate
// above each day: at a glance, whether the team takes what the agents propose.
func chart(days []service.DayAcceptance) template.HTML {
	if len(days) > 30 {
		days = days[len(days)-30:]
	}
	const h, top, bottom, bw = 160, 20, 24, 12
	w := max(40*len(days)+40, 200)
	var most int64 = 1
	for _, d := range days {
		most = max(most, d.Proposed, d.Accepted)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="acceptance-chart" role="img" aria-label="proposals accepted per day" width="%d" height="%d" viewBox="0 0 %d %d">`, w, h, w, h)
	fmt.Fprintf(&b, `<line x1="20" y1="%d" x2="%d" y2="%d" class="axis"/>`, h-bottom, w-10, h-bottom)
	scale := float64(h-top-bottom) / float64(most)
	for i, d := range days {
		x := 30 + 40*i
		ph := int(float64(d.Proposed) * scale)
		ah := int(float64(d.Accepted) * scale)
		fmt.Fprintf(&b, `<rect class="proposed" x="%d" y="%d" width="%d" height="%d"><title>%s: %d proposed</title></rect>`, x, h-bottom-ph, bw, ph, d.Day.Format("2006-01-02"), d.Proposed)
		fmt.Fprintf(&b, `<rect class="accepted" x="%d" y="%d" width="%d" height="%d"><title>%s: %d accepted</title></rect>`, x+bw, h-bottom-ah, bw, ah, d.Day.Format("2006-01-02"), d.Accepted)
		if d.Proposed > 0 {
			fmt.Fprintf(&b, `<text x="%d" y="%d" class="rate">%d%%</text>`, x, h-bottom-max(ph, ah)-4, 100*d.Accepted/d.Proposed)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="day">%s</text>`, x, h-8, d.Day.Format("01-02"))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
