//! One-line object summaries for `queryObjects(ctor, { format: 'summary' })`:
//! Node's `util.inspect(obj, { depth: 0 })` for the common cases (class
//! instances and plain objects with their own enumerable properties, nested
//! objects as `[Object]`, `[Array]`, `[ClassName]`), read without running
//! script code: getters show as `[Getter]`, names come from own data properties.

use super::prototype_chain_contains;
use crate::vm::heap::Gc;
use crate::vm::object::attrs;
use crate::vm::object::function::ClassKind;
use crate::vm::object::{JsObject, JsString, ObjectKind, PropertyKey, Symbol};
use crate::vm::runtime::names::Names;
use crate::vm::runtime::number::number_to_string;
use crate::vm::value::Value;

/// Node's default line width.
const BREAK_LENGTH: usize = 80;

/// `util.inspect(obj, { depth: 0 })` for `obj`.
pub fn summarize(vm: &crate::vm::isolate::Vm, obj: Gc<JsObject>) -> String {
    let names = &vm.names;
    let prefix = match constructor_name(names, obj) {
        None => "[Object: null prototype] ".to_string(),
        Some(n) if n == "Object" => String::new(),
        Some(n) if obj.is_array() => format!("{n}({}) ", obj.array_length()),
        Some(n) => format!("{n} "),
    };
    let (open, close) = if obj.is_array() { ("[", "]") } else { ("{", "}") };
    let mut entries = Vec::new();
    for i in obj.element_indices() {
        if let Some(p) = obj.get_own_element(i)
            && p.attrs & attrs::ENUMERABLE != 0
        {
            let v = if p.is_accessor() { accessor_text(p.value) } else { nested(names, p.value) };
            entries.push(if obj.is_array() { v } else { format!("'{i}': {v}") });
        }
    }
    let keys = obj.named_keys();
    for symbols in [false, true] {
        for &(key, a) in &keys {
            if a & attrs::ENUMERABLE == 0 || key.is_symbol() != symbols {
                continue;
            }
            let Some(p) = obj.get_own_named(key) else { continue };
            let v = if p.is_accessor() { accessor_text(p.value) } else { nested(names, p.value) };
            entries.push(format!("{}: {v}", key_text(key)));
        }
    }
    let open = format!("{prefix}{open}");
    if entries.is_empty() {
        return format!("{open}{close}");
    }
    // Node's reduceToSingleString with compact = 3 at the top level.
    let start = entries.len() + open.len() + 10;
    let mut total = entries.len() + start;
    let fits = total + entries.len() <= BREAK_LENGTH
        && entries.iter().all(|e| {
            total += e.len();
            total <= BREAK_LENGTH
        });
    let joined = entries.join(", ");
    if fits && !joined.contains('\n') { format!("{open} {joined} {close}") } else { format!("{open}\n  {}\n{close}", entries.join(",\n  ")) }
}

fn own_data(obj: Gc<JsObject>, atom: Gc<JsString>) -> Option<Value> {
    obj.get_own_named(PropertyKey::Atom(atom)).filter(|p| !p.is_accessor()).map(|p| p.value)
}

fn function_name(names: &Names, f: Gc<JsObject>) -> String {
    own_data(f, names.name).and_then(Gc::<JsString>::try_from_value).map(|s| s.to_rust_string()).unwrap_or_default()
}

/// Node's getConstructorName: the first object on the chain (starting with
/// `obj`) whose own `constructor` is a named function `obj` is an instance
/// of. None for a null-prototype object.
fn constructor_name(names: &Names, obj: Gc<JsObject>) -> Option<String> {
    let mut cur = Some(obj);
    let mut steps = 0;
    while let Some(o) = cur {
        if let Some(ctor) = own_data(o, names.constructor).and_then(JsObject::from_value)
            && ctor.is_callable()
        {
            let name = function_name(names, ctor);
            let proto = own_data(ctor, names.prototype);
            if !name.is_empty() && proto.is_some_and(|p| prototype_chain_contains(&obj, p)) {
                return Some(name);
            }
        }
        steps += 1;
        if steps > 10_000 {
            break;
        }
        cur = JsObject::from_value(o.proto());
    }
    if obj.proto().is_null() { None } else { Some("Object".to_string()) }
}

fn accessor_text(pair: Value) -> String {
    let pair: Gc<crate::vm::object::AccessorPair> = Gc::from_value(pair);
    match (pair.getter.is_undefined(), pair.setter.is_undefined()) {
        (false, false) => "[Getter/Setter]",
        (false, true) => "[Getter]",
        (true, false) => "[Setter]",
        (true, true) => "undefined",
    }
    .to_string()
}

/// A property value one level down (depth exceeded for objects).
fn nested(names: &Names, v: Value) -> String {
    let Some(o) = JsObject::from_value(v) else { return primitive(v) };
    match &o.kind {
        ObjectKind::Function(f) => {
            let name = function_name(names, o);
            if f.class_kind != ClassKind::NotClass {
                if name.is_empty() { "[class (anonymous)]".to_string() } else { format!("[class {name}]") }
            } else if name.is_empty() {
                "[Function (anonymous)]".to_string()
            } else {
                format!("[Function: {name}]")
            }
        }
        ObjectKind::Array { .. } => "[Array]".to_string(),
        _ => match constructor_name(names, o) {
            None => "[Object: null prototype]".to_string(),
            Some(n) => format!("[{n}]"),
        },
    }
}

fn primitive(v: Value) -> String {
    if v.is_undefined() {
        "undefined".to_string()
    } else if v.is_null() {
        "null".to_string()
    } else if v.is_bool() {
        v.as_bool().to_string()
    } else if v.is_number() {
        let d = v.as_number();
        if d == 0.0 && d.is_sign_negative() { "-0".to_string() } else { number_to_string(d) }
    } else if let Some(s) = Gc::<JsString>::try_from_value(v) {
        quote(&s.to_rust_string())
    } else if let Some(s) = Gc::<Symbol>::try_from_value(v) {
        symbol_text(s)
    } else {
        String::new()
    }
}

fn symbol_text(s: Gc<Symbol>) -> String {
    match Gc::<JsString>::try_from_value(s.description) {
        Some(d) => format!("Symbol({})", d.to_rust_string()),
        None => "Symbol()".to_string(),
    }
}

fn key_text(key: PropertyKey) -> String {
    match key {
        PropertyKey::Index(i) => format!("'{i}'"),
        PropertyKey::Symbol(s) => format!("[{}]", symbol_text(s)),
        PropertyKey::Atom(a) => {
            let k = a.to_rust_string();
            let mut chars = k.chars();
            let ident = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
            if ident { k } else { quote(&k) }
        }
    }
}

/// Node's strEscape: single quotes unless the text has some and no double
/// quotes (then double), or has both and no backticks (then backticks).
fn quote(s: &str) -> String {
    let q = if !s.contains('\'') {
        '\''
    } else if !s.contains('"') {
        '"'
    } else if !s.contains('`') && !s.contains("${") {
        '`'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(q);
    out
}
