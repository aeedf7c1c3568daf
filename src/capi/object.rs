//! Objects and arrays: creation and property access by key, name and index.

use std::ffi::c_char;

use super::sable_status::*;
use super::*;

/// Common shape of the object entry points: resolves `ctx`, checks `out`,
/// runs `f` and writes its result.
fn obj_op<T>(ctx: *mut sable_context, out: *mut T, f: impl FnOnce(&mut api::Isolate, api::ContextId, u64) -> CResult<T>) -> sable_status {
    ffi_status(|| {
        let (iso, id) = context_ref(ctx)?;
        check(!out.is_null())?;
        let r = iso.with(|api| f(api, id, iso.id))?;
        // SAFETY: checked non-NULL; valid per the contract.
        unsafe { put(out, r) };
        Ok(())
    })
}

/// Like [`obj_op`] without a result.
fn obj_do(ctx: *mut sable_context, f: impl FnOnce(&mut api::Isolate, api::ContextId, u64) -> CResult<()>) -> sable_status {
    ffi_status(|| {
        let (iso, id) = context_ref(ctx)?;
        iso.with(|api| f(api, id, iso.id))
    })
}

/// Reads a required NUL-terminated property name.
///
/// # Safety
/// `p` must be NULL or NUL-terminated.
unsafe fn name(p: *const c_char) -> CResult<String> {
    // SAFETY: forwarded contract.
    unsafe { c_str_lossy(p) }.ok_or(SABLE_INVALID_ARGUMENT)
}

/// A new ordinary object (`{}`) of the context's realm.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_object_new(ctx: *mut sable_context, out: *mut sable_value) -> sable_status {
    obj_op(ctx, out, |api, c, id| Ok(encode_local(id, api_res(api.object_new(c))?)))
}

/// A new array (`new Array(length)`) of the context's realm.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_array_new(ctx: *mut sable_context, length: u32, out: *mut sable_value) -> sable_status {
    obj_op(ctx, out, |api, c, id| Ok(encode_local(id, api_res(api.array_new(c, length))?)))
}

/// `obj[key]` (may run getters and proxies).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_get(ctx: *mut sable_context, obj: sable_value, key: sable_value, out: *mut sable_value) -> sable_status {
    obj_op(ctx, out, |api, c, id| {
        let (o, k) = (local(api, id, obj)?, local(api, id, key)?);
        Ok(encode_local(id, api_res(api.get(c, o, k))?))
    })
}

/// `obj[key] = val` (may run setters and proxies).
/// A set that fails (read-only property, frozen object, accessor without a
/// setter) throws a TypeError, as in strict mode code: `SABLE_EXCEPTION`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_set(ctx: *mut sable_context, obj: sable_value, key: sable_value, val: sable_value) -> sable_status {
    obj_do(ctx, |api, c, id| {
        let (o, k, v) = (local(api, id, obj)?, local(api, id, key)?, local(api, id, val)?);
        api_res(api.set(c, o, k, v))
    })
}

/// `obj[utf8_name]` with a NUL-terminated UTF-8 name (not NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_get_named(ctx: *mut sable_context, obj: sable_value, utf8_name: *const c_char, out: *mut sable_value) -> sable_status {
    // SAFETY: `utf8_name` is NULL or NUL-terminated per the contract.
    let n = unsafe { name(utf8_name) };
    obj_op(ctx, out, |api, c, id| {
        let n = n?;
        let o = local(api, id, obj)?;
        Ok(encode_local(id, api_res(api.get_named(c, o, &n))?))
    })
}

/// `obj[utf8_name] = val` with a NUL-terminated UTF-8 name (not NULL).
/// A set that fails (read-only property, frozen object, accessor without a
/// setter) throws a TypeError, as in strict mode code: `SABLE_EXCEPTION`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_set_named(ctx: *mut sable_context, obj: sable_value, utf8_name: *const c_char, val: sable_value) -> sable_status {
    // SAFETY: `utf8_name` is NULL or NUL-terminated per the contract.
    let n = unsafe { name(utf8_name) };
    obj_do(ctx, |api, c, id| {
        let n = n?;
        let (o, v) = (local(api, id, obj)?, local(api, id, val)?);
        api_res(api.set_named(c, o, &n, v))
    })
}

/// `obj[index]`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_get_index(ctx: *mut sable_context, obj: sable_value, index: u32, out: *mut sable_value) -> sable_status {
    obj_op(ctx, out, |api, c, id| {
        let o = local(api, id, obj)?;
        Ok(encode_local(id, api_res(api.get_index(c, o, index))?))
    })
}

/// `obj[index] = val`.
/// A set that fails (read-only property, frozen object, accessor without a
/// setter) throws a TypeError, as in strict mode code: `SABLE_EXCEPTION`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_set_index(ctx: *mut sable_context, obj: sable_value, index: u32, val: sable_value) -> sable_status {
    obj_do(ctx, |api, c, id| {
        let (o, v) = (local(api, id, obj)?, local(api, id, val)?);
        api_res(api.set_index(c, o, index, v))
    })
}

/// `key in obj`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_has(ctx: *mut sable_context, obj: sable_value, key: sable_value, out: *mut bool) -> sable_status {
    obj_op(ctx, out, |api, c, id| {
        let (o, k) = (local(api, id, obj)?, local(api, id, key)?);
        api_res(api.has(c, o, k))
    })
}

/// `delete obj[key]`; `*out` is the result of the delete (false for a
/// non-configurable property).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_delete(ctx: *mut sable_context, obj: sable_value, key: sable_value, out: *mut bool) -> sable_status {
    obj_op(ctx, out, |api, c, id| {
        let (o, k) = (local(api, id, obj)?, local(api, id, key)?);
        api_res(api.delete(c, o, k))
    })
}

/// The own enumerable string keys of `obj` as a new array (`Object.keys`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_own_keys(ctx: *mut sable_context, obj: sable_value, array_out: *mut sable_value) -> sable_status {
    obj_op(ctx, array_out, |api, c, id| {
        let o = local(api, id, obj)?;
        Ok(encode_local(id, api_res(api.own_keys(c, o))?))
    })
}
