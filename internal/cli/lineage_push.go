package cli

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/openmetadata"
	"github.com/dataops-dev/dataops/internal/selection"
)

// newLineagePushCmd is `dataops lineage push`, a subcommand of lineage.
func newLineagePushCmd(env *Env) *cobra.Command {
	var pf projectFlags
	var service string
	var selects []string
	cmd := &cobra.Command{
		Use:   "push",
		Short: "Send dbt's lineage, with column lineage, to OpenMetadata",
		Long: `push writes an OpenMetadata lineage edge from each parent of each selected model (all models
of the project by default), with the column lineage inferred from the SQL. The server and its
bot token come from OPENMETADATA_URL and OPENMETADATA_TOKEN; --service (or
OPENMETADATA_SERVICE) names the database service the tables were ingested under, so a model
is service.database.schema.alias there. Tables the catalog does not know are skipped and listed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, svc, err := openMetadataClient(env, service)
			if err != nil {
				return err
			}
			if c == nil {
				return usageError("lineage push needs OPENMETADATA_URL and OPENMETADATA_TOKEN")
			}
			p, err := pf.load(env, true)
			if err != nil {
				return err
			}
			var ids []string
			if len(selects) > 0 {
				sel, err := selection.Select(p, selects, nil, selection.Options{})
				if err != nil {
					return usageError("%v", err)
				}
				for id := range sel {
					ids = append(ids, id)
				}
			} else {
				for id, n := range p.Nodes {
					if n.ResourceType == dbt.Model && !n.Disabled && isRootPackage(p, n.Package) {
						ids = append(ids, id)
					}
				}
			}
			sort.Strings(ids)
			copts := pf.columnsOptions(env, pf.Project, pf.Dialect)
			copts.Models = ids
			inf := columns.Infer(p, copts)
			res, err := openmetadata.Push(env.Ctx, c, p, inf, svc, ids)
			if err != nil {
				return &ExitError{Code: ExitInternal, Err: err}
			}
			for _, t := range res.SkippedTables {
				fmt.Fprintf(env.Stderr, "dataops: %s is not in the catalog; its edges were skipped\n", t)
			}
			fmt.Fprintf(env.Stdout, "%d edge(s) and %d column edge(s) sent to %s\n", res.Edges, res.ColumnEdges, env.Getenv("OPENMETADATA_URL"))
			return nil
		},
	}
	pf.bind(cmd)
	cmd.Flags().StringVar(&service, "service", "", "OpenMetadata database service of the tables (default: OPENMETADATA_SERVICE)")
	cmd.Flags().StringArrayVarP(&selects, "select", "s", nil, "dbt node selection of the models to push")
	return cmd
}

// openMetadataClient returns a client when OPENMETADATA_URL and OPENMETADATA_TOKEN are set,
// nil otherwise; the service name is required then.
func openMetadataClient(env *Env, service string) (*openmetadata.Client, string, error) {
	u, tok := env.Getenv("OPENMETADATA_URL"), env.Getenv("OPENMETADATA_TOKEN")
	if u == "" || tok == "" {
		return nil, "", nil
	}
	if service == "" {
		service = env.Getenv("OPENMETADATA_SERVICE")
	}
	if service == "" {
		return nil, "", usageError("OpenMetadata: name the database service with --service or OPENMETADATA_SERVICE")
	}
	env.Secrets.Add(tok)
	return &openmetadata.Client{BaseURL: u, Token: tok, Mask: env.Secrets.Mask}, service, nil
}
