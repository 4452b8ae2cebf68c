package cli

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/service"
	"github.com/dataops-dev/dataops/internal/service/dashboard"
)

func init() { register(newServeCmd) }

func newServeCmd(env *Env) *cobra.Command {
	sf := &serviceFlags{}
	var listen string
	var redeliverEvery time.Duration
	cmd := &cobra.Command{
		Use:   "serve --listen ADDR",
		Short: "Run as a GitHub App: receive webhooks, queue reviews on Redis, serve metrics and a dashboard",
		Long: `serve receives the GitHub App's webhooks on POST /webhook (signature checked, deliveries
deduplicated, jobs queued on Redis and answered 202), asks GitHub every --redeliver-every for
the App's failed deliveries and has them sent again, and serves /metrics, /healthz, /readyz
and /dashboard/ (DATAOPS_DASHBOARD_TOKEN as a bearer token, or DATAOPS_DASHBOARD_USER and
DATAOPS_DASHBOARD_PASSWORD for basic auth). With --workers N it also runs N workers;
otherwise run dataops worker next to it, on any machine sharing the Redis.

Settings: GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_PATH,
GITHUB_WEBHOOK_SECRET, GITHUB_API_URL, DATAOPS_REDIS_URL, or a service section in --config.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := setupService(env, sf)
			if err != nil {
				return err
			}
			defer s.queue.Close()
			if s.settings.WebhookSecret == "" {
				return usageError("serve needs the webhook secret (GITHUB_WEBHOOK_SECRET or service.webhook_secret)")
			}
			ctx, cancel := context.WithCancel(env.Ctx)
			defer cancel()
			srv := &http.Server{Addr: listen, Handler: s.handler(env), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
			go service.Redeliver(ctx, s.app, s.queue, s.metrics, s.log, redeliverEvery, 24*time.Hour)
			var workers chan struct{}
			if sf.workers > 0 {
				workers = s.startWorkers(ctx, sf.workers)
			}
			go func() {
				<-env.Ctx.Done()
				sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
				defer c()
				srv.Shutdown(sctx)
			}()
			s.log.Info("listening", "addr", listen, "workers", sf.workers)
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return &ExitError{Code: ExitInternal, Err: err}
			}
			cancel()
			for range sf.workers {
				<-workers
			}
			return nil
		},
	}
	sf.bind(cmd)
	f := cmd.Flags()
	f.StringVar(&listen, "listen", ":8080", "address to listen on")
	f.IntVar(&sf.workers, "workers", 0, "workers to run in this process (0: run dataops worker separately)")
	f.DurationVar(&redeliverEvery, "redeliver-every", 5*time.Minute, "how often to look for failed deliveries and redeliver them")
	return cmd
}

// handler is the service's HTTP side: the webhook, /metrics, the health checks and, when
// its credentials are set, the dashboard.
func (s *serviceSetup) handler(env *Env) http.Handler {
	env.Secrets.Add(env.Getenv("DATAOPS_DASHBOARD_TOKEN"), env.Getenv("DATAOPS_DASHBOARD_PASSWORD"))
	hook := &service.Webhook{Secret: []byte(s.settings.WebhookSecret), Queue: s.queue, Metrics: s.metrics, Log: s.log,
		NewID: func() string { return uuid.NewString() },
		OnInstallation: func(id int64, action string) {
			if action == "deleted" || action == "suspend" {
				s.app.Forget(id)
			}
		}}
	var dash http.Handler
	auth := dashboard.Auth{Token: env.Getenv("DATAOPS_DASHBOARD_TOKEN"), User: env.Getenv("DATAOPS_DASHBOARD_USER"), Password: env.Getenv("DATAOPS_DASHBOARD_PASSWORD")}
	if auth.Token != "" || auth.Password != "" {
		dash = dashboard.New(s.queue, auth)
	}
	return service.Mux(hook, s.queue, s.metrics, dash)
}
