//! Native functions written in C, and calling JS functions from C.

use std::ffi::{c_char, c_void};

use super::sable_status::*;
use super::*;

/// The arguments of a native call, valid only during that call.
pub struct sable_call_info {
    info: *const api::CallInfo,
    isolate: *mut sable_isolate,
}

/// A native function: return `SABLE_OK` (after `sable_call_return`, or the
/// result is `undefined`) or `SABLE_EXCEPTION` after `sable_throw` /
/// `sable_throw_error` (or after a call that left an exception pending).
/// Any other status unwinds the running script with that status. An
/// exception left pending is thrown whatever the status.
pub type sable_native_fn = Option<unsafe extern "C" fn(ctx: *mut sable_context, info: *const sable_call_info, data: *mut c_void) -> RawStatus>;

thread_local! {
    /// Addresses of the `sable_call_info`s of the native calls running on
    /// this thread (innermost last).
    static CALL_INFOS: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// Keeps a call info registered while its native function runs.
struct CallInfoRegistration(usize);

impl CallInfoRegistration {
    /// Registers `ci` as running on this thread until the guard drops.
    fn new(ci: &sable_call_info) -> Self {
        let a = std::ptr::from_ref(ci).addr();
        CALL_INFOS.with_borrow_mut(|v| v.push(a));
        CallInfoRegistration(a)
    }
}

impl Drop for CallInfoRegistration {
    fn drop(&mut self) {
        CALL_INFOS.with_borrow_mut(|v| {
            if let Some(i) = v.iter().rposition(|&a| a == self.0) {
                v.remove(i);
            }
        });
    }
}

/// The running call info at `p`, with its isolate.
fn call_info<'a>(p: *const sable_call_info) -> CResult<(&'a api::CallInfo, &'a sable_isolate)> {
    let live = !p.is_null() && CALL_INFOS.with_borrow(|v| v.contains(&p.addr()));
    check(live)?;
    // SAFETY: registered call infos live on the stack of a native call that is
    // still running on this thread, and so do their CallInfo and isolate.
    unsafe { Ok((&*(*p).info, &*(*p).isolate)) }
}

/// The number of arguments passed; 0 for an invalid `info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_call_argc(info: *const sable_call_info) -> usize {
    ffi_or(0, || Ok(call_info(info)?.0.args.len()))
}

/// Argument `i`; `undefined` past argc; NULL for an invalid `info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_call_arg(info: *const sable_call_info, i: usize) -> sable_value {
    ffi_or(std::ptr::null_mut(), || {
        let (ci, iso) = call_info(info)?;
        let l = match ci.args.get(i) {
            Some(&l) => l,
            None => iso.with(|api| Ok(api.undefined()))?,
        };
        Ok(encode_local(iso.id, l))
    })
}

/// The receiver (`this`); NULL for an invalid `info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_call_this(info: *const sable_call_info) -> sable_value {
    ffi_or(std::ptr::null_mut(), || {
        let (ci, iso) = call_info(info)?;
        Ok(encode_local(iso.id, ci.this))
    })
}

/// `new.target`: `undefined` unless called with `new`; NULL for an invalid
/// `info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_call_new_target(info: *const sable_call_info) -> sable_value {
    ffi_or(std::ptr::null_mut(), || {
        let (ci, iso) = call_info(info)?;
        Ok(encode_local(iso.id, ci.new_target))
    })
}

/// Sets the return value of the native call (the last call wins). Invalid
/// `info` or `v` are ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_call_return(info: *const sable_call_info, v: sable_value) {
    ffi_void(|| {
        let (ci, iso) = call_info(info)?;
        let l = iso.with(|api| local(api, iso.id, v))?;
        ci.set_return(l);
        Ok(())
    })
}

/// The context to hand to a native function: the one it was created in, or
/// failing that (disposed) the api's context of the call.
fn callback_context(iso: *mut sable_isolate, created: *mut sable_context, cid: api::ContextId) -> Option<*mut sable_context> {
    if context_is_live(created) { Some(created) } else { find_context(iso, cid) }
}

/// Creates a JS function that calls `fn(ctx, info, data)`. `name` is its
/// NUL-terminated `name` property (NULL: ""), `length` its `length`. `data`
/// is passed back unchanged and must outlive the function.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_function_new(
    ctx: *mut sable_context,
    r#fn: sable_native_fn,
    data: *mut c_void,
    name: *const c_char,
    length: u32,
    out: *mut sable_value,
) -> sable_status {
    ffi_status(|| {
        let (iso, id) = context_ref(ctx)?;
        check(!out.is_null())?;
        let f = r#fn.ok_or(SABLE_INVALID_ARGUMENT)?;
        // SAFETY: `name` is NULL or NUL-terminated per the contract.
        let name = unsafe { c_str_lossy(name) }.unwrap_or_default();
        let iso_p: *mut sable_isolate = std::ptr::from_ref(iso).cast_mut();
        let cb: api::NativeCallback = Box::new(move |api: &mut api::Isolate, cid: api::ContextId, info: &api::CallInfo| {
            // SAFETY: the api calls this only inside a call on this isolate,
            // so its sable_isolate box is alive.
            let iso = unsafe { &*iso_p };
            let Some(c) = callback_context(iso_p, ctx, cid) else {
                return Err(api::Status::InvalidArgument);
            };
            let ci = sable_call_info { info: std::ptr::from_ref(info), isolate: iso_p };
            let raw = {
                let _re = Reentry::new(iso, api);
                let _reg = CallInfoRegistration::new(&ci);
                // SAFETY: a host function with the host's data.
                unsafe { f(c, &ci, data) }
            };
            if iso.poisoned.get() {
                return Err(api::Status::InternalError);
            }
            match raw.get() {
                Some(SABLE_OK) if api.exception_pending() => Err(api::Status::Exception),
                Some(SABLE_OK) => Ok(()),
                Some(SABLE_EXCEPTION) => {
                    if !api.exception_pending() {
                        let _ = api.throw_error(cid, api::ErrorKind::Error, "native function returned SABLE_EXCEPTION without throwing");
                    }
                    Err(api::Status::Exception)
                }
                Some(s) => Err(s.into()),
                None => Err(api::Status::InvalidArgument),
            }
        });
        let l = iso.with(|api| api_res(api.function_new(id, cb, &name, length)))?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, encode_local(iso.id, l)) };
        Ok(())
    })
}

/// Resolves `argc` handles at `argv` (NULL allowed when `argc` is 0).
///
/// # Safety
/// `argv` must be NULL or valid for `argc` reads.
unsafe fn args(api: &api::Isolate, id: u64, argc: usize, argv: *const sable_value) -> CResult<Vec<api::Local>> {
    if argc == 0 {
        return Ok(Vec::new());
    }
    check(!argv.is_null() && argc <= isize::MAX as usize / size_of::<sable_value>())?;
    // SAFETY: non-NULL and valid for `argc` elements per the contract.
    let argv = unsafe { std::slice::from_raw_parts(argv, argc) };
    argv.iter().map(|&v| local(api, id, v)).collect()
}

/// `fn.call(this_arg, ...argv)`. `this_arg` must be a valid handle (use
/// `sable_undefined` for none); a non-callable `fn` gives
/// `SABLE_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_call(
    ctx: *mut sable_context,
    r#fn: sable_value,
    this_arg: sable_value,
    argc: usize,
    argv: *const sable_value,
    out: *mut sable_value,
) -> sable_status {
    ffi_status(|| {
        let (iso, id) = context_ref(ctx)?;
        check(!out.is_null())?;
        let r = iso.with(|api| {
            let (f, this) = (local(api, iso.id, r#fn)?, local(api, iso.id, this_arg)?);
            // SAFETY: `argv` is NULL or valid for `argc` elements per the contract.
            let a = unsafe { args(api, iso.id, argc, argv) }?;
            api_res(api.call(id, f, this, &a))
        })?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, encode_local(iso.id, r)) };
        Ok(())
    })
}

/// `new ctor(...argv)`; a non-constructor gives `SABLE_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_construct(
    ctx: *mut sable_context,
    ctor: sable_value,
    argc: usize,
    argv: *const sable_value,
    out: *mut sable_value,
) -> sable_status {
    ffi_status(|| {
        let (iso, id) = context_ref(ctx)?;
        check(!out.is_null())?;
        let r = iso.with(|api| {
            let f = local(api, iso.id, ctor)?;
            // SAFETY: `argv` is NULL or valid for `argc` elements per the contract.
            let a = unsafe { args(api, iso.id, argc, argv) }?;
            api_res(api.construct(id, f, &a))
        })?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, encode_local(iso.id, r)) };
        Ok(())
    })
}
