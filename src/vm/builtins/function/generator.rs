//! Generators: %GeneratorFunction%, %GeneratorFunction.prototype% and
//! %GeneratorPrototype% (next / return / throw). The generator's frame is
//! saved and resumed by the interpreter (`Vm::resume_generator`).

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{GeneratorKind, GeneratorState, JsObject, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

use crate::vm::runtime::iteration::iter_result;

const RESUME_NEXT: i32 = 0;
const RESUME_THROW: i32 = 1;
const RESUME_RETURN: i32 = 2;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let gp = realm.proto(Intrinsic::GeneratorPrototype);
    vm.define_method(gp, "next", next, 1);
    vm.define_method(gp, "return", return_, 1);
    vm.define_method(gp, "throw", throw, 1);
    let tag = PropertyKey::Symbol(vm.symbols.to_string_tag);
    let s = vm.string_value("Generator");
    gp.put_named(&mut vm.heap, tag, s, attrs::CONFIGURABLE);

    super::install_function_kind(
        vm,
        realm,
        "GeneratorFunction",
        generator_function_ctor,
        Intrinsic::GeneratorFunctionPrototype,
        Intrinsic::GeneratorFunction,
        Some(gp),
    );
}

/// `GeneratorFunction(p1, ..., body)`.
fn generator_function_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    super::create_dynamic_function(vm, a, "function*", Intrinsic::GeneratorFunctionPrototype)
}

/// GeneratorValidate: `this` must be a generator that is not running.
fn validate(vm: &mut Vm, this: Value, method: &str) -> JsResult<(Gc<JsObject>, GeneratorState)> {
    // [[GeneratorBrand]]: only sync generators (not async generators or the
    // internal state of async functions).
    let generator = JsObject::from_value(this).filter(|o| matches!(&o.kind, ObjectKind::Generator(g) if g.kind == GeneratorKind::Sync));
    let Some(generator) = generator else {
        return Err(vm.type_error(&format!("Generator.prototype.{method} called on incompatible receiver")));
    };
    let ObjectKind::Generator(g) = &generator.kind else { unreachable!() };
    if g.state == GeneratorState::Executing {
        return Err(vm.type_error("Generator is already running"));
    }
    Ok((generator, g.state))
}

fn set_state(generator: Gc<JsObject>, state: GeneratorState) {
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    if let ObjectKind::Generator(g) = &mut unsafe { generator.m() }.kind {
        g.state = state;
        if state == GeneratorState::Completed {
            g.regs = Vec::new();
            g.env = Value::UNDEFINED;
            g.this = Value::UNDEFINED;
        }
    }
}

/// GeneratorResume / GeneratorResumeAbrupt for a suspended generator.
fn resume(vm: &mut Vm, generator: Gc<JsObject>, value: Value, mode: i32) -> JsResult<Value> {
    let r = vm.resume_generator(generator, value, mode);
    let ObjectKind::Generator(g) = &generator.kind else { unreachable!() };
    let still_running = g.state == GeneratorState::Executing;
    match r {
        // Yielded: the frame saved itself and the result is the iterator result.
        Ok(v) if !still_running => Ok(v),
        // Returned: the generator is done.
        Ok(v) => {
            set_state(generator, GeneratorState::Completed);
            Ok(iter_result(vm, v, true))
        }
        Err(e) => {
            set_state(generator, GeneratorState::Completed);
            Err(e)
        }
    }
}

fn next(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (generator, state) = validate(vm, a.this, "next")?;
    if state == GeneratorState::Completed {
        return Ok(iter_result(vm, Value::UNDEFINED, true));
    }
    resume(vm, generator, a.arg(0), RESUME_NEXT)
}

fn return_(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (generator, state) = validate(vm, a.this, "return")?;
    match state {
        GeneratorState::SuspendedStart | GeneratorState::Completed => {
            set_state(generator, GeneratorState::Completed);
            Ok(iter_result(vm, a.arg(0), true))
        }
        _ => resume(vm, generator, a.arg(0), RESUME_RETURN),
    }
}

fn throw(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (generator, state) = validate(vm, a.this, "throw")?;
    match state {
        GeneratorState::SuspendedStart | GeneratorState::Completed => {
            set_state(generator, GeneratorState::Completed);
            Err(crate::vm::Unwind::Throw(a.arg(0)))
        }
        _ => resume(vm, generator, a.arg(0), RESUME_THROW),
    }
}
