//! NaN-boxed `Value` (JavaScriptCore's scheme, pointers unmodified).
//!
//! | top 16 bits        | meaning                                                 |
//! |--------------------|---------------------------------------------------------|
//! | `0x0000`           | heap cell pointer, or an immediate below 0x10           |
//! | `0xFFFE`           | int32 in the low 32 bits                                |
//! | `0x0002..=0xFFFC`  | double, stored as its bits + 2^49 (NaN canonicalised)   |

use std::fmt;

use super::heap::{CellHeader, CellKind};

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Value(u64);

const INT_TAG: u64 = 0xFFFE_0000_0000_0000;
const DOUBLE_OFFSET: u64 = 1 << 49;
const CANONICAL_NAN: u64 = 0x7FF8_0000_0000_0000;

const EMPTY_BITS: u64 = 0x0;
const HOLE_BITS: u64 = 0x1;
const NULL_BITS: u64 = 0x2;
const UNDEFINED_BITS: u64 = 0x3;
const FALSE_BITS: u64 = 0x6;
const TRUE_BITS: u64 = 0x7;

impl Value {
    /// Marks an uninitialised binding (TDZ) or a missing value; never visible to JS.
    pub const EMPTY: Value = Value(EMPTY_BITS);
    /// An array hole; never visible to JS.
    pub const HOLE: Value = Value(HOLE_BITS);
    pub const NULL: Value = Value(NULL_BITS);
    pub const UNDEFINED: Value = Value(UNDEFINED_BITS);
    pub const FALSE: Value = Value(FALSE_BITS);
    pub const TRUE: Value = Value(TRUE_BITS);

    #[inline]
    pub const fn bits(self) -> u64 {
        self.0
    }
    #[inline]
    pub fn from_bits(bits: u64) -> Value {
        Value(bits)
    }
    #[inline]
    pub fn bool(b: bool) -> Value {
        if b { Value::TRUE } else { Value::FALSE }
    }
    #[inline]
    pub fn int(i: i32) -> Value {
        Value(INT_TAG | (i as u32 as u64))
    }
    /// A number; integral values that fit in int32 (except -0) are stored as int32.
    #[inline]
    pub fn number(d: f64) -> Value {
        let i = d as i32;
        if i as f64 == d && (i != 0 || d.to_bits() == 0) {
            return Value::int(i);
        }
        Value::double(d)
    }
    /// A number stored as a double, even if it is integral.
    #[inline]
    pub fn double(d: f64) -> Value {
        let bits = if d.is_nan() { CANONICAL_NAN } else { d.to_bits() };
        Value(bits.wrapping_add(DOUBLE_OFFSET))
    }
    #[inline]
    pub fn from_cell(ptr: *const CellHeader) -> Value {
        debug_assert!(!ptr.is_null() && (ptr as u64) & 7 == 0);
        Value(ptr as u64)
    }

    #[inline]
    pub fn is_int(self) -> bool {
        self.0 & INT_TAG == INT_TAG
    }
    #[inline]
    pub fn is_double(self) -> bool {
        !self.is_int() && self.0 >= DOUBLE_OFFSET
    }
    #[inline]
    pub fn is_number(self) -> bool {
        self.0 >= DOUBLE_OFFSET
    }
    #[inline]
    pub fn is_cell(self) -> bool {
        self.0 < DOUBLE_OFFSET && self.0 >= 0x10
    }
    #[inline]
    pub fn is_undefined(self) -> bool {
        self.0 == UNDEFINED_BITS
    }
    #[inline]
    pub fn is_null(self) -> bool {
        self.0 == NULL_BITS
    }
    #[inline]
    pub fn is_nullish(self) -> bool {
        self.0 == UNDEFINED_BITS || self.0 == NULL_BITS
    }
    #[inline]
    pub fn is_bool(self) -> bool {
        self.0 == TRUE_BITS || self.0 == FALSE_BITS
    }
    #[inline]
    pub fn is_empty(self) -> bool {
        self.0 == EMPTY_BITS
    }
    #[inline]
    pub fn is_hole(self) -> bool {
        self.0 == HOLE_BITS
    }
    #[inline]
    pub fn as_int(self) -> i32 {
        debug_assert!(self.is_int());
        self.0 as u32 as i32
    }
    #[inline]
    pub fn as_double_unchecked(self) -> f64 {
        f64::from_bits(self.0.wrapping_sub(DOUBLE_OFFSET))
    }
    /// The numeric value of a Number (int32 or double).
    #[inline]
    pub fn as_number(self) -> f64 {
        if self.is_int() { self.as_int() as f64 } else { self.as_double_unchecked() }
    }
    #[inline]
    pub fn as_bool(self) -> bool {
        self.0 == TRUE_BITS
    }
    #[inline]
    pub fn as_cell(self) -> *mut CellHeader {
        debug_assert!(self.is_cell());
        self.0 as *mut CellHeader
    }
    /// The cell kind of a heap value, or `None` for immediates and numbers.
    #[inline]
    pub fn cell_kind(self) -> Option<CellKind> {
        if self.is_cell() {
            // SAFETY: a cell Value always points to a live, initialised cell header.
            Some(unsafe { (*self.as_cell()).kind() })
        } else {
            None
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_int() {
            write!(f, "Int({})", self.as_int())
        } else if self.is_number() {
            write!(f, "Double({})", self.as_number())
        } else if self.is_cell() {
            write!(f, "Cell({:?} @ {:#x})", self.cell_kind(), self.0)
        } else {
            let name = match self.0 {
                EMPTY_BITS => "Empty",
                HOLE_BITS => "Hole",
                NULL_BITS => "Null",
                UNDEFINED_BITS => "Undefined",
                FALSE_BITS => "False",
                TRUE_BITS => "True",
                _ => "Invalid",
            };
            f.write_str(name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for d in [0.0, 1.5, -2.25, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e-300, f64::MAX, f64::MIN_POSITIVE] {
            let v = Value::number(d);
            assert!(v.is_number() && !v.is_cell());
            assert_eq!(v.as_number().to_bits(), d.to_bits());
        }
        let nz = Value::number(-0.0);
        assert!(nz.is_double() && nz.as_number().is_sign_negative());
        assert!(Value::number(f64::NAN).as_number().is_nan());
        assert!(Value::number(-f64::NAN).as_number().is_nan());
        assert!(Value::number(42.0).is_int());
        assert_eq!(Value::int(-7).as_number(), -7.0);
        assert_eq!(Value::int(i32::MIN).as_int(), i32::MIN);
    }

    #[test]
    fn immediates_are_distinct() {
        let all = [Value::EMPTY, Value::HOLE, Value::NULL, Value::UNDEFINED, Value::FALSE, Value::TRUE];
        for (i, a) in all.iter().enumerate() {
            assert!(!a.is_number() && !a.is_cell());
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert!(Value::TRUE.as_bool() && !Value::FALSE.as_bool());
    }
}
