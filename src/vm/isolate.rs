//! The VM state of one isolate: heap, atoms, realms, the VM register stack and
//! frames, handles and globals, the job queue, limits, termination, and the
//! garbage-collection entry point that enumerates the roots.

use std::collections::{HashMap, VecDeque};
use std::ffi::c_void;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::Mutex;

use super::heap::{EdgeName, Gc, Heap, HostAllocator, Root, RootVisitor, current_stack_position, scan_native_stack};
use super::interp::Frame;
use super::object::string::AtomTable;
use super::object::{JsString, Shape, Symbol};
use super::runtime::flags;
use super::runtime::heap_hooks::{GcReason, HeapHooks};
use super::runtime::names::{Names, WellKnownSymbols};
use super::runtime::realm::Realm;
use super::value::Value;
use super::{JsResult, Unwind};

pub use super::heap::HeapStatistics;

pub(crate) const DEFAULT_HEAP_LIMIT: usize = 4 << 30;
pub(crate) const DEFAULT_NATIVE_STACK_LIMIT: usize = 1 << 20;
/// Stack kept free below the native stack limit: room for the frames a
/// builtin or the host runs between two stack checks.
const STACK_SAFETY_MARGIN: usize = 64 << 10;

/// The lowest address of the current thread's stack, from the thread's own
/// attributes (cached per thread); None if the system cannot tell.
fn thread_stack_low() -> Option<usize> {
    thread_local! {
        static LOW: std::cell::Cell<Option<Option<usize>>> = const { std::cell::Cell::new(None) };
    }
    LOW.with(|c| {
        if let Some(v) = c.get() {
            return v;
        }
        let v = query_thread_stack_low();
        c.set(Some(v));
        v
    })
}

/// The lowest address recursive Rust code on this thread may reach: the
/// thread's real stack bottom plus the safety margin (0 if unknown).
pub(crate) fn native_stack_floor() -> usize {
    thread_stack_low().map_or(0, |low| low + STACK_SAFETY_MARGIN)
}

/// Native stack left below the caller before the safety margin. Where the
/// system cannot tell the thread's stack bounds, a conservative 512 KiB.
pub(crate) fn native_stack_available() -> usize {
    match thread_stack_low() {
        Some(low) => current_stack_position().saturating_sub(low + STACK_SAFETY_MARGIN),
        None => 512 << 10,
    }
}

#[cfg(target_os = "linux")]
fn query_thread_stack_low() -> Option<usize> {
    // SAFETY: pthread_getattr_np fills an attribute object for this thread,
    // which is destroyed after reading its stack address and size.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let rc = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        if rc != 0 || addr.is_null() { None } else { Some(addr as usize) }
    }
}

#[cfg(not(target_os = "linux"))]
fn query_thread_stack_low() -> Option<usize> {
    None
}
/// VM register stack capacity in values (fixed at creation, never moves).
pub(crate) const VM_STACK_VALUES: usize = 1 << 20;
/// Maximum JS frame depth before "Maximum call stack size exceeded".
pub(crate) const MAX_FRAMES: usize = 20_000;

/// A callback run on the isolate's thread at the next safepoint.
pub type InterruptFn = Box<dyn FnOnce(&mut Vm) + Send>;

/// Shared with other threads: termination and interrupt requests.
#[derive(Clone)]
pub struct TerminateHandle {
    pub(crate) shared: Arc<SharedFlags>,
}

pub struct SharedFlags {
    /// Set when anything needs the isolate's attention at a safepoint.
    pub attention: AtomicBool,
    pub terminate: AtomicBool,
    pub interrupts: Mutex<Vec<InterruptFn>>,
}

impl TerminateHandle {
    pub fn terminate(&self) {
        self.shared.terminate.store(true, Ordering::SeqCst);
        self.shared.attention.store(true, Ordering::SeqCst);
    }
    pub fn request_interrupt(&self, f: InterruptFn) {
        self.shared.interrupts.lock().push(f);
        self.shared.attention.store(true, Ordering::SeqCst);
    }
}

/// The interpreter's value stack: `len` slots of `Value::EMPTY`. EMPTY is
/// all-zero bits, so the slots come from a zeroed allocation: the system hands
/// out untouched zero pages lazily instead of the 8 MB being written at every
/// isolate creation (`vec![Value::EMPTY; n]` would fill them one by one).
fn empty_value_stack(len: usize) -> Box<[Value]> {
    const { assert!(Value::EMPTY.bits() == 0) };
    let zeros = std::mem::ManuallyDrop::new(vec![0u64; len]);
    let (ptr, len, cap) = (zeros.as_ptr() as *mut Value, zeros.len(), zeros.capacity());
    // SAFETY: Value is repr(transparent) over u64 (same size and alignment),
    // the all-zero bit pattern is Value::EMPTY, and the buffer's ownership
    // moves from the forgotten Vec<u64> to this Vec<Value>.
    unsafe { Vec::from_raw_parts(ptr, len, cap) }.into_boxed_slice()
}

/// Whether the isolate can still run code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmState {
    Usable,
    OutOfMemory,
    InternalError,
}

/// A host finalizer of a weak global, called with its data pointer.
pub type WeakFinalizerFn = unsafe extern "C" fn(*mut c_void);

/// A persistent handle slot.
pub struct GlobalEntry {
    pub value: Value,
    pub weak: Option<(usize, Option<unsafe extern "C" fn(*mut c_void)>)>,
}

/// A queued job.
pub enum Job {
    /// A promise reaction or resolve-thenable job: call `func(args...)`.
    Call { func: Value, args: [Value; 2] },
    /// CleanupFinalizationRegistry for a registry some of whose targets died.
    FinalizationCleanup { registry: Value },
}

static NEXT_ISOLATE_ID: AtomicU64 = AtomicU64::new(1);

pub struct Vm {
    pub id: u64,
    pub heap: Heap,
    pub atoms: AtomTable,
    pub names: Names,
    pub symbols: WellKnownSymbols,
    pub null_root_shape: Gc<Shape>,
    /// Live realms by context id.
    pub realms: HashMap<u64, Gc<Realm>>,
    pub next_realm_id: u64,
    /// Realms created by JS ($262.createRealm) kept alive while reachable.
    pub current_realm: Option<Gc<Realm>>,
    pub stack: Box<[Value]>,
    pub sp: usize,
    pub frames: Vec<Frame>,
    pub handles: Vec<Value>,
    pub globals: HashMap<u64, GlobalEntry>,
    pub next_global: u64,
    pub pending_exception: Option<Value>,
    pub jobs: VecDeque<Job>,
    pub shared: Arc<SharedFlags>,
    pub state: VmState,
    /// True while unwinding a termination (not catchable by JS).
    pub terminating: bool,
    /// Address in the outermost native frame that entered the VM (0 = not inside).
    pub stack_base: usize,
    pub native_stack_limit_bytes: usize,
    pub native_stack_limit: usize,
    /// Opaque pointer for the embedding layer (the api::Isolate owning this Vm).
    pub embedder: *mut c_void,
    pub symbol_registry: HashMap<Vec<u16>, Gc<Symbol>>,
    /// Values kept alive by native code in Rust heap memory (see `Vm::with_roots`).
    pub temp_roots: Vec<Value>,
    /// Whether `Atomics.wait` may block this isolate's thread (V8's
    /// `SetAllowAtomicsWait`; the agent's [[CanBlock]]).
    pub allow_atomics_wait: bool,
    /// WeakRef targets kept alive until the current job or script ends
    /// (AddToKeptObjects; cleared by ClearKeptObjects).
    /// A set: a loop that derefs the same WeakRef a million times keeps one entry.
    pub kept_alive: std::collections::HashSet<Value>,
    /// Weak-global finalizers waiting to run after a collection.
    pub pending_finalizers: Vec<(usize, WeakFinalizerFn)>,
    /// GC callbacks, heap-limit and OOM hooks, GC profiles.
    pub heap_hooks: HeapHooks,
    /// Realms of disposed contexts not yet collected (weak: not roots).
    pub detached_realms: Vec<Value>,
    /// Set while a heap snapshot is being written (its marks are in use).
    pub writing_heap_snapshot: bool,
    /// Set while interrupt callbacks run from inside a builtin's long loop
    /// ([`Vm::poll_long_operation`]). The builtin holds values and element
    /// pointers in Rust locals, so nothing may run script or collect then:
    /// the api refuses to enter the VM (V8's rule for RequestInterrupt: the
    /// callback must not re-enter the interrupted isolate) and collections
    /// wait for the next safepoint.
    pub serving_interrupts_in_builtin: bool,
    /// Address space the compiler parses into, kept between compilations
    /// (`compiler::parse_arena`).
    pub(crate) parse_region: Option<crate::vm::compiler::ParseRegion>,
    /// Compiled regular expressions by (source, flags): a literal in a loop
    /// or a repeated `new RegExp(s)` compiles once.
    pub(crate) regexp_cache: crate::vm::regexp::Cache,
}

impl Vm {
    pub fn new(heap_limit: usize, native_stack_limit: usize, allocator: Option<HostAllocator>) -> Box<Vm> {
        let stress = std::env::var("SABLE_GC_STRESS").is_ok_and(|v| v == "1") || flags::gc_stress();
        let limit = if heap_limit == 0 { DEFAULT_HEAP_LIMIT } else { heap_limit };
        let mut heap = Heap::new(limit, allocator, stress);
        let mut atoms = AtomTable::default();
        let names = Names::new(&mut heap, &mut atoms);
        let symbols = WellKnownSymbols::new(&mut heap, &mut atoms);
        let null_root_shape = Shape::new_root(&mut heap, Value::NULL);
        Box::new(Vm {
            id: NEXT_ISOLATE_ID.fetch_add(1, Ordering::Relaxed),
            heap,
            atoms,
            names,
            symbols,
            null_root_shape,
            realms: HashMap::new(),
            next_realm_id: 1,
            current_realm: None,
            stack: empty_value_stack(VM_STACK_VALUES),
            sp: 0,
            frames: Vec::new(),
            handles: Vec::new(),
            globals: HashMap::new(),
            next_global: 1,
            pending_exception: None,
            jobs: VecDeque::new(),
            shared: Arc::new(SharedFlags { attention: AtomicBool::new(false), terminate: AtomicBool::new(false), interrupts: Mutex::new(Vec::new()) }),
            state: VmState::Usable,
            terminating: false,
            stack_base: 0,
            native_stack_limit_bytes: if native_stack_limit == 0 { DEFAULT_NATIVE_STACK_LIMIT } else { native_stack_limit },
            native_stack_limit: 0,
            embedder: std::ptr::null_mut(),
            symbol_registry: HashMap::new(),
            temp_roots: Vec::new(),
            allow_atomics_wait: true,
            kept_alive: Default::default(),
            pending_finalizers: Vec::new(),
            heap_hooks: HeapHooks::new(limit),
            detached_realms: Vec::new(),
            writing_heap_snapshot: false,
            serving_interrupts_in_builtin: false,
            parse_region: None,
            regexp_cache: Default::default(),
        })
    }

    pub fn terminate_handle(&self) -> TerminateHandle {
        TerminateHandle { shared: self.shared.clone() }
    }

    // ----- entering and leaving the VM from native code -----

    /// Records the outermost native frame (for stack scanning and the native
    /// stack limit). Returns the previous base to restore with `leave`.
    #[inline(never)]
    pub fn enter(&mut self) -> usize {
        let prev = self.stack_base;
        if prev == 0 {
            // Scan from slightly above this frame: frames of later VM calls made by
            // the same caller start at the same depth as this one. The caller's own
            // values are in handles (precise roots).
            let here = current_stack_position();
            self.stack_base = here + 256;
            // The budget below this frame, but never past the thread's real
            // stack (a host thread may have far less than the budget).
            self.native_stack_limit = here.saturating_sub(self.native_stack_limit_bytes).max(native_stack_floor());
        }
        prev
    }
    pub fn leave(&mut self, prev: usize) {
        if prev == 0 {
            self.stack_base = 0;
        }
    }

    /// Throws RangeError when native re-entry has used up the native stack budget.
    #[inline]
    pub fn check_native_stack(&mut self) -> JsResult<()> {
        if self.stack_base != 0 && current_stack_position() < self.native_stack_limit {
            return Err(self.range_error("Maximum call stack size exceeded"));
        }
        Ok(())
    }

    // ----- safepoints -----

    /// Called at function entry, loop back-edges and API entries: collects
    /// garbage when the heap asks, enforces the heap limit, and services
    /// termination and interrupt requests.
    /// Requests come first, so a pending termination is not held up by a
    /// collection.
    #[inline]
    pub fn safepoint(&mut self) -> JsResult<()> {
        if self.shared.attention.load(Ordering::Relaxed) {
            self.service_requests()?;
        }
        if self.heap.wants_gc() {
            if !self.collect_garbage_because(GcReason::Allocation) {
                return Err(self.terminated_during_gc());
            }
            if self.heap.over_limit() && !self.heap_limit_reached(0) {
                return Err(self.out_of_memory_because("Reached heap limit", true));
            }
        }
        Ok(())
    }

    /// Termination stopped a collection: it ends the script (the heap is not
    /// full; it was not collected).
    #[cold]
    fn terminated_during_gc(&mut self) -> Unwind {
        self.terminating = true;
        Unwind::Terminate
    }

    /// For loops inside builtins whose work grows with their input: fails
    /// with the termination unwind once termination was requested (one
    /// relaxed load while nothing is pending), runs interrupt callbacks that
    /// were requested, and fails with out-of-memory once the heap (cells plus
    /// the buffers they own) is past its limit and a collection does not
    /// bring it back. The callbacks run with collection deferred and without
    /// the right to run script ([`Vm::serving_interrupts_in_builtin`]): a
    /// builtin's values in Rust vectors are not roots. (The collection at the
    /// limit is the exception: the loops that reach it hold their values on
    /// the stack or in rooted lists.)
    #[inline]
    pub fn poll_long_operation(&mut self) -> JsResult<()> {
        if self.shared.attention.load(Ordering::Relaxed) {
            self.serve_requests_in_builtin()?;
        }
        if self.heap.over_limit() {
            return self.heap_limit_in_long_operation();
        }
        Ok(())
    }

    /// For long work that holds heap values in Rust locals and must not
    /// collect at all, such as the compiler: serves termination and
    /// interrupt requests (with collection deferred, as in a builtin) but
    /// leaves the heap limit to the next safepoint.
    #[inline]
    pub fn poll_requests(&mut self) -> JsResult<()> {
        if self.shared.attention.load(Ordering::Relaxed) {
            self.serve_requests_in_builtin()?;
        }
        Ok(())
    }

    #[cold]
    fn serve_requests_in_builtin(&mut self) -> JsResult<()> {
        if self.serving_interrupts_in_builtin {
            // A builtin the api let a callback reach (none today) polls: the
            // callbacks queued meanwhile wait for the outer ones to finish.
            return Ok(());
        }
        self.serving_interrupts_in_builtin = true;
        let r = self.service_requests();
        self.serving_interrupts_in_builtin = false;
        r
    }

    #[cold]
    fn heap_limit_in_long_operation(&mut self) -> JsResult<()> {
        if !self.collect_garbage_because(GcReason::HeapLimit) {
            return Err(self.terminated_during_gc());
        }
        if self.heap.over_limit() && !self.heap_limit_reached(0) {
            return Err(self.out_of_memory_because("Reached heap limit", true));
        }
        Ok(())
    }

    #[cold]
    fn service_requests(&mut self) -> JsResult<()> {
        // Lower the flag before taking the queue: a request made meanwhile (by
        // another thread, or by a callback below re-arming itself) raises it
        // again and is served at the next safepoint. Lowering it afterwards
        // would strand such a request in the queue.
        self.shared.attention.store(false, Ordering::SeqCst);
        let interrupts: Vec<InterruptFn> = std::mem::take(&mut *self.shared.interrupts.lock());
        for f in interrupts {
            f(self);
        }
        if self.shared.terminate.load(Ordering::SeqCst) {
            // Termination stays pending until cancelled: keep the flag up.
            self.shared.attention.store(true, Ordering::SeqCst);
            self.terminating = true;
            return Err(Unwind::Terminate);
        }
        Ok(())
    }

    /// Enters the out-of-memory state (uncatchable; the isolate must be disposed).
    #[cold]
    pub fn out_of_memory(&mut self) -> Unwind {
        self.state = VmState::OutOfMemory;
        self.terminating = true;
        Unwind::OutOfMemory
    }

    /// Fails with OOM if allocating `bytes` more would pass the heap limit
    /// (for large allocations done inside one builtin call).
    pub fn reserve(&mut self, bytes: usize) -> JsResult<()> {
        if self.heap.would_exceed(bytes) {
            if !self.collect_garbage_because(GcReason::HeapLimit) {
                return Err(self.terminated_during_gc());
            }
            if !self.heap_limit_reached(bytes) {
                return Err(self.out_of_memory_because("Reached heap limit", true));
            }
        }
        Ok(())
    }

    // ----- garbage collection -----

    /// A full, non-moving mark-sweep collection requested by the host or script.
    pub fn collect_garbage(&mut self) {
        // Stopped by a termination request or not, the caller goes on: the
        // termination is served at the next safepoint.
        let _ = self.collect_garbage_because(GcReason::Requested);
    }

    /// A full, non-moving mark-sweep collection, with the GC callbacks,
    /// profiles and `--trace-gc` around it. A collection requested from
    /// inside a GC callback is ignored (one is already running).
    ///
    /// Marking a huge graph takes long, so a termination requested while it
    /// runs stops it: the marks are dropped, nothing is freed, and this
    /// returns false (the caller must then not take the heap for full: the
    /// termination is what ends the script). A collection that starts with
    /// termination already pending runs to the end.
    #[inline(never)]
    pub fn collect_garbage_because(&mut self, reason: GcReason) -> bool {
        if self.serving_interrupts_in_builtin {
            // Deferred: `heap.wants_gc()` stays set for the next safepoint.
            return true;
        }
        if !self.gc_prologue() {
            return true;
        }
        let stoppable = !self.shared.terminate.load(Ordering::SeqCst);
        // The roots are gathered first: visiting reads the heap (to resolve
        // conservative stack words) while marking writes it.
        struct Gather(Vec<Value>);
        impl RootVisitor for Gather {
            #[inline]
            fn root(&mut self, _category: Root, _name: EdgeName<'_>, value: Value) {
                if value.is_cell() {
                    self.0.push(value);
                }
            }
        }
        let mut roots = Gather(Vec::with_capacity(self.sp + self.handles.len() + 1024));
        self.visit_roots(&mut roots);
        for v in roots.0 {
            self.heap.mark_value(v);
        }
        if !self.heap.finish_marking(stoppable.then_some(&self.shared.terminate)) {
            self.heap.abandon_marking();
            self.gc_epilogue(reason);
            return false;
        }
        let cleanups = self.heap.clear_dead_weak();
        for registry in cleanups {
            self.jobs.push_back(Job::FinalizationCleanup { registry });
        }
        // Weak globals: clear those whose value died and queue their finalizers.
        let heap = &self.heap;
        let mut finalize = Vec::new();
        for g in self.globals.values_mut() {
            if let Some((data, cb)) = g.weak
                && g.value.is_cell()
                && !heap.is_marked(g.value.as_cell())
            {
                g.value = Value::UNDEFINED;
                g.weak = None;
                if let Some(cb) = cb {
                    finalize.push((data, cb));
                }
            }
        }
        self.pending_finalizers.extend(finalize);
        let heap = &self.heap;
        self.detached_realms.retain(|r| heap.is_marked(r.as_cell()));
        self.atoms.sweep(&self.heap);
        self.heap.sweep();
        self.recount_off_heap();
        self.gc_epilogue(reason);
        if !self.pending_finalizers.is_empty() && self.frames.is_empty() {
            self.run_finalizers();
        }
        true
    }

    /// Reports every root of the heap, each with its category and a name: the
    /// one enumeration the collector and heap snapshots share.
    pub fn visit_roots(&self, v: &mut dyn RootVisitor) {
        for (i, &value) in self.stack[..self.sp].iter().enumerate() {
            v.root(Root::StackRoots, EdgeName::Index(i as u32), value);
        }
        for f in &self.frames {
            f.visit_roots(v);
        }
        for (i, &value) in self.handles.iter().enumerate() {
            v.root(Root::HandleScope, EdgeName::Index(i as u32), value);
        }
        for (&id, g) in &self.globals {
            if g.weak.is_none() {
                v.root(Root::GlobalHandles, EdgeName::Index(id as u32), g.value);
            }
        }
        for r in self.realms.values() {
            v.root(Root::NativeContexts, EdgeName::Index(r.id as u32), r.value());
        }
        if let Some(r) = self.current_realm {
            v.root(Root::NativeContexts, EdgeName::Str("current"), r.value());
        }
        if let Some(e) = self.pending_exception {
            v.root(Root::PendingException, EdgeName::None, e);
        }
        for (i, j) in self.jobs.iter().enumerate() {
            let i = i as u32;
            match j {
                Job::Call { func, args } => {
                    v.root(Root::MicrotaskQueue, EdgeName::Index(i), *func);
                    v.root(Root::MicrotaskQueue, EdgeName::Index(i), args[0]);
                    v.root(Root::MicrotaskQueue, EdgeName::Index(i), args[1]);
                }
                Job::FinalizationCleanup { registry } => v.root(Root::MicrotaskQueue, EdgeName::Index(i), *registry),
            }
        }
        for (i, &value) in self.temp_roots.iter().enumerate() {
            v.root(Root::Relocatable, EdgeName::Index(i as u32), value);
        }
        for (i, &value) in self.kept_alive.iter().enumerate() {
            v.root(Root::KeptObjects, EdgeName::Index(i as u32), value);
        }
        for s in self.symbol_registry.values() {
            v.root(Root::StrongRoots, EdgeName::Str("symbol_registry"), s.value());
        }
        self.names.visit_roots(v);
        self.symbols.visit_roots(v);
        v.root(Root::StrongRoots, EdgeName::Str("null_root_shape"), self.null_root_shape.value());
        if self.stack_base != 0 {
            let heap = &self.heap;
            scan_native_stack(self.stack_base, &mut |word| {
                if let Some(cell) = heap.cell_containing(word) {
                    v.root(Root::ConservativeStack, EdgeName::None, Value::from_cell(cell));
                }
            });
        }
    }

    /// Runs queued weak-global finalizers (only outside JS execution).
    pub fn run_finalizers(&mut self) {
        for (data, cb) in std::mem::take(&mut self.pending_finalizers) {
            // SAFETY: host-provided finalizer with its own data pointer.
            unsafe { cb(data as *mut c_void) };
        }
    }

    /// Recounts, after a sweep, the Rust-heap buffers and host-owned bytes
    /// the surviving cells hold (between collections they only grow by estimate).
    fn recount_off_heap(&mut self) {
        let (mut malloced, mut external) = (0usize, 0usize);
        self.heap.for_each_cell(|cell, _, _| {
            // SAFETY: for_each_cell yields allocated, initialised cells; the
            // vtable functions read their own cell type.
            unsafe {
                let vt = (*cell).vtable();
                malloced += (vt.malloc_size)(cell);
                external += (vt.external_size)(cell);
            }
        });
        self.heap.peak_malloced = self.heap.peak_malloced.max(self.heap.malloced_bytes).max(malloced);
        self.heap.malloced_bytes = malloced;
        self.heap.external_bytes = external;
        self.heap.external_recounted();
    }

    // ----- small helpers used everywhere -----

    pub fn atom(&mut self, s: &str) -> Gc<JsString> {
        self.atoms.intern_str(&mut self.heap, s)
    }
    pub fn string(&mut self, s: &str) -> Gc<JsString> {
        JsString::from_str(&mut self.heap, s)
    }
    pub fn string_value(&mut self, s: &str) -> Value {
        self.string(s).value()
    }

    pub fn realm(&self) -> Gc<Realm> {
        self.current_realm.expect("no current realm")
    }

    /// Node's `getHeapStatistics()` numbers. `used_heap_size` and
    /// `total_heap_size` are the sums over the spaces; `malloced_memory` is
    /// the Rust-heap buffers cells own (which count against the limit with
    /// the cells); no page is executable (there is no JIT yet).
    pub fn statistics(&self) -> HeapStatistics {
        let spaces = self.heap.space_statistics();
        HeapStatistics {
            total_heap_size: spaces.iter().map(|s| s.size).sum(),
            total_heap_size_executable: 0,
            total_physical_size: spaces.iter().map(|s| s.physical).sum(),
            total_available_size: self.heap.limit.saturating_sub(self.heap.used_bytes()),
            used_heap_size: spaces.iter().map(|s| s.used).sum(),
            heap_size_limit: self.heap.limit,
            malloced_memory: self.heap.malloced_bytes,
            peak_malloced_memory: self.heap.peak_malloced.max(self.heap.malloced_bytes),
            does_zap_garbage: self.heap.stress as usize,
            number_of_native_contexts: self.realms.len(),
            number_of_detached_contexts: self.detached_realms.len(),
            total_global_handles_size: self.globals.capacity() * std::mem::size_of::<(u64, GlobalEntry)>(),
            used_global_handles_size: self.globals.len() * std::mem::size_of::<(u64, GlobalEntry)>(),
            external_memory: self.heap.external_memory(),
        }
    }
}
