package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

func (s *Server) addPrompts() {
	s.sdk.AddPrompt(&sdk.Prompt{Name: "review_my_change", Title: "Review my change",
		Description: "Review the work tree against a git ref with dataops' findings at hand.",
		Arguments:   []*sdk.PromptArgument{{Name: "base", Description: "the git ref to compare with (default: the server's base)"}}},
		s.reviewPrompt)
	s.sdk.AddPrompt(&sdk.Prompt{Name: "document_model", Title: "Document this model",
		Description: "Write the descriptions of a model and its columns from its SQL, lineage and what upstream says.",
		Arguments:   []*sdk.PromptArgument{{Name: "model", Description: "the model's name", Required: true}}},
		s.documentPrompt)
	s.sdk.AddPrompt(&sdk.Prompt{Name: "drop_column_impact", Title: "What breaks if I drop column X",
		Description: "Everything downstream that reads a column, so its removal can be planned.",
		Arguments: []*sdk.PromptArgument{{Name: "model", Description: "the model's name", Required: true},
			{Name: "column", Description: "the column to drop", Required: true}}},
		s.dropColumnPrompt)
}

// embedJSON attaches an answer to a prompt as a resource the assistant reads.
func embedJSON(uri string, v any) (*sdk.PromptMessage, error) {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return nil, err
	}
	return &sdk.PromptMessage{Role: "user", Content: &sdk.EmbeddedResource{
		Resource: &sdk.ResourceContents{URI: uri, MIMEType: jsonMIME, Text: string(b)}}}, nil
}

func userText(format string, args ...any) *sdk.PromptMessage {
	return &sdk.PromptMessage{Role: "user", Content: &sdk.TextContent{Text: fmt.Sprintf(format, args...)}}
}

func (s *Server) reviewPrompt(ctx context.Context, req *sdk.GetPromptRequest) (*sdk.GetPromptResult, error) {
	base := s.base(req.Params.Arguments["base"])
	rv, err := s.eng.Review(ctx, base)
	if err != nil {
		return nil, err
	}
	ans, err := reviewAnswer(base, rv, "", maxPage)
	if err != nil {
		return nil, err
	}
	attached, err := embedJSON(reviewURI+"/"+url.PathEscape(base), ans)
	if err != nil {
		return nil, err
	}
	return &sdk.GetPromptResult{Description: "Review of the work tree against " + base, Messages: []*sdk.PromptMessage{
		userText("Review my change: the dbt project's work tree against %s. dataops' review is attached: each "+
			"changed model's classification (breaking, partial, non-breaking) and why, the downstream models and columns it "+
			"reaches, findings at file:line, and property-file and test edits as diffs.\n\n"+
			"Write the review a senior data engineer would: what the change does, what breaks and who must act (quote file:line), "+
			"which edits to accept, and what is missing. Check doubtful points with get_node_details, get_column_lineage or show. "+
			"Do not invent columns or models the attachment does not name.", base),
		attached,
	}}, nil
}

func (s *Server) documentPrompt(ctx context.Context, req *sdk.GetPromptRequest) (*sdk.GetPromptResult, error) {
	model := req.Params.Arguments["model"]
	details, err := s.nodeDetails(ctx, nameInput{Name: model})
	if err != nil {
		return nil, err
	}
	attached, err := embedJSON(modelPrefix+url.PathEscape(details.Name)+"/details", details)
	if err != nil {
		return nil, err
	}
	return &sdk.GetPromptResult{Description: "Document " + details.UniqueID, Messages: []*sdk.PromptMessage{
		userText("Document the dbt model %s. Its SQL, columns (with types, the upstream columns each is computed from, and "+
			"what the property file already says) and tests are attached.\n\n"+
			"Write one description for the model (its grain and purpose) and one per column, grounded in the SQL and in the "+
			"upstream columns' descriptions (get_node_details on an upstream model shows them; memory_search finds the team's "+
			"definitions). Keep descriptions a human wrote. Then give the property-file entry as YAML. plan_schema returns the "+
			"validated edit for the columns; apply_schema_edits writes it when the server allows writes.", details.UniqueID),
		attached,
	}}, nil
}

func (s *Server) dropColumnPrompt(ctx context.Context, req *sdk.GetPromptRequest) (*sdk.GetPromptResult, error) {
	model, column := req.Params.Arguments["model"], req.Params.Arguments["column"]
	lin, err := s.columnLineage(ctx, columnLineageInput{Model: model, Column: column, Direction: "downstream"})
	if err != nil {
		return nil, err
	}
	attached, err := embedJSON(modelPrefix+url.PathEscape(lin.UniqueID)+"/columns/"+url.PathEscape(lin.Column)+"/downstream", lin)
	if err != nil {
		return nil, err
	}
	return &sdk.GetPromptResult{Description: fmt.Sprintf("Dropping %s.%s", lin.UniqueID, lin.Column), Messages: []*sdk.PromptMessage{
		userText("What breaks if I drop column %s of %s? Every downstream column computed from it (inferred from the SQL, "+
			"with how: direct, transform, aggregate, window) is attached.\n\n"+
			"List each downstream model and column that would fail or change, and the tests and exposures on them "+
			"(get_node_details, get_lineage). Say which readers must be edited (quote their file and line: get_node_details "+
			"gives each column's line) and in what order to ship the change. If nothing reads it, say so.", lin.Column, lin.UniqueID),
		attached,
	}}, nil
}
