//! Memory introspection for C hosts: space and code statistics, the
//! near-heap-limit callback, the out-of-memory handler, GC callbacks, GC
//! profiles, queryObjects, external strings and memory, flags, and the `v8`
//! namespace object.

use std::ffi::{c_char, c_int, c_void};
use std::mem::{offset_of, size_of};

use super::sable_status::*;
use super::*;

/// One heap space's numbers (Node's `getHeapSpaceStatistics()` entry).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sable_heap_space_statistics {
    /// `sizeof(sable_heap_space_statistics)` as the caller knows it.
    pub struct_size: usize,
    /// The space's V8 name ("new_space", ...): static, NUL-terminated.
    pub space_name: *const c_char,
    /// Bytes committed for the space.
    pub space_size: usize,
    /// Bytes occupied by cells (live or not yet collected).
    pub space_used_size: usize,
    /// Bytes still allocatable in the committed pages.
    pub space_available_size: usize,
    /// Resident bytes (estimate: the touched part of each page).
    pub physical_space_size: usize,
}

/// Code statistics (Node's `getHeapCodeStatistics()`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sable_heap_code_statistics {
    /// `sizeof(sable_heap_code_statistics)` as the caller knows it.
    pub struct_size: usize,
    /// Machine code and metadata (0: no JIT yet).
    pub code_and_metadata_size: usize,
    /// Bytecode and its metadata.
    pub bytecode_and_metadata_size: usize,
    /// Script sources held outside the heap.
    pub external_script_source_size: usize,
    /// CPU profiler code map (0: no CPU profiler yet).
    pub cpu_profiler_metadata_size: usize,
}

/// V8's collection types. Sable's one collector is a full mark-sweep,
/// reported as `SABLE_GC_TYPE_MARK_SWEEP_COMPACT`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sable_gc_type {
    SABLE_GC_TYPE_SCAVENGE = 1,
    SABLE_GC_TYPE_MINOR_MARK_SWEEP = 2,
    SABLE_GC_TYPE_MARK_SWEEP_COMPACT = 4,
    SABLE_GC_TYPE_INCREMENTAL_MARKING = 8,
    SABLE_GC_TYPE_PROCESS_WEAK_CALLBACKS = 16,
}

/// Before or after a collection.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sable_gc_phase {
    SABLE_GC_PROLOGUE = 0,
    SABLE_GC_EPILOGUE = 1,
}

/// V8's near-heap-limit callback: called when the heap is full after a
/// collection, with the current and the initial limit; returns the new limit
/// (the same limit lets the isolate run out of memory).
pub type sable_near_heap_limit_cb = Option<unsafe extern "C" fn(data: *mut c_void, current_heap_limit: usize, initial_heap_limit: usize) -> usize>;
/// Called once, before the isolate is terminated for lack of memory, with a
/// reason (NUL-terminated, valid during the call) and whether the JS heap
/// (rather than the page allocator) ran out.
pub type sable_oom_handler = Option<unsafe extern "C" fn(isolate: *mut sable_isolate, reason: *const c_char, is_heap_oom: bool, data: *mut c_void)>;
/// Called before (duration 0) and after (duration in microseconds) each collection.
pub type sable_gc_cb =
    Option<unsafe extern "C" fn(isolate: *mut sable_isolate, phase: sable_gc_phase, r#type: sable_gc_type, duration_us: f64, data: *mut c_void)>;

/// Number of heap spaces (indices for `sable_heap_space_statistics_get`). 0
/// for an invalid isolate.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_heap_space_count(isolate: *mut sable_isolate) -> usize {
    ffi_or(0, || isolate_ref(isolate)?.with(|api| Ok(api.heap_space_statistics().len())))
}

/// Fills `*out` with the statistics of space `index` (0 ..
/// `sable_heap_space_count`). `out->struct_size` must be set; only fields
/// that fit are written. The spaces' sizes sum to `total_heap_size` and their
/// used sizes to `used_heap_size`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_heap_space_statistics_get(isolate: *mut sable_isolate, index: usize, out: *mut sable_heap_space_statistics) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        check(!out.is_null())?;
        // SAFETY: non-NULL; every stats struct starts with its size.
        let size = unsafe { out.cast::<usize>().read() };
        check(size >= offset_of!(sable_heap_space_statistics, space_name))?;
        let spaces = iso.with(|api| Ok(api.heap_space_statistics()))?;
        let s = spaces.get(index).ok_or(SABLE_INVALID_ARGUMENT)?;
        // Statistics come in space order, so the index names the space.
        let name = api::SPACE_C_NAMES[index].as_ptr();
        let base = out.cast::<u8>();
        let put_field = |offset: usize, v: usize| {
            if offset + size_of::<usize>() <= size {
                // SAFETY: within the caller's `struct_size` bytes; aligned repr(C) fields.
                unsafe { base.wrapping_add(offset).cast::<usize>().write(v) };
            }
        };
        put_field(offset_of!(sable_heap_space_statistics, space_name), name as usize);
        put_field(offset_of!(sable_heap_space_statistics, space_size), s.size);
        put_field(offset_of!(sable_heap_space_statistics, space_used_size), s.used);
        put_field(offset_of!(sable_heap_space_statistics, space_available_size), s.available);
        put_field(offset_of!(sable_heap_space_statistics, physical_space_size), s.physical);
        Ok(())
    })
}

/// Fills `*out` with the code statistics (`struct_size` must be set).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_heap_code_statistics_get(isolate: *mut sable_isolate, out: *mut sable_heap_code_statistics) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        check(!out.is_null())?;
        // SAFETY: non-NULL; every stats struct starts with its size.
        let size = unsafe { out.cast::<usize>().read() };
        check(size >= offset_of!(sable_heap_code_statistics, code_and_metadata_size))?;
        let c = iso.with(|api| Ok(api.heap_code_statistics()))?;
        let base = out.cast::<u8>();
        let put_field = |offset: usize, v: usize| {
            if offset + size_of::<usize>() <= size {
                // SAFETY: within the caller's `struct_size` bytes; aligned repr(C) fields.
                unsafe { base.wrapping_add(offset).cast::<usize>().write(v) };
            }
        };
        put_field(offset_of!(sable_heap_code_statistics, code_and_metadata_size), c.code_and_metadata_size);
        put_field(offset_of!(sable_heap_code_statistics, bytecode_and_metadata_size), c.bytecode_and_metadata_size);
        put_field(offset_of!(sable_heap_code_statistics, external_script_source_size), c.external_script_source_size);
        put_field(offset_of!(sable_heap_code_statistics, cpu_profiler_metadata_size), c.cpu_profiler_metadata_size);
        Ok(())
    })
}

/// Adds a near-heap-limit callback (V8's `AddNearHeapLimitCallback`): only
/// the most recently added one is called. It runs on the isolate's thread
/// with the heap consistent (it may read statistics or write a snapshot, but
/// must not run JS).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_isolate_add_near_heap_limit_callback(
    isolate: *mut sable_isolate,
    cb: sable_near_heap_limit_cb,
    data: *mut c_void,
) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        let f = cb.ok_or(SABLE_INVALID_ARGUMENT)?;
        let iso_p: *mut sable_isolate = isolate;
        iso.with(|api| {
            api.add_near_heap_limit_callback(
                (f as usize, 0),
                Box::new(move |api, current, initial| {
                    // SAFETY: runs inside a call on this isolate, so its box is alive.
                    let iso = unsafe { &*iso_p };
                    let _re = Reentry::new(iso, api);
                    // SAFETY: the host's callback with its data.
                    unsafe { f(data, current, initial) }
                }),
            );
            Ok(())
        })
    })
}

/// Removes the most recently added near-heap-limit callback `cb`. A non-zero
/// `heap_limit` becomes the heap limit again (if the heap fits in it), as
/// V8's `RemoveNearHeapLimitCallback` does.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_isolate_remove_near_heap_limit_callback(
    isolate: *mut sable_isolate,
    cb: sable_near_heap_limit_cb,
    heap_limit: usize,
) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        let f = cb.ok_or(SABLE_INVALID_ARGUMENT)?;
        iso.with(|api| {
            let id = api.near_heap_limit_callback_by_tag((f as usize, 0)).ok_or(SABLE_INVALID_ARGUMENT)?;
            api.remove_near_heap_limit_callback(id, heap_limit);
            Ok(())
        })
    })
}

/// Sets the out-of-memory handler (NULL clears it). It is called once, with
/// a reason, before the isolate is terminated; the call that ran out then
/// returns `SABLE_OUT_OF_MEMORY`. The heap is consistent inside it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_isolate_set_oom_handler(isolate: *mut sable_isolate, handler: sable_oom_handler, data: *mut c_void) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        let iso_p: *mut sable_isolate = isolate;
        iso.with(|api| {
            api.set_oom_handler(handler.map(|f| -> api::OomHandlerFn {
                Box::new(move |api, reason, heap| {
                    // SAFETY: runs inside a call on this isolate, so its box is alive.
                    let iso = unsafe { &*iso_p };
                    let _re = Reentry::new(iso, api);
                    let reason = std::ffi::CString::new(reason).unwrap_or_default();
                    // SAFETY: the host's handler with its data; `reason` outlives the call.
                    unsafe { f(iso_p, reason.as_ptr(), heap, data) }
                })
            }));
            Ok(())
        })
    })
}

/// Adds a GC prologue/epilogue callback, removed by the same (cb, data) pair.
/// It runs with the heap consistent and must not run JS.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_isolate_add_gc_callback(isolate: *mut sable_isolate, cb: sable_gc_cb, data: *mut c_void) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        let f = cb.ok_or(SABLE_INVALID_ARGUMENT)?;
        let iso_p: *mut sable_isolate = isolate;
        iso.with(|api| {
            api.add_gc_callback(
                (f as usize, data as usize),
                Box::new(move |api, phase, ty, us| {
                    // SAFETY: runs inside a call on this isolate, so its box is alive.
                    let iso = unsafe { &*iso_p };
                    let _re = Reentry::new(iso, api);
                    let phase = match phase {
                        api::GcPhase::Prologue => sable_gc_phase::SABLE_GC_PROLOGUE,
                        api::GcPhase::Epilogue => sable_gc_phase::SABLE_GC_EPILOGUE,
                    };
                    let ty = match ty {
                        api::GcType::Scavenge => sable_gc_type::SABLE_GC_TYPE_SCAVENGE,
                        api::GcType::MinorMarkSweep => sable_gc_type::SABLE_GC_TYPE_MINOR_MARK_SWEEP,
                        api::GcType::MarkSweepCompact => sable_gc_type::SABLE_GC_TYPE_MARK_SWEEP_COMPACT,
                        api::GcType::IncrementalMarking => sable_gc_type::SABLE_GC_TYPE_INCREMENTAL_MARKING,
                        api::GcType::ProcessWeakCallbacks => sable_gc_type::SABLE_GC_TYPE_PROCESS_WEAK_CALLBACKS,
                    };
                    // SAFETY: the host's callback with its data.
                    unsafe { f(iso_p, phase, ty, us, data) }
                }),
            );
            Ok(())
        })
    })
}

/// Removes the GC callback added with this (cb, data) pair.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_isolate_remove_gc_callback(isolate: *mut sable_isolate, cb: sable_gc_cb, data: *mut c_void) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        let f = cb.ok_or(SABLE_INVALID_ARGUMENT)?;
        iso.with(|api| {
            let id = api.gc_callback_by_tag((f as usize, data as usize)).ok_or(SABLE_INVALID_ARGUMENT)?;
            api.remove_gc_callback(id);
            Ok(())
        })
    })
}

/// Starts a GC profile (Node's `GCProfiler`); `*id_out` names it for `stop`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_gc_profiler_start(isolate: *mut sable_isolate, id_out: *mut u64) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        check(!id_out.is_null())?;
        let id = iso.with(|api| Ok(api.gc_profiler_start()))?;
        // SAFETY: checked non-NULL.
        unsafe { put(id_out, id) };
        Ok(())
    })
}

/// Stops GC profile `id` and writes Node's JSON document (version,
/// startTime, statistics, endTime) through `write`. `SABLE_ABORTED` if the
/// writer asked to stop; `SABLE_INVALID_ARGUMENT` if `id` is not running.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_gc_profiler_stop(isolate: *mut sable_isolate, id: u64, write: sable_write_cb, user: *mut c_void) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        let w = write.ok_or(SABLE_INVALID_ARGUMENT)?;
        let json = iso.with(|api| api.gc_profiler_stop(id).ok_or(SABLE_INVALID_ARGUMENT))?;
        for chunk in json.as_bytes().chunks(64 * 1024) {
            // SAFETY: the host's writer with its data and a valid buffer.
            let stop: c_int = unsafe { w(user, chunk.as_ptr(), chunk.len()) };
            if stop != 0 {
                return Err(SABLE_ABORTED);
            }
        }
        Ok(())
    })
}

/// Node's `v8.queryObjects(ctor, { format })`: after a full collection, the
/// number of objects whose prototype chain holds `ctor.prototype` (a
/// number), or with `summary` an array of one-line summaries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_query_objects(ctx: *mut sable_context, ctor: sable_value, summary: bool, out: *mut sable_value) -> sable_status {
    ffi_status(|| {
        let (iso, cid) = context_ref(ctx)?;
        check(!out.is_null())?;
        let l = iso.with(|api| {
            let ctor = local(api, iso.id, ctor)?;
            api_res(api.query_objects(cid, ctor, summary))
        })?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, encode_local(iso.id, l)) };
        Ok(())
    })
}

/// Defines `v8` on the context's global object: Node's `v8` namespace
/// (statistics, queryObjects, GCProfiler, setFlagsFromString,
/// cachedDataVersionTag).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_context_install_v8_module(ctx: *mut sable_context) -> sable_status {
    ffi_status(|| {
        let (iso, cid) = context_ref(ctx)?;
        iso.with(|api| api_res(api.install_v8_module(cid)).map(|_| ()))
    })
}

/// Applies Sable's flags from command-line text (`--trace-gc`,
/// `--no-trace-gc`, `--gc-stress`); process-wide. Unknown flags are reported
/// on stderr and give `SABLE_INVALID_ARGUMENT` (the known ones still apply).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_set_flags_from_string(flags: *const c_char, len: usize) -> sable_status {
    ffi_status(|| {
        check(!flags.is_null() || len == 0)?;
        let bytes = if len == 0 {
            &[][..]
        } else {
            // SAFETY: the caller provides `len` readable bytes.
            unsafe { std::slice::from_raw_parts(flags.cast::<u8>(), len) }
        };
        let unknown = api::set_flags_from_string(&String::from_utf8_lossy(bytes));
        api::report_unrecognized_flags(&unknown);
        check(unknown.is_empty())
    })
}

/// A tag derived from the engine version and the flags (Node's
/// `cachedDataVersionTag`).
#[unsafe(no_mangle)]
pub extern "C" fn sable_cached_data_version_tag() -> u32 {
    api::cached_data_version_tag()
}

/// A one-byte (Latin-1) string whose `len` characters stay in host memory at
/// `latin1` until the string is collected or the isolate is disposed; then
/// `free_cb(data)` runs once (NULL: nothing runs). The bytes must stay valid
/// and unchanged until then. Counted in `external_memory`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_string_new_external_one_byte(
    isolate: *mut sable_isolate,
    latin1: *const c_char,
    len: usize,
    free_cb: sable_finalizer,
    data: *mut c_void,
    out: *mut sable_value,
) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        check(!out.is_null() && (!latin1.is_null() || len == 0))?;
        let l = iso.with(|api| {
            // SAFETY: the caller keeps the bytes valid until free_cb runs.
            api_res(unsafe { api.string_new_external_one_byte(latin1.cast::<u8>(), len, free_cb.map(|f| (f, data))) })
        })?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, encode_local(iso.id, l)) };
        Ok(())
    })
}

/// V8's `AdjustAmountOfExternalAllocatedMemory`: host memory kept alive by JS
/// objects, reported as `external_memory`. Returns the new total (0 for an
/// invalid isolate).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_isolate_adjust_external_memory(isolate: *mut sable_isolate, delta: i64) -> i64 {
    ffi_or(0, || isolate_ref(isolate)?.with(|api| Ok(api.adjust_external_memory(delta))))
}
