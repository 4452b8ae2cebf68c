package schema

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Descriptions written from a column's name are English sentences ("The ID of the
// intervention fautive."). A team that documents its columns in French, German or Spanish
// reads such a sentence as noise in its files, half in another language; for that team the
// name source writes the name's own words, as a reviewer would start the sentence
// ("Intervention fautive id.").

// englishWords are the function words nearly every English sentence of a description holds
// and descriptions in other languages almost never do.
// Words other languages share ("a", "an", "in", "on") are left out.
var englishWords = map[string]bool{"the": true, "of": true, "and": true, "is": true, "for": true, "to": true,
	"this": true, "which": true, "when": true, "from": true, "with": true, "each": true, "by": true,
	"if": true, "are": true, "that": true, "was": true, "be": true, "has": true, "its": true}

// englishMin is how many descriptions of several words the team must have written before
// their language decides anything.
const englishMin = 20

// writesEnglish reports whether the team's own column descriptions are English: half or more
// of those of four words or more hold an English function word (English projects: 0.77 to
// 1.00 of them; a French team's: 0.04). A project with fewer such
// descriptions says nothing, and counts as English.
func (s *synth) writesEnglish() bool {
	if s.english != nil {
		return *s.english
	}
	sentences, english := 0, 0
	for _, list := range s.projectColumns() {
		for _, dc := range list {
			d := dc.column.Description
			if strings.Contains(d, "{{") {
				continue // a docs block's call: its words are elsewhere
			}
			words := strings.FieldsFunc(strings.ToLower(d), func(r rune) bool { return !unicode.IsLetter(r) })
			if len(words) < 4 {
				continue // a noun phrase ("Block timestamp") holds no function word in any language
			}
			sentences++
			for _, w := range words {
				if englishWords[w] {
					english++
					break
				}
			}
		}
	}
	yes := sentences < englishMin || 2*english >= sentences
	s.english = &yes
	return yes
}

// plainNameDescription is the column name's words, the first capitalised, with no English
// around them and no English expansion of its abbreviations.
func plainNameDescription(column string) string {
	parts := identifierParts(column)
	if len(parts) == 0 {
		return ""
	}
	text := strings.Join(parts, " ")
	r, size := utf8.DecodeRuneInString(text)
	return string(unicode.ToUpper(r)) + text[size:] + "."
}
