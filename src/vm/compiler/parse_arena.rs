//! The arena oxc parses into, bounded by what the isolate's heap limit has
//! left, so the parser's memory counts against the limit while it lives.
//!
//! An AST takes about 20 bytes per source byte, and oxc's speculative parse
//! of `(a=(a=(a=...` takes memory quadratic in its depth (4,000 levels, 12 KB
//! of source, took 1 GB). The arena is one fixed chunk at the top of a
//! [`Region`] of address space reserved without committing memory (only the
//! pages a parse touches are backed), as big as the heap's headroom. When it
//! runs out, oxc_allocator (vendored with Sable's patch, `vendor/README.md`)
//! unwinds with [`oxc_allocator::ArenaExhausted`]; [`catch_exhaustion`]
//! turns that into a value, and the compiler asks the heap for more room (a
//! collection, then the near-heap-limit callbacks) or fails with
//! out-of-memory.
//!
//! An isolate keeps its region between compilations, so an eval pays no
//! system call and no page fault for the pages the previous one touched;
//! beyond [`KEEP_TOUCHED`] they go back to the system after each parse.

use std::mem::ManuallyDrop;

use oxc_allocator::{Allocator, ArenaExhausted};

/// The smallest arena a parse gets, even with less headroom: a small source
/// never fails for want of a few pages (the retry after a collection would
/// cost more than these pages are worth).
const MIN_CAPACITY: usize = 1 << 20;
/// The largest arena reserved, whatever the heap limit (address space).
const MAX_CAPACITY: usize = 1 << 40;
/// Touched arena pages an isolate keeps for its next parse.
const KEEP_TOUCHED: usize = 2 << 20;
const PAGE: usize = 4096;

/// Address space reserved without committing memory, unmapped on drop.
pub(crate) struct Region {
    base: *mut u8,
    len: usize,
}

// SAFETY: a region is plain address space owned by one isolate (or one
// parse worker); whoever holds it is its only user.
unsafe impl Send for Region {}

impl Region {
    #[cfg(unix)]
    fn reserve(len: usize) -> Option<Region> {
        // SAFETY: a fresh anonymous private mapping, owned by the Region.
        let base = unsafe {
            libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE, -1, 0)
        };
        (base != libc::MAP_FAILED).then_some(Region { base: base as *mut u8, len })
    }

    #[cfg(not(unix))]
    fn reserve(_len: usize) -> Option<Region> {
        None
    }

    /// Gives the pages of `[end - touched, end - KEEP_TOUCHED)` back to the
    /// system (they read as zeros if touched again).
    fn release_below_kept(&self, touched: usize) {
        #[cfg(target_os = "linux")]
        if touched > KEEP_TOUCHED {
            let end = self.base as usize + self.len;
            let from = (end - touched.min(self.len)) & !(PAGE - 1);
            let to = end - KEEP_TOUCHED;
            // SAFETY: a page-aligned range inside the mapping, which no
            // arena uses any more.
            unsafe { libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_DONTNEED) };
        }
        #[cfg(not(target_os = "linux"))]
        let _ = touched;
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: the mapping was made by `reserve`, and no arena uses it any
        // more (a ParseArena owns the region it lives in).
        unsafe {
            libc::munmap(self.base as *mut libc::c_void, self.len);
        }
    }
}

/// An oxc arena of fixed capacity; see the module doc.
pub(crate) struct ParseArena {
    /// Never dropped when it lives in `region` (it must not free memory it
    /// does not own); dropped when it is oxc's growable arena.
    allocator: ManuallyDrop<Allocator>,
    /// None: no address space could be reserved, and this is oxc's
    /// growable arena.
    capacity: Option<usize>,
    /// The region the arena lives in; declared after `allocator` so any
    /// borrow of the allocator ends first.
    region: Option<Region>,
}

impl ParseArena {
    /// An arena holding at most `capacity` bytes (rounded up to whole pages,
    /// and at least [`MIN_CAPACITY`]), at the top of `region` when that is
    /// big enough, else of a new region. If no address space can be
    /// reserved, the arena is unbounded, as oxc's default one.
    pub(crate) fn bounded(region: Option<Region>, capacity: usize) -> ParseArena {
        let capacity = capacity.clamp(MIN_CAPACITY, MAX_CAPACITY).next_multiple_of(PAGE);
        let region = match region {
            Some(region) if region.len >= capacity => Some(region),
            _ => Region::reserve(capacity),
        };
        let Some(region) = region else {
            return ParseArena { allocator: ManuallyDrop::new(Allocator::default()), capacity: None, region: None };
        };
        // SAFETY: `start` is page-aligned (Allocator::RAW_MIN_ALIGN is far
        // smaller) and `start..start + capacity` is the writable top of the
        // region, a whole number of pages (at least RAW_MIN_SIZE). The
        // allocator never frees it: it is ManuallyDrop, and the region is
        // unmapped by its own Drop, after every borrow of the allocator.
        let allocator = unsafe {
            let start = std::ptr::NonNull::new_unchecked(region.base.add(region.len - capacity));
            let layout = std::alloc::Layout::from_size_align_unchecked(capacity, PAGE);
            Allocator::from_raw_parts(start, capacity, start, layout)
        };
        ParseArena { allocator: ManuallyDrop::new(allocator), capacity: Some(capacity), region: Some(region) }
    }

    /// The allocator to parse into.
    pub(crate) fn allocator(&self) -> &Allocator {
        &self.allocator
    }

    /// How many bytes the arena can hold; None if it is unbounded.
    pub(crate) fn capacity(&self) -> Option<usize> {
        self.capacity
    }

    /// Ends the arena and hands back its region for the next parse, with the
    /// pages this parse touched beyond [`KEEP_TOUCHED`] given back.
    pub(crate) fn into_region(mut self) -> Option<Region> {
        let region = self.region.take()?;
        region.release_below_kept(self.allocator.used_bytes());
        Some(region)
    }
}

impl Drop for ParseArena {
    fn drop(&mut self) {
        if self.capacity.is_none() {
            // SAFETY: dropped once, here; a growable arena frees its own chunks.
            unsafe { ManuallyDrop::drop(&mut self.allocator) }
        }
        // A region still held is unmapped when the field drops.
    }
}

/// Runs `parse`, turning an exhausted arena into None. Any other panic goes on.
pub(crate) fn catch_exhaustion<R>(parse: impl FnOnce() -> R) -> Option<R> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse)) {
        Ok(result) => Some(result),
        Err(payload) if payload.is::<ArenaExhausted>() => None,
        Err(payload) => std::panic::resume_unwind(payload),
    }
}
