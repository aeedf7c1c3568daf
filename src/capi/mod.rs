//! The C ABI: the only place with `#[no_mangle] extern "C"` functions.
//!
//! Every entry point is thin: it validates its arguments against the
//! process-global registry (so NULL, foreign and disposed pointers are
//! rejected before anything is dereferenced), catches panics, converts, and
//! calls [`crate::api`]. `cbindgen` turns the items of this module tree into
//! `include/sable.h`; their `///` comments become the header's documentation.
//!
//! # Safety contract shared by every function
//!
//! Isolate, context, value, global and call-info arguments may be anything:
//! they are checked before use. Plain data pointers (out-parameters, string
//! buffers, argument arrays, option structs) must be NULL or valid for the
//! documented size; NULL is rejected where it is not explicitly allowed.
//!
//! # Re-entrancy
//!
//! An `api::Isolate` is reached through an `UnsafeCell` in [`sable_isolate`].
//! At most one `&mut api::Isolate` is live per isolate: an entry point takes
//! it (`busy`), and native callbacks / interrupts hand the api's own
//! `&mut Isolate` down to nested entry points through `active` (a reborrow,
//! never an alias). Anything that calls C while an entry is busy without going
//! through those doors sees `SABLE_INVALID_ARGUMENT`. Weak-global finalizers
//! are queued and run when the outermost entry point returns, so they may call
//! back into the isolate (for example `sable_global_free`).

#![allow(non_camel_case_types)]
// The shared safety contract is stated once above (and in API.md) rather than
// in a `# Safety` section per function, which cbindgen would copy into the header.
#![allow(clippy::missing_safety_doc)]

#[cfg(not(target_pointer_width = "64"))]
compile_error!("the Sable C API encodes handles in 64-bit pointers");

// One module per area, declared in the order of API.md: cbindgen emits the
// functions in this order (keep the comments: they stop rustfmt sorting).
mod isolate;
// contexts and scripts
mod context;
// primitives, type checks, conversions, strings
mod value;
// BigInt
mod bigint;
// ArrayBuffer, typed arrays
mod buffer;
// objects and arrays
mod object;
// native and JS functions
mod function;
// exceptions
mod exception;
// persistent handles
mod global;
// jobs, GC, statistics
mod heap;
// statistics per space, heap-limit and GC hooks, GC profiles, v8 module
mod introspection;
// DevTools heap snapshots
mod heap_snapshot;

pub use bigint::*;
pub use buffer::*;
pub use context::*;
pub use exception::*;
pub use function::*;
pub use global::*;
pub use heap::*;
pub use heap_snapshot::*;
pub use introspection::*;
pub use isolate::*;
pub use object::*;
pub use value::*;

use std::cell::{Cell, RefCell, UnsafeCell};
use std::collections::{HashMap, VecDeque};
use std::ffi::{CStr, c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use once_cell::sync::Lazy;
use parking_lot::Mutex;

use crate::api;

/// The ABI version of this header; bumped on any incompatible change.
pub const SABLE_ABI_VERSION: u32 = 1;

/// Outcome of every fallible call. On any status other than `SABLE_OK` the
/// out-parameters are left untouched.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum sable_status {
    /// Success.
    SABLE_OK = 0,
    /// A JS exception is pending: take it with `sable_exception_take`.
    SABLE_EXCEPTION = 1,
    /// Execution was terminated (`sable_isolate_terminate_execution`).
    SABLE_TERMINATED = 2,
    /// The heap limit was reached; the isolate is terminated, dispose it.
    SABLE_OUT_OF_MEMORY = 3,
    /// NULL, foreign or disposed pointer or handle, or a value of the wrong type.
    SABLE_INVALID_ARGUMENT = 4,
    /// A bug in Sable; the isolate is unusable (only dispose it).
    SABLE_INTERNAL_ERROR = 5,
    /// A host callback asked to stop.
    SABLE_ABORTED = 6,
    /// An I/O operation failed.
    SABLE_IO_ERROR = 7,
}

use sable_status::*;

/// A `sable_status` as received from C (a C caller may pass any `int`).
/// cbindgen prints it as `sable_status` (see cbindgen.toml), so the header
/// keeps the enum type while Rust never materialises an out-of-range enum.
#[doc(hidden)]
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawStatus(pub c_int);

impl RawStatus {
    /// The status, or `None` if the value is outside the enum.
    pub fn get(self) -> Option<sable_status> {
        Some(match self.0 {
            0 => SABLE_OK,
            1 => SABLE_EXCEPTION,
            2 => SABLE_TERMINATED,
            3 => SABLE_OUT_OF_MEMORY,
            4 => SABLE_INVALID_ARGUMENT,
            5 => SABLE_INTERNAL_ERROR,
            6 => SABLE_ABORTED,
            7 => SABLE_IO_ERROR,
            _ => return None,
        })
    }
}

impl From<sable_status> for RawStatus {
    fn from(s: sable_status) -> Self {
        RawStatus(s as c_int)
    }
}

impl From<api::Status> for sable_status {
    fn from(s: api::Status) -> Self {
        match s {
            api::Status::Ok => SABLE_OK,
            api::Status::Exception => SABLE_EXCEPTION,
            api::Status::Terminated => SABLE_TERMINATED,
            api::Status::OutOfMemory => SABLE_OUT_OF_MEMORY,
            api::Status::InvalidArgument => SABLE_INVALID_ARGUMENT,
            api::Status::InternalError => SABLE_INTERNAL_ERROR,
            api::Status::Aborted => SABLE_ABORTED,
            api::Status::IoError => SABLE_IO_ERROR,
        }
    }
}

impl From<sable_status> for api::Status {
    fn from(s: sable_status) -> Self {
        match s {
            SABLE_OK => api::Status::Ok,
            SABLE_EXCEPTION => api::Status::Exception,
            SABLE_TERMINATED => api::Status::Terminated,
            SABLE_OUT_OF_MEMORY => api::Status::OutOfMemory,
            SABLE_INVALID_ARGUMENT => api::Status::InvalidArgument,
            SABLE_INTERNAL_ERROR => api::Status::InternalError,
            SABLE_ABORTED => api::Status::Aborted,
            SABLE_IO_ERROR => api::Status::IoError,
        }
    }
}

/// Result type of the internal helpers: `Err` carries the status to return.
pub(crate) type CResult<T> = Result<T, sable_status>;

/// Converts an api result, mapping its error status.
pub(crate) fn api_res<T>(r: api::ApiResult<T>) -> CResult<T> {
    r.map_err(sable_status::from)
}

/// Opaque handle to a value (`typedef struct sable_handle *sable_value;`).
/// A `sable_value` is not a pointer to memory: it encodes the isolate id and
/// the handle-stack slot, and is valid until its handle scope closes.
pub struct sable_handle {
    _p: [u8; 0],
}

/// A value handle, valid until the handle scope it was created in closes.
/// NULL is never a valid handle.
pub type sable_value = *mut sable_handle;

/// Opaque persistent handle (`typedef struct sable_global_handle *sable_global;`).
pub struct sable_global_handle {
    _p: [u8; 0],
}

/// A persistent handle: lives until `sable_global_free`, across scopes and GCs.
pub type sable_global = *mut sable_global_handle;

// ---------------------------------------------------------------------------
// panic barriers
// ---------------------------------------------------------------------------

/// Runs an entry point body that returns a status; a panic becomes
/// `SABLE_INTERNAL_ERROR` (panics inside [`sable_isolate::with`] also mark
/// the isolate unusable).
pub(crate) fn ffi_status(f: impl FnOnce() -> CResult<()>) -> sable_status {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => SABLE_OK,
        Ok(Err(s)) => s,
        // No memory for a heap page outside any isolate's call (isolate creation).
        Err(payload) if crate::vm::heap::HeapExhausted::is(&*payload) => SABLE_OUT_OF_MEMORY,
        Err(_) => SABLE_INTERNAL_ERROR,
    }
}

/// Runs an entry point body with a non-status result; a panic or an error
/// gives `neutral` (NULL, false, 0, ...).
pub(crate) fn ffi_or<R: Copy>(neutral: R, f: impl FnOnce() -> CResult<R>) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(r)) => r,
        Ok(Err(_)) | Err(_) => neutral,
    }
}

/// Runs an entry point body without a result, swallowing errors and panics.
pub(crate) fn ffi_void(f: impl FnOnce() -> CResult<()>) {
    let _ = catch_unwind(AssertUnwindSafe(f));
}

/// Fails with `SABLE_INVALID_ARGUMENT` unless `cond` holds.
pub(crate) fn check(cond: bool) -> CResult<()> {
    if cond { Ok(()) } else { Err(SABLE_INVALID_ARGUMENT) }
}

// ---------------------------------------------------------------------------
// handle encoding
// ---------------------------------------------------------------------------

/// The low 32 bits of a handle: the slot (or global id) plus one.
const LOW_MASK: u64 = 0xffff_ffff;

/// Encodes a local of isolate `iso_id` as `(iso_id << 32) | (slot + 1)`.
pub(crate) fn encode_local(iso_id: u64, l: api::Local) -> sable_value {
    if l.0 == u32::MAX || iso_id > LOW_MASK {
        return std::ptr::null_mut();
    }
    let bits = (iso_id << 32) | (u64::from(l.0) + 1);
    std::ptr::without_provenance_mut(bits as usize)
}

/// Splits a value handle into (isolate id, local); `None` for NULL.
pub(crate) fn decode_local(v: sable_value) -> Option<(u64, api::Local)> {
    let bits = v.addr() as u64;
    let low = bits & LOW_MASK;
    if low == 0 {
        return None;
    }
    Some((bits >> 32, api::Local((low - 1) as u32)))
}

/// Encodes a global of isolate `iso_id` as `(iso_id << 32) | (gid + 1)`.
pub(crate) fn encode_global(iso_id: u64, g: api::GlobalId) -> sable_global {
    if g.0 >= LOW_MASK || iso_id > LOW_MASK {
        return std::ptr::null_mut();
    }
    std::ptr::without_provenance_mut(((iso_id << 32) | (g.0 + 1)) as usize)
}

/// Splits a global handle into (isolate id, global id); `None` for NULL.
pub(crate) fn decode_global(g: *mut sable_global_handle) -> Option<(u64, api::GlobalId)> {
    let bits = g.addr() as u64;
    let low = bits & LOW_MASK;
    if low == 0 {
        return None;
    }
    Some((bits >> 32, api::GlobalId(low - 1)))
}

/// Resolves a value handle for the api isolate `api` (whose id is `iso_id`):
/// NULL, another isolate's and stale handles give `SABLE_INVALID_ARGUMENT`.
pub(crate) fn local(api: &api::Isolate, iso_id: u64, v: sable_value) -> CResult<api::Local> {
    match decode_local(v) {
        Some((id, l)) if id == iso_id && api.is_valid_local(l) => Ok(l),
        _ => Err(SABLE_INVALID_ARGUMENT),
    }
}

/// Reads a NUL-terminated C string, replacing invalid UTF-8 with U+FFFD.
/// `None` for NULL.
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string.
pub(crate) unsafe fn c_str_lossy(p: *const c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated per the caller's contract.
    let s = unsafe { CStr::from_ptr(p) };
    Some(s.to_string_lossy().into_owned())
}

/// Views `len` bytes at `p`; NULL with `len == 0` is the empty slice, NULL
/// with `len > 0` (or an impossible length) is `None`.
///
/// # Safety
/// `p` must be NULL or valid for reads of `len` bytes for `'a`.
pub(crate) unsafe fn bytes<'a>(p: *const c_char, len: usize) -> Option<&'a [u8]> {
    if len == 0 {
        return Some(&[]);
    }
    if p.is_null() || len > isize::MAX as usize {
        return None;
    }
    // SAFETY: non-null, valid for `len` bytes per the caller's contract.
    Some(unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) })
}

/// Writes `v` through an out-parameter already checked to be non-NULL.
///
/// # Safety
/// `out` must be valid for a write of `T`.
pub(crate) unsafe fn put<T>(out: *mut T, v: T) {
    // SAFETY: the caller checked `out` (non-NULL, valid per the contract).
    unsafe { out.write(v) }
}

// ---------------------------------------------------------------------------
// isolates and the registry
// ---------------------------------------------------------------------------

/// A weak-global finalizer registered by the host.
#[derive(Clone, Copy)]
pub(crate) struct WeakThunk {
    pub cb: unsafe extern "C" fn(data: *mut c_void),
    pub data: *mut c_void,
}

/// An isolate: one heap, one thread at a time, any number of contexts.
/// Create with `sable_isolate_new`, destroy with `sable_isolate_dispose`.
pub struct sable_isolate {
    /// `api::Isolate::id`, the high half of every handle of this isolate.
    pub(crate) id: u64,
    /// `None` only while the isolate is being disposed.
    api: UnsafeCell<Option<Box<api::Isolate>>>,
    /// Used from any thread (terminate, interrupts) under the registry lock.
    pub(crate) terminate: api::TerminateHandle,
    /// An entry point holds the `&mut api::Isolate`.
    busy: Cell<bool>,
    /// The api's `&mut Isolate` handed to a running native callback/interrupt.
    active: Cell<*mut api::Isolate>,
    /// Entry points in progress on this isolate (nested through callbacks).
    depth: Cell<u32>,
    /// Set once a panic was caught; every later call gives SABLE_INTERNAL_ERROR.
    poisoned: Cell<bool>,
    /// Host finalizers of weak globals, by global id.
    pub(crate) weak: RefCell<HashMap<u64, WeakThunk>>,
    /// Finalizers of collected weak globals, run when the outermost entry returns.
    pub(crate) pending_finalizers: RefCell<VecDeque<WeakThunk>>,
}

/// A context (realm): its own global object and builtins. Create with
/// `sable_context_new`; disposed with `sable_context_dispose` or with its isolate.
pub struct sable_context {
    pub(crate) isolate: *mut sable_isolate,
    pub(crate) id: api::ContextId,
}

/// Every live isolate and context, so that entry points can check a
/// pointer before dereferencing it.
struct Registry {
    /// sable_isolate address -> pointer.
    isolates: HashMap<usize, *mut sable_isolate>,
    /// isolate id -> pointer.
    by_id: HashMap<u64, *mut sable_isolate>,
    /// sable_context address -> pointer.
    contexts: HashMap<usize, *mut sable_context>,
}

// SAFETY: the registry only stores pointers; every dereference happens on the
// isolate's own thread (or, for `terminate`, of a `Sync` field) after a
// membership check, as documented on the entry points.
unsafe impl Send for Registry {}

/// The process-global registry (held only briefly, never across a call into
/// the api or the host, except for the any-thread termination calls).
static REGISTRY: Lazy<Mutex<Registry>> = Lazy::new(|| Mutex::new(Registry { isolates: HashMap::new(), by_id: HashMap::new(), contexts: HashMap::new() }));

/// Restores the re-entrancy state of an isolate when a callback returns.
pub(crate) struct Reentry<'a> {
    iso: &'a sable_isolate,
    busy: bool,
    active: *mut api::Isolate,
}

impl<'a> Reentry<'a> {
    /// Lets nested entry points use `api` (the `&mut Isolate` the api handed
    /// to a callback) until the guard drops.
    pub(crate) fn new(iso: &'a sable_isolate, api: *mut api::Isolate) -> Self {
        let saved = Reentry { iso, busy: iso.busy.get(), active: iso.active.get() };
        iso.busy.set(false);
        iso.active.set(api);
        saved
    }
}

impl Drop for Reentry<'_> {
    fn drop(&mut self) {
        self.iso.busy.set(self.busy);
        self.iso.active.set(self.active);
    }
}

impl sable_isolate {
    /// Wraps a new api isolate (not yet registered).
    fn new(api: Box<api::Isolate>, id: u64, terminate: api::TerminateHandle) -> Self {
        sable_isolate {
            id,
            api: UnsafeCell::new(Some(api)),
            terminate,
            busy: Cell::new(false),
            active: Cell::new(std::ptr::null_mut()),
            depth: Cell::new(0),
            poisoned: Cell::new(false),
            weak: RefCell::new(HashMap::new()),
            pending_finalizers: RefCell::new(VecDeque::new()),
        }
    }

    /// True if an entry point or callback of this isolate is running.
    pub(crate) fn in_use(&self) -> bool {
        self.depth.get() > 0 || self.busy.get()
    }

    /// Runs `f` with the isolate's `&mut api::Isolate`: the outermost entry
    /// point takes it from the cell, entry points nested in a callback use
    /// the api's reborrow. A panic in `f` marks the isolate unusable and gives
    /// `SABLE_INTERNAL_ERROR`; so does any later call.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut api::Isolate) -> CResult<R>) -> CResult<R> {
        if self.poisoned.get() {
            return Err(SABLE_INTERNAL_ERROR);
        }
        if self.busy.get() {
            // Called from C code that runs inside an api call without a
            // re-entry door (misuse): refuse rather than alias.
            return Err(SABLE_INVALID_ARGUMENT);
        }
        let ptr: *mut api::Isolate = if self.active.get().is_null() {
            // SAFETY: not busy and no callback active: no other reference
            // into the cell exists (single thread per isolate).
            match unsafe { (*self.api.get()).as_mut() } {
                Some(api) => &mut **api,
                None => return Err(SABLE_INVALID_ARGUMENT),
            }
        } else {
            self.active.get()
        };
        self.busy.set(true);
        self.depth.set(self.depth.get() + 1);
        // SAFETY: `ptr` is the only live path to the api isolate: either the
        // cell's content (outermost) or the reborrow a callback lent us, whose
        // owner does not touch it until we return.
        let r = catch_unwind(AssertUnwindSafe(|| f(unsafe { &mut *ptr })));
        self.busy.set(false);
        self.depth.set(self.depth.get() - 1);
        let r = match r {
            Ok(r) => r,
            Err(payload) if crate::vm::heap::HeapExhausted::is(&*payload) => {
                // SAFETY: as above; `f`'s borrow ended with the unwind.
                let api = unsafe { &mut *ptr };
                api.mark_out_of_memory();
                Err(SABLE_OUT_OF_MEMORY)
            }
            Err(_) => {
                self.poisoned.set(true);
                // SAFETY: as above; `f`'s borrow ended with the unwind.
                let api = unsafe { &mut *ptr };
                let _ = catch_unwind(AssertUnwindSafe(|| api.mark_internal_error()));
                Err(SABLE_INTERNAL_ERROR)
            }
        };
        let r = if self.poisoned.get() { Err(SABLE_INTERNAL_ERROR) } else { r };
        if self.depth.get() == 0 && self.active.get().is_null() {
            self.run_pending_finalizers();
        }
        r
    }

    /// Calls the finalizers of collected weak globals (outside any api call,
    /// so they may call back into the isolate).
    fn run_pending_finalizers(&self) {
        self.depth.set(self.depth.get() + 1);
        loop {
            let next = match self.pending_finalizers.try_borrow_mut() {
                Ok(mut q) => q.pop_front(),
                Err(_) => None,
            };
            let Some(t) = next else { break };
            // SAFETY: a C finalizer registered by the host with its own data.
            unsafe { (t.cb)(t.data) };
        }
        self.depth.set(self.depth.get() - 1);
    }
}

/// Registers a new isolate; returns its pointer.
pub(crate) fn register_isolate(api: Box<api::Isolate>) -> CResult<*mut sable_isolate> {
    let id = api.id();
    let terminate = api.terminate_handle();
    if id > LOW_MASK {
        // Handles could not encode this id.
        return Err(SABLE_INTERNAL_ERROR);
    }
    let p = Box::into_raw(Box::new(sable_isolate::new(api, id, terminate)));
    let mut reg = REGISTRY.lock();
    reg.isolates.insert(p.addr(), p);
    reg.by_id.insert(id, p);
    Ok(p)
}

/// The live isolate at `p`, or `SABLE_INVALID_ARGUMENT`.
pub(crate) fn isolate_ref<'a>(p: *mut sable_isolate) -> CResult<&'a sable_isolate> {
    let reg = REGISTRY.lock();
    match reg.isolates.get(&p.addr()) {
        // SAFETY: registered isolates are live boxes until dispose removes them.
        Some(&p) => Ok(unsafe { &*p }),
        None => Err(SABLE_INVALID_ARGUMENT),
    }
}

/// The live isolate with id `id`.
pub(crate) fn isolate_by_id<'a>(id: u64) -> CResult<&'a sable_isolate> {
    let reg = REGISTRY.lock();
    match reg.by_id.get(&id) {
        // SAFETY: registered isolates are live boxes until dispose removes them.
        Some(&p) => Ok(unsafe { &*p }),
        None => Err(SABLE_INVALID_ARGUMENT),
    }
}

/// The isolate owning value handle `v` (found through the id in the handle).
pub(crate) fn isolate_of_value<'a>(v: sable_value) -> CResult<&'a sable_isolate> {
    let (id, _) = decode_local(v).ok_or(SABLE_INVALID_ARGUMENT)?;
    isolate_by_id(id)
}

/// The live context at `c`: its isolate and context id.
pub(crate) fn context_ref<'a>(c: *mut sable_context) -> CResult<(&'a sable_isolate, api::ContextId)> {
    let reg = REGISTRY.lock();
    match reg.contexts.get(&c.addr()) {
        Some(&c) => {
            // SAFETY: registered contexts (and their isolates) are live boxes
            // until a dispose removes them from the registry.
            let (iso, id) = unsafe { ((*c).isolate, (*c).id) };
            // SAFETY: as above.
            Ok((unsafe { &*iso }, id))
        }
        None => Err(SABLE_INVALID_ARGUMENT),
    }
}

/// Runs `f` with the registry lock held if `p` is a live isolate (for the
/// any-thread entry points: a concurrent dispose waits for the lock).
pub(crate) fn with_registered_isolate(p: *mut sable_isolate, f: impl FnOnce(&api::TerminateHandle)) {
    let reg = REGISTRY.lock();
    if let Some(&p) = reg.isolates.get(&p.addr()) {
        // SAFETY: live while registered and we hold the lock; only the Sync
        // `terminate` field is touched, never the thread-bound state.
        let th = unsafe { &(*p).terminate };
        f(th);
    }
}

/// Registers a context; returns its pointer.
pub(crate) fn register_context(iso: *mut sable_isolate, id: api::ContextId) -> *mut sable_context {
    let c = Box::into_raw(Box::new(sable_context { isolate: iso, id }));
    REGISTRY.lock().contexts.insert(c.addr(), c);
    c
}

/// Unregisters a context; returns it if it was live.
pub(crate) fn unregister_context(c: *mut sable_context) -> Option<*mut sable_context> {
    REGISTRY.lock().contexts.remove(&c.addr())
}

/// Finds the live `sable_context` of isolate `iso` with api id `id`.
pub(crate) fn find_context(iso: *mut sable_isolate, id: api::ContextId) -> Option<*mut sable_context> {
    let reg = REGISTRY.lock();
    reg.contexts
        .values()
        .copied()
        // SAFETY: registered contexts are live boxes.
        .find(|&c| unsafe { (*c).isolate == iso && (*c).id == id })
}

/// True if `c` is a live context.
pub(crate) fn context_is_live(c: *mut sable_context) -> bool {
    REGISTRY.lock().contexts.contains_key(&c.addr())
}

/// Unregisters and destroys an isolate and its contexts. Refused (no-op)
/// while the isolate is running a callback or finalizer.
pub(crate) fn dispose_isolate(p: *mut sable_isolate) {
    let contexts: Vec<*mut sable_context> = {
        let mut reg = REGISTRY.lock();
        let Some(&p) = reg.isolates.get(&p.addr()) else {
            return;
        };
        // SAFETY: live while registered.
        let iso = unsafe { &*p };
        if iso.in_use() {
            return;
        }
        reg.isolates.remove(&p.addr());
        reg.by_id.remove(&iso.id);
        let mine: Vec<usize> = reg
            .contexts
            .iter()
            // SAFETY: registered contexts are live boxes.
            .filter(|&(_, &c)| unsafe { (*c).isolate } == p)
            .map(|(&a, _)| a)
            .collect();
        mine.iter().filter_map(|a| reg.contexts.remove(a)).collect()
    };
    for c in contexts {
        // SAFETY: unregistered above, so this is the only owner of the box.
        drop(unsafe { Box::from_raw(c) });
    }
    // SAFETY: unregistered, not in use: we are the only user of the box.
    let iso = unsafe { &*p };
    iso.depth.set(1);
    iso.busy.set(true);
    // SAFETY: no reference into the cell is live (not in use).
    let api = unsafe { (*iso.api.get()).take() };
    let _ = catch_unwind(AssertUnwindSafe(move || drop(api)));
    iso.busy.set(false);
    // Weak globals already collected still get their finalizer; the isolate
    // is unregistered, so calls on it from there are rejected.
    let pending: Vec<WeakThunk> = iso.pending_finalizers.borrow_mut().drain(..).collect();
    for t in pending {
        // SAFETY: a C finalizer registered by the host with its own data.
        let _ = catch_unwind(|| unsafe { (t.cb)(t.data) });
    }
    // SAFETY: the pointer came from Box::into_raw in register_isolate and is
    // no longer reachable from the registry.
    drop(unsafe { Box::from_raw(p) });
}

// ---------------------------------------------------------------------------
// version and status names
// ---------------------------------------------------------------------------

/// The library version, "MAJOR.MINOR.PATCH" (a static string).
#[unsafe(no_mangle)]
pub extern "C" fn sable_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The enumerator name of a status ("SABLE_OK", ...) as a static string;
/// "SABLE_UNKNOWN_STATUS" for values outside the enum.
#[unsafe(no_mangle)]
pub extern "C" fn sable_status_name(s: RawStatus) -> *const c_char {
    let name: &'static CStr = match s.get() {
        Some(SABLE_OK) => c"SABLE_OK",
        Some(SABLE_EXCEPTION) => c"SABLE_EXCEPTION",
        Some(SABLE_TERMINATED) => c"SABLE_TERMINATED",
        Some(SABLE_OUT_OF_MEMORY) => c"SABLE_OUT_OF_MEMORY",
        Some(SABLE_INVALID_ARGUMENT) => c"SABLE_INVALID_ARGUMENT",
        Some(SABLE_INTERNAL_ERROR) => c"SABLE_INTERNAL_ERROR",
        Some(SABLE_ABORTED) => c"SABLE_ABORTED",
        Some(SABLE_IO_ERROR) => c"SABLE_IO_ERROR",
        None => c"SABLE_UNKNOWN_STATUS",
    };
    name.as_ptr()
}
