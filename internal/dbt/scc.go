package dbt

// StronglyConnected returns the strongly connected components of the graph over ids whose
// edges next lists (edges to ids outside the graph must be left out by next), each as Tarjan's
// algorithm closes it: a component comes before every component that leads to it. It is
// iterative: a chain of thousands of models must not grow the stack.
func StronglyConnected(ids []string, next func(id string) []string) [][]string {
	type frame struct {
		id    string
		edges []string
		i     int // index of the next edge to follow
	}
	index := make(map[string]int, len(ids))
	low := make(map[string]int, len(ids))
	onStack := map[string]bool{}
	var stack []string
	var comps [][]string
	counter := 0
	for _, start := range ids {
		if _, done := index[start]; done {
			continue
		}
		work := []frame{{start, next(start), 0}}
		index[start], low[start] = counter, counter
		counter++
		stack = append(stack, start)
		onStack[start] = true
		for len(work) > 0 {
			fr := &work[len(work)-1]
			if fr.i < len(fr.edges) {
				w := fr.edges[fr.i]
				fr.i++
				if _, seen := index[w]; !seen {
					index[w], low[w] = counter, counter
					counter++
					stack = append(stack, w)
					onStack[w] = true
					work = append(work, frame{w, next(w), 0})
				} else if onStack[w] && index[w] < low[fr.id] {
					low[fr.id] = index[w]
				}
				continue
			}
			v := fr.id
			work = work[:len(work)-1]
			if len(work) > 0 {
				if u := work[len(work)-1].id; low[v] < low[u] {
					low[u] = low[v]
				}
			}
			if low[v] == index[v] {
				var comp []string
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp = append(comp, w)
					if w == v {
						break
					}
				}
				comps = append(comps, comp)
			}
		}
	}
	return comps
}
