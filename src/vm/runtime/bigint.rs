//! BigInt abstract operations: ToBigInt, StringToBigInt, NumberToBigInt,
//! ToNumeric, the numeric operators over Number and BigInt (with the spec's
//! TypeError for mixing them), comparisons and equality across the two types.

use std::cmp::Ordering;

use num_bigint::{BigInt, Sign};
use num_traits::{FromPrimitive, One, Signed, ToPrimitive, Zero};

use super::Hint;
use super::number;
use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{JsBigInt, JsString};
use crate::vm::value::Value;

/// The largest BigInt, in bits (V8's limit): results beyond it throw
/// RangeError instead of exhausting memory.
pub const MAX_BIGINT_BITS: u64 = 1 << 30;

/// A binary operator that applies to Numbers and BigInts alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumericOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Exp,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    UShr,
}

/// The BigInt a value holds, if it is a BigInt primitive.
#[inline]
pub fn as_bigint(v: Value) -> Option<Gc<JsBigInt>> {
    Gc::<JsBigInt>::try_from_value(v)
}

/// StringToBigInt: the StringIntegerLiteral grammar (whitespace around a
/// signed decimal integer or a 0x/0o/0b literal; empty is 0n). `None` when
/// the text does not match.
pub fn string_to_bigint(units: &[u16]) -> Option<BigInt> {
    let s = number::trim_js_whitespace(units);
    if s.is_empty() {
        return Some(BigInt::zero());
    }
    if s.iter().any(|&c| c > 0x7F) {
        return None;
    }
    let bytes: Vec<u8> = s.iter().map(|&c| c as u8).collect();
    let radix = match bytes.get(..2) {
        Some(b"0x") | Some(b"0X") => 16,
        Some(b"0o") | Some(b"0O") => 8,
        Some(b"0b") | Some(b"0B") => 2,
        _ => 10,
    };
    let (negative, digits) = if radix != 10 {
        (false, &bytes[2..])
    } else {
        match bytes[0] {
            b'-' => (true, &bytes[1..]),
            b'+' => (false, &bytes[1..]),
            _ => (false, &bytes[..]),
        }
    };
    // parse_bytes accepts '_' separators and signs; the grammar allows neither here.
    if digits.is_empty() || !digits.iter().all(|&c| (c as char).is_digit(radix)) {
        return None;
    }
    let magnitude = BigInt::parse_bytes(digits, radix)?;
    Some(if negative { -magnitude } else { magnitude })
}

/// ℝ(bigint) rounded to the nearest Number (ties to even).
pub fn bigint_to_f64(b: &BigInt) -> f64 {
    b.to_f64().unwrap_or(f64::NAN)
}

/// Compares a BigInt with a Number exactly; `None` when the Number is NaN.
pub fn compare_bigint_number(b: &BigInt, d: f64) -> Option<Ordering> {
    if d.is_nan() {
        return None;
    }
    if d == f64::INFINITY {
        return Some(Ordering::Less);
    }
    if d == f64::NEG_INFINITY {
        return Some(Ordering::Greater);
    }
    let floor = d.floor();
    let f = BigInt::from_f64(floor)?;
    Some(match b.cmp(&f) {
        // b is an integer: at or below floor(d) it is below a non-integral d.
        Ordering::Equal if floor != d => Ordering::Less,
        o => o,
    })
}

/// BigInt::asIntN: `b` modulo 2^bits, as a signed two's complement number.
pub fn as_int_n(bits: u64, b: &BigInt) -> BigInt {
    if bits == 0 {
        return BigInt::zero();
    }
    // Already representable in `bits` signed bits: unchanged (this also
    // covers huge bit counts without building 2^bits).
    if b.bits() < bits {
        return b.clone();
    }
    let modulus = BigInt::one() << bits;
    let mut r = b % &modulus;
    if r.is_negative() {
        r += &modulus;
    }
    if r.bits() == bits {
        r -= modulus;
    }
    r
}

/// BigInt::asUintN: `b` modulo 2^bits. `None` when the result would exceed
/// the BigInt size limit (a negative value with a huge bit count).
pub fn as_uint_n(bits: u64, b: &BigInt) -> Option<BigInt> {
    if bits == 0 {
        return Some(BigInt::zero());
    }
    if !b.is_negative() && b.bits() <= bits {
        return Some(b.clone());
    }
    if bits > MAX_BIGINT_BITS {
        return None;
    }
    let modulus = BigInt::one() << bits;
    let mut r = b % &modulus;
    if r.is_negative() {
        r += modulus;
    }
    Some(r)
}

/// The mod-2^64 words of a BigInt in two's complement, least significant first.
pub fn to_u64_wrapping(b: &BigInt) -> u64 {
    let low = b.magnitude().iter_u64_digits().next().unwrap_or(0);
    if b.sign() == Sign::Minus { low.wrapping_neg() } else { low }
}

impl Vm {
    /// A new BigInt primitive.
    pub fn bigint_value(&mut self, b: BigInt) -> Value {
        JsBigInt::new(&mut self.heap, b).value()
    }

    pub fn is_bigint(v: Value) -> bool {
        as_bigint(v).is_some()
    }

    /// ToNumeric: a Number or a BigInt.
    pub fn to_numeric(&mut self, v: Value) -> JsResult<Value> {
        if v.is_number() {
            return Ok(v);
        }
        let p = self.to_primitive(v, Hint::Number)?;
        if Vm::is_bigint(p) {
            return Ok(p);
        }
        Ok(Value::number(self.to_number(p)?))
    }

    /// ToBigInt.
    pub fn to_bigint(&mut self, v: Value) -> JsResult<BigInt> {
        let p = self.to_primitive(v, Hint::Number)?;
        if let Some(b) = as_bigint(p) {
            return Ok(b.value.clone());
        }
        if p.is_bool() {
            return Ok(BigInt::from(p.as_bool() as u8));
        }
        if let Some(s) = Gc::<JsString>::try_from_value(p) {
            return match string_to_bigint(&s.to_units()) {
                Some(b) => Ok(b),
                None => {
                    let t = s.to_rust_string();
                    Err(self.syntax_error(&format!("Cannot convert {t} to a BigInt")))
                }
            };
        }
        if p.is_nullish() || p.is_number() {
            let d = self.display_string(p);
            return Err(self.type_error(&format!("Cannot convert {d} to a BigInt")));
        }
        Err(self.type_error("Cannot convert a Symbol value to a BigInt"))
    }

    /// NumberToBigInt: RangeError unless the Number is an integer.
    pub fn number_to_bigint(&mut self, d: f64) -> JsResult<BigInt> {
        if d.is_finite() && d.trunc() == d {
            // Finite integral doubles convert exactly.
            return Ok(BigInt::from_f64(d).unwrap_or_default());
        }
        let t = self.number_to_jsstring(d).to_rust_string();
        Err(self.range_error(&format!("The number {t} cannot be converted to a BigInt because it is not an integer")))
    }

    fn bigint_too_big(&mut self) -> crate::vm::Unwind {
        self.range_error("Maximum BigInt size exceeded")
    }

    /// The operator applied to two values (after ToNumeric of each, left
    /// first): Number arithmetic, BigInt arithmetic, or a TypeError when the
    /// types differ.
    pub fn apply_numeric(&mut self, op: NumericOp, l: Value, r: Value) -> JsResult<Value> {
        let a = self.to_numeric(l)?;
        let b = self.to_numeric(r)?;
        match (as_bigint(a), as_bigint(b)) {
            (None, None) => Ok(number_op(op, a.as_number(), b.as_number())),
            (Some(x), Some(y)) => self.bigint_op(op, &x.value, &y.value),
            _ => Err(self.type_error("Cannot mix BigInt and other types, use explicit conversions")),
        }
    }

    /// A BigInt binary operator.
    pub fn bigint_op(&mut self, op: NumericOp, a: &BigInt, b: &BigInt) -> JsResult<Value> {
        let r = match op {
            NumericOp::Add => a + b,
            NumericOp::Sub => a - b,
            NumericOp::Mul => {
                if a.bits() + b.bits() > MAX_BIGINT_BITS {
                    return Err(self.bigint_too_big());
                }
                a * b
            }
            NumericOp::Div | NumericOp::Mod => {
                if b.is_zero() {
                    return Err(self.range_error("Division by zero"));
                }
                // Truncating division; the remainder takes the dividend's sign.
                if op == NumericOp::Div { a / b } else { a % b }
            }
            NumericOp::Exp => {
                if b.is_negative() {
                    return Err(self.range_error("Exponent must be non-negative"));
                }
                if b.is_zero() || a.is_one() {
                    BigInt::one()
                } else if a.is_zero() {
                    BigInt::zero()
                } else if *a == BigInt::from(-1) {
                    if b.bit(0) { a.clone() } else { BigInt::one() }
                } else {
                    let e = b.to_u64().filter(|&e| e.saturating_mul(a.bits().saturating_sub(1).max(1)) <= MAX_BIGINT_BITS);
                    match e {
                        Some(e) => num_traits::pow(a.clone(), e as usize),
                        None => return Err(self.bigint_too_big()),
                    }
                }
            }
            NumericOp::BitAnd => a & b,
            NumericOp::BitOr => a | b,
            NumericOp::BitXor => a ^ b,
            NumericOp::Shl | NumericOp::Shr => {
                // x >> y is x << -y; a left shift multiplies, a right one floors.
                let left = (op == NumericOp::Shl) != b.is_negative();
                let count = b.magnitude();
                if left {
                    if a.is_zero() {
                        BigInt::zero()
                    } else {
                        match count.to_u64().filter(|&c| c.saturating_add(a.bits()) <= MAX_BIGINT_BITS) {
                            Some(c) => a << c,
                            None => return Err(self.bigint_too_big()),
                        }
                    }
                } else {
                    match count.to_u64().filter(|&c| c < a.bits()) {
                        Some(c) => a >> c,
                        None if a.is_negative() => BigInt::from(-1),
                        None => BigInt::zero(),
                    }
                }
            }
            NumericOp::UShr => return Err(self.type_error("BigInts have no unsigned right shift, use >> instead")),
        };
        Ok(self.bigint_value(r))
    }

    /// Unary minus over a Numeric value (after ToNumeric).
    pub fn numeric_negate(&mut self, v: Value) -> JsResult<Value> {
        let n = self.to_numeric(v)?;
        if let Some(b) = as_bigint(n) {
            let r = -&b.value;
            return Ok(self.bigint_value(r));
        }
        Ok(Value::double(-n.as_number()))
    }

    /// Bitwise NOT over a Numeric value.
    pub fn numeric_bit_not(&mut self, v: Value) -> JsResult<Value> {
        let n = self.to_numeric(v)?;
        if let Some(b) = as_bigint(n) {
            let r = -&b.value - 1;
            return Ok(self.bigint_value(r));
        }
        Ok(Value::int(!number::to_int32(n.as_number())))
    }

    /// `++` / `--` over a Numeric value: adds `delta` (±1).
    pub fn numeric_increment(&mut self, v: Value, delta: i32) -> JsResult<Value> {
        let n = self.to_numeric(v)?;
        if let Some(b) = as_bigint(n) {
            let r = &b.value + delta;
            return Ok(self.bigint_value(r));
        }
        Ok(Value::number(n.as_number() + delta as f64))
    }

    /// IsLessThan-style comparison of two primitives that are not both
    /// strings: `None` means undefined (a NaN or an unparsable string).
    pub fn compare_numeric(&mut self, l: Value, r: Value) -> JsResult<Option<Ordering>> {
        if let (Some(b), Some(s)) = (as_bigint(l), Gc::<JsString>::try_from_value(r)) {
            return Ok(string_to_bigint(&s.to_units()).map(|y| b.value.cmp(&y)));
        }
        if let (Some(s), Some(b)) = (Gc::<JsString>::try_from_value(l), as_bigint(r)) {
            return Ok(string_to_bigint(&s.to_units()).map(|x| x.cmp(&b.value)));
        }
        let a = self.to_numeric(l)?;
        let b = self.to_numeric(r)?;
        Ok(match (as_bigint(a), as_bigint(b)) {
            (None, None) => a.as_number().partial_cmp(&b.as_number()),
            (Some(x), Some(y)) => Some(x.value.cmp(&y.value)),
            (Some(x), None) => compare_bigint_number(&x.value, b.as_number()),
            (None, Some(y)) => compare_bigint_number(&y.value, a.as_number()).map(Ordering::reverse),
        })
    }
}

/// A Number binary operator.
pub fn number_op(op: NumericOp, a: f64, b: f64) -> Value {
    match op {
        NumericOp::Add => Value::number(a + b),
        NumericOp::Sub => Value::number(a - b),
        NumericOp::Mul => Value::number(a * b),
        NumericOp::Div => Value::number(a / b),
        NumericOp::Mod => Value::number(number::js_remainder(a, b)),
        NumericOp::Exp => Value::number(number::js_pow(a, b)),
        NumericOp::BitAnd => Value::int(number::to_int32(a) & number::to_int32(b)),
        NumericOp::BitOr => Value::int(number::to_int32(a) | number::to_int32(b)),
        NumericOp::BitXor => Value::int(number::to_int32(a) ^ number::to_int32(b)),
        NumericOp::Shl => Value::int(number::to_int32(a).wrapping_shl(number::to_int32(b) as u32 & 31)),
        NumericOp::Shr => Value::int(number::to_int32(a) >> (number::to_int32(b) as u32 & 31)),
        NumericOp::UShr => Value::number(((number::to_int32(a) as u32) >> (number::to_int32(b) as u32 & 31)) as f64),
    }
}

/// Equality of a BigInt with a Number (IsLooselyEqual's mixed case).
pub fn bigint_equals_number(b: &BigInt, d: f64) -> bool {
    compare_bigint_number(b, d) == Some(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn string_to_bigint_follows_the_string_integer_grammar() {
        assert_eq!(string_to_bigint(&units("  -123\n")), Some(BigInt::from(-123)));
        assert_eq!(string_to_bigint(&units("0x1F")), Some(BigInt::from(31)));
        assert_eq!(string_to_bigint(&units("0b101")), Some(BigInt::from(5)));
        assert_eq!(string_to_bigint(&units("")), Some(BigInt::zero()));
        for bad in ["1n", "-0x1", "1_0", "1.0", "1e3", "0x", "+", "Infinity", "0xg"] {
            assert_eq!(string_to_bigint(&units(bad)), None, "{bad}");
        }
    }

    #[test]
    fn compare_with_numbers_is_exact() {
        let big = BigInt::from(9007199254740993u64); // 2^53 + 1: not a double
        assert_eq!(compare_bigint_number(&big, 9007199254740992.0), Some(Ordering::Greater));
        assert_eq!(compare_bigint_number(&BigInt::from(1), 1.5), Some(Ordering::Less));
        assert_eq!(compare_bigint_number(&BigInt::from(2), 1.5), Some(Ordering::Greater));
        assert_eq!(compare_bigint_number(&BigInt::from(-2), -1.5), Some(Ordering::Less));
        assert_eq!(compare_bigint_number(&BigInt::from(-1), -1.5), Some(Ordering::Greater));
        assert_eq!(compare_bigint_number(&BigInt::from(1), f64::NAN), None);
        assert!(bigint_equals_number(&BigInt::from(-7), -7.0));
    }

    #[test]
    fn as_int_n_and_as_uint_n_wrap() {
        assert_eq!(as_int_n(8, &BigInt::from(255)), BigInt::from(-1));
        assert_eq!(as_int_n(8, &BigInt::from(-129)), BigInt::from(127));
        assert_eq!(as_uint_n(8, &BigInt::from(-1)), Some(BigInt::from(255)));
        assert_eq!(as_int_n(1 << 52, &BigInt::from(-5)), BigInt::from(-5));
        assert_eq!(as_uint_n(1 << 52, &BigInt::from(-5)), None);
    }
}
