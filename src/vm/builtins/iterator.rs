//! %IteratorPrototype% and array iterators (keys / values / entries).

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::IterationKind;
use crate::vm::object::{JsObject, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::describe::describe;
use crate::vm::runtime::iteration::iter_result;
use crate::vm::runtime::list::idx_key;
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

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

fn array_iterator_next(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let state = JsObject::from_value(a.this).and_then(|o| match o.kind {
        ObjectKind::ArrayIterator { target, next_index, kind } => Some((o, target, next_index, kind)),
        _ => None,
    });
    let Some((it, target, i, kind)) = state else {
        let d = describe(vm, a.this);
        return Err(vm.type_error(&format!("Method Array Iterator.prototype.next called on incompatible receiver {d}")));
    };
    if target.is_undefined() {
        return Ok(iter_result(vm, Value::UNDEFINED, true));
    }
    let t: Gc<JsObject> = Gc::from_value(target);
    let len = if let Some((kind, view)) = crate::vm::runtime::typed_array::typed_array(t) {
        match crate::vm::runtime::typed_array::view_length(&view, kind.size()) {
            Some(n) => n as u64,
            None => return Err(vm.type_error("Cannot iterate a typed array whose buffer is detached or out of bounds")),
        }
    } else {
        vm.length_of_array_like(t)?
    };
    let set_state = |target: Value, next: u64| {
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        if let ObjectKind::ArrayIterator { target: t, next_index, .. } = &mut unsafe { it.m() }.kind {
            *t = target;
            *next_index = next;
        }
    };
    if i >= len {
        set_state(Value::UNDEFINED, i);
        return Ok(iter_result(vm, Value::UNDEFINED, true));
    }
    set_state(target, i + 1);
    let key = idx_key(vm, i);
    let result = match kind {
        IterationKind::Keys => Value::number(i as f64),
        IterationKind::Values => vm.get(t, key, target)?,
        IterationKind::Entries => {
            let v = vm.get(t, key, target)?;
            vm.array_from(&[Value::number(i as f64), v]).value()
        }
    };
    Ok(iter_result(vm, result, false))
}
