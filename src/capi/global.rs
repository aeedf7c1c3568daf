//! Persistent (global) handles, strong and weak.

use std::ffi::c_void;

use super::sable_status::*;
use super::*;

/// Finalizer of a weak global: called with the host's `data` after the value
/// was collected. It runs once the outermost Sable call on the isolate has
/// returned (never in the middle of a GC), so it may call into the isolate
/// (e.g. `sable_global_free`).
pub type sable_finalizer = Option<unsafe extern "C" fn(data: *mut c_void)>;

/// The global id of `g` if it belongs to isolate `iso`.
fn gid(iso: &sable_isolate, g: sable_global) -> CResult<api::GlobalId> {
    match decode_global(g) {
        Some((id, gid)) if id == iso.id => Ok(gid),
        _ => Err(SABLE_INVALID_ARGUMENT),
    }
}

/// Finalizer handed to the api: queues the host finalizer of the weak global
/// encoded in `data`; the outermost entry point runs it.
unsafe extern "C" fn weak_trampoline(data: *mut c_void) {
    let _ = std::panic::catch_unwind(|| {
        let Some((id, g)) = decode_global(data.cast()) else {
            return;
        };
        let Ok(iso) = isolate_by_id(id) else { return };
        let thunk = match iso.weak.try_borrow_mut() {
            Ok(mut w) => w.remove(&g.0),
            Err(_) => None,
        };
        if let (Some(t), Ok(mut q)) = (thunk, iso.pending_finalizers.try_borrow_mut()) {
            q.push_back(t);
        }
    });
}

/// A persistent handle to `v`: valid across scopes and GCs until
/// `sable_global_free`. NULL for an invalid isolate or handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_global_new(isolate: *mut sable_isolate, v: sable_value) -> sable_global {
    ffi_or(std::ptr::null_mut(), || {
        let iso = isolate_ref(isolate)?;
        iso.with(|api| {
            let l = local(api, iso.id, v)?;
            let g = api.global_new(l).ok_or(SABLE_INVALID_ARGUMENT)?;
            let h = encode_global(iso.id, g);
            if h.is_null() {
                api.global_free(g);
            }
            Ok(h)
        })
    })
}

/// The value of a global as a handle in the current scope; `undefined` once a
/// weak global's value was collected; NULL for an invalid isolate or global.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_global_get(isolate: *mut sable_isolate, g: sable_global) -> sable_value {
    ffi_or(std::ptr::null_mut(), || {
        let iso = isolate_ref(isolate)?;
        let g = gid(iso, g)?;
        let l = iso.with(|api| api.global_get(g).ok_or(SABLE_INVALID_ARGUMENT))?;
        Ok(encode_local(iso.id, l))
    })
}

/// Makes a global weak: it no longer keeps its value alive, and after the
/// value is collected `cb(data)` runs (see `sable_finalizer`). `cb` may be
/// NULL. Calling it again replaces the finalizer. Invalid arguments are
/// ignored. If the isolate is disposed while the value is still alive, the
/// finalizer does not run.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_global_set_weak(isolate: *mut sable_isolate, g: sable_global, data: *mut c_void, cb: sable_finalizer) {
    ffi_void(|| {
        let iso = isolate_ref(isolate)?;
        let id = gid(iso, g)?;
        let ok = iso.with(|api| {
            Ok(match cb {
                Some(_) => api.global_set_weak(id, g.cast(), Some(weak_trampoline)),
                None => api.global_set_weak(id, data, None),
            })
        })?;
        if ok {
            let mut w = iso.weak.borrow_mut();
            match cb {
                Some(cb) => w.insert(id.0, WeakThunk { cb, data }),
                None => w.remove(&id.0),
            };
        }
        Ok(())
    })
}

/// Frees a global (its finalizer, if any, will not run). Invalid arguments
/// are ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_global_free(isolate: *mut sable_isolate, g: sable_global) {
    ffi_void(|| {
        let iso = isolate_ref(isolate)?;
        let id = gid(iso, g)?;
        let freed = iso.with(|api| Ok(api.global_free(id)))?;
        if freed {
            iso.weak.borrow_mut().remove(&id.0);
        }
        Ok(())
    })
}
