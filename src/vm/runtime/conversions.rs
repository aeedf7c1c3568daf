//! Type tests and conversions: typeof, ToBoolean, ToPrimitive, ToNumber,
//! ToString, ToObject, ToPropertyKey and friends, and message display.

use super::number;
use super::realm::Intrinsic;
use crate::vm::JsResult;
use crate::vm::heap::{CellKind, Gc};
use crate::vm::isolate::Vm;
use num_traits::Zero;

use crate::vm::object::{JsBigInt, JsObject, JsString, ObjectKind, PropertyKey, Symbol};
use crate::vm::value::Value;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    Default,
    Number,
    String,
}

impl Vm {
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
        // A bound function records its target's [[Construct]] when it is
        // made (which never changes), so long bind chains need no recursion.
        JsObject::from_value(v).is_some_and(|o| match &o.kind {
            ObjectKind::Function(f) => f.is_constructor,
            ObjectKind::Proxy(p) => p.constructor,
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
            Some(CellKind::BigInt) => n.bigint,
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
            Some(CellKind::BigInt) => !Gc::<JsBigInt>::from_value(v).value.is_zero(),
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
            Some(CellKind::BigInt) => Err(self.type_error("Cannot convert a BigInt value to a number")),
            Some(CellKind::Object) => {
                let p = self.to_primitive(v, Hint::Number)?;
                self.to_number(p)
            }
            _ => Ok(f64::NAN),
        }
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
    /// ToIndex: an integer in 0..=2^53-1, else RangeError.
    pub fn to_index(&mut self, v: Value) -> JsResult<u64> {
        if v.is_int() && v.as_int() >= 0 {
            return Ok(v.as_int() as u64);
        }
        let d = self.to_integer_or_infinity(v)?;
        if !(0.0..=9007199254740991.0).contains(&d) {
            return Err(self.range_error("Invalid index: out of range"));
        }
        Ok(d as u64)
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
            Some(CellKind::BigInt) => {
                let s = Gc::<JsBigInt>::from_value(v).value.to_str_radix(10);
                Ok(self.string(&s))
            }
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
        } else if let Some(b) = Gc::<JsBigInt>::try_from_value(v) {
            (Intrinsic::BigIntPrototype, ObjectKind::BigInt(b))
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
}
