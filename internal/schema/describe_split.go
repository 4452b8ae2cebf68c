package schema

import (
	"math"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// Source systems often run a column's words together: PowerSchool's gradelevel and
// lunchstatus, a CRM's firstname. Described from the name as it stands, such a column reads
// "The gradelevel."; split into the words the same project writes apart elsewhere (grade_level,
// lunch_balance, status), it reads "The grade level." The vocabulary is the project's own, so
// a split only uses words its engineers already use as names, plus the words the name
// descriptions know.

// minJoinedLen is the shortest run-together name worth splitting: shorter ones are more often
// one word (status, amount) than two.
const minJoinedLen = 6

// nameVocabulary counts the words of the project's documented column names that have several
// parts; names of one part are left out, since they may be run-together names themselves.
func (s *synth) nameVocabulary() map[string]int {
	if s.vocab != nil {
		return s.vocab
	}
	s.vocab = map[string]int{}
	add := func(cols []*dbt.Column) {
		for _, c := range cols {
			parts := identifierParts(c.Name)
			if len(parts) < 2 {
				continue
			}
			for _, p := range parts {
				if len(p) >= 3 && isLetters(p) {
					s.vocab[p]++
				}
			}
		}
	}
	for _, n := range s.p.Nodes {
		if n.Package == s.root && !n.Disabled {
			add(n.Columns)
		}
	}
	for _, src := range s.p.Sources {
		if src.Package == s.root {
			add(src.Columns)
		}
	}
	for _, words := range []map[string]bool{ofSuffixes, timeSuffixes, dateSuffixes, verbs, calendarParts} {
		for w := range words {
			if len(w) >= 3 && s.vocab[w] == 0 {
				s.vocab[w] = 1
			}
		}
	}
	for w := range writtenAbbreviations {
		if len(w) >= 3 && s.vocab[w] == 0 {
			s.vocab[w] = 1
		}
	}
	return s.vocab
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return s != ""
}

// splitJoined returns a run-together name written with underscores between its words
// (gradelevel → grade_level), or the name unchanged when it is not one: it has parts already,
// is short, is itself a word of the vocabulary, or cannot be covered by two to four of its
// words. Of the splits with fewest words the one of the most used words wins (test score
// complete, not tests core complete).
func splitJoined(name string, vocab map[string]int) string {
	parts := identifierParts(name)
	if len(parts) != 1 || len(parts[0]) < minJoinedLen || !isLetters(parts[0]) || vocab[parts[0]] > 0 {
		return name
	}
	s := parts[0]
	type best struct {
		words []string
		score float64
		ok    bool
	}
	memo := make([]*best, len(s)+1)
	var at func(i int) best
	at = func(i int) best {
		if i == len(s) {
			return best{ok: true}
		}
		if memo[i] != nil {
			return *memo[i]
		}
		var b best
		for j := i + 3; j <= len(s); j++ {
			w := s[i:j]
			k := vocab[w]
			if w == "id" || k == 0 {
				continue
			}
			rest := at(j)
			if !rest.ok {
				continue
			}
			cand := best{words: append([]string{w}, rest.words...), score: rest.score + math.Log(float64(k)+1), ok: true}
			if !b.ok || len(cand.words) < len(b.words) || len(cand.words) == len(b.words) && cand.score > b.score {
				b = cand
			}
		}
		// A trailing id (studentid) is a word too short for the vocabulary.
		if i > 0 && s[i:] == "id" {
			b = best{words: []string{"id"}, score: 1, ok: true}
		}
		memo[i] = &b
		return b
	}
	b := at(0)
	if !b.ok || len(b.words) < 2 || len(b.words) > 4 {
		return name
	}
	return strings.Join(b.words, "_")
}
