//! The Math namespace object: every function of ECMA-262 (plus f16round and
//! sumPrecise), with JS rounding and signed-zero rules.

use std::cell::Cell;

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{NativeFn, PropertyKey, attrs};
use crate::vm::runtime::realm::Realm;
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let m = vm.new_object();
    for (name, v) in [
        ("E", std::f64::consts::E),
        ("LN10", std::f64::consts::LN_10),
        ("LN2", std::f64::consts::LN_2),
        ("LOG10E", std::f64::consts::LOG10_E),
        ("LOG2E", std::f64::consts::LOG2_E),
        ("PI", std::f64::consts::PI),
        ("SQRT1_2", std::f64::consts::FRAC_1_SQRT_2),
        ("SQRT2", std::f64::consts::SQRT_2),
    ] {
        vm.define_value(m, name, Value::number(v), 0);
    }
    let fns: &[(&str, NativeFn, u32)] = &[
        ("abs", abs, 1),
        ("acos", acos, 1),
        ("acosh", acosh, 1),
        ("asin", asin, 1),
        ("asinh", asinh, 1),
        ("atan", atan, 1),
        ("atanh", atanh, 1),
        ("atan2", atan2, 2),
        ("cbrt", cbrt, 1),
        ("ceil", ceil, 1),
        ("clz32", clz32, 1),
        ("cos", cos, 1),
        ("cosh", cosh, 1),
        ("exp", exp, 1),
        ("expm1", expm1, 1),
        ("floor", floor, 1),
        ("fround", fround, 1),
        ("f16round", f16round, 1),
        ("hypot", hypot, 2),
        ("imul", imul, 2),
        ("log", log, 1),
        ("log1p", log1p, 1),
        ("log10", log10, 1),
        ("log2", log2, 1),
        ("max", max, 2),
        ("min", min, 2),
        ("pow", pow, 2),
        ("random", random, 0),
        ("round", round, 1),
        ("sign", sign, 1),
        ("sin", sin, 1),
        ("sinh", sinh, 1),
        ("sqrt", sqrt, 1),
        ("sumPrecise", sum_precise, 1),
        ("tan", tan, 1),
        ("tanh", tanh, 1),
        ("trunc", trunc, 1),
    ];
    for &(name, f, len) in fns {
        vm.define_method(m, name, f, len);
    }
    let tag = vm.symbols.to_string_tag;
    let s = vm.string_value("Math");
    m.put_named(&mut vm.heap, PropertyKey::Symbol(tag), s, attrs::CONFIGURABLE);
    vm.define_value(realm.global, "Math", m.value(), attrs::HIDDEN);
}

macro_rules! unary {
    ($($name:ident => $f:expr;)*) => {
        $(fn $name(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
            let x = vm.to_number(a.arg(0))?;
            let f: fn(f64) -> f64 = $f;
            Ok(Value::number(f(x)))
        })*
    };
}

unary! {
    abs => f64::abs;
    acos => f64::acos;
    acosh => f64::acosh;
    asin => f64::asin;
    asinh => f64::asinh;
    atan => f64::atan;
    atanh => f64::atanh;
    cbrt => f64::cbrt;
    ceil => f64::ceil;
    cos => f64::cos;
    cosh => f64::cosh;
    exp => f64::exp;
    expm1 => f64::exp_m1;
    floor => f64::floor;
    fround => |x| x as f32 as f64;
    f16round => to_f16;
    log => f64::ln;
    log1p => f64::ln_1p;
    log10 => f64::log10;
    log2 => f64::log2;
    round => js_round;
    sign => |x| if x.is_nan() || x == 0.0 { x } else { x.signum() };
    sin => f64::sin;
    sinh => f64::sinh;
    sqrt => f64::sqrt;
    tan => f64::tan;
    tanh => f64::tanh;
    trunc => f64::trunc;
}

/// Math.round: the closest integer, ties toward +Infinity, keeping -0.
fn js_round(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 || x.abs() >= 4503599627370496.0 {
        return x;
    }
    if (-0.5..0.0).contains(&x) {
        return -0.0;
    }
    let r = x.floor();
    if x - r >= 0.5 { r + 1.0 } else { r }
}

/// Rounds to the nearest IEEE binary16 value (ties to even), as a double.
fn to_f16(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    let ax = x.abs();
    if ax >= 65520.0 {
        return f64::INFINITY.copysign(x);
    }
    let e = ((ax.to_bits() >> 52) as i32) - 1023;
    let q = if e < -14 { -24 } else { e - 10 };
    let quantum = 2f64.powi(q);
    let r = (ax / quantum).round_ties_even() * quantum;
    r.copysign(x)
}

fn atan2(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let y = vm.to_number(a.arg(0))?;
    let x = vm.to_number(a.arg(1))?;
    Ok(Value::number(y.atan2(x)))
}

fn clz32(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let n = vm.to_uint32(a.arg(0))?;
    Ok(Value::int(n.leading_zeros() as i32))
}

fn imul(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let x = vm.to_int32(a.arg(0))?;
    let y = vm.to_int32(a.arg(1))?;
    Ok(Value::int(x.wrapping_mul(y)))
}

fn pow(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let b = vm.to_number(a.arg(0))?;
    let e = vm.to_number(a.arg(1))?;
    Ok(Value::number(crate::vm::runtime::number::js_pow(b, e)))
}

fn hypot(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let mut nums = Vec::with_capacity(a.args.len());
    for &v in a.args {
        nums.push(vm.to_number(v)?);
    }
    if nums.iter().any(|x| x.is_infinite()) {
        return Ok(Value::number(f64::INFINITY));
    }
    if nums.iter().any(|x| x.is_nan()) {
        return Ok(Value::number(f64::NAN));
    }
    let m = nums.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if m == 0.0 {
        return Ok(Value::number(0.0));
    }
    // Scaled, compensated sum of squares.
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for x in nums {
        let s = x / m;
        let y = s * s - comp;
        let t = sum + y;
        comp = (t - sum) - y;
        sum = t;
    }
    Ok(Value::number(sum.sqrt() * m))
}

fn max(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let mut r = f64::NEG_INFINITY;
    let mut nan = false;
    for &v in a.args {
        let n = vm.to_number(v)?;
        if n.is_nan() {
            nan = true;
        } else if n > r || (n == 0.0 && r == 0.0 && !n.is_sign_negative()) {
            r = n;
        }
    }
    Ok(Value::number(if nan { f64::NAN } else { r }))
}

fn min(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let mut r = f64::INFINITY;
    let mut nan = false;
    for &v in a.args {
        let n = vm.to_number(v)?;
        if n.is_nan() {
            nan = true;
        } else if n < r || (n == 0.0 && r == 0.0 && n.is_sign_negative()) {
            r = n;
        }
    }
    Ok(Value::number(if nan { f64::NAN } else { r }))
}

thread_local! {
    static RNG: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// xorshift128+ seeded from the clock and an address on first use.
fn next_random() -> f64 {
    RNG.with(|c| {
        let (mut s0, mut s1) = c.get();
        if s0 == 0 && s1 == 0 {
            let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0x1234_5678, |d| d.as_nanos() as u64);
            let addr = &s0 as *const u64 as u64;
            let mut z = t ^ addr.rotate_left(32) ^ 0x9E37_79B9_7F4A_7C15;
            let mut split = || {
                z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut x = z;
                x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                x ^ (x >> 31)
            };
            s0 = split();
            s1 = split() | 1;
        }
        let mut x = s0;
        let y = s1;
        s0 = y;
        x ^= x << 23;
        x ^= x >> 17;
        x ^= y ^ (y >> 26);
        s1 = x;
        c.set((s0, s1));
        (s0.wrapping_add(s1) >> 11) as f64 / (1u64 << 53) as f64
    })
}

fn random(_vm: &mut Vm, _a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::number(next_random()))
}

/// Exact accumulator for sumPrecise: a two's complement fixed-point integer
/// in units of 2^-1074, wide enough for 2^53 maximal doubles.
struct ExactSum {
    limbs: [u64; 36],
}

impl ExactSum {
    fn add(&mut self, x: f64) {
        let bits = x.to_bits();
        let e = ((bits >> 52) & 0x7FF) as u32;
        let frac = bits & ((1u64 << 52) - 1);
        let (mant, shift) = if e == 0 { (frac, 0) } else { (frac | (1 << 52), e - 1) };
        if mant == 0 {
            return;
        }
        // mant × 2^shift in units of 2^-1074, as a 36-limb number.
        let mut add = [0u64; 36];
        let (li, bi) = ((shift / 64) as usize, shift % 64);
        add[li] = mant << bi;
        if bi > 0 && li + 1 < 36 {
            add[li + 1] = mant >> (64 - bi);
        }
        if x < 0.0 {
            // Two's complement negation.
            let mut carry = 1u64;
            for l in add.iter_mut() {
                let (v, c) = (!*l).overflowing_add(carry);
                *l = v;
                carry = c as u64;
            }
        }
        let mut carry = 0u64;
        for (l, a) in self.limbs.iter_mut().zip(add) {
            let (v1, c1) = l.overflowing_add(a);
            let (v2, c2) = v1.overflowing_add(carry);
            *l = v2;
            carry = (c1 as u64) + (c2 as u64);
        }
    }

    fn to_f64(&self) -> f64 {
        let neg = self.limbs[35] >> 63 == 1;
        let mut mag = self.limbs;
        if neg {
            let mut carry = 1u64;
            for l in mag.iter_mut() {
                let (v, c) = (!*l).overflowing_add(carry);
                *l = v;
                carry = c as u64;
            }
        }
        let Some(top_limb) = (0..36).rev().find(|&i| mag[i] != 0) else { return 0.0 };
        let p = top_limb as u32 * 64 + 63 - mag[top_limb].leading_zeros();
        let bit = |i: u32| (mag[(i / 64) as usize] >> (i % 64)) & 1;
        let r = if p < 53 {
            let n = mag[0];
            n as f64 * f64::from_bits(1)
        } else {
            let shift = p - 52;
            let mut m: u64 = 0;
            for i in (shift..=p).rev() {
                m = (m << 1) | bit(i);
            }
            let guard = bit(shift - 1) == 1;
            let sticky = (0..shift - 1).any(|i| bit(i) == 1);
            let mut exp = shift as i32 - 1074;
            if guard && (sticky || m & 1 == 1) {
                m += 1;
                if m == 1 << 53 {
                    m >>= 1;
                    exp += 1;
                }
            }
            if exp + 52 > 1023 { f64::INFINITY } else { f64::from_bits((((exp + 52 + 1023) as u64) << 52) | (m & ((1 << 52) - 1))) }
        };
        if neg { -r } else { r }
    }
}

fn sum_precise(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let items = a.arg(0);
    if items.is_nullish() {
        return Err(vm.type_error("Math.sumPrecise called on null or undefined"));
    }
    let (it, next) = crate::vm::runtime::iteration::get_iterator(vm, items)?;
    #[derive(PartialEq)]
    enum State {
        MinusZero,
        Finite,
        PlusInf,
        MinusInf,
        NaN,
    }
    let mut state = State::MinusZero;
    let mut sum = ExactSum { limbs: [0; 36] };
    let mut count: u64 = 0;
    while let Some(v) = crate::vm::runtime::iteration::iterator_step(vm, it, next)? {
        count += 1;
        if count >= 1 << 53 {
            let e = vm.range_error("Too many values");
            return Err(crate::vm::runtime::iteration::close_after_error(vm, it, e));
        }
        if !v.is_number() {
            let e = vm.type_error("Math.sumPrecise requires an iterable of Numbers");
            return Err(crate::vm::runtime::iteration::close_after_error(vm, it, e));
        }
        let n = v.as_number();
        if state == State::NaN {
            continue;
        }
        if n.is_nan() {
            state = State::NaN;
        } else if n == f64::INFINITY {
            state = if state == State::MinusInf { State::NaN } else { State::PlusInf };
        } else if n == f64::NEG_INFINITY {
            state = if state == State::PlusInf { State::NaN } else { State::MinusInf };
        } else if !(n == 0.0 && n.is_sign_negative()) && matches!(state, State::MinusZero | State::Finite) {
            state = State::Finite;
            sum.add(n);
        }
    }
    Ok(Value::number(match state {
        State::NaN => f64::NAN,
        State::PlusInf => f64::INFINITY,
        State::MinusInf => f64::NEG_INFINITY,
        State::MinusZero => -0.0,
        State::Finite => sum.to_f64(),
    }))
}
