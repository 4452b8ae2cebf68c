package jinja

import (
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/tokens"

	"github.com/dataops-dev/dataops/internal/source"
)

// Block is one `{% tag name %}body{% endtag %}` block of a file, such as a snapshot or a
// docs block.
type Block struct {
	Name      string
	Body      string   // the text between the opening and the closing tag, unrendered
	BodyStart int      // byte offset of Body in the file
	Start     int      // byte offset of the opening "{%"
	End       int      // byte offset just past the closing "%}"
	Pos       Position // of the opening tag
}

// ExtractBlocks finds the top-level blocks of one tag (`snapshot`, `docs`) in a file. dbt
// renders a snapshot's body on its own, so the loader renders Body and maps positions back
// by adding BodyStart. An unclosed block is reported and skipped.
func ExtractBlocks(src, tag string) ([]Block, []Diagnostic) {
	norm, crlf, _ := normalizeNewlines(src)
	file := source.NewFile("", src)
	toks, lexErr := lexTemplate(norm, config.New())
	var diags []Diagnostic
	if lexErr != nil {
		diags = append(diags, Diagnostic{Pos: positionOf(file.Position(origOffset(crlf, lexErr.Pos))), Kind: "syntax", Message: tokenError(lexErr)})
	}
	end := func(t *tokens.Token) int { return origOffset(crlf, t.Pos+len(t.Val)) }
	var out []Block
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.Type != tokens.BlockBegin || i+1 >= len(toks) || toks[i+1].Type != tokens.Name || toks[i+1].Val != tag {
			continue
		}
		b := Block{Start: origOffset(crlf, t.Pos), Pos: positionOf(file.Position(origOffset(crlf, t.Pos)))}
		j := i + 2
		if j < len(toks) && (toks[j].Type == tokens.Name || toks[j].Type == tokens.String) {
			b.Name = toks[j].Val
		}
		for j < len(toks) && toks[j].Type != tokens.BlockEnd {
			j++
		}
		if j >= len(toks) {
			break
		}
		b.BodyStart = end(toks[j])
		closed := false
		for k := j + 1; k+1 < len(toks); k++ {
			if toks[k].Type == tokens.BlockBegin && toks[k+1].Type == tokens.Name && toks[k+1].Val == "end"+tag {
				b.Body = src[b.BodyStart:origOffset(crlf, toks[k].Pos)]
				m := k + 2
				for m < len(toks) && toks[m].Type != tokens.BlockEnd {
					m++
				}
				if m < len(toks) {
					b.End = end(toks[m])
				} else {
					b.End = len(src)
				}
				i = m
				closed = true
				break
			}
		}
		if !closed {
			diags = append(diags, Diagnostic{Pos: b.Pos, Kind: "syntax", Message: "{% " + tag + " " + b.Name + " %} is not closed by {% end" + tag + " %}"})
			break
		}
		out = append(out, b)
	}
	return out, diags
}
