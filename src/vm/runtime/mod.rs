//! Abstract operations of the spec: type conversion, property access on
//! ordinary and exotic (array, string) objects, equality, errors with V8-style
//! stacks, and helpers that builtins use to define functions and properties.

pub mod async_generator;
pub mod define;
pub mod describe;
pub mod descriptor;
pub mod iteration;
pub mod jobs;
pub mod list;
pub mod names;
pub mod number;
pub mod promise;
pub mod realm;
pub mod strings;

use crate::vm::heap::{CellKind, Gc};
use crate::vm::isolate::Vm;
use crate::vm::object::function::ClassKind;
use crate::vm::object::{AccessorPair, FunctionData, FunctionKind, JsObject, JsString, NativeFn, ObjectKind, OwnProperty, PropertyKey, Symbol, attrs};
use crate::vm::value::Value;
use crate::vm::{JsResult, Unwind};
use realm::{Intrinsic, Realm};

/// A property descriptor with optional fields (spec PropertyDescriptor).
#[derive(Clone, Copy, Debug, Default)]
pub struct PropertyDescriptor {
    pub value: Option<Value>,
    pub writable: Option<bool>,
    pub get: Option<Value>,
    pub set: Option<Value>,
    pub enumerable: Option<bool>,
    pub configurable: Option<bool>,
}

impl PropertyDescriptor {
    pub fn data(value: Value, a: u8) -> Self {
        PropertyDescriptor {
            value: Some(value),
            writable: Some(a & attrs::WRITABLE != 0),
            enumerable: Some(a & attrs::ENUMERABLE != 0),
            configurable: Some(a & attrs::CONFIGURABLE != 0),
            ..Default::default()
        }
    }
    pub fn is_accessor(&self) -> bool {
        self.get.is_some() || self.set.is_some()
    }
    pub fn is_data(&self) -> bool {
        self.value.is_some() || self.writable.is_some()
    }
    fn from_own(p: OwnProperty) -> Self {
        if p.is_accessor() {
            let pair = p.accessor();
            PropertyDescriptor {
                get: Some(pair.getter),
                set: Some(pair.setter),
                enumerable: Some(p.attrs & attrs::ENUMERABLE != 0),
                configurable: Some(p.attrs & attrs::CONFIGURABLE != 0),
                ..Default::default()
            }
        } else {
            PropertyDescriptor::data(p.value, p.attrs)
        }
    }
}

/// The native error constructors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorType {
    Error,
    TypeError,
    RangeError,
    SyntaxError,
    ReferenceError,
    EvalError,
    UriError,
}

impl ErrorType {
    pub fn prototype(self) -> Intrinsic {
        match self {
            ErrorType::Error => Intrinsic::ErrorPrototype,
            ErrorType::TypeError => Intrinsic::TypeErrorPrototype,
            ErrorType::RangeError => Intrinsic::RangeErrorPrototype,
            ErrorType::SyntaxError => Intrinsic::SyntaxErrorPrototype,
            ErrorType::ReferenceError => Intrinsic::ReferenceErrorPrototype,
            ErrorType::EvalError => Intrinsic::EvalErrorPrototype,
            ErrorType::UriError => Intrinsic::UriErrorPrototype,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    Default,
    Number,
    String,
}

impl Vm {
    // ----- errors -----

    /// Creates an error object of `kind` in the current realm with a stack trace.
    pub fn make_error(&mut self, kind: ErrorType, message: &str) -> Gc<JsObject> {
        let realm = self.realm();
        let proto = realm.intrinsic(kind.prototype());
        let obj = self.new_object_with_proto(proto, ObjectKind::Error);
        let msg = self.string_value(message);
        let key = PropertyKey::Atom(self.names.message);
        obj.put_named(&mut self.heap, key, msg, attrs::HIDDEN);
        self.attach_stack(obj);
        obj
    }

    /// Defines the V8-style `stack` property ("Name: message\n    at f (file:1:2)").
    pub fn attach_stack(&mut self, obj: Gc<JsObject>) {
        let header = match self.error_header(obj.value()) {
            Some(h) => h,
            None => return,
        };
        let mut text = header;
        for line in self.stack_trace_lines(10) {
            text.push_str("\n    at ");
            text.push_str(&line);
        }
        let v = self.string_value(&text);
        let key = PropertyKey::Atom(self.names.stack);
        obj.put_named(&mut self.heap, key, v, attrs::HIDDEN);
    }

    fn error_header(&mut self, v: Value) -> Option<String> {
        let obj = JsObject::from_value(v)?;
        let name = self.get_data_chain(obj, PropertyKey::Atom(self.names.name));
        let msg = self.get_data_chain(obj, PropertyKey::Atom(self.names.message));
        let name = name.and_then(Gc::<JsString>::try_from_value).map(|s| s.to_rust_string());
        let msg = msg.and_then(Gc::<JsString>::try_from_value).map(|s| s.to_rust_string());
        let name = name.unwrap_or_else(|| "Error".into());
        Some(match msg {
            Some(m) if !m.is_empty() => format!("{name}: {m}"),
            _ => name,
        })
    }

    /// A data property's value along the prototype chain without running getters.
    pub fn get_data_chain(&self, obj: Gc<JsObject>, key: PropertyKey) -> Option<Value> {
        let mut o = obj;
        loop {
            if let Some(p) = o.get_own_named(key) {
                return if p.is_accessor() { None } else { Some(p.value) };
            }
            o = JsObject::from_value(o.proto())?;
        }
    }

    /// "fn (file:line:col)" for the innermost `limit` JS frames.
    pub fn stack_trace_lines(&self, limit: usize) -> Vec<String> {
        let mut out = Vec::new();
        for f in self.frames.iter().rev().take(limit) {
            let pos = f.code.position_of(f.pc.saturating_sub(1));
            let (line, col) = f.code.source.line_col(pos);
            let file = &f.code.source.name;
            let name = f.code.name_string();
            if name.is_empty() || f.code.flags.is_script {
                out.push(format!("{file}:{line}:{col}"));
            } else {
                out.push(format!("{name} ({file}:{line}:{col})"));
            }
        }
        out
    }

    pub fn throw_error(&mut self, kind: ErrorType, message: &str) -> Unwind {
        Unwind::Throw(self.make_error(kind, message).value())
    }
    pub fn type_error(&mut self, message: &str) -> Unwind {
        self.throw_error(ErrorType::TypeError, message)
    }
    pub fn range_error(&mut self, message: &str) -> Unwind {
        self.throw_error(ErrorType::RangeError, message)
    }
    pub fn reference_error(&mut self, message: &str) -> Unwind {
        self.throw_error(ErrorType::ReferenceError, message)
    }
    pub fn syntax_error(&mut self, message: &str) -> Unwind {
        self.throw_error(ErrorType::SyntaxError, message)
    }

    // ----- object creation -----

    pub fn new_object_with_proto(&mut self, proto: Value, kind: ObjectKind) -> Gc<JsObject> {
        let shape = JsObject::root_shape_for(&mut self.heap, proto, self.null_root_shape);
        JsObject::new(&mut self.heap, shape, kind)
    }
    pub fn new_object(&mut self) -> Gc<JsObject> {
        let proto = self.realm().intrinsic(Intrinsic::ObjectPrototype);
        self.new_object_with_proto(proto, ObjectKind::Ordinary)
    }
    pub fn new_array(&mut self, length: u32) -> Gc<JsObject> {
        let proto = self.realm().intrinsic(Intrinsic::ArrayPrototype);
        self.new_object_with_proto(proto, ObjectKind::Array { length, length_writable: true })
    }
    pub fn array_from(&mut self, values: &[Value]) -> Gc<JsObject> {
        let a = self.new_array(values.len() as u32);
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        (unsafe { a.m() }).elements = crate::vm::object::Elements::Dense(values.to_vec());
        self.heap.external_bytes += values.len() * 8;
        a
    }

    /// A native function object in `realm` (not a constructor unless `ctor`).
    pub fn new_native_function(&mut self, realm: Gc<Realm>, f: NativeFn, name: &str, length: u32, ctor: bool) -> Gc<JsObject> {
        self.new_function_object(realm, FunctionKind::Native { f, data: Value::UNDEFINED }, name, length, ctor)
    }

    pub fn new_function_object(&mut self, realm: Gc<Realm>, kind: FunctionKind, name: &str, length: u32, ctor: bool) -> Gc<JsObject> {
        let proto = match &kind {
            FunctionKind::Bytecode { code, .. } if code.flags.generator && code.flags.is_async => realm.intrinsic(Intrinsic::AsyncGeneratorFunctionPrototype),
            FunctionKind::Bytecode { code, .. } if code.flags.generator => realm.intrinsic(Intrinsic::GeneratorFunctionPrototype),
            FunctionKind::Bytecode { code, .. } if code.flags.is_async => realm.intrinsic(Intrinsic::AsyncFunctionPrototype),
            _ => realm.intrinsic(Intrinsic::FunctionPrototype),
        };
        let data = FunctionData {
            kind,
            realm,
            home_object: Value::UNDEFINED,
            this_value: Value::UNDEFINED,
            new_target: Value::UNDEFINED,
            is_constructor: ctor,
            class_kind: ClassKind::NotClass,
            fields: Value::UNDEFINED,
        };
        let f = self.new_object_with_proto(proto, ObjectKind::Function(Box::new(data)));
        let len_key = PropertyKey::Atom(self.names.length);
        f.put_named(&mut self.heap, len_key, Value::int(length as i32), attrs::CONFIGURABLE);
        let name_v = self.string_value(name);
        let name_key = PropertyKey::Atom(self.names.name);
        f.put_named(&mut self.heap, name_key, name_v, attrs::CONFIGURABLE);
        f
    }

    /// Defines a builtin method (writable, configurable, not enumerable).
    pub fn define_method(&mut self, obj: Gc<JsObject>, name: &str, f: NativeFn, length: u32) -> Gc<JsObject> {
        let realm = self.realm();
        let func = self.new_native_function(realm, f, name, length, false);
        let key = PropertyKey::Atom(self.atom(name));
        obj.put_named(&mut self.heap, key, func.value(), attrs::HIDDEN);
        func
    }
    /// Defines a builtin method under a symbol key; the name is "[description]".
    pub fn define_symbol_method(&mut self, obj: Gc<JsObject>, sym: Gc<Symbol>, name: &str, f: NativeFn, length: u32, a: u8) -> Gc<JsObject> {
        let realm = self.realm();
        let func = self.new_native_function(realm, f, name, length, false);
        obj.put_named(&mut self.heap, PropertyKey::Symbol(sym), func.value(), a);
        func
    }
    /// Defines a getter (and optional setter) accessor property.
    pub fn define_accessor(&mut self, obj: Gc<JsObject>, key: PropertyKey, getter: Option<NativeFn>, setter: Option<NativeFn>, display: &str) {
        let realm = self.realm();
        let g = getter.map_or(Value::UNDEFINED, |f| self.new_native_function(realm, f, &format!("get {display}"), 0, false).value());
        let s = setter.map_or(Value::UNDEFINED, |f| self.new_native_function(realm, f, &format!("set {display}"), 1, false).value());
        let pair = AccessorPair::new(&mut self.heap, g, s);
        obj.put_named(&mut self.heap, key, pair.value(), attrs::CONFIGURABLE | attrs::ACCESSOR);
    }
    pub fn define_value(&mut self, obj: Gc<JsObject>, name: &str, v: Value, a: u8) {
        let key = self.key_from_str(name);
        self.define_raw(obj, key, v, a);
    }
    /// Stores a property with no checks (builtin setup, object literals on fresh objects).
    pub fn define_raw(&mut self, obj: Gc<JsObject>, key: PropertyKey, v: Value, a: u8) {
        match key {
            PropertyKey::Index(i) => {
                obj.put_element(&mut self.heap, i, v, a);
                if let ObjectKind::Array { length, .. } = obj.kind
                    && i >= length
                {
                    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                    (unsafe { obj.m() }).set_array_length_raw(i + 1);
                }
            }
            _ => obj.put_named(&mut self.heap, key, v, a),
        }
    }

    pub fn key_from_str(&mut self, s: &str) -> PropertyKey {
        let atom = self.atom(s);
        match atom.as_array_index() {
            Some(i) => PropertyKey::Index(i),
            None => PropertyKey::Atom(atom),
        }
    }
    pub fn key_from_string(&mut self, s: Gc<JsString>) -> PropertyKey {
        if let Some(i) = s.as_array_index() {
            return PropertyKey::Index(i);
        }
        PropertyKey::Atom(self.atoms.intern(&mut self.heap, s))
    }
    pub fn key_to_value(&mut self, key: PropertyKey) -> Value {
        match key {
            PropertyKey::Index(i) => self.number_to_jsstring(i as f64).value(),
            PropertyKey::Atom(s) => s.value(),
            PropertyKey::Symbol(s) => s.value(),
        }
    }

    // ----- type tests -----

    pub fn is_string(v: Value) -> bool {
        v.cell_kind() == Some(CellKind::String)
    }
    pub fn is_symbol(v: Value) -> bool {
        v.cell_kind() == Some(CellKind::Symbol)
    }
    pub fn is_callable(v: Value) -> bool {
        JsObject::from_value(v).is_some_and(|o| o.is_callable())
    }
    pub fn is_constructor(v: Value) -> bool {
        JsObject::from_value(v).is_some_and(|o| match &o.kind {
            ObjectKind::Function(f) => match &f.kind {
                FunctionKind::Bound { target, .. } => Vm::is_constructor(*target),
                _ => f.is_constructor,
            },
            _ => false,
        })
    }

    /// The `typeof` string.
    pub fn type_of(&self, v: Value) -> Gc<JsString> {
        let n = &self.names;
        if v.is_number() {
            return n.number;
        }
        match v.cell_kind() {
            Some(CellKind::String) => n.string,
            Some(CellKind::Symbol) => n.symbol,
            Some(CellKind::Object) => {
                if Vm::is_callable(v) {
                    n.function
                } else {
                    n.object
                }
            }
            _ if v.is_bool() => n.boolean,
            _ if v.is_undefined() => n.undefined,
            _ => n.object,
        }
    }

    // ----- conversions -----

    pub fn to_boolean(v: Value) -> bool {
        if v.is_bool() {
            return v.as_bool();
        }
        if v.is_int() {
            return v.as_int() != 0;
        }
        if v.is_number() {
            let d = v.as_number();
            return !(d == 0.0 || d.is_nan());
        }
        match v.cell_kind() {
            Some(CellKind::String) => !Gc::<JsString>::from_value(v).is_empty(),
            Some(_) => true,
            None => false,
        }
    }

    pub fn to_primitive(&mut self, v: Value, hint: Hint) -> JsResult<Value> {
        let Some(obj) = JsObject::from_value(v) else { return Ok(v) };
        let sym = self.symbols.to_primitive;
        let exotic = self.get(obj, PropertyKey::Symbol(sym), v)?;
        if !exotic.is_nullish() {
            if !Vm::is_callable(exotic) {
                return Err(self.type_error("Symbol.toPrimitive is not a function"));
            }
            let h = match hint {
                Hint::Default => self.names.default_,
                Hint::Number => self.names.number,
                Hint::String => self.names.string,
            };
            let r = self.call(exotic, v, &[h.value()])?;
            if JsObject::is_object(r) {
                return Err(self.type_error("Cannot convert object to primitive value"));
            }
            return Ok(r);
        }
        let order = if hint == Hint::String { [self.names.to_string, self.names.value_of] } else { [self.names.value_of, self.names.to_string] };
        for name in order {
            let f = self.get(obj, PropertyKey::Atom(name), v)?;
            if Vm::is_callable(f) {
                let r = self.call(f, v, &[])?;
                if !JsObject::is_object(r) {
                    return Ok(r);
                }
            }
        }
        Err(self.type_error("Cannot convert object to primitive value"))
    }

    pub fn to_number(&mut self, v: Value) -> JsResult<f64> {
        if v.is_number() {
            return Ok(v.as_number());
        }
        if v.is_undefined() {
            return Ok(f64::NAN);
        }
        if v.is_null() {
            return Ok(0.0);
        }
        if v.is_bool() {
            return Ok(if v.as_bool() { 1.0 } else { 0.0 });
        }
        match v.cell_kind() {
            Some(CellKind::String) => Ok(number::string_to_number(&Gc::<JsString>::from_value(v).to_units())),
            Some(CellKind::Symbol) => Err(self.type_error("Cannot convert a Symbol value to a number")),
            Some(CellKind::Object) => {
                let p = self.to_primitive(v, Hint::Number)?;
                self.to_number(p)
            }
            _ => Ok(f64::NAN),
        }
    }

    pub fn to_numeric(&mut self, v: Value) -> JsResult<Value> {
        if v.is_number() {
            return Ok(v);
        }
        Ok(Value::number(self.to_number(v)?))
    }

    pub fn to_integer_or_infinity(&mut self, v: Value) -> JsResult<f64> {
        let d = self.to_number(v)?;
        Ok(number::integer_or_infinity(d))
    }
    pub fn to_int32(&mut self, v: Value) -> JsResult<i32> {
        if v.is_int() {
            return Ok(v.as_int());
        }
        Ok(number::to_int32(self.to_number(v)?))
    }
    pub fn to_uint32(&mut self, v: Value) -> JsResult<u32> {
        Ok(self.to_int32(v)? as u32)
    }
    pub fn to_length(&mut self, v: Value) -> JsResult<u64> {
        let d = self.to_integer_or_infinity(v)?;
        Ok(if d <= 0.0 { 0 } else { d.min(9007199254740991.0) as u64 })
    }

    pub fn number_to_jsstring(&mut self, d: f64) -> Gc<JsString> {
        if d.is_nan() {
            return self.names.nan;
        }
        if d == 0.0 {
            return self.atom("0");
        }
        let s = number::number_to_string(d);
        self.string(&s)
    }

    pub fn to_string(&mut self, v: Value) -> JsResult<Gc<JsString>> {
        if v.is_int() {
            let s = v.as_int().to_string();
            return Ok(self.string(&s));
        }
        if v.is_number() {
            return Ok(self.number_to_jsstring(v.as_number()));
        }
        let n = &self.names;
        if v.is_undefined() {
            return Ok(n.undefined);
        }
        if v.is_null() {
            return Ok(n.null);
        }
        if v.is_bool() {
            return Ok(if v.as_bool() { n.true_ } else { n.false_ });
        }
        match v.cell_kind() {
            Some(CellKind::String) => Ok(Gc::from_value(v)),
            Some(CellKind::Symbol) => Err(self.type_error("Cannot convert a Symbol value to a string")),
            Some(CellKind::Object) => {
                let p = self.to_primitive(v, Hint::String)?;
                self.to_string(p)
            }
            _ => Ok(self.names.undefined),
        }
    }

    /// A value as error messages show it. Never runs JS and never throws:
    /// primitives are converted as ToString would (symbols as
    /// "Symbol(desc)"), objects are only named by what they are, so a
    /// `toString` or `valueOf` of the user's is never called (V8 does the same).
    pub fn display_string(&mut self, v: Value) -> String {
        if let Some(sym) = Gc::<Symbol>::try_from_value(v) {
            let d = if sym.description.is_undefined() { String::new() } else { Gc::<JsString>::from_value(sym.description).to_rust_string() };
            return format!("Symbol({d})");
        }
        if let Some(o) = JsObject::from_value(v) {
            return if o.is_callable() {
                "function".into()
            } else if o.is_array() {
                "[object Array]".into()
            } else {
                "#<Object>".into()
            };
        }
        match self.to_string(v) {
            Ok(s) => s.to_rust_string(),
            Err(_) => {
                self.pending_exception = None;
                String::new()
            }
        }
    }

    pub fn to_object(&mut self, v: Value) -> JsResult<Gc<JsObject>> {
        if let Some(o) = JsObject::from_value(v) {
            return Ok(o);
        }
        let realm = self.realm();
        let (proto, kind) = if v.is_number() {
            (Intrinsic::NumberPrototype, ObjectKind::Number(v.as_number()))
        } else if v.is_bool() {
            (Intrinsic::BooleanPrototype, ObjectKind::Boolean(v.as_bool()))
        } else if let Some(s) = Gc::<JsString>::try_from_value(v) {
            (Intrinsic::StringPrototype, ObjectKind::String(s))
        } else if let Some(s) = Gc::<Symbol>::try_from_value(v) {
            (Intrinsic::SymbolPrototype, ObjectKind::Symbol(s))
        } else {
            return Err(self.type_error("Cannot convert undefined or null to object"));
        };
        let p = realm.intrinsic(proto);
        Ok(self.new_object_with_proto(p, kind))
    }

    pub fn to_property_key(&mut self, v: Value) -> JsResult<PropertyKey> {
        if v.is_int() && v.as_int() >= 0 {
            return Ok(PropertyKey::Index(v.as_int() as u32));
        }
        if let Some(s) = Gc::<JsString>::try_from_value(v) {
            return Ok(self.key_from_string(s));
        }
        if let Some(s) = Gc::<Symbol>::try_from_value(v) {
            return Ok(PropertyKey::Symbol(s));
        }
        let p = self.to_primitive(v, Hint::String)?;
        if let Some(s) = Gc::<Symbol>::try_from_value(p) {
            return Ok(PropertyKey::Symbol(s));
        }
        let s = self.to_string(p)?;
        Ok(self.key_from_string(s))
    }

    // ----- equality -----

    pub fn strict_equals(a: Value, b: Value) -> bool {
        if a.is_number() && b.is_number() {
            return a.as_number() == b.as_number();
        }
        if a == b {
            return true;
        }
        match (Gc::<JsString>::try_from_value(a), Gc::<JsString>::try_from_value(b)) {
            (Some(x), Some(y)) => x.equals(&y),
            _ => false,
        }
    }
    pub fn same_value_zero(a: Value, b: Value) -> bool {
        if a.is_number() && b.is_number() {
            let (x, y) = (a.as_number(), b.as_number());
            return x == y || (x.is_nan() && y.is_nan());
        }
        Vm::strict_equals(a, b)
    }
    pub fn same_value(a: Value, b: Value) -> bool {
        if a.is_number() && b.is_number() {
            let (x, y) = (a.as_number(), b.as_number());
            return x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()) || (x == y && x != 0.0);
        }
        Vm::strict_equals(a, b)
    }
    pub fn loose_equals(&mut self, a: Value, b: Value) -> JsResult<bool> {
        if a.is_number() && b.is_number() {
            return Ok(a.as_number() == b.as_number());
        }
        let (sa, sb) = (Vm::is_string(a), Vm::is_string(b));
        if (sa && sb) || a == b {
            return Ok(Vm::strict_equals(a, b));
        }
        if a.is_nullish() && b.is_nullish() {
            return Ok(true);
        }
        if a.is_nullish() || b.is_nullish() {
            return Ok(false);
        }
        let (oa, ob) = (JsObject::is_object(a), JsObject::is_object(b));
        if oa && ob {
            return Ok(a == b);
        }
        if a.is_number() && sb {
            let n = self.to_number(b)?;
            return Ok(a.as_number() == n);
        }
        if sa && b.is_number() {
            let n = self.to_number(a)?;
            return Ok(n == b.as_number());
        }
        if a.is_bool() {
            let n = Value::number(if a.as_bool() { 1.0 } else { 0.0 });
            return self.loose_equals(n, b);
        }
        if b.is_bool() {
            let n = Value::number(if b.as_bool() { 1.0 } else { 0.0 });
            return self.loose_equals(a, n);
        }
        if (a.is_number() || sa || Vm::is_symbol(a)) && ob {
            let p = self.to_primitive(b, Hint::Default)?;
            return self.loose_equals(a, p);
        }
        if oa && (b.is_number() || sb || Vm::is_symbol(b)) {
            let p = self.to_primitive(a, Hint::Default)?;
            return self.loose_equals(p, b);
        }
        Ok(false)
    }

    // ----- own properties (ordinary + array/string exotic) -----

    /// [[GetOwnProperty]] without running JS.
    pub fn get_own_property(&mut self, obj: Gc<JsObject>, key: PropertyKey) -> Option<OwnProperty> {
        match key {
            PropertyKey::Index(i) => {
                if let Some(p) = obj.get_own_element(i) {
                    return Some(p);
                }
                if let ObjectKind::String(s) = &obj.kind
                    && (i as usize) < s.len()
                {
                    let u = s.to_units()[i as usize];
                    let c = JsString::from_units(&mut self.heap, &[u]);
                    return Some(OwnProperty { value: c.value(), attrs: attrs::ENUMERABLE });
                }
                None
            }
            PropertyKey::Atom(a) if a == self.names.length => match &obj.kind {
                ObjectKind::Array { length, length_writable } => {
                    Some(OwnProperty { value: Value::number(*length as f64), attrs: if *length_writable { attrs::WRITABLE } else { 0 } })
                }
                ObjectKind::String(s) => Some(OwnProperty { value: Value::int(s.len() as i32), attrs: 0 }),
                _ => obj.get_own_named(key),
            },
            _ => obj.get_own_named(key),
        }
    }

    pub fn get_own_property_descriptor(&mut self, obj: Gc<JsObject>, key: PropertyKey) -> Option<PropertyDescriptor> {
        self.get_own_property(obj, key).map(PropertyDescriptor::from_own)
    }

    /// [[DefineOwnProperty]] (ValidateAndApplyPropertyDescriptor + array exotic).
    pub fn define_own_property(&mut self, obj: Gc<JsObject>, key: PropertyKey, desc: PropertyDescriptor) -> JsResult<bool> {
        if obj.is_array() {
            if key == PropertyKey::Atom(self.names.length) {
                return self.array_set_length(obj, desc);
            }
            if let PropertyKey::Index(i) = key {
                let (len, writable) = match obj.kind {
                    ObjectKind::Array { length, length_writable } => (length, length_writable),
                    _ => unreachable!(),
                };
                if i >= len && !writable {
                    return Ok(false);
                }
                if !self.ordinary_define(obj, key, desc) {
                    return Ok(false);
                }
                if i >= len {
                    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                    (unsafe { obj.m() }).set_array_length_raw(i + 1);
                }
                return Ok(true);
            }
        }
        if let ObjectKind::String(s) = &obj.kind {
            let is_own_exotic = match key {
                PropertyKey::Index(i) => (i as usize) < s.len(),
                PropertyKey::Atom(a) => a == self.names.length,
                _ => false,
            };
            if is_own_exotic {
                let cur = self.get_own_property(obj, key).unwrap();
                return Ok(self.compatible_with_frozen(cur, desc));
            }
        }
        Ok(self.ordinary_define(obj, key, desc))
    }

    /// Whether `desc` may be applied to the non-configurable, non-writable `cur`.
    fn compatible_with_frozen(&self, cur: OwnProperty, desc: PropertyDescriptor) -> bool {
        if desc.configurable == Some(true) || desc.is_accessor() || desc.writable == Some(true) {
            return false;
        }
        if let Some(e) = desc.enumerable
            && e != (cur.attrs & attrs::ENUMERABLE != 0)
        {
            return false;
        }
        desc.value.is_none_or(|v| Vm::same_value(v, cur.value))
    }

    fn ordinary_define(&mut self, obj: Gc<JsObject>, key: PropertyKey, desc: PropertyDescriptor) -> bool {
        let current = self.get_own_property(obj, key);
        let Some(cur) = current else {
            if !obj.extensible {
                return false;
            }
            let mut a = 0;
            if desc.enumerable == Some(true) {
                a |= attrs::ENUMERABLE;
            }
            if desc.configurable == Some(true) {
                a |= attrs::CONFIGURABLE;
            }
            if desc.is_accessor() {
                let pair = AccessorPair::new(&mut self.heap, desc.get.unwrap_or(Value::UNDEFINED), desc.set.unwrap_or(Value::UNDEFINED));
                self.define_raw(obj, key, pair.value(), a | attrs::ACCESSOR);
            } else {
                if desc.writable == Some(true) {
                    a |= attrs::WRITABLE;
                }
                self.define_raw(obj, key, desc.value.unwrap_or(Value::UNDEFINED), a);
            }
            return true;
        };
        let configurable = cur.attrs & attrs::CONFIGURABLE != 0;
        let enumerable = cur.attrs & attrs::ENUMERABLE != 0;
        if !configurable {
            if desc.configurable == Some(true) {
                return false;
            }
            if desc.enumerable.is_some_and(|e| e != enumerable) {
                return false;
            }
            let generic = !desc.is_accessor() && !desc.is_data();
            if !generic && desc.is_accessor() != cur.is_accessor() {
                return false;
            }
            if cur.is_accessor() {
                let pair = cur.accessor();
                if desc.get.is_some_and(|g| g != pair.getter) || desc.set.is_some_and(|s| s != pair.setter) {
                    return false;
                }
            } else if cur.attrs & attrs::WRITABLE == 0 {
                if desc.writable == Some(true) {
                    return false;
                }
                if desc.value.is_some_and(|v| !Vm::same_value(v, cur.value)) {
                    return false;
                }
            }
        }
        // Apply.
        let mut a = cur.attrs & (attrs::ENUMERABLE | attrs::CONFIGURABLE);
        if let Some(e) = desc.enumerable {
            a = if e { a | attrs::ENUMERABLE } else { a & !attrs::ENUMERABLE };
        }
        if let Some(c) = desc.configurable {
            a = if c { a | attrs::CONFIGURABLE } else { a & !attrs::CONFIGURABLE };
        }
        if desc.is_accessor() {
            let (g0, s0) = if cur.is_accessor() {
                let p = cur.accessor();
                (p.getter, p.setter)
            } else {
                (Value::UNDEFINED, Value::UNDEFINED)
            };
            let pair = AccessorPair::new(&mut self.heap, desc.get.unwrap_or(g0), desc.set.unwrap_or(s0));
            self.define_raw(obj, key, pair.value(), a | attrs::ACCESSOR);
        } else if desc.is_data() || !cur.is_accessor() {
            let was_writable = !cur.is_accessor() && cur.attrs & attrs::WRITABLE != 0;
            let w = desc.writable.unwrap_or(was_writable);
            if w {
                a |= attrs::WRITABLE;
            }
            let v = desc.value.unwrap_or(if cur.is_accessor() { Value::UNDEFINED } else { cur.value });
            self.define_raw(obj, key, v, a);
        } else {
            // Generic descriptor on an accessor: keep the pair, update attributes.
            self.define_raw(obj, key, cur.value, a | attrs::ACCESSOR);
        }
        true
    }

    fn array_set_length(&mut self, arr: Gc<JsObject>, desc: PropertyDescriptor) -> JsResult<bool> {
        // ArraySetLength converts the value first (ToUint32, then ToNumber: both
        // observable), then validates the rest of the descriptor.
        let converted = match desc.value {
            Some(v) => {
                let new_len = self.to_uint32(v)?;
                let number_len = self.to_number(v)?;
                if new_len as f64 != number_len {
                    return Err(self.range_error("Invalid array length"));
                }
                Some(new_len)
            }
            None => None,
        };
        // Re-read after the conversions: valueOf may have changed the length.
        let (old_len, writable) = match arr.kind {
            ObjectKind::Array { length, length_writable } => (length, length_writable),
            _ => unreachable!(),
        };
        if desc.configurable == Some(true) || desc.enumerable == Some(true) || desc.is_accessor() {
            return Ok(false);
        }
        let Some(new_len) = converted else {
            if desc.writable == Some(true) && !writable {
                return Ok(false);
            }
            if desc.writable == Some(false) {
                // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                (unsafe { arr.m() }).kind = ObjectKind::Array { length: old_len, length_writable: false };
            }
            return Ok(true);
        };
        if new_len == old_len {
            if desc.writable == Some(true) && !writable {
                return Ok(false);
            }
            if desc.writable == Some(false) {
                // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                (unsafe { arr.m() }).kind = ObjectKind::Array { length: new_len, length_writable: false };
            }
            return Ok(true);
        }
        if !writable {
            return Ok(false);
        }
        let final_writable = desc.writable != Some(false);
        if new_len > old_len {
            // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
            (unsafe { arr.m() }).kind = ObjectKind::Array { length: new_len, length_writable: final_writable };
            return Ok(true);
        }
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        match unsafe { arr.m() }.truncate_elements(new_len) {
            Ok(()) => {
                // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                (unsafe { arr.m() }).kind = ObjectKind::Array { length: new_len, length_writable: final_writable };
                Ok(true)
            }
            Err(stuck) => {
                // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                (unsafe { arr.m() }).kind = ObjectKind::Array { length: stuck, length_writable: final_writable };
                Ok(false)
            }
        }
    }

    pub fn define_property_or_throw(&mut self, obj: Gc<JsObject>, key: PropertyKey, desc: PropertyDescriptor) -> JsResult<()> {
        if !self.define_own_property(obj, key, desc)? {
            let k = self.key_display(key);
            return Err(self.type_error(&format!("Cannot redefine property: {k}")));
        }
        Ok(())
    }

    pub fn create_data_property(&mut self, obj: Gc<JsObject>, key: PropertyKey, v: Value) -> JsResult<bool> {
        self.define_own_property(obj, key, PropertyDescriptor::data(v, attrs::DEFAULT))
    }
    pub fn create_data_property_or_throw(&mut self, obj: Gc<JsObject>, key: PropertyKey, v: Value) -> JsResult<()> {
        self.define_property_or_throw(obj, key, PropertyDescriptor::data(v, attrs::DEFAULT))
    }

    pub fn key_display(&mut self, key: PropertyKey) -> String {
        match key {
            PropertyKey::Index(i) => i.to_string(),
            PropertyKey::Atom(s) => s.to_rust_string(),
            PropertyKey::Symbol(s) => self.display_string(s.value()),
        }
    }

    // ----- [[Get]] / [[Set]] / [[HasProperty]] / [[Delete]] -----

    pub fn get(&mut self, obj: Gc<JsObject>, key: PropertyKey, receiver: Value) -> JsResult<Value> {
        let mut o = obj;
        loop {
            if let Some(p) = self.get_own_property(o, key) {
                if p.is_accessor() {
                    let getter = p.accessor().getter;
                    if getter.is_undefined() {
                        return Ok(Value::UNDEFINED);
                    }
                    return self.call(getter, receiver, &[]);
                }
                return Ok(p.value);
            }
            match JsObject::from_value(o.proto()) {
                Some(p) => o = p,
                None => return Ok(Value::UNDEFINED),
            }
        }
    }

    /// GetV: property lookup on any value (primitives use their prototype).
    pub fn get_v(&mut self, v: Value, key: PropertyKey) -> JsResult<Value> {
        if let Some(o) = JsObject::from_value(v) {
            return self.get(o, key, v);
        }
        if let Some(s) = Gc::<JsString>::try_from_value(v) {
            match key {
                PropertyKey::Atom(a) if a == self.names.length => return Ok(Value::int(s.len() as i32)),
                PropertyKey::Index(i) if (i as usize) < s.len() => {
                    let u = s.unit_at_any(i as usize);
                    return Ok(JsString::from_units(&mut self.heap, &[u]).value());
                }
                _ => {}
            }
        }
        let proto = self.prototype_for_primitive(v, key)?;
        self.get(proto, key, v)
    }

    fn prototype_for_primitive(&mut self, v: Value, key: PropertyKey) -> JsResult<Gc<JsObject>> {
        let realm = self.realm();
        let i = if v.is_number() {
            Intrinsic::NumberPrototype
        } else if v.is_bool() {
            Intrinsic::BooleanPrototype
        } else if Vm::is_string(v) {
            Intrinsic::StringPrototype
        } else if Vm::is_symbol(v) {
            Intrinsic::SymbolPrototype
        } else {
            let k = self.key_display(key);
            let what = if v.is_null() { "null" } else { "undefined" };
            return Err(self.type_error(&format!("Cannot read properties of {what} (reading '{k}')")));
        };
        Ok(realm.proto(i))
    }

    /// OrdinarySet. Returns false when the assignment was rejected.
    pub fn set(&mut self, obj: Gc<JsObject>, key: PropertyKey, v: Value, receiver: Value) -> JsResult<bool> {
        // Fast path: own writable data property on the receiver itself.
        if receiver == obj.value()
            && let Some(p) = self.get_own_property(obj, key)
            && !p.is_accessor()
        {
            if p.attrs & attrs::WRITABLE == 0 {
                return Ok(false);
            }
            return match key {
                PropertyKey::Index(_) => self.define_own_property(obj, key, PropertyDescriptor { value: Some(v), ..Default::default() }),
                PropertyKey::Atom(a) if a == self.names.length && obj.is_array() => {
                    self.define_own_property(obj, key, PropertyDescriptor { value: Some(v), ..Default::default() })
                }
                _ => Ok(obj.set_named_value(key, v)),
            };
        }
        let mut o = obj;
        let found = loop {
            if let Some(p) = self.get_own_property(o, key) {
                break Some(p);
            }
            match JsObject::from_value(o.proto()) {
                Some(p) => o = p,
                None => break None,
            }
        };
        if let Some(p) = found {
            if p.is_accessor() {
                let setter = p.accessor().setter;
                if setter.is_undefined() {
                    return Ok(false);
                }
                self.call(setter, receiver, &[v])?;
                return Ok(true);
            }
            if p.attrs & attrs::WRITABLE == 0 {
                return Ok(false);
            }
        }
        let Some(recv) = JsObject::from_value(receiver) else { return Ok(false) };
        if let Some(existing) = self.get_own_property(recv, key) {
            if existing.is_accessor() || existing.attrs & attrs::WRITABLE == 0 {
                return Ok(false);
            }
            return self.define_own_property(recv, key, PropertyDescriptor { value: Some(v), ..Default::default() });
        }
        self.create_data_property(recv, key, v)
    }

    /// PutValue on a property reference of any base value.
    pub fn put_v(&mut self, base: Value, key: PropertyKey, v: Value, strict: bool) -> JsResult<()> {
        let ok = match JsObject::from_value(base) {
            Some(o) => self.set(o, key, v, base)?,
            None => {
                if base.is_nullish() {
                    let k = self.key_display(key);
                    let what = if base.is_null() { "null" } else { "undefined" };
                    return Err(self.type_error(&format!("Cannot set properties of {what} (setting '{k}')")));
                }
                let proto = self.prototype_for_primitive(base, key)?;
                self.set(proto, key, v, base)?
            }
        };
        if !ok && strict {
            let k = self.key_display(key);
            return Err(self.type_error(&format!("Cannot assign to read only property '{k}' of object")));
        }
        Ok(())
    }

    pub fn has_property(&mut self, obj: Gc<JsObject>, key: PropertyKey) -> JsResult<bool> {
        let mut o = obj;
        loop {
            if self.get_own_property(o, key).is_some() {
                return Ok(true);
            }
            match JsObject::from_value(o.proto()) {
                Some(p) => o = p,
                None => return Ok(false),
            }
        }
    }

    pub fn delete_property(&mut self, obj: Gc<JsObject>, key: PropertyKey) -> JsResult<bool> {
        let Some(p) = self.get_own_property(obj, key) else { return Ok(true) };
        if p.attrs & attrs::CONFIGURABLE == 0 {
            return Ok(false);
        }
        match key {
            PropertyKey::Index(i) => {
                // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                (unsafe { obj.m() }).delete_element(i);
            }
            _ => {
                obj.delete_named(&mut self.heap, key);
            }
        }
        Ok(true)
    }

    /// [[OwnPropertyKeys]]: indices ascending, then strings, then symbols (creation order).
    pub fn own_property_keys(&mut self, obj: Gc<JsObject>) -> JsResult<Vec<PropertyKey>> {
        let mut keys: Vec<PropertyKey> = Vec::new();
        let mut indices = obj.element_indices();
        if let ObjectKind::String(s) = &obj.kind {
            let n = s.len() as u32;
            indices.retain(|&i| i >= n);
            keys.extend((0..n).map(PropertyKey::Index));
        }
        keys.extend(indices.into_iter().map(PropertyKey::Index));
        if obj.is_array() || matches!(obj.kind, ObjectKind::String(_)) {
            keys.push(PropertyKey::Atom(self.names.length));
        }
        let named = obj.named_keys();
        keys.extend(named.iter().filter(|(k, _)| !k.is_symbol()).map(|&(k, _)| k));
        keys.extend(named.iter().filter(|(k, _)| k.is_symbol()).map(|&(k, _)| k));
        Ok(keys)
    }

    pub fn get_prototype_of(&mut self, obj: Gc<JsObject>) -> JsResult<Value> {
        Ok(obj.proto())
    }

    /// OrdinarySetPrototypeOf: false if not extensible or if it would create a cycle.
    pub fn set_prototype_of(&mut self, obj: Gc<JsObject>, proto: Value) -> JsResult<bool> {
        if obj.proto() == proto {
            return Ok(true);
        }
        if !obj.extensible {
            return Ok(false);
        }
        // %Object.prototype% is an immutable prototype exotic object.
        if self.realms.values().any(|r| r.intrinsic(Intrinsic::ObjectPrototype) == obj.value()) {
            return Ok(false);
        }
        let mut p = proto;
        while let Some(po) = JsObject::from_value(p) {
            if po == obj {
                return Ok(false);
            }
            p = po.proto();
        }
        obj.set_proto_raw(&mut self.heap, proto, self.null_root_shape);
        Ok(true)
    }

    pub fn prevent_extensions(&mut self, obj: Gc<JsObject>) -> JsResult<bool> {
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        (unsafe { obj.m() }).extensible = false;
        Ok(true)
    }

    /// GetMethod: undefined/null -> None; non-callable -> TypeError.
    pub fn get_method(&mut self, v: Value, key: PropertyKey) -> JsResult<Option<Value>> {
        let f = self.get_v(v, key)?;
        if f.is_nullish() {
            return Ok(None);
        }
        if !Vm::is_callable(f) {
            let k = self.key_display(key);
            return Err(self.type_error(&format!("{k} is not a function")));
        }
        Ok(Some(f))
    }

    pub fn length_of_array_like(&mut self, obj: Gc<JsObject>) -> JsResult<u64> {
        if let ObjectKind::Array { length, .. } = obj.kind {
            return Ok(length as u64);
        }
        let key = PropertyKey::Atom(self.names.length);
        let v = self.get(obj, key, obj.value())?;
        self.to_length(v)
    }

    /// CreateListFromArrayLike into a GC-visible list object.
    /// Runs `f` with `values` kept alive through `temp_roots`, then unroots
    /// them whatever `f` returns. For values and property keys that native code
    /// holds in Rust heap memory (which the collector does not scan) across
    /// calls into JS, where a collection can happen. `f` may root more values
    /// by pushing onto `temp_roots`; they are dropped at the end too.
    pub fn with_roots<R>(&mut self, values: impl IntoIterator<Item = Value>, f: impl FnOnce(&mut Vm) -> R) -> R {
        let mark = self.temp_roots.len();
        self.temp_roots.extend(values);
        let r = f(self);
        self.temp_roots.truncate(mark);
        r
    }

    /// `own_property_keys` with the keys rooted while `f` runs over them.
    pub fn with_own_keys<R>(&mut self, obj: Gc<JsObject>, f: impl FnOnce(&mut Vm, &[PropertyKey]) -> JsResult<R>) -> JsResult<R> {
        let keys = self.own_property_keys(obj)?;
        self.with_roots(keys.iter().map(|k| k.to_value_or_undefined()), |vm| f(vm, &keys))
    }

    pub fn list_from_array_like(&mut self, v: Value) -> JsResult<Vec<Value>> {
        let Some(obj) = JsObject::from_value(v) else {
            return Err(self.type_error("CreateListFromArrayLike called on non-object"));
        };
        let len = self.length_of_array_like(obj)?;
        if len > 1 << 24 {
            return Err(self.range_error("Too many arguments in function call"));
        }
        // Values fetched so far stay rooted while later getters run.
        let mark = self.temp_roots.len();
        let mut out = Vec::with_capacity(len as usize);
        for i in 0..len {
            match self.get(obj, PropertyKey::Index(i as u32), v) {
                Ok(x) => {
                    self.temp_roots.push(x);
                    out.push(x);
                }
                Err(e) => {
                    self.temp_roots.truncate(mark);
                    return Err(e);
                }
            }
        }
        self.temp_roots.truncate(mark);
        Ok(out)
    }

    /// OrdinaryHasInstance / InstanceofOperator.
    pub fn instance_of(&mut self, v: Value, target: Value) -> JsResult<bool> {
        let Some(t) = JsObject::from_value(target) else {
            return Err(self.type_error("Right-hand side of 'instanceof' is not an object"));
        };
        let hi = self.symbols.has_instance;
        let h = self.get(t, PropertyKey::Symbol(hi), target)?;
        if !h.is_nullish() {
            let r = self.call(h, target, &[v])?;
            return Ok(Vm::to_boolean(r));
        }
        if !t.is_callable() {
            return Err(self.type_error("Right-hand side of 'instanceof' is not callable"));
        }
        self.ordinary_has_instance(target, v)
    }

    pub fn ordinary_has_instance(&mut self, c: Value, v: Value) -> JsResult<bool> {
        let Some(cobj) = JsObject::from_value(c) else { return Ok(false) };
        if let Some(FunctionData { kind: FunctionKind::Bound { target, .. }, .. }) = cobj.function() {
            let t = *target;
            return self.instance_of(v, t);
        }
        if !cobj.is_callable() {
            return Ok(false);
        }
        let Some(mut o) = JsObject::from_value(v) else { return Ok(false) };
        let key = PropertyKey::Atom(self.names.prototype);
        let proto = self.get(cobj, key, c)?;
        if !JsObject::is_object(proto) {
            return Err(self.type_error("Function has non-object prototype in instanceof check"));
        }
        loop {
            let p = o.proto();
            if p == proto {
                return Ok(true);
            }
            match JsObject::from_value(p) {
                Some(po) => o = po,
                None => return Ok(false),
            }
        }
    }

    /// SpeciesConstructor(O, defaultConstructor).
    pub fn species_constructor(&mut self, o: Gc<JsObject>, default: Value) -> JsResult<Value> {
        let ckey = PropertyKey::Atom(self.names.constructor);
        let c = self.get(o, ckey, o.value())?;
        if c.is_undefined() {
            return Ok(default);
        }
        let Some(co) = JsObject::from_value(c) else {
            return Err(self.type_error("The .constructor property is not an object"));
        };
        let skey = PropertyKey::Symbol(self.symbols.species);
        let s = self.get(co, skey, c)?;
        if s.is_nullish() {
            return Ok(default);
        }
        if Vm::is_constructor(s) {
            return Ok(s);
        }
        Err(self.type_error("object.constructor[Symbol.species] is not a constructor"))
    }

    /// GetPrototypeFromConstructor: new_target.prototype if an object, else the realm default.
    pub fn prototype_from_constructor(&mut self, new_target: Value, default: Intrinsic) -> JsResult<Value> {
        if let Some(nt) = JsObject::from_value(new_target) {
            let key = PropertyKey::Atom(self.names.prototype);
            let p = self.get(nt, key, new_target)?;
            if JsObject::is_object(p) {
                return Ok(p);
            }
            let realm = nt.function().map_or_else(|| self.realm(), |f| f.realm);
            return Ok(realm.intrinsic(default));
        }
        Ok(self.realm().intrinsic(default))
    }
}

impl JsString {
    /// Code unit at `i` for flat strings and ropes alike.
    pub fn unit_at_any(&self, i: usize) -> u16 {
        match self.view() {
            Some(v) => v.at(i),
            None => self.to_units()[i],
        }
    }
}
