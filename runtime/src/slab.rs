//! Task memory, recycled: Go's per-P free list of dead Gs (`gfget`/`gfput`), applied to tasks.
//!
//! Every task is one block: header, then the future (later its output). Blocks come in size
//! classes of 64–4096 bytes — 8 bytes apart up to 192, so a small task wastes at most 7 — and
//! are never over-aligned (a class serves a type whose alignment divides its size, at most 16;
//! tokio's 128-byte alignment is what makes its tasks cost ~440 B of RSS). They are carved out
//! of 64 KiB chunks, so no block carries a malloc header.
//!
//! * Each thread keeps, per class, two *magazines* (Bonwick's design, as in Go's `mcache`):
//!   arrays of up to 64 free block pointers, `active` and `spare`. Allocating and freeing on the
//!   same thread touch nothing shared — and never read a freed block, which may still sit in
//!   another core's cache.
//! * Only when both magazines are empty (allocating) or full (freeing) does a thread trade one
//!   with the global pool, under its mutex: once per 64 operations at worst, even when one worker
//!   spawns and another frees. An empty pool carves 64 fresh blocks from a chunk.
//! * Chunks are never returned to the OS (Go likewise never frees its `g`s): memory is kept at
//!   the high-water mark and reused. That also makes every block that was ever handed out a
//!   valid place to read a task's state word from, which is how `dump` and runtime shutdown find
//!   every live task without a registry on the spawn path (`for_each_block`).
//!
//! Invariant shared with `task`: the first word of every carved block is an `AtomicUsize` (the
//! task state); a free block holds 0 there.

use std::alloc::{alloc, handle_alloc_error, Layout};
use std::cell::Cell;
use std::ptr::{self, NonNull};
use std::sync::atomic::{
    AtomicUsize,
    Ordering::{Acquire, Release},
};
use std::sync::Mutex;

/// Block sizes, smallest first.
pub(crate) const CLASS_SIZES: [usize; 29] = [
    64, 72, 80, 88, 96, 104, 112, 120, 128, 136, 144, 152, 160, 168, 176, 184, 192, 224, 256, 320,
    384, 448, 512, 768, 1024, 1536, 2048, 3072, 4096,
];
const CLASSES: usize = CLASS_SIZES.len();
/// The largest alignment a block guarantees.
pub(crate) const BLOCK_ALIGN: usize = 16;
const CHUNK_BYTES: usize = 64 * 1024;
const BATCH: usize = 64;
/// Marks "does not fit any class" (the caller boxes the future instead).
pub(crate) const NO_CLASS: usize = usize::MAX;

/// The class for a block of `size` bytes and `align` alignment, or `NO_CLASS`.
pub(crate) const fn class_for(size: usize, align: usize) -> usize {
    if align > BLOCK_ALIGN {
        return NO_CLASS;
    }
    let mut i = 0;
    while i < CLASSES {
        // A chunk starts 64-aligned, so blocks of this class are aligned to `align` exactly
        // when the class size is a multiple of it.
        if size <= CLASS_SIZES[i] && CLASS_SIZES[i].is_multiple_of(align) {
            return i;
        }
        i += 1;
    }
    NO_CLASS
}

/// Up to `BATCH` free blocks of one class.
struct Magazine {
    len: usize,
    blocks: [*mut u8; BATCH],
}

impl Magazine {
    fn empty() -> Box<Magazine> {
        Box::new(Magazine {
            len: 0,
            blocks: [ptr::null_mut(); BATCH],
        })
    }
}

/// One 64 KiB run of blocks of one class; `carved` blocks at the front have been handed out.
struct Chunk {
    base: *mut u8,
    class: usize,
    carved: AtomicUsize,
}

// SAFETY: a chunk's memory is shared on purpose; every block in it is handed to one owner at a
// time (the slab's magazines or a task), and only its atomic state word is read by others.
unsafe impl Send for Chunk {}
// SAFETY: as above.
unsafe impl Sync for Chunk {}

/// Magazines stay boxed: they move between the pool and threads' raw pointers, and a move
/// should not copy 520 bytes.
#[derive(Default)]
#[allow(clippy::vec_box)]
struct Pool {
    full: Vec<Box<Magazine>>,
    empty: Vec<Box<Magazine>>,
    carving: Option<&'static Chunk>,
}

// SAFETY: the raw pointers in a Pool are free blocks owned by the pool, only touched under its mutex.
unsafe impl Send for Pool {}

static POOLS: [Mutex<Pool>; CLASSES] = [const {
    Mutex::new(Pool {
        full: Vec::new(),
        empty: Vec::new(),
        carving: None,
    })
}; CLASSES];
static CHUNKS: Mutex<Vec<&'static Chunk>> = Mutex::new(Vec::new());

fn pool(class: usize) -> std::sync::MutexGuard<'static, Pool> {
    crate::sync::lock(&POOLS[class])
}

impl Pool {
    /// Swaps an empty magazine for a non-empty one: recycled blocks if any, else fresh ones.
    fn trade_empty(&mut self, class: usize, mut empty: Box<Magazine>) -> Box<Magazine> {
        if let Some(full) = self.full.pop() {
            self.empty.push(empty);
            return full;
        }
        self.carve(class, &mut empty);
        empty
    }

    /// Swaps a full magazine for an empty one.
    fn trade_full(&mut self, full: Box<Magazine>) -> Box<Magazine> {
        self.full.push(full);
        self.empty.pop().unwrap_or_else(Magazine::empty)
    }

    /// Fills `magazine` with fresh blocks from the current chunk (or a new one).
    fn carve(&mut self, class: usize, magazine: &mut Magazine) {
        let size = CLASS_SIZES[class];
        let per_chunk = CHUNK_BYTES / size;
        let chunk = match self.carving {
            Some(c) if c.carved.load(Acquire) < per_chunk => c,
            _ => {
                let layout = Layout::from_size_align(CHUNK_BYTES, 64).expect("chunk layout");
                // SAFETY: the layout has a non-zero size.
                let base = unsafe { alloc(layout) };
                if base.is_null() {
                    handle_alloc_error(layout);
                }
                let chunk: &'static Chunk = Box::leak(Box::new(Chunk {
                    base,
                    class,
                    carved: AtomicUsize::new(0),
                }));
                crate::sync::lock(&CHUNKS).push(chunk);
                self.carving = Some(chunk);
                chunk
            }
        };
        let start = chunk.carved.load(Acquire);
        let end = (start + BATCH - magazine.len).min(per_chunk);
        for i in (start..end).rev() {
            let block = chunk.base.wrapping_add(i * size);
            // SAFETY: `block` lies inside the chunk, is 16-aligned and not yet handed out; its
            // state word is written before `carved` publishes the block to `for_each_block`.
            unsafe { ptr::write(block.cast::<AtomicUsize>(), AtomicUsize::new(0)) };
            magazine.blocks[magazine.len] = block;
            magazine.len += 1;
        }
        chunk.carved.store(end, Release);
    }
}

/// A thread's magazines, an active and a spare one per class (null until first use).
struct ThreadCache {
    active: [Cell<*mut Magazine>; CLASSES],
    spare: [Cell<*mut Magazine>; CLASSES],
}

impl Drop for ThreadCache {
    fn drop(&mut self) {
        for class in 0..CLASSES {
            for magazine in [self.active[class].get(), self.spare[class].get()] {
                if !magazine.is_null() {
                    // SAFETY: the cache owns its magazines (made by Box::into_raw).
                    let magazine = unsafe { Box::from_raw(magazine) };
                    let mut pool = pool(class);
                    if magazine.len > 0 {
                        pool.full.push(magazine);
                    } else {
                        pool.empty.push(magazine);
                    }
                }
            }
        }
    }
}

thread_local! {
    static CACHE: ThreadCache = const {
        ThreadCache {
            active: [const { Cell::new(ptr::null_mut()) }; CLASSES],
            spare: [const { Cell::new(ptr::null_mut()) }; CLASSES],
        }
    };
}

impl ThreadCache {
    /// The class's magazines (active, spare), created on first use.
    fn magazines(&self, class: usize) -> (*mut Magazine, *mut Magazine) {
        for cell in [&self.active[class], &self.spare[class]] {
            if cell.get().is_null() {
                cell.set(Box::into_raw(Magazine::empty()));
            }
        }
        (self.active[class].get(), self.spare[class].get())
    }

    fn swap(&self, class: usize) {
        self.active[class].swap(&self.spare[class]);
    }

    fn allocate(&self, class: usize) -> *mut u8 {
        let (active, spare) = self.magazines(class);
        // SAFETY: both are live boxes owned by this thread's cache, and these references
        // end before anything else touches them (allocate and free never re-enter).
        let (active, spare) = unsafe { (&mut *active, &*spare) };
        if active.len == 0 {
            if spare.len > 0 {
                self.swap(class);
                return self.allocate(class);
            }
            // SAFETY: `active` was made by Box::into_raw; ownership goes to the pool, and the
            // magazine we get back becomes the active one.
            let traded = pool(class).trade_empty(class, unsafe { Box::from_raw(active) });
            self.active[class].set(Box::into_raw(traded));
            return self.allocate(class);
        }
        active.len -= 1;
        if let Some(&next) = active.len.checked_sub(2).and_then(|i| active.blocks.get(i)) {
            // The block after next was probably freed by another core: start moving it here
            // now, so the spawn that uses it doesn't stall on the transfer.
            prefetch(next);
        }
        active.blocks[active.len]
    }

    fn free(&self, class: usize, block: *mut u8) {
        let (active, spare) = self.magazines(class);
        // SAFETY: as in `allocate`.
        let (active, spare_len) = unsafe { (&mut *active, (*spare).len) };
        if active.len == BATCH {
            if spare_len == BATCH {
                // SAFETY: as in `allocate`: the full spare goes to the pool.
                let traded = pool(class).trade_full(unsafe { Box::from_raw(spare) });
                self.spare[class].set(Box::into_raw(traded));
            }
            self.swap(class);
            return self.free(class, block);
        }
        active.blocks[active.len] = block;
        active.len += 1;
    }
}

/// Asks the CPU to start moving `block`'s first two cache lines here, for writing: the block
/// (or task) was probably last written by another core, and the spawn or run that touches it
/// next would otherwise stall on the transfer. x86's `prefetchw` (when CPUID says the CPU has
/// it; the stable intrinsic can only emit the read-only `prefetcht0`), else a read prefetch.
pub(crate) fn prefetch(block: *const u8) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    {
        use std::sync::atomic::{AtomicU8, Ordering::Relaxed};
        static HAS_PREFETCHW: AtomicU8 = AtomicU8::new(0); // 0 unknown, 1 no, 2 yes
        let known = match HAS_PREFETCHW.load(Relaxed) {
            0 => {
                let ecx = std::arch::x86_64::__cpuid(0x8000_0001).ecx;
                let has = if ecx & (1 << 8) != 0 { 2 } else { 1 };
                HAS_PREFETCHW.store(has, Relaxed);
                has
            }
            known => known,
        };
        let next_line = block.wrapping_add(64);
        if known == 2 {
            // SAFETY: the CPU has PREFETCHW (checked above); a prefetch reads nothing, writes
            // nothing and never faults, whatever the address.
            unsafe {
                std::arch::asm!(
                    "prefetchw [{0}]",
                    "prefetchw [{1}]",
                    in(reg) block,
                    in(reg) next_line,
                    options(nostack, preserves_flags, readonly)
                );
            }
        } else {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            // SAFETY: SSE is part of the x86_64 baseline, and a prefetch never faults.
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(block.cast());
                _mm_prefetch::<_MM_HINT_T0>(next_line.cast());
            }
        }
    }
    #[cfg(any(not(target_arch = "x86_64"), miri))]
    let _ = block; // a hint only: nothing to do elsewhere (and Miri can't run `asm!`)
}

/// A free block of `class`. Its first word is an `AtomicUsize` holding 0.
pub(crate) fn allocate(class: usize) -> NonNull<u8> {
    let block = CACHE
        .try_with(|cache| cache.allocate(class))
        .unwrap_or_else(|_| {
            // The thread is exiting and its cache is gone: go to the pool directly.
            let mut pool = pool(class);
            let mut magazine = pool.trade_empty(class, Magazine::empty());
            magazine.len -= 1;
            let block = magazine.blocks[magazine.len];
            pool.full.push(magazine);
            block
        });
    NonNull::new(block).expect("carved blocks are not null")
}

/// Returns `block` (of `class`) for reuse.
///
/// # Safety
/// `block` came from `allocate(class)`, its state word is 0 and nobody uses it any more.
pub(crate) unsafe fn free(block: NonNull<u8>, class: usize) {
    let block = block.as_ptr();
    if CACHE.try_with(|cache| cache.free(class, block)).is_err() {
        let mut magazine = Magazine::empty();
        magazine.blocks[0] = block;
        magazine.len = 1;
        pool(class).full.push(magazine);
    }
}

/// Calls `visit` with every block ever carved (live or free). Only the first word (the state
/// `AtomicUsize`) may be read without first taking a reference on the task.
pub(crate) fn for_each_block(mut visit: impl FnMut(NonNull<u8>)) {
    let chunks: Vec<&'static Chunk> = crate::sync::lock(&CHUNKS).clone();
    for chunk in chunks {
        let size = CLASS_SIZES[chunk.class];
        for i in 0..chunk.carved.load(Acquire) {
            // SAFETY: carved blocks are inside a live (never freed) chunk and non-null.
            visit(unsafe { NonNull::new_unchecked(chunk.base.wrapping_add(i * size)) });
        }
    }
}

#[cfg(all(test, not(tasklings_loom)))]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn classes_cover_sizes_without_over_alignment() {
        assert_eq!(class_for(1, 8), 0);
        assert_eq!(CLASS_SIZES[class_for(65, 8)], 72);
        assert_eq!(CLASS_SIZES[class_for(100, 8)], 104);
        assert_eq!(CLASS_SIZES[class_for(100, 16)], 112);
        assert_eq!(class_for(4097, 8), NO_CLASS);
        assert_eq!(class_for(64, 32), NO_CLASS);
        assert!(CLASS_SIZES.iter().all(|s| s % 8 == 0));
    }

    #[test]
    fn blocks_are_distinct_aligned_and_recycled() {
        let class = class_for(96, 8);
        let blocks: Vec<_> = (0..1000).map(|_| allocate(class)).collect();
        let distinct: HashSet<_> = blocks.iter().map(|b| b.as_ptr() as usize).collect();
        assert_eq!(distinct.len(), blocks.len());
        assert!(
            distinct.iter().all(|a| a % 16 == 0),
            "96 is a multiple of 16"
        );
        for &b in &blocks {
            // SAFETY: each block came from allocate(class) and is unused; its state word is 0.
            unsafe { free(b, class) };
        }
        let again = allocate(class);
        assert!(
            distinct.contains(&(again.as_ptr() as usize)),
            "a freed block is reused"
        );
        // SAFETY: as above.
        unsafe { free(again, class) };
    }

    #[test]
    fn blocks_move_between_threads() {
        let class = class_for(200, 8);
        let blocks: Vec<usize> = (0..500)
            .map(|_| allocate(class).as_ptr() as usize)
            .collect();
        std::thread::spawn(move || {
            for b in blocks {
                // SAFETY: the blocks were allocated above and handed over to this thread.
                unsafe { free(NonNull::new(b as *mut u8).unwrap(), class) };
            }
        })
        .join()
        .unwrap();
        let mut visited = 0;
        for_each_block(|_| visited += 1);
        assert!(visited >= 500);
    }
}
