//! %IteratorPrototype% and array iterators (keys / values / entries).

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{JsObject, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

pub(crate) const KIND_KEYS: i32 = 0;
pub(crate) const KIND_VALUES: i32 = 1;
pub(crate) const KIND_ENTRIES: i32 = 2;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let ip = realm.proto(Intrinsic::IteratorPrototype);
    let it = vm.symbols.iterator;
    vm.define_symbol_method(ip, it, "[Symbol.iterator]", return_this, 0, attrs::HIDDEN);
    let aip = realm.proto(Intrinsic::ArrayIteratorPrototype);
    vm.define_method(aip, "next", array_iterator_next, 0);
    let tag = vm.symbols.to_string_tag;
    let s = vm.string_value("Array Iterator");
    aip.put_named(&mut vm.heap, PropertyKey::Symbol(tag), s, attrs::CONFIGURABLE);
}

fn return_this(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(a.this)
}

/// CreateArrayIterator: state is [iterated object, next index, kind].
pub fn create_array_iterator(vm: &mut Vm, target: Value, kind: i32) -> Value {
    let proto = vm.realm().intrinsic(Intrinsic::ArrayIteratorPrototype);
    let it = vm.new_object_with_proto(proto, ObjectKind::List(vec![target, Value::int(0), Value::int(kind)]));
    it.value()
}

/// An iterator result object { value, done }.
pub fn iter_result(vm: &mut Vm, value: Value, done: bool) -> Value {
    let o = vm.new_object();
    let (vk, dk) = (PropertyKey::Atom(vm.names.value), PropertyKey::Atom(vm.names.done));
    o.put_named(&mut vm.heap, vk, value, attrs::DEFAULT);
    o.put_named(&mut vm.heap, dk, Value::bool(done), attrs::DEFAULT);
    o.value()
}

fn array_iterator_next(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let state = JsObject::from_value(a.this)
        .filter(|o| matches!(&o.kind, ObjectKind::List(v) if v.len() == 3) && o.proto() == vm.realm().intrinsic(Intrinsic::ArrayIteratorPrototype));
    let Some(it) = state else {
        return Err(vm.type_error("next method called on incompatible receiver"));
    };
    let (target, index, kind) = match &it.kind {
        ObjectKind::List(v) => (v[0], v[1], v[2].as_int()),
        _ => unreachable!(),
    };
    if target.is_undefined() {
        return Ok(iter_result(vm, Value::UNDEFINED, true));
    }
    let t: Gc<JsObject> = Gc::from_value(target);
    let i = index.as_number() as u64;
    let len = vm.length_of_array_like(t)?;
    if i >= len {
        if let ObjectKind::List(v) = &mut it.m().kind {
            v[0] = Value::UNDEFINED;
        }
        return Ok(iter_result(vm, Value::UNDEFINED, true));
    }
    if let ObjectKind::List(v) = &mut it.m().kind {
        v[1] = Value::number(i as f64 + 1.0);
    }
    let result = match kind {
        KIND_KEYS => Value::number(i as f64),
        KIND_VALUES => vm.get(t, PropertyKey::Index(i as u32), target)?,
        _ => {
            let v = vm.get(t, PropertyKey::Index(i as u32), target)?;
            vm.array_from(&[Value::number(i as f64), v]).value()
        }
    };
    Ok(iter_result(vm, result, false))
}
