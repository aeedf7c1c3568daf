//! Promise: constructor, resolving functions, reactions and jobs on the
//! isolate's job queue, then/catch/finally, and the combinators
//! (resolve, reject, all, allSettled, any, race, withResolvers, try).
//!
//! Internal state lives in GC-visible `List` objects: a reaction is
//! [capability promise, resolve, reject, kind, handler]; resolving functions
//! carry [promise, alreadyResolved] where alreadyResolved is a shared List.

use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{JsObject, NativeFn, PromiseRecord, PropertyKey, attrs};
use crate::vm::runtime::iteration::{get_iterator, iterator_close, iterator_step};
use crate::vm::runtime::promise::{
    Capability, create_resolving_functions, data_of, is_promise, native_with_data, new_capability, new_promise_object, new_record, perform_then,
    promise_resolve, with_record,
};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;
use crate::vm::{JsResult, Unwind};

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = crate::vm::runtime::define::make_constructor(vm, realm, "Promise", promise_ctor, 1, Intrinsic::PromisePrototype, Intrinsic::Promise);
    vm.define_method(c, "resolve", promise_resolve_static, 1);
    vm.define_method(c, "reject", promise_reject_static, 1);
    vm.define_method(c, "all", promise_all, 1);
    vm.define_method(c, "allSettled", promise_all_settled, 1);
    vm.define_method(c, "any", promise_any, 1);
    vm.define_method(c, "race", promise_race, 1);
    vm.define_method(c, "withResolvers", with_resolvers, 0);
    vm.define_method(c, "try", promise_try, 1);
    let species = PropertyKey::Symbol(vm.symbols.species);
    vm.define_accessor(c, species, Some(species_getter), None, "[Symbol.species]");
    let p = realm.proto(Intrinsic::PromisePrototype);
    vm.define_method(p, "then", then, 2);
    vm.define_method(p, "catch", catch, 1);
    vm.define_method(p, "finally", finally, 1);
    let tag = PropertyKey::Symbol(vm.symbols.to_string_tag);
    let s = vm.string_value("Promise");
    p.put_named(&mut vm.heap, tag, s, attrs::CONFIGURABLE);
}

fn species_getter(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(a.this)
}

fn promise_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if !a.is_construct() {
        return Err(vm.type_error("Promise constructor cannot be invoked without 'new'"));
    }
    let executor = a.arg(0);
    if !Vm::is_callable(executor) {
        let d = vm.display_string(executor);
        return Err(vm.type_error(&format!("Promise resolver {d} is not a function")));
    }
    let proto = vm.prototype_from_constructor(a.new_target, Intrinsic::PromisePrototype)?;
    let p = new_promise_object(vm, proto).value();
    let (resolve, reject) = create_resolving_functions(vm, p);
    match vm.call(executor, Value::UNDEFINED, &[resolve, reject]) {
        Err(Unwind::Throw(e)) => {
            vm.call(reject, Value::UNDEFINED, &[e])?;
        }
        Err(other) => return Err(other),
        Ok(_) => {}
    }
    Ok(p)
}

/// SpeciesConstructor(O, %Promise%).
fn species_constructor(vm: &mut Vm, o: Gc<JsObject>) -> JsResult<Value> {
    let default = vm.realm().intrinsic(Intrinsic::Promise);
    vm.species_constructor(o, default)
}

fn then(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if !is_promise(a.this) {
        return Err(vm.type_error("Method Promise.prototype.then called on incompatible receiver"));
    }
    let c = species_constructor(vm, Gc::from_value(a.this))?;
    let cap = new_capability(vm, c)?;
    Ok(perform_then(vm, a.this, a.arg(0), a.arg(1), Some(&cap)))
}

fn invoke_then(vm: &mut Vm, p: Value, args: &[Value]) -> JsResult<Value> {
    let key = PropertyKey::Atom(vm.names.then);
    let f = vm.get_v(p, key)?;
    vm.call(f, p, args)
}

fn catch(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    invoke_then(vm, a.this, &[Value::UNDEFINED, a.arg(0)])
}

fn finally(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some(o) = JsObject::from_value(a.this) else {
        return Err(vm.type_error("Promise.prototype.finally called on a non-object"));
    };
    let c = species_constructor(vm, o)?;
    let on_finally = a.arg(0);
    if !Vm::is_callable(on_finally) {
        return invoke_then(vm, a.this, &[on_finally, on_finally]);
    }
    let data = new_record(vm, PromiseRecord::Finally { constructor: c, on_finally });
    let then_finally = native_with_data(vm, then_finally, data, "", 1);
    let catch_finally = native_with_data(vm, catch_finally, data, "", 1);
    invoke_then(vm, a.this, &[then_finally, catch_finally])
}

fn finally_common(vm: &mut Vm, a: &CallArgs<'_>, thunk: NativeFn) -> JsResult<Value> {
    let (c, on_finally) = with_record(data_of(a), |r| match r {
        PromiseRecord::Finally { constructor, on_finally } => (*constructor, *on_finally),
        _ => unreachable!("a finally function without its record"),
    });
    let result = vm.call(on_finally, Value::UNDEFINED, &[])?;
    let p = promise_resolve(vm, c, result)?;
    let value = new_record(vm, PromiseRecord::FinallyValue { value: a.arg(0) });
    let f = native_with_data(vm, thunk, value, "", 0);
    invoke_then(vm, p, &[f])
}

fn then_finally(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    finally_common(vm, a, value_thunk)
}
fn catch_finally(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    finally_common(vm, a, thrower_thunk)
}
/// The value a finally thunk carries.
fn finally_value(a: &CallArgs<'_>) -> Value {
    with_record(data_of(a), |r| match r {
        PromiseRecord::FinallyValue { value } => *value,
        _ => unreachable!("a finally thunk without its record"),
    })
}
fn value_thunk(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(finally_value(a))
}
fn thrower_thunk(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Err(Unwind::Throw(finally_value(a)))
}

/// Adds `delta` to a shared [[RemainingElements]] count; returns the new count.
fn add_remaining(remaining: Value, delta: i32) -> i32 {
    with_record(remaining, |r| match r {
        PromiseRecord::Remaining { count } => {
            *count += delta;
            *count
        }
        _ => unreachable!("not a remaining-elements record"),
    })
}

fn promise_resolve_static(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if !JsObject::is_object(a.this) {
        return Err(vm.type_error("PromiseResolve called on non-object"));
    }
    promise_resolve(vm, a.this, a.arg(0))
}

fn promise_reject_static(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let cap = new_capability(vm, a.this)?;
    vm.call(cap.reject, Value::UNDEFINED, &[a.arg(0)])?;
    Ok(cap.promise)
}

fn with_resolvers(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let cap = new_capability(vm, a.this)?;
    let o = vm.new_object();
    for (name, v) in [("promise", cap.promise), ("resolve", cap.resolve), ("reject", cap.reject)] {
        let k = vm.key_from_str(name);
        vm.create_data_property_or_throw(o, k, v)?;
    }
    Ok(o.value())
}

fn promise_try(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if !JsObject::is_object(a.this) {
        return Err(vm.type_error("Promise.try called on non-object"));
    }
    let cap = new_capability(vm, a.this)?;
    let rest = if a.args.len() > 1 { &a.args[1..] } else { &[][..] };
    match vm.call(a.arg(0), Value::UNDEFINED, rest) {
        Ok(v) => vm.call(cap.resolve, Value::UNDEFINED, &[v])?,
        Err(Unwind::Throw(e)) => vm.call(cap.reject, Value::UNDEFINED, &[e])?,
        Err(other) => return Err(other),
    };
    Ok(cap.promise)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Combinator {
    All,
    AllSettled,
    Any,
    Race,
}

/// Element callbacks for all/allSettled/any (data: a `PromiseRecord::Element`).
fn element_fn(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (index, values, remaining, called, cap_fn, kind) = with_record(data_of(a), |r| match r {
        PromiseRecord::Element { index, values, remaining, already_called, capability_fn, kind } => {
            (*index, *values, *remaining, *already_called, *capability_fn, *kind)
        }
        _ => unreachable!("an element function without its record"),
    });
    let first_call = with_record(called, |r| match r {
        PromiseRecord::AlreadyCalled { called } => !std::mem::replace(called, true),
        _ => unreachable!("not an already-called record"),
    });
    if !first_call {
        return Ok(Value::UNDEFINED);
    }
    let arr: Gc<JsObject> = Gc::from_value(values);
    let x = a.arg(0);
    let stored = match kind {
        0 | 3 => x,
        k => {
            let o = vm.new_object();
            let (status, key) = if k == 1 { ("fulfilled", "value") } else { ("rejected", "reason") };
            let sk = vm.key_from_str("status");
            let sv = vm.string_value(status);
            vm.create_data_property_or_throw(o, sk, sv)?;
            let vk = vm.key_from_str(key);
            vm.create_data_property_or_throw(o, vk, x)?;
            o.value()
        }
    };
    vm.create_data_property_or_throw(arr, PropertyKey::Index(index), stored)?;
    let n = add_remaining(remaining, -1);
    if n == 0 {
        if kind == 3 {
            let e = aggregate_error(vm, values);
            return vm.call(cap_fn, Value::UNDEFINED, &[e]);
        }
        return vm.call(cap_fn, Value::UNDEFINED, &[values]);
    }
    Ok(Value::UNDEFINED)
}

fn aggregate_error(vm: &mut Vm, errors: Value) -> Value {
    let e = vm.make_error(crate::vm::runtime::ErrorType::Error, "All promises were rejected");
    let realm = vm.realm();
    let proto = realm.intrinsic(Intrinsic::AggregateErrorPrototype);
    if JsObject::is_object(proto) {
        e.set_proto_raw(&mut vm.heap, proto, vm.null_root_shape);
    }
    let key = PropertyKey::Atom(vm.names.errors);
    e.put_named(&mut vm.heap, key, errors, attrs::HIDDEN);
    e.value()
}

fn combinator(vm: &mut Vm, a: &CallArgs<'_>, which: Combinator) -> JsResult<Value> {
    let c = a.this;
    let cap = new_capability(vm, c)?;
    let reject_with = |vm: &mut Vm, cap: &Capability, e: Unwind| -> JsResult<Value> {
        match e {
            Unwind::Throw(v) => {
                vm.call(cap.reject, Value::UNDEFINED, &[v])?;
                Ok(cap.promise)
            }
            other => Err(other),
        }
    };
    let resolve_key = PropertyKey::Atom(vm.atom("resolve"));
    let promise_resolve_fn = match vm.get_v(c, resolve_key) {
        Ok(f) if Vm::is_callable(f) => f,
        Ok(_) => {
            let e = vm.type_error("Promise resolve is not a function");
            return reject_with(vm, &cap, e);
        }
        Err(e) => return reject_with(vm, &cap, e),
    };
    let (it, next) = match get_iterator(vm, a.arg(0)) {
        Ok(x) => x,
        Err(e) => return reject_with(vm, &cap, e),
    };
    let values = vm.new_array(0).value();
    let remaining = new_record(vm, PromiseRecord::Remaining { count: 1 });
    let mut index = 0i32;
    loop {
        let step = match iterator_step(vm, it, next) {
            Ok(s) => s,
            Err(e) => return reject_with(vm, &cap, e),
        };
        let Some(v) = step else { break };
        let r = (|| -> JsResult<()> {
            let next_promise = vm.call(promise_resolve_fn, c, &[v])?;
            if which == Combinator::Race {
                invoke_then(vm, next_promise, &[cap.resolve, cap.reject])?;
                return Ok(());
            }
            let arr: Gc<JsObject> = Gc::from_value(values);
            vm.create_data_property_or_throw(arr, PropertyKey::Index(index as u32), Value::UNDEFINED)?;
            add_remaining(remaining, 1);
            let called = new_record(vm, PromiseRecord::AlreadyCalled { called: false });
            let mk = |vm: &mut Vm, kind: u8, target: Value| {
                let record = PromiseRecord::Element { index: index as u32, values, remaining, already_called: called, capability_fn: target, kind };
                let d = new_record(vm, record);
                native_with_data(vm, element_fn, d, "", 1)
            };
            let (on_f, on_r) = match which {
                Combinator::All => (mk(vm, 0, cap.resolve), cap.reject),
                Combinator::AllSettled => (mk(vm, 1, cap.resolve), mk(vm, 2, cap.resolve)),
                _ => (cap.resolve, mk(vm, 3, cap.reject)),
            };
            invoke_then(vm, next_promise, &[on_f, on_r])?;
            Ok(())
        })();
        if let Err(e) = r {
            let _ = iterator_close(vm, it);
            return reject_with(vm, &cap, e);
        }
        index += 1;
    }
    if which != Combinator::Race {
        let n = add_remaining(remaining, -1);
        if n == 0 {
            if which == Combinator::Any {
                let e = aggregate_error(vm, values);
                vm.call(cap.reject, Value::UNDEFINED, &[e])?;
            } else {
                vm.call(cap.resolve, Value::UNDEFINED, &[values])?;
            }
        }
    }
    Ok(cap.promise)
}

fn promise_all(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    combinator(vm, a, Combinator::All)
}
fn promise_all_settled(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    combinator(vm, a, Combinator::AllSettled)
}
fn promise_any(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    combinator(vm, a, Combinator::Any)
}
fn promise_race(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    combinator(vm, a, Combinator::Race)
}
