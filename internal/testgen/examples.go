package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// Examples are not the set. "Common values include 180 (6 months), 365 (1 year), 90 (3
// months)" names the usual interval of a recall, not every interval a test would allow;
// "such as E=Excellent, S=Satisfactory" and "(e.g. F = Full-time, H = Half-time)" explain a
// few codes of a longer legend. A list the description offers as a sample is no
// accepted_values set: the test would fail on the first value it left out.

// sampleWord is a word before "values" (or "codes", "options") that makes them a sample:
// "Common values include", "Typical values:", "Some options are".
var sampleWord = lazyregexp.New(`(?i)\b(?:common(?:ly\s+used)?|most\s+common|typical|usual|frequent|sample|example|some|notable|popular)\s*$`)

// sampledIntro says a list intro (a match of listIntro, desc[at:]) announces a sample: the
// word before it qualifies the values as the common ones.
func sampledIntro(desc string, at int) bool {
	return sampleWord.MatchString(desc[:at])
}

// exampleLead finds, at the end of the text before a legend, the words that announce
// examples: "such as", "e.g.", "for example", "for instance", "like", "including", or a
// sample of values ("Common values:").
var exampleLead = lazyregexp.New(`(?i)(?:\b(?:such\s+as|e\.\s?g\.?|eg|for\s+example|for\s+instance|like|including|includes?)|\b(?:common(?:ly\s+used)?|most\s+common|typical|usual|frequent|sample|example|some)\s+(?:values?|codes?|options?)(?:\s+(?:are|include|includes))?)[\s,:(\-–—]*$`)

// legendAfterExamples says the text before a legend (its line up to the first code, or the
// line that announces it) offers examples.
func legendAfterExamples(before string) bool {
	return exampleLead.MatchString(strings.TrimRight(before, " \t"))
}
