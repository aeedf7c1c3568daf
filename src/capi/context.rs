//! Contexts (realms) and running scripts.

use std::ffi::c_char;

use super::sable_status::*;
use super::*;

/// Creates a context (a realm with its own global object and builtins).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_context_new(isolate: *mut sable_isolate, out: *mut *mut sable_context) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        check(!out.is_null())?;
        let id = iso.with(|api| api_res(api.context_new()))?;
        let c = register_context(isolate, id);
        // SAFETY: checked non-NULL.
        unsafe { put(out, c) };
        Ok(())
    })
}

/// Disposes a context. NULL, foreign and already disposed contexts are
/// ignored. Functions created in it that are still reachable can be called
/// no more from C code of that context (their `ctx` is gone).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_context_dispose(ctx: *mut sable_context) {
    ffi_void(|| {
        let (iso, id) = context_ref(ctx)?;
        let Some(c) = unregister_context(ctx) else {
            return Ok(());
        };
        let _ = iso.with(|api| Ok(api.context_dispose(id)));
        // SAFETY: unregistered above, so this is the box's only owner.
        drop(unsafe { Box::from_raw(c) });
        Ok(())
    })
}

/// The isolate a context belongs to; NULL for an invalid context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_context_isolate(ctx: *mut sable_context) -> *mut sable_isolate {
    ffi_or(std::ptr::null_mut(), || {
        let (iso, _) = context_ref(ctx)?;
        Ok(std::ptr::from_ref(iso).cast_mut())
    })
}

/// The global object of a context (a handle in the current scope); NULL for
/// an invalid context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_context_global(ctx: *mut sable_context) -> sable_value {
    ffi_or(std::ptr::null_mut(), || {
        let (iso, id) = context_ref(ctx)?;
        let l = iso.with(|api| api.context_global(id).ok_or(SABLE_INVALID_ARGUMENT))?;
        Ok(encode_local(iso.id, l))
    })
}

/// Runs a classic script of `len` bytes of UTF-8 (invalid sequences become
/// U+FFFD; `src` may be NULL when `len` is 0). `name` is the resource name
/// used in stack traces (NUL-terminated, may be NULL). `*result` receives the
/// completion value; `result` must not be NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_eval(ctx: *mut sable_context, src: *const c_char, len: usize, name: *const c_char, result: *mut sable_value) -> sable_status {
    ffi_status(|| {
        let (iso, id) = context_ref(ctx)?;
        check(!result.is_null())?;
        // SAFETY: `src` is NULL or valid for `len` bytes per the contract.
        let src = unsafe { bytes(src, len) }.ok_or(SABLE_INVALID_ARGUMENT)?;
        let src = String::from_utf8_lossy(src);
        // SAFETY: `name` is NULL or NUL-terminated per the contract.
        let name = unsafe { c_str_lossy(name) };
        let l = iso.with(|api| api_res(api.eval(id, &src, name.as_deref())))?;
        // SAFETY: checked non-NULL.
        unsafe { put(result, encode_local(iso.id, l)) };
        Ok(())
    })
}
