//! Equality: IsStrictlyEqual, SameValue, SameValueZero, IsLooselyEqual.

use super::Hint;
use super::bigint::{as_bigint, bigint_equals_number, string_to_bigint};
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
        if let (Some(x), Some(y)) = (Gc::<JsString>::try_from_value(a), Gc::<JsString>::try_from_value(b)) {
            return x.equals(&y);
        }
        match (as_bigint(a), as_bigint(b)) {
            (Some(x), Some(y)) => x.value == y.value,
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
        let (ba, bb) = (as_bigint(a), as_bigint(b));
        match (ba, bb) {
            (Some(x), Some(y)) => return Ok(x.value == y.value),
            (Some(x), None) if b.is_number() => return Ok(bigint_equals_number(&x.value, b.as_number())),
            (None, Some(y)) if a.is_number() => return Ok(bigint_equals_number(&y.value, a.as_number())),
            (Some(x), None) if sb => return Ok(string_to_bigint(&Gc::<JsString>::from_value(b).to_units()).is_some_and(|y| x.value == y)),
            (None, Some(y)) if sa => return Ok(string_to_bigint(&Gc::<JsString>::from_value(a).to_units()).is_some_and(|x| x == y.value)),
            _ => {}
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
        if (a.is_number() || sa || Vm::is_symbol(a) || ba.is_some()) && ob {
            let p = self.to_primitive(b, Hint::Default)?;
            return self.loose_equals(a, p);
        }
        if oa && (b.is_number() || sb || Vm::is_symbol(b) || bb.is_some()) {
            let p = self.to_primitive(a, Hint::Default)?;
            return self.loose_equals(p, b);
        }
        Ok(false)
    }
}
