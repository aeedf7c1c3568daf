//! Promise abstract operations: capabilities, resolving functions, reactions
//! and their jobs, PerformPromiseThen, PromiseResolve, and Await for async
//! functions. The interpreter and the builtins both use these; the Promise
//! constructor and prototype live in `builtins/promise.rs`.

use crate::vm::heap::Gc;
use crate::vm::isolate::{Job, Vm};
use crate::vm::object::{CallArgs, PromiseRecord};
use crate::vm::object::{
    FunctionKind, GeneratorData, GeneratorKind, GeneratorState, JsObject, NativeFn, ObjectKind, PromiseData, PromiseState, PropertyKey, ReactionType,
};
use crate::vm::runtime::realm::Intrinsic;
use crate::vm::value::Value;
use crate::vm::{JsResult, Unwind};

/// A native function carrying `data` (closures for resolving functions and jobs).
pub fn native_with_data(vm: &mut Vm, f: NativeFn, data: Value, name: &str, length: u32) -> Value {
    let realm = vm.realm();
    vm.new_function_object(realm, FunctionKind::Native { f, data }, name, length, false).value()
}

pub fn data_of(a: &CallArgs<'_>) -> Value {
    match &a.callee.function().unwrap().kind {
        FunctionKind::Native { data, .. } => *data,
        _ => Value::UNDEFINED,
    }
}

/// A new internal record object (the data of a promise closure).
pub fn new_record(vm: &mut Vm, record: PromiseRecord) -> Value {
    vm.new_object_with_proto(Value::NULL, ObjectKind::PromiseRecord(Box::new(record))).value()
}

/// Runs `f` on the record `v` (never across a JS call).
pub fn with_record<R>(v: Value, f: impl FnOnce(&mut PromiseRecord) -> R) -> R {
    let o: Gc<JsObject> = Gc::from_value(v);
    // SAFETY: the borrow lasts for `f`, which only reads or writes the record's fields.
    match &mut unsafe { o.m() }.kind {
        ObjectKind::PromiseRecord(r) => f(r),
        _ => unreachable!("not a promise record"),
    }
}

pub fn is_promise(v: Value) -> bool {
    JsObject::from_value(v).is_some_and(|o| matches!(o.kind, ObjectKind::Promise(_)))
}

pub fn new_promise_object(vm: &mut Vm, proto: Value) -> Gc<JsObject> {
    vm.new_object_with_proto(
        proto,
        ObjectKind::Promise(Box::new(PromiseData {
            state: PromiseState::Pending,
            result: Value::UNDEFINED,
            fulfill_reactions: Vec::new(),
            reject_reactions: Vec::new(),
            handled: false,
        })),
    )
}

/// CreateResolvingFunctions.
pub fn create_resolving_functions(vm: &mut Vm, promise: Value) -> (Value, Value) {
    let data = new_record(vm, PromiseRecord::Resolving { promise, already_resolved: false });
    let resolve = native_with_data(vm, resolve_function, data, "", 1);
    let reject = native_with_data(vm, reject_function, data, "", 1);
    (resolve, reject)
}

/// The promise of a resolving function, unless it (or its twin) already ran.
pub fn take_already_resolved(data: Value) -> Option<Value> {
    with_record(data, |r| match r {
        PromiseRecord::Resolving { promise, already_resolved } if !*already_resolved => {
            *already_resolved = true;
            Some(*promise)
        }
        _ => None,
    })
}

pub fn resolve_function(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some(promise) = take_already_resolved(data_of(a)) else { return Ok(Value::UNDEFINED) };
    resolve_promise(vm, promise, a.arg(0))?;
    Ok(Value::UNDEFINED)
}

pub fn reject_function(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some(promise) = take_already_resolved(data_of(a)) else { return Ok(Value::UNDEFINED) };
    settle(vm, promise, a.arg(0), PromiseState::Rejected);
    Ok(Value::UNDEFINED)
}

/// The body of a promise resolve function after the already-resolved check.
pub fn resolve_promise(vm: &mut Vm, promise: Value, resolution: Value) -> JsResult<()> {
    if resolution == promise {
        let e = vm.make_error(crate::vm::runtime::ErrorType::TypeError, "Chaining cycle detected for promise");
        settle(vm, promise, e.value(), PromiseState::Rejected);
        return Ok(());
    }
    let Some(r) = JsObject::from_value(resolution) else {
        settle(vm, promise, resolution, PromiseState::Fulfilled);
        return Ok(());
    };
    let key = PropertyKey::Atom(vm.names.then);
    let then = match vm.get(r, key, resolution) {
        Ok(t) => t,
        Err(Unwind::Throw(e)) => {
            settle(vm, promise, e, PromiseState::Rejected);
            return Ok(());
        }
        Err(other) => return Err(other),
    };
    if !Vm::is_callable(then) {
        settle(vm, promise, resolution, PromiseState::Fulfilled);
        return Ok(());
    }
    let data = new_record(vm, PromiseRecord::ThenableJob { promise, thenable: resolution, then });
    let job = native_with_data(vm, thenable_job, data, "", 0);
    vm.jobs.push_back(Job::Call { func: job, args: [Value::UNDEFINED; 2] });
    Ok(())
}

pub fn thenable_job(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some((promise, thenable, then)) = with_record(data_of(a), |r| match r {
        PromiseRecord::ThenableJob { promise, thenable, then } => Some((*promise, *thenable, *then)),
        _ => None,
    }) else {
        unreachable!("a thenable job without its record")
    };
    let (resolve, reject) = create_resolving_functions(vm, promise);
    match vm.call(then, thenable, &[resolve, reject]) {
        Err(Unwind::Throw(e)) => {
            vm.call(reject, Value::UNDEFINED, &[e])?;
        }
        Err(other) => return Err(other),
        Ok(_) => {}
    }
    Ok(Value::UNDEFINED)
}

/// FulfillPromise / RejectPromise: records the result and queues the reactions.
pub fn settle(vm: &mut Vm, promise: Value, result: Value, state: PromiseState) {
    let p: Gc<JsObject> = Gc::from_value(promise);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    let reactions = match &mut unsafe { p.m() }.kind {
        ObjectKind::Promise(d) => {
            if d.state != PromiseState::Pending {
                return;
            }
            d.state = state;
            d.result = result;
            let f = std::mem::take(&mut d.fulfill_reactions);
            let r = std::mem::take(&mut d.reject_reactions);
            if state == PromiseState::Fulfilled { f } else { r }
        }
        _ => return,
    };
    for reaction in reactions {
        enqueue_reaction(vm, reaction, result);
    }
}

pub fn enqueue_reaction(vm: &mut Vm, reaction: Value, argument: Value) {
    let job = native_with_data(vm, reaction_job, reaction, "", 1);
    vm.jobs.push_back(Job::Call { func: job, args: [argument, Value::UNDEFINED] });
}

pub fn reaction_job(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let reaction = data_of(a);
    let Some((cap_resolve, cap_reject, kind, handler)) = JsObject::from_value(reaction).and_then(|r| match r.kind {
        ObjectKind::PromiseReaction { resolve, reject, reaction_type, handler, .. } => Some((resolve, reject, reaction_type, handler)),
        _ => None,
    }) else {
        unreachable!("a reaction job without its reaction record")
    };
    let argument = a.arg(0);
    let result = if handler.is_undefined() {
        if kind == ReactionType::Fulfill { Ok(argument) } else { Err(Unwind::Throw(argument)) }
    } else {
        vm.call(handler, Value::UNDEFINED, &[argument])
    };
    if cap_resolve.is_undefined() {
        return result.map(|_| Value::UNDEFINED).or_else(|e| if matches!(e, Unwind::Throw(_)) { Ok(Value::UNDEFINED) } else { Err(e) });
    }
    match result {
        Ok(v) => vm.call(cap_resolve, Value::UNDEFINED, &[v]),
        Err(Unwind::Throw(e)) => vm.call(cap_reject, Value::UNDEFINED, &[e]),
        Err(other) => Err(other),
    }
}

/// A PromiseCapability: (promise, resolve, reject).
pub struct Capability {
    pub promise: Value,
    pub resolve: Value,
    pub reject: Value,
}

pub fn capability_executor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (new_resolve, new_reject) = (a.arg(0), a.arg(1));
    let filled = with_record(data_of(a), |r| match r {
        PromiseRecord::CapabilitySlots { resolve, reject } => {
            if !resolve.is_undefined() || !reject.is_undefined() {
                return false;
            }
            *resolve = new_resolve;
            *reject = new_reject;
            true
        }
        _ => false,
    });
    if !filled {
        return Err(vm.type_error("Promise executor has already been invoked with non-undefined arguments"));
    }
    Ok(Value::UNDEFINED)
}

/// NewPromiseCapability(C).
pub fn new_capability(vm: &mut Vm, c: Value) -> JsResult<Capability> {
    let realm = vm.realm();
    if c == realm.intrinsic(Intrinsic::Promise) {
        let p = new_promise_object(vm, realm.intrinsic(Intrinsic::PromisePrototype)).value();
        let (resolve, reject) = create_resolving_functions(vm, p);
        return Ok(Capability { promise: p, resolve, reject });
    }
    if !Vm::is_constructor(c) {
        return Err(vm.type_error("Promise resolve or reject function is not callable"));
    }
    let slots = new_record(vm, PromiseRecord::CapabilitySlots { resolve: Value::UNDEFINED, reject: Value::UNDEFINED });
    let executor = native_with_data(vm, capability_executor, slots, "", 2);
    let promise = vm.construct(c, &[executor], c)?;
    let (resolve, reject) = with_record(slots, |r| match r {
        PromiseRecord::CapabilitySlots { resolve, reject } => (*resolve, *reject),
        _ => (Value::UNDEFINED, Value::UNDEFINED),
    });
    let items = [resolve, reject];
    if !Vm::is_callable(items[0]) || !Vm::is_callable(items[1]) {
        return Err(vm.type_error("Promise resolve or reject function is not callable"));
    }
    Ok(Capability { promise, resolve: items[0], reject: items[1] })
}

/// PerformPromiseThen.
pub fn perform_then(vm: &mut Vm, promise: Value, on_fulfilled: Value, on_rejected: Value, cap: Option<&Capability>) -> Value {
    let (cp, cr, cj) = cap.map_or((Value::UNDEFINED, Value::UNDEFINED, Value::UNDEFINED), |c| (c.promise, c.resolve, c.reject));
    let onf = if Vm::is_callable(on_fulfilled) { on_fulfilled } else { Value::UNDEFINED };
    let onr = if Vm::is_callable(on_rejected) { on_rejected } else { Value::UNDEFINED };
    let reaction = |reaction_type, handler| ObjectKind::PromiseReaction { promise: cp, resolve: cr, reject: cj, reaction_type, handler };
    let fr = vm.new_object_with_proto(Value::NULL, reaction(ReactionType::Fulfill, onf)).value();
    let rr = vm.new_object_with_proto(Value::NULL, reaction(ReactionType::Reject, onr)).value();
    let p: Gc<JsObject> = Gc::from_value(promise);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    let (state, result) = match &mut unsafe { p.m() }.kind {
        ObjectKind::Promise(d) => {
            d.handled = true;
            if d.state == PromiseState::Pending {
                d.fulfill_reactions.push(fr);
                d.reject_reactions.push(rr);
            }
            (d.state, d.result)
        }
        _ => return cp,
    };
    match state {
        PromiseState::Fulfilled => enqueue_reaction(vm, fr, result),
        PromiseState::Rejected => enqueue_reaction(vm, rr, result),
        PromiseState::Pending => {}
    }
    cp
}

/// A new pending promise from this realm's %Promise.prototype% (async function results).
pub fn new_intrinsic_promise(vm: &mut Vm) -> Value {
    let proto = vm.realm().intrinsic(Intrinsic::PromisePrototype);
    new_promise_object(vm, proto).value()
}

/// Resolves a promise nobody else can resolve (an async function's result).
pub fn resolve_intrinsic(vm: &mut Vm, promise: Value, resolution: Value) -> JsResult<()> {
    resolve_promise(vm, promise, resolution)
}

/// Rejects a promise nobody else can resolve (an async function's result).
pub fn reject_intrinsic(vm: &mut Vm, promise: Value, reason: Value) {
    settle(vm, promise, reason, PromiseState::Rejected);
}

/// The first half of Await(value): PromiseResolve(%Promise%, value), then
/// PerformPromiseThen with the given continuation functions.
pub fn await_then(vm: &mut Vm, value: Value, on_fulfilled: Value, on_rejected: Value) -> JsResult<()> {
    let c = vm.realm().intrinsic(Intrinsic::Promise);
    let promise = promise_resolve(vm, c, value)?;
    perform_then(vm, promise, on_fulfilled, on_rejected, None);
    Ok(())
}

/// PromiseResolve(%Promise%, value).
pub fn promise_resolve_intrinsic(vm: &mut Vm, value: Value) -> JsResult<Value> {
    let c = vm.realm().intrinsic(Intrinsic::Promise);
    promise_resolve(vm, c, value)
}

/// PerformPromiseThen(promise, onFulfilled, onRejected) with no result capability.
pub fn perform_then_plain(vm: &mut Vm, promise: Value, on_fulfilled: Value, on_rejected: Value) {
    perform_then(vm, promise, on_fulfilled, on_rejected, None);
}

/// PerformPromiseThen(promise, onFulfilled, onRejected, capability of `target`),
/// where `target` is a pending promise created by the engine.
pub fn perform_then_into(vm: &mut Vm, promise: Value, on_fulfilled: Value, on_rejected: Value, target: Value) {
    let (resolve, reject) = create_resolving_functions(vm, target);
    let cap = Capability { promise: target, resolve, reject };
    perform_then(vm, promise, on_fulfilled, on_rejected, Some(&cap));
}

/// PromiseResolve(C, x).
pub fn promise_resolve(vm: &mut Vm, c: Value, x: Value) -> JsResult<Value> {
    if is_promise(x) {
        let ckey = PropertyKey::Atom(vm.names.constructor);
        let xc = vm.get_v(x, ckey)?;
        if xc == c {
            return Ok(x);
        }
    }
    let cap = new_capability(vm, c)?;
    vm.call(cap.resolve, Value::UNDEFINED, &[x])?;
    Ok(cap.promise)
}

/// The internal state object of one async function activation: a
/// generator-like object (no prototype) holding the frame while it awaits.
pub fn new_async_state(vm: &mut Vm, func: Value, mode_reg: u16) -> Gc<JsObject> {
    let data = GeneratorData::new(GeneratorKind::AsyncFunction, GeneratorState::Executing, func, mode_reg);
    vm.new_object_with_proto(Value::NULL, ObjectKind::Generator(Box::new(data)))
}

/// Await(value) up to the suspension: subscribes continuations that resume
/// the frame saved in `state` with the settled value.
pub fn await_value(vm: &mut Vm, state: Value, value: Value) -> JsResult<()> {
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
        return crate::vm::runtime::async_generator::resume(vm, s, value, mode).map(|_| Value::UNDEFINED);
    }
    let r = vm.resume_generator(s, value, mode);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    if let ObjectKind::Generator(g) = &mut unsafe { s.m() }.kind
        && g.state == GeneratorState::Executing
    {
        // It returned (or threw into its promise): the activation is over.
        g.state = GeneratorState::Completed;
        g.regs = Vec::new();
    }
    r.map(|_| Value::UNDEFINED)
}

pub fn resume_fulfilled(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    resume(vm, data_of(a), a.arg(0), 0)
}

pub fn resume_rejected(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    resume(vm, data_of(a), a.arg(0), 1)
}
