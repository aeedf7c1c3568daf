//! Async functions: %AsyncFunction% and %AsyncFunction.prototype%, and the
//! await continuations that resume a suspended async frame from a promise
//! job (the frame itself is saved and restored by the interpreter, as for
//! generators).

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::interp::CallArgs;
use crate::vm::isolate::Vm;
use crate::vm::object::{GeneratorData, GeneratorKind, GeneratorState, JsObject, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

use super::promise::{await_then, data_of, native_with_data};

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let fp = realm.intrinsic(Intrinsic::FunctionPrototype);
    let afp = vm.new_object_with_proto(fp, ObjectKind::Ordinary);
    realm.m().intrinsics[Intrinsic::AsyncFunctionPrototype as usize] = afp.value();
    let tag = PropertyKey::Symbol(vm.symbols.to_string_tag);
    let s = vm.string_value("AsyncFunction");
    afp.put_named(&mut vm.heap, tag, s, attrs::CONFIGURABLE);

    // %AsyncFunction%: not a global; its [[Prototype]] is %Function%.
    let af = vm.new_native_function(realm, async_function_ctor, "AsyncFunction", 1, true);
    let function_ctor = realm.intrinsic(Intrinsic::Function);
    let _ = vm.set_prototype_of(af, function_ctor);
    let pkey = PropertyKey::Atom(vm.names.prototype);
    let ckey = PropertyKey::Atom(vm.names.constructor);
    af.put_named(&mut vm.heap, pkey, afp.value(), 0);
    afp.put_named(&mut vm.heap, ckey, af.value(), attrs::CONFIGURABLE);
    realm.m().intrinsics[Intrinsic::AsyncFunction as usize] = af.value();
}

/// `AsyncFunction(p1, ..., body)`.
fn async_function_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    super::function::create_dynamic_function(vm, a, "async function", Intrinsic::AsyncFunctionPrototype)
}

/// The internal state object of one async function activation: a
/// generator-like object (no prototype) holding the frame while it awaits.
pub(crate) fn new_async_state(vm: &mut Vm, func: Value, mode_reg: u16) -> Gc<JsObject> {
    let data = GeneratorData {
        state: GeneratorState::Executing,
        kind: GeneratorKind::AsyncFunction,
        queue: Default::default(),
        func,
        env: Value::UNDEFINED,
        this: Value::UNDEFINED,
        pc: 0,
        argc: 0,
        mode_reg,
        regs: Vec::new(),
    };
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
