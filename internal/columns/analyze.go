package columns

import "github.com/dataops-dev/dataops/internal/dbt"

// prepared is a model's SQL, parsed, ready to be inferred once its parents are.
type prepared struct{}

func (inf *inferrer) prepare(n *dbt.Node) *prepared { return &prepared{} }

func (inf *inferrer) inferModel(s *slot) *Node {
	return &Node{UniqueID: s.id, Unresolved: []Problem{{Kind: "todo", Reason: "not yet"}}}
}
