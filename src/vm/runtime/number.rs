//! Number conversions: StringToNumber, Number::toString, ToInt32 and friends.

/// Is `c` JS WhiteSpace or LineTerminator?
pub fn is_js_whitespace(c: u16) -> bool {
    matches!(c, 0x09 | 0x0A | 0x0B | 0x0C | 0x0D | 0x20 | 0xA0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000 | 0xFEFF)
}

/// `units` without leading and trailing WhiteSpace and LineTerminators.
pub fn trim_js_whitespace(units: &[u16]) -> &[u16] {
    let mut start = 0;
    let mut end = units.len();
    while start < end && is_js_whitespace(units[start]) {
        start += 1;
    }
    while end > start && is_js_whitespace(units[end - 1]) {
        end -= 1;
    }
    &units[start..end]
}

/// StringToNumber (the StringNumericLiteral grammar; NaN when it does not match).
pub fn string_to_number(units: &[u16]) -> f64 {
    let s = trim_js_whitespace(units);
    if s.is_empty() {
        return 0.0;
    }
    if s.iter().any(|&c| c > 0x7F) {
        return f64::NAN;
    }
    let text: String = s.iter().map(|&c| c as u8 as char).collect();
    let radix = match text.get(..2) {
        Some("0x") | Some("0X") => 16,
        Some("0o") | Some("0O") => 8,
        Some("0b") | Some("0B") => 2,
        _ => 10,
    };
    if radix != 10 {
        let digits = &text[2..];
        if digits.is_empty() {
            return f64::NAN;
        }
        let mut v = 0f64;
        for c in digits.chars() {
            match c.to_digit(radix) {
                Some(d) => v = v * radix as f64 + d as f64,
                None => return f64::NAN,
            }
        }
        return v;
    }
    let (sign, body) = match text.as_bytes()[0] {
        b'+' => (1.0, &text[1..]),
        b'-' => (-1.0, &text[1..]),
        _ => (1.0, &text[..]),
    };
    if body == "Infinity" {
        return sign * f64::INFINITY;
    }
    // StrUnsignedDecimalLiteral: digits [. digits] [e[+-]digits] | . digits [...]
    let b = body.as_bytes();
    let mut i = 0;
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - f;
    }
    if int_digits == 0 && frac_digits == 0 {
        return f64::NAN;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            return f64::NAN;
        }
    }
    if i != b.len() {
        return f64::NAN;
    }
    sign * body.parse::<f64>().unwrap_or(f64::NAN)
}

/// Number::toString(10): shortest round-trip digits in ECMAScript's format.
pub fn number_to_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d == 0.0 {
        return "0".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let mut buf = ryu_js::Buffer::new();
    buf.format(d).to_string()
}

pub fn integer_or_infinity(d: f64) -> f64 {
    if d.is_nan() || d == 0.0 {
        return 0.0;
    }
    if d.is_infinite() {
        return d;
    }
    d.trunc()
}

/// ToInt32 of a Number.
pub fn to_int32(d: f64) -> i32 {
    if !d.is_finite() || d == 0.0 {
        return 0;
    }
    if d.abs() < 2147483648.0 {
        return d as i32;
    }
    let m = d.trunc().rem_euclid(4294967296.0);
    m as u32 as i32
}

/// The `%` operator on Numbers (truncating remainder; x % ±Infinity is x).
pub fn js_remainder(a: f64, b: f64) -> f64 {
    if b.is_infinite() && a.is_finite() {
        return a;
    }
    a % b
}

pub fn js_pow(a: f64, b: f64) -> f64 {
    if b.is_nan() || ((a == 1.0 || a == -1.0) && b.is_infinite()) {
        return f64::NAN;
    }
    a.powf(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> f64 {
        string_to_number(&s.encode_utf16().collect::<Vec<_>>())
    }

    #[test]
    fn string_to_number_follows_the_grammar() {
        assert_eq!(n("  42 "), 42.0);
        assert_eq!(n(""), 0.0);
        assert_eq!(n("0x1F"), 31.0);
        assert_eq!(n("-Infinity"), f64::NEG_INFINITY);
        assert_eq!(n(".5"), 0.5);
        assert_eq!(n("5."), 5.0);
        assert_eq!(n("1e3"), 1000.0);
        assert!(n("1e").is_nan());
        assert!(n("infinity").is_nan());
        assert!(n("-0x10").is_nan());
        assert!(n("12px").is_nan());
    }

    #[test]
    fn number_formatting_matches_ecmascript() {
        assert_eq!(number_to_string(1.0), "1");
        assert_eq!(number_to_string(0.1), "0.1");
        assert_eq!(number_to_string(1e21), "1e+21");
        assert_eq!(number_to_string(123456789012345680000.0), "123456789012345680000");
        assert_eq!(number_to_string(-1.5e-7), "-1.5e-7");
    }

    #[test]
    fn int32_wraps() {
        assert_eq!(to_int32(4294967296.0 + 5.0), 5);
        assert_eq!(to_int32(2147483648.0), i32::MIN);
        assert_eq!(to_int32(-1.9), -1);
    }
}
