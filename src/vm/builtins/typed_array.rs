//! %TypedArray% and the twelve typed array constructors: construction from
//! lengths, buffers, typed arrays, iterables and array-likes; `from`, `of`,
//! species creation; and every %TypedArray%.prototype method.

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::buffer::{ElementKind, ViewData};
use crate::vm::object::{CallArgs, FunctionKind, IterationKind, JsObject, NativeFn, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::iteration::{create_array_iterator, iterator_step};
use crate::vm::runtime::list::{get_idx, idx_key};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::runtime::typed_array::{buffer_data, relative_arg, typed_array, view_length};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let object_proto = realm.intrinsic(Intrinsic::ObjectPrototype);
    let tap = vm.new_object_with_proto(object_proto, ObjectKind::Ordinary);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[Intrinsic::TypedArrayPrototype as usize] = tap.value();
    let ta = vm.new_native_function(realm, typed_array_ctor, "TypedArray", 0, true);
    let pkey = PropertyKey::Atom(vm.names.prototype);
    ta.put_named(&mut vm.heap, pkey, tap.value(), 0);
    let ckey = PropertyKey::Atom(vm.names.constructor);
    tap.put_named(&mut vm.heap, ckey, ta.value(), attrs::HIDDEN);
    // SAFETY: as above.
    (unsafe { realm.m() }).intrinsics[Intrinsic::TypedArray as usize] = ta.value();
    vm.define_method(ta, "from", from, 1);
    vm.define_method(ta, "of", of, 0);
    let species = PropertyKey::Symbol(vm.symbols.species);
    vm.define_accessor(ta, species, Some(species_getter), None, "[Symbol.species]");

    for (name, getter) in [("buffer", get_buffer as NativeFn), ("byteLength", get_byte_length), ("byteOffset", get_byte_offset), ("length", get_length)] {
        let key = vm.key_from_str(name);
        vm.define_accessor(tap, key, Some(getter), None, name);
    }
    let tag = PropertyKey::Symbol(vm.symbols.to_string_tag);
    vm.define_accessor(tap, tag, Some(get_to_string_tag), None, "[Symbol.toStringTag]");
    let methods: [(&str, NativeFn, u32); 29] = [
        ("at", at, 1),
        ("copyWithin", copy_within, 2),
        ("entries", entries, 0),
        ("every", every, 1),
        ("fill", fill, 1),
        ("filter", filter, 1),
        ("find", find, 1),
        ("findIndex", find_index, 1),
        ("findLast", find_last, 1),
        ("findLastIndex", find_last_index, 1),
        ("forEach", for_each, 1),
        ("includes", includes, 1),
        ("indexOf", index_of, 1),
        ("join", join, 1),
        ("keys", keys, 0),
        ("lastIndexOf", last_index_of, 1),
        ("map", map, 1),
        ("reduce", reduce, 1),
        ("reduceRight", reduce_right, 1),
        ("reverse", reverse, 0),
        ("set", set, 1),
        ("slice", slice, 2),
        ("some", some, 1),
        ("sort", sort, 1),
        ("subarray", subarray, 2),
        ("toLocaleString", to_locale_string, 0),
        ("toReversed", to_reversed, 0),
        ("toSorted", to_sorted, 1),
        ("with", with, 2),
    ];
    for (name, f, len) in methods {
        vm.define_method(tap, name, f, len);
    }
    let values_fn = vm.define_method(tap, "values", values, 0);
    let iter = PropertyKey::Symbol(vm.symbols.iterator);
    tap.put_named(&mut vm.heap, iter, values_fn.value(), attrs::HIDDEN);
    // %TypedArray%.prototype.toString is %Array.prototype.toString%.
    let ap = realm.proto(Intrinsic::ArrayPrototype);
    let ts_key = PropertyKey::Atom(vm.names.to_string);
    if let Some(p) = ap.get_own_named(ts_key) {
        tap.put_named(&mut vm.heap, ts_key, p.value, attrs::HIDDEN);
    }

    for kind in ElementKind::ALL {
        let proto = vm.new_object_with_proto(tap.value(), ObjectKind::Ordinary);
        let c = vm.new_function_object(realm, FunctionKind::Native { f: concrete_ctor, data: Value::int(kind as i32) }, kind.name(), 3, true);
        c.set_proto_raw(&mut vm.heap, ta.value(), vm.null_root_shape);
        c.put_named(&mut vm.heap, pkey, proto.value(), 0);
        proto.put_named(&mut vm.heap, ckey, c.value(), attrs::HIDDEN);
        let bpe = Value::int(kind.size() as i32);
        vm.define_value(c, "BYTES_PER_ELEMENT", bpe, 0);
        vm.define_value(proto, "BYTES_PER_ELEMENT", bpe, 0);
        // SAFETY: as above.
        let r = unsafe { realm.m() };
        r.intrinsics[Intrinsic::Int8ArrayPrototype as usize + kind as usize] = proto.value();
        r.intrinsics[Intrinsic::Int8Array as usize + kind as usize] = c.value();
        let global = realm.global;
        vm.define_value(global, kind.name(), c.value(), attrs::HIDDEN);
    }
}

fn species_getter(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(a.this)
}

fn typed_array_ctor(vm: &mut Vm, _a: &CallArgs<'_>) -> JsResult<Value> {
    Err(vm.type_error("Abstract class TypedArray not directly constructable"))
}

/// A fresh buffer and a view over all of it.
fn allocate(vm: &mut Vm, proto: Value, kind: ElementKind, len: usize) -> JsResult<Gc<JsObject>> {
    let Some(bytes) = len.checked_mul(kind.size()) else {
        return Err(vm.range_error(&format!("Invalid typed array length: {len}")));
    };
    if bytes > crate::vm::runtime::typed_array::MAX_BUFFER_BYTES {
        return Err(vm.range_error(&format!("Invalid typed array length: {len}")));
    }
    let buffer = vm.new_array_buffer(bytes)?;
    Ok(vm.new_typed_array_object(proto, kind, ViewData { buffer, byte_offset: 0, length: Some(len) }))
}

fn concrete_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let kind = crate::vm::runtime::typed_array::callee_element_kind(a.callee);
    if !a.is_construct() {
        return Err(vm.type_error(&format!("Constructor {} requires 'new'", kind.name())));
    }
    let default = proto_intrinsic(kind);
    let first = a.arg(0);
    let Some(src) = JsObject::from_value(first) else {
        let len = vm.to_index(first)? as usize;
        let proto = vm.prototype_from_constructor(a.new_target, default)?;
        return Ok(allocate(vm, proto, kind, len)?.value());
    };
    let proto = vm.prototype_from_constructor(a.new_target, default)?;
    if let Some((skind, sview)) = typed_array(src) {
        // InitializeTypedArrayFromTypedArray.
        let Some(len) = view_length(&sview, skind.size()) else {
            return Err(vm.type_error("Cannot construct a typed array from a detached or out-of-bounds typed array"));
        };
        if skind.is_bigint() != kind.is_bigint() {
            return Err(vm.type_error("Cannot mix BigInt and other types, use explicit conversions"));
        }
        let o = allocate(vm, proto, kind, len)?;
        copy_elements(vm, src, 0, o, 0, len)?;
        return Ok(o.value());
    }
    if buffer_data(src).is_some() {
        // InitializeTypedArrayFromArrayBuffer.
        let size = kind.size();
        let offset = vm.to_index(a.arg(1))? as usize;
        if !offset.is_multiple_of(size) {
            return Err(vm.range_error(&format!("start offset of {} should be a multiple of {size}", kind.name())));
        }
        let new_length = if a.arg(2).is_undefined() { None } else { Some(vm.to_index(a.arg(2))? as usize) };
        let d = buffer_data(src).expect("buffer");
        if d.is_detached() {
            return Err(vm.type_error("Cannot construct a typed array over a detached ArrayBuffer"));
        }
        let buf_len = d.byte_length();
        let length = match new_length {
            None if d.max_byte_length.is_some() => {
                if offset > buf_len {
                    return Err(vm.range_error(&format!("Start offset {offset} is outside the bounds of the buffer")));
                }
                None
            }
            None => {
                if !buf_len.is_multiple_of(size) {
                    return Err(vm.range_error(&format!("byte length of {} should be a multiple of {size}", kind.name())));
                }
                if offset > buf_len {
                    return Err(vm.range_error(&format!("Start offset {offset} is outside the bounds of the buffer")));
                }
                Some((buf_len - offset) / size)
            }
            Some(n) => {
                if n.checked_mul(size).and_then(|b| b.checked_add(offset)).is_none_or(|end| end > buf_len) {
                    return Err(vm.range_error(&format!("Invalid typed array length: {n}")));
                }
                Some(n)
            }
        };
        return Ok(vm.new_typed_array_object(proto, kind, ViewData { buffer: src, byte_offset: offset, length }).value());
    }
    // An iterable or an array-like object.
    let ikey = PropertyKey::Symbol(vm.symbols.iterator);
    let using_iterator = vm.get_method(first, ikey)?;
    if let Some(m) = using_iterator {
        let values = iterate_with(vm, first, m)?;
        let o = allocate(vm, proto, kind, values.len())?;
        vm.with_roots(values.iter().copied(), |vm| {
            for (i, &v) in values.iter().enumerate() {
                vm.typed_array_set(o, i as f64, v)?;
            }
            Ok(o.value())
        })
    } else {
        let len = vm.length_of_array_like(src)? as usize;
        let o = allocate(vm, proto, kind, len)?;
        for i in 0..len {
            vm.poll_long_operation()?;
            let v = get_idx(vm, src, i as u64)?;
            vm.typed_array_set(o, i as f64, v)?;
        }
        Ok(o.value())
    }
}

/// %Kind.prototype% as an intrinsic (GetPrototypeFromConstructor's fallback).
fn proto_intrinsic(kind: ElementKind) -> Intrinsic {
    match kind {
        ElementKind::Int8 => Intrinsic::Int8ArrayPrototype,
        ElementKind::Uint8 => Intrinsic::Uint8ArrayPrototype,
        ElementKind::Uint8Clamped => Intrinsic::Uint8ClampedArrayPrototype,
        ElementKind::Int16 => Intrinsic::Int16ArrayPrototype,
        ElementKind::Uint16 => Intrinsic::Uint16ArrayPrototype,
        ElementKind::Int32 => Intrinsic::Int32ArrayPrototype,
        ElementKind::Uint32 => Intrinsic::Uint32ArrayPrototype,
        ElementKind::Float16 => Intrinsic::Float16ArrayPrototype,
        ElementKind::Float32 => Intrinsic::Float32ArrayPrototype,
        ElementKind::Float64 => Intrinsic::Float64ArrayPrototype,
        ElementKind::BigInt64 => Intrinsic::BigInt64ArrayPrototype,
        ElementKind::BigUint64 => Intrinsic::BigUint64ArrayPrototype,
    }
}

/// IteratorToList(GetIteratorFromMethod(v, method)).
fn iterate_with(vm: &mut Vm, v: Value, method: Value) -> JsResult<Vec<Value>> {
    let it = vm.call(method, v, &[])?;
    if !JsObject::is_object(it) {
        return Err(vm.type_error("Result of the Symbol.iterator method is not an object"));
    }
    let nkey = PropertyKey::Atom(vm.names.next);
    let next = vm.get_v(it, nkey)?;
    let list = crate::vm::runtime::list::new_list(vm);
    vm.with_roots([list.value(), it, next], |vm| {
        while let Some(x) = iterator_step(vm, it, next)? {
            vm.poll_long_operation()?;
            crate::vm::runtime::list::list_push(list, x);
        }
        let n = crate::vm::runtime::list::list_len(list);
        Ok((0..n).map(|i| crate::vm::runtime::list::list_get(list, i)).collect())
    })
}

/// Copies `count` elements between typed arrays, converting when the kinds
/// differ (byte copy when they match; overlapping views are handled).
fn copy_elements(vm: &mut Vm, src: Gc<JsObject>, from: usize, dst: Gc<JsObject>, to: usize, count: usize) -> JsResult<()> {
    let (skind, sview) = typed_array(src).expect("typed array");
    let (dkind, dview) = typed_array(dst).expect("typed array");
    if skind == dkind {
        let size = skind.size();
        let bytes: Vec<u8> = {
            let s = buffer_data(sview.buffer).expect("buffer").bytes();
            let start = sview.byte_offset + from * size;
            s.get(start..start + count * size).map(|b| b.to_vec()).unwrap_or_default()
        };
        let d = buffer_data(dview.buffer).expect("buffer").bytes_mut();
        let start = dview.byte_offset + to * size;
        if let Some(out) = d.get_mut(start..start + bytes.len()) {
            out.copy_from_slice(&bytes);
        }
        return Ok(());
    }
    // Read every source element first: the views may share a buffer.
    let values: Vec<Value> = (0..count).map(|i| vm.typed_array_get(src, (from + i) as f64)).collect();
    vm.with_roots(values.iter().copied(), |vm| {
        for (i, &v) in values.iter().enumerate() {
            vm.poll_long_operation()?;
            vm.typed_array_set(dst, (to + i) as f64, v)?;
        }
        Ok(())
    })
}

/// ValidateTypedArray: the receiver, its kind and its current length.
fn validate(vm: &mut Vm, v: Value, method: &str) -> JsResult<(Gc<JsObject>, ElementKind, usize)> {
    let Some((o, kind, view)) = JsObject::from_value(v).and_then(|o| typed_array(o).map(|(k, view)| (o, k, view))) else {
        return Err(vm.type_error(&format!("%TypedArray%.prototype.{method}: this is not a typed array.")));
    };
    match view_length(&view, kind.size()) {
        Some(len) => Ok((o, kind, len)),
        None => Err(vm.type_error(&format!("Cannot perform %TypedArray%.prototype.{method} on a detached or out-of-bounds ArrayBuffer"))),
    }
}

/// TypedArrayCreateFromConstructor with a length argument, validated.
fn create_from_ctor(vm: &mut Vm, ctor: Value, args: &[Value], min_len: Option<usize>) -> JsResult<Gc<JsObject>> {
    let made = vm.construct(ctor, args, ctor)?;
    let (o, _, len) = validate(vm, made, "constructor")?;
    if let Some(n) = min_len
        && len < n
    {
        return Err(vm.type_error("The typed array constructor made an array that is too short"));
    }
    Ok(o)
}

/// TypedArraySpeciesCreate with a length.
fn species_create(vm: &mut Vm, exemplar: Gc<JsObject>, kind: ElementKind, args: &[Value], min_len: Option<usize>) -> JsResult<Gc<JsObject>> {
    let default = vm.realm().typed_array_ctor(kind);
    let ctor = vm.species_constructor(exemplar, default)?;
    let o = create_from_ctor(vm, ctor, args, min_len)?;
    let (k, _) = typed_array(o).expect("validated");
    if k.is_bigint() != kind.is_bigint() {
        return Err(vm.type_error("The species constructor made a typed array of another content type"));
    }
    Ok(o)
}

fn callable(vm: &mut Vm, f: Value, method: &str) -> JsResult<()> {
    if !Vm::is_callable(f) {
        let d = vm.display_string(f);
        return Err(vm.type_error(&format!("%TypedArray%.prototype.{method}: {d} is not a function")));
    }
    Ok(())
}

fn get(vm: &mut Vm, o: Gc<JsObject>, i: usize) -> Value {
    vm.typed_array_get(o, i as f64)
}

// ----- statics -----

fn from(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let c = a.this;
    if !Vm::is_constructor(c) {
        return Err(vm.type_error("%TypedArray%.from: this is not a constructor"));
    }
    let mapfn = a.arg(1);
    let mapping = !mapfn.is_undefined();
    if mapping {
        callable(vm, mapfn, "from")?;
    }
    let source = a.arg(0);
    let ikey = PropertyKey::Symbol(vm.symbols.iterator);
    let using_iterator = vm.get_method(source, ikey)?;
    let (values, array_like) = match using_iterator {
        Some(m) => (iterate_with(vm, source, m)?, None),
        None => {
            let o = vm.to_object(source)?;
            (Vec::new(), Some(o))
        }
    };
    let len = match array_like {
        Some(o) => vm.length_of_array_like(o)? as usize,
        None => values.len(),
    };
    let target = create_from_ctor(vm, c, &[Value::number(len as f64)], Some(len))?;
    vm.with_roots(values.iter().copied().chain([target.value()]), |vm| {
        for k in 0..len {
            vm.poll_long_operation()?;
            let v = match array_like {
                Some(o) => get_idx(vm, o, k as u64)?,
                None => values.get(k).copied().unwrap_or(Value::UNDEFINED),
            };
            let mapped = if mapping { vm.call(mapfn, a.arg(2), &[v, Value::number(k as f64)])? } else { v };
            let key = idx_key(vm, k as u64);
            vm.put_v(target.value(), key, mapped, true)?;
        }
        Ok(target.value())
    })
}

fn of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let c = a.this;
    if !Vm::is_constructor(c) {
        return Err(vm.type_error("%TypedArray%.of: this is not a constructor"));
    }
    let len = a.args.len();
    let target = create_from_ctor(vm, c, &[Value::number(len as f64)], Some(len))?;
    for (k, &v) in a.args.iter().enumerate() {
        let key = idx_key(vm, k as u64);
        vm.put_v(target.value(), key, v, true)?;
    }
    Ok(target.value())
}

// ----- accessors -----

fn this_view(vm: &mut Vm, v: Value, name: &str) -> JsResult<(ElementKind, ViewData)> {
    match JsObject::from_value(v).and_then(typed_array) {
        Some(r) => Ok(r),
        None => Err(vm.type_error(&format!("get %TypedArray%.prototype.{name}: this is not a typed array."))),
    }
}

fn get_buffer(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(this_view(vm, a.this, "buffer")?.1.buffer.value())
}

fn get_byte_length(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (k, v) = this_view(vm, a.this, "byteLength")?;
    Ok(Value::number((view_length(&v, k.size()).unwrap_or(0) * k.size()) as f64))
}

fn get_byte_offset(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (k, v) = this_view(vm, a.this, "byteOffset")?;
    Ok(Value::number(if view_length(&v, k.size()).is_some() { v.byte_offset as f64 } else { 0.0 }))
}

fn get_length(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (k, v) = this_view(vm, a.this, "length")?;
    Ok(Value::number(view_length(&v, k.size()).unwrap_or(0) as f64))
}

fn get_to_string_tag(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    match JsObject::from_value(a.this).and_then(typed_array) {
        Some((k, _)) => Ok(vm.string_value(k.name())),
        None => Ok(Value::UNDEFINED),
    }
}

// ----- methods -----

fn at(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, _, len) = validate(vm, a.this, "at")?;
    let r = vm.to_integer_or_infinity(a.arg(0))?;
    let k = if r < 0.0 { len as f64 + r } else { r };
    if k < 0.0 || k >= len as f64 {
        return Ok(Value::UNDEFINED);
    }
    Ok(get(vm, o, k as usize))
}

fn copy_within(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, kind, len) = validate(vm, a.this, "copyWithin")?;
    let to = relative_arg(vm, a.arg(0), len, 0)?;
    let from = relative_arg(vm, a.arg(1), len, 0)?;
    let fin = relative_arg(vm, a.arg(2), len, len)?;
    let count = fin.saturating_sub(from).min(len - to);
    if count > 0 {
        let (_, view) = typed_array(o).expect("typed array");
        let Some(new_len) = view_length(&view, kind.size()) else {
            return Err(vm.type_error("Cannot perform %TypedArray%.prototype.copyWithin on a detached or out-of-bounds ArrayBuffer"));
        };
        let size = kind.size();
        // The buffer may have shrunk: copy only what is still in bounds.
        let byte_len = new_len * size;
        let (from_b, to_b) = (view.byte_offset + from * size, view.byte_offset + to * size);
        let limit = view.byte_offset + byte_len;
        let count_b = (count * size).min(limit.saturating_sub(from_b)).min(limit.saturating_sub(to_b));
        if count_b > 0 {
            buffer_data(view.buffer).expect("buffer").bytes_mut().copy_within(from_b..from_b + count_b, to_b);
        }
    }
    Ok(o.value())
}

fn entries(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, _, _) = validate(vm, a.this, "entries")?;
    Ok(create_array_iterator(vm, o.value(), IterationKind::Entries))
}

fn keys(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, _, _) = validate(vm, a.this, "keys")?;
    Ok(create_array_iterator(vm, o.value(), IterationKind::Keys))
}

fn values(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, _, _) = validate(vm, a.this, "values")?;
    Ok(create_array_iterator(vm, o.value(), IterationKind::Values))
}

/// The shared loop of every / some / find* / forEach: calls `f(value, index,
/// o)` for indices in order (or reverse) and stops when `stop` says so.
fn visit(vm: &mut Vm, a: &CallArgs<'_>, method: &str, reverse: bool, mut stop: impl FnMut(Value, usize, Value) -> bool) -> JsResult<Option<(Value, usize)>> {
    let (o, _, len) = validate(vm, a.this, method)?;
    let f = a.arg(0);
    callable(vm, f, method)?;
    for j in 0..len {
        vm.poll_long_operation()?;
        let i = if reverse { len - 1 - j } else { j };
        let v = get(vm, o, i);
        let r = vm.call(f, a.arg(1), &[v, Value::number(i as f64), o.value()])?;
        if stop(v, i, r) {
            return Ok(Some((v, i)));
        }
    }
    Ok(None)
}

fn every(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::bool(visit(vm, a, "every", false, |_, _, r| !Vm::to_boolean(r))?.is_none()))
}

fn some(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::bool(visit(vm, a, "some", false, |_, _, r| Vm::to_boolean(r))?.is_some()))
}

fn for_each(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    visit(vm, a, "forEach", false, |_, _, _| false)?;
    Ok(Value::UNDEFINED)
}

fn find(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(visit(vm, a, "find", false, |_, _, r| Vm::to_boolean(r))?.map_or(Value::UNDEFINED, |(v, _)| v))
}

fn find_index(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::number(visit(vm, a, "findIndex", false, |_, _, r| Vm::to_boolean(r))?.map_or(-1.0, |(_, i)| i as f64)))
}

fn find_last(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(visit(vm, a, "findLast", true, |_, _, r| Vm::to_boolean(r))?.map_or(Value::UNDEFINED, |(v, _)| v))
}

fn find_last_index(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::number(visit(vm, a, "findLastIndex", true, |_, _, r| Vm::to_boolean(r))?.map_or(-1.0, |(_, i)| i as f64)))
}

fn fill(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, kind, len) = validate(vm, a.this, "fill")?;
    let value = vm.to_element_value(kind, a.arg(0))?;
    let k = relative_arg(vm, a.arg(1), len, 0)?;
    let fin = relative_arg(vm, a.arg(2), len, len)?;
    let (_, view) = typed_array(o).expect("typed array");
    let Some(new_len) = view_length(&view, kind.size()) else {
        return Err(vm.type_error("Cannot perform %TypedArray%.prototype.fill on a detached or out-of-bounds ArrayBuffer"));
    };
    let fin = fin.min(new_len);
    for i in k..fin {
        if i % 65536 == 0 {
            vm.poll_long_operation()?;
        }
        Vm::write_element(view.buffer, kind, view.byte_offset + i * kind.size(), value, true);
    }
    Ok(o.value())
}

fn filter(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, kind, len) = validate(vm, a.this, "filter")?;
    let f = a.arg(0);
    callable(vm, f, "filter")?;
    let kept = crate::vm::runtime::list::new_list(vm);
    vm.with_roots([kept.value()], |vm| {
        for i in 0..len {
            vm.poll_long_operation()?;
            let v = get(vm, o, i);
            let r = vm.call(f, a.arg(1), &[v, Value::number(i as f64), o.value()])?;
            if Vm::to_boolean(r) {
                crate::vm::runtime::list::list_push(kept, v);
            }
        }
        let n = crate::vm::runtime::list::list_len(kept);
        let out = species_create(vm, o, kind, &[Value::number(n as f64)], Some(n))?;
        for i in 0..n {
            let v = crate::vm::runtime::list::list_get(kept, i);
            vm.typed_array_set(out, i as f64, v)?;
        }
        Ok(out.value())
    })
}

fn index_search(vm: &mut Vm, a: &CallArgs<'_>, method: &str, mode: u8) -> JsResult<Value> {
    // mode: 0 indexOf, 1 lastIndexOf, 2 includes
    let (o, _, len) = validate(vm, a.this, method)?;
    let not_found = if mode == 2 { Value::FALSE } else { Value::int(-1) };
    if len == 0 {
        return Ok(not_found);
    }
    let target = a.arg(0);
    if mode == 1 {
        let start = if a.args.len() > 1 { vm.to_integer_or_infinity(a.arg(1))? } else { len as f64 - 1.0 };
        if start == f64::NEG_INFINITY {
            return Ok(not_found);
        }
        let mut k = if start >= 0.0 { start.min(len as f64 - 1.0) } else { len as f64 + start };
        while k >= 0.0 {
            vm.poll_long_operation()?;
            let i = k as usize;
            if Vm::valid_element(o, i as f64).is_some() && Vm::strict_equals(get(vm, o, i), target) {
                return Ok(Value::number(i as f64));
            }
            k -= 1.0;
        }
        return Ok(not_found);
    }
    let n = vm.to_integer_or_infinity(a.arg(1))?;
    if n == f64::INFINITY {
        return Ok(not_found);
    }
    let start = if n >= 0.0 { n as usize } else { (len as f64 + n).max(0.0) as usize };
    for i in start..len {
        vm.poll_long_operation()?;
        if mode == 2 {
            // Elements past a shrink read as undefined, which includes finds.
            if Vm::same_value_zero(get(vm, o, i), target) {
                return Ok(Value::TRUE);
            }
        } else if Vm::valid_element(o, i as f64).is_some() && Vm::strict_equals(get(vm, o, i), target) {
            return Ok(Value::number(i as f64));
        }
    }
    Ok(not_found)
}

fn includes(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    index_search(vm, a, "includes", 2)
}

fn index_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    index_search(vm, a, "indexOf", 0)
}

fn last_index_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    index_search(vm, a, "lastIndexOf", 1)
}

fn join(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, _, len) = validate(vm, a.this, "join")?;
    let sep: Vec<u16> = if a.arg(0).is_undefined() { vec![b',' as u16] } else { vm.to_string(a.arg(0))?.to_units() };
    let mut out: Vec<u16> = Vec::new();
    for i in 0..len {
        vm.poll_long_operation()?;
        if i > 0 {
            out.extend_from_slice(&sep);
        }
        let v = get(vm, o, i);
        if !v.is_undefined() {
            out.extend(vm.to_string(v)?.to_units());
        }
        if out.len() > crate::vm::object::string::MAX_STRING_LENGTH {
            return Err(vm.range_error("Invalid string length"));
        }
    }
    Ok(crate::vm::object::JsString::from_units(&mut vm.heap, &out).value())
}

fn map(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, kind, len) = validate(vm, a.this, "map")?;
    let f = a.arg(0);
    callable(vm, f, "map")?;
    let out = species_create(vm, o, kind, &[Value::number(len as f64)], Some(len))?;
    vm.with_roots([out.value()], |vm| {
        for i in 0..len {
            vm.poll_long_operation()?;
            let v = get(vm, o, i);
            let r = vm.call(f, a.arg(1), &[v, Value::number(i as f64), o.value()])?;
            let key = idx_key(vm, i as u64);
            vm.put_v(out.value(), key, r, true)?;
        }
        Ok(out.value())
    })
}

fn reduce_impl(vm: &mut Vm, a: &CallArgs<'_>, method: &str, right: bool) -> JsResult<Value> {
    let (o, _, len) = validate(vm, a.this, method)?;
    let f = a.arg(0);
    callable(vm, f, method)?;
    let mut k = 0;
    let mut acc = if a.args.len() >= 2 {
        a.arg(1)
    } else {
        if len == 0 {
            return Err(vm.type_error("Reduce of empty array with no initial value"));
        }
        k = 1;
        get(vm, o, if right { len - 1 } else { 0 })
    };
    while k < len {
        vm.poll_long_operation()?;
        let i = if right { len - 1 - k } else { k };
        let v = get(vm, o, i);
        acc = vm.call(f, Value::UNDEFINED, &[acc, v, Value::number(i as f64), o.value()])?;
        k += 1;
    }
    Ok(acc)
}

fn reduce(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    reduce_impl(vm, a, "reduce", false)
}

fn reduce_right(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    reduce_impl(vm, a, "reduceRight", true)
}

fn reverse(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, kind, len) = validate(vm, a.this, "reverse")?;
    let (_, view) = typed_array(o).expect("typed array");
    let size = kind.size();
    let bytes = &mut buffer_data(view.buffer).expect("buffer").bytes_mut()[view.byte_offset..view.byte_offset + len * size];
    for i in 0..len / 2 {
        let j = len - 1 - i;
        for b in 0..size {
            bytes.swap(i * size + b, j * size + b);
        }
    }
    Ok(o.value())
}

fn set(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some((o, kind, _)) = JsObject::from_value(a.this).and_then(|o| typed_array(o).map(|(k, v)| (o, k, v))) else {
        return Err(vm.type_error("%TypedArray%.prototype.set: this is not a typed array."));
    };
    let offset = vm.to_integer_or_infinity(a.arg(1))?;
    if offset < 0.0 {
        return Err(vm.range_error("offset is out of bounds"));
    }
    let target_len = match typed_array(o).and_then(|(k, v)| view_length(&v, k.size())) {
        Some(n) => n,
        None => return Err(vm.type_error("Cannot perform %TypedArray%.prototype.set on a detached or out-of-bounds ArrayBuffer")),
    };
    let source = a.arg(0);
    if let Some(src) = JsObject::from_value(source)
        && let Some((skind, sview)) = typed_array(src)
    {
        let Some(src_len) = view_length(&sview, skind.size()) else {
            return Err(vm.type_error("Cannot perform %TypedArray%.prototype.set from a detached or out-of-bounds ArrayBuffer"));
        };
        if skind.is_bigint() != kind.is_bigint() {
            return Err(vm.type_error("Cannot mix BigInt and other types, use explicit conversions"));
        }
        if offset == f64::INFINITY || src_len as f64 + offset > target_len as f64 {
            return Err(vm.range_error("offset is out of bounds"));
        }
        copy_elements(vm, src, 0, o, offset as usize, src_len)?;
        return Ok(Value::UNDEFINED);
    }
    let src = vm.to_object(source)?;
    let src_len = vm.length_of_array_like(src)?;
    if offset == f64::INFINITY || src_len as f64 + offset > target_len as f64 {
        return Err(vm.range_error("offset is out of bounds"));
    }
    let offset = offset as usize;
    for i in 0..src_len as usize {
        vm.poll_long_operation()?;
        let v = get_idx(vm, src, i as u64)?;
        // Writes past a detach or shrink are dropped (TypedArraySetElement).
        vm.typed_array_set(o, (offset + i) as f64, v)?;
    }
    Ok(Value::UNDEFINED)
}

fn slice(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, kind, len) = validate(vm, a.this, "slice")?;
    let start = relative_arg(vm, a.arg(0), len, 0)?;
    let fin = relative_arg(vm, a.arg(1), len, len)?;
    let count = fin.saturating_sub(start);
    let out = species_create(vm, o, kind, &[Value::number(count as f64)], Some(count))?;
    if count > 0 {
        let Some(len) = typed_array(o).and_then(|(k, v)| view_length(&v, k.size())) else {
            return Err(vm.type_error("Cannot perform %TypedArray%.prototype.slice on a detached or out-of-bounds ArrayBuffer"));
        };
        let fin = fin.min(len);
        let (okind, _) = typed_array(out).expect("typed array");
        if okind == kind {
            // The spec's same-type path: a forward byte-by-byte copy (the
            // species constructor may hand back a view of the same buffer),
            // limited to what is still in bounds.
            let (_, sview) = typed_array(o).expect("typed array");
            let (_, dview) = typed_array(out).expect("typed array");
            let size = kind.size();
            let count_bytes = fin.saturating_sub(start) * size;
            let src = sview.byte_offset + start * size;
            let dst = dview.byte_offset;
            if sview.buffer == dview.buffer {
                let bytes = buffer_data(sview.buffer).expect("buffer").bytes_mut();
                let n = count_bytes.min(bytes.len().saturating_sub(src)).min(bytes.len().saturating_sub(dst));
                for i in 0..n {
                    bytes[dst + i] = bytes[src + i];
                }
            } else {
                let from = buffer_data(sview.buffer).expect("buffer").bytes();
                let to = buffer_data(dview.buffer).expect("buffer").bytes_mut();
                let n = count_bytes.min(from.len().saturating_sub(src)).min(to.len().saturating_sub(dst));
                if n > 0 {
                    to[dst..dst + n].copy_from_slice(&from[src..src + n]);
                }
            }
        } else {
            vm.with_roots([out.value()], |vm| {
                for (n, k) in (start..fin).enumerate() {
                    let v = get(vm, o, k);
                    let key = idx_key(vm, n as u64);
                    vm.put_v(out.value(), key, v, true)?;
                }
                Ok(())
            })?;
        }
    }
    Ok(out.value())
}

/// The sorted elements (SortIndexedProperties with CompareTypedArrayElements).
fn sorted_values(vm: &mut Vm, o: Gc<JsObject>, len: usize, comparefn: Value) -> JsResult<Vec<Value>> {
    let values: Vec<Value> = (0..len).map(|i| get(vm, o, i)).collect();
    vm.with_roots(values.iter().copied(), |vm| {
        let order = crate::vm::runtime::list::merge_sort_indices(vm, len, &mut |vm, i, j| {
            let (x, y) = (values[i], values[j]);
            if !comparefn.is_undefined() {
                let r = vm.call(comparefn, Value::UNDEFINED, &[x, y])?;
                let d = vm.to_number(r)?;
                return Ok(if d.is_nan() { 0.0 } else { d });
            }
            Ok(compare_elements(x, y))
        })?;
        Ok(order.into_iter().map(|i| values[i]).collect())
    })
}

/// Default ordering: numeric, NaN last, -0 before +0; BigInts by value.
fn compare_elements(x: Value, y: Value) -> f64 {
    use crate::vm::runtime::bigint::as_bigint;
    if let (Some(a), Some(b)) = (as_bigint(x), as_bigint(y)) {
        return match a.value.cmp(&b.value) {
            std::cmp::Ordering::Less => -1.0,
            std::cmp::Ordering::Equal => 0.0,
            std::cmp::Ordering::Greater => 1.0,
        };
    }
    let (a, b) = (x.as_number(), y.as_number());
    match (a.is_nan(), b.is_nan()) {
        (true, true) => 0.0,
        (true, false) => 1.0,
        (false, true) => -1.0,
        _ if a < b => -1.0,
        _ if a > b => 1.0,
        _ if a == 0.0 && b == 0.0 => match (a.is_sign_negative(), b.is_sign_negative()) {
            (true, false) => -1.0,
            (false, true) => 1.0,
            _ => 0.0,
        },
        _ => 0.0,
    }
}

fn sort(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let comparefn = a.arg(0);
    if !comparefn.is_undefined() && !Vm::is_callable(comparefn) {
        return Err(vm.type_error("The comparison function must be either a function or undefined"));
    }
    let (o, _, len) = validate(vm, a.this, "sort")?;
    let sorted = sorted_values(vm, o, len, comparefn)?;
    vm.with_roots(sorted.iter().copied(), |vm| {
        for (i, &v) in sorted.iter().enumerate() {
            vm.typed_array_set(o, i as f64, v)?;
        }
        Ok(o.value())
    })
}

fn subarray(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some((o, kind, view)) = JsObject::from_value(a.this).and_then(|o| typed_array(o).map(|(k, v)| (o, k, v))) else {
        return Err(vm.type_error("%TypedArray%.prototype.subarray: this is not a typed array."));
    };
    let src_len = view_length(&view, kind.size()).unwrap_or(0);
    let begin = relative_arg(vm, a.arg(0), src_len, 0)?;
    let size = kind.size();
    let begin_byte = view.byte_offset + begin * size;
    let mut args = vec![view.buffer.value(), Value::number(begin_byte as f64)];
    if !(view.length.is_none() && a.arg(1).is_undefined()) {
        let end = relative_arg(vm, a.arg(1), src_len, src_len)?;
        args.push(Value::number(end.saturating_sub(begin) as f64));
    }
    let default = vm.realm().typed_array_ctor(kind);
    let ctor = vm.species_constructor(o, default)?;
    let out = create_from_ctor(vm, ctor, &args, None)?;
    let (k, _) = typed_array(out).expect("validated");
    if k.is_bigint() != kind.is_bigint() {
        return Err(vm.type_error("The species constructor made a typed array of another content type"));
    }
    Ok(out.value())
}

fn to_locale_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, _, len) = validate(vm, a.this, "toLocaleString")?;
    let mut out: Vec<u16> = Vec::new();
    let key = vm.key_from_str("toLocaleString");
    for i in 0..len {
        vm.poll_long_operation()?;
        if i > 0 {
            out.push(b',' as u16);
        }
        let v = get(vm, o, i);
        if !v.is_nullish() {
            let f = vm.get_v(v, key)?;
            let r = vm.call(f, v, &[])?;
            out.extend(vm.to_string(r)?.to_units());
        }
    }
    Ok(crate::vm::object::JsString::from_units(&mut vm.heap, &out).value())
}

fn to_reversed(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, kind, len) = validate(vm, a.this, "toReversed")?;
    let proto = vm.realm().typed_array_proto(kind);
    let out = allocate(vm, proto, kind, len)?;
    for i in 0..len {
        vm.poll_long_operation()?;
        let v = get(vm, o, len - 1 - i);
        vm.typed_array_set(out, i as f64, v)?;
    }
    Ok(out.value())
}

fn to_sorted(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let comparefn = a.arg(0);
    if !comparefn.is_undefined() && !Vm::is_callable(comparefn) {
        return Err(vm.type_error("The comparison function must be either a function or undefined"));
    }
    let (o, kind, len) = validate(vm, a.this, "toSorted")?;
    let proto = vm.realm().typed_array_proto(kind);
    let out = allocate(vm, proto, kind, len)?;
    vm.with_roots([out.value()], |vm| {
        let sorted = sorted_values(vm, o, len, comparefn)?;
        vm.with_roots(sorted.iter().copied(), |vm| {
            for (i, &v) in sorted.iter().enumerate() {
                vm.typed_array_set(out, i as f64, v)?;
            }
            Ok(out.value())
        })
    })
}

fn with(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, kind, len) = validate(vm, a.this, "with")?;
    // ToIntegerOrInfinity is a mathematical value: no -0.
    let r = vm.to_integer_or_infinity(a.arg(0))? + 0.0;
    let actual = if r >= 0.0 { r } else { len as f64 + r };
    let value = if kind.is_bigint() {
        let b = vm.to_bigint(a.arg(1))?;
        vm.bigint_value(b)
    } else {
        Value::number(vm.to_number(a.arg(1))?)
    };
    if Vm::valid_element(o, actual).is_none() {
        return Err(vm.range_error("Invalid typed array index"));
    }
    let proto = vm.realm().typed_array_proto(kind);
    let out = allocate(vm, proto, kind, len)?;
    vm.with_roots([value], |vm| {
        for i in 0..len {
            vm.poll_long_operation()?;
            let v = if i as f64 == actual { value } else { get(vm, o, i) };
            vm.typed_array_set(out, i as f64, v)?;
        }
        Ok(out.value())
    })
}
