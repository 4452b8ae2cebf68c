package source

import "strings"

// ConflictMarker finds the first line of src that opens, splits or closes a merge conflict as
// git writes one (`<<<<<<< ours`, `|||||||`, `=======`, `>>>>>>> theirs`, each seven
// characters at the start of a line); 0 when there is none. A lone `=======` is a marker
// only between an opening and a closing one.
func ConflictMarker(src string) (line int, marker string) {
	opened := 0
	for i, l := range strings.Split(src, "\n") {
		l = strings.TrimRight(l, "\r")
		switch {
		case markerLine(l, '<'):
			if opened == 0 {
				opened = i + 1
				marker = l
			}
		case opened > 0 && (markerLine(l, '>') || markerLine(l, '=') || markerLine(l, '|')):
			return opened, marker
		}
	}
	return 0, ""
}

// markerLine reports whether l is seven c and then nothing or a space and a label.
func markerLine(l string, c byte) bool {
	if len(l) < 7 || strings.Count(l[:7], string(c)) != 7 {
		return false
	}
	return len(l) == 7 || l[7] == ' '
}
