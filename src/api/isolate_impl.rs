//! Method bodies of the embedding API's `Isolate` and `TerminateHandle`.

use super::*;

use crate::vm::compiler;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use crate::vm::heap::{CellKind, Gc, HeapExhausted, on_clean_stack};
use crate::vm::isolate::{GlobalEntry, VmState};
use crate::vm::object::buffer::{ArrayBufferData, BufferStore, ElementKind, ExternalFree, ViewData};
use crate::vm::object::{JsBigInt, JsObject, JsString, ObjectKind, PropertyKey};
use crate::vm::runtime::ErrorType;
use crate::vm::runtime::bigint::{MAX_BIGINT_BITS, as_bigint, to_u64_wrapping};
use crate::vm::runtime::realm::Realm;
use crate::vm::runtime::typed_array::{buffer_data, typed_array, view_length};
use crate::vm::{JsResult, Unwind};
use num_bigint::{BigInt, Sign};
use num_traits::Signed;

/// Runs `f`; `None` if it unwound because a heap page could not be had.
fn catch_heap_exhausted<T>(f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(payload) if HeapExhausted::is(&*payload) => None,
        Err(payload) => resume_unwind(payload),
    }
}

impl Isolate {
    /// Creates an isolate with its heap, VM stack and limits.
    /// `Status::OutOfMemory` when the (host) page allocator cannot provide
    /// the initial heap.
    pub fn new(params: &IsolateParams) -> ApiResult<Box<Isolate>> {
        let vm = catch_heap_exhausted(|| Vm::new(params.heap_limit_bytes, params.stack_limit_bytes, params.allocator)).ok_or(Status::OutOfMemory)?;
        // SAFETY: Isolate is repr(transparent) over Vm, so the allocation has
        // the right layout; ownership moves from one Box to the other.
        Ok(unsafe { Box::from_raw(Box::into_raw(vm) as *mut Isolate) })
    }
    /// The embedding view of a VM the caller already borrows mutably (native
    /// callbacks and interrupts are handed the `Vm`).
    pub(crate) fn from_vm(vm: &mut Vm) -> &mut Isolate {
        // SAFETY: Isolate is repr(transparent) over Vm; the borrow is the same one.
        unsafe { &mut *(vm as *mut Vm as *mut Isolate) }
    }
    /// Unique id of this isolate (never reused within the process).
    pub fn id(&self) -> u64 {
        self.vm.id
    }
    /// False once the isolate hit OOM or an internal error; only dispose is safe then.
    pub fn is_usable(&self) -> bool {
        self.vm.state == VmState::Usable
    }
    /// Marks the isolate unusable (called by capi when a panic was caught).
    pub fn mark_internal_error(&mut self) {
        self.vm.state = VmState::InternalError;
    }
    /// Puts the isolate in the out-of-memory state (called by capi when an
    /// allocation outside JS execution found no memory).
    pub fn mark_out_of_memory(&mut self) {
        self.vm.out_of_memory_because("the page allocator returned no memory", false);
    }
    pub fn terminate_handle(&self) -> TerminateHandle {
        TerminateHandle(self.vm.terminate_handle())
    }
    pub fn cancel_terminate_execution(&mut self) {
        use std::sync::atomic::Ordering;
        self.vm.shared.terminate.store(false, Ordering::SeqCst);
        self.vm.terminating = false;
    }

    pub(super) fn state_status(&self) -> Status {
        match self.vm.state {
            VmState::Usable => Status::Ok,
            VmState::OutOfMemory => Status::OutOfMemory,
            VmState::InternalError => Status::InternalError,
        }
    }

    pub(super) fn realm_of(&self, c: ContextId) -> ApiResult<Gc<Realm>> {
        self.vm.realms.get(&c.0).copied().ok_or(Status::InvalidArgument)
    }

    /// Runs `f` inside the VM in context `c`: records the native stack base,
    /// selects the realm, and converts an abnormal completion into a status.
    pub(super) fn enter<T>(&mut self, c: ContextId, f: impl FnOnce(&mut Vm) -> JsResult<T>) -> ApiResult<T> {
        let st = self.state_status();
        if st != Status::Ok {
            return Err(st);
        }
        if self.vm.serving_interrupts_in_builtin {
            // An interrupt callback run from inside a long builtin may not
            // re-enter the VM (see Vm::serving_interrupts_in_builtin).
            return Err(Status::InvalidArgument);
        }
        let realm = self.realm_of(c)?;
        let vm = &mut self.vm;
        let prev_base = vm.enter();
        let saved_realm = vm.current_realm.replace(realm);
        let frames = vm.frames.len();
        let sp = vm.sp;
        let r = match catch_heap_exhausted(|| vm.safepoint().and_then(|_| f(&mut *vm))) {
            Some(r) => r,
            None => {
                // The allocator had no page for us: this isolate is out of
                // memory. Drop the frames the unwind skipped over.
                vm.frames.truncate(frames);
                vm.sp = sp;
                Err(vm.out_of_memory_because("the page allocator returned no memory", false))
            }
        };
        vm.current_realm = saved_realm.or(Some(realm));
        debug_assert!(r.is_err() || vm.frames.len() == frames);
        vm.leave(prev_base);
        if prev_base == 0 {
            vm.frames.clear();
            vm.sp = 0;
            vm.terminating = false;
            vm.temp_roots.clear();
            // The script or job is over: WeakRef targets it kept are released.
            vm.clear_kept_objects();
            if !vm.pending_finalizers.is_empty() {
                vm.run_finalizers();
            }
        }
        match r {
            Ok(v) => Ok(v),
            Err(Unwind::Throw(e)) => {
                vm.pending_exception = Some(e);
                Err(Status::Exception)
            }
            Err(Unwind::Terminate) => Err(Status::Terminated),
            Err(Unwind::OutOfMemory) => Err(Status::OutOfMemory),
        }
    }

    pub(super) fn push(&mut self, v: Value) -> Local {
        self.vm.handles.push(v);
        Local((self.vm.handles.len() - 1) as u32)
    }
    pub(super) fn val(&self, l: Local) -> ApiResult<Value> {
        self.vm.handles.get(l.0 as usize).copied().ok_or(Status::InvalidArgument)
    }
    pub(super) fn obj(&self, l: Local) -> ApiResult<Gc<JsObject>> {
        JsObject::from_value(self.val(l)?).ok_or(Status::InvalidArgument)
    }

    // ----- handle scopes -----
    pub fn open_scope(&mut self) -> usize {
        self.vm.handles.len()
    }
    /// Pops every handle made since `open_scope` returned `token`. Tokens above
    /// the current top are ignored.
    pub fn close_scope(&mut self, token: usize) {
        if token <= self.vm.handles.len() {
            self.vm.handles.truncate(token);
        }
    }
    /// Closes the scope and re-creates `v` in the outer scope. `None` if `v` is stale.
    pub fn escape(&mut self, token: usize, v: Local) -> Option<Local> {
        let value = self.val(v).ok()?;
        self.close_scope(token);
        Some(self.push(value))
    }
    pub fn is_valid_local(&self, l: Local) -> bool {
        (l.0 as usize) < self.vm.handles.len()
    }

    // ----- primitives -----
    pub fn undefined(&mut self) -> Local {
        self.push(Value::UNDEFINED)
    }
    pub fn null(&mut self) -> Local {
        self.push(Value::NULL)
    }
    pub fn boolean(&mut self, b: bool) -> Local {
        self.push(Value::bool(b))
    }
    pub fn number(&mut self, d: f64) -> Local {
        self.push(Value::number(d))
    }
    /// Creates a string; invalid UTF-8 is decoded with U+FFFD replacement.
    pub fn string_from_utf8_lossy(&mut self, bytes: &[u8]) -> Local {
        let s = String::from_utf8_lossy(bytes);
        let v = JsString::from_str(&mut self.vm.heap, &s).value();
        self.push(v)
    }
    pub fn type_of(&self, l: Local) -> Option<ValueType> {
        let v = self.val(l).ok()?;
        Some(if v.is_undefined() {
            ValueType::Undefined
        } else if v.is_null() {
            ValueType::Null
        } else if v.is_bool() {
            ValueType::Boolean
        } else if v.is_number() {
            ValueType::Number
        } else {
            match v.cell_kind() {
                Some(CellKind::String) => ValueType::String,
                Some(CellKind::Symbol) => ValueType::Symbol,
                Some(CellKind::BigInt) => ValueType::BigInt,
                Some(CellKind::Object) if Vm::is_callable(v) => ValueType::Function,
                _ => ValueType::Object,
            }
        })
    }
    pub fn is_array(&self, l: Local) -> bool {
        self.obj(l).is_ok_and(|o| o.is_array())
    }
    pub fn is_promise(&self, l: Local) -> bool {
        self.val(l).is_ok_and(crate::vm::runtime::promise::is_promise)
    }
    pub fn is_error(&self, l: Local) -> bool {
        self.obj(l).is_ok_and(|o| matches!(o.kind, ObjectKind::Error))
    }
    /// A promise's state and, once settled, its result (read-only: the
    /// promise is not marked handled). `None` if `l` is stale or not a promise.
    pub fn promise_state(&mut self, l: Local) -> Option<(PromiseState, Local)> {
        let o = self.obj(l).ok()?;
        let (state, result) = match &o.kind {
            ObjectKind::Promise(d) => (d.state, d.result),
            _ => return None,
        };
        let state = match state {
            crate::vm::object::PromiseState::Pending => PromiseState::Pending,
            crate::vm::object::PromiseState::Fulfilled => PromiseState::Fulfilled,
            crate::vm::object::PromiseState::Rejected => PromiseState::Rejected,
        };
        Some((state, self.push(result)))
    }
    /// The UTF-8 text of a string handle (lone surrogates become U+FFFD); `None`
    /// if `l` is stale or not a string.
    pub fn string_to_utf8(&self, l: Local) -> Option<String> {
        let v = self.val(l).ok()?;
        Gc::<JsString>::try_from_value(v).map(|s| s.to_rust_string())
    }

    /// Whether `Atomics.wait` may block this isolate (V8's `SetAllowAtomicsWait`).
    pub fn set_allow_atomics_wait(&mut self, allow: bool) {
        self.vm.allow_atomics_wait = allow;
    }

    // ----- BigInt -----
    /// The most 64-bit words a BigInt may have (the engine's size limit).
    pub const BIGINT_MAX_WORDS: usize = (MAX_BIGINT_BITS / 64) as usize;
    pub fn bigint_from_i64(&mut self, n: i64) -> Local {
        let v = self.vm.bigint_value(BigInt::from(n));
        self.push(v)
    }
    pub fn bigint_from_u64(&mut self, n: u64) -> Local {
        let v = self.vm.bigint_value(BigInt::from(n));
        self.push(v)
    }
    /// A BigInt from 64-bit words of its magnitude, least significant first.
    /// `None` past the BigInt size limit.
    pub fn bigint_from_words(&mut self, negative: bool, words: &[u64]) -> Option<Local> {
        if words.len() > Self::BIGINT_MAX_WORDS {
            return None;
        }
        let digits: Vec<u32> = words.iter().flat_map(|&w| [w as u32, (w >> 32) as u32]).collect();
        let magnitude = BigInt::from_slice(Sign::Plus, &digits);
        let v = self.vm.bigint_value(if negative { -magnitude } else { magnitude });
        Some(self.push(v))
    }
    fn bigint(&self, l: Local) -> Option<Gc<JsBigInt>> {
        as_bigint(self.val(l).ok()?)
    }
    /// The BigInt modulo 2^64 as a signed number, and whether that is its
    /// exact value. `None` if `l` is stale or not a BigInt.
    pub fn bigint_to_i64(&self, l: Local) -> Option<(i64, bool)> {
        let b = self.bigint(l)?;
        let wrapped = to_u64_wrapping(&b.value) as i64;
        Some((wrapped, BigInt::from(wrapped) == b.value))
    }
    /// The BigInt modulo 2^64 as an unsigned number, and whether that is its exact value.
    pub fn bigint_to_u64(&self, l: Local) -> Option<(u64, bool)> {
        let b = self.bigint(l)?;
        let wrapped = to_u64_wrapping(&b.value);
        Some((wrapped, BigInt::from(wrapped) == b.value))
    }
    /// The sign and the 64-bit words of the magnitude, least significant first.
    pub fn bigint_words(&self, l: Local) -> Option<(bool, Vec<u64>)> {
        let b = self.bigint(l)?;
        Some((b.value.is_negative(), b.value.magnitude().to_u64_digits()))
    }

    // ----- ArrayBuffer and typed arrays -----
    /// A new engine-owned ArrayBuffer of `len` zero bytes.
    pub fn array_buffer_new(&mut self, c: ContextId, len: usize) -> ApiResult<Local> {
        let o = self.enter(c, |vm| vm.new_array_buffer(len))?;
        Ok(self.push(o.value()))
    }
    /// An ArrayBuffer over `len` bytes of host memory at `data` (no copy);
    /// `free` runs once when the buffer dies or is detached.
    pub fn array_buffer_new_external(&mut self, c: ContextId, data: *mut u8, len: usize, free: ExternalFree) -> ApiResult<Local> {
        let o = self.enter(c, |vm| {
            let proto = vm.realm().intrinsic(crate::vm::runtime::realm::Intrinsic::ArrayBufferPrototype);
            let store = BufferStore::External { ptr: data, len, free: Some(free) };
            vm.heap.note_external_allocation(len);
            let d = ArrayBufferData { store, max_byte_length: None, shared: false };
            Ok(vm.new_object_with_proto(proto, ObjectKind::ArrayBuffer(Box::new(d))))
        })?;
        Ok(self.push(o.value()))
    }
    /// The bytes of an ArrayBuffer or SharedArrayBuffer: (NULL, 0) when
    /// detached; `None` if `l` is stale or not a buffer.
    pub fn array_buffer_data(&self, l: Local) -> Option<(*mut u8, usize)> {
        let d = buffer_data(self.obj(l).ok()?)?;
        Some(if d.is_detached() { (std::ptr::null_mut(), 0) } else { (d.data_ptr(), d.byte_length()) })
    }
    /// DetachArrayBuffer; `InvalidArgument` for non-buffers and shared ones.
    pub fn array_buffer_detach(&mut self, l: Local) -> ApiResult<()> {
        let d = self.obj(l).ok().and_then(buffer_data).ok_or(Status::InvalidArgument)?;
        if d.shared {
            return Err(Status::InvalidArgument);
        }
        d.detach();
        Ok(())
    }
    pub fn is_array_buffer(&self, l: Local) -> bool {
        self.obj(l).is_ok_and(|o| buffer_data(o).is_some())
    }
    pub fn is_proxy(&self, l: Local) -> bool {
        self.obj(l).is_ok_and(crate::vm::runtime::proxy::is_proxy)
    }
    /// `new Proxy(target, handler)`; `InvalidArgument` unless both are objects.
    pub fn proxy_new(&mut self, c: ContextId, target: Local, handler: Local) -> ApiResult<Local> {
        let (t, h) = (self.obj(target)?, self.obj(handler)?);
        let p = self.enter(c, |vm| vm.proxy_create(t.value(), h.value()))?;
        Ok(self.push(p.value()))
    }
    pub fn is_typed_array(&self, l: Local) -> bool {
        self.obj(l).is_ok_and(|o| typed_array(o).is_some())
    }
    /// A typed array of `kind` over `length` elements of `buffer` from
    /// `byte_offset`; `InvalidArgument` if misaligned, out of bounds or not a buffer.
    pub fn typed_array_new(&mut self, c: ContextId, kind: ElementKind, buffer: Local, byte_offset: usize, length: usize) -> ApiResult<Local> {
        let b = self.obj(buffer)?;
        let d = buffer_data(b).ok_or(Status::InvalidArgument)?;
        let fits = byte_offset.is_multiple_of(kind.size())
            && length.checked_mul(kind.size()).and_then(|n| n.checked_add(byte_offset)).is_some_and(|end| end <= d.byte_length());
        if d.is_detached() || !fits {
            return Err(Status::InvalidArgument);
        }
        let o = self.enter(c, |vm| {
            let proto = vm.realm().typed_array_proto(kind);
            Ok(vm.new_typed_array_object(proto, kind, ViewData { buffer: b, byte_offset, length: Some(length) }))
        })?;
        Ok(self.push(o.value()))
    }
    /// Kind, buffer, byte offset and current length of a typed array (length
    /// 0 when out of bounds); `None` if `l` is stale or not a typed array.
    pub fn typed_array_info(&mut self, l: Local) -> Option<(ElementKind, Local, usize, usize)> {
        let (kind, view) = typed_array(self.obj(l).ok()?)?;
        let len = view_length(&view, kind.size()).unwrap_or(0);
        let b = self.push(view.buffer.value());
        Some((kind, b, view.byte_offset, len))
    }

    // ----- contexts -----
    pub fn context_new(&mut self) -> ApiResult<ContextId> {
        let st = self.state_status();
        if st != Status::Ok {
            return Err(st);
        }
        let vm = &mut self.vm;
        let Some(realm) = catch_heap_exhausted(|| crate::vm::bootstrap::create_realm(vm)) else {
            self.vm.out_of_memory_because("the page allocator returned no memory", false);
            return Err(Status::OutOfMemory);
        };
        Ok(ContextId(realm.id))
    }
    /// Returns false if `c` does not exist (already disposed).
    pub fn context_dispose(&mut self, c: ContextId) -> bool {
        let removed = self.vm.realms.remove(&c.0);
        let gone = removed.is_some();
        if let Some(r) = removed {
            // Counted as detached until the collector frees it.
            self.vm.detached_realms.push(r.value());
        }
        if gone && self.vm.current_realm.is_some_and(|r| r.id == c.0) && self.vm.frames.is_empty() {
            self.vm.current_realm = self.vm.realms.values().next().copied();
        }
        gone
    }
    pub fn context_exists(&self, c: ContextId) -> bool {
        self.vm.realms.contains_key(&c.0)
    }
    pub fn context_global(&mut self, c: ContextId) -> Option<Local> {
        let realm = self.realm_of(c).ok()?;
        Some(self.push(realm.global.value()))
    }

    // ----- running code -----
    /// Runs a classic script. `name` is the resource name used in stack traces.
    pub fn eval(&mut self, c: ContextId, src: &str, name: Option<&str>) -> ApiResult<Local> {
        let realm = self.realm_of(c)?;
        let name = name.unwrap_or("<anonymous>").to_string();
        let v = self.enter(c, |vm| {
            let code = match compiler::compile_script(vm, src, &name) {
                Ok(code) => code,
                Err(e) => return Err(e.into_unwind(vm)),
            };
            vm.run_script(realm, code)
        })?;
        Ok(self.push(v))
    }
    /// Compiles a classic script without running it (parse and early errors
    /// become a pending SyntaxError). The script stays alive until
    /// [`Isolate::global_free`] on the returned id.
    pub fn compile(&mut self, c: ContextId, src: &str, name: Option<&str>) -> ApiResult<GlobalId> {
        let name = name.unwrap_or("<anonymous>").to_string();
        let code = self.enter(c, |vm| match compiler::compile_script(vm, src, &name) {
            Ok(code) => Ok(code),
            Err(e) => Err(e.into_unwind(vm)),
        })?;
        let id = self.vm.next_global;
        self.vm.next_global += 1;
        self.vm.globals.insert(id, GlobalEntry { value: code.value(), weak: None });
        Ok(GlobalId(id))
    }

    /// Runs a script returned by [`Isolate::compile`] in context `c`.
    pub fn run_compiled(&mut self, c: ContextId, script: GlobalId) -> ApiResult<Local> {
        let realm = self.realm_of(c)?;
        let v = self.vm.globals.get(&script.0).map(|g| g.value).ok_or(Status::InvalidArgument)?;
        let code = Gc::<crate::vm::bytecode::Code>::try_from_value(v).ok_or(Status::InvalidArgument)?;
        let r = self.enter(c, |vm| vm.run_script(realm, code))?;
        Ok(self.push(r))
    }

    pub fn to_number(&mut self, c: ContextId, v: Local) -> ApiResult<f64> {
        let v = self.val(v)?;
        self.enter(c, |vm| vm.to_number(v))
    }
    pub fn to_boolean(&mut self, c: ContextId, v: Local) -> ApiResult<bool> {
        self.realm_of(c)?;
        Ok(Vm::to_boolean(self.val(v)?))
    }
    pub fn to_string(&mut self, c: ContextId, v: Local) -> ApiResult<Local> {
        let v = self.val(v)?;
        let s = self.enter(c, |vm| vm.to_string(v))?;
        Ok(self.push(s.value()))
    }

    // ----- objects (a non-object receiver gives InvalidArgument) -----
    pub fn object_new(&mut self, c: ContextId) -> ApiResult<Local> {
        let o = self.enter(c, |vm| Ok(vm.new_object()))?;
        Ok(self.push(o.value()))
    }
    pub fn array_new(&mut self, c: ContextId, length: u32) -> ApiResult<Local> {
        let a = self.enter(c, |vm| Ok(vm.new_array(length)))?;
        Ok(self.push(a.value()))
    }
    fn get_key(&mut self, c: ContextId, obj: Local, key: PropertyKeyInput) -> ApiResult<Local> {
        let o = self.obj(obj)?;
        let v = self.enter(c, |vm| {
            let k = key.resolve(vm)?;
            vm.get(o, k, o.value())
        })?;
        Ok(self.push(v))
    }
    fn set_key(&mut self, c: ContextId, obj: Local, key: PropertyKeyInput, val: Local) -> ApiResult<()> {
        let o = self.obj(obj)?;
        let v = self.val(val)?;
        self.enter(c, |vm| {
            let k = key.resolve(vm)?;
            vm.put_v(o.value(), k, v, true)
        })
    }
    pub fn get(&mut self, c: ContextId, obj: Local, key: Local) -> ApiResult<Local> {
        let k = self.val(key)?;
        self.get_key(c, obj, PropertyKeyInput::Value(k))
    }
    pub fn set(&mut self, c: ContextId, obj: Local, key: Local, val: Local) -> ApiResult<()> {
        let k = self.val(key)?;
        self.set_key(c, obj, PropertyKeyInput::Value(k), val)
    }
    pub fn get_named(&mut self, c: ContextId, obj: Local, name: &str) -> ApiResult<Local> {
        self.get_key(c, obj, PropertyKeyInput::Name(name.to_string()))
    }
    pub fn set_named(&mut self, c: ContextId, obj: Local, name: &str, val: Local) -> ApiResult<()> {
        self.set_key(c, obj, PropertyKeyInput::Name(name.to_string()), val)
    }
    pub fn get_index(&mut self, c: ContextId, obj: Local, index: u32) -> ApiResult<Local> {
        self.get_key(c, obj, PropertyKeyInput::Index(index))
    }
    pub fn set_index(&mut self, c: ContextId, obj: Local, index: u32, val: Local) -> ApiResult<()> {
        self.set_key(c, obj, PropertyKeyInput::Index(index), val)
    }
    pub fn has(&mut self, c: ContextId, obj: Local, key: Local) -> ApiResult<bool> {
        let o = self.obj(obj)?;
        let k = self.val(key)?;
        self.enter(c, |vm| {
            let pk = vm.to_property_key(k)?;
            vm.has_property(o, pk)
        })
    }
    pub fn delete(&mut self, c: ContextId, obj: Local, key: Local) -> ApiResult<bool> {
        let o = self.obj(obj)?;
        let k = self.val(key)?;
        self.enter(c, |vm| {
            let pk = vm.to_property_key(k)?;
            vm.delete_property(o, pk)
        })
    }
    /// Own enumerable string keys, as an array (like `Object.keys`).
    pub fn own_keys(&mut self, c: ContextId, obj: Local) -> ApiResult<Local> {
        let o = self.obj(obj)?;
        let arr = self.enter(c, |vm| {
            let arr = vm.new_array(0);
            // [[GetOwnProperty]] may run proxy traps: the keys and the result
            // stay rooted while they do.
            vm.with_roots([arr.value()], |vm| {
                vm.with_own_keys(o, |vm, keys| {
                    let mut i = 0;
                    for &k in keys {
                        if k.is_symbol() {
                            continue;
                        }
                        if vm.own_property(o, k)?.is_some_and(|d| d.enumerable == Some(true)) {
                            let kv = vm.key_to_value(k);
                            vm.create_data_property_or_throw(arr, PropertyKey::Index(i), kv)?;
                            i += 1;
                        }
                    }
                    Ok(arr)
                })
            })
        })?;
        Ok(self.push(arr.value()))
    }

    // ----- functions (a non-callable `f` gives InvalidArgument) -----
    pub fn function_new(&mut self, c: ContextId, cb: NativeCallback, name: &str, length: u32) -> ApiResult<Local> {
        let realm = self.realm_of(c)?;
        let st = self.state_status();
        if st != Status::Ok {
            return Err(st);
        }
        let host: crate::vm::object::HostFn = std::rc::Rc::new(move |vm: &mut Vm, args: &crate::vm::object::CallArgs<'_>| {
            let iso = Isolate::from_vm(vm);
            let token = iso.open_scope();
            let this = iso.push(args.this);
            let new_target = iso.push(args.new_target);
            let list: Vec<Local> = args.args.iter().map(|&a| iso.push(a)).collect();
            let info = CallInfo { this, new_target, args: list, ret: std::cell::Cell::new(None) };
            let r = cb(iso, c, &info);
            let ret = info.ret.get().and_then(|l| iso.val(l).ok()).unwrap_or(Value::UNDEFINED);
            iso.close_scope(token);
            let vm: &mut Vm = &mut iso.vm;
            match r {
                Ok(()) => Ok(ret),
                Err(Status::Exception) => match vm.pending_exception.take() {
                    Some(e) => Err(Unwind::Throw(e)),
                    None => Err(vm.type_error("host function reported an exception without throwing one")),
                },
                Err(Status::Terminated) => Err(Unwind::Terminate),
                Err(Status::OutOfMemory) => Err(vm.out_of_memory()),
                Err(other) => Err(vm.type_error(&format!("host function failed with status {other:?}"))),
            }
        });
        let vm = &mut self.vm;
        let saved = vm.current_realm.replace(realm);
        // Host functions are constructors with a `prototype`, as V8's FunctionTemplate functions are.
        let f = vm.new_function_object(realm, crate::vm::object::FunctionKind::Host { func: host }, name, length, true);
        let proto = vm.new_object();
        let ckey = PropertyKey::Atom(vm.names.constructor);
        proto.put_named(&mut vm.heap, ckey, f.value(), crate::vm::object::attrs::HIDDEN);
        let pkey = PropertyKey::Atom(vm.names.prototype);
        f.put_named(&mut vm.heap, pkey, proto.value(), crate::vm::object::attrs::WRITABLE);
        vm.current_realm = saved.or(Some(realm));
        Ok(self.push(f.value()))
    }
    pub fn call(&mut self, c: ContextId, f: Local, this: Local, args: &[Local]) -> ApiResult<Local> {
        let fv = self.val(f)?;
        if !Vm::is_callable(fv) {
            return Err(Status::InvalidArgument);
        }
        let tv = self.val(this)?;
        let argv = args.iter().map(|&a| self.val(a)).collect::<ApiResult<Vec<Value>>>()?;
        let r = self.enter(c, |vm| vm.call(fv, tv, &argv))?;
        Ok(self.push(r))
    }
    pub fn construct(&mut self, c: ContextId, f: Local, args: &[Local]) -> ApiResult<Local> {
        let fv = self.val(f)?;
        if !Vm::is_constructor(fv) {
            return Err(Status::InvalidArgument);
        }
        let argv = args.iter().map(|&a| self.val(a)).collect::<ApiResult<Vec<Value>>>()?;
        let r = self.enter(c, |vm| vm.construct(fv, &argv, fv))?;
        Ok(self.push(r))
    }

    // ----- exceptions -----
    /// Makes `v` the pending exception; returns `Status::Exception`.
    pub fn throw(&mut self, c: ContextId, v: Local) -> Status {
        if self.realm_of(c).is_err() {
            return Status::InvalidArgument;
        }
        match self.val(v) {
            Ok(v) => {
                self.vm.pending_exception = Some(v);
                Status::Exception
            }
            Err(s) => s,
        }
    }
    /// Throws a new error of `kind` created in context `c`; returns `Status::Exception`.
    pub fn throw_error(&mut self, c: ContextId, kind: ErrorKind, message: &str) -> Status {
        let Ok(realm) = self.realm_of(c) else { return Status::InvalidArgument };
        let t = match kind {
            ErrorKind::Error => ErrorType::Error,
            ErrorKind::TypeError => ErrorType::TypeError,
            ErrorKind::RangeError => ErrorType::RangeError,
            ErrorKind::SyntaxError => ErrorType::SyntaxError,
            ErrorKind::ReferenceError => ErrorType::ReferenceError,
            ErrorKind::EvalError => ErrorType::EvalError,
            ErrorKind::UriError => ErrorType::UriError,
        };
        let vm = &mut self.vm;
        let saved = vm.current_realm.replace(realm);
        let e = vm.make_error(t, message);
        vm.current_realm = saved.or(Some(realm));
        vm.pending_exception = Some(e.value());
        Status::Exception
    }
    pub fn exception_pending(&self) -> bool {
        self.vm.pending_exception.is_some()
    }
    /// Takes (and clears) the pending exception.
    pub fn take_exception(&mut self) -> Option<Local> {
        let e = self.vm.pending_exception.take()?;
        Some(self.push(e))
    }

    // ----- persistent handles -----
    pub fn global_new(&mut self, v: Local) -> Option<GlobalId> {
        let value = self.val(v).ok()?;
        let id = self.vm.next_global;
        self.vm.next_global += 1;
        self.vm.globals.insert(id, GlobalEntry { value, weak: None });
        Some(GlobalId(id))
    }
    /// `None` if `g` is not a live global of this isolate; undefined once a weak
    /// global's value was collected.
    pub fn global_get(&mut self, g: GlobalId) -> Option<Local> {
        let v = self.vm.globals.get(&g.0)?.value;
        Some(self.push(v))
    }
    pub fn global_set_weak(&mut self, g: GlobalId, data: *mut c_void, cb: Option<WeakFinalizer>) -> bool {
        match self.vm.globals.get_mut(&g.0) {
            Some(e) => {
                e.weak = Some((data as usize, cb));
                true
            }
            None => false,
        }
    }
    pub fn global_free(&mut self, g: GlobalId) -> bool {
        self.vm.globals.remove(&g.0).is_some()
    }

    // ----- jobs, GC, statistics -----
    pub fn run_microtasks(&mut self) -> ApiResult<()> {
        let st = self.state_status();
        if st != Status::Ok {
            return Err(st);
        }
        let Some(&realm) = self.vm.realms.values().next() else { return Ok(()) };
        self.enter(ContextId(realm.id), |vm| vm.run_jobs())
    }
    /// A full collection; also callable from a host function while JS runs
    /// (finalizers then wait until the VM is left).
    pub fn collect_garbage(&mut self) {
        on_clean_stack(|| self.vm.collect_garbage());
        if self.vm.frames.is_empty() {
            self.vm.run_finalizers();
        }
    }

    /// The bytecode listing of a script (`sable --print-bytecode`).
    pub fn disassemble(&mut self, src: &str) -> Result<String, String> {
        compiler::disassemble_script(&mut self.vm, src).map_err(|e| e.message)
    }

    /// A short display form of a value for the REPL (strings quoted).
    pub fn inspect(&mut self, c: ContextId, v: Local) -> String {
        if let Some(s) = self.string_to_utf8(v) {
            return format!("{s:?}");
        }
        match self.to_string(c, v) {
            Ok(s) => self.string_to_utf8(s).unwrap_or_default(),
            Err(_) => {
                self.take_exception();
                "[object]".to_string()
            }
        }
    }
    pub fn heap_statistics(&self) -> HeapStatistics {
        self.vm.statistics()
    }
}

/// A property key from the embedder, resolved inside the VM.
enum PropertyKeyInput {
    Value(Value),
    Name(String),
    Index(u32),
}

impl PropertyKeyInput {
    fn resolve(self, vm: &mut Vm) -> JsResult<PropertyKey> {
        match self {
            PropertyKeyInput::Value(v) => vm.to_property_key(v),
            PropertyKeyInput::Name(s) => Ok(vm.key_from_str(&s)),
            PropertyKeyInput::Index(i) if i != u32::MAX => Ok(PropertyKey::Index(i)),
            PropertyKeyInput::Index(i) => Ok(vm.key_from_str(&i.to_string())),
        }
    }
}

impl TerminateHandle {
    /// Stops running JS as soon as possible (any thread). The running call
    /// returns `Status::Terminated`; further calls do too until cancelled.
    pub fn terminate(&self) {
        self.0.terminate();
    }
    /// Runs `cb` on the isolate's thread at the next safepoint (any thread).
    pub fn request_interrupt(&self, cb: Box<dyn FnOnce(&mut Isolate) + Send>) {
        self.0.request_interrupt(Box::new(move |vm: &mut Vm| {
            cb(Isolate::from_vm(vm));
        }));
    }
}
