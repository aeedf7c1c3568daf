//! String constructor, String.prototype (including Annex B methods) and
//! %StringIteratorPrototype%.

mod normalize;
mod normalize_data;

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::string::MAX_STRING_LENGTH;
use crate::vm::object::{JsObject, JsString, ObjectKind, PropertyKey, Symbol, attrs};
use crate::vm::runtime::describe::describe;
use crate::vm::runtime::list::create_idx;
use crate::vm::runtime::number::is_js_whitespace;
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::runtime::strings::{get_substitution, is_regexp};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = crate::vm::runtime::define::make_constructor(vm, realm, "String", string_ctor, 1, Intrinsic::StringPrototype, Intrinsic::String);
    vm.define_method(c, "fromCharCode", from_char_code, 1);
    vm.define_method(c, "fromCodePoint", from_code_point, 1);
    vm.define_method(c, "raw", raw, 1);
    let p = realm.proto(Intrinsic::StringPrototype);
    let methods: &[(&str, crate::vm::object::NativeFn, u32)] = &[
        ("toString", value_of, 0),
        ("valueOf", value_of, 0),
        ("at", at, 1),
        ("charAt", char_at, 1),
        ("charCodeAt", char_code_at, 1),
        ("codePointAt", code_point_at, 1),
        ("concat", concat, 1),
        ("endsWith", ends_with, 1),
        ("includes", includes, 1),
        ("indexOf", index_of, 1),
        ("isWellFormed", is_well_formed, 0),
        ("lastIndexOf", last_index_of, 1),
        ("localeCompare", locale_compare, 1),
        ("match", match_, 1),
        ("matchAll", match_all, 1),
        ("normalize", normalize, 0),
        ("padEnd", pad_end, 1),
        ("padStart", pad_start, 1),
        ("repeat", repeat, 1),
        ("replace", replace, 2),
        ("replaceAll", replace_all, 2),
        ("search", search, 1),
        ("slice", slice, 2),
        ("split", split, 2),
        ("startsWith", starts_with, 1),
        ("substr", substr, 2),
        ("substring", substring, 2),
        ("toLocaleLowerCase", to_lower_case, 0),
        ("toLocaleUpperCase", to_upper_case, 0),
        ("toLowerCase", to_lower_case, 0),
        ("toUpperCase", to_upper_case, 0),
        ("toWellFormed", to_well_formed, 0),
        ("trim", trim, 0),
        ("anchor", html_anchor, 1),
        ("big", html_big, 0),
        ("blink", html_blink, 0),
        ("bold", html_bold, 0),
        ("fixed", html_fixed, 0),
        ("fontcolor", html_fontcolor, 1),
        ("fontsize", html_fontsize, 1),
        ("italics", html_italics, 0),
        ("link", html_link, 1),
        ("small", html_small, 0),
        ("strike", html_strike, 0),
        ("sub", html_sub, 0),
        ("sup", html_sup, 0),
    ];
    for &(name, f, len) in methods {
        vm.define_method(p, name, f, len);
    }
    // trimLeft / trimRight are the same function objects as trimStart / trimEnd.
    let ts = vm.define_method(p, "trimStart", trim_start, 0);
    let te = vm.define_method(p, "trimEnd", trim_end, 0);
    vm.define_value(p, "trimLeft", ts.value(), attrs::HIDDEN);
    vm.define_value(p, "trimRight", te.value(), attrs::HIDDEN);
    let it = vm.symbols.iterator;
    vm.define_symbol_method(p, it, "[Symbol.iterator]", string_iterator, 0, attrs::HIDDEN);

    let sip = realm.proto(Intrinsic::StringIteratorPrototype);
    vm.define_method(sip, "next", string_iterator_next, 0);
    let tag = vm.symbols.to_string_tag;
    let s = vm.string_value("String Iterator");
    sip.put_named(&mut vm.heap, PropertyKey::Symbol(tag), s, attrs::CONFIGURABLE);
}

fn string_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = if a.args.is_empty() {
        vm.names.empty
    } else if !a.is_construct() && Gc::<Symbol>::try_from_value(a.arg(0)).is_some() {
        let d = vm.display_string(a.arg(0));
        vm.string(&d)
    } else {
        vm.to_string(a.arg(0))?
    };
    if !a.is_construct() {
        return Ok(s.value());
    }
    let proto = vm.prototype_from_constructor(a.new_target, Intrinsic::StringPrototype)?;
    Ok(vm.new_object_with_proto(proto, ObjectKind::String(s)).value())
}

/// thisStringValue.
pub fn this_string(vm: &mut Vm, v: Value, method: &str) -> JsResult<Gc<JsString>> {
    if let Some(s) = Gc::<JsString>::try_from_value(v) {
        return Ok(s);
    }
    if let Some(o) = JsObject::from_value(v)
        && let ObjectKind::String(s) = o.kind
    {
        return Ok(s);
    }
    Err(vm.type_error(&format!("{method} requires that 'this' be a String")))
}

/// RequireObjectCoercible(this) + ToString.
pub fn coerce_this(vm: &mut Vm, v: Value, method: &str) -> JsResult<Gc<JsString>> {
    if v.is_nullish() {
        return Err(vm.type_error(&format!("String.prototype.{method} called on null or undefined")));
    }
    vm.to_string(v)
}

fn require_coercible(vm: &mut Vm, v: Value, method: &str) -> JsResult<()> {
    if v.is_nullish() {
        return Err(vm.type_error(&format!("String.prototype.{method} called on null or undefined")));
    }
    Ok(())
}

fn units_of(vm: &mut Vm, v: Value, method: &str) -> JsResult<Vec<u16>> {
    Ok(coerce_this(vm, v, method)?.to_units())
}

fn new_str(vm: &mut Vm, units: &[u16]) -> Value {
    JsString::from_units(&mut vm.heap, units).value()
}

/// Throws RangeError "Invalid string length" when `len` exceeds the maximum.
/// Within the maximum, a string of `len` units must also fit in the heap
/// (2 bytes per unit): past the heap limit it is an out-of-memory, checked
/// before the builder grows further.
fn check_len(vm: &mut Vm, len: u64) -> JsResult<()> {
    if len > MAX_STRING_LENGTH as u64 {
        return Err(vm.range_error("Invalid string length"));
    }
    vm.reserve(len as usize * 2)
}

/// StringIndexOf: first index >= `from` where `needle` occurs.
/// The first index >= `from` where `needle` occurs in `hay`. The naive
/// search is O(hay * needle) in the worst case, so it notices termination:
/// at every candidate position (where it compares a whole needle) and every
/// 64 Ki positions otherwise.
pub fn string_index_of(vm: &mut Vm, hay: &[u16], needle: &[u16], from: usize) -> JsResult<Option<usize>> {
    if needle.is_empty() {
        return Ok((from <= hay.len()).then_some(from));
    }
    if needle.len() > hay.len() {
        return Ok(None);
    }
    let last = hay.len() - needle.len();
    let first = needle[0];
    let mut i = from;
    while i <= last {
        if hay[i] == first {
            vm.poll_long_operation()?;
            if hay[i..i + needle.len()] == *needle {
                return Ok(Some(i));
            }
        } else if i & 0xFFFF == 0 {
            vm.poll_long_operation()?;
        }
        i += 1;
    }
    Ok(None)
}

/// CodePointAt: (code point, code unit count).
fn code_point_at_units(s: &[u16], i: usize) -> (u32, usize) {
    let c = s[i];
    if (0xD800..0xDC00).contains(&c) && i + 1 < s.len() {
        let d = s[i + 1];
        if (0xDC00..0xE000).contains(&d) {
            return (0x10000 + (((c as u32) - 0xD800) << 10) + ((d as u32) - 0xDC00), 2);
        }
    }
    (c as u32, 1)
}

fn push_code_point(out: &mut Vec<u16>, cp: u32) {
    if cp < 0x10000 {
        out.push(cp as u16);
    } else {
        let c = cp - 0x10000;
        out.push(0xD800 + (c >> 10) as u16);
        out.push(0xDC00 + (c & 0x3FF) as u16);
    }
}

/// Clamps an integer-or-infinity to `[0, len]`.
fn clamp(x: f64, len: usize) -> usize {
    if x <= 0.0 {
        0
    } else if x >= len as f64 {
        len
    } else {
        x as usize
    }
}

// ----- statics -----

fn from_char_code(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let mut units = Vec::with_capacity(a.args.len());
    for &v in a.args {
        units.push(vm.to_uint32(v)? as u16);
    }
    Ok(new_str(vm, &units))
}

fn from_code_point(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let mut units = Vec::with_capacity(a.args.len());
    for &v in a.args {
        let n = vm.to_number(v)?;
        if n.is_nan() || n.trunc() != n || !(0.0..=1114111.0).contains(&n) {
            let d = crate::vm::runtime::number::number_to_string(n);
            return Err(vm.range_error(&format!("Invalid code point {d}")));
        }
        push_code_point(&mut units, n as u32);
    }
    Ok(new_str(vm, &units))
}

fn raw(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let subs = if a.args.len() > 1 { &a.args[1..] } else { &[][..] };
    let cooked = vm.to_object(a.arg(0))?;
    let rkey = PropertyKey::Atom(vm.names.raw);
    let rv = vm.get(cooked, rkey, cooked.value())?;
    let literals = vm.to_object(rv)?;
    let count = vm.length_of_array_like(literals)?;
    if count == 0 {
        return Ok(vm.names.empty.value());
    }
    let mut out: Vec<u16> = Vec::new();
    let mut i: u64 = 0;
    loop {
        let lit = crate::vm::runtime::list::get_idx(vm, literals, i)?;
        out.extend(vm.to_string(lit)?.to_units());
        check_len(vm, out.len() as u64)?;
        if i + 1 == count {
            return Ok(new_str(vm, &out));
        }
        if (i as usize) < subs.len() {
            out.extend(vm.to_string(subs[i as usize])?.to_units());
            check_len(vm, out.len() as u64)?;
        }
        i += 1;
    }
}

// ----- prototype methods -----

fn value_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(this_string(vm, a.this, "String.prototype.valueOf")?.value())
}

fn at(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = coerce_this(vm, a.this, "at")?;
    let len = s.len() as f64;
    let r = vm.to_integer_or_infinity(a.arg(0))?;
    let k = if r >= 0.0 { r } else { len + r };
    if k < 0.0 || k >= len {
        return Ok(Value::UNDEFINED);
    }
    let u = s.unit_at_any(k as usize);
    Ok(new_str(vm, &[u]))
}

fn char_at(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = coerce_this(vm, a.this, "charAt")?;
    let i = vm.to_integer_or_infinity(a.arg(0))?;
    if i < 0.0 || i >= s.len() as f64 {
        return Ok(vm.names.empty.value());
    }
    let u = s.unit_at_any(i as usize);
    Ok(new_str(vm, &[u]))
}

fn char_code_at(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = coerce_this(vm, a.this, "charCodeAt")?;
    let i = vm.to_integer_or_infinity(a.arg(0))?;
    if i < 0.0 || i >= s.len() as f64 {
        return Ok(Value::double(f64::NAN));
    }
    Ok(Value::int(s.unit_at_any(i as usize) as i32))
}

fn code_point_at(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "codePointAt")?;
    let i = vm.to_integer_or_infinity(a.arg(0))?;
    if i < 0.0 || i >= s.len() as f64 {
        return Ok(Value::UNDEFINED);
    }
    Ok(Value::int(code_point_at_units(&s, i as usize).0 as i32))
}

fn concat(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let mut r = coerce_this(vm, a.this, "concat")?;
    for &v in a.args {
        let s = vm.to_string(v)?;
        check_len(vm, r.len() as u64 + s.len() as u64)?;
        r = JsString::concat(&mut vm.heap, r, s);
    }
    Ok(r.value())
}

fn search_string_arg(vm: &mut Vm, v: Value, method: &str) -> JsResult<Vec<u16>> {
    if is_regexp(vm, v)? {
        return Err(vm.type_error(&format!("First argument to String.prototype.{method} must not be a regular expression")));
    }
    Ok(vm.to_string(v)?.to_units())
}

fn ends_with(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "endsWith")?;
    let search = search_string_arg(vm, a.arg(0), "endsWith")?;
    let len = s.len();
    let end = if a.arg(1).is_undefined() { len } else { clamp(vm.to_integer_or_infinity(a.arg(1))?, len) };
    if search.is_empty() {
        return Ok(Value::TRUE);
    }
    if search.len() > end {
        return Ok(Value::FALSE);
    }
    Ok(Value::bool(s[end - search.len()..end] == *search))
}

fn starts_with(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "startsWith")?;
    let search = search_string_arg(vm, a.arg(0), "startsWith")?;
    let len = s.len();
    let start = clamp(vm.to_integer_or_infinity(a.arg(1))?, len);
    if search.is_empty() {
        return Ok(Value::TRUE);
    }
    if start + search.len() > len {
        return Ok(Value::FALSE);
    }
    Ok(Value::bool(s[start..start + search.len()] == *search))
}

fn includes(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "includes")?;
    let search = search_string_arg(vm, a.arg(0), "includes")?;
    let start = clamp(vm.to_integer_or_infinity(a.arg(1))?, s.len());
    Ok(Value::bool(string_index_of(vm, &s, &search, start)?.is_some()))
}

fn index_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "indexOf")?;
    let search = vm.to_string(a.arg(0))?.to_units();
    let start = clamp(vm.to_integer_or_infinity(a.arg(1))?, s.len());
    Ok(Value::number(string_index_of(vm, &s, &search, start)?.map_or(-1.0, |i| i as f64)))
}

fn last_index_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "lastIndexOf")?;
    let search = vm.to_string(a.arg(0))?.to_units();
    let num_pos = vm.to_number(a.arg(1))?;
    let pos = if num_pos.is_nan() { f64::INFINITY } else { crate::vm::runtime::number::integer_or_infinity(num_pos) };
    let (len, slen) = (s.len(), search.len());
    if slen > len {
        return Ok(Value::int(-1));
    }
    let start = clamp(pos, len - slen);
    if search.is_empty() {
        return Ok(Value::number(start as f64));
    }
    let mut i = start;
    loop {
        // O(len * slen) at worst: notice termination (see string_index_of).
        if s[i] == search[0] {
            vm.poll_long_operation()?;
            if s[i..i + slen] == *search {
                return Ok(Value::number(i as f64));
            }
        } else if i & 0xFFFF == 0 {
            vm.poll_long_operation()?;
        }
        if i == 0 {
            return Ok(Value::int(-1));
        }
        i -= 1;
    }
}

/// A collation key level for `localeCompare` (a root-locale approximation):
/// level 0 ignores accents and case, level 1 adds accents, level 2 adds case
/// (lower before upper), and code points break the remaining ties.
fn collation_key(chars: &[char], level: u8) -> Vec<(u8, u32)> {
    let mut key = Vec::with_capacity(chars.len());
    for &c in chars {
        let is_mark = matches!(c as u32, 0x300..=0x36F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F);
        if is_mark && level == 0 {
            continue;
        }
        let group = if c.is_whitespace() || (c.is_ascii_punctuation()) || (!c.is_alphanumeric() && !is_mark) {
            0
        } else if c.is_numeric() {
            1
        } else {
            2
        };
        let case = if level == 2 && c.is_uppercase() { 1 } else { 0 };
        // Full case folding (ß -> ss) through the uppercase mapping.
        for u in c.to_uppercase() {
            let folded = u.to_lowercase().next().unwrap_or(u) as u32;
            key.push((group, folded * 2 + case));
        }
    }
    key
}

fn locale_compare(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "localeCompare")?;
    let t = vm.to_string(a.arg(0))?.to_units();
    // Canonically equivalent strings compare equal (compare the NFD forms).
    let nfd = |u: Vec<u16>| normalize::normalize(&u, normalize::Form::Nfd).unwrap_or(u);
    let (s, t) = (nfd(s), nfd(t));
    let cs: Vec<char> = char::decode_utf16(s.iter().copied()).map(|r| r.unwrap_or('\u{FFFD}')).collect();
    let ct: Vec<char> = char::decode_utf16(t.iter().copied()).map(|r| r.unwrap_or('\u{FFFD}')).collect();
    let mut ord = std::cmp::Ordering::Equal;
    for level in 0..3 {
        ord = collation_key(&cs, level).cmp(&collation_key(&ct, level));
        if ord != std::cmp::Ordering::Equal {
            break;
        }
    }
    if ord == std::cmp::Ordering::Equal {
        ord = cs.cmp(&ct);
    }
    Ok(Value::int(match ord {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
}

fn normalize(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = coerce_this(vm, a.this, "normalize")?;
    let form = if a.arg(0).is_undefined() { "NFC".to_string() } else { vm.to_string(a.arg(0))?.to_rust_string() };
    let kind = match form.as_str() {
        "NFC" => normalize::Form::Nfc,
        "NFD" => normalize::Form::Nfd,
        "NFKC" => normalize::Form::Nfkc,
        "NFKD" => normalize::Form::Nfkd,
        _ => return Err(vm.range_error("The normalization form should be one of NFC, NFD, NFKC, NFKD.")),
    };
    let units = s.to_units();
    match normalize::normalize(&units, kind) {
        Some(out) => Ok(new_str(vm, &out)),
        None => Ok(s.value()),
    }
}

fn pad(vm: &mut Vm, a: &CallArgs<'_>, at_start: bool) -> JsResult<Value> {
    let s = coerce_this(vm, a.this, if at_start { "padStart" } else { "padEnd" })?;
    let max_len = vm.to_length(a.arg(0))?;
    let len = s.len() as u64;
    if max_len <= len {
        return Ok(s.value());
    }
    let filler = if a.arg(1).is_undefined() { vec![b' ' as u16] } else { vm.to_string(a.arg(1))?.to_units() };
    if filler.is_empty() {
        return Ok(s.value());
    }
    check_len(vm, max_len)?;
    let fill_len = (max_len - len) as usize;
    let pad = repeat_units(vm, &filler, fill_len)?;
    let units = s.to_units();
    let out: Vec<u16> = if at_start { [pad, units].concat() } else { [units, pad].concat() };
    Ok(new_str(vm, &out))
}

fn pad_start(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    pad(vm, a, true)
}
fn pad_end(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    pad(vm, a, false)
}

fn repeat(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = coerce_this(vm, a.this, "repeat")?;
    let n = vm.to_integer_or_infinity(a.arg(0))?;
    if n < 0.0 || n == f64::INFINITY {
        let d = crate::vm::runtime::number::number_to_string(n);
        return Err(vm.range_error(&format!("Invalid count value: {d}")));
    }
    if n == 0.0 || s.is_empty() {
        return Ok(vm.names.empty.value());
    }
    if n * s.len() as f64 > MAX_STRING_LENGTH as f64 {
        return Err(vm.range_error("Invalid string length"));
    }
    let units = s.to_units();
    check_len(vm, units.len() as u64 * n as u64)?;
    let out = repeat_units(vm, &units, units.len() * n as usize)?;
    Ok(new_str(vm, &out))
}

/// `unit` repeated to exactly `total` code units (the last copy cut short),
/// built by doubling in chunks of at most 1 Mi units so termination is
/// noticed between chunks of a long string.
fn repeat_units(vm: &mut Vm, unit: &[u16], total: usize) -> JsResult<Vec<u16>> {
    // Whole copies of `unit` per chunk, so every prefix copied is periodic.
    let chunk = ((1 << 20) / unit.len().max(1)).max(1) * unit.len();
    let mut out: Vec<u16> = Vec::with_capacity(total);
    out.extend_from_slice(&unit[..unit.len().min(total)]);
    while out.len() < total {
        vm.poll_long_operation()?;
        let take = out.len().min(chunk).min(total - out.len());
        out.extend_from_within(..take);
    }
    Ok(out)
}

fn slice(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "slice")?;
    let len = s.len() as u64;
    let from = crate::vm::runtime::list::relative_index(vm.to_integer_or_infinity(a.arg(0))?, len) as usize;
    let to = if a.arg(1).is_undefined() { s.len() } else { crate::vm::runtime::list::relative_index(vm.to_integer_or_infinity(a.arg(1))?, len) as usize };
    if from >= to {
        return Ok(vm.names.empty.value());
    }
    Ok(new_str(vm, &s[from..to]))
}

fn substring(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "substring")?;
    let len = s.len();
    let start = clamp(vm.to_integer_or_infinity(a.arg(0))?, len);
    let end = if a.arg(1).is_undefined() { len } else { clamp(vm.to_integer_or_infinity(a.arg(1))?, len) };
    let (from, to) = (start.min(end), start.max(end));
    Ok(new_str(vm, &s[from..to]))
}

fn substr(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "substr")?;
    let size = s.len();
    let start = crate::vm::runtime::list::relative_index(vm.to_integer_or_infinity(a.arg(0))?, size as u64) as usize;
    let length = if a.arg(1).is_undefined() { size } else { clamp(vm.to_integer_or_infinity(a.arg(1))?, size) };
    let end = (start + length).min(size);
    if start >= end {
        return Ok(vm.names.empty.value());
    }
    Ok(new_str(vm, &s[start..end]))
}

/// Default Unicode case conversion over UTF-16 (lone surrogates kept).
fn convert_case(units: &[u16], upper: bool) -> Vec<u16> {
    if units.iter().all(|&u| u < 0x80) {
        return units
            .iter()
            .map(|&u| {
                let c = u as u8;
                (if upper { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }) as u16
            })
            .collect();
    }
    let mut out = Vec::with_capacity(units.len());
    let mut seg = String::new();
    let flush = |seg: &mut String, out: &mut Vec<u16>| {
        if !seg.is_empty() {
            let conv = if upper { seg.to_uppercase() } else { seg.to_lowercase() };
            out.extend(conv.encode_utf16());
            seg.clear();
        }
    };
    for r in char::decode_utf16(units.iter().copied()) {
        match r {
            Ok(c) => seg.push(c),
            Err(e) => {
                flush(&mut seg, &mut out);
                out.push(e.unpaired_surrogate());
            }
        }
    }
    flush(&mut seg, &mut out);
    out
}

fn to_lower_case(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "toLowerCase")?;
    let out = convert_case(&s, false);
    check_len(vm, out.len() as u64)?;
    Ok(new_str(vm, &out))
}
fn to_upper_case(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "toUpperCase")?;
    let out = convert_case(&s, true);
    check_len(vm, out.len() as u64)?;
    Ok(new_str(vm, &out))
}

fn trim_impl(vm: &mut Vm, a: &CallArgs<'_>, start: bool, end: bool, name: &str) -> JsResult<Value> {
    let s = units_of(vm, a.this, name)?;
    let mut lo = 0;
    let mut hi = s.len();
    if start {
        while lo < hi && is_js_whitespace(s[lo]) {
            lo += 1;
        }
    }
    if end {
        while hi > lo && is_js_whitespace(s[hi - 1]) {
            hi -= 1;
        }
    }
    Ok(new_str(vm, &s[lo..hi]))
}
fn trim(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    trim_impl(vm, a, true, true, "trim")
}
fn trim_start(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    trim_impl(vm, a, true, false, "trimStart")
}
fn trim_end(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    trim_impl(vm, a, false, true, "trimEnd")
}

fn is_well_formed(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "isWellFormed")?;
    Ok(Value::bool(char::decode_utf16(s.iter().copied()).all(|r| r.is_ok())))
}

fn to_well_formed(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = units_of(vm, a.this, "toWellFormed")?;
    let mut out = Vec::with_capacity(s.len());
    for r in char::decode_utf16(s.iter().copied()) {
        match r {
            Ok(c) => push_code_point(&mut out, c as u32),
            Err(_) => out.push(0xFFFD),
        }
    }
    Ok(new_str(vm, &out))
}

// ----- split / replace / match / search -----

/// Calls `arg[@@sym](this, extra...)` when `arg` is an object with that method.
fn delegate(vm: &mut Vm, arg: Value, sym: Gc<Symbol>, args: &[Value]) -> JsResult<Option<Value>> {
    if !JsObject::is_object(arg) {
        return Ok(None);
    }
    match vm.get_method(arg, PropertyKey::Symbol(sym))? {
        Some(f) => Ok(Some(vm.call(f, arg, args)?)),
        None => Ok(None),
    }
}

fn split(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    require_coercible(vm, a.this, "split")?;
    let (sep, limit) = (a.arg(0), a.arg(1));
    let sym = vm.symbols.split;
    if let Some(r) = delegate(vm, sep, sym, &[a.this, limit])? {
        return Ok(r);
    }
    let s = vm.to_string(a.this)?.to_units();
    let lim: u32 = if limit.is_undefined() { u32::MAX } else { vm.to_uint32(limit)? };
    let r = vm.to_string(sep)?.to_units();
    let arr = vm.new_array(0);
    if lim == 0 {
        return Ok(arr.value());
    }
    if sep.is_undefined() {
        let sv = new_str(vm, &s);
        create_idx(vm, arr, 0, sv)?;
        return Ok(arr.value());
    }
    if r.is_empty() {
        let n = s.len().min(lim as usize);
        for (i, &u) in s[..n].iter().enumerate() {
            vm.poll_long_operation()?;
            let c = new_str(vm, &[u]);
            create_idx(vm, arr, i as u64, c)?;
        }
        return Ok(arr.value());
    }
    if s.is_empty() {
        let sv = new_str(vm, &s);
        create_idx(vm, arr, 0, sv)?;
        return Ok(arr.value());
    }
    let mut count: u64 = 0;
    let mut i = 0;
    let mut j = string_index_of(vm, &s, &r, 0)?;
    while let Some(jj) = j {
        vm.poll_long_operation()?;
        let t = new_str(vm, &s[i..jj]);
        create_idx(vm, arr, count, t)?;
        count += 1;
        if count == lim as u64 {
            return Ok(arr.value());
        }
        i = jj + r.len();
        j = string_index_of(vm, &s, &r, i)?;
    }
    let t = new_str(vm, &s[i..]);
    create_idx(vm, arr, count, t)?;
    Ok(arr.value())
}

fn replace(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    require_coercible(vm, a.this, "replace")?;
    let (search_value, replace_value) = (a.arg(0), a.arg(1));
    let sym = vm.symbols.replace;
    if let Some(r) = delegate(vm, search_value, sym, &[a.this, replace_value])? {
        return Ok(r);
    }
    let sv = vm.to_string(a.this)?;
    let s = sv.to_units();
    let search_str = vm.to_string(search_value)?;
    let search = search_str.to_units();
    let functional = Vm::is_callable(replace_value);
    let template = if functional { Vec::new() } else { vm.to_string(replace_value)?.to_units() };
    let Some(pos) = string_index_of(vm, &s, &search, 0)? else { return Ok(sv.value()) };
    let replacement = if functional {
        let r = vm.call(replace_value, Value::UNDEFINED, &[search_str.value(), Value::number(pos as f64), sv.value()])?;
        vm.to_string(r)?.to_units()
    } else {
        get_substitution(vm, &search, &s, pos, &[], Value::UNDEFINED, &template)?
    };
    let total = s.len() - search.len() + replacement.len();
    check_len(vm, total as u64)?;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&s[..pos]);
    out.extend_from_slice(&replacement);
    out.extend_from_slice(&s[pos + search.len()..]);
    Ok(new_str(vm, &out))
}

fn flags_contain_g(vm: &mut Vm, v: Value, method: &str) -> JsResult<()> {
    let key = vm.key_from_str("flags");
    let flags = vm.get_v(v, key)?;
    if flags.is_nullish() {
        return Err(vm.type_error(&format!("String.prototype.{method} called with a RegExp whose flags are null or undefined")));
    }
    let f = vm.to_string(flags)?.to_units();
    if !f.contains(&(b'g' as u16)) {
        return Err(vm.type_error(&format!("String.prototype.{method} called with a non-global RegExp argument")));
    }
    Ok(())
}

fn replace_all(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    require_coercible(vm, a.this, "replaceAll")?;
    let (search_value, replace_value) = (a.arg(0), a.arg(1));
    if JsObject::is_object(search_value) {
        if is_regexp(vm, search_value)? {
            flags_contain_g(vm, search_value, "replaceAll")?;
        }
        let sym = vm.symbols.replace;
        if let Some(r) = delegate(vm, search_value, sym, &[a.this, replace_value])? {
            return Ok(r);
        }
    }
    let sv = vm.to_string(a.this)?;
    let s = sv.to_units();
    let search_str = vm.to_string(search_value)?;
    let search = search_str.to_units();
    let functional = Vm::is_callable(replace_value);
    let template = if functional { Vec::new() } else { vm.to_string(replace_value)?.to_units() };
    let advance = search.len().max(1);
    let mut positions = Vec::new();
    let mut p = string_index_of(vm, &s, &search, 0)?;
    while let Some(q) = p {
        positions.push(q);
        p = string_index_of(vm, &s, &search, q + advance)?;
    }
    let mut end_of_last = 0;
    let mut out: Vec<u16> = Vec::new();
    for &q in &positions {
        vm.poll_long_operation()?;
        out.extend_from_slice(&s[end_of_last..q]);
        let replacement = if functional {
            let r = vm.call(replace_value, Value::UNDEFINED, &[search_str.value(), Value::number(q as f64), sv.value()])?;
            vm.to_string(r)?.to_units()
        } else {
            get_substitution(vm, &search, &s, q, &[], Value::UNDEFINED, &template)?
        };
        out.extend_from_slice(&replacement);
        check_len(vm, out.len() as u64)?;
        end_of_last = q + search.len();
    }
    if end_of_last < s.len() {
        out.extend_from_slice(&s[end_of_last..]);
    }
    check_len(vm, out.len() as u64)?;
    Ok(new_str(vm, &out))
}

/// RegExpCreate(pattern, flags) through the realm's RegExp constructor.
fn regexp_create(vm: &mut Vm, pattern: Value, flags: Value) -> JsResult<Value> {
    let ctor = vm.realm().intrinsic(Intrinsic::RegExp);
    if !Vm::is_constructor(ctor) {
        if !pattern.is_undefined() {
            vm.to_string(pattern)?;
        }
        return Err(vm.type_error("RegExp is not supported"));
    }
    let p = if pattern.is_undefined() { vm.names.empty.value() } else { pattern };
    vm.construct(ctor, &[p, flags], ctor)
}

/// The shared tail of match / matchAll / search: Invoke(rx, @@sym, «S»).
fn regexp_invoke(vm: &mut Vm, this: Value, pattern: Value, flags: Value, sym: Gc<Symbol>) -> JsResult<Value> {
    let s = vm.to_string(this)?;
    let rx = regexp_create(vm, pattern, flags)?;
    let f = vm.get_v(rx, PropertyKey::Symbol(sym))?;
    vm.call(f, rx, &[s.value()])
}

fn match_(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    require_coercible(vm, a.this, "match")?;
    let sym = vm.symbols.match_;
    if let Some(r) = delegate(vm, a.arg(0), sym, &[a.this])? {
        return Ok(r);
    }
    regexp_invoke(vm, a.this, a.arg(0), Value::UNDEFINED, sym)
}

fn match_all(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    require_coercible(vm, a.this, "matchAll")?;
    let re = a.arg(0);
    if JsObject::is_object(re) && is_regexp(vm, re)? {
        flags_contain_g(vm, re, "matchAll")?;
    }
    let sym = vm.symbols.match_all;
    if let Some(r) = delegate(vm, re, sym, &[a.this])? {
        return Ok(r);
    }
    let g = vm.string_value("g");
    regexp_invoke(vm, a.this, re, g, sym)
}

fn search(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    require_coercible(vm, a.this, "search")?;
    let sym = vm.symbols.search;
    if let Some(r) = delegate(vm, a.arg(0), sym, &[a.this])? {
        return Ok(r);
    }
    regexp_invoke(vm, a.this, a.arg(0), Value::UNDEFINED, sym)
}

// ----- Annex B HTML methods -----

fn create_html(vm: &mut Vm, a: &CallArgs<'_>, tag: &str, attribute: &str, method: &str) -> JsResult<Value> {
    let s = coerce_this(vm, a.this, method)?.to_units();
    let mut out: Vec<u16> = Vec::new();
    out.push(b'<' as u16);
    out.extend(tag.encode_utf16());
    if !attribute.is_empty() {
        let v = vm.to_string(a.arg(0))?.to_units();
        out.push(b' ' as u16);
        out.extend(attribute.encode_utf16());
        out.extend("=\"".encode_utf16());
        for u in v {
            if u == b'"' as u16 {
                out.extend("&quot;".encode_utf16());
            } else {
                out.push(u);
            }
        }
        out.push(b'"' as u16);
    }
    out.push(b'>' as u16);
    out.extend_from_slice(&s);
    out.extend("</".encode_utf16());
    out.extend(tag.encode_utf16());
    out.push(b'>' as u16);
    check_len(vm, out.len() as u64)?;
    Ok(new_str(vm, &out))
}

macro_rules! html_methods {
    ($($fname:ident => $method:literal, $tag:literal, $attr:literal;)*) => {
        $(fn $fname(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
            create_html(vm, a, $tag, $attr, $method)
        })*
    };
}

html_methods! {
    html_anchor => "anchor", "a", "name";
    html_big => "big", "big", "";
    html_blink => "blink", "blink", "";
    html_bold => "bold", "b", "";
    html_fixed => "fixed", "tt", "";
    html_fontcolor => "fontcolor", "font", "color";
    html_fontsize => "fontsize", "font", "size";
    html_italics => "italics", "i", "";
    html_link => "link", "a", "href";
    html_small => "small", "small", "";
    html_strike => "strike", "strike", "";
    html_sub => "sub", "sub", "";
    html_sup => "sup", "sup", "";
}

// ----- String iterator -----

fn string_iterator(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = coerce_this(vm, a.this, "[Symbol.iterator]")?;
    s.flatten(&mut vm.heap);
    let proto = vm.realm().intrinsic(Intrinsic::StringIteratorPrototype);
    let it = vm.new_object_with_proto(proto, ObjectKind::StringIterator { string: s.value(), position: 0 });
    Ok(it.value())
}

fn string_iterator_next(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let state = JsObject::from_value(a.this).and_then(|o| match o.kind {
        ObjectKind::StringIterator { string, position } => Some((o, string, position)),
        _ => None,
    });
    let Some((it, sv, pos)) = state else {
        let d = describe(vm, a.this);
        return Err(vm.type_error(&format!("Method String Iterator.prototype.next called on incompatible receiver {d}")));
    };
    if sv.is_undefined() {
        return Ok(crate::vm::runtime::iteration::iter_result(vm, Value::UNDEFINED, true));
    }
    let s: Gc<JsString> = Gc::from_value(sv);
    if pos >= s.len() {
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        if let ObjectKind::StringIterator { string, .. } = &mut unsafe { it.m() }.kind {
            *string = Value::UNDEFINED;
        }
        return Ok(crate::vm::runtime::iteration::iter_result(vm, Value::UNDEFINED, true));
    }
    let c = s.unit_at_any(pos);
    let mut units = vec![c];
    if (0xD800..0xDC00).contains(&c) && pos + 1 < s.len() {
        let d = s.unit_at_any(pos + 1);
        if (0xDC00..0xE000).contains(&d) {
            units.push(d);
        }
    }
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    if let ObjectKind::StringIterator { position, .. } = &mut unsafe { it.m() }.kind {
        *position = pos + units.len();
    }
    let r = new_str(vm, &units);
    Ok(crate::vm::runtime::iteration::iter_result(vm, r, false))
}
