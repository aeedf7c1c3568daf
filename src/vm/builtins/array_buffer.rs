//! ArrayBuffer (resizable, transfer, detached) and SharedArrayBuffer
//! (growable): constructors, `isView`, @@species and the prototypes.

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::buffer::ArrayBufferData;
use crate::vm::object::{CallArgs, JsObject, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::runtime::typed_array::{buffer_data, relative_arg};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let sabp = vm.new_object_with_proto(realm.intrinsic(Intrinsic::ObjectPrototype), ObjectKind::Ordinary);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[Intrinsic::SharedArrayBufferPrototype as usize] = sabp.value();

    let c =
        crate::vm::runtime::define::make_constructor(vm, realm, "ArrayBuffer", array_buffer_ctor, 1, Intrinsic::ArrayBufferPrototype, Intrinsic::ArrayBuffer);
    vm.define_method(c, "isView", is_view, 1);
    let species = PropertyKey::Symbol(vm.symbols.species);
    vm.define_accessor(c, species, Some(species_getter), None, "[Symbol.species]");
    let p = realm.proto(Intrinsic::ArrayBufferPrototype);
    for (name, getter) in
        [("byteLength", byte_length as crate::vm::object::NativeFn), ("maxByteLength", max_byte_length), ("resizable", resizable), ("detached", detached)]
    {
        let key = vm.key_from_str(name);
        vm.define_accessor(p, key, Some(getter), None, name);
    }
    vm.define_method(p, "resize", resize, 1);
    vm.define_method(p, "slice", slice, 2);
    vm.define_method(p, "transfer", transfer, 0);
    vm.define_method(p, "transferToFixedLength", transfer_to_fixed_length, 0);
    set_tag(vm, p, "ArrayBuffer");

    let c = crate::vm::runtime::define::make_constructor(
        vm,
        realm,
        "SharedArrayBuffer",
        shared_ctor,
        1,
        Intrinsic::SharedArrayBufferPrototype,
        Intrinsic::SharedArrayBuffer,
    );
    vm.define_accessor(c, species, Some(species_getter), None, "[Symbol.species]");
    for (name, getter) in [("byteLength", shared_byte_length as crate::vm::object::NativeFn), ("growable", growable), ("maxByteLength", shared_max_byte_length)]
    {
        let key = vm.key_from_str(name);
        vm.define_accessor(sabp, key, Some(getter), None, name);
    }
    vm.define_method(sabp, "grow", grow, 1);
    vm.define_method(sabp, "slice", shared_slice, 2);
    set_tag(vm, sabp, "SharedArrayBuffer");
}

fn set_tag(vm: &mut Vm, p: Gc<JsObject>, tag: &str) {
    let sym = vm.symbols.to_string_tag;
    let v = vm.string_value(tag);
    p.put_named(&mut vm.heap, PropertyKey::Symbol(sym), v, attrs::CONFIGURABLE);
}

fn species_getter(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(a.this)
}

/// GetArrayBufferMaxByteLengthOption.
fn max_length_option(vm: &mut Vm, options: Value) -> JsResult<Option<usize>> {
    let Some(o) = JsObject::from_value(options) else { return Ok(None) };
    let key = vm.key_from_str("maxByteLength");
    let m = vm.get(o, key, options)?;
    if m.is_undefined() {
        return Ok(None);
    }
    Ok(Some(vm.to_index(m)? as usize))
}

fn construct_buffer(vm: &mut Vm, a: &CallArgs<'_>, shared: bool) -> JsResult<Value> {
    let name = if shared { "SharedArrayBuffer" } else { "ArrayBuffer" };
    if !a.is_construct() {
        return Err(vm.type_error(&format!("Constructor {name} requires 'new'")));
    }
    let len = vm.to_index(a.arg(0))? as usize;
    let max = max_length_option(vm, a.arg(1))?;
    if max.is_some_and(|m| len > m) {
        return Err(vm.range_error(&format!("Invalid array buffer length: {len} exceeds maxByteLength")));
    }
    let default = if shared { Intrinsic::SharedArrayBufferPrototype } else { Intrinsic::ArrayBufferPrototype };
    let proto = vm.prototype_from_constructor(a.new_target, default)?;
    Ok(vm.allocate_array_buffer(proto, len, max, shared)?.value())
}

fn array_buffer_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    construct_buffer(vm, a, false)
}

fn shared_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    construct_buffer(vm, a, true)
}

fn is_view(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let view = JsObject::from_value(a.arg(0)).is_some_and(|o| matches!(o.kind, ObjectKind::TypedArray { .. } | ObjectKind::DataView(_)));
    Ok(Value::bool(view))
}

/// The receiver as a buffer of the wanted sharedness, or a TypeError.
fn this_buffer(vm: &mut Vm, v: Value, shared: bool, method: &str) -> JsResult<(Gc<JsObject>, &'static mut ArrayBufferData)> {
    if let Some(o) = JsObject::from_value(v)
        && let Some(d) = buffer_data(o)
        && d.shared == shared
    {
        return Ok((o, d));
    }
    let class = if shared { "SharedArrayBuffer" } else { "ArrayBuffer" };
    Err(vm.type_error(&format!("Method {class}.prototype.{method} called on incompatible receiver")))
}

fn byte_length(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, d) = this_buffer(vm, a.this, false, "byteLength")?;
    Ok(Value::number(d.byte_length() as f64))
}

fn max_byte_length(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, d) = this_buffer(vm, a.this, false, "maxByteLength")?;
    let n = if d.is_detached() { 0 } else { d.max_byte_length.unwrap_or(d.byte_length()) };
    Ok(Value::number(n as f64))
}

fn resizable(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, d) = this_buffer(vm, a.this, false, "resizable")?;
    Ok(Value::bool(d.max_byte_length.is_some()))
}

fn detached(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, d) = this_buffer(vm, a.this, false, "detached")?;
    Ok(Value::bool(d.is_detached()))
}

fn resize(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, d) = this_buffer(vm, a.this, false, "resize")?;
    let Some(max) = d.max_byte_length else {
        return Err(vm.type_error("Method ArrayBuffer.prototype.resize called on a fixed-length buffer"));
    };
    let new_len = vm.to_index(a.arg(0))? as usize;
    let d = buffer_data(o).expect("still a buffer");
    if d.is_detached() {
        return Err(vm.type_error("Cannot resize a detached ArrayBuffer"));
    }
    if new_len > max {
        return Err(vm.range_error("ArrayBuffer.prototype.resize: invalid length parameter"));
    }
    resize_store(vm, d, new_len)?;
    Ok(Value::UNDEFINED)
}

/// Sets the byte length of an owned buffer; new bytes are zero.
fn resize_store(vm: &mut Vm, d: &mut ArrayBufferData, new_len: usize) -> JsResult<()> {
    use crate::vm::object::buffer::BufferStore;
    match &mut d.store {
        BufferStore::Owned(v) => {
            if new_len > v.len() && v.try_reserve_exact(new_len - v.len()).is_err() {
                return Err(vm.range_error("Array buffer allocation failed"));
            }
            let grew = new_len.saturating_sub(v.len());
            v.resize(new_len, 0);
            vm.heap.note_external_allocation(grew);
            Ok(())
        }
        // Host memory has a fixed size (external buffers are never resizable).
        _ => Err(vm.type_error("Cannot resize this ArrayBuffer")),
    }
}

fn slice_impl(vm: &mut Vm, a: &CallArgs<'_>, shared: bool) -> JsResult<Value> {
    let (o, d) = this_buffer(vm, a.this, shared, "slice")?;
    if d.is_detached() {
        return Err(vm.type_error("Cannot perform ArrayBuffer.prototype.slice on a detached ArrayBuffer"));
    }
    let len = d.byte_length();
    let first = relative_arg(vm, a.arg(0), len, 0)?;
    let last = relative_arg(vm, a.arg(1), len, len)?;
    let new_len = last.saturating_sub(first);
    let default = vm.realm().intrinsic(if shared { Intrinsic::SharedArrayBuffer } else { Intrinsic::ArrayBuffer });
    let ctor = vm.species_constructor(o, default)?;
    let made = vm.construct(ctor, &[Value::number(new_len as f64)], ctor)?;
    let Some(new) = JsObject::from_value(made).filter(|n| buffer_data(*n).is_some_and(|nd| nd.shared == shared)) else {
        return Err(vm.type_error("The species constructor did not return a buffer of the same kind"));
    };
    let nd = buffer_data(new).expect("checked");
    if nd.is_detached() {
        return Err(vm.type_error("The species constructor returned a detached ArrayBuffer"));
    }
    if new == o {
        return Err(vm.type_error("The species constructor returned the same ArrayBuffer"));
    }
    if nd.byte_length() < new_len {
        return Err(vm.type_error("The species constructor returned a buffer that is too small"));
    }
    let d = buffer_data(o).expect("still a buffer");
    if d.is_detached() {
        return Err(vm.type_error("Cannot perform ArrayBuffer.prototype.slice on a detached ArrayBuffer"));
    }
    // The source may have shrunk meanwhile.
    let current = d.byte_length();
    if first < current {
        let count = new_len.min(current - first);
        let src: Vec<u8> = d.bytes()[first..first + count].to_vec();
        buffer_data(new).expect("checked").bytes_mut()[..count].copy_from_slice(&src);
    }
    Ok(made)
}

fn slice(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    slice_impl(vm, a, false)
}

/// ArrayBufferCopyAndDetach: moves the bytes (no copy for engine-owned ones).
fn copy_and_detach(vm: &mut Vm, a: &CallArgs<'_>, preserve_resizability: bool, method: &str) -> JsResult<Value> {
    let (o, _) = this_buffer(vm, a.this, false, method)?;
    let new_len = if a.arg(0).is_undefined() { buffer_data(o).expect("buffer").byte_length() } else { vm.to_index(a.arg(0))? as usize };
    let d = buffer_data(o).expect("still a buffer");
    if d.is_detached() {
        return Err(vm.type_error(&format!("Cannot perform ArrayBuffer.prototype.{method} on a detached ArrayBuffer")));
    }
    let new_max = if preserve_resizability { d.max_byte_length } else { None };
    if new_max.is_some_and(|m| new_len > m) {
        return Err(vm.range_error(&format!("ArrayBuffer.prototype.{method}: invalid length parameter")));
    }
    if new_len > crate::vm::runtime::typed_array::MAX_BUFFER_BYTES {
        return Err(vm.range_error("Array buffer allocation failed"));
    }
    let mut bytes = d.take_bytes();
    if new_len > bytes.len() && bytes.try_reserve_exact(new_len - bytes.len()).is_err() {
        return Err(vm.range_error("Array buffer allocation failed"));
    }
    bytes.resize(new_len, 0);
    let proto = vm.realm().intrinsic(Intrinsic::ArrayBufferPrototype);
    let data = ArrayBufferData { store: crate::vm::object::buffer::BufferStore::Owned(bytes), max_byte_length: new_max, shared: false };
    Ok(vm.new_object_with_proto(proto, ObjectKind::ArrayBuffer(Box::new(data))).value())
}

fn transfer(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    copy_and_detach(vm, a, true, "transfer")
}

fn transfer_to_fixed_length(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    copy_and_detach(vm, a, false, "transferToFixedLength")
}

fn shared_byte_length(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, d) = this_buffer(vm, a.this, true, "byteLength")?;
    Ok(Value::number(d.byte_length() as f64))
}

fn growable(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, d) = this_buffer(vm, a.this, true, "growable")?;
    Ok(Value::bool(d.max_byte_length.is_some()))
}

fn shared_max_byte_length(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, d) = this_buffer(vm, a.this, true, "maxByteLength")?;
    Ok(Value::number(d.max_byte_length.unwrap_or(d.byte_length()) as f64))
}

fn grow(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, d) = this_buffer(vm, a.this, true, "grow")?;
    let Some(max) = d.max_byte_length else {
        return Err(vm.type_error("Method SharedArrayBuffer.prototype.grow called on a fixed-length buffer"));
    };
    let new_len = vm.to_index(a.arg(0))? as usize;
    let d = buffer_data(o).expect("still a buffer");
    if new_len > max || new_len < d.byte_length() {
        return Err(vm.range_error("SharedArrayBuffer.prototype.grow: invalid length parameter"));
    }
    resize_store(vm, d, new_len)?;
    Ok(Value::UNDEFINED)
}

fn shared_slice(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    slice_impl(vm, a, true)
}
