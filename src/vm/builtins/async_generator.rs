//! Async iteration: %AsyncIteratorPrototype%, async generators
//! (%AsyncGeneratorFunction%, %AsyncGeneratorPrototype% with its request
//! queue) and %AsyncFromSyncIteratorPrototype% (for-await over sync
//! iterables). The generator frame is saved and resumed by the interpreter;
//! this file drives it per ECMA-262 27.6 (AsyncGeneratorResume,
//! CompleteStep, DrainQueue, AwaitReturn).

use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{GeneratorKind, GeneratorState, JsObject, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;
use crate::vm::{JsResult, Unwind};

use super::iterator::iter_result;
use super::promise::{
    data_of, native_with_data, new_intrinsic_promise, perform_then_into, perform_then_plain, promise_resolve_intrinsic, reject_intrinsic, resolve_intrinsic,
};

const NEXT: i32 = 0;
const THROW: i32 = 1;
const RETURN: i32 = 2;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let op = realm.intrinsic(Intrinsic::ObjectPrototype);
    let aip = vm.new_object_with_proto(op, ObjectKind::Ordinary);
    realm.m().intrinsics[Intrinsic::AsyncIteratorPrototype as usize] = aip.value();
    let ai = vm.symbols.async_iterator;
    vm.define_symbol_method(aip, ai, "[Symbol.asyncIterator]", return_this, 0, attrs::HIDDEN);

    let agp = vm.new_object_with_proto(aip.value(), ObjectKind::Ordinary);
    realm.m().intrinsics[Intrinsic::AsyncGeneratorPrototype as usize] = agp.value();
    vm.define_method(agp, "next", next, 1);
    vm.define_method(agp, "return", return_, 1);
    vm.define_method(agp, "throw", throw, 1);
    let tag = PropertyKey::Symbol(vm.symbols.to_string_tag);
    let s = vm.string_value("AsyncGenerator");
    agp.put_named(&mut vm.heap, tag, s, attrs::CONFIGURABLE);

    super::function::install_function_kind(
        vm,
        realm,
        "AsyncGeneratorFunction",
        async_generator_function_ctor,
        Intrinsic::AsyncGeneratorFunctionPrototype,
        Intrinsic::AsyncGeneratorFunction,
        Some(agp),
    );

    let afs = vm.new_object_with_proto(aip.value(), ObjectKind::Ordinary);
    realm.m().intrinsics[Intrinsic::AsyncFromSyncIteratorPrototype as usize] = afs.value();
    vm.define_method(afs, "next", from_sync_next, 1);
    vm.define_method(afs, "return", from_sync_return, 1);
    vm.define_method(afs, "throw", from_sync_throw, 1);
}

fn return_this(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(a.this)
}

/// `AsyncGeneratorFunction(p1, ..., body)`.
fn async_generator_function_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    super::function::create_dynamic_function(vm, a, "async function*", Intrinsic::AsyncGeneratorFunctionPrototype)
}

// ----- the generator state machine -----

/// The generator's slots (a short-lived borrow, like `Gc::m`).
#[allow(clippy::mut_from_ref)]
fn data(g: &Gc<JsObject>) -> &mut crate::vm::object::GeneratorData {
    match &mut g.m().kind {
        ObjectKind::Generator(d) => d,
        _ => unreachable!("not a generator"),
    }
}

/// `this` as an async generator, or None.
fn validate(this: Value) -> Option<Gc<JsObject>> {
    JsObject::from_value(this).filter(|o| matches!(&o.kind, ObjectKind::Generator(g) if g.kind == GeneratorKind::AsyncGenerator))
}

/// AsyncGeneratorCompleteStep: settles the oldest request.
fn complete_step(vm: &mut Vm, g: Gc<JsObject>, result: Result<Value, Value>, done: bool) -> JsResult<()> {
    let Some((_, _, promise)) = data(&g).queue.pop_front() else { return Ok(()) };
    match result {
        Err(reason) => {
            reject_intrinsic(vm, promise, reason);
            Ok(())
        }
        Ok(v) => {
            let r = iter_result(vm, v, done);
            resolve_intrinsic(vm, promise, r)
        }
    }
}

/// AsyncGeneratorDrainQueue (the generator is completed).
fn drain_queue(vm: &mut Vm, g: Gc<JsObject>) -> JsResult<()> {
    while let Some(&(mode, value, _)) = data(&g).queue.front() {
        match mode {
            RETURN => {
                data(&g).state = GeneratorState::AwaitingReturn;
                return await_return(vm, g);
            }
            THROW => complete_step(vm, g, Err(value), true)?,
            _ => complete_step(vm, g, Ok(Value::UNDEFINED), true)?,
        }
    }
    Ok(())
}

/// AsyncGeneratorAwaitReturn: awaits the oldest (return) request's value.
fn await_return(vm: &mut Vm, g: Gc<JsObject>) -> JsResult<()> {
    let Some(&(_, value, _)) = data(&g).queue.front() else { return Ok(()) };
    let promise = match promise_resolve_intrinsic(vm, value) {
        Ok(p) => p,
        Err(Unwind::Throw(e)) => {
            data(&g).state = GeneratorState::Completed;
            complete_step(vm, g, Err(e), true)?;
            return drain_queue(vm, g);
        }
        Err(other) => return Err(other),
    };
    let on_fulfilled = native_with_data(vm, await_return_fulfilled, g.value(), "", 1);
    vm.temp_roots.push(on_fulfilled);
    let on_rejected = native_with_data(vm, await_return_rejected, g.value(), "", 1);
    vm.temp_roots.pop();
    perform_then_plain(vm, promise, on_fulfilled, on_rejected);
    Ok(())
}

fn await_return_fulfilled(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let g: Gc<JsObject> = Gc::from_value(data_of(a));
    data(&g).state = GeneratorState::Completed;
    complete_step(vm, g, Ok(a.arg(0)), true)?;
    drain_queue(vm, g)?;
    Ok(Value::UNDEFINED)
}

fn await_return_rejected(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let g: Gc<JsObject> = Gc::from_value(data_of(a));
    data(&g).state = GeneratorState::Completed;
    complete_step(vm, g, Err(a.arg(0)), true)?;
    drain_queue(vm, g)?;
    Ok(Value::UNDEFINED)
}

/// Resumes the generator's frame (AsyncGeneratorResume, or an await's
/// continuation) and handles how it stops: at an await (nothing to do), at a
/// yield (complete the oldest request, then go on with the next one if any),
/// by returning or by throwing (complete, then drain the queue).
pub(crate) fn resume(vm: &mut Vm, g: Gc<JsObject>, value: Value, mode: i32) -> JsResult<()> {
    let (mut value, mut mode) = (value, mode);
    loop {
        let r = vm.resume_generator(g, value, mode);
        let state = data(&g).state;
        match r {
            Err(Unwind::Throw(e)) => {
                finish(g);
                complete_step(vm, g, Err(e), true)?;
                return drain_queue(vm, g);
            }
            Err(other) => {
                finish(g);
                return Err(other);
            }
            Ok(_) if state == GeneratorState::Awaiting => return Ok(()),
            Ok(v) if state == GeneratorState::SuspendedYield => {
                complete_step(vm, g, Ok(v), false)?;
                match data(&g).queue.front() {
                    // AsyncGeneratorYield: a queued request resumes it at once.
                    Some(&(m, x, _)) => {
                        (mode, value) = (m, x);
                    }
                    None => return Ok(()),
                }
            }
            Ok(v) => {
                finish(g);
                complete_step(vm, g, Ok(v), true)?;
                return drain_queue(vm, g);
            }
        }
    }
}

fn finish(g: Gc<JsObject>) {
    let d = data(&g);
    d.state = GeneratorState::Completed;
    d.regs = Vec::new();
    d.env = Value::UNDEFINED;
    d.this = Value::UNDEFINED;
}

/// next / return / throw: AsyncGeneratorValidate, then enqueue and resume.
fn request(vm: &mut Vm, a: &CallArgs<'_>, mode: i32, method: &str) -> JsResult<Value> {
    let promise = new_intrinsic_promise(vm);
    vm.temp_roots.push(promise);
    let r = request_into(vm, a.this, a.arg(0), mode, method, promise);
    vm.temp_roots.pop();
    r?;
    Ok(promise)
}

fn request_into(vm: &mut Vm, this: Value, value: Value, mode: i32, method: &str, promise: Value) -> JsResult<()> {
    let Some(g) = validate(this) else {
        let e = vm.make_error(crate::vm::runtime::ErrorType::TypeError, &format!("AsyncGenerator.prototype.{method} called on incompatible receiver"));
        reject_intrinsic(vm, promise, e.value());
        return Ok(());
    };
    let mut state = data(&g).state;
    if mode == THROW && state == GeneratorState::SuspendedStart {
        finish(g);
        state = GeneratorState::Completed;
    }
    if state == GeneratorState::Completed {
        match mode {
            NEXT => {
                let r = iter_result(vm, Value::UNDEFINED, true);
                return resolve_intrinsic(vm, promise, r);
            }
            THROW => {
                reject_intrinsic(vm, promise, value);
                return Ok(());
            }
            _ => {}
        }
    }
    data(&g).queue.push_back((mode, value, promise));
    match (mode, state) {
        (RETURN, GeneratorState::SuspendedStart | GeneratorState::Completed) => {
            data(&g).state = GeneratorState::AwaitingReturn;
            await_return(vm, g)
        }
        (_, GeneratorState::SuspendedStart | GeneratorState::SuspendedYield) => resume(vm, g, value, mode),
        // Executing, awaiting or awaiting a return: the request waits its turn.
        _ => Ok(()),
    }
}

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

/// GetIterator(value, async): (iterator, next method). Falls back to the sync
/// iterator wrapped by CreateAsyncFromSyncIterator.
pub(crate) fn get_async_iterator(vm: &mut Vm, v: Value) -> JsResult<(Value, Value)> {
    let key = PropertyKey::Symbol(vm.symbols.async_iterator);
    let method = if v.is_nullish() { None } else { vm.get_method(v, key)? };
    let Some(m) = method else {
        let (sync_it, sync_next) = crate::vm::interp::ops::get_iterator(vm, v)?;
        let proto = vm.realm().intrinsic(Intrinsic::AsyncFromSyncIteratorPrototype);
        let it = vm.new_object_with_proto(proto, ObjectKind::List(vec![sync_it, sync_next]));
        let nkey = PropertyKey::Atom(vm.names.next);
        let next = vm.get(it, nkey, it.value())?;
        return Ok((it.value(), next));
    };
    let it = vm.call(m, v, &[])?;
    if !JsObject::is_object(it) {
        return Err(vm.type_error("Result of the Symbol.asyncIterator method is not an object"));
    }
    let nkey = PropertyKey::Atom(vm.names.next);
    let next = vm.get_v(it, nkey)?;
    Ok((it, next))
}

/// The wrapped sync iterator record of an async-from-sync iterator.
fn sync_record(this: Value) -> Option<(Value, Value)> {
    let o = JsObject::from_value(this)?;
    match &o.kind {
        ObjectKind::List(v) if v.len() == 2 => Some((v[0], v[1])),
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
            crate::vm::interp::ops::iterator_close(vm, it)?;
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
            let _ = crate::vm::interp::ops::iterator_close(vm, sync_it);
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
    let _ = crate::vm::interp::ops::iterator_close(vm, data_of(a));
    Err(Unwind::Throw(a.arg(0)))
}
