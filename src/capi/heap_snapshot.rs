//! DevTools heap snapshots from C: streamed through the host's writer in
//! fixed-size chunks (the writer may block: that is the backpressure), or
//! written to a file. Both work inside near-heap-limit callbacks and the
//! out-of-memory handler.

use std::ffi::c_void;
use std::mem::offset_of;

use super::sable_status::*;
use super::*;

/// How a heap snapshot is written. Fill with
/// `sable_heap_snapshot_options_init`, then change what you need.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sable_heap_snapshot_options {
    /// `sizeof(sable_heap_snapshot_options)` as the caller knows it.
    pub struct_size: usize,
    /// Node's `exposeInternals`: no root -> global object shortcut edges;
    /// retention is explained through the GC roots only.
    pub expose_internals: bool,
    /// Node's `exposeNumericValues`: number-valued properties, elements and
    /// context slots become edges to number nodes holding their value.
    pub expose_numeric_values: bool,
    /// Bytes per call of the writer (every chunk but the last is exactly this
    /// long); 0 means 64 KiB.
    pub chunk_size: usize,
}

/// Fills `*options` with the defaults (no internals, no numeric values,
/// 64 KiB chunks) and its `struct_size`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_heap_snapshot_options_init(options: *mut sable_heap_snapshot_options) -> sable_status {
    ffi_status(|| {
        check(!options.is_null())?;
        let d = api::SnapshotOptions::default();
        let value = sable_heap_snapshot_options {
            struct_size: size_of::<sable_heap_snapshot_options>(),
            expose_internals: d.expose_internals,
            expose_numeric_values: d.expose_numeric_values,
            chunk_size: d.chunk_size,
        };
        // SAFETY: checked non-NULL; the caller provides a whole struct.
        unsafe { put(options, value) };
        Ok(())
    })
}

/// Reads the host's options (NULL: the defaults), honouring a smaller,
/// older struct.
fn read_options(options: *const sable_heap_snapshot_options) -> CResult<api::SnapshotOptions> {
    let mut opts = api::SnapshotOptions::default();
    if options.is_null() {
        return Ok(opts);
    }
    // SAFETY: non-NULL; every options struct starts with its size.
    let size = unsafe { options.cast::<usize>().read() };
    check(size > offset_of!(sable_heap_snapshot_options, expose_internals))?;
    let fits = |end: usize| size >= end;
    // SAFETY: each field is read only when the caller's struct contains it.
    unsafe {
        opts.expose_internals = (*options).expose_internals;
        if fits(offset_of!(sable_heap_snapshot_options, expose_numeric_values) + 1) {
            opts.expose_numeric_values = (*options).expose_numeric_values;
        }
        if fits(offset_of!(sable_heap_snapshot_options, chunk_size) + size_of::<usize>()) && (*options).chunk_size != 0 {
            opts.chunk_size = (*options).chunk_size;
        }
    }
    Ok(opts)
}

fn snapshot_status(e: api::SnapshotError) -> sable_status {
    match e {
        api::SnapshotError::Aborted => SABLE_ABORTED,
        api::SnapshotError::Busy => SABLE_INVALID_ARGUMENT,
    }
}

/// Streams a Chrome DevTools `.heapsnapshot` (JSON) of the isolate's live
/// objects through `write`, in chunks of `options->chunk_size` bytes. A
/// non-zero return from `write` stops the snapshot: no more chunks are
/// written and the call returns `SABLE_ABORTED`. The writer must not call
/// into the isolate. Nothing is collected or allocated in the JS heap, so this
/// works inside a near-heap-limit callback, the out-of-memory handler, and
/// after `SABLE_OUT_OF_MEMORY`. `options` may be NULL (the defaults).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_heap_snapshot_write(
    isolate: *mut sable_isolate,
    options: *const sable_heap_snapshot_options,
    write: sable_write_cb,
    user: *mut c_void,
) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        let w = write.ok_or(SABLE_INVALID_ARGUMENT)?;
        let opts = read_options(options)?;
        let mut sink = |bytes: &[u8]| {
            // SAFETY: the host's writer with its data and a valid buffer.
            unsafe { w(user, bytes.as_ptr(), bytes.len()) == 0 }
        };
        iso.with(|api| api.heap_snapshot_write(opts, &mut sink).map(|_| ()).map_err(snapshot_status))
    })
}

/// Writes a heap snapshot to the file at `path` (UTF-8, `path_len` bytes;
/// created or truncated) in chunks of `options->chunk_size` bytes.
/// `SABLE_IO_ERROR` if the file cannot be created or written (a partial file
/// may remain). `options` may be NULL (the defaults).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_heap_snapshot_write_file(
    isolate: *mut sable_isolate,
    options: *const sable_heap_snapshot_options,
    path: *const c_char,
    path_len: usize,
) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        check(!path.is_null())?;
        let opts = read_options(options)?;
        // SAFETY: the caller passes path_len readable bytes.
        let bytes = unsafe { std::slice::from_raw_parts(path.cast::<u8>(), path_len) };
        let path = String::from_utf8_lossy(bytes).into_owned();
        check(!path.is_empty() && !path.contains('\0'))?;
        iso.with(|api| match api.heap_snapshot_write_file(opts, std::path::Path::new(&path)) {
            Ok(_) => Ok(()),
            Err(api::SnapshotFileError::Io(_)) => Err(SABLE_IO_ERROR),
            Err(api::SnapshotFileError::Snapshot(e)) => Err(snapshot_status(e)),
        })
    })
}

/// Linux: writes the snapshot file (as `sable_heap_snapshot_write_file`)
/// from a forked child process that sees a copy-on-write image of the heap,
/// so the isolate pauses only for the fork and for giving every object its
/// id. Returns once the child runs: `*child_pid` is its process id (reap it
/// with `waitpid`; exit status 0 means the file is complete) and
/// `*pause_us` (may be NULL) the pause in microseconds. Elsewhere, and if the
/// file cannot be created or the fork fails: `SABLE_IO_ERROR`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_heap_snapshot_write_file_forked(
    isolate: *mut sable_isolate,
    options: *const sable_heap_snapshot_options,
    path: *const c_char,
    path_len: usize,
    child_pid: *mut i32,
    pause_us: *mut u64,
) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        check(!path.is_null() && !child_pid.is_null())?;
        let opts = read_options(options)?;
        // SAFETY: the caller passes path_len readable bytes.
        let bytes = unsafe { std::slice::from_raw_parts(path.cast::<u8>(), path_len) };
        let path = String::from_utf8_lossy(bytes).into_owned();
        check(!path.is_empty() && !path.contains('\0'))?;
        let forked = iso.with(|api| match api.heap_snapshot_fork_file(opts, std::path::Path::new(&path)) {
            Ok(f) => Ok(f),
            Err(api::SnapshotFileError::Io(_)) => Err(SABLE_IO_ERROR),
            Err(api::SnapshotFileError::Snapshot(e)) => Err(snapshot_status(e)),
        })?;
        // SAFETY: checked non-NULL / optional out-parameters.
        unsafe {
            put(child_pid, forked.pid);
            if !pause_us.is_null() {
                put(pause_us, forked.pause.as_micros() as u64);
            }
        }
        Ok(())
    })
}
