//! Async functions: %AsyncFunction% and %AsyncFunction.prototype%, and the
//! await continuations that resume a suspended async frame from a promise
//! job (the frame itself is saved and restored by the interpreter, as for
//! generators).

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{GeneratorData, GeneratorKind, GeneratorState, JsObject, ObjectKind};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

use super::promise::{await_then, data_of, native_with_data};

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    super::function::install_function_kind(vm, realm, "AsyncFunction", async_function_ctor, Intrinsic::AsyncFunctionPrototype, Intrinsic::AsyncFunction, None);
}

/// `AsyncFunction(p1, ..., body)`.
fn async_function_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    super::function::create_dynamic_function(vm, a, "async function", Intrinsic::AsyncFunctionPrototype)
}

/// The internal state object of one async function activation: a
/// generator-like object (no prototype) holding the frame while it awaits.
pub(crate) fn new_async_state(vm: &mut Vm, func: Value, mode_reg: u16) -> Gc<JsObject> {
    let data = GeneratorData::new(GeneratorKind::AsyncFunction, GeneratorState::Executing, func, mode_reg);
    vm.new_object_with_proto(Value::NULL, ObjectKind::Generator(Box::new(data)))
}

/// Await(value) up to the suspension: subscribes continuations that resume
/// the frame saved in `state` with the settled value.
pub(crate) fn await_value(vm: &mut Vm, state: Value, value: Value) -> JsResult<()> {
    let on_fulfilled = native_with_data(vm, resume_fulfilled, state, "", 1);
    vm.temp_roots.push(on_fulfilled);
    let on_rejected = native_with_data(vm, resume_rejected, state, "", 1);
    vm.temp_roots.push(on_rejected);
    let r = await_then(vm, value, on_fulfilled, on_rejected);
    vm.temp_roots.truncate(vm.temp_roots.len() - 2);
    r
}

fn resume(vm: &mut Vm, state: Value, value: Value, mode: i32) -> JsResult<Value> {
    let s: Gc<JsObject> = Gc::from_value(state);
    if matches!(&s.kind, ObjectKind::Generator(g) if g.kind == GeneratorKind::AsyncGenerator) {
        return super::async_generator::resume(vm, s, value, mode).map(|_| Value::UNDEFINED);
    }
    let r = vm.resume_generator(s, value, mode);
    if let ObjectKind::Generator(g) = &mut s.m().kind
        && g.state == GeneratorState::Executing
    {
        // It returned (or threw into its promise): the activation is over.
        g.state = GeneratorState::Completed;
        g.regs = Vec::new();
    }
    r.map(|_| Value::UNDEFINED)
}

fn resume_fulfilled(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    resume(vm, data_of(a), a.arg(0), 0)
}

fn resume_rejected(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    resume(vm, data_of(a), a.arg(0), 1)
}
