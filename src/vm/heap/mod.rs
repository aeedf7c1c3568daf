//! The garbage-collected heap: aligned 256 KiB pages of one size class each,
//! V8-named spaces, non-moving mark-sweep, and conservative native-stack scanning.
//!
//! Every cell starts with a [`CellHeader`] pointing at a static [`VTable`]
//! (kind, name, trace, drop). Marking is precise over the heap through
//! [`Trace`]; the same `trace` reports named edges to heap-snapshot writers.
//! Mark and allocation bits live in the page header, so a conservative word can
//! be checked (is it in one of our pages, inside an allocated cell?) without
//! touching cell memory.

mod conservative;
mod gc_ref;
mod live_index;
mod roots;
mod stats;

pub use conservative::{current_stack_position, on_clean_stack, scan_native_stack};
pub use gc_ref::Gc;
pub use live_index::{FIRST_OBJECT_ID, LiveIndex};
pub use roots::{Root, RootVisitor};
pub use stats::{HeapStatistics, SpaceStatistics};

use std::collections::HashSet;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};

use super::value::Value;

/// Host allocator hooks for heap pages (C function pointers plus user data).
/// `alloc` returning NULL makes the allocation fail with out-of-memory.
#[derive(Clone, Copy, Debug)]
pub struct HostAllocator {
    pub alloc: unsafe extern "C" fn(user: *mut std::ffi::c_void, size: usize, align: usize) -> *mut std::ffi::c_void,
    pub free: unsafe extern "C" fn(user: *mut std::ffi::c_void, ptr: *mut std::ffi::c_void, size: usize, align: usize),
    pub user: *mut std::ffi::c_void,
}

/// The unwind payload raised (with `std::panic::resume_unwind`, so no panic
/// message is printed) when the system or the host allocator returns no memory
/// for a page. Allocation has no error path, so this unwinds to the embedding
/// boundary, which turns it into the out-of-memory state of that isolate
/// (`SABLE_OUT_OF_MEMORY`); the process and other isolates are unaffected.
#[derive(Debug)]
pub struct HeapExhausted;

impl HeapExhausted {
    /// Whether an unwind payload is a heap exhaustion.
    pub fn is(payload: &(dyn std::any::Any + Send)) -> bool {
        payload.is::<HeapExhausted>()
    }
}

pub(crate) const PAGE_SIZE: usize = 256 * 1024;
const PAGE_MASK: usize = !(PAGE_SIZE - 1);
/// Cells larger than this get a mapping of their own in `large_object_space`.
pub(crate) const LARGE_OBJECT_THRESHOLD: usize = 64 * 1024;
const MAX_CELLS_PER_PAGE: usize = PAGE_SIZE / 16;
const BITMAP_WORDS: usize = MAX_CELLS_PER_PAGE / 64;
const PAGE_MAGIC: u64 = 0x5AB1_E0F0_9A6E_0001;
const POISON_BYTE: u8 = 0xDB;

/// Size classes (bytes). Cells are rounded up to the next class.
const SIZE_CLASSES: [usize; 30] = [
    16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 1024, 1280, 1536, 2048, 3072, 4096, 6144, 8192, 16384, 24576, 32768,
    65536,
];

/// What a cell is; the GC does not care, the VM and snapshot writer do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum CellKind {
    Free,
    String,
    Symbol,
    BigInt,
    Object,
    Shape,
    Env,
    Code,
    Accessor,
    Realm,
    Internal,
}

/// Per-type operations of a cell, one static instance per Rust cell type.
pub struct VTable {
    pub kind: CellKind,
    pub name: &'static str,
    pub trace: unsafe fn(*const CellHeader, &mut dyn Visitor),
    pub clear_dead_weak: unsafe fn(*mut CellHeader, &mut WeakSweep<'_>),
    pub drop: unsafe fn(*mut CellHeader),
    /// Bytes the cell owns in the Rust heap (vectors, tables).
    pub malloc_size: unsafe fn(*const CellHeader) -> usize,
    /// Host-owned bytes the cell keeps alive (external strings).
    pub external_size: unsafe fn(*const CellHeader) -> usize,
}

#[repr(C)]
pub struct CellHeader {
    vtable: &'static VTable,
}

impl CellHeader {
    pub const fn new(vtable: &'static VTable) -> CellHeader {
        CellHeader { vtable }
    }
    #[inline]
    pub fn kind(&self) -> CellKind {
        self.vtable.kind
    }
    #[inline]
    pub fn vtable(&self) -> &'static VTable {
        self.vtable
    }
}

/// The kind of a reference between cells, as heap snapshots name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    Context,
    Element,
    Property,
    Internal,
    Hidden,
    Shortcut,
    Weak,
}

/// The name of an edge: a string, an element index, or nothing.
#[derive(Clone, Copy, Debug)]
pub enum EdgeName<'a> {
    Str(&'a str),
    Index(u32),
    Value(Value),
    None,
}

/// Receives the outgoing references of a cell.
///
/// `EdgeKind::Weak` edges do not keep their target alive: the collector skips
/// them and afterwards asks the cell to drop the dead ones
/// ([`Trace::clear_dead_weak`]).
pub trait Visitor {
    fn edge(&mut self, kind: EdgeKind, name: EdgeName<'_>, target: Value);
    /// A WeakMap / WeakSet entry (an ephemeron): `value` is reachable through
    /// it only while `key` is alive for some other reason.
    fn ephemeron(&mut self, key: Value, value: Value) {
        self.edge(EdgeKind::Weak, EdgeName::Str("key"), key);
        self.edge(EdgeKind::Internal, EdgeName::Str("value"), value);
    }
}

/// Reports every outgoing reference of a cell (the GC and the snapshot writer share it).
pub trait Trace {
    fn trace(&self, v: &mut dyn Visitor);
    /// Called after marking on a live cell that reported weak edges or
    /// ephemerons: forget the references whose target did not survive.
    fn clear_dead_weak(&mut self, _sweep: &mut WeakSweep<'_>) {}
    /// Bytes this cell owns in the Rust heap outside its page (vector and
    /// table buffers): reported as `malloced_memory`, counted against the limit.
    fn malloc_size(&self) -> usize {
        0
    }
    /// Host-owned bytes this cell keeps alive (an external string's
    /// characters): reported as `external_memory`.
    fn external_size(&self) -> usize {
        0
    }
}

/// What [`Trace::clear_dead_weak`] can ask of the collector.
pub struct WeakSweep<'h> {
    heap: &'h Heap,
    this: Value,
    /// Cells that asked for a finalization-cleanup job.
    pub(crate) cleanups: Vec<Value>,
}

impl WeakSweep<'_> {
    /// Whether `v` survives this collection (non-cells always do).
    #[inline]
    pub fn is_live(&self, v: Value) -> bool {
        self.heap.is_live(v)
    }
    /// Asks the VM to queue a FinalizationRegistry cleanup job for the cell
    /// being swept (HostEnqueueFinalizationRegistryCleanupJob).
    pub fn schedule_cleanup(&mut self) {
        self.cleanups.push(self.this);
    }
}

/// A Rust type that lives in the GC heap. Implement with [`impl_cell!`].
///
/// # Safety
/// The type must be `#[repr(C)]` with a `CellHeader` as its first field
/// initialised with `Self::VTABLE`.
pub unsafe trait Cell: Trace + Sized {
    const KIND: CellKind;
    const NAME: &'static str;
    const VTABLE: VTable = VTable {
        kind: Self::KIND,
        name: Self::NAME,
        trace: trace_cell::<Self>,
        clear_dead_weak: clear_dead_weak_cell::<Self>,
        drop: drop_cell::<Self>,
        malloc_size: malloc_size_cell::<Self>,
        external_size: external_size_cell::<Self>,
    };
}

unsafe fn trace_cell<T: Cell>(p: *const CellHeader, v: &mut dyn Visitor) {
    // SAFETY: the vtable is only installed on cells of type T.
    unsafe { (*(p as *const T)).trace(v) }
}
unsafe fn clear_dead_weak_cell<T: Cell>(p: *mut CellHeader, sweep: &mut WeakSweep<'_>) {
    // SAFETY: the vtable is only installed on cells of type T; the collector
    // holds no other reference into the cell while sweeping weak edges.
    unsafe { (*(p as *mut T)).clear_dead_weak(sweep) }
}
unsafe fn malloc_size_cell<T: Cell>(p: *const CellHeader) -> usize {
    // SAFETY: the vtable is only installed on cells of type T.
    unsafe { (*(p as *const T)).malloc_size() }
}
unsafe fn external_size_cell<T: Cell>(p: *const CellHeader) -> usize {
    // SAFETY: the vtable is only installed on cells of type T.
    unsafe { (*(p as *const T)).external_size() }
}
unsafe fn drop_cell<T: Cell>(p: *mut CellHeader) {
    // SAFETY: the vtable is only installed on cells of type T; called once at sweep.
    unsafe { std::ptr::drop_in_place(p as *mut T) }
}

/// Declares a cell type: `impl_cell!(JsObject, CellKind::Object, "Object");`
#[macro_export]
macro_rules! impl_cell {
    ($t:ty, $kind:expr, $name:expr) => {
        // SAFETY: the type is #[repr(C)] with a CellHeader first (checked by its constructor).
        unsafe impl $crate::vm::heap::Cell for $t {
            const KIND: $crate::vm::heap::CellKind = $kind;
            const NAME: &'static str = $name;
        }
    };
}

/// The header for a new cell of type `T`.
pub const fn header_for<T: Cell>() -> CellHeader {
    CellHeader { vtable: &<T as CellVTableHolder>::VT }
}

trait CellVTableHolder {
    const VT: VTable;
}
impl<T: Cell> CellVTableHolder for T {
    const VT: VTable = T::VTABLE;
}

static FREE_VTABLE: VTable =
    VTable { kind: CellKind::Free, name: "(free)", trace: |_, _| {}, clear_dead_weak: |_, _| {}, drop: |_| {}, malloc_size: |_| 0, external_size: |_| 0 };

/// A freed cell on a page's free list.
#[repr(C)]
struct FreeCell {
    header: CellHeader,
    next: *mut FreeCell,
}

/// V8's space names, used by statistics and snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Space {
    ReadOnly = 0,
    New = 1,
    Old = 2,
    Code = 3,
    Map = 4,
    Large = 5,
}

/// The spaces' V8 names in [`Space`] order, NUL-terminated for C hosts.
pub const SPACE_C_NAMES: [&std::ffi::CStr; 6] = [c"read_only_space", c"new_space", c"old_space", c"code_space", c"map_space", c"large_object_space"];
/// [`SPACE_C_NAMES`] as Rust strings (one list, two views).
pub const SPACE_NAMES: [&str; 6] = {
    let mut out = [""; 6];
    let mut i = 0;
    while i < out.len() {
        out[i] = match SPACE_C_NAMES[i].to_str() {
            Ok(s) => s,
            Err(_) => panic!("space names are ASCII"),
        };
        i += 1;
    }
    out
};

#[repr(C)]
struct PageHeader {
    magic: u64,
    space: Space,
    cell_size: usize,
    first_cell: usize,
    cell_count: usize,
    /// Cells at index >= bump were never allocated.
    bump: usize,
    free_list: *mut FreeCell,
    live_cells: usize,
    mapping_size: usize,
    /// The page's position in the page list while a heap snapshot is written.
    snapshot_slot: u32,
    /// Heap-snapshot ids of the page's cells (`cell_count` entries, 0 = none
    /// yet), allocated the first time a snapshot sees the page.
    ids: *mut u32,
    mark: [u64; BITMAP_WORDS],
    alloc: [u64; BITMAP_WORDS],
}

impl PageHeader {
    #[inline]
    fn test(bits: &[u64; BITMAP_WORDS], i: usize) -> bool {
        bits[i / 64] & (1 << (i % 64)) != 0
    }
    #[inline]
    fn set(bits: &mut [u64; BITMAP_WORDS], i: usize) {
        bits[i / 64] |= 1 << (i % 64);
    }
    #[inline]
    fn clear(bits: &mut [u64; BITMAP_WORDS], i: usize) {
        bits[i / 64] &= !(1 << (i % 64));
    }
    fn cell_addr(&self, i: usize) -> usize {
        self as *const _ as usize + self.first_cell + i * self.cell_size
    }
}

const FIRST_CELL_OFFSET: usize = (std::mem::size_of::<PageHeader>() + 15) & !15;

/// Byte counts per space.
#[derive(Clone, Copy, Debug, Default)]
pub struct SpaceStats {
    pub committed: usize,
    pub used: usize,
}

/// The heap of one isolate.
pub struct Heap {
    /// Pages with free cells per (paged space, size class index).
    partial: Vec<Vec<*mut PageHeader>>,
    pages: HashSet<usize>,
    all_pages: Vec<*mut PageHeader>,
    allocator: Option<HostAllocator>,
    mark_stack: Vec<*const CellHeader>,
    /// Ephemerons whose key was not (yet) marked during this cycle.
    ephemerons: Vec<(Value, Value)>,
    /// Marked cells that reported weak edges or ephemerons this cycle.
    weak_holders: Vec<*const CellHeader>,
    pub stats: [SpaceStats; 6],
    /// Rust-heap bytes owned by cells (vector and table buffers): recounted
    /// exactly at each collection, raised as buffers grow in between, and
    /// counted against the limit with the cells themselves.
    pub malloced_bytes: usize,
    /// The largest `malloced_bytes` seen.
    pub peak_malloced: usize,
    /// Host-owned bytes kept alive by cells (external strings), recounted at
    /// each collection.
    pub external_bytes: usize,
    /// External memory the host reported (`adjust_external_memory`).
    pub adjusted_external: i64,
    /// Collect when cells hold this many external bytes (array buffers):
    /// a loop of large short-lived buffers must not wait for the JS heap.
    next_external_gc: usize,
    pub limit: usize,
    next_gc: usize,
    pub stress: bool,
    pub gc_count: u64,
    /// The next heap-snapshot id to hand out (odd, increasing by 2).
    next_object_id: std::cell::Cell<u32>,
}

const NUM_CLASSES: usize = SIZE_CLASSES.len();
/// Spaces of small cells, each with its own pages per size class. Fresh pages
/// for ordinary cells belong to `new_space`; a collection promotes them to
/// `old_space` in place (the heap never moves a cell).
const PAGED_SPACES: [Space; 4] = [Space::Old, Space::Code, Space::Map, Space::New];

/// Cells traced between two looks at the flag that stops a marking
/// (a few hundred microseconds of work).
pub const MARK_POLL_CELLS: u32 = 4096;

fn class_index(size: usize) -> usize {
    SIZE_CLASSES.iter().position(|&c| c >= size).expect("size above the large-object threshold")
}

fn space_slot(space: Space) -> usize {
    match space {
        Space::Code => 1,
        Space::Map => 2,
        Space::New => 3,
        _ => 0,
    }
}

impl Heap {
    pub fn new(limit: usize, allocator: Option<HostAllocator>, stress: bool) -> Heap {
        Heap {
            partial: vec![Vec::new(); NUM_CLASSES * PAGED_SPACES.len()],
            pages: HashSet::new(),
            all_pages: Vec::new(),
            allocator,
            mark_stack: Vec::new(),
            ephemerons: Vec::new(),
            weak_holders: Vec::new(),
            stats: Default::default(),
            malloced_bytes: 0,
            peak_malloced: 0,
            external_bytes: 0,
            adjusted_external: 0,
            next_external_gc: 64 << 20,
            limit,
            next_gc: 8 << 20,
            stress,
            gc_count: 0,
            next_object_id: std::cell::Cell::new(FIRST_OBJECT_ID),
        }
    }

    /// Bytes counted against the heap limit: cells and the buffers they own.
    pub fn used_bytes(&self) -> usize {
        self.cell_bytes() + self.malloced_bytes
    }
    /// Bytes occupied by allocated cells, all spaces (`used_heap_size`).
    pub fn cell_bytes(&self) -> usize {
        self.stats.iter().map(|s| s.used).sum::<usize>()
    }
    /// External memory: host-owned bytes held by cells plus what the host reported.
    pub fn external_memory(&self) -> usize {
        (self.external_bytes as i64).saturating_add(self.adjusted_external).max(0) as usize
    }
    pub fn committed_bytes(&self) -> usize {
        self.stats.iter().map(|s| s.committed).sum()
    }
    /// True when a collection should run at the next safepoint.
    #[inline]
    pub fn wants_gc(&self) -> bool {
        self.stress || self.used_bytes() > self.next_gc || self.external_bytes > self.next_external_gc
    }
    pub fn over_limit(&self) -> bool {
        self.used_bytes() > self.limit
    }
    /// Would allocating `extra` more bytes exceed the hard limit?
    pub fn would_exceed(&self, extra: usize) -> bool {
        self.used_bytes().saturating_add(extra) > self.limit
    }

    fn map_pages(&mut self, size: usize) -> *mut u8 {
        let p = match self.allocator {
            // SAFETY: host-provided allocator called with a valid size and alignment.
            Some(a) => unsafe { (a.alloc)(a.user, size, PAGE_SIZE) as *mut u8 },
            None => {
                let mut p: *mut libc::c_void = std::ptr::null_mut();
                // SAFETY: posix_memalign with a power-of-two alignment writes p or fails.
                let rc = unsafe { libc::posix_memalign(&mut p, PAGE_SIZE, size) };
                if rc != 0 { std::ptr::null_mut() } else { p as *mut u8 }
            }
        };
        if p.is_null() {
            // Nothing was changed yet, so the heap stays consistent for dispose.
            std::panic::resume_unwind(Box::new(HeapExhausted));
        }
        p
    }

    fn unmap_pages(&mut self, p: *mut u8, size: usize) {
        match self.allocator {
            // SAFETY: p came from the same host allocator with this size and alignment.
            Some(a) => unsafe { (a.free)(a.user, p as *mut _, size, PAGE_SIZE) },
            // SAFETY: p came from posix_memalign.
            None => unsafe { libc::free(p as *mut _) },
        }
    }

    fn new_page(&mut self, space: Space, cell_size: usize, mapping_size: usize) -> *mut PageHeader {
        let base = self.map_pages(mapping_size);
        let cell_count = if space == Space::Large { 1 } else { (PAGE_SIZE - FIRST_CELL_OFFSET) / cell_size };
        let hdr = base as *mut PageHeader;
        // SAFETY: base is a fresh, aligned mapping at least FIRST_CELL_OFFSET bytes long.
        unsafe {
            hdr.write(PageHeader {
                magic: PAGE_MAGIC,
                space,
                cell_size,
                first_cell: FIRST_CELL_OFFSET,
                cell_count,
                bump: 0,
                free_list: std::ptr::null_mut(),
                live_cells: 0,
                mapping_size,
                snapshot_slot: 0,
                ids: std::ptr::null_mut(),
                mark: [0; BITMAP_WORDS],
                alloc: [0; BITMAP_WORDS],
            });
        }
        self.pages.insert(base as usize);
        self.all_pages.push(hdr);
        self.stats[space as usize].committed += mapping_size;
        hdr
    }

    /// Allocates raw, uninitialised memory for a cell of `size` bytes in `space`.
    /// The caller must write a valid `CellHeader` before the next safepoint.
    pub fn alloc_raw(&mut self, space: Space, size: usize) -> NonNull<u8> {
        let size = size.max(16);
        if size > LARGE_OBJECT_THRESHOLD {
            let mapping = (FIRST_CELL_OFFSET + size + PAGE_SIZE - 1) & PAGE_MASK;
            let hdr = self.new_page(Space::Large, size, mapping);
            // SAFETY: hdr is the header we just wrote.
            unsafe {
                (*hdr).bump = 1;
                (*hdr).live_cells = 1;
                PageHeader::set(&mut (*hdr).alloc, 0);
                self.stats[Space::Large as usize].used += size;
                return NonNull::new_unchecked((*hdr).cell_addr(0) as *mut u8);
            }
        }
        let class = class_index(size);
        let cell_size = SIZE_CLASSES[class];
        let mut slot = space_slot(space) * NUM_CLASSES + class;
        loop {
            let page = match self.partial[slot].last() {
                Some(&p) => p,
                // Ordinary cells fill the free cells of old pages first, then
                // open new-space pages.
                None if slot / NUM_CLASSES == space_slot(Space::Old) => {
                    slot = space_slot(Space::New) * NUM_CLASSES + class;
                    continue;
                }
                None => {
                    let p = self.new_page(PAGED_SPACES[slot / NUM_CLASSES], cell_size, PAGE_SIZE);
                    self.partial[slot].push(p);
                    p
                }
            };
            // SAFETY: every page in `partial` is a live page header of this heap.
            let page = unsafe { &mut *page };
            let index;
            if !page.free_list.is_null() {
                let cell = page.free_list;
                // SAFETY: free-list entries are FreeCells written by sweep.
                page.free_list = unsafe { (*cell).next };
                index = (cell as usize - page.cell_addr(0)) / cell_size;
            } else if page.bump < page.cell_count {
                index = page.bump;
                page.bump += 1;
            } else {
                self.partial[slot].pop();
                continue;
            }
            PageHeader::set(&mut page.alloc, index);
            page.live_cells += 1;
            self.stats[page.space as usize].used += cell_size;
            // SAFETY: the address lies inside the page's cell area.
            return unsafe { NonNull::new_unchecked(page.cell_addr(index) as *mut u8) };
        }
    }

    /// Allocates a cell holding `value`.
    pub fn alloc<T: Cell>(&mut self, space: Space, value: T) -> Gc<T> {
        let p = self.alloc_raw(space, std::mem::size_of::<T>()).cast::<T>();
        // SAFETY: p is fresh memory of at least size_of::<T>() bytes, 16-aligned.
        unsafe {
            p.as_ptr().write(value);
            Gc::from_raw(p)
        }
    }

    // ----- marking -----

    #[inline]
    fn page_of(addr: usize) -> *mut PageHeader {
        (addr & PAGE_MASK) as *mut PageHeader
    }

    /// Marks a cell known to be live and valid (precise reference).
    #[inline]
    pub fn mark_cell(&mut self, cell: *const CellHeader) {
        let page = Self::page_of(cell as usize);
        // SAFETY: a precise reference always points into one of our pages.
        unsafe {
            let index = (cell as usize - (*page).cell_addr(0)) / (*page).cell_size;
            if PageHeader::test(&(*page).mark, index) {
                return;
            }
            PageHeader::set(&mut (*page).mark, index);
        }
        self.mark_stack.push(cell);
    }

    #[inline]
    pub fn mark_value(&mut self, v: Value) {
        if v.is_cell() {
            self.mark_cell(v.as_cell());
        }
    }

    /// The allocated cell `word` points into (interior pointers included), if any.
    pub fn cell_containing(&self, word: usize) -> Option<*const CellHeader> {
        if word < 0x10000 {
            return None;
        }
        let base = word & PAGE_MASK;
        if !self.pages.contains(&base) {
            return None;
        }
        let page = base as *mut PageHeader;
        // SAFETY: base is one of our live pages.
        unsafe {
            let first = (*page).cell_addr(0);
            if word < first {
                return None;
            }
            let index = (word - first) / (*page).cell_size;
            if index >= (*page).bump || !PageHeader::test(&(*page).alloc, index) {
                return None;
            }
            Some((*page).cell_addr(index) as *const CellHeader)
        }
    }

    /// Traces everything reachable from what was marked so far. Weak edges
    /// are not followed; ephemerons are followed once their key is marked.
    /// Gives up, returning false, when `stop` is raised (checked every
    /// [`MARK_POLL_CELLS`] cells): the marks are then incomplete and must be
    /// dropped with [`Heap::abandon_marking`].
    pub fn drain_mark_stack(&mut self, stop: Option<&AtomicBool>) -> bool {
        struct Marker<'h> {
            heap: &'h mut Heap,
            saw_weak: bool,
        }
        impl Visitor for Marker<'_> {
            #[inline]
            fn edge(&mut self, kind: EdgeKind, _n: EdgeName<'_>, target: Value) {
                if kind == EdgeKind::Weak {
                    self.saw_weak |= target.is_cell();
                } else {
                    self.heap.mark_value(target);
                }
            }
            fn ephemeron(&mut self, key: Value, value: Value) {
                self.saw_weak = true;
                if !key.is_cell() || self.heap.is_marked(key.as_cell()) {
                    self.heap.mark_value(value);
                } else if value.is_cell() {
                    self.heap.ephemerons.push((key, value));
                }
            }
        }
        let mut until_poll = MARK_POLL_CELLS;
        while let Some(cell) = self.mark_stack.pop() {
            until_poll -= 1;
            if until_poll == 0 {
                until_poll = MARK_POLL_CELLS;
                if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                    self.mark_stack.push(cell);
                    return false;
                }
            }
            let mut marker = Marker { heap: self, saw_weak: false };
            // SAFETY: only live, initialised cells are pushed.
            unsafe {
                let trace = (*cell).vtable.trace;
                trace(cell, &mut marker);
            }
            if marker.saw_weak {
                self.weak_holders.push(cell);
            }
        }
        true
    }

    /// Finishes marking: drains the mark stack and iterates the ephemerons to
    /// a fixpoint (a value becomes reachable when its key does). False if
    /// `stop` was raised first (see [`Heap::drain_mark_stack`]).
    pub fn finish_marking(&mut self, stop: Option<&AtomicBool>) -> bool {
        loop {
            if !self.drain_mark_stack(stop) {
                return false;
            }
            let pending = std::mem::take(&mut self.ephemerons);
            let mut progressed = false;
            for (key, value) in pending {
                if self.is_marked(key.as_cell()) {
                    self.mark_value(value);
                    progressed = true;
                } else {
                    self.ephemerons.push((key, value));
                }
            }
            if !progressed {
                break;
            }
        }
        self.ephemerons.clear();
        true
    }

    /// Drops the work of a marking that gave up: nothing is freed, and the
    /// next collection starts from clean mark bits.
    pub fn abandon_marking(&mut self) {
        self.mark_stack.clear();
        self.ephemerons.clear();
        self.weak_holders.clear();
        self.clear_marks();
    }

    /// After marking: every cell that holds weak references forgets the dead
    /// ones. Returns the cells that asked for a finalization-cleanup job.
    pub fn clear_dead_weak(&mut self) -> Vec<Value> {
        let holders = std::mem::take(&mut self.weak_holders);
        let mut sweep = WeakSweep { heap: self, this: Value::UNDEFINED, cleanups: Vec::new() };
        for &cell in &holders {
            sweep.this = Value::from_cell(cell as *mut CellHeader);
            // SAFETY: holders are marked (live) cells; nothing else borrows them now.
            unsafe {
                let f = (*cell).vtable.clear_dead_weak;
                f(cell as *mut CellHeader, &mut sweep);
            }
        }
        sweep.cleanups
    }

    /// Whether `v` is a non-cell or a cell marked in the current cycle.
    #[inline]
    pub fn is_live(&self, v: Value) -> bool {
        !v.is_cell() || self.is_marked(v.as_cell())
    }

    /// Is this cell marked in the current cycle? (For weak processing.)
    pub fn is_marked(&self, cell: *const CellHeader) -> bool {
        let page = Self::page_of(cell as usize);
        // SAFETY: cell is a valid cell pointer of this heap.
        unsafe {
            let index = (cell as usize - (*page).cell_addr(0)) / (*page).cell_size;
            PageHeader::test(&(*page).mark, index)
        }
    }

    /// Frees every unmarked cell (running its drop) and clears the mark bits.
    pub fn sweep(&mut self) {
        let mut dead_large = Vec::new();
        for i in 0..NUM_CLASSES * PAGED_SPACES.len() {
            self.partial[i].clear();
        }
        for &page_ptr in &self.all_pages {
            // SAFETY: all_pages holds our live page headers.
            let page = unsafe { &mut *page_ptr };
            for index in 0..page.bump {
                if PageHeader::test(&page.alloc, index) && !PageHeader::test(&page.mark, index) {
                    let cell = page.cell_addr(index) as *mut CellHeader;
                    // SAFETY: an allocated, unmarked cell is garbage; drop it once.
                    unsafe {
                        ((*cell).vtable.drop)(cell);
                        if self.stress {
                            std::ptr::write_bytes(cell as *mut u8, POISON_BYTE, page.cell_size);
                        }
                        if page.space != Space::Large {
                            let free = cell as *mut FreeCell;
                            free.write(FreeCell { header: CellHeader::new(&FREE_VTABLE), next: page.free_list });
                            page.free_list = free;
                        }
                    }
                    PageHeader::clear(&mut page.alloc, index);
                    if !page.ids.is_null() {
                        // SAFETY: the id table has cell_count entries and index < bump <= cell_count.
                        unsafe { *page.ids.add(index) = 0 };
                    }
                    page.live_cells -= 1;
                    self.stats[page.space as usize].used -= page.cell_size;
                }
            }
            page.mark = [0; BITMAP_WORDS];
            if page.space == Space::New {
                // Survivors are promoted in place: the page joins old space.
                page.space = Space::Old;
                let (committed, used) = (page.mapping_size, page.live_cells * page.cell_size);
                self.stats[Space::New as usize].committed -= committed;
                self.stats[Space::New as usize].used -= used;
                self.stats[Space::Old as usize].committed += committed;
                self.stats[Space::Old as usize].used += used;
            }
            if page.space == Space::Large {
                if page.live_cells == 0 {
                    dead_large.push(page_ptr);
                }
            } else if !page.free_list.is_null() || page.bump < page.cell_count {
                let class = class_index(page.cell_size);
                self.partial[space_slot(page.space) * NUM_CLASSES + class].push(page_ptr);
            }
        }
        for page in dead_large {
            // SAFETY: page is a dead large-object mapping; nothing references it.
            let size = unsafe { (*page).mapping_size };
            self.pages.remove(&(page as usize));
            self.all_pages.retain(|&p| p != page);
            self.stats[Space::Large as usize].committed -= size;
            // SAFETY: the page is dead and about to be unmapped.
            unsafe { live_index::free_ids(page) };
            self.unmap_pages(page as *mut u8, size);
        }
        self.gc_count += 1;
        let used = self.used_bytes();
        self.next_gc = (used * 2).max(8 << 20).min(self.limit.max(1) / 4 * 3 + used / 4);
        self.next_gc = self.next_gc.max(used + (1 << 20));
    }

    /// Counts `bytes` of external memory a new cell holds (an array
    /// buffer's backing store) until the next collection recounts it.
    pub fn note_external_allocation(&mut self, bytes: usize) {
        self.external_bytes = self.external_bytes.saturating_add(bytes);
    }
    /// Sets the next external-memory trigger after a recount.
    pub fn external_recounted(&mut self) {
        self.next_external_gc = (self.external_bytes.saturating_mul(2)).max(64 << 20);
    }

    /// Raises the limit (near-heap-limit callbacks).
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// Visits every allocated cell (heap snapshots, statistics).
    pub fn for_each_cell(&self, mut f: impl FnMut(*const CellHeader, Space, usize)) {
        for &page_ptr in &self.all_pages {
            // SAFETY: all_pages holds our live page headers.
            let page = unsafe { &*page_ptr };
            for index in 0..page.bump {
                if PageHeader::test(&page.alloc, index) {
                    f(page.cell_addr(index) as *const CellHeader, page.space, page.cell_size);
                }
            }
        }
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        let pages = std::mem::take(&mut self.all_pages);
        for page_ptr in pages {
            // SAFETY: every allocated cell is dropped once, then the page is released.
            unsafe {
                let page = &mut *page_ptr;
                debug_assert_eq!(page.magic, PAGE_MAGIC);
                for index in 0..page.bump {
                    if PageHeader::test(&page.alloc, index) {
                        let cell = page.cell_addr(index) as *mut CellHeader;
                        ((*cell).vtable.drop)(cell);
                    }
                }
                let size = page.mapping_size;
                live_index::free_ids(page_ptr);
                self.unmap_pages(page_ptr as *mut u8, size);
            }
        }
    }
}
