package gctune

import "sync"

// reserveMin is the least growth Reserve prepares: below it the collection it runs costs more
// than the page faults it saves.
const reserveMin = 8 << 20

// reserveMax bounds what Reserve prepares: the pages it leaves unused count as the process's
// memory under the limit Start sets until the runtime returns them.
const reserveMax = 256 << 20

var reserved sync.Once

// Reserve readies the heap for about n bytes about to be allocated (a snapshot's decode, a
// cold load's renders and statements), once per process: where the system maps memory in huge pages only when asked to
// (Linux's transparent huge pages in madvise mode), the heap is grown by n bytes the system is
// asked to back with huge pages, and the block is collected at once, so the decode's
// allocations land in it. Touching fresh memory costs a page fault per 4 KiB page otherwise, a
// third of a warm run's CPU on a virtual machine whose faults exit to the hypervisor. It runs a
// collection: call it early, while the heap is small, and where the allocations that follow
// are kept, with the collector paused (Pause), so that nothing returns those pages to the
// system before they are used. Later calls do
// nothing: a process that decoded once has freed pages to reuse.
func Reserve(n int64) {
	if n < reserveMin {
		return
	}
	reserved.Do(func() { reserve(min(n, reserveMax)) })
}
