package gctune

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"unsafe"
)

// madvHugepage is MADV_HUGEPAGE, which the syscall package does not name.
const madvHugepage = 14

func reserve(n int64) {
	if size := hugePageAdvised(); size != 0 {
		grow(n, size)
	}
}

// grow advises a block of n bytes and more in huge pages of size and collects it: its pages
// return to the heap's free pages, which the allocator hands out lowest address first, ahead
// of growing the heap again. A kernel that refuses the advice leaves 4 KiB pages, free all the
// same.
func grow(n, size int64) {
	advise(n, size)
	runtime.GC()
}

// advise allocates a block of n bytes and more, and asks for its whole huge pages to be backed
// by huge pages (a kernel that refuses keeps 4 KiB pages).
func advise(n, size int64) {
	// A large block on a heap that has not freed one is fresh memory from the system, which
	// the runtime does not clear: nothing touches it before the advice.
	b := make([]byte, n+size)
	start := int64(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
	lo := (start+size-1)&^(size-1) - start
	hi := (start+int64(len(b)))&^(size-1) - start
	if lo < hi {
		_ = syscall.Madvise(b[lo:hi], madvHugepage)
	}
}

// hugePageAdvised is the size of a huge page when the system backs memory with them only
// where asked (madvise mode), 0 otherwise: in "always" mode the heap has them already, in
// "never" mode the advice does nothing.
func hugePageAdvised() int64 {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !bytes.Contains(mode, []byte("[madvise]")) {
		return 0
	}
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size")
	if err != nil {
		return 0
	}
	size, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
	if err != nil || size <= 0 || size&(size-1) != 0 || size > 1<<30 {
		return 0
	}
	return size
}
