//! DataView: the constructor (length-tracking over resizable buffers), the
//! buffer / byteLength / byteOffset accessors, and a getter and setter per
//! element type (Float16 included), either byte order.

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::buffer::{ElementKind, ViewData};
use crate::vm::object::{CallArgs, FunctionKind, JsObject, NativeFn, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::runtime::typed_array::buffer_data;
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let p = vm.new_object_with_proto(realm.intrinsic(Intrinsic::ObjectPrototype), ObjectKind::Ordinary);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[Intrinsic::DataViewPrototype as usize] = p.value();
    crate::vm::runtime::define::make_constructor(vm, realm, "DataView", data_view_ctor, 1, Intrinsic::DataViewPrototype, Intrinsic::DataView);
    for (name, getter) in [("buffer", get_buffer as NativeFn), ("byteLength", get_byte_length), ("byteOffset", get_byte_offset)] {
        let key = vm.key_from_str(name);
        vm.define_accessor(p, key, Some(getter), None, name);
    }
    for kind in ElementKind::ALL {
        if kind == ElementKind::Uint8Clamped {
            continue;
        }
        let base = &kind.name()[..kind.name().len() - "Array".len()];
        for (prefix, f, len) in [("get", get_value as NativeFn, 1), ("set", set_value, 2)] {
            let name = format!("{prefix}{base}");
            let func = vm.new_function_object(realm, FunctionKind::Native { f, data: Value::int(kind as i32) }, &name, len, false);
            let key = vm.key_from_str(&name);
            p.put_named(&mut vm.heap, key, func.value(), attrs::HIDDEN);
        }
    }
    let tag = vm.symbols.to_string_tag;
    let v = vm.string_value("DataView");
    p.put_named(&mut vm.heap, PropertyKey::Symbol(tag), v, attrs::CONFIGURABLE);
}

fn data_view_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if !a.is_construct() {
        return Err(vm.type_error("Constructor DataView requires 'new'"));
    }
    let Some(buffer) = JsObject::from_value(a.arg(0)).filter(|o| buffer_data(*o).is_some()) else {
        return Err(vm.type_error("First argument to DataView constructor must be an ArrayBuffer"));
    };
    let offset = vm.to_index(a.arg(1))? as usize;
    let d = buffer_data(buffer).expect("buffer");
    if d.is_detached() {
        return Err(vm.type_error("Cannot construct a DataView over a detached ArrayBuffer"));
    }
    let buf_len = d.byte_length();
    if offset > buf_len {
        return Err(vm.range_error(&format!("Start offset {offset} is outside the bounds of the buffer")));
    }
    let tracking = a.arg(2).is_undefined() && d.max_byte_length.is_some();
    let length = if a.arg(2).is_undefined() {
        if tracking { None } else { Some(buf_len - offset) }
    } else {
        let n = vm.to_index(a.arg(2))? as usize;
        if offset.checked_add(n).is_none_or(|end| end > buf_len) {
            return Err(vm.range_error(&format!("Invalid DataView length {n}")));
        }
        Some(n)
    };
    let proto = vm.prototype_from_constructor(a.new_target, Intrinsic::DataViewPrototype)?;
    // The prototype lookup may have run JS that detached or shrank the buffer.
    let d = buffer_data(buffer).expect("buffer");
    if d.is_detached() {
        return Err(vm.type_error("Cannot construct a DataView over a detached ArrayBuffer"));
    }
    let buf_len = d.byte_length();
    if offset > buf_len || length.is_some_and(|n| offset + n > buf_len) {
        return Err(vm.range_error("Invalid DataView length"));
    }
    Ok(vm.new_object_with_proto(proto, ObjectKind::DataView(ViewData { buffer, byte_offset: offset, length })).value())
}

/// The view of a DataView receiver.
fn this_view(vm: &mut Vm, v: Value, name: &str) -> JsResult<ViewData> {
    match JsObject::from_value(v).and_then(|o| if let ObjectKind::DataView(view) = o.kind { Some(view) } else { None }) {
        Some(view) => Ok(view),
        _ => Err(vm.type_error(&format!("Method DataView.prototype.{name} called on incompatible receiver"))),
    }
}

/// GetViewByteLength, or `None` when the view is out of bounds or detached.
fn view_byte_length(view: &ViewData) -> Option<usize> {
    crate::vm::runtime::typed_array::view_length(view, 1)
}

fn out_of_bounds(vm: &mut Vm, name: &str) -> crate::vm::Unwind {
    vm.type_error(&format!("Cannot perform DataView.prototype.{name} on a detached or out-of-bounds ArrayBuffer"))
}

fn get_buffer(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(this_view(vm, a.this, "buffer")?.buffer.value())
}

fn get_byte_length(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let view = this_view(vm, a.this, "byteLength")?;
    match view_byte_length(&view) {
        Some(n) => Ok(Value::number(n as f64)),
        None => Err(out_of_bounds(vm, "byteLength")),
    }
}

fn get_byte_offset(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let view = this_view(vm, a.this, "byteOffset")?;
    match view_byte_length(&view) {
        Some(_) => Ok(Value::number(view.byte_offset as f64)),
        None => Err(out_of_bounds(vm, "byteOffset")),
    }
}

/// GetViewValue.
fn get_value(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let kind = crate::vm::runtime::typed_array::callee_element_kind(a.callee);
    let name = format!("get{}", &kind.name()[..kind.name().len() - 5]);
    let view = this_view(vm, a.this, &name)?;
    let index = vm.to_index(a.arg(0))? as usize;
    let little = Vm::to_boolean(a.arg(1));
    let Some(len) = view_byte_length(&view) else { return Err(out_of_bounds(vm, &name)) };
    if index.checked_add(kind.size()).is_none_or(|end| end > len) {
        return Err(vm.range_error("Offset is outside the bounds of the DataView"));
    }
    let pos = view.byte_offset + index;
    let bytes: Vec<u8> = buffer_data(view.buffer).expect("buffer").bytes()[pos..pos + kind.size()].to_vec();
    Ok(vm.decode_element(kind, &bytes, little))
}

/// SetViewValue.
fn set_value(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let kind = crate::vm::runtime::typed_array::callee_element_kind(a.callee);
    let name = format!("set{}", &kind.name()[..kind.name().len() - 5]);
    let view = this_view(vm, a.this, &name)?;
    let index = vm.to_index(a.arg(0))? as usize;
    let value = vm.to_element_value(kind, a.arg(1))?;
    let little = Vm::to_boolean(a.arg(2));
    let Some(len) = view_byte_length(&view) else { return Err(out_of_bounds(vm, &name)) };
    if index.checked_add(kind.size()).is_none_or(|end| end > len) {
        return Err(vm.range_error("Offset is outside the bounds of the DataView"));
    }
    Vm::write_element(view.buffer, kind, view.byte_offset + index, value, little);
    Ok(Value::UNDEFINED)
}
