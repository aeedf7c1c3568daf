//! Throwing and taking JS exceptions.

use std::ffi::{c_char, c_int};

use super::sable_status::*;
use super::*;

/// The native error constructors a host can throw.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sable_error_kind {
    /// `Error`.
    SABLE_ERROR,
    /// `TypeError`.
    SABLE_TYPE_ERROR,
    /// `RangeError`.
    SABLE_RANGE_ERROR,
    /// `SyntaxError`.
    SABLE_SYNTAX_ERROR,
    /// `ReferenceError`.
    SABLE_REFERENCE_ERROR,
    /// `EvalError`.
    SABLE_EVAL_ERROR,
    /// `URIError`.
    SABLE_URI_ERROR,
}

/// A `sable_error_kind` as received from C (any `int`); printed as
/// `sable_error_kind` in the header (see cbindgen.toml).
#[doc(hidden)]
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawErrorKind(pub c_int);

impl RawErrorKind {
    /// The api error kind, or `None` outside the enum.
    fn get(self) -> Option<api::ErrorKind> {
        Some(match self.0 {
            0 => api::ErrorKind::Error,
            1 => api::ErrorKind::TypeError,
            2 => api::ErrorKind::RangeError,
            3 => api::ErrorKind::SyntaxError,
            4 => api::ErrorKind::ReferenceError,
            5 => api::ErrorKind::EvalError,
            6 => api::ErrorKind::UriError,
            _ => return None,
        })
    }
}

/// Throws `exception` (any value); returns `SABLE_EXCEPTION`, so a native
/// function can `return sable_throw(ctx, v);`. An invalid handle gives
/// `SABLE_INVALID_ARGUMENT` and throws nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_throw(ctx: *mut sable_context, exception: sable_value) -> sable_status {
    ffi_status(|| {
        let (iso, id) = context_ref(ctx)?;
        let s = iso.with(|api| {
            let l = local(api, iso.id, exception)?;
            Ok(api.throw(id, l))
        })?;
        Err(s.into())
    })
}

/// Throws a new error of `kind` with a NUL-terminated UTF-8 message (NULL:
/// empty) created in `ctx`; returns `SABLE_EXCEPTION`. A `kind` outside the
/// enum gives `SABLE_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_throw_error(ctx: *mut sable_context, kind: RawErrorKind, utf8_message: *const c_char) -> sable_status {
    ffi_status(|| {
        let (iso, id) = context_ref(ctx)?;
        let kind = kind.get().ok_or(SABLE_INVALID_ARGUMENT)?;
        // SAFETY: NULL or NUL-terminated per the contract.
        let msg = unsafe { c_str_lossy(utf8_message) }.unwrap_or_default();
        let s = iso.with(|api| Ok(api.throw_error(id, kind, &msg)))?;
        Err(s.into())
    })
}

/// True if a JS exception is pending; false for an invalid isolate.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_exception_pending(isolate: *mut sable_isolate) -> bool {
    ffi_or(false, || isolate_ref(isolate)?.with(|api| Ok(api.exception_pending())))
}

/// Takes (and clears) the pending exception into `*out`. If no exception is
/// pending it returns `SABLE_INVALID_ARGUMENT` and leaves `*out` untouched.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_exception_take(isolate: *mut sable_isolate, out: *mut sable_value) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        check(!out.is_null())?;
        let l = iso.with(|api| api.take_exception().ok_or(SABLE_INVALID_ARGUMENT))?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, encode_local(iso.id, l)) };
        Ok(())
    })
}
