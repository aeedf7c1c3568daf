//! Uint8Array base64 and hex (the uint8array-base64 proposal):
//! `Uint8Array.fromBase64`, `fromHex`, and `toBase64`, `toHex`,
//! `setFromBase64`, `setFromHex` on Uint8Array.prototype.

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::buffer::{ElementKind, ViewData};
use crate::vm::object::{CallArgs, JsObject, JsString};
use crate::vm::runtime::realm::Realm;
use crate::vm::runtime::typed_array::{buffer_data, typed_array, view_length};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c: Gc<JsObject> = Gc::from_value(realm.typed_array_ctor(ElementKind::Uint8));
    vm.define_method(c, "fromBase64", from_base64, 1);
    vm.define_method(c, "fromHex", from_hex, 1);
    let p: Gc<JsObject> = Gc::from_value(realm.typed_array_proto(ElementKind::Uint8));
    vm.define_method(p, "toBase64", to_base64, 0);
    vm.define_method(p, "toHex", to_hex, 0);
    vm.define_method(p, "setFromBase64", set_from_base64, 1);
    vm.define_method(p, "setFromHex", set_from_hex, 1);
}

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[derive(Clone, Copy, PartialEq)]
enum LastChunk {
    Loose,
    Strict,
    StopBeforePartial,
}

/// The receiver as an in-bounds Uint8Array: (object, view, length).
fn this_uint8(vm: &mut Vm, v: Value, method: &str) -> JsResult<(Gc<JsObject>, ViewData, usize)> {
    if let Some(o) = JsObject::from_value(v)
        && let Some((ElementKind::Uint8, view)) = typed_array(o)
    {
        return match view_length(&view, 1) {
            Some(n) => Ok((o, view, n)),
            None => Err(vm.type_error(&format!("Uint8Array.prototype.{method} on a detached or out-of-bounds buffer"))),
        };
    }
    Err(vm.type_error(&format!("Uint8Array.prototype.{method} requires a Uint8Array")))
}

fn get_option(vm: &mut Vm, options: Value, name: &str) -> JsResult<Value> {
    if options.is_undefined() {
        return Ok(Value::UNDEFINED);
    }
    let Some(o) = JsObject::from_value(options) else {
        return Err(vm.type_error("The options argument must be an object"));
    };
    let key = vm.key_from_str(name);
    vm.get(o, key, options)
}

/// The `alphabet` option: false for "base64", true for "base64url".
fn alphabet(vm: &mut Vm, options: Value) -> JsResult<bool> {
    let a = get_option(vm, options, "alphabet")?;
    if a.is_undefined() {
        return Ok(false);
    }
    match Gc::<JsString>::try_from_value(a).map(|s| s.to_rust_string()).as_deref() {
        Some("base64") => Ok(false),
        Some("base64url") => Ok(true),
        _ => Err(vm.type_error("alphabet must be \"base64\" or \"base64url\"")),
    }
}

fn last_chunk(vm: &mut Vm, options: Value) -> JsResult<LastChunk> {
    let v = get_option(vm, options, "lastChunkHandling")?;
    if v.is_undefined() {
        return Ok(LastChunk::Loose);
    }
    match Gc::<JsString>::try_from_value(v).map(|s| s.to_rust_string()).as_deref() {
        Some("loose") => Ok(LastChunk::Loose),
        Some("strict") => Ok(LastChunk::Strict),
        Some("stop-before-partial") => Ok(LastChunk::StopBeforePartial),
        _ => Err(vm.type_error("lastChunkHandling must be \"loose\", \"strict\" or \"stop-before-partial\"")),
    }
}

fn is_ascii_whitespace(c: u16) -> bool {
    matches!(c, 0x09 | 0x0A | 0x0C | 0x0D | 0x20)
}

/// FromBase64: (bytes, code units read, error). On an error the bytes
/// decoded before it are still returned (setFromBase64 writes them).
fn decode_base64(s: &[u16], url: bool, last: LastChunk, max_len: usize) -> (Vec<u8>, usize, Option<&'static str>) {
    let mut out = Vec::new();
    if max_len == 0 {
        return (out, 0, None);
    }
    let value_of = |c: u16| -> Option<u8> {
        let c = u8::try_from(c).ok()?;
        match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'+' if !url => Some(62),
            b'/' if !url => Some(63),
            b'-' if url => Some(62),
            b'_' if url => Some(63),
            _ => None,
        }
    };
    let mut chunk = [0u8; 4];
    let mut chunk_len = 0;
    let mut read = 0;
    let mut index = 0;
    // Decodes a chunk of 2-4 characters; `strict` rejects nonzero spare bits.
    let emit = |out: &mut Vec<u8>, chunk: &[u8; 4], n: usize, strict: bool| -> bool {
        let bits = (chunk[0] as u32) << 18 | (chunk[1] as u32) << 12 | (chunk[2] as u32) << 6 | chunk[3] as u32;
        let bytes = [(bits >> 16) as u8, (bits >> 8) as u8, bits as u8];
        let count = n - 1;
        if strict && n < 4 {
            let spare = if n == 2 { bits & 0xFFFF } else { bits & 0xFF };
            if spare != 0 {
                return false;
            }
        }
        out.extend_from_slice(&bytes[..count]);
        true
    };
    loop {
        while index < s.len() && is_ascii_whitespace(s[index]) {
            index += 1;
        }
        if index == s.len() {
            if chunk_len > 0 {
                if last == LastChunk::StopBeforePartial {
                    return (out, read, None);
                }
                if last == LastChunk::Strict || chunk_len == 1 {
                    return (out, read, Some("incomplete base64 chunk"));
                }
                for c in chunk.iter_mut().skip(chunk_len) {
                    *c = 0;
                }
                emit(&mut out, &chunk, chunk_len, false);
            }
            return (out, s.len(), None);
        }
        let c = s[index];
        index += 1;
        if c == b'=' as u16 {
            if chunk_len < 2 {
                return (out, read, Some("unexpected padding"));
            }
            while index < s.len() && is_ascii_whitespace(s[index]) {
                index += 1;
            }
            if chunk_len == 2 {
                if index == s.len() {
                    if last == LastChunk::StopBeforePartial {
                        return (out, read, None);
                    }
                    return (out, read, Some("incomplete base64 padding"));
                }
                if s[index] == b'=' as u16 {
                    index += 1;
                    while index < s.len() && is_ascii_whitespace(s[index]) {
                        index += 1;
                    }
                } else {
                    return (out, read, Some("incomplete base64 padding"));
                }
            }
            if index < s.len() {
                return (out, read, Some("unexpected data after padding"));
            }
            for c in chunk.iter_mut().skip(chunk_len) {
                *c = 0;
            }
            if !emit(&mut out, &chunk, chunk_len, last == LastChunk::Strict) {
                return (out, read, Some("nonzero padding bits"));
            }
            return (out, s.len(), None);
        }
        let Some(v) = value_of(c) else {
            return (out, read, Some("invalid base64 character"));
        };
        let remaining = max_len - out.len();
        if (remaining == 1 && chunk_len == 2) || (remaining == 2 && chunk_len == 3) {
            // The next full chunk would not fit: stop before it.
            return (out, read, None);
        }
        chunk[chunk_len] = v;
        chunk_len += 1;
        if chunk_len == 4 {
            emit(&mut out, &chunk, 4, false);
            chunk_len = 0;
            read = index;
            if out.len() == max_len {
                return (out, read, None);
            }
        }
    }
}

/// FromHex: (bytes, code units read, error).
fn decode_hex(s: &[u16], max_len: usize) -> (Vec<u8>, usize, Option<&'static str>) {
    if !s.len().is_multiple_of(2) {
        return (Vec::new(), 0, Some("hex string has an odd length"));
    }
    let digit = |c: u16| -> Option<u8> { u8::try_from(c).ok().and_then(|c| (c as char).to_digit(16)).map(|d| d as u8) };
    let mut out = Vec::new();
    let mut read = 0;
    while read < s.len() && out.len() < max_len {
        let (Some(h), Some(l)) = (digit(s[read]), digit(s[read + 1])) else {
            return (out, read, Some("invalid hex character"));
        };
        out.push(h << 4 | l);
        read += 2;
    }
    (out, read, None)
}

fn string_arg(vm: &mut Vm, v: Value) -> JsResult<Vec<u16>> {
    match Gc::<JsString>::try_from_value(v) {
        Some(s) => Ok(s.to_units()),
        None => Err(vm.type_error("The input must be a string")),
    }
}

fn new_uint8(vm: &mut Vm, bytes: &[u8]) -> JsResult<Value> {
    let buffer = vm.new_array_buffer(bytes.len())?;
    buffer_data(buffer).expect("buffer").bytes_mut().copy_from_slice(bytes);
    let proto = vm.realm().typed_array_proto(ElementKind::Uint8);
    Ok(vm.new_typed_array_object(proto, ElementKind::Uint8, ViewData { buffer, byte_offset: 0, length: Some(bytes.len()) }).value())
}

fn from_base64(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = string_arg(vm, a.arg(0))?;
    let url = alphabet(vm, a.arg(1))?;
    let last = last_chunk(vm, a.arg(1))?;
    let (bytes, _, err) = decode_base64(&s, url, last, usize::MAX);
    if let Some(e) = err {
        return Err(vm.syntax_error(&format!("Uint8Array.fromBase64: {e}")));
    }
    new_uint8(vm, &bytes)
}

fn from_hex(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = string_arg(vm, a.arg(0))?;
    let (bytes, _, err) = decode_hex(&s, usize::MAX);
    if let Some(e) = err {
        return Err(vm.syntax_error(&format!("Uint8Array.fromHex: {e}")));
    }
    new_uint8(vm, &bytes)
}

/// Writes decoded bytes into the receiver and returns `{ read, written }`.
fn finish_set(vm: &mut Vm, view: ViewData, bytes: &[u8], read: usize, err: Option<&'static str>, method: &str) -> JsResult<Value> {
    let Some(len) = view_length(&view, 1) else {
        return Err(vm.type_error(&format!("Uint8Array.prototype.{method} on a detached or out-of-bounds buffer")));
    };
    let n = bytes.len().min(len);
    buffer_data(view.buffer).expect("buffer").bytes_mut()[view.byte_offset..view.byte_offset + n].copy_from_slice(&bytes[..n]);
    if let Some(e) = err {
        return Err(vm.syntax_error(&format!("Uint8Array.prototype.{method}: {e}")));
    }
    let result = vm.new_object();
    let rk = vm.key_from_str("read");
    vm.create_data_property_or_throw(result, rk, Value::number(read as f64))?;
    let wk = vm.key_from_str("written");
    vm.create_data_property_or_throw(result, wk, Value::number(n as f64))?;
    Ok(result.value())
}

fn set_from_base64(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, view, _) = this_uint8(vm, a.this, "setFromBase64")?;
    let s = string_arg(vm, a.arg(0))?;
    let url = alphabet(vm, a.arg(1))?;
    let last = last_chunk(vm, a.arg(1))?;
    let Some(len) = view_length(&view, 1) else {
        return Err(vm.type_error("Uint8Array.prototype.setFromBase64 on a detached or out-of-bounds buffer"));
    };
    let (bytes, read, err) = decode_base64(&s, url, last, len);
    finish_set(vm, view, &bytes, read, err, "setFromBase64")
}

fn set_from_hex(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, view, _) = this_uint8(vm, a.this, "setFromHex")?;
    let s = string_arg(vm, a.arg(0))?;
    let Some(len) = view_length(&view, 1) else {
        return Err(vm.type_error("Uint8Array.prototype.setFromHex on a detached or out-of-bounds buffer"));
    };
    let (bytes, read, err) = decode_hex(&s, len);
    finish_set(vm, view, &bytes, read, err, "setFromHex")
}

fn to_base64(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    // ValidateUint8Array only: detachment is checked after the options are read.
    let Some((ElementKind::Uint8, view)) = JsObject::from_value(a.this).and_then(typed_array) else {
        return Err(vm.type_error("Uint8Array.prototype.toBase64 requires a Uint8Array"));
    };
    let url = alphabet(vm, a.arg(0))?;
    let omit = Vm::to_boolean(get_option(vm, a.arg(0), "omitPadding")?);
    // The options' getters may have detached or shrunk the buffer.
    let Some(len) = view_length(&view, 1) else {
        return Err(vm.type_error("Uint8Array.prototype.toBase64 on a detached or out-of-bounds buffer"));
    };
    let table = if url { URL } else { STD };
    let bytes = &buffer_data(view.buffer).expect("buffer").bytes()[view.byte_offset..view.byte_offset + len];
    let mut out = String::with_capacity(len.div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        let chars = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
        let keep = chunk.len() + 1;
        for (i, &c) in chars.iter().enumerate() {
            if i < keep {
                out.push(table[c as usize] as char);
            } else if !omit {
                out.push('=');
            }
        }
    }
    Ok(vm.string_value(&out))
}

fn to_hex(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, view, len) = this_uint8(vm, a.this, "toHex")?;
    let bytes = &buffer_data(view.buffer).expect("buffer").bytes()[view.byte_offset..view.byte_offset + len];
    let mut out = String::with_capacity(len * 2);
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    Ok(vm.string_value(&out))
}
