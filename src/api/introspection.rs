//! Memory introspection through the embedding API: heap, space and code
//! statistics, near-heap-limit and out-of-memory hooks, GC callbacks, GC
//! profiles, queryObjects, external strings and memory, flags, and the `v8`
//! namespace object.

use std::ffi::c_void;

use super::{ApiResult, ContextId, Isolate, Local, Status};
use crate::vm::heap::{Gc, on_clean_stack};
pub use crate::vm::heap::{SPACE_C_NAMES, SpaceStatistics};
pub use crate::vm::introspect::CodeStatistics;
use crate::vm::introspect::gc_profile::gc_profile_doc;
#[cfg(target_os = "linux")]
pub use crate::vm::introspect::heap_snapshot::wait_forked_snapshot;
pub use crate::vm::introspect::heap_snapshot::{
    ForkedSnapshot, SnapshotError, SnapshotFileError, SnapshotOptions, SnapshotReport, diagnostic_snapshot_name, next_diagnostic_seq,
};
use crate::vm::introspect::heap_snapshot::{write_heap_snapshot, write_heap_snapshot_file};
use crate::vm::object::{JsString, attrs};
use crate::vm::runtime::flags;
use crate::vm::runtime::heap_hooks::epoch_millis;
pub use crate::vm::runtime::heap_hooks::{GcPhase, GcType};
use crate::vm::v8_module;

/// Called with (isolate, current limit, initial limit) when the heap is full
/// after a collection; returns the new limit.
pub type NearHeapLimitFn = Box<dyn FnMut(&mut Isolate, usize, usize) -> usize>;
/// Called once with (isolate, reason, is_heap_oom) before the isolate is terminated.
pub type OomHandlerFn = Box<dyn FnMut(&mut Isolate, &str, bool)>;
/// Called before (duration 0) and after (duration in microseconds) each collection.
pub type GcCallbackFn = Box<dyn FnMut(&mut Isolate, GcPhase, GcType, f64)>;

impl Isolate {
    /// `getHeapSpaceStatistics()`: read_only, new, old, code, map and large
    /// object space, summing to the heap statistics' totals.
    pub fn heap_space_statistics(&self) -> [SpaceStatistics; 6] {
        self.vm.heap.space_statistics()
    }

    /// `getHeapCodeStatistics()`.
    pub fn heap_code_statistics(&self) -> CodeStatistics {
        crate::vm::introspect::code_statistics(&self.vm)
    }

    /// Adds a near-heap-limit callback (V8's contract: only the most recently
    /// added one is called; returning a larger limit lets the script go on).
    /// `tag` identifies it for [`Isolate::near_heap_limit_callback_by_tag`].
    pub fn add_near_heap_limit_callback(&mut self, tag: (usize, usize), mut f: NearHeapLimitFn) -> u64 {
        self.vm.add_near_heap_limit_callback(tag, Box::new(move |vm, current, initial| f(Isolate::from_vm(vm), current, initial)))
    }
    /// Removes a near-heap-limit callback; a non-zero `restore_limit` becomes
    /// the limit again if the heap fits in it.
    pub fn remove_near_heap_limit_callback(&mut self, id: u64, restore_limit: usize) -> bool {
        self.vm.remove_near_heap_limit_callback(id, restore_limit)
    }
    pub fn near_heap_limit_callback_by_tag(&self, tag: (usize, usize)) -> Option<u64> {
        self.vm.near_heap_limit_callback_by_tag(tag)
    }

    /// Sets (or clears) the out-of-memory handler.
    pub fn set_oom_handler(&mut self, f: Option<OomHandlerFn>) {
        self.vm.set_oom_handler(
            f.map(|mut f| -> crate::vm::runtime::heap_hooks::OomHandler { Box::new(move |vm, reason, heap| f(Isolate::from_vm(vm), reason, heap)) }),
        );
    }

    /// Adds a GC prologue/epilogue callback; returns its id.
    pub fn add_gc_callback(&mut self, tag: (usize, usize), mut f: GcCallbackFn) -> u64 {
        self.vm.add_gc_callback(tag, Box::new(move |vm, phase, ty, us| f(Isolate::from_vm(vm), phase, ty, us)))
    }
    pub fn remove_gc_callback(&mut self, id: u64) -> bool {
        self.vm.remove_gc_callback(id)
    }
    pub fn gc_callback_by_tag(&self, tag: (usize, usize)) -> Option<u64> {
        self.vm.gc_callback_by_tag(tag)
    }

    /// Starts a GC profile (Node's `GCProfiler.start`); returns its id.
    pub fn gc_profiler_start(&mut self) -> u64 {
        self.vm.gc_profile_start()
    }
    /// Stops a GC profile and returns Node's JSON document (None if `id` is
    /// not running).
    pub fn gc_profiler_stop(&mut self, id: u64) -> Option<String> {
        let p = self.vm.gc_profile_stop(id)?;
        Some(gc_profile_doc(&p, epoch_millis()).to_json())
    }

    /// `v8.queryObjects(ctor, { format })` in context `c`: after a full
    /// collection, the number of objects whose prototype chain holds
    /// `ctor.prototype`, or (`summary`) an array of their one-line summaries.
    pub fn query_objects(&mut self, c: ContextId, ctor: Local, summary: bool) -> ApiResult<Local> {
        let ctor = self.val(ctor)?;
        let v = self.enter(c, |vm| on_clean_stack(|| v8_module::query_objects_value(vm, ctor, summary)))?;
        Ok(self.push(v))
    }

    /// Writes a DevTools heap snapshot of the live cells through `sink` in
    /// chunks (`sink` returns false to stop: `SnapshotError::Aborted`). No
    /// collection runs first and nothing is allocated in the JS heap, so this
    /// works inside near-heap-limit callbacks and the out-of-memory handler,
    /// and after the isolate ran out of memory. The sink must not use the isolate.
    pub fn heap_snapshot_write(&mut self, opts: SnapshotOptions, sink: &mut dyn FnMut(&[u8]) -> bool) -> Result<SnapshotReport, SnapshotError> {
        on_clean_stack(|| write_heap_snapshot(&mut self.vm, opts, sink))
    }
    /// Node's `--heapsnapshot-near-heap-limit=count`: when the heap reaches
    /// its limit, write a snapshot to Node's diagnostic file name in the
    /// current directory (at most `count` times; the limit is not raised, so
    /// out-of-memory follows). `on_written` hears of each file. False if this
    /// was already on (a no-op, as in Node).
    pub fn enable_near_heap_limit_snapshots(&mut self, count: u32, on_written: Option<crate::vm::introspect::heap_snapshot::SnapshotWrittenFn>) -> bool {
        crate::vm::introspect::heap_snapshot::enable_near_heap_limit_snapshots(&mut self.vm, count, on_written)
    }
    /// Linux: the snapshot file is written by a forked child from a
    /// copy-on-write image; this returns once the child runs (the pause is
    /// the fork plus giving every cell its id). The caller reaps the child
    /// (exit status 0: the file is complete). Elsewhere: an I/O error.
    pub fn heap_snapshot_fork_file(&mut self, opts: SnapshotOptions, path: &std::path::Path) -> Result<ForkedSnapshot, SnapshotFileError> {
        #[cfg(target_os = "linux")]
        {
            on_clean_stack(|| crate::vm::introspect::heap_snapshot::fork_heap_snapshot_file(&mut self.vm, opts, path))
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = (opts, path);
            Err(SnapshotFileError::Io(std::io::Error::new(std::io::ErrorKind::Unsupported, "forked heap snapshots need Linux")))
        }
    }
    /// [`Isolate::heap_snapshot_write`] to a file (created or truncated).
    pub fn heap_snapshot_write_file(&mut self, opts: SnapshotOptions, path: &std::path::Path) -> Result<SnapshotReport, SnapshotFileError> {
        on_clean_stack(|| write_heap_snapshot_file(&mut self.vm, opts, path))
    }

    /// Writes a snapshot to a new diagnostic file name (`Heap.<date>.<time>.
    /// <pid>.0.<seq>.heapsnapshot`) in the current directory; returns the name.
    pub fn heap_snapshot_write_diagnostic_file(&mut self) -> (String, Result<SnapshotReport, SnapshotFileError>) {
        let name = diagnostic_snapshot_name(0, next_diagnostic_seq());
        let r = on_clean_stack(|| write_heap_snapshot_file(&mut self.vm, SnapshotOptions::default(), std::path::Path::new(&name)));
        (name, r)
    }

    /// A new `v8` namespace object for context `c`.
    pub fn v8_module(&mut self, c: ContextId) -> ApiResult<Local> {
        let realm = self.realm_of(c)?;
        let v = self.enter(c, |vm| Ok(v8_module::create_v8_module(vm, realm).value()))?;
        Ok(self.push(v))
    }
    /// Defines `v8` (writable, configurable, not enumerable) on the global
    /// object of `c`, holding a new `v8` namespace object.
    pub fn install_v8_module(&mut self, c: ContextId) -> ApiResult<Local> {
        let realm = self.realm_of(c)?;
        let v = self.enter(c, |vm| {
            let m = v8_module::create_v8_module(vm, realm);
            vm.define_value(realm.global, "v8", m.value(), attrs::HIDDEN);
            Ok(m.value())
        })?;
        Ok(self.push(v))
    }

    /// A one-byte (Latin-1) string whose characters stay in host memory;
    /// `finalizer(data)` runs once when the string is collected or the
    /// isolate is disposed. Its length counts as external memory.
    ///
    /// # Safety
    /// `bytes` must stay valid and unchanged for `len` bytes until the
    /// finalizer runs.
    pub unsafe fn string_new_external_one_byte(
        &mut self,
        bytes: *const u8,
        len: usize,
        finalizer: Option<(unsafe extern "C" fn(*mut c_void), *mut c_void)>,
    ) -> ApiResult<Local> {
        let st = self.state_status();
        if st != Status::Ok {
            return Err(st);
        }
        if len > crate::vm::object::string::MAX_STRING_LENGTH || (bytes.is_null() && len != 0) {
            return Err(Status::InvalidArgument);
        }
        // SAFETY: the caller keeps the bytes alive until the finalizer runs.
        let s = unsafe { JsString::new_external_one_byte(&mut self.vm.heap, bytes, len, finalizer) };
        Ok(self.push(s.value()))
    }

    /// V8's AdjustAmountOfExternalAllocatedMemory: host memory kept alive by
    /// JS objects, reported in `external_memory`. Returns the new total.
    pub fn adjust_external_memory(&mut self, delta: i64) -> i64 {
        let h = &mut self.vm.heap;
        h.adjusted_external = h.adjusted_external.saturating_add(delta);
        h.external_memory() as i64
    }

    /// Whether `l` is an external (host-owned) string.
    pub fn is_external_string(&self, l: Local) -> bool {
        self.val(l).ok().and_then(Gc::<JsString>::try_from_value).is_some_and(|s| s.is_external())
    }
}

/// Applies Sable's flags (`--trace-gc`, `--gc-stress`, `--no-…`,
/// `--flag=false`). Returns the unrecognized words.
pub fn set_flags_from_string(text: &str) -> Vec<String> {
    flags::set_flags_from_string(text)
}

/// Reports unrecognized flags on stderr the way V8 does.
pub fn report_unrecognized_flags(unknown: &[String]) {
    flags::report_unrecognized(unknown)
}

/// A tag derived from the engine version and the flags (`cachedDataVersionTag`).
pub fn cached_data_version_tag() -> u32 {
    flags::cached_data_version_tag()
}
