//! The iteration protocol: GetIterator (sync and async, with
//! CreateAsyncFromSyncIterator), IteratorStep, IteratorClose,
//! CreateIterResultObject, and spreading an iterable into an array.

use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{JsObject, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::realm::Intrinsic;
use crate::vm::value::Value;
use crate::vm::{JsResult, Unwind};

/// Appends the values of `iterable` to the array `arr`.
pub fn array_spread(vm: &mut Vm, arr: Value, iterable: Value) -> JsResult<()> {
    let a: Gc<JsObject> = Gc::from_value(arr);
    let (it, next) = get_iterator(vm, iterable)?;
    while let Some(v) = iterator_step(vm, it, next)? {
        let len = a.array_length();
        a.put_element(&mut vm.heap, len, v, attrs::DEFAULT);
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        (unsafe { a.m() }).set_array_length_raw(len + 1);
    }
    Ok(())
}

pub fn get_iterator(vm: &mut Vm, v: Value) -> JsResult<(Value, Value)> {
    let key = PropertyKey::Symbol(vm.symbols.iterator);
    let method = if v.is_nullish() { None } else { vm.get_method(v, key)? };
    let Some(m) = method else {
        let d = vm.display_string(v);
        return Err(vm.type_error(&format!("{d} is not iterable")));
    };
    let it = vm.call(m, v, &[])?;
    if !JsObject::is_object(it) {
        return Err(vm.type_error("Result of the Symbol.iterator method is not an object"));
    }
    let nkey = PropertyKey::Atom(vm.names.next);
    let next = vm.get_v(it, nkey)?;
    Ok((it, next))
}

pub fn iterator_step(vm: &mut Vm, it: Value, next: Value) -> JsResult<Option<Value>> {
    let r = vm.call(next, it, &[])?;
    let Some(ro) = JsObject::from_value(r) else {
        let d = vm.display_string(r);
        return Err(vm.type_error(&format!("Iterator result {d} is not an object")));
    };
    let dkey = PropertyKey::Atom(vm.names.done);
    let done = vm.get(ro, dkey, r)?;
    if Vm::to_boolean(done) {
        return Ok(None);
    }
    let vkey = PropertyKey::Atom(vm.names.value);
    Ok(Some(vm.get(ro, vkey, r)?))
}

pub fn iterator_close(vm: &mut Vm, it: Value) -> JsResult<()> {
    let key = PropertyKey::Atom(vm.names.return_);
    if let Some(m) = vm.get_method(it, key)? {
        let r = vm.call(m, it, &[])?;
        if !JsObject::is_object(r) {
            return Err(vm.type_error("iterator.return() did not return an object"));
        }
    }
    Ok(())
}

/// An iterator result object { value, done }.
pub fn iter_result(vm: &mut Vm, value: Value, done: bool) -> Value {
    let o = vm.new_object();
    let (vk, dk) = (PropertyKey::Atom(vm.names.value), PropertyKey::Atom(vm.names.done));
    o.put_named(&mut vm.heap, vk, value, attrs::DEFAULT);
    o.put_named(&mut vm.heap, dk, Value::bool(done), attrs::DEFAULT);
    o.value()
}

/// GetIterator(value, async): (iterator, next method). Falls back to the sync
/// iterator wrapped by CreateAsyncFromSyncIterator.
pub fn get_async_iterator(vm: &mut Vm, v: Value) -> JsResult<(Value, Value)> {
    let key = PropertyKey::Symbol(vm.symbols.async_iterator);
    let method = if v.is_nullish() { None } else { vm.get_method(v, key)? };
    let Some(m) = method else {
        let (sync_it, sync_next) = get_iterator(vm, v)?;
        let proto = vm.realm().intrinsic(Intrinsic::AsyncFromSyncIteratorPrototype);
        let it = vm.new_object_with_proto(proto, ObjectKind::AsyncFromSyncIterator { iterator: sync_it, next: sync_next });
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

/// Closes an iterator after an abrupt completion, keeping the original error.
pub fn close_after_error(vm: &mut Vm, it: Value, err: Unwind) -> Unwind {
    if let Unwind::Throw(_) = err
        && let Err(e @ (Unwind::Terminate | Unwind::OutOfMemory)) = iterator_close(vm, it)
    {
        return e;
    }
    err
}

/// CreateArrayIterator(array, kind).
pub fn create_array_iterator(vm: &mut Vm, target: Value, kind: crate::vm::object::IterationKind) -> Value {
    let proto = vm.realm().intrinsic(Intrinsic::ArrayIteratorPrototype);
    let it = vm.new_object_with_proto(proto, ObjectKind::ArrayIterator { target, next_index: 0, kind });
    it.value()
}
