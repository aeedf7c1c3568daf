//! Equality: IsStrictlyEqual, SameValue, SameValueZero, IsLooselyEqual.

use super::Hint;
use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{JsObject, JsString};
use crate::vm::value::Value;

impl Vm {
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
}
