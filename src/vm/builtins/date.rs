//! Date constructor and Date.prototype: time-value arithmetic of the spec
//! (MakeDay / MakeTime / TimeClip ...), the local time zone through libc's
//! `localtime_r`, ISO and legacy string parsing, and the string formats.

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{JsObject, NativeFn, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::Hint;
use crate::vm::runtime::describe::describe;
use crate::vm::runtime::number::integer_or_infinity;
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

const MS_PER_DAY: f64 = 86_400_000.0;
const MS_PER_HOUR: f64 = 3_600_000.0;
const MS_PER_MINUTE: f64 = 60_000.0;
const MS_PER_SECOND: f64 = 1000.0;

const DAY_NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = crate::vm::runtime::define::make_constructor(vm, realm, "Date", date_ctor, 7, Intrinsic::DatePrototype, Intrinsic::Date);
    vm.define_method(c, "now", now, 0);
    vm.define_method(c, "parse", parse, 1);
    vm.define_method(c, "UTC", utc, 7);
    let p = realm.proto(Intrinsic::DatePrototype);
    let methods: &[(&str, NativeFn, u32)] = &[
        ("getDate", get_date, 0),
        ("getDay", get_day, 0),
        ("getFullYear", get_full_year, 0),
        ("getHours", get_hours, 0),
        ("getMilliseconds", get_milliseconds, 0),
        ("getMinutes", get_minutes, 0),
        ("getMonth", get_month, 0),
        ("getSeconds", get_seconds, 0),
        ("getTime", get_time, 0),
        ("getTimezoneOffset", get_timezone_offset, 0),
        ("getUTCDate", get_utc_date, 0),
        ("getUTCDay", get_utc_day, 0),
        ("getUTCFullYear", get_utc_full_year, 0),
        ("getUTCHours", get_utc_hours, 0),
        ("getUTCMilliseconds", get_utc_milliseconds, 0),
        ("getUTCMinutes", get_utc_minutes, 0),
        ("getUTCMonth", get_utc_month, 0),
        ("getUTCSeconds", get_utc_seconds, 0),
        ("getYear", get_year, 0),
        ("setDate", set_date, 1),
        ("setFullYear", set_full_year, 3),
        ("setHours", set_hours, 4),
        ("setMilliseconds", set_milliseconds, 1),
        ("setMinutes", set_minutes, 3),
        ("setMonth", set_month, 2),
        ("setSeconds", set_seconds, 2),
        ("setTime", set_time, 1),
        ("setUTCDate", set_utc_date, 1),
        ("setUTCFullYear", set_utc_full_year, 3),
        ("setUTCHours", set_utc_hours, 4),
        ("setUTCMilliseconds", set_utc_milliseconds, 1),
        ("setUTCMinutes", set_utc_minutes, 3),
        ("setUTCMonth", set_utc_month, 2),
        ("setUTCSeconds", set_utc_seconds, 2),
        ("setYear", set_year, 1),
        ("toDateString", to_date_string, 0),
        ("toISOString", to_iso_string, 0),
        ("toJSON", to_json, 1),
        ("toLocaleDateString", to_locale_date_string, 0),
        ("toLocaleString", to_locale_string, 0),
        ("toLocaleTimeString", to_locale_time_string, 0),
        ("toString", to_string, 0),
        ("toTimeString", to_time_string, 0),
        ("valueOf", get_time, 0),
    ];
    for &(name, f, len) in methods {
        vm.define_method(p, name, f, len);
    }
    let utc_fn = vm.define_method(p, "toUTCString", to_utc_string, 0);
    vm.define_value(p, "toGMTString", utc_fn.value(), attrs::HIDDEN);
    let tp = vm.symbols.to_primitive;
    vm.define_symbol_method(p, tp, "[Symbol.toPrimitive]", to_primitive, 1, attrs::CONFIGURABLE);
}

// ----- time arithmetic (ECMA-262 21.4.1) -----

fn day(t: f64) -> f64 {
    (t / MS_PER_DAY).floor()
}
fn time_within_day(t: f64) -> f64 {
    t.rem_euclid(MS_PER_DAY)
}
fn day_from_year(y: f64) -> f64 {
    365.0 * (y - 1970.0) + ((y - 1969.0) / 4.0).floor() - ((y - 1901.0) / 100.0).floor() + ((y - 1601.0) / 400.0).floor()
}
fn days_in_year(y: f64) -> f64 {
    if (y % 4.0 != 0.0) || (y % 100.0 == 0.0 && y % 400.0 != 0.0) { 365.0 } else { 366.0 }
}
fn year_from_time(t: f64) -> f64 {
    let d = day(t);
    let mut y = (d / 365.2425).floor() + 1970.0;
    while day_from_year(y) > d {
        y -= 1.0;
    }
    while day_from_year(y + 1.0) <= d {
        y += 1.0;
    }
    y
}
fn in_leap_year(t: f64) -> bool {
    days_in_year(year_from_time(t)) == 366.0
}
fn day_within_year(t: f64) -> f64 {
    day(t) - day_from_year(year_from_time(t))
}
/// Cumulative days before each month (non-leap), plus the leap adjustment.
fn month_start(m: usize, leap: bool) -> f64 {
    const STARTS: [f64; 13] = [0.0, 31.0, 59.0, 90.0, 120.0, 151.0, 181.0, 212.0, 243.0, 273.0, 304.0, 334.0, 365.0];
    STARTS[m] + if leap && m >= 2 { 1.0 } else { 0.0 }
}
fn month_from_time(t: f64) -> f64 {
    let d = day_within_year(t);
    let leap = in_leap_year(t);
    let mut m = 0;
    while m < 11 && d >= month_start(m + 1, leap) {
        m += 1;
    }
    m as f64
}
fn date_from_time(t: f64) -> f64 {
    let m = month_from_time(t) as usize;
    day_within_year(t) - month_start(m, in_leap_year(t)) + 1.0
}
fn week_day(t: f64) -> f64 {
    (day(t) + 4.0).rem_euclid(7.0)
}
fn hour_from_time(t: f64) -> f64 {
    (t / MS_PER_HOUR).floor().rem_euclid(24.0)
}
fn min_from_time(t: f64) -> f64 {
    (t / MS_PER_MINUTE).floor().rem_euclid(60.0)
}
fn sec_from_time(t: f64) -> f64 {
    (t / MS_PER_SECOND).floor().rem_euclid(60.0)
}
fn ms_from_time(t: f64) -> f64 {
    t.rem_euclid(MS_PER_SECOND)
}

fn make_time(h: f64, m: f64, s: f64, ms: f64) -> f64 {
    if !h.is_finite() || !m.is_finite() || !s.is_finite() || !ms.is_finite() {
        return f64::NAN;
    }
    integer_or_infinity(h) * MS_PER_HOUR + integer_or_infinity(m) * MS_PER_MINUTE + integer_or_infinity(s) * MS_PER_SECOND + integer_or_infinity(ms)
}

fn make_day(year: f64, month: f64, date: f64) -> f64 {
    if !year.is_finite() || !month.is_finite() || !date.is_finite() {
        return f64::NAN;
    }
    let (y, m, dt) = (integer_or_infinity(year), integer_or_infinity(month), integer_or_infinity(date));
    let ym = y + (m / 12.0).floor();
    if !ym.is_finite() || ym.abs() > 400_000.0 {
        return f64::NAN;
    }
    let mn = m.rem_euclid(12.0) as usize;
    let leap = days_in_year(ym) == 366.0;
    let d = day_from_year(ym) + month_start(mn, leap);
    d + dt - 1.0
}

fn make_date(day: f64, time: f64) -> f64 {
    if !day.is_finite() || !time.is_finite() {
        return f64::NAN;
    }
    let tv = day * MS_PER_DAY + time;
    if !tv.is_finite() { f64::NAN } else { tv }
}

fn time_clip(t: f64) -> f64 {
    if !t.is_finite() || t.abs() > 8.64e15 {
        return f64::NAN;
    }
    integer_or_infinity(t) + 0.0
}

/// MakeFullYear: two-digit years map to 1900-1999.
fn make_full_year(y: f64) -> f64 {
    if y.is_nan() {
        return f64::NAN;
    }
    let yi = integer_or_infinity(y);
    if (0.0..=99.0).contains(&yi) { 1900.0 + yi } else { y }
}

// ----- local time zone -----

/// The offset of local time from UTC at UTC time `t` (ms), and the zone abbreviation.
fn local_offset(t: f64) -> (f64, String) {
    if !t.is_finite() {
        return (0.0, "UTC".into());
    }
    let secs = (t / 1000.0).floor().clamp(-6.7e16, 6.7e16) as libc::time_t;
    // SAFETY: `tm` is plain old data; localtime_r writes it and returns null on failure.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the duration of the call.
    let r = unsafe { libc::localtime_r(&secs, &mut tm) };
    if r.is_null() {
        return (0.0, "UTC".into());
    }
    let name = if tm.tm_zone.is_null() {
        String::new()
    } else {
        // SAFETY: tm_zone points to a NUL-terminated static zone name.
        unsafe { std::ffi::CStr::from_ptr(tm.tm_zone) }.to_string_lossy().into_owned()
    };
    (tm.tm_gmtoff as f64 * 1000.0, name)
}

fn local_time(t: f64) -> f64 {
    t + local_offset(t).0
}

/// UTC(t): interprets `t` as local time.
fn utc_from_local(t: f64) -> f64 {
    if !t.is_finite() {
        return f64::NAN;
    }
    let guess = t - local_offset(t).0;
    t - local_offset(guess).0
}

fn now_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_millis() as f64)
}

// ----- formatting -----

fn year_string(y: f64) -> String {
    if y >= 0.0 { format!("{:04}", y as i64) } else { format!("-{:04}", (-y) as i64) }
}

fn date_string(t: f64) -> String {
    format!(
        "{} {} {:02} {}",
        DAY_NAMES[week_day(t) as usize],
        MONTH_NAMES[month_from_time(t) as usize],
        date_from_time(t) as i64,
        year_string(year_from_time(t))
    )
}

fn time_string(t: f64) -> String {
    format!("{:02}:{:02}:{:02} GMT", hour_from_time(t) as i64, min_from_time(t) as i64, sec_from_time(t) as i64)
}

fn time_zone_string(tv: f64) -> String {
    let (offset, name) = local_offset(tv);
    let sign = if offset >= 0.0 { '+' } else { '-' };
    let abs = (offset.abs() / MS_PER_MINUTE) as i64;
    let long = match name.as_str() {
        "UTC" | "GMT" | "" if offset == 0.0 => "Coordinated Universal Time".to_string(),
        _ => name,
    };
    format!("{sign}{:02}{:02} ({long})", abs / 60, abs % 60)
}

fn to_date_string_of(tv: f64) -> String {
    if tv.is_nan() {
        return "Invalid Date".into();
    }
    let t = local_time(tv);
    format!("{} {}{}", date_string(t), time_string(t), time_zone_string(tv))
}

fn iso_string(tv: f64) -> String {
    let y = year_from_time(tv);
    let ys = if (0.0..=9999.0).contains(&y) {
        format!("{:04}", y as i64)
    } else if y < 0.0 {
        format!("-{:06}", (-y) as i64)
    } else {
        format!("+{:06}", y as i64)
    };
    format!(
        "{ys}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        month_from_time(tv) as i64 + 1,
        date_from_time(tv) as i64,
        hour_from_time(tv) as i64,
        min_from_time(tv) as i64,
        sec_from_time(tv) as i64,
        ms_from_time(tv) as i64
    )
}

// ----- parsing -----

/// Parses the Date Time String Format (ISO 8601 subset); None if it does not match.
fn parse_iso(s: &[u8]) -> Option<f64> {
    let mut i = 0;
    let digits = |i: &mut usize, n: usize| -> Option<f64> {
        if *i + n > s.len() || !s[*i..*i + n].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let v = s[*i..*i + n].iter().fold(0.0, |a, &c| a * 10.0 + (c - b'0') as f64);
        *i += n;
        Some(v)
    };
    let year = match s.first()? {
        b'+' | b'-' => {
            let neg = s[0] == b'-';
            i = 1;
            let y = digits(&mut i, 6)?;
            if neg && y == 0.0 {
                return None;
            }
            if neg { -y } else { y }
        }
        _ => digits(&mut i, 4)?,
    };
    let (mut month, mut dayn) = (1.0, 1.0);
    if s.get(i) == Some(&b'-') {
        i += 1;
        month = digits(&mut i, 2)?;
        if s.get(i) == Some(&b'-') {
            i += 1;
            dayn = digits(&mut i, 2)?;
        }
    }
    if !(1.0..=12.0).contains(&month) || dayn < 1.0 {
        return None;
    }
    let leap = days_in_year(year) == 366.0;
    let mdays = month_start(month as usize, leap) - month_start(month as usize - 1, leap);
    if dayn > mdays {
        return None;
    }
    let (mut h, mut m, mut sec, mut ms) = (0.0, 0.0, 0.0, 0.0);
    let mut offset: Option<f64> = None;
    let has_time = s.get(i) == Some(&b'T');
    if has_time {
        i += 1;
        h = digits(&mut i, 2)?;
        if s.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        m = digits(&mut i, 2)?;
        if s.get(i) == Some(&b':') {
            i += 1;
            sec = digits(&mut i, 2)?;
            if s.get(i) == Some(&b'.') {
                i += 1;
                let start = i;
                while i < s.len() && s[i].is_ascii_digit() {
                    i += 1;
                }
                if i == start {
                    return None;
                }
                let frac = &s[start..i.min(start + 3)];
                ms = frac.iter().fold(0.0, |a, &c| a * 10.0 + (c - b'0') as f64) * 10f64.powi(3 - frac.len() as i32);
            }
        }
        if h > 24.0 || m > 59.0 || sec > 59.0 || (h == 24.0 && (m > 0.0 || sec > 0.0 || ms > 0.0)) {
            return None;
        }
        match s.get(i) {
            Some(b'Z') => {
                offset = Some(0.0);
                i += 1;
            }
            Some(&c @ (b'+' | b'-')) => {
                i += 1;
                let oh = digits(&mut i, 2)?;
                if s.get(i) != Some(&b':') {
                    return None;
                }
                i += 1;
                let om = digits(&mut i, 2)?;
                if oh > 23.0 || om > 59.0 {
                    return None;
                }
                let o = (oh * 60.0 + om) * MS_PER_MINUTE;
                offset = Some(if c == b'-' { -o } else { o });
            }
            _ => {}
        }
    }
    if i != s.len() {
        return None;
    }
    let date = make_date(make_day(year, month - 1.0, dayn), make_time(h, m, sec, ms));
    let tv = match offset {
        Some(o) => date - o,
        None if has_time => utc_from_local(date),
        None => date,
    };
    Some(time_clip(tv))
}

/// A lenient parser for the toString / toUTCString formats and similar
/// ("Tue Jan 01 2019 00:00:00 GMT+0100 (CET)", "01 Jan 2019 00:00 GMT", "1/2/2019").
fn parse_legacy(s: &str) -> f64 {
    let mut year: Option<f64> = None;
    let mut month: Option<f64> = None;
    let mut dayn: Option<f64> = None;
    let mut time = (0.0, 0.0, 0.0);
    let mut offset: Option<f64> = None;
    let mut pm: Option<bool> = None;
    // Drop parenthesized comments.
    let mut clean = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => clean.push(c),
            _ => {}
        }
    }
    let tokens: Vec<&str> = clean.split(|c: char| c.is_whitespace() || c == ',').filter(|t| !t.is_empty()).collect();
    let mut numbers: Vec<f64> = Vec::new();
    for tok in tokens {
        let lower = tok.to_ascii_lowercase();
        if let Some(m) = MONTH_NAMES.iter().position(|n| lower.starts_with(&n.to_ascii_lowercase())) {
            month = Some(m as f64);
            continue;
        }
        if DAY_NAMES.iter().any(|n| lower.starts_with(&n.to_ascii_lowercase())) {
            continue;
        }
        if lower == "am" || lower == "pm" {
            pm = Some(lower == "pm");
            continue;
        }
        if lower == "z" || lower == "utc" || lower == "gmt" || lower == "ut" {
            offset = Some(offset.unwrap_or(0.0));
            continue;
        }
        let tz = lower.strip_prefix("gmt").or_else(|| lower.strip_prefix("utc")).unwrap_or(&lower);
        if (tz.starts_with('+') || tz.starts_with('-')) && tz.len() > 1 && (offset.is_some() || tz.len() == 5 || tz.contains(':')) {
            let sign = if tz.starts_with('-') { -1.0 } else { 1.0 };
            let body: String = tz[1..].chars().filter(|c| *c != ':').collect();
            let Ok(n) = body.parse::<u32>() else { return f64::NAN };
            let (hh, mm) = if body.len() <= 2 { (n, 0) } else { (n / 100, n % 100) };
            offset = Some(sign * (hh as f64 * 60.0 + mm as f64) * MS_PER_MINUTE);
            continue;
        }
        if tok.contains(':') {
            let parts: Vec<&str> = tok.split(':').collect();
            let mut vals = [0.0; 3];
            for (k, p) in parts.iter().take(3).enumerate() {
                match p.parse::<f64>() {
                    Ok(v) => vals[k] = v,
                    Err(_) => return f64::NAN,
                }
            }
            time = (vals[0], vals[1], vals[2]);
            continue;
        }
        if tok.contains('/') {
            let parts: Vec<&str> = tok.split('/').collect();
            if parts.len() == 3 {
                let (Ok(mo), Ok(d), Ok(y)) = (parts[0].parse::<f64>(), parts[1].parse::<f64>(), parts[2].parse::<f64>()) else {
                    return f64::NAN;
                };
                month = Some(mo - 1.0);
                dayn = Some(d);
                year = Some(y);
                continue;
            }
            return f64::NAN;
        }
        let t = tok.trim_start_matches('+');
        match t.parse::<f64>() {
            Ok(v) if tok.starts_with('-') => year = Some(v),
            Ok(v) => numbers.push(v),
            Err(_) => return f64::NAN,
        }
    }
    for n in numbers {
        if dayn.is_none() && n <= 31.0 && month.is_some() || dayn.is_none() && n <= 31.0 && year.is_none() && month.is_none() {
            dayn = Some(n);
        } else if year.is_none() {
            year = Some(if n < 50.0 {
                2000.0 + n
            } else if n < 100.0 {
                1900.0 + n
            } else {
                n
            });
        } else {
            return f64::NAN;
        }
    }
    let (Some(y), Some(mo)) = (year, month) else { return f64::NAN };
    let mut h = time.0;
    if let Some(p) = pm {
        if h > 12.0 {
            return f64::NAN;
        }
        if h == 12.0 {
            h = 0.0;
        }
        if p {
            h += 12.0;
        }
    }
    let date = make_date(make_day(y, mo, dayn.unwrap_or(1.0)), make_time(h, time.1, time.2, 0.0));
    let tv = match offset {
        Some(o) => date - o,
        None => utc_from_local(date),
    };
    time_clip(tv)
}

fn parse_date(s: &str) -> f64 {
    let t = s.trim();
    if let Some(v) = parse_iso(t.as_bytes()) {
        return v;
    }
    parse_legacy(t)
}

// ----- constructor and statics -----

fn date_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if !a.is_construct() {
        let s = to_date_string_of(now_ms());
        return Ok(vm.string_value(&s));
    }
    let tv = match a.args.len() {
        0 => now_ms(),
        1 => {
            let v = a.arg(0);
            let tv = match JsObject::from_value(v).and_then(|o| if let ObjectKind::Date(t) = o.kind { Some(t) } else { None }) {
                Some(t) => t,
                None => {
                    let p = vm.to_primitive(v, Hint::Default)?;
                    if Vm::is_string(p) {
                        let s = vm.to_string(p)?.to_rust_string();
                        parse_date(&s)
                    } else {
                        vm.to_number(p)?
                    }
                }
            };
            time_clip(tv)
        }
        _ => {
            let comps = components(vm, a, 0)?;
            time_clip(utc_from_local(date_from_components(comps)))
        }
    };
    let proto = vm.prototype_from_constructor(a.new_target, Intrinsic::DatePrototype)?;
    Ok(vm.new_object_with_proto(proto, ObjectKind::Date(tv)).value())
}

/// ToNumber of (year, month, date, hours, minutes, seconds, ms) with defaults.
fn components(vm: &mut Vm, a: &CallArgs<'_>, _first: usize) -> JsResult<[f64; 7]> {
    let mut c = [f64::NAN, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0];
    for (i, slot) in c.iter_mut().enumerate() {
        if i < a.args.len() {
            *slot = vm.to_number(a.args[i])?;
        }
    }
    Ok(c)
}

fn date_from_components(c: [f64; 7]) -> f64 {
    let yr = make_full_year(c[0]);
    make_date(make_day(yr, c[1], c[2]), make_time(c[3], c[4], c[5], c[6]))
}

fn now(_vm: &mut Vm, _a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::number(now_ms()))
}

fn parse(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = vm.to_string(a.arg(0))?.to_rust_string();
    Ok(Value::number(parse_date(&s)))
}

fn utc(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let comps = components(vm, a, 0)?;
    Ok(Value::number(time_clip(date_from_components(comps))))
}

// ----- prototype -----

/// thisTimeValue.
fn this_time(vm: &mut Vm, v: Value, method: &str) -> JsResult<(Gc<JsObject>, f64)> {
    if let Some(o) = JsObject::from_value(v)
        && let ObjectKind::Date(t) = o.kind
    {
        return Ok((o, t));
    }
    let d = describe(vm, v);
    Err(vm.type_error(&format!("Date.prototype.{method} called on incompatible receiver {d}: this is not a Date object.")))
}

fn set_time_value(o: Gc<JsObject>, t: f64) -> Value {
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { o.m() }).kind = ObjectKind::Date(t);
    Value::number(t)
}

macro_rules! getters {
    ($($name:ident, $method:literal, $local:expr, $f:expr;)*) => {
        $(fn $name(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
            let (_, t) = this_time(vm, a.this, $method)?;
            if t.is_nan() {
                return Ok(Value::number(f64::NAN));
            }
            let t = if $local { local_time(t) } else { t };
            let f: fn(f64) -> f64 = $f;
            Ok(Value::number(f(t)))
        })*
    };
}

getters! {
    get_date, "getDate", true, date_from_time;
    get_day, "getDay", true, week_day;
    get_full_year, "getFullYear", true, year_from_time;
    get_hours, "getHours", true, hour_from_time;
    get_milliseconds, "getMilliseconds", true, ms_from_time;
    get_minutes, "getMinutes", true, min_from_time;
    get_month, "getMonth", true, month_from_time;
    get_seconds, "getSeconds", true, sec_from_time;
    get_time, "getTime", false, |t| t;
    get_utc_date, "getUTCDate", false, date_from_time;
    get_utc_day, "getUTCDay", false, week_day;
    get_utc_full_year, "getUTCFullYear", false, year_from_time;
    get_utc_hours, "getUTCHours", false, hour_from_time;
    get_utc_milliseconds, "getUTCMilliseconds", false, ms_from_time;
    get_utc_minutes, "getUTCMinutes", false, min_from_time;
    get_utc_month, "getUTCMonth", false, month_from_time;
    get_utc_seconds, "getUTCSeconds", false, sec_from_time;
    get_year, "getYear", true, |t| year_from_time(t) - 1900.0;
}

fn get_timezone_offset(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, t) = this_time(vm, a.this, "getTimezoneOffset")?;
    if t.is_nan() {
        return Ok(Value::number(f64::NAN));
    }
    Ok(Value::number((t - local_time(t)) / MS_PER_MINUTE))
}

fn set_time(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, _) = this_time(vm, a.this, "setTime")?;
    let t = vm.to_number(a.arg(0))?;
    Ok(set_time_value(o, time_clip(t)))
}

/// Which time fields a setter assigns, starting at the first argument.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Ms,
    Sec,
    Min,
    Hour,
}

/// setMilliseconds / setSeconds / setMinutes / setHours (local or UTC).
fn set_time_fields(vm: &mut Vm, a: &CallArgs<'_>, first: Field, local: bool, method: &str) -> JsResult<Value> {
    let (o, t) = this_time(vm, a.this, method)?;
    let max_args = match first {
        Field::Ms => 1,
        Field::Sec => 2,
        Field::Min => 3,
        Field::Hour => 4,
    };
    let mut given: [Option<f64>; 4] = [None; 4];
    for (i, slot) in given.iter_mut().enumerate().take(max_args) {
        if i == 0 || i < a.args.len() {
            *slot = Some(vm.to_number(a.arg(i))?);
        }
    }
    if t.is_nan() {
        return Ok(Value::number(f64::NAN));
    }
    let t = if local { local_time(t) } else { t };
    // Fields in order hour, min, sec, ms; the arguments fill from `first` downwards.
    let mut fields = [hour_from_time(t), min_from_time(t), sec_from_time(t), ms_from_time(t)];
    let start = 4 - max_args;
    for (k, g) in given.iter().take(max_args).enumerate() {
        if let Some(v) = g {
            fields[start + k] = *v;
        }
    }
    let date = make_date(day(t), make_time(fields[0], fields[1], fields[2], fields[3]));
    let u = if local { utc_from_local(date) } else { date };
    Ok(set_time_value(o, time_clip(u)))
}

macro_rules! time_setters {
    ($($name:ident, $method:literal, $field:expr, $local:expr;)*) => {
        $(fn $name(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
            set_time_fields(vm, a, $field, $local, $method)
        })*
    };
}

time_setters! {
    set_milliseconds, "setMilliseconds", Field::Ms, true;
    set_seconds, "setSeconds", Field::Sec, true;
    set_minutes, "setMinutes", Field::Min, true;
    set_hours, "setHours", Field::Hour, true;
    set_utc_milliseconds, "setUTCMilliseconds", Field::Ms, false;
    set_utc_seconds, "setUTCSeconds", Field::Sec, false;
    set_utc_minutes, "setUTCMinutes", Field::Min, false;
    set_utc_hours, "setUTCHours", Field::Hour, false;
}

fn set_date_impl(vm: &mut Vm, a: &CallArgs<'_>, local: bool, method: &str) -> JsResult<Value> {
    let (o, t) = this_time(vm, a.this, method)?;
    let dt = vm.to_number(a.arg(0))?;
    if t.is_nan() {
        return Ok(Value::number(f64::NAN));
    }
    let t = if local { local_time(t) } else { t };
    let new_date = make_date(make_day(year_from_time(t), month_from_time(t), dt), time_within_day(t));
    let u = if local { utc_from_local(new_date) } else { new_date };
    Ok(set_time_value(o, time_clip(u)))
}
fn set_date(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    set_date_impl(vm, a, true, "setDate")
}
fn set_utc_date(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    set_date_impl(vm, a, false, "setUTCDate")
}

fn set_month_impl(vm: &mut Vm, a: &CallArgs<'_>, local: bool, method: &str) -> JsResult<Value> {
    let (o, t) = this_time(vm, a.this, method)?;
    let m = vm.to_number(a.arg(0))?;
    let dt = if a.args.len() > 1 { Some(vm.to_number(a.arg(1))?) } else { None };
    if t.is_nan() {
        return Ok(Value::number(f64::NAN));
    }
    let t = if local { local_time(t) } else { t };
    let dt = dt.unwrap_or_else(|| date_from_time(t));
    let new_date = make_date(make_day(year_from_time(t), m, dt), time_within_day(t));
    let u = if local { utc_from_local(new_date) } else { new_date };
    Ok(set_time_value(o, time_clip(u)))
}
fn set_month(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    set_month_impl(vm, a, true, "setMonth")
}
fn set_utc_month(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    set_month_impl(vm, a, false, "setUTCMonth")
}

fn set_full_year_impl(vm: &mut Vm, a: &CallArgs<'_>, local: bool, method: &str) -> JsResult<Value> {
    let (o, t) = this_time(vm, a.this, method)?;
    let y = vm.to_number(a.arg(0))?;
    let t = if t.is_nan() {
        0.0
    } else if local {
        local_time(t)
    } else {
        t
    };
    let m = if a.args.len() > 1 { vm.to_number(a.arg(1))? } else { month_from_time(t) };
    let dt = if a.args.len() > 2 { vm.to_number(a.arg(2))? } else { date_from_time(t) };
    let new_date = make_date(make_day(y, m, dt), time_within_day(t));
    let u = if local { utc_from_local(new_date) } else { new_date };
    Ok(set_time_value(o, time_clip(u)))
}
fn set_full_year(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    set_full_year_impl(vm, a, true, "setFullYear")
}
fn set_utc_full_year(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    set_full_year_impl(vm, a, false, "setUTCFullYear")
}

fn set_year(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, t) = this_time(vm, a.this, "setYear")?;
    let y = vm.to_number(a.arg(0))?;
    let t = if t.is_nan() { 0.0 } else { local_time(t) };
    let yyyy = make_full_year(y);
    if yyyy.is_nan() {
        return Ok(set_time_value(o, f64::NAN));
    }
    let d = make_day(yyyy, month_from_time(t), date_from_time(t));
    let date = make_date(d, time_within_day(t));
    Ok(set_time_value(o, time_clip(utc_from_local(date))))
}

fn to_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, t) = this_time(vm, a.this, "toString")?;
    let s = to_date_string_of(t);
    Ok(vm.string_value(&s))
}

fn to_date_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, t) = this_time(vm, a.this, "toDateString")?;
    let s = if t.is_nan() { "Invalid Date".into() } else { date_string(local_time(t)) };
    Ok(vm.string_value(&s))
}

fn to_time_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, t) = this_time(vm, a.this, "toTimeString")?;
    let s = if t.is_nan() { "Invalid Date".into() } else { format!("{}{}", time_string(local_time(t)), time_zone_string(t)) };
    Ok(vm.string_value(&s))
}

fn to_utc_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, t) = this_time(vm, a.this, "toUTCString")?;
    let s = if t.is_nan() {
        "Invalid Date".into()
    } else {
        format!(
            "{}, {:02} {} {} {}",
            DAY_NAMES[week_day(t) as usize],
            date_from_time(t) as i64,
            MONTH_NAMES[month_from_time(t) as usize],
            year_string(year_from_time(t)),
            time_string(t)
        )
    };
    Ok(vm.string_value(&s))
}

fn to_iso_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, t) = this_time(vm, a.this, "toISOString")?;
    if !t.is_finite() {
        return Err(vm.range_error("Invalid time value"));
    }
    let s = iso_string(t);
    Ok(vm.string_value(&s))
}

fn locale_date(t: f64) -> String {
    format!("{}/{}/{}", month_from_time(t) as i64 + 1, date_from_time(t) as i64, year_from_time(t) as i64)
}
fn locale_time(t: f64) -> String {
    let h = hour_from_time(t) as i64;
    let h12 = if h % 12 == 0 { 12 } else { h % 12 };
    format!("{}:{:02}:{:02} {}", h12, min_from_time(t) as i64, sec_from_time(t) as i64, if h < 12 { "AM" } else { "PM" })
}

fn to_locale_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, t) = this_time(vm, a.this, "toLocaleString")?;
    let s = if t.is_nan() {
        "Invalid Date".into()
    } else {
        let l = local_time(t);
        format!("{}, {}", locale_date(l), locale_time(l))
    };
    Ok(vm.string_value(&s))
}
fn to_locale_date_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, t) = this_time(vm, a.this, "toLocaleDateString")?;
    let s = if t.is_nan() { "Invalid Date".into() } else { locale_date(local_time(t)) };
    Ok(vm.string_value(&s))
}
fn to_locale_time_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (_, t) = this_time(vm, a.this, "toLocaleTimeString")?;
    let s = if t.is_nan() { "Invalid Date".into() } else { locale_time(local_time(t)) };
    Ok(vm.string_value(&s))
}

fn to_json(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let o = vm.to_object(a.this)?;
    let tv = vm.to_primitive(o.value(), Hint::Number)?;
    if tv.is_number() && !tv.as_number().is_finite() {
        return Ok(Value::NULL);
    }
    let key = vm.key_from_str("toISOString");
    let f = vm.get(o, key, o.value())?;
    if !Vm::is_callable(f) {
        return Err(vm.type_error("toISOString is not a function"));
    }
    vm.call(f, o.value(), &[])
}

/// Date.prototype[@@toPrimitive](hint): OrdinaryToPrimitive with the hint.
fn to_primitive(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some(o) = JsObject::from_value(a.this) else {
        return Err(vm.type_error("Date.prototype[Symbol.toPrimitive] called on non-object"));
    };
    let hint = a.arg(0);
    let h = if Vm::is_string(hint) { vm.to_string(hint)?.to_rust_string() } else { String::new() };
    let string_first = match h.as_str() {
        "string" | "default" => true,
        "number" => false,
        _ => return Err(vm.type_error("Invalid hint")),
    };
    let order = if string_first { [vm.names.to_string, vm.names.value_of] } else { [vm.names.value_of, vm.names.to_string] };
    for name in order {
        let f = vm.get(o, PropertyKey::Atom(name), a.this)?;
        if Vm::is_callable(f) {
            let r = vm.call(f, a.this, &[])?;
            if !JsObject::is_object(r) {
                return Ok(r);
            }
        }
    }
    Err(vm.type_error("Cannot convert object to primitive value"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_math() {
        assert_eq!(year_from_time(0.0), 1970.0);
        assert_eq!(iso_string(8.64e15), "+275760-09-13T00:00:00.000Z");
        assert_eq!(iso_string(-8.64e15), "-271821-04-20T00:00:00.000Z");
        assert_eq!(iso_string(951782400000.0), "2000-02-29T00:00:00.000Z");
        assert_eq!(parse_iso(b"2000-02-29T00:00:00.000Z"), Some(951782400000.0));
        assert_eq!(parse_iso(b"-000000-01-01T00:00:00Z"), None);
        assert_eq!(parse_legacy("Tue, 29 Feb 2000 00:00:00 GMT"), 951782400000.0);
        assert_eq!(make_day(2000.0, 1.0, 29.0), 11016.0);
    }
}
