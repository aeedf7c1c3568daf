//! ArrayBuffer and typed-array abstract operations: buffer records,
//! IsTypedArrayOutOfBounds / TypedArrayLength, element get and set (the
//! integer-indexed exotic object's behaviour), CanonicalNumericIndexString,
//! and creating buffers and views.

use num_bigint::BigInt;

use super::bigint::{as_bigint, to_u64_wrapping};
use super::realm::Intrinsic;
use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::buffer::{ArrayBufferData, ElementKind, ViewData, decode_number, decode_u64, encode_number, encode_u64};
use crate::vm::object::{JsObject, JsString, ObjectKind, PropertyKey};
use crate::vm::value::Value;

/// The largest ArrayBuffer (bytes): lengths past it throw RangeError.
pub const MAX_BUFFER_BYTES: usize = 1 << 40;

/// A converted element value, ready to be written.
#[derive(Clone, Copy)]
pub enum ElementValue {
    Number(f64),
    Big(u64),
}

/// The buffer data of an ArrayBuffer or SharedArrayBuffer object.
pub fn buffer_data(o: Gc<JsObject>) -> Option<&'static mut ArrayBufferData> {
    // SAFETY: the data is boxed, so its address is stable while the cell
    // lives (cells never move); callers use the borrow briefly, re-fetch it
    // after anything that may run JS, and never hold two for one buffer.
    match &mut unsafe { &mut *o.as_ptr() }.kind {
        ObjectKind::ArrayBuffer(d) => Some(&mut **d),
        _ => None,
    }
}

/// The kind and view of a typed array object.
#[inline]
pub fn typed_array(o: Gc<JsObject>) -> Option<(ElementKind, ViewData)> {
    match &o.kind {
        ObjectKind::TypedArray { kind, view } => Some((*kind, *view)),
        _ => None,
    }
}

/// TypedArrayLength of a view that is in bounds; `None` when it is out of
/// bounds or its buffer is detached (IsTypedArrayOutOfBounds).
pub fn view_length(view: &ViewData, elem_size: usize) -> Option<usize> {
    let data = buffer_data(view.buffer)?;
    if data.is_detached() {
        return None;
    }
    let buf_len = data.byte_length();
    if view.byte_offset > buf_len {
        return None;
    }
    match view.length {
        Some(n) => {
            let end = view.byte_offset.checked_add(n.checked_mul(elem_size)?)?;
            (end <= buf_len).then_some(n)
        }
        None => Some((buf_len - view.byte_offset) / elem_size),
    }
}

/// The length of a typed array object; 0 when out of bounds.
pub fn typed_array_length(o: Gc<JsObject>) -> usize {
    typed_array(o).and_then(|(k, v)| view_length(&v, k.size())).unwrap_or(0)
}

/// CanonicalNumericIndexString for property keys: `Some(n)` for keys that
/// are numeric (every index, and strings such as "-0", "1.5", "-1",
/// "Infinity"), `None` for other keys.
pub fn numeric_key(key: PropertyKey) -> Option<f64> {
    match key {
        PropertyKey::Index(i) => Some(i as f64),
        PropertyKey::Atom(a) => canonical_numeric_string(a),
        PropertyKey::Symbol(_) => None,
    }
}

fn canonical_numeric_string(s: Gc<JsString>) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    // Cheap rejection before copying the text: canonical numbers start with
    // a digit, '-', 'I' or 'N' (named keys such as "length" stop here).
    let first = s.unit_at_any(0);
    if !((b'0' as u16..=b'9' as u16).contains(&first) || first == b'-' as u16 || first == b'I' as u16 || first == b'N' as u16) {
        return None;
    }
    let units = s.to_units();
    if units == [b'-' as u16, b'0' as u16] {
        return Some(-0.0);
    }
    let n = super::number::string_to_number(&units);
    let back: Vec<u16> = if n.is_nan() {
        "NaN".encode_utf16().collect()
    } else if n == 0.0 {
        vec![b'0' as u16]
    } else {
        super::number::number_to_string(n).encode_utf16().collect()
    };
    (back == units).then_some(n)
}

/// The element kind a per-kind native function was made for (its `data`
/// holds the kind's index: the typed array constructors, DataView's
/// getters and setters).
pub fn callee_element_kind(callee: Gc<JsObject>) -> ElementKind {
    match &callee.kind {
        ObjectKind::Function(f) => match &f.kind {
            crate::vm::object::FunctionKind::Native { data, .. } if data.is_int() => {
                ElementKind::from_index(data.as_int() as usize).unwrap_or(ElementKind::Uint8)
            }
            _ => ElementKind::Uint8,
        },
        _ => ElementKind::Uint8,
    }
}

/// A relative index argument (slice, fill, copyWithin...) resolved against
/// `len`; `default` when undefined.
pub fn relative_arg(vm: &mut Vm, v: Value, len: usize, default: usize) -> JsResult<usize> {
    if v.is_undefined() {
        return Ok(default);
    }
    let r = vm.to_integer_or_infinity(v)?;
    Ok(super::list::relative_index(r, len as u64) as usize)
}

impl Vm {
    /// IsValidIntegerIndex plus the element's byte position.
    pub fn valid_element(o: Gc<JsObject>, index: f64) -> Option<(ElementKind, ViewData, usize)> {
        let (kind, view) = typed_array(o)?;
        if index.fract() != 0.0 || index < 0.0 || (index == 0.0 && index.is_sign_negative()) {
            return None;
        }
        let len = view_length(&view, kind.size())?;
        if index >= len as f64 {
            return None;
        }
        Some((kind, view, view.byte_offset + index as usize * kind.size()))
    }

    /// TypedArrayGetElement: the element, or undefined for an invalid index.
    pub fn typed_array_get(&mut self, o: Gc<JsObject>, index: f64) -> Value {
        let Some((kind, view, pos)) = Vm::valid_element(o, index) else { return Value::UNDEFINED };
        let bytes = &buffer_data(view.buffer).expect("in bounds").bytes()[pos..pos + kind.size()];
        self.decode_element(kind, bytes, true)
    }

    /// RawBytesToNumeric.
    pub fn decode_element(&mut self, kind: ElementKind, bytes: &[u8], little_endian: bool) -> Value {
        match kind {
            ElementKind::BigInt64 => {
                let v = decode_u64(bytes, little_endian) as i64;
                self.bigint_value(BigInt::from(v))
            }
            ElementKind::BigUint64 => {
                let v = decode_u64(bytes, little_endian);
                self.bigint_value(BigInt::from(v))
            }
            _ => Value::number(decode_number(kind, bytes, little_endian)),
        }
    }

    /// ToBigInt or ToNumber, as the element kind needs (observable: runs first).
    pub fn to_element_value(&mut self, kind: ElementKind, v: Value) -> JsResult<ElementValue> {
        if kind.is_bigint() {
            if let Some(b) = as_bigint(v) {
                return Ok(ElementValue::Big(to_u64_wrapping(&b.value)));
            }
            let b = self.to_bigint(v)?;
            Ok(ElementValue::Big(to_u64_wrapping(&b)))
        } else {
            Ok(ElementValue::Number(if v.is_number() { v.as_number() } else { self.to_number(v)? }))
        }
    }

    /// Writes an already converted element value at byte `pos` of a buffer.
    pub fn write_element(buffer: Gc<JsObject>, kind: ElementKind, pos: usize, v: ElementValue, little_endian: bool) {
        let Some(data) = buffer_data(buffer) else { return };
        // Out of range (a buffer that shrank meanwhile) writes nothing.
        let Some(out) = data.bytes_mut().get_mut(pos..pos + kind.size()) else { return };
        match v {
            ElementValue::Number(d) => encode_number(kind, d, out, little_endian),
            ElementValue::Big(b) => encode_u64(b, out, little_endian),
        }
    }

    /// TypedArraySetElement: converts, then writes if the index is (still) valid.
    pub fn typed_array_set(&mut self, o: Gc<JsObject>, index: f64, v: Value) -> JsResult<()> {
        let Some((kind, _)) = typed_array(o) else { return Ok(()) };
        let ev = self.to_element_value(kind, v)?;
        if let Some((kind, view, pos)) = Vm::valid_element(o, index) {
            Vm::write_element(view.buffer, kind, pos, ev, true);
        }
        Ok(())
    }

    /// AllocateArrayBuffer with the constructor's prototype.
    pub fn allocate_array_buffer(&mut self, proto: Value, len: usize, max: Option<usize>, shared: bool) -> JsResult<Gc<JsObject>> {
        if len > MAX_BUFFER_BYTES || max.is_some_and(|m| m > MAX_BUFFER_BYTES) {
            return Err(self.range_error("Array buffer allocation failed"));
        }
        let Some(data) = ArrayBufferData::new_owned(len, max, shared) else {
            return Err(self.range_error("Array buffer allocation failed"));
        };
        self.heap.note_external_allocation(len);
        Ok(self.new_object_with_proto(proto, ObjectKind::ArrayBuffer(Box::new(data))))
    }

    /// A new ArrayBuffer of `len` zero bytes from the current realm.
    pub fn new_array_buffer(&mut self, len: usize) -> JsResult<Gc<JsObject>> {
        let proto = self.realm().intrinsic(Intrinsic::ArrayBufferPrototype);
        self.allocate_array_buffer(proto, len, None, false)
    }

    /// A typed array object over `buffer`.
    pub fn new_typed_array_object(&mut self, proto: Value, kind: ElementKind, view: ViewData) -> Gc<JsObject> {
        self.new_object_with_proto(proto, ObjectKind::TypedArray { kind, view })
    }
}
