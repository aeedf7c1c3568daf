//! ArrayBuffers (engine-owned and host-owned external memory), typed arrays
//! over them, proxies, and the type checks for all three.

use std::ffi::c_void;

use super::sable_status::*;
use super::*;
use crate::api::TypedArrayKind as ElementKind;

/// The element type of a typed array.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sable_typed_array_kind {
    SABLE_INT8_ARRAY,
    SABLE_UINT8_ARRAY,
    SABLE_UINT8_CLAMPED_ARRAY,
    SABLE_INT16_ARRAY,
    SABLE_UINT16_ARRAY,
    SABLE_INT32_ARRAY,
    SABLE_UINT32_ARRAY,
    SABLE_FLOAT16_ARRAY,
    SABLE_FLOAT32_ARRAY,
    SABLE_FLOAT64_ARRAY,
    SABLE_BIGINT64_ARRAY,
    SABLE_BIGUINT64_ARRAY,
}

/// Frees host memory handed to `sable_array_buffer_new_external`: called
/// once with the data pointer, the byte length and the host's `user`
/// pointer when the buffer is collected, detached or its isolate disposed.
/// It runs inside the engine (during a collection): it must not call Sable.
pub type sable_backing_store_free = Option<unsafe extern "C" fn(data: *mut c_void, byte_length: usize, user: *mut c_void)>;

/// A new ArrayBuffer of `byte_length` zero bytes owned by the engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_array_buffer_new(ctx: *mut sable_context, byte_length: usize, out: *mut sable_value) -> sable_status {
    ffi_status(|| {
        let (iso, id) = context_ref(ctx)?;
        check(!out.is_null())?;
        let l = iso.with(|api| api_res(api.array_buffer_new(id, byte_length)))?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, encode_local(iso.id, l)) };
        Ok(())
    })
}

/// An ArrayBuffer over `byte_length` bytes of host memory at `data`, used in
/// place (never copied). `free_cb` (may be NULL) runs once with `data`,
/// `byte_length` and `user` when the buffer dies or is detached; until then
/// the memory must stay valid. `data` may be NULL only when `byte_length` is 0.
/// The bytes count in the isolate's `external_memory`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_array_buffer_new_external(
    ctx: *mut sable_context,
    data: *mut c_void,
    byte_length: usize,
    free_cb: sable_backing_store_free,
    user: *mut c_void,
    out: *mut sable_value,
) -> sable_status {
    ffi_status(|| {
        let (iso, id) = context_ref(ctx)?;
        check(!out.is_null())?;
        check(byte_length == 0 || !data.is_null())?;
        check(byte_length <= isize::MAX as usize)?;
        let free: api::ExternalFree = Box::new(move |ptr, len| {
            if let Some(f) = free_cb {
                // SAFETY: the host's callback, called once with the pointer,
                // length and user data it gave us.
                unsafe { f(ptr.cast(), len, user) };
            }
        });
        let l = iso.with(|api| api_res(api.array_buffer_new_external(id, data.cast(), byte_length, free)))?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, encode_local(iso.id, l)) };
        Ok(())
    })
}

/// The bytes of an ArrayBuffer or SharedArrayBuffer: `*data` (NULL when
/// detached) and `*byte_length` (0 when detached). Writes through the
/// pointer are seen by scripts; it stays valid until the buffer is detached,
/// resized or collected. Either out-parameter may be NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_array_buffer_data(
    isolate: *mut sable_isolate,
    buffer: sable_value,
    data: *mut *mut c_void,
    byte_length: *mut usize,
) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        let (p, n) = iso.with(|api| {
            let l = local(api, iso.id, buffer)?;
            api.array_buffer_data(l).ok_or(SABLE_INVALID_ARGUMENT)
        })?;
        // SAFETY: each out-parameter is NULL or valid per the contract.
        unsafe {
            if !data.is_null() {
                put(data, p.cast());
            }
            if !byte_length.is_null() {
                put(byte_length, n);
            }
        }
        Ok(())
    })
}

/// Detaches an ArrayBuffer: its views read as empty and an external
/// buffer's free callback runs now. SharedArrayBuffers cannot be detached.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_array_buffer_detach(isolate: *mut sable_isolate, buffer: sable_value) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        iso.with(|api| {
            let l = local(api, iso.id, buffer)?;
            api.array_buffer_detach(l).map_err(|_| SABLE_INVALID_ARGUMENT)
        })
    })
}

fn element_kind(k: c_int) -> CResult<ElementKind> {
    usize::try_from(k).ok().and_then(ElementKind::from_index).ok_or(SABLE_INVALID_ARGUMENT)
}

/// A typed array of `kind` viewing `length` elements of ArrayBuffer (or
/// SharedArrayBuffer) `buffer` from `byte_offset`. A misaligned offset, a
/// view past the end or a detached buffer gives `SABLE_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_typed_array_new(
    ctx: *mut sable_context,
    kind: sable_typed_array_kind,
    buffer: sable_value,
    byte_offset: usize,
    length: usize,
    out: *mut sable_value,
) -> sable_status {
    // The enum may hold any int a C caller put there: read it as one.
    // SAFETY: sable_typed_array_kind is a C enum (an int).
    let raw: c_int = unsafe { std::mem::transmute_copy(&kind) };
    ffi_status(|| {
        let (iso, id) = context_ref(ctx)?;
        check(!out.is_null())?;
        let k = element_kind(raw)?;
        let l = iso.with(|api| {
            let b = local(api, iso.id, buffer)?;
            api_res(api.typed_array_new(id, k, b, byte_offset, length))
        })?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, encode_local(iso.id, l)) };
        Ok(())
    })
}

/// The kind, buffer, byte offset and current length (in elements; 0 when
/// the view is out of bounds or detached) of typed array `ta`. Any
/// out-parameter may be NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_typed_array_info(
    isolate: *mut sable_isolate,
    ta: sable_value,
    kind: *mut sable_typed_array_kind,
    buffer: *mut sable_value,
    byte_offset: *mut usize,
    length: *mut usize,
) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        let (k, b, off, len) = iso.with(|api| {
            let l = local(api, iso.id, ta)?;
            api.typed_array_info(l).ok_or(SABLE_INVALID_ARGUMENT)
        })?;
        let ck = [
            sable_typed_array_kind::SABLE_INT8_ARRAY,
            sable_typed_array_kind::SABLE_UINT8_ARRAY,
            sable_typed_array_kind::SABLE_UINT8_CLAMPED_ARRAY,
            sable_typed_array_kind::SABLE_INT16_ARRAY,
            sable_typed_array_kind::SABLE_UINT16_ARRAY,
            sable_typed_array_kind::SABLE_INT32_ARRAY,
            sable_typed_array_kind::SABLE_UINT32_ARRAY,
            sable_typed_array_kind::SABLE_FLOAT16_ARRAY,
            sable_typed_array_kind::SABLE_FLOAT32_ARRAY,
            sable_typed_array_kind::SABLE_FLOAT64_ARRAY,
            sable_typed_array_kind::SABLE_BIGINT64_ARRAY,
            sable_typed_array_kind::SABLE_BIGUINT64_ARRAY,
        ][k as usize];
        // SAFETY: each out-parameter is NULL or valid per the contract.
        unsafe {
            if !kind.is_null() {
                put(kind, ck);
            }
            if !buffer.is_null() {
                put(buffer, encode_local(iso.id, b));
            }
            if !byte_offset.is_null() {
                put(byte_offset, off);
            }
            if !length.is_null() {
                put(length, len);
            }
        }
        Ok(())
    })
}

/// True if `v` is an ArrayBuffer or SharedArrayBuffer; false for an invalid handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_is_array_buffer(v: sable_value) -> bool {
    ffi_or(false, || {
        let iso = isolate_of_value(v)?;
        iso.with(|api| Ok(local(api, iso.id, v).is_ok_and(|l| api.is_array_buffer(l))))
    })
}

/// True if `v` is a typed array; false for an invalid handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_is_typed_array(v: sable_value) -> bool {
    ffi_or(false, || {
        let iso = isolate_of_value(v)?;
        iso.with(|api| Ok(local(api, iso.id, v).is_ok_and(|l| api.is_typed_array(l))))
    })
}

/// True if `v` is a Proxy (revoked ones included); false for an invalid handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_is_proxy(v: sable_value) -> bool {
    ffi_or(false, || {
        let iso = isolate_of_value(v)?;
        iso.with(|api| Ok(local(api, iso.id, v).is_ok_and(|l| api.is_proxy(l))))
    })
}

/// `new Proxy(target, handler)`: both must be objects (else
/// `SABLE_INVALID_ARGUMENT`). The proxy is callable if the target is.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_proxy_new(ctx: *mut sable_context, target: sable_value, handler: sable_value, out: *mut sable_value) -> sable_status {
    ffi_status(|| {
        let (iso, id) = context_ref(ctx)?;
        check(!out.is_null())?;
        let l = iso.with(|api| {
            let t = local(api, iso.id, target)?;
            let h = local(api, iso.id, handler)?;
            api_res(api.proxy_new(id, t, h))
        })?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, encode_local(iso.id, l)) };
        Ok(())
    })
}
