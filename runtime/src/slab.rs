//! Task memory, recycled: Go's per-P free list of dead Gs (`gfget`/`gfput`), applied to tasks.
//!
//! Every task is one block: header, then the future (later its output). Blocks come in size
//! classes of 64–4096 bytes, 16-byte aligned and never over-aligned (tokio's 128-byte alignment
//! is what makes its tasks cost ~440 B of RSS), carved out of 64 KiB chunks so no block carries
//! a malloc header.
//!
//! * Each thread keeps, per class, an `active` free list and one full `spare` list (intrusive:
//!   the link lives in the dead block itself). Allocating and freeing on the same thread touch
//!   nothing shared.
//! * When `active` reaches `BATCH` blocks, the `spare` batch (if any) goes to the global pool and
//!   `active` becomes the spare; an empty thread refills a whole batch from the pool, carving
//!   fresh blocks from a chunk when the pool is dry. So the pool's mutex is taken once per 64
//!   allocations or frees, even when one worker spawns and another frees.
//! * Chunks are never returned to the OS (Go likewise never frees its `g`s): memory is kept at
//!   the high-water mark and reused. That also makes every block that was ever handed out a
//!   valid place to read a task's state word from, which is how `dump` and runtime shutdown find
//!   every live task without a registry on the spawn path (`for_each_block`).
//!
//! Invariant shared with `task`: the first word of every carved block is an `AtomicUsize` (the
//! task state); a free block holds 0 there and its free-list link in the second word.

use std::alloc::{alloc, handle_alloc_error, Layout};
use std::cell::Cell;
use std::ptr::{self, NonNull};
use std::sync::atomic::{
    AtomicUsize,
    Ordering::{Acquire, Release},
};
use std::sync::Mutex;

/// Block sizes, smallest first.
pub(crate) const CLASS_SIZES: [usize; 19] = [
    64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 768, 1024, 1536, 2048, 3072, 4096,
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
        if size <= CLASS_SIZES[i] {
            return i;
        }
        i += 1;
    }
    NO_CLASS
}

/// A run of carved blocks, linked through their second word.
#[derive(Clone, Copy)]
struct FreeList {
    head: *mut u8,
    len: usize,
}

const EMPTY: FreeList = FreeList {
    head: ptr::null_mut(),
    len: 0,
};

/// # Safety
/// `block` must be a carved block not in use by anyone else.
unsafe fn next_of(block: *mut u8) -> *mut *mut u8 {
    // SAFETY: blocks are at least 64 bytes and 16-aligned, so word 1 is in bounds and aligned.
    unsafe { block.add(std::mem::size_of::<usize>()).cast() }
}

/// One 64 KiB run of blocks of one class; `carved` blocks at the front have been handed out.
struct Chunk {
    base: usize,
    class: usize,
    carved: AtomicUsize,
}

struct Pool {
    batches: Vec<FreeList>,
    carving: Option<&'static Chunk>,
}

// SAFETY: the raw pointers in a Pool are free blocks owned by the pool, only touched under its mutex.
unsafe impl Send for Pool {}

static POOLS: [Mutex<Pool>; CLASSES] = [const {
    Mutex::new(Pool {
        batches: Vec::new(),
        carving: None,
    })
}; CLASSES];
static CHUNKS: Mutex<Vec<&'static Chunk>> = Mutex::new(Vec::new());

fn pool(class: usize) -> std::sync::MutexGuard<'static, Pool> {
    POOLS[class].lock().unwrap_or_else(|e| e.into_inner())
}

impl Pool {
    /// A batch of free blocks: recycled if possible, else freshly carved.
    fn refill(&mut self, class: usize) -> FreeList {
        if let Some(batch) = self.batches.pop() {
            return batch;
        }
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
                    base: base as usize,
                    class,
                    carved: AtomicUsize::new(0),
                }));
                CHUNKS.lock().unwrap_or_else(|e| e.into_inner()).push(chunk);
                self.carving = Some(chunk);
                chunk
            }
        };
        let start = chunk.carved.load(Acquire);
        let end = (start + BATCH).min(per_chunk);
        let mut list = EMPTY;
        for i in (start..end).rev() {
            let block = (chunk.base + i * size) as *mut u8;
            // SAFETY: `block` lies inside the chunk, is 16-aligned and not yet handed out; the
            // state word is written before `carved` publishes the block to `for_each_block`.
            unsafe {
                ptr::write(block.cast::<AtomicUsize>(), AtomicUsize::new(0));
                *next_of(block) = list.head;
            }
            list = FreeList {
                head: block,
                len: list.len + 1,
            };
        }
        chunk.carved.store(end, Release);
        list
    }
}

/// A thread's free lists, one active and one spare per class.
struct ThreadCache {
    active: [Cell<FreeList>; CLASSES],
    spare: [Cell<FreeList>; CLASSES],
}

impl Drop for ThreadCache {
    fn drop(&mut self) {
        for class in 0..CLASSES {
            for list in [self.active[class].get(), self.spare[class].get()] {
                if list.len > 0 {
                    pool(class).batches.push(list);
                }
            }
        }
    }
}

thread_local! {
    static CACHE: ThreadCache = const {
        ThreadCache {
            active: [const { Cell::new(EMPTY) }; CLASSES],
            spare: [const { Cell::new(EMPTY) }; CLASSES],
        }
    };
}

/// A free block of `class`. Its first word is an `AtomicUsize` holding 0.
pub(crate) fn allocate(class: usize) -> NonNull<u8> {
    let from_cache = CACHE.try_with(|cache| {
        let mut list = cache.active[class].get();
        if list.len == 0 {
            list = cache.spare[class].replace(EMPTY);
            if list.len == 0 {
                list = pool(class).refill(class);
            }
        }
        take_one(&mut list, cache, class)
    });
    match from_cache {
        Ok(block) => block,
        // The thread is exiting and its cache is gone: go to the pool directly.
        Err(_) => {
            let mut pool = pool(class);
            let mut list = pool.refill(class);
            // SAFETY: `list` is a non-empty list of free blocks that we now own.
            let block = unsafe { pop(&mut list) };
            if list.len > 0 {
                pool.batches.push(list);
            }
            block
        }
    }
}

fn take_one(list: &mut FreeList, cache: &ThreadCache, class: usize) -> NonNull<u8> {
    // SAFETY: `list` is non-empty (refill never returns an empty list) and owned by this thread.
    let block = unsafe { pop(list) };
    cache.active[class].set(*list);
    block
}

/// # Safety
/// `list` must be non-empty and owned by the caller.
unsafe fn pop(list: &mut FreeList) -> NonNull<u8> {
    let block = list.head;
    // SAFETY: the head of a non-empty list is a free block whose second word is its link.
    list.head = unsafe { *next_of(block) };
    list.len -= 1;
    // SAFETY: carved blocks are never null.
    unsafe { NonNull::new_unchecked(block) }
}

/// Returns `block` (of `class`) for reuse.
///
/// # Safety
/// `block` came from `allocate(class)`, its state word is 0 and nobody uses it any more.
pub(crate) unsafe fn free(block: NonNull<u8>, class: usize) {
    let block = block.as_ptr();
    let pushed = CACHE.try_with(|cache| {
        let mut list = cache.active[class].get();
        // SAFETY: the caller gave us the block; word 1 is ours to use as the link.
        unsafe { *next_of(block) = list.head };
        list = FreeList {
            head: block,
            len: list.len + 1,
        };
        if list.len >= BATCH {
            let spare = cache.spare[class].replace(list);
            if spare.len > 0 {
                pool(class).batches.push(spare);
            }
            list = EMPTY;
        }
        cache.active[class].set(list);
    });
    if pushed.is_err() {
        // SAFETY: as above.
        unsafe { *next_of(block) = ptr::null_mut() };
        pool(class).batches.push(FreeList {
            head: block,
            len: 1,
        });
    }
}

/// Calls `visit` with every block ever carved (live or free). Only the first word (the state
/// `AtomicUsize`) may be read without first taking a reference on the task.
pub(crate) fn for_each_block(mut visit: impl FnMut(NonNull<u8>)) {
    let chunks: Vec<&'static Chunk> = CHUNKS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for chunk in chunks {
        let size = CLASS_SIZES[chunk.class];
        for i in 0..chunk.carved.load(Acquire) {
            // SAFETY: carved blocks are inside a live (never freed) chunk and non-null.
            visit(unsafe { NonNull::new_unchecked((chunk.base + i * size) as *mut u8) });
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
        assert_eq!(class_for(65, 8), 1);
        assert_eq!(CLASS_SIZES[class_for(100, 16)], 112);
        assert_eq!(class_for(4097, 8), NO_CLASS);
        assert_eq!(class_for(64, 32), NO_CLASS);
        assert!(CLASS_SIZES.iter().all(|s| s % BLOCK_ALIGN == 0));
    }

    #[test]
    fn blocks_are_distinct_aligned_and_recycled() {
        let class = class_for(96, 8);
        let blocks: Vec<_> = (0..1000).map(|_| allocate(class)).collect();
        let distinct: HashSet<_> = blocks.iter().map(|b| b.as_ptr() as usize).collect();
        assert_eq!(distinct.len(), blocks.len());
        assert!(distinct.iter().all(|a| a % BLOCK_ALIGN == 0));
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
