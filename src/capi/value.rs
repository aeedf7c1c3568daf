//! Primitive values, type checks, conversions and strings.

use std::ffi::c_char;

use super::sable_status::*;
use super::*;

/// The JS type of a value, as `typeof` sees it (plus NULL and FUNCTION split
/// out of "object").
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sable_type {
    /// `undefined` (also reported for invalid handles).
    SABLE_TYPE_UNDEFINED,
    /// `null`.
    SABLE_TYPE_NULL,
    /// `true` or `false`.
    SABLE_TYPE_BOOLEAN,
    /// A Number.
    SABLE_TYPE_NUMBER,
    /// A BigInt.
    SABLE_TYPE_BIGINT,
    /// A String.
    SABLE_TYPE_STRING,
    /// A Symbol.
    SABLE_TYPE_SYMBOL,
    /// An object that is not callable.
    SABLE_TYPE_OBJECT,
    /// A callable object.
    SABLE_TYPE_FUNCTION,
}

impl From<api::ValueType> for sable_type {
    fn from(t: api::ValueType) -> Self {
        match t {
            api::ValueType::Undefined => sable_type::SABLE_TYPE_UNDEFINED,
            api::ValueType::Null => sable_type::SABLE_TYPE_NULL,
            api::ValueType::Boolean => sable_type::SABLE_TYPE_BOOLEAN,
            api::ValueType::Number => sable_type::SABLE_TYPE_NUMBER,
            api::ValueType::BigInt => sable_type::SABLE_TYPE_BIGINT,
            api::ValueType::String => sable_type::SABLE_TYPE_STRING,
            api::ValueType::Symbol => sable_type::SABLE_TYPE_SYMBOL,
            api::ValueType::Object => sable_type::SABLE_TYPE_OBJECT,
            api::ValueType::Function => sable_type::SABLE_TYPE_FUNCTION,
        }
    }
}

/// Runs `f` on the isolate and live local of a handle that carries no
/// isolate argument.
fn with_value<R>(v: sable_value, f: impl FnOnce(&mut api::Isolate, api::Local) -> CResult<R>) -> CResult<R> {
    let iso = isolate_of_value(v)?;
    iso.with(|api| {
        let l = local(api, iso.id, v)?;
        f(api, l)
    })
}

/// Makes a primitive handle with `f` (NULL for an invalid isolate).
fn make(isolate: *mut sable_isolate, f: impl FnOnce(&mut api::Isolate) -> api::Local) -> sable_value {
    ffi_or(std::ptr::null_mut(), || {
        let iso = isolate_ref(isolate)?;
        let l = iso.with(|api| Ok(f(api)))?;
        Ok(encode_local(iso.id, l))
    })
}

/// The type of a value; `SABLE_TYPE_UNDEFINED` for an invalid handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_typeof(v: sable_value) -> sable_type {
    ffi_or(sable_type::SABLE_TYPE_UNDEFINED, || with_value(v, |api, l| Ok(api.type_of(l).map_or(sable_type::SABLE_TYPE_UNDEFINED, sable_type::from))))
}

/// `undefined`; NULL for an invalid isolate.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_undefined(isolate: *mut sable_isolate) -> sable_value {
    make(isolate, |api| api.undefined())
}

/// `null`; NULL for an invalid isolate.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_null(isolate: *mut sable_isolate) -> sable_value {
    make(isolate, |api| api.null())
}

/// A boolean; NULL for an invalid isolate.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_boolean(isolate: *mut sable_isolate, b: bool) -> sable_value {
    make(isolate, |api| api.boolean(b))
}

/// A number; NULL for an invalid isolate.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_number(isolate: *mut sable_isolate, d: f64) -> sable_value {
    make(isolate, |api| api.number(d))
}

/// A string from `len` bytes of UTF-8 (invalid sequences become U+FFFD; it
/// never fails). NULL `utf8` with `len` 0 is the empty string; NULL `utf8`
/// with `len` > 0 and an invalid isolate give NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_string(isolate: *mut sable_isolate, utf8: *const c_char, len: usize) -> sable_value {
    // SAFETY: `utf8` is NULL or valid for `len` bytes per the contract.
    let Some(b) = (unsafe { bytes(utf8, len) }) else {
        return std::ptr::null_mut();
    };
    make(isolate, |api| api.string_from_utf8_lossy(b))
}

/// True if `v` is an Array; false for an invalid handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_is_array(v: sable_value) -> bool {
    ffi_or(false, || with_value(v, |api, l| Ok(api.is_array(l))))
}

/// True if `v` is a Promise; false for an invalid handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_is_promise(v: sable_value) -> bool {
    ffi_or(false, || with_value(v, |api, l| Ok(api.is_promise(l))))
}

/// True if `v` is an Error object; false for an invalid handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_is_error(v: sable_value) -> bool {
    ffi_or(false, || with_value(v, |api, l| Ok(api.is_error(l))))
}

/// Runs a conversion of `v` in `ctx` and writes its result through `out`.
fn convert<T>(
    ctx: *mut sable_context,
    v: sable_value,
    out: *mut T,
    f: impl FnOnce(&mut api::Isolate, api::ContextId, api::Local, u64) -> CResult<T>,
) -> sable_status {
    ffi_status(|| {
        let (iso, id) = context_ref(ctx)?;
        check(!out.is_null())?;
        let r = iso.with(|api| {
            let l = local(api, iso.id, v)?;
            f(api, id, l, iso.id)
        })?;
        // SAFETY: checked non-NULL; valid per the contract.
        unsafe { put(out, r) };
        Ok(())
    })
}

/// ToNumber(v) (may run JS: `valueOf`, `toString`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_to_number(ctx: *mut sable_context, v: sable_value, out: *mut f64) -> sable_status {
    convert(ctx, v, out, |api, c, l, _| api_res(api.to_number(c, l)))
}

/// ToBoolean(v).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_to_boolean(ctx: *mut sable_context, v: sable_value, out: *mut bool) -> sable_status {
    convert(ctx, v, out, |api, c, l, _| api_res(api.to_boolean(c, l)))
}

/// ToString(v) as a string handle (may run JS: `toString`, `valueOf`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_to_string(ctx: *mut sable_context, v: sable_value, out: *mut sable_value) -> sable_status {
    convert(ctx, v, out, |api, c, l, id| Ok(encode_local(id, api_res(api.to_string(c, l))?)))
}

/// Copies the UTF-8 of string `str` into `buf` (at most `cap` bytes, no
/// terminator, possibly cutting a sequence) and sets `*len_out` to the full
/// UTF-8 length. `buf` may be NULL to ask the length only; `len_out` must not
/// be NULL. A non-string gives `SABLE_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_string_utf8(isolate: *mut sable_isolate, str: sable_value, buf: *mut c_char, cap: usize, len_out: *mut usize) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        check(!len_out.is_null())?;
        let s = iso.with(|api| {
            let l = local(api, iso.id, str)?;
            api.string_to_utf8(l).ok_or(SABLE_INVALID_ARGUMENT)
        })?;
        if !buf.is_null() {
            let n = s.len().min(cap);
            // SAFETY: `buf` is valid for `cap` >= n bytes per the contract and
            // cannot overlap the freshly allocated `s`.
            unsafe { std::ptr::copy_nonoverlapping(s.as_ptr(), buf.cast::<u8>(), n) };
        }
        // SAFETY: checked non-NULL.
        unsafe { put(len_out, s.len()) };
        Ok(())
    })
}
