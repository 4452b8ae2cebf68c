// Package bedrock is the llm.Provider for Amazon Bedrock's Converse API
// (POST /model/{modelId}/converse, SigV4-signed) on the AWS SDK for Go v2. Tools become a
// toolConfig; a request's Output schema becomes a tool the model must end with.
//
// Credentials and region come from the usual AWS chain (environment, shared config and
// profiles, SSO, instance roles) unless Config gives them; the caller needs
// bedrock:InvokeModel on the model.
package bedrock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"

	"github.com/dataops-dev/dataops/internal/llm"
)

// Config says which region, where and as whom.
type Config struct {
	Region      string                  // "" takes the AWS configuration's
	Endpoint    string                  // a custom bedrock-runtime endpoint (VPC endpoint, tests)
	Credentials aws.CredentialsProvider // nil: the AWS default chain
	HTTP        *http.Client            // nil is a default client
}

// Provider calls Converse.
type Provider struct {
	client *bedrockruntime.Client
}

// New loads the AWS configuration (it calls nothing) and returns a provider.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	var awsCfg aws.Config
	if cfg.Credentials != nil {
		awsCfg = aws.Config{Region: cfg.Region, Credentials: cfg.Credentials}
	} else {
		var opts []func(*config.LoadOptions) error
		if cfg.Region != "" {
			opts = append(opts, config.WithRegion(cfg.Region))
		}
		var err error
		if awsCfg, err = config.LoadDefaultConfig(ctx, opts...); err != nil {
			return nil, fmt.Errorf("bedrock: AWS configuration: %w", err)
		}
	}
	if awsCfg.Region == "" {
		return nil, errors.New("bedrock: no AWS region (set llm.region or AWS_REGION)")
	}
	client := bedrockruntime.NewFromConfig(awsCfg, func(o *bedrockruntime.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		if cfg.HTTP != nil {
			o.HTTPClient = cfg.HTTP
		}
		// Retries are the caller's transport's, as for every provider.
		o.Retryer = aws.NopRetryer{}
	})
	return &Provider{client: client}, nil
}

// Name is "bedrock".
func (p *Provider) Name() string { return "bedrock" }

// Complete sends one Converse request.
func (p *Provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	in, err := Input(req)
	if err != nil {
		return nil, err
	}
	out, err := p.client.Converse(ctx, in)
	if err != nil {
		return nil, apiError(err)
	}
	return answer(req, out)
}

// Input is the Converse request for req.
func Input(req *llm.Request) (*bedrockruntime.ConverseInput, error) {
	in := &bedrockruntime.ConverseInput{ModelId: aws.String(req.Model)}
	if req.MaxTokens > 0 {
		in.InferenceConfig = &types.InferenceConfiguration{MaxTokens: aws.Int32(int32(req.MaxTokens))}
	}
	if req.System != "" {
		in.System = []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: req.System}}
	}
	for _, m := range req.Messages {
		var blocks []types.ContentBlock
		for _, r := range m.ToolResults {
			status := types.ToolResultStatusSuccess
			if r.IsError {
				status = types.ToolResultStatusError
			}
			blocks = append(blocks, &types.ContentBlockMemberToolResult{Value: types.ToolResultBlock{ToolUseId: aws.String(r.CallID),
				Status: status, Content: []types.ToolResultContentBlock{&types.ToolResultContentBlockMemberText{Value: r.Content}}}})
		}
		if m.Text != "" {
			blocks = append(blocks, &types.ContentBlockMemberText{Value: m.Text})
		}
		for _, c := range m.ToolCalls {
			var args any
			if err := json.Unmarshal(c.Arguments, &args); err != nil {
				args = map[string]any{}
			}
			blocks = append(blocks, &types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{ToolUseId: aws.String(c.ID),
				Name: aws.String(c.Name), Input: document.NewLazyDocument(args)}})
		}
		role := types.ConversationRoleUser
		if m.Role == llm.Assistant {
			role = types.ConversationRoleAssistant
		} else if m.Role != llm.User {
			return nil, fmt.Errorf("bedrock: unknown role %q", m.Role)
		}
		in.Messages = append(in.Messages, types.Message{Role: role, Content: blocks})
	}
	tools := req.Tools
	if o := req.Output; o != nil {
		desc := o.Description
		if desc == "" {
			desc = "Give your final answer by calling this tool."
		}
		tools = append(append([]llm.Tool(nil), tools...), llm.Tool{Name: o.Name, Description: desc, Parameters: o.Schema})
	}
	if len(tools) > 0 {
		tc := &types.ToolConfiguration{}
		for _, t := range tools {
			var schema map[string]any
			if err := json.Unmarshal(t.Parameters, &schema); err != nil {
				return nil, fmt.Errorf("bedrock: tool %s: %w", t.Name, err)
			}
			spec := types.ToolSpecification{Name: aws.String(t.Name), InputSchema: &types.ToolInputSchemaMemberJson{Value: document.NewLazyDocument(schema)}}
			if t.Description != "" {
				spec.Description = aws.String(t.Description)
			}
			tc.Tools = append(tc.Tools, &types.ToolMemberToolSpec{Value: spec})
		}
		if req.Output != nil {
			if len(req.Tools) == 0 {
				tc.ToolChoice = &types.ToolChoiceMemberTool{Value: types.SpecificToolChoice{Name: aws.String(req.Output.Name)}}
			} else {
				tc.ToolChoice = &types.ToolChoiceMemberAny{Value: types.AnyToolChoice{}}
			}
		}
		in.ToolConfig = tc
	}
	return in, nil
}

func answer(req *llm.Request, out *bedrockruntime.ConverseOutput) (*llm.Response, error) {
	r := &llm.Response{Model: req.Model, StopReason: string(out.StopReason)}
	if u := out.Usage; u != nil {
		r.Usage = llm.Usage{InputTokens: int(aws.ToInt32(u.InputTokens)), OutputTokens: int(aws.ToInt32(u.OutputTokens))}
	}
	msg, ok := out.Output.(*types.ConverseOutputMemberMessage)
	if !ok {
		return nil, errors.New("bedrock: the answer holds no message")
	}
	var text string
	for _, b := range msg.Value.Content {
		switch b := b.(type) {
		case *types.ContentBlockMemberText:
			text += b.Value
		case *types.ContentBlockMemberToolUse:
			var v any
			if b.Value.Input != nil {
				if err := b.Value.Input.UnmarshalSmithyDocument(&v); err != nil {
					return nil, fmt.Errorf("bedrock: tool input: %w", err)
				}
			}
			if v == nil {
				v = map[string]any{}
			}
			args, _ := json.Marshal(v)
			name := aws.ToString(b.Value.Name)
			if req.Output != nil && name == req.Output.Name {
				r.Text = string(args)
				continue
			}
			r.ToolCalls = append(r.ToolCalls, llm.ToolCall{ID: aws.ToString(b.Value.ToolUseId), Name: name, Arguments: args})
		}
	}
	if r.Text == "" {
		r.Text = text
	}
	return r, nil
}

func apiError(err error) error {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		msg := re.Err.Error()
		var ae smithy.APIError
		if errors.As(err, &ae) {
			msg = ae.ErrorCode() + ": " + ae.ErrorMessage()
		}
		return &llm.APIError{Provider: "bedrock", Status: re.HTTPStatusCode(), Message: msg}
	}
	return fmt.Errorf("bedrock: %w", err)
}
