//! Isolates: parameters, creation and disposal, handle scopes, termination
//! and interrupts.

use std::ffi::c_void;
use std::mem::{offset_of, size_of};

use super::sable_status::*;
use super::*;

/// Host allocator for heap pages and external buffers. Both functions are
/// required when an allocator is given; `user` is passed back unchanged.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sable_allocator {
    /// Allocates `size` bytes aligned to `align`; returns NULL on failure.
    pub alloc: Option<unsafe extern "C" fn(user: *mut c_void, size: usize, align: usize) -> *mut c_void>,
    /// Frees a block returned by `alloc` (same size and alignment).
    pub free: Option<unsafe extern "C" fn(user: *mut c_void, ptr: *mut c_void, size: usize, align: usize)>,
    /// Host data passed to both functions.
    pub user: *mut c_void,
}

/// Options for `sable_isolate_new`. Fill with `sable_isolate_params_init`
/// first. Only the fields that fit in `struct_size` are read, so a caller
/// built against an older, smaller struct keeps working.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sable_isolate_params {
    /// `sizeof(sable_isolate_params)` as the caller knows it.
    pub struct_size: usize,
    /// 0: default (e.g. 4 GiB on 64-bit).
    pub heap_limit_bytes: usize,
    /// 0: default; JS recursion depth guard.
    pub stack_limit_bytes: usize,
    /// NULL: the system allocator. Copied at creation.
    pub allocator: *const sable_allocator,
}

/// Callback run by `sable_isolate_request_interrupt` on the isolate's thread;
/// it receives the same isolate pointer and may call into the isolate.
pub type sable_interrupt_cb = Option<unsafe extern "C" fn(isolate: *mut sable_isolate, data: *mut c_void)>;

/// Sets `params->struct_size` to `sizeof(sable_isolate_params)` and every
/// other field to 0 / NULL (the defaults). NULL is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_isolate_params_init(params: *mut sable_isolate_params) {
    if params.is_null() {
        return;
    }
    let v = sable_isolate_params { struct_size: size_of::<sable_isolate_params>(), heap_limit_bytes: 0, stack_limit_bytes: 0, allocator: std::ptr::null() };
    // SAFETY: non-null; the caller provides a whole sable_isolate_params.
    unsafe { put(params, v) };
}

/// Reads field `T` at byte `offset` of a caller struct of `size` bytes.
///
/// # Safety
/// `base` must be valid for reads of `size` bytes.
unsafe fn read_field<T: Copy>(base: *const u8, size: usize, offset: usize) -> Option<T> {
    if offset + size_of::<T>() > size {
        return None;
    }
    // SAFETY: within the caller's `size` bytes (checked above); the field
    // offsets of a repr(C) struct are aligned for their type.
    Some(unsafe { base.wrapping_add(offset).cast::<T>().read() })
}

/// Converts the caller's params, honouring `struct_size`.
///
/// # Safety
/// `p` must be NULL or point to at least `p->struct_size` readable bytes.
unsafe fn read_params(p: *const sable_isolate_params) -> CResult<api::IsolateParams> {
    let mut out = api::IsolateParams::default();
    if p.is_null() {
        return Ok(out);
    }
    // SAFETY: every params struct starts with its size.
    let size = unsafe { p.cast::<usize>().read() };
    check(size >= size_of::<usize>())?;
    let base = p.cast::<u8>();
    type P = sable_isolate_params;
    // SAFETY (three reads): `size` bytes are readable per the contract.
    if let Some(v) = unsafe { read_field::<usize>(base, size, offset_of!(P, heap_limit_bytes)) } {
        out.heap_limit_bytes = v;
    }
    // SAFETY: see above.
    if let Some(v) = unsafe { read_field::<usize>(base, size, offset_of!(P, stack_limit_bytes)) } {
        out.stack_limit_bytes = v;
    }
    // SAFETY: see above.
    let alloc = unsafe { read_field::<*const sable_allocator>(base, size, offset_of!(P, allocator)) };
    if let Some(a) = alloc.filter(|a| !a.is_null()) {
        // SAFETY: a non-NULL allocator points to a whole sable_allocator.
        let a = unsafe { a.read() };
        match (a.alloc, a.free) {
            (Some(alloc), Some(free)) => out.allocator = Some(api::HostAllocator { alloc, free, user: a.user }),
            _ => return Err(SABLE_INVALID_ARGUMENT),
        }
    }
    Ok(out)
}

/// Creates an isolate. `params` may be NULL (all defaults). On success
/// `*out` receives the isolate; destroy it with `sable_isolate_dispose`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_isolate_new(params: *const sable_isolate_params, out: *mut *mut sable_isolate) -> sable_status {
    ffi_status(|| {
        check(!out.is_null())?;
        // SAFETY: NULL or a caller-initialised params struct.
        let p = unsafe { read_params(params) }?;
        let api = api_res(api::Isolate::new(&p))?;
        let iso = register_isolate(api)?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, iso) };
        Ok(())
    })
}

/// Destroys an isolate with all its contexts, handles and globals. NULL,
/// foreign and already disposed pointers are ignored, and so is a call made
/// from inside one of the isolate's own callbacks. Finalizers of weak globals
/// whose values were already collected run; other weak finalizers do not.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_isolate_dispose(isolate: *mut sable_isolate) {
    ffi_void(|| {
        dispose_isolate(isolate);
        Ok(())
    })
}

/// Opens a handle scope; returns the token to close it with (0 for an
/// invalid isolate).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_scope_open(isolate: *mut sable_isolate) -> usize {
    ffi_or(0, || isolate_ref(isolate)?.with(|api| Ok(api.open_scope())))
}

/// Closes the scope opened as `token`: every handle made since becomes
/// invalid. Invalid isolates are ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_scope_close(isolate: *mut sable_isolate, token: usize) {
    ffi_void(|| {
        isolate_ref(isolate)?.with(|api| {
            api.close_scope(token);
            Ok(())
        })
    })
}

/// Closes the scope opened as `token` and returns `v` re-created in the outer
/// scope. If `v` is NULL, stale or of another isolate the scope is still
/// closed and NULL is returned.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_scope_escape(isolate: *mut sable_isolate, token: usize, v: sable_value) -> sable_value {
    ffi_or(std::ptr::null_mut(), || {
        let iso = isolate_ref(isolate)?;
        let l = iso.with(|api| match local(api, iso.id, v) {
            Ok(l) => Ok(api.escape(token, l)),
            Err(_) => {
                api.close_scope(token);
                Ok(None)
            }
        })?;
        Ok(l.map_or(std::ptr::null_mut(), |l| encode_local(iso.id, l)))
    })
}

/// Stops running JS as soon as possible; the running call returns
/// `SABLE_TERMINATED`, and so do later ones until
/// `sable_isolate_cancel_terminate_execution`. Safe from any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_isolate_terminate_execution(isolate: *mut sable_isolate) {
    ffi_void(|| {
        with_registered_isolate(isolate, |t| t.terminate());
        Ok(())
    })
}

/// Lets the isolate run JS again after a termination.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_isolate_cancel_terminate_execution(isolate: *mut sable_isolate) {
    ffi_void(|| {
        isolate_ref(isolate)?.with(|api| {
            api.cancel_terminate_execution();
            Ok(())
        })
    })
}

/// A pointer that may cross threads inside an interrupt request.
struct SendPtr<T>(*mut T);

impl<T> SendPtr<T> {
    /// The pointer (a method, so closures capture the whole `Send` wrapper).
    fn get(&self) -> *mut T {
        self.0
    }
}

// SAFETY: the pointers are only dereferenced (isolate) or handed back to the
// host (data) on the isolate's own thread when the interrupt runs.
unsafe impl<T> Send for SendPtr<T> {}

/// Runs `cb(isolate, data)` on the isolate's thread at its next safepoint
/// (while JS runs) or, inside a long builtin (a string, array, JSON or key
/// loop over a huge input), at its next check. At a JS safepoint the
/// callback may call into the isolate; inside a builtin, calls that would
/// run script or touch objects return `SABLE_INVALID_ARGUMENT` (V8 forbids
/// re-entering an interrupted isolate), but terminating it works. NULL `cb`
/// and invalid isolates are ignored. Safe from any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_isolate_request_interrupt(isolate: *mut sable_isolate, cb: sable_interrupt_cb, data: *mut c_void) {
    ffi_void(|| {
        let Some(cb) = cb else { return Ok(()) };
        let iso_p = SendPtr(isolate);
        let data_p = SendPtr(data);
        with_registered_isolate(isolate, move |t| {
            t.request_interrupt(Box::new(move |api: &mut api::Isolate| {
                let p = iso_p.get();
                // SAFETY: interrupts run on the isolate's thread inside one of
                // its api calls, so the sable_isolate box is alive.
                let iso = unsafe { &*p };
                let _re = Reentry::new(iso, api);
                // SAFETY: a host callback with the host's data.
                unsafe { cb(p, data_p.get()) };
            }));
        });
        Ok(())
    })
}
