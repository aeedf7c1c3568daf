//! The Atomics namespace over integer typed arrays of shared and unshared
//! buffers: load, store, the read-modify-write operations, compareExchange,
//! isLockFree, wait / notify and pause.
//!
//! An isolate runs on one thread and its buffers are not shared with other
//! agents yet, so every operation is trivially sequentially consistent, and
//! `wait` can only time out or see a different value; `notify` wakes nobody.

use num_bigint::BigInt;

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::buffer::{ElementKind, decode_u64, encode_u64};
use crate::vm::object::{CallArgs, JsObject, NativeFn, PropertyKey, attrs};
use crate::vm::runtime::bigint::to_u64_wrapping;
use crate::vm::runtime::realm::Realm;
use crate::vm::runtime::typed_array::{buffer_data, typed_array, view_length};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let proto = realm.intrinsic(crate::vm::runtime::realm::Intrinsic::ObjectPrototype);
    let atomics = vm.new_object_with_proto(proto, crate::vm::object::ObjectKind::Ordinary);
    let methods: [(&str, NativeFn, u32); 13] = [
        ("add", add, 3),
        ("and", and, 3),
        ("compareExchange", compare_exchange, 4),
        ("exchange", exchange, 3),
        ("isLockFree", is_lock_free, 1),
        ("load", load, 2),
        ("notify", notify, 3),
        ("or", or, 3),
        ("pause", pause, 0),
        ("store", store, 3),
        ("sub", sub, 3),
        ("wait", wait, 4),
        ("xor", xor, 3),
    ];
    // Atomics.waitAsync is not implemented yet: absent rather than wrong.
    for (name, f, len) in methods {
        vm.define_method(atomics, name, f, len);
    }
    let tag = vm.symbols.to_string_tag;
    let v = vm.string_value("Atomics");
    atomics.put_named(&mut vm.heap, PropertyKey::Symbol(tag), v, attrs::CONFIGURABLE);
    let global = realm.global;
    vm.define_value(global, "Atomics", atomics.value(), attrs::HIDDEN);
}

/// ValidateIntegerTypedArray: an in-bounds integer typed array (Int32 or
/// BigInt64 only when `waitable`).
fn validate(vm: &mut Vm, v: Value, waitable: bool) -> JsResult<(Gc<JsObject>, ElementKind, usize)> {
    let Some((o, kind, view)) = JsObject::from_value(v).and_then(|o| typed_array(o).map(|(k, view)| (o, k, view))) else {
        return Err(vm.type_error("Atomics operations need an integer typed array"));
    };
    let Some(len) = view_length(&view, kind.size()) else {
        return Err(vm.type_error("Atomics operation on a detached or out-of-bounds typed array"));
    };
    let ok = if waitable {
        matches!(kind, ElementKind::Int32 | ElementKind::BigInt64)
    } else {
        !matches!(kind, ElementKind::Float16 | ElementKind::Float32 | ElementKind::Float64 | ElementKind::Uint8Clamped)
    };
    if !ok {
        let what = if waitable { "an Int32Array or BigInt64Array" } else { "an integer typed array" };
        return Err(vm.type_error(&format!("Atomics operation needs {what}, not a {}", kind.name())));
    }
    Ok((o, kind, len))
}

/// ValidateAtomicAccess: the element index, checked against the length.
fn access_index(vm: &mut Vm, index: Value, len: usize) -> JsResult<usize> {
    let i = vm.to_index(index)?;
    if i >= len as u64 {
        return Err(vm.range_error("Atomics access index out of range"));
    }
    Ok(i as usize)
}

/// RevalidateAtomicAccess after argument conversions that may have run JS:
/// the byte position of element `i`.
fn revalidate(vm: &mut Vm, o: Gc<JsObject>, i: usize) -> JsResult<usize> {
    let (kind, view) = typed_array(o).expect("typed array");
    let Some(len) = view_length(&view, kind.size()) else {
        return Err(vm.type_error("Atomics operation on a detached or out-of-bounds typed array"));
    };
    if i >= len {
        return Err(vm.range_error("Atomics access index out of range"));
    }
    Ok(view.byte_offset + i * kind.size())
}

/// The operand as the element's raw bits, and as the value `store` returns.
fn operand(vm: &mut Vm, kind: ElementKind, v: Value) -> JsResult<(u64, Value)> {
    if kind.is_bigint() {
        let b = vm.to_bigint(v)?;
        let bits = to_u64_wrapping(&b);
        let back = vm.bigint_value(b);
        Ok((bits, back))
    } else {
        let d = vm.to_integer_or_infinity(v)? + 0.0;
        // ToInt32's modular wrap is right for every size up to 32 bits (the write truncates).
        let bits = crate::vm::runtime::number::to_int32(d) as u32 as u64;
        Ok((bits, Value::number(d)))
    }
}

fn read_bits(o: Gc<JsObject>, kind: ElementKind, pos: usize) -> u64 {
    let (_, view) = typed_array(o).expect("typed array");
    let b = &buffer_data(view.buffer).expect("buffer").bytes()[pos..pos + kind.size()];
    match kind.size() {
        1 => b[0] as u64,
        2 => u16::from_le_bytes([b[0], b[1]]) as u64,
        4 => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64,
        _ => decode_u64(b, true),
    }
}

fn write_bits(o: Gc<JsObject>, kind: ElementKind, pos: usize, bits: u64) {
    let (_, view) = typed_array(o).expect("typed array");
    let out = &mut buffer_data(view.buffer).expect("buffer").bytes_mut()[pos..pos + kind.size()];
    match kind.size() {
        1 => out[0] = bits as u8,
        2 => out.copy_from_slice(&(bits as u16).to_le_bytes()),
        4 => out.copy_from_slice(&(bits as u32).to_le_bytes()),
        _ => encode_u64(bits, out, true),
    }
}

/// The element value of raw bits (RawBytesToNumeric).
fn bits_to_value(vm: &mut Vm, kind: ElementKind, bits: u64) -> Value {
    match kind {
        ElementKind::Int8 => Value::int(bits as u8 as i8 as i32),
        ElementKind::Uint8 => Value::int(bits as u8 as i32),
        ElementKind::Int16 => Value::int(bits as u16 as i16 as i32),
        ElementKind::Uint16 => Value::int(bits as u16 as i32),
        ElementKind::Int32 => Value::int(bits as u32 as i32),
        ElementKind::Uint32 => Value::number(bits as u32 as f64),
        ElementKind::BigInt64 => vm.bigint_value(BigInt::from(bits as i64)),
        _ => vm.bigint_value(BigInt::from(bits)),
    }
}

/// AtomicReadModifyWrite: returns the old value.
fn read_modify_write(vm: &mut Vm, a: &CallArgs<'_>, op: fn(u64, u64) -> u64) -> JsResult<Value> {
    let (o, kind, len) = validate(vm, a.arg(0), false)?;
    let i = access_index(vm, a.arg(1), len)?;
    let (v, _) = operand(vm, kind, a.arg(2))?;
    let pos = revalidate(vm, o, i)?;
    let old = read_bits(o, kind, pos);
    write_bits(o, kind, pos, op(old, v));
    Ok(bits_to_value(vm, kind, old))
}

fn add(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    read_modify_write(vm, a, |x, y| x.wrapping_add(y))
}
fn sub(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    read_modify_write(vm, a, |x, y| x.wrapping_sub(y))
}
fn and(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    read_modify_write(vm, a, |x, y| x & y)
}
fn or(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    read_modify_write(vm, a, |x, y| x | y)
}
fn xor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    read_modify_write(vm, a, |x, y| x ^ y)
}
fn exchange(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    read_modify_write(vm, a, |_, y| y)
}

fn compare_exchange(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, kind, len) = validate(vm, a.arg(0), false)?;
    let i = access_index(vm, a.arg(1), len)?;
    let (expected, _) = operand(vm, kind, a.arg(2))?;
    let (replacement, _) = operand(vm, kind, a.arg(3))?;
    let pos = revalidate(vm, o, i)?;
    let old = read_bits(o, kind, pos);
    let mask = if kind.size() == 8 { u64::MAX } else { (1u64 << (8 * kind.size())) - 1 };
    if old == expected & mask {
        write_bits(o, kind, pos, replacement);
    }
    Ok(bits_to_value(vm, kind, old))
}

fn load(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, kind, len) = validate(vm, a.arg(0), false)?;
    let i = access_index(vm, a.arg(1), len)?;
    let pos = revalidate(vm, o, i)?;
    let bits = read_bits(o, kind, pos);
    Ok(bits_to_value(vm, kind, bits))
}

fn store(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, kind, len) = validate(vm, a.arg(0), false)?;
    let i = access_index(vm, a.arg(1), len)?;
    let (bits, back) = operand(vm, kind, a.arg(2))?;
    let pos = revalidate(vm, o, i)?;
    write_bits(o, kind, pos, bits);
    Ok(back)
}

fn is_lock_free(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let n = vm.to_integer_or_infinity(a.arg(0))?;
    Ok(Value::bool(matches!(n as i64, 1 | 2 | 4 | 8) && n.fract() == 0.0))
}

fn notify(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, _, len) = validate(vm, a.arg(0), true)?;
    access_index(vm, a.arg(1), len)?;
    if !a.arg(2).is_undefined() {
        vm.to_integer_or_infinity(a.arg(2))?;
    }
    let (_, view) = typed_array(o).expect("typed array");
    if !buffer_data(view.buffer).is_some_and(|d| d.shared) {
        return Ok(Value::int(0));
    }
    // No other agent shares this isolate's buffers, so nobody is waiting.
    Ok(Value::int(0))
}

fn wait(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, kind, len) = validate(vm, a.arg(0), true)?;
    let (_, view) = typed_array(o).expect("typed array");
    if !buffer_data(view.buffer).is_some_and(|d| d.shared) {
        return Err(vm.type_error("Atomics.wait needs a typed array over a SharedArrayBuffer"));
    }
    let i = access_index(vm, a.arg(1), len)?;
    let expected = if kind.is_bigint() { to_u64_wrapping(&vm.to_bigint(a.arg(2))?) } else { vm.to_int32(a.arg(2))? as u32 as u64 };
    let q = vm.to_number(a.arg(3))?;
    let timeout_ms = if q.is_nan() { f64::INFINITY } else { q.max(0.0) };
    if !vm.allow_atomics_wait {
        return Err(vm.type_error("Atomics.wait cannot be called in this context"));
    }
    let pos = revalidate(vm, o, i)?;
    if read_bits(o, kind, pos) != expected {
        return Ok(vm.string_value("not-equal"));
    }
    // Nobody can notify us: sleep out the timeout, still answering termination.
    let start = std::time::Instant::now();
    loop {
        vm.poll_long_operation()?;
        let elapsed = start.elapsed().as_secs_f64() * 1e3;
        if elapsed >= timeout_ms {
            break;
        }
        let left = (timeout_ms - elapsed).min(10.0);
        std::thread::sleep(std::time::Duration::from_secs_f64(left / 1e3));
    }
    Ok(vm.string_value("timed-out"))
}

fn pause(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let n = a.arg(0);
    let integral = n.is_number() && n.as_number().is_finite() && n.as_number().fract() == 0.0;
    if !n.is_undefined() && !integral {
        return Err(vm.type_error("Atomics.pause needs an integral Number or undefined"));
    }
    std::hint::spin_loop();
    Ok(Value::UNDEFINED)
}
