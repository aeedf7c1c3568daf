//! The JSON namespace object: `parse` (an iterative parser over UTF-16 with
//! reviver support) and `stringify` (replacer function or list, gap, toJSON,
//! cycle detection, well-formed escaping).

use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{JsObject, JsString, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::list::{list_get, list_len, list_push, new_list};
use crate::vm::runtime::realm::Realm;
use crate::vm::value::Value;
use crate::vm::{JsResult, Unwind};

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let j = vm.new_object();
    vm.define_method(j, "parse", parse, 2);
    vm.define_method(j, "stringify", stringify, 3);
    vm.define_method(j, "rawJSON", raw_json, 1);
    vm.define_method(j, "isRawJSON", is_raw_json, 1);
    let tag = vm.symbols.to_string_tag;
    let s = vm.string_value("JSON");
    j.put_named(&mut vm.heap, PropertyKey::Symbol(tag), s, attrs::CONFIGURABLE);
    vm.define_value(realm.global, "JSON", j.value(), attrs::HIDDEN);
}

// ----- parse -----

struct Parser<'a> {
    s: &'a [u16],
    pos: usize,
}

enum Tok {
    Err(String),
    /// Termination was requested while parsing.
    Terminated(Unwind),
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && matches!(self.s[self.pos], 0x09 | 0x0A | 0x0D | 0x20) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u16> {
        self.s.get(self.pos).copied()
    }

    fn unexpected(&self) -> Tok {
        match self.peek() {
            None => Tok::Err("Unexpected end of JSON input".into()),
            Some(c) => {
                let ch = char::from_u32(c as u32).map_or_else(|| format!("\\u{c:04x}"), |c| c.to_string());
                Tok::Err(format!("Unexpected token '{ch}', {} is not valid JSON (at position {})", self.snippet(), self.pos))
            }
        }
    }

    fn snippet(&self) -> String {
        let text = String::from_utf16_lossy(self.s);
        if self.s.len() <= 30 {
            return format!("\"{text}\"");
        }
        let lo = self.pos.saturating_sub(10);
        let hi = (self.pos + 10).min(self.s.len());
        format!("...\"{}\"...", String::from_utf16_lossy(&self.s[lo..hi]))
    }

    fn expect_word(&mut self, w: &str) -> Result<(), Tok> {
        for b in w.bytes() {
            if self.peek() != Some(b as u16) {
                return Err(self.unexpected());
            }
            self.pos += 1;
        }
        Ok(())
    }

    fn string(&mut self) -> Result<Vec<u16>, Tok> {
        // At the opening quote.
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(Tok::Err(format!("Unterminated string in JSON at position {}", self.pos)));
            };
            match c {
                0x22 => {
                    self.pos += 1;
                    return Ok(out);
                }
                0x5C => {
                    self.pos += 1;
                    let Some(e) = self.peek() else {
                        return Err(Tok::Err(format!("Unterminated string in JSON at position {}", self.pos)));
                    };
                    let v = match e {
                        0x22 => 0x22,
                        0x5C => 0x5C,
                        0x2F => 0x2F,
                        0x62 => 0x08,
                        0x66 => 0x0C,
                        0x6E => 0x0A,
                        0x72 => 0x0D,
                        0x74 => 0x09,
                        0x75 => {
                            let mut v: u16 = 0;
                            for i in 1..=4 {
                                let d = self.s.get(self.pos + i).and_then(|&h| char::from_u32(h as u32)).and_then(|h| h.to_digit(16));
                                match d {
                                    Some(d) => v = v * 16 + d as u16,
                                    None => {
                                        return Err(Tok::Err(format!("Bad Unicode escape in JSON at position {}", self.pos - 1)));
                                    }
                                }
                            }
                            self.pos += 4;
                            v
                        }
                        _ => return Err(Tok::Err(format!("Bad escaped character in JSON at position {}", self.pos - 1))),
                    };
                    out.push(v);
                    self.pos += 1;
                }
                c if c < 0x20 => {
                    return Err(Tok::Err(format!("Bad control character in string literal in JSON at position {}", self.pos)));
                }
                _ => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn number(&mut self) -> Result<f64, Tok> {
        let start = self.pos;
        let digit = |c: Option<u16>| c.is_some_and(|c| (0x30..=0x39).contains(&c));
        if self.peek() == Some(b'-' as u16) {
            self.pos += 1;
        }
        match self.peek() {
            Some(0x30) => self.pos += 1,
            c if digit(c) => {
                while digit(self.peek()) {
                    self.pos += 1;
                }
            }
            _ => {
                return Err(if self.peek().is_none() {
                    Tok::Err("Unexpected end of JSON input".into())
                } else {
                    Tok::Err(format!("No number after minus sign in JSON at position {}", self.pos))
                });
            }
        }
        if self.peek() == Some(b'.' as u16) {
            self.pos += 1;
            if !digit(self.peek()) {
                return Err(self.unterminated_number());
            }
            while digit(self.peek()) {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), Some(0x65) | Some(0x45)) {
            self.pos += 1;
            if matches!(self.peek(), Some(0x2B) | Some(0x2D)) {
                self.pos += 1;
            }
            if !digit(self.peek()) {
                return Err(self.unterminated_number());
            }
            while digit(self.peek()) {
                self.pos += 1;
            }
        }
        let text: String = self.s[start..self.pos].iter().map(|&c| c as u8 as char).collect();
        Ok(text.parse::<f64>().unwrap_or(f64::NAN))
    }

    fn unterminated_number(&self) -> Tok {
        if self.peek().is_none() {
            Tok::Err("Unterminated fractional number in JSON at position ".to_string() + &self.pos.to_string())
        } else {
            self.unexpected()
        }
    }
}

/// A container being filled: the object (or array), the next array index,
/// and (when building parse records) the list of child records.
struct Open {
    obj: Gc<JsObject>,
    is_array: bool,
    index: u32,
    children: Option<Gc<JsObject>>,
}

fn json_parse_text(vm: &mut Vm, s: &[u16], records: bool) -> JsResult<(Value, Option<Gc<JsObject>>)> {
    match parse_value_tree(vm, s, records) {
        Ok(v) => Ok(v),
        Err(Tok::Err(msg)) => Err(vm.syntax_error(&msg)),
        Err(Tok::Terminated(unwind)) => Err(unwind),
    }
}

/// A JSON Parse Record: the parsed value, its source text (primitives) and
/// the list of child records (element records for arrays, key/record pairs
/// for objects).
fn make_record(vm: &mut Vm, value: Value, source: Value, children: Value) -> Gc<JsObject> {
    vm.new_object_with_proto(Value::NULL, ObjectKind::JsonParseRecord { value, source, children })
}

/// The (value, source, children) of a parse record.
fn record_fields(r: Gc<JsObject>) -> (Value, Value, Value) {
    match r.kind {
        ObjectKind::JsonParseRecord { value, source, children } => (value, source, children),
        _ => unreachable!("not a JSON parse record"),
    }
}

/// Parses a JSON text; with `records`, also returns the root parse record.
fn parse_value_tree(vm: &mut Vm, s: &[u16], records: bool) -> Result<(Value, Option<Gc<JsObject>>), Tok> {
    let mut p = Parser { s, pos: 0 };
    // Open containers; `roots` keeps them (and pending keys) GC-visible.
    let roots = new_list(vm);
    let mut stack: Vec<Open> = Vec::new();
    let mut pending_keys: Vec<PropertyKey> = Vec::new();
    let result;
    'outer: loop {
        vm.poll_long_operation().map_err(Tok::Terminated)?;
        // Parse one value (or open a container).
        p.skip_ws();
        let start = p.pos;
        let mut record: Option<Gc<JsObject>> = None;
        let value = match p.peek() {
            None => return Err(p.unexpected()),
            Some(c @ (0x7B | 0x5B)) => {
                let is_array = c == 0x5B;
                p.pos += 1;
                let o = if is_array { vm.new_array(0) } else { vm.new_object() };
                let children = if records {
                    let l = new_list(vm);
                    list_push(roots, l.value());
                    Some(l)
                } else {
                    None
                };
                p.skip_ws();
                if p.peek() == Some(if is_array { 0x5D } else { 0x7D }) {
                    p.pos += 1;
                    if let Some(l) = children {
                        record = Some(make_record(vm, o.value(), Value::UNDEFINED, l.value()));
                    }
                    o.value()
                } else {
                    list_push(roots, o.value());
                    stack.push(Open { obj: o, is_array, index: 0, children });
                    if !is_array {
                        let key = parse_key(vm, &mut p, roots)?;
                        pending_keys.push(key);
                    }
                    continue 'outer;
                }
            }
            Some(0x22) => {
                let units = p.string()?;
                JsString::from_units(&mut vm.heap, &units).value()
            }
            Some(0x74) => {
                p.expect_word("true")?;
                Value::TRUE
            }
            Some(0x66) => {
                p.expect_word("false")?;
                Value::FALSE
            }
            Some(0x6E) => {
                p.expect_word("null")?;
                Value::NULL
            }
            Some(c) if c == b'-' as u16 || (0x30..=0x39).contains(&c) => Value::number(p.number()?),
            Some(_) => return Err(p.unexpected()),
        };
        if records && record.is_none() {
            let src = JsString::from_units(&mut vm.heap, &s[start..p.pos]);
            record = Some(make_record(vm, value, src.value(), Value::UNDEFINED));
        }
        // Store `value` into the innermost container and close finished ones.
        let mut value = value;
        loop {
            let Some(top) = stack.last_mut() else {
                result = (value, record);
                break 'outer;
            };
            let (obj, children) = (top.obj, top.children);
            if top.is_array {
                let i = top.index;
                top.index += 1;
                let _ = vm.create_data_property(obj, PropertyKey::Index(i), value);
                if let (Some(l), Some(r)) = (children, record) {
                    list_push(l, r.value());
                }
            } else {
                let key = pending_keys.pop().unwrap_or(PropertyKey::Index(0));
                let _ = vm.create_data_property(obj, key, value);
                if let (Some(l), Some(r)) = (children, record) {
                    let kv = vm.key_to_value(key);
                    list_push(l, kv);
                    list_push(l, r.value());
                }
            }
            p.skip_ws();
            let is_array = stack.last().is_some_and(|t| t.is_array);
            match p.peek() {
                Some(0x2C) => {
                    p.pos += 1;
                    if !is_array {
                        let key = parse_key(vm, &mut p, roots)?;
                        pending_keys.push(key);
                    }
                    continue 'outer;
                }
                Some(0x5D) if is_array => {
                    p.pos += 1;
                }
                Some(0x7D) if !is_array => {
                    p.pos += 1;
                }
                _ => return Err(p.unexpected()),
            }
            // Close the container; it becomes the value for its parent.
            let Some(done) = stack.pop() else { return Err(p.unexpected()) };
            value = done.obj.value();
            record = done.children.map(|l| make_record(vm, value, Value::UNDEFINED, l.value()));
        }
    }
    p.skip_ws();
    if p.pos < s.len() {
        return Err(Tok::Err(format!("Unexpected non-whitespace character after JSON at position {}", p.pos)));
    }
    Ok(result)
}

/// Parses `"key" :` inside an object and returns the key (rooted in `roots`).
fn parse_key(vm: &mut Vm, p: &mut Parser<'_>, roots: Gc<JsObject>) -> Result<PropertyKey, Tok> {
    p.skip_ws();
    if p.peek() != Some(0x22) {
        return Err(match p.peek() {
            None => Tok::Err("Unexpected end of JSON input".into()),
            Some(_) => Tok::Err(format!("Expected double-quoted property name in JSON at position {}", p.pos)),
        });
    }
    let units = p.string()?;
    let s = JsString::from_units(&mut vm.heap, &units);
    let key = vm.key_from_string(s);
    list_push(roots, key.to_value_or_undefined());
    p.skip_ws();
    if p.peek() != Some(0x3A) {
        return Err(match p.peek() {
            None => Tok::Err("Unexpected end of JSON input".into()),
            Some(_) => Tok::Err(format!("Expected ':' after property name in JSON at position {}", p.pos)),
        });
    }
    p.pos += 1;
    Ok(key)
}

fn parse(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let text = vm.to_string(a.arg(0))?;
    let units = text.to_units();
    let reviver = a.arg(1);
    let revive = Vm::is_callable(reviver);
    let (unfiltered, record) = json_parse_text(vm, &units, revive)?;
    if !revive {
        return Ok(unfiltered);
    }
    let root = vm.new_object();
    let empty = PropertyKey::Atom(vm.names.empty);
    vm.create_data_property_or_throw(root, empty, unfiltered)?;
    internalize(vm, root, empty, reviver, record)
}

/// EnumerableOwnProperties(O, key) as a rooted list of key values (strings).
fn enumerable_own_keys(vm: &mut Vm, o: Gc<JsObject>) -> JsResult<Gc<JsObject>> {
    let list = new_list(vm);
    for k in vm.own_property_keys(o)? {
        vm.poll_long_operation()?;
        if k.is_symbol() {
            continue;
        }
        if let Some(p) = vm.own_property(o, k)?
            && p.enumerable == Some(true)
        {
            let kv = vm.key_to_value(k);
            list_push(list, kv);
        }
    }
    Ok(list)
}

/// The record for key `k` among an object record's (key, record) pairs (last wins).
fn entry_record(children: Gc<JsObject>, k: Value) -> Option<Gc<JsObject>> {
    let n = list_len(children);
    let mut i = n;
    while i >= 2 {
        i -= 2;
        if Vm::strict_equals(list_get(children, i), k) {
            return JsObject::from_value(list_get(children, i + 1));
        }
    }
    None
}

/// InternalizeJSONProperty (with the JSON Parse Record snapshot, if any).
fn internalize(vm: &mut Vm, holder: Gc<JsObject>, name: PropertyKey, reviver: Value, record: Option<Gc<JsObject>>) -> JsResult<Value> {
    vm.check_native_stack()?;
    let val = vm.get(holder, name, holder.value())?;
    let context = vm.new_object();
    let mut children: Option<Gc<JsObject>> = None;
    if let Some((value, source, kids)) = record.map(record_fields)
        && Vm::same_value(value, val)
    {
        if !JsObject::is_object(val) {
            let skey = vm.key_from_str("source");
            vm.create_data_property_or_throw(context, skey, source)?;
        }
        children = JsObject::from_value(kids);
    }
    if let Some(o) = JsObject::from_value(val) {
        if vm.is_array_value(val)? {
            let len = vm.length_of_array_like(o)?;
            let nrec = children.map_or(0, list_len) as u64;
            for i in 0..len {
                let k = crate::vm::runtime::list::idx_key(vm, i);
                let rec = if i < nrec { children.and_then(|c| JsObject::from_value(list_get(c, i as usize))) } else { None };
                revive_member(vm, o, k, reviver, rec)?;
            }
        } else {
            let keys = enumerable_own_keys(vm, o)?;
            for i in 0..list_len(keys) {
                let kv = list_get(keys, i);
                let k = vm.to_property_key(kv)?;
                let rec = children.and_then(|c| entry_record(c, kv));
                revive_member(vm, o, k, reviver, rec)?;
            }
        }
    }
    let name_v = vm.key_to_value(name);
    vm.call(reviver, holder.value(), &[name_v, val, context.value()])
}

fn revive_member(vm: &mut Vm, o: Gc<JsObject>, k: PropertyKey, reviver: Value, record: Option<Gc<JsObject>>) -> JsResult<()> {
    let v = internalize(vm, o, k, reviver, record)?;
    if v.is_undefined() {
        vm.delete_property(o, k)?;
    } else {
        vm.create_data_property(o, k, v)?;
    }
    Ok(())
}

fn is_raw_json_obj(v: Value) -> bool {
    JsObject::from_value(v).is_some_and(|o| matches!(o.kind, ObjectKind::RawJson))
}

fn raw_json(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = vm.to_string(a.arg(0))?;
    let units = s.to_units();
    let ws = |c: u16| matches!(c, 0x09 | 0x0A | 0x0D | 0x20);
    match (units.first(), units.last()) {
        (Some(&f), Some(&l)) if !ws(f) && !ws(l) => {}
        _ => return Err(vm.syntax_error("Invalid value for JSON.rawJSON")),
    }
    if units[0] == 0x7B || units[0] == 0x5B {
        return Err(vm.syntax_error("JSON.rawJSON cannot be used with objects or arrays"));
    }
    json_parse_text(vm, &units, false)?;
    let o = vm.new_object_with_proto(Value::NULL, ObjectKind::RawJson);
    let key = vm.key_from_str("rawJSON");
    o.put_named(&mut vm.heap, key, s.value(), attrs::ENUMERABLE);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { o.m() }).extensible = false;
    Ok(o.value())
}

fn is_raw_json(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::bool(is_raw_json_obj(a.arg(0))))
}

// ----- stringify -----

struct State {
    replacer: Value,
    /// A list of property-name strings, or None.
    property_list: Option<Gc<JsObject>>,
    /// Objects being serialized (cycle detection).
    stack: Gc<JsObject>,
    gap: Vec<u16>,
    indent: Vec<u16>,
}

fn stringify(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (value, replacer, space) = (a.arg(0), a.arg(1), a.arg(2));
    let mut state = State { replacer: Value::UNDEFINED, property_list: None, stack: new_list(vm), gap: Vec::new(), indent: Vec::new() };
    if let Some(r) = JsObject::from_value(replacer) {
        if r.is_callable() {
            state.replacer = replacer;
        } else if vm.is_array_value(replacer)? {
            let list = new_list(vm);
            let len = vm.length_of_array_like(r)?;
            let mut seen: Vec<Vec<u16>> = Vec::new();
            for k in 0..len {
                let v = crate::vm::runtime::list::get_idx(vm, r, k)?;
                let item = if Vm::is_string(v) {
                    Some(Gc::<JsString>::from_value(v))
                } else if v.is_number() {
                    Some(vm.to_string(v)?)
                } else if let Some(o) = JsObject::from_value(v) {
                    if matches!(o.kind, ObjectKind::String(_) | ObjectKind::Number(_)) { Some(vm.to_string(v)?) } else { None }
                } else {
                    None
                };
                if let Some(s) = item {
                    let u = s.to_units();
                    if !seen.contains(&u) {
                        seen.push(u);
                        list_push(list, s.value());
                    }
                }
            }
            state.property_list = Some(list);
        }
    }
    let mut space = space;
    if let Some(o) = JsObject::from_value(space) {
        match o.kind {
            ObjectKind::Number(_) => space = Value::number(vm.to_number(space)?),
            ObjectKind::String(_) => space = vm.to_string(space)?.value(),
            _ => {}
        }
    }
    if space.is_number() {
        let n = crate::vm::runtime::number::integer_or_infinity(space.as_number()).min(10.0);
        if n >= 1.0 {
            state.gap = vec![b' ' as u16; n as usize];
        }
    } else if Vm::is_string(space) {
        let u = Gc::<JsString>::from_value(space).to_units();
        state.gap = u[..u.len().min(10)].to_vec();
    }
    let wrapper = vm.new_object();
    let empty = PropertyKey::Atom(vm.names.empty);
    vm.create_data_property_or_throw(wrapper, empty, value)?;
    let mut out: Vec<u16> = Vec::new();
    if serialize_property(vm, &mut state, empty, wrapper, &mut out)? { Ok(JsString::from_units(&mut vm.heap, &out).value()) } else { Ok(Value::UNDEFINED) }
}

fn check_out(vm: &mut Vm, out: &[u16]) -> JsResult<()> {
    if out.len() > crate::vm::object::string::MAX_STRING_LENGTH {
        return Err(vm.range_error("Invalid string length"));
    }
    // The result must fit in the heap too (2 bytes per unit).
    vm.reserve(out.len() * 2)
}

/// QuoteJSONString.
pub fn quote_json_string(out: &mut Vec<u16>, s: &[u16]) {
    out.push(b'"' as u16);
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        match c {
            0x08 => out.extend_from_slice(&[0x5C, b'b' as u16]),
            0x09 => out.extend_from_slice(&[0x5C, b't' as u16]),
            0x0A => out.extend_from_slice(&[0x5C, b'n' as u16]),
            0x0C => out.extend_from_slice(&[0x5C, b'f' as u16]),
            0x0D => out.extend_from_slice(&[0x5C, b'r' as u16]),
            0x22 => out.extend_from_slice(&[0x5C, 0x22]),
            0x5C => out.extend_from_slice(&[0x5C, 0x5C]),
            _ if c < 0x20 => push_u_escape(out, c),
            0xD800..=0xDBFF => {
                if i + 1 < s.len() && (0xDC00..=0xDFFF).contains(&s[i + 1]) {
                    out.push(c);
                    out.push(s[i + 1]);
                    i += 1;
                } else {
                    push_u_escape(out, c);
                }
            }
            0xDC00..=0xDFFF => push_u_escape(out, c),
            _ => out.push(c),
        }
        i += 1;
    }
    out.push(b'"' as u16);
}

fn push_u_escape(out: &mut Vec<u16>, c: u16) {
    let hex = format!("\\u{c:04x}");
    out.extend(hex.encode_utf16());
}

/// SerializeJSONProperty: appends the serialization of holder[key] to `out`;
/// returns false (appending nothing) when the result is undefined.
fn serialize_property(vm: &mut Vm, st: &mut State, key: PropertyKey, holder: Gc<JsObject>, out: &mut Vec<u16>) -> JsResult<bool> {
    let mut value = vm.get(holder, key, holder.value())?;
    if JsObject::is_object(value) || Vm::is_bigint(value) {
        let tkey = vm.key_from_str("toJSON");
        let to_json = vm.get_v(value, tkey)?;
        if Vm::is_callable(to_json) {
            let kv = vm.key_to_value(key);
            value = vm.call(to_json, value, &[kv])?;
        }
    }
    if !st.replacer.is_undefined() {
        let kv = vm.key_to_value(key);
        value = vm.call(st.replacer, holder.value(), &[kv, value])?;
    }
    if is_raw_json_obj(value) {
        let key = vm.key_from_str("rawJSON");
        let raw = vm.get_v(value, key)?;
        out.extend(vm.to_string(raw)?.to_units());
        return Ok(true);
    }
    if let Some(o) = JsObject::from_value(value) {
        match o.kind {
            ObjectKind::Number(_) => value = Value::number(vm.to_number(value)?),
            ObjectKind::String(_) => value = vm.to_string(value)?.value(),
            ObjectKind::Boolean(b) => value = Value::bool(b),
            ObjectKind::BigInt(b) => value = b.value(),
            _ => {}
        }
    }
    if Vm::is_bigint(value) {
        return Err(vm.type_error("Do not know how to serialize a BigInt"));
    }
    if value.is_null() {
        out.extend("null".encode_utf16());
        return Ok(true);
    }
    if value.is_bool() {
        out.extend((if value.as_bool() { "true" } else { "false" }).encode_utf16());
        return Ok(true);
    }
    if Vm::is_string(value) {
        let u = Gc::<JsString>::from_value(value).to_units();
        quote_json_string(out, &u);
        check_out(vm, out)?;
        return Ok(true);
    }
    if value.is_number() {
        let d = value.as_number();
        if d.is_finite() {
            out.extend(crate::vm::runtime::number::number_to_string(d).encode_utf16());
        } else {
            out.extend("null".encode_utf16());
        }
        return Ok(true);
    }
    if let Some(o) = JsObject::from_value(value)
        && !o.is_callable()
    {
        if vm.is_array_value(value)? {
            serialize_array(vm, st, o, out)?;
        } else {
            serialize_object(vm, st, o, out)?;
        }
        return Ok(true);
    }
    Ok(false)
}

fn enter(vm: &mut Vm, st: &mut State, o: Gc<JsObject>) -> JsResult<()> {
    vm.check_native_stack()?;
    let n = list_len(st.stack);
    if (0..n).any(|i| list_get(st.stack, i) == o.value()) {
        return Err(vm.type_error("Converting circular structure to JSON"));
    }
    list_push(st.stack, o.value());
    Ok(())
}

fn leave(st: &mut State) {
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    if let ObjectKind::List(v) = &mut unsafe { st.stack.m() }.kind {
        v.pop();
    }
}

fn newline_indent(out: &mut Vec<u16>, indent: &[u16]) {
    out.push(b'\n' as u16);
    out.extend_from_slice(indent);
}

fn serialize_object(vm: &mut Vm, st: &mut State, o: Gc<JsObject>, out: &mut Vec<u16>) -> JsResult<()> {
    enter(vm, st, o)?;
    let stepback_len = st.indent.len();
    let gap = st.gap.clone();
    st.indent.extend_from_slice(&gap);
    let keys = match st.property_list {
        Some(l) => l,
        None => enumerable_own_keys(vm, o)?,
    };
    out.push(b'{' as u16);
    let mut any = false;
    for i in 0..list_len(keys) {
        vm.poll_long_operation()?;
        let kv = list_get(keys, i);
        let k = vm.to_property_key(kv)?;
        let mark = out.len();
        if any {
            out.push(b',' as u16);
        }
        if !gap.is_empty() {
            newline_indent(out, &st.indent);
        }
        let ku = Gc::<JsString>::try_from_value(kv).map(|s| s.to_units()).unwrap_or_default();
        quote_json_string(out, &ku);
        out.push(b':' as u16);
        if !gap.is_empty() {
            out.push(b' ' as u16);
        }
        if serialize_property(vm, st, k, o, out)? {
            any = true;
        } else {
            out.truncate(mark);
        }
        check_out(vm, out)?;
    }
    st.indent.truncate(stepback_len);
    if any && !gap.is_empty() {
        newline_indent(out, &st.indent);
    }
    out.push(b'}' as u16);
    leave(st);
    Ok(())
}

fn serialize_array(vm: &mut Vm, st: &mut State, o: Gc<JsObject>, out: &mut Vec<u16>) -> JsResult<()> {
    enter(vm, st, o)?;
    let stepback_len = st.indent.len();
    let gap = st.gap.clone();
    st.indent.extend_from_slice(&gap);
    let len = vm.length_of_array_like(o)?;
    out.push(b'[' as u16);
    for i in 0..len {
        vm.poll_long_operation()?;
        if i > 0 {
            out.push(b',' as u16);
        }
        if !gap.is_empty() {
            newline_indent(out, &st.indent);
        }
        let k = crate::vm::runtime::list::idx_key(vm, i);
        if !serialize_property(vm, st, k, o, out)? {
            out.extend("null".encode_utf16());
        }
        check_out(vm, out)?;
    }
    st.indent.truncate(stepback_len);
    if len > 0 && !gap.is_empty() {
        newline_indent(out, &st.indent);
    }
    out.push(b']' as u16);
    leave(st);
    Ok(())
}
