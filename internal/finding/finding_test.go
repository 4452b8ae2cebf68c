package finding

import (
	"encoding/json"
	"testing"
)

// The JSON of a finding is the review contract's: field names, order and the column left out
// when it is not known.
func TestFindingJSON(t *testing.T) {
	b, err := json.Marshal(Finding{Agent: "schema", Rule: "stale-column", Severity: Warning, Path: "models/x.yml", Line: 3, Message: "m"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"agent":"schema","rule":"stale-column","severity":"warning","path":"models/x.yml","line":3,"message":"m","suggestion":""}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestRank(t *testing.T) {
	if !(Rank(Error) > Rank(Warning) && Rank(Warning) > Rank(Info) && Rank(Info) > Rank("never")) {
		t.Errorf("ranks out of order: %d %d %d %d", Rank(Error), Rank(Warning), Rank(Info), Rank("never"))
	}
}
