//! The async generator state machine of ECMA-262 27.6: AsyncGeneratorEnqueue
//! and Resume, CompleteStep, DrainQueue and AwaitReturn. The interpreter
//! saves and restores the generator frame; promise jobs resume it through
//! here. The prototype methods in `builtins/async_generator.rs` only call
//! [`request`].

use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{GeneratorKind, GeneratorState, JsObject, ObjectKind};
use crate::vm::runtime::iteration::iter_result;
use crate::vm::runtime::promise::{
    data_of, native_with_data, new_intrinsic_promise, perform_then_plain, promise_resolve_intrinsic, reject_intrinsic, resolve_intrinsic,
};
use crate::vm::value::Value;
use crate::vm::{JsResult, Unwind};

pub const NEXT: i32 = 0;

pub const THROW: i32 = 1;

pub const RETURN: i32 = 2;

/// The generator's slots (a short-lived borrow, like `Gc::m`).
#[allow(clippy::mut_from_ref)]
fn data(g: &Gc<JsObject>) -> &mut crate::vm::object::GeneratorData {
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    match &mut unsafe { g.m() }.kind {
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
pub fn resume(vm: &mut Vm, g: Gc<JsObject>, value: Value, mode: i32) -> JsResult<()> {
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
pub fn request(vm: &mut Vm, a: &CallArgs<'_>, mode: i32, method: &str) -> JsResult<Value> {
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
