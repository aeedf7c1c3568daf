//! Safe Rust embedding API: isolates, contexts, handle scopes, locals and globals.
//!
//! `capi` wraps this module for C; Rust hosts use it directly. Everything here is
//! single-threaded per isolate except [`TerminateHandle`], which is `Send + Sync`.
//!
//! Handles: a [`Local`] is an index into the isolate's handle stack. It is valid
//! while the scope that created it is open; [`Isolate::local_value`] returns
//! `None` for a closed (stale) or out-of-range handle, so callers can validate
//! host input without undefined behaviour.

use std::ffi::c_void;

pub use crate::vm::heap::HostAllocator;
pub use crate::vm::isolate::HeapStatistics;
use crate::vm::isolate::{TerminateHandle as VmTerminateHandle, Vm};
pub use crate::vm::value::Value;

/// Outcome of a fallible embedding call (mirrors `sable_status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// A JS exception is pending; take it with [`Isolate::take_exception`].
    Exception,
    /// Execution was terminated by [`TerminateHandle::terminate`].
    Terminated,
    /// The heap limit was reached; the isolate is terminated and should be disposed.
    OutOfMemory,
    InvalidArgument,
    /// A bug in Sable (an internal panic); the isolate is unusable.
    InternalError,
    Aborted,
    IoError,
}

pub type ApiResult<T> = Result<T, Status>;

/// The element types of typed arrays, in the order of the C enum.
pub use crate::vm::object::buffer::ElementKind as TypedArrayKind;
/// Frees host memory behind an external ArrayBuffer (pointer, byte length).
pub use crate::vm::object::buffer::ExternalFree;

/// Parameters for [`Isolate::new`]. Zero means "default" for the sizes.
#[derive(Clone, Copy, Debug, Default)]
pub struct IsolateParams {
    pub heap_limit_bytes: usize,
    pub stack_limit_bytes: usize,
    pub allocator: Option<HostAllocator>,
}

/// The JS type of a value as the C API reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    Undefined,
    Null,
    Boolean,
    Number,
    BigInt,
    String,
    Symbol,
    Object,
    Function,
}

/// The native error constructors a host can throw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Error,
    TypeError,
    RangeError,
    SyntaxError,
    ReferenceError,
    EvalError,
    UriError,
}

/// The state of a promise, as [`Isolate::promise_state`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromiseState {
    Pending,
    Fulfilled,
    Rejected,
}

/// A handle to a value: an index into the isolate's handle stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Local(pub u32);

/// A persistent handle id, unique within its isolate and never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalId(pub u64);

/// A realm (context) id, unique within its isolate and never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContextId(pub u64);

/// Arguments of a native function call, as handles in the current scope.
pub struct CallInfo {
    pub this: Local,
    pub new_target: Local,
    pub args: Vec<Local>,
    /// Set by the callback through [`CallInfo::set_return`]; undefined if never set.
    pub ret: std::cell::Cell<Option<Local>>,
}

impl CallInfo {
    pub fn set_return(&self, v: Local) {
        self.ret.set(Some(v));
    }
}

/// A native function body. It runs with the isolate re-entered; it returns
/// `Ok(())` after optionally setting `info.ret`, or `Err(Status::Exception)` after
/// throwing (via [`Isolate::throw`]), or another status to unwind with it.
pub type NativeCallback = Box<dyn Fn(&mut Isolate, ContextId, &CallInfo) -> ApiResult<()>>;

/// Finalizer for a weak global (runs after the value is collected).
pub type WeakFinalizer = unsafe extern "C" fn(data: *mut c_void);

/// An isolate: one heap, one thread at a time, any number of contexts.
///
/// It is the VM itself seen through the embedding API (`repr(transparent)`),
/// so a native callback handed `&mut Vm` can be given `&mut Isolate` without
/// a second owner; [`Isolate::new`] returns it boxed.
#[repr(transparent)]
pub struct Isolate {
    pub(crate) vm: Vm,
}

/// Stops or interrupts a running isolate from any thread.
#[derive(Clone)]
pub struct TerminateHandle(pub(crate) VmTerminateHandle);

mod introspection;
mod isolate_impl;

#[cfg(target_os = "linux")]
pub use introspection::wait_forked_snapshot;

pub use introspection::{
    CodeStatistics, ForkedSnapshot, GcCallbackFn, GcPhase, GcType, NearHeapLimitFn, OomHandlerFn, SPACE_C_NAMES, SnapshotError, SnapshotFileError,
    SnapshotOptions, SnapshotReport, SpaceStatistics, cached_data_version_tag, diagnostic_snapshot_name, next_diagnostic_seq, report_unrecognized_flags,
    set_flags_from_string,
};
