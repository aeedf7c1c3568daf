//! Jobs (microtasks), garbage collection, heap statistics and the shared
//! streaming writer type.

use std::ffi::{c_int, c_void};
use std::mem::{offset_of, size_of};

use super::*;

/// Heap statistics: the fields of Node's `v8.getHeapStatistics()`. Set
/// `struct_size` to `sizeof(sable_heap_statistics)`; only the fields that fit
/// in `struct_size` are written.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct sable_heap_statistics {
    /// `sizeof(sable_heap_statistics)` as the caller knows it.
    pub struct_size: usize,
    /// Bytes reserved for the heap.
    pub total_heap_size: usize,
    /// Bytes of the heap reserved for executable code.
    pub total_heap_size_executable: usize,
    /// Bytes of the heap committed in physical memory.
    pub total_physical_size: usize,
    /// Bytes still available before the heap limit.
    pub total_available_size: usize,
    /// Bytes used by live and not yet swept cells.
    pub used_heap_size: usize,
    /// The heap limit in bytes.
    pub heap_size_limit: usize,
    /// Bytes allocated with malloc outside the heap.
    pub malloced_memory: usize,
    /// The peak of `malloced_memory`.
    pub peak_malloced_memory: usize,
    /// 1 if freed memory is overwritten with a pattern (GC stress mode), else 0.
    pub does_zap_garbage: usize,
    /// The number of live contexts.
    pub number_of_native_contexts: usize,
    /// The number of disposed contexts not yet collected.
    pub number_of_detached_contexts: usize,
    /// Bytes reserved for global handles.
    pub total_global_handles_size: usize,
    /// Bytes used by global handles.
    pub used_global_handles_size: usize,
    /// Bytes of host memory attached to JS objects (external strings, buffers).
    pub external_memory: usize,
}

/// Streaming output used by every writer (snapshots, profiles, blobs): return
/// 0 to continue, non-zero to stop (the call then returns `SABLE_ABORTED`).
pub type sable_write_cb = Option<unsafe extern "C" fn(user: *mut c_void, bytes: *const u8, len: usize) -> c_int>;

/// Runs the job queue (promise reactions) until it is empty.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_run_microtasks(isolate: *mut sable_isolate) -> sable_status {
    ffi_status(|| isolate_ref(isolate)?.with(|api| api_res(api.run_microtasks())))
}

/// Runs a full garbage collection (then the finalizers of weak globals whose
/// values were collected). Invalid isolates are ignored. A termination
/// requested (from another thread) while it marks stops it early: nothing is
/// freed, and the termination ends the script that asked for it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_isolate_collect_garbage(isolate: *mut sable_isolate) {
    ffi_void(|| {
        isolate_ref(isolate)?.with(|api| {
            api.collect_garbage();
            Ok(())
        })
    })
}

/// Fills `*out` with the current heap statistics. `out->struct_size` must be
/// set; only the fields that fit in it are written (`struct_size` itself is
/// not). A `struct_size` smaller than `sizeof(size_t)` gives
/// `SABLE_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_heap_statistics_get(isolate: *mut sable_isolate, out: *mut sable_heap_statistics) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        check(!out.is_null())?;
        // SAFETY: non-NULL; every stats struct starts with its size.
        let size = unsafe { out.cast::<usize>().read() };
        check(size >= offset_of!(sable_heap_statistics, total_heap_size))?;
        let s = iso.with(|api| Ok(api.heap_statistics()))?;
        let base = out.cast::<u8>();
        let put_field = |offset: usize, v: usize| {
            if offset + size_of::<usize>() <= size {
                // SAFETY: within the caller's `struct_size` bytes; repr(C)
                // field offsets are aligned for usize.
                unsafe { base.wrapping_add(offset).cast::<usize>().write(v) };
            }
        };
        macro_rules! fields {
            ($($f:ident),*) => { $( put_field(offset_of!(sable_heap_statistics, $f), s.$f); )* };
        }
        fields!(
            total_heap_size,
            total_heap_size_executable,
            total_physical_size,
            total_available_size,
            used_heap_size,
            heap_size_limit,
            malloced_memory,
            peak_malloced_memory,
            does_zap_garbage,
            number_of_native_contexts,
            number_of_detached_contexts,
            total_global_handles_size,
            used_global_handles_size,
            external_memory
        );
        Ok(())
    })
}
