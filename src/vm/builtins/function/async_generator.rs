//! Async iteration: %AsyncIteratorPrototype%, async generators
//! (%AsyncGeneratorFunction%, %AsyncGeneratorPrototype% with its request
//! queue) and %AsyncFromSyncIteratorPrototype% (for-await over sync
//! iterables). The generator frame is saved and resumed by the interpreter;
//! this file drives it per ECMA-262 27.6 (AsyncGeneratorResume,
//! CompleteStep, DrainQueue, AwaitReturn).

use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{JsObject, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::async_generator::{NEXT, RETURN, THROW, request};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;
use crate::vm::{JsResult, Unwind};

use crate::vm::runtime::iteration::iter_result;
use crate::vm::runtime::promise::{
    data_of, native_with_data, new_intrinsic_promise, perform_then_into, promise_resolve_intrinsic, reject_intrinsic, resolve_intrinsic,
};

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let op = realm.intrinsic(Intrinsic::ObjectPrototype);
    let aip = vm.new_object_with_proto(op, ObjectKind::Ordinary);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[Intrinsic::AsyncIteratorPrototype as usize] = aip.value();
    let ai = vm.symbols.async_iterator;
    vm.define_symbol_method(aip, ai, "[Symbol.asyncIterator]", return_this, 0, attrs::HIDDEN);

    let agp = vm.new_object_with_proto(aip.value(), ObjectKind::Ordinary);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[Intrinsic::AsyncGeneratorPrototype as usize] = agp.value();
    vm.define_method(agp, "next", next, 1);
    vm.define_method(agp, "return", return_, 1);
    vm.define_method(agp, "throw", throw, 1);
    let tag = PropertyKey::Symbol(vm.symbols.to_string_tag);
    let s = vm.string_value("AsyncGenerator");
    agp.put_named(&mut vm.heap, tag, s, attrs::CONFIGURABLE);

    super::install_function_kind(
        vm,
        realm,
        "AsyncGeneratorFunction",
        async_generator_function_ctor,
        Intrinsic::AsyncGeneratorFunctionPrototype,
        Intrinsic::AsyncGeneratorFunction,
        Some(agp),
    );

    let afs = vm.new_object_with_proto(aip.value(), ObjectKind::Ordinary);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[Intrinsic::AsyncFromSyncIteratorPrototype as usize] = afs.value();
    vm.define_method(afs, "next", from_sync_next, 1);
    vm.define_method(afs, "return", from_sync_return, 1);
    vm.define_method(afs, "throw", from_sync_throw, 1);
}

fn return_this(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(a.this)
}

/// `AsyncGeneratorFunction(p1, ..., body)`.
fn async_generator_function_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    super::create_dynamic_function(vm, a, "async function*", Intrinsic::AsyncGeneratorFunctionPrototype)
}

// ----- the generator state machine -----

fn next(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    request(vm, a, NEXT, "next")
}
fn return_(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    request(vm, a, RETURN, "return")
}
fn throw(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    request(vm, a, THROW, "throw")
}

// ----- GetIterator(obj, async) and %AsyncFromSyncIteratorPrototype% -----

/// The wrapped sync iterator record of an async-from-sync iterator.
fn sync_record(this: Value) -> Option<(Value, Value)> {
    let o = JsObject::from_value(this)?;
    match &o.kind {
        ObjectKind::AsyncFromSyncIterator { iterator, next } => Some((*iterator, *next)),
        _ => None,
    }
}

/// Runs `f`; a throw rejects `promise` instead (IfAbruptRejectPromise).
fn reject_on_throw(vm: &mut Vm, promise: Value, f: impl FnOnce(&mut Vm) -> JsResult<()>) -> JsResult<Value> {
    vm.temp_roots.push(promise);
    let r = f(vm);
    vm.temp_roots.pop();
    match r {
        Ok(()) => Ok(promise),
        Err(Unwind::Throw(e)) => {
            reject_intrinsic(vm, promise, e);
            Ok(promise)
        }
        Err(other) => Err(other),
    }
}

fn from_sync_next(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let promise = new_intrinsic_promise(vm);
    let args: &[Value] = if a.args.is_empty() { &[] } else { &a.args[..1] };
    reject_on_throw(vm, promise, |vm| {
        let (it, next) = sync_record(a.this).ok_or_else(|| vm.type_error("not an async-from-sync iterator"))?;
        let result = vm.call(next, it, args)?;
        continuation(vm, result, promise, it, true)
    })
}

fn from_sync_return(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let promise = new_intrinsic_promise(vm);
    let args: &[Value] = if a.args.is_empty() { &[] } else { &a.args[..1] };
    reject_on_throw(vm, promise, |vm| {
        let (it, _) = sync_record(a.this).ok_or_else(|| vm.type_error("not an async-from-sync iterator"))?;
        let key = PropertyKey::Atom(vm.names.return_);
        let Some(ret) = vm.get_method(it, key)? else {
            let r = iter_result(vm, a.arg(0), true);
            return resolve_intrinsic(vm, promise, r);
        };
        let result = vm.call(ret, it, args)?;
        if !JsObject::is_object(result) {
            return Err(vm.type_error("iterator.return() did not return an object"));
        }
        continuation(vm, result, promise, it, false)
    })
}

fn from_sync_throw(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let promise = new_intrinsic_promise(vm);
    let args: &[Value] = if a.args.is_empty() { &[] } else { &a.args[..1] };
    reject_on_throw(vm, promise, |vm| {
        let (it, _) = sync_record(a.this).ok_or_else(|| vm.type_error("not an async-from-sync iterator"))?;
        let key = PropertyKey::Atom(vm.names.throw_);
        let Some(th) = vm.get_method(it, key)? else {
            crate::vm::runtime::iteration::iterator_close(vm, it)?;
            return Err(vm.type_error("The iterator does not provide a 'throw' method"));
        };
        let result = vm.call(th, it, args)?;
        if !JsObject::is_object(result) {
            return Err(vm.type_error("iterator.throw() did not return an object"));
        }
        continuation(vm, result, promise, it, true)
    })
}

/// AsyncFromSyncIteratorContinuation: settles `promise` with the awaited value.
fn continuation(vm: &mut Vm, result: Value, promise: Value, sync_it: Value, close_on_rejection: bool) -> JsResult<()> {
    let Some(ro) = JsObject::from_value(result) else {
        let d = vm.display_string(result);
        return Err(vm.type_error(&format!("Iterator result {d} is not an object")));
    };
    let dkey = PropertyKey::Atom(vm.names.done);
    let done = Vm::to_boolean(vm.get(ro, dkey, result)?);
    let vkey = PropertyKey::Atom(vm.names.value);
    let value = vm.get(ro, vkey, result)?;
    let wrapper = match promise_resolve_intrinsic(vm, value) {
        Ok(w) => w,
        Err(Unwind::Throw(e)) if !done && close_on_rejection => {
            // IteratorClose(syncIteratorRecord, throw): the original error wins.
            let _ = crate::vm::runtime::iteration::iterator_close(vm, sync_it);
            return Err(Unwind::Throw(e));
        }
        Err(e) => return Err(e),
    };
    vm.temp_roots.push(wrapper);
    let on_fulfilled = native_with_data(vm, if done { unwrap_done } else { unwrap_not_done }, Value::UNDEFINED, "", 1);
    vm.temp_roots.push(on_fulfilled);
    let on_rejected = if done || !close_on_rejection { Value::UNDEFINED } else { native_with_data(vm, close_sync_on_rejection, sync_it, "", 1) };
    vm.temp_roots.push(on_rejected);
    perform_then_into(vm, wrapper, on_fulfilled, on_rejected, promise);
    vm.temp_roots.truncate(vm.temp_roots.len() - 3);
    Ok(())
}

fn unwrap_done(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(iter_result(vm, a.arg(0), true))
}
fn unwrap_not_done(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(iter_result(vm, a.arg(0), false))
}
fn close_sync_on_rejection(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let _ = crate::vm::runtime::iteration::iterator_close(vm, data_of(a));
    Err(Unwind::Throw(a.arg(0)))
}
