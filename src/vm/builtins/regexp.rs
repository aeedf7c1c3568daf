//! RegExp on Sable's own engine (`vm::regexp`): constructor,
//! RegExpBuiltinExec, flag and source accessors, and the symbol methods that
//! String.prototype delegates to (@@match, @@replace, @@search, @@split).

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{JsObject, JsString, ObjectKind, PropertyKey, RegExpData, StrView, attrs};
use crate::vm::regexp;
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::runtime::strings::{get_substitution, is_regexp};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = crate::vm::runtime::define::make_constructor(vm, realm, "RegExp", regexp_ctor, 2, Intrinsic::RegExpPrototype, Intrinsic::RegExp);
    let species = PropertyKey::Symbol(vm.symbols.species);
    vm.define_accessor(c, species, Some(species_getter), None, "[Symbol.species]");
    vm.define_method(c, "escape", regexp_escape, 1);
    install_legacy_statics(vm, c);
    let p = realm.proto(Intrinsic::RegExpPrototype);
    let exec_fn = vm.define_method(p, "exec", exec, 1);
    // SAFETY: a short borrow of the realm cell during setup; nothing else references it meanwhile.
    (unsafe { realm.m() }).intrinsics[Intrinsic::RegExpProtoExec as usize] = exec_fn.value();
    vm.define_method(p, "test", test, 1);
    vm.define_method(p, "toString", to_string, 0);
    vm.define_method(p, "compile", compile, 2);
    let getters: [(&str, crate::vm::object::NativeFn); 10] = [
        ("flags", flags_getter),
        ("hasIndices", |vm, a| flag_getter(vm, a, 'd', "hasIndices")),
        ("global", |vm, a| flag_getter(vm, a, 'g', "global")),
        ("ignoreCase", |vm, a| flag_getter(vm, a, 'i', "ignoreCase")),
        ("multiline", |vm, a| flag_getter(vm, a, 'm', "multiline")),
        ("dotAll", |vm, a| flag_getter(vm, a, 's', "dotAll")),
        ("unicode", |vm, a| flag_getter(vm, a, 'u', "unicode")),
        ("unicodeSets", |vm, a| flag_getter(vm, a, 'v', "unicodeSets")),
        ("sticky", |vm, a| flag_getter(vm, a, 'y', "sticky")),
        ("source", source_getter),
    ];
    for (name, f) in getters {
        let key = vm.key_from_str(name);
        vm.define_accessor(p, key, Some(f), None, name);
    }
    let sym = vm.symbols.match_;
    vm.define_symbol_method(p, sym, "[Symbol.match]", symbol_match, 1, attrs::HIDDEN);
    let sym = vm.symbols.match_all;
    vm.define_symbol_method(p, sym, "[Symbol.matchAll]", symbol_match_all, 1, attrs::HIDDEN);
    let sym = vm.symbols.replace;
    vm.define_symbol_method(p, sym, "[Symbol.replace]", symbol_replace, 2, attrs::HIDDEN);
    let sym = vm.symbols.search;
    vm.define_symbol_method(p, sym, "[Symbol.search]", symbol_search, 1, attrs::HIDDEN);
    let sym = vm.symbols.split;
    vm.define_symbol_method(p, sym, "[Symbol.split]", symbol_split, 2, attrs::HIDDEN);

    let rsip = realm.proto(Intrinsic::RegExpStringIteratorPrototype);
    vm.define_method(rsip, "next", regexp_string_iterator_next, 0);
    let tag = vm.symbols.to_string_tag;
    let name = vm.string_value("RegExp String Iterator");
    rsip.put_named(&mut vm.heap, PropertyKey::Symbol(tag), name, attrs::CONFIGURABLE);
}

/// The legacy statics (`RegExp.$1`...`$9`, `input`/`$_`, `lastMatch`/`$&`,
/// `lastParen`/`$+`, `leftContext`/`` $` ``, `rightContext`/`$'`):
/// configurable, non-enumerable accessors; only `input` has a setter.
fn install_legacy_statics(vm: &mut Vm, c: Gc<JsObject>) {
    macro_rules! getter {
        ($which:expr) => {
            (|vm: &mut Vm, a: &CallArgs<'_>| legacy_static(vm, a, $which)) as crate::vm::object::NativeFn
        };
    }
    let accessors: [(&str, crate::vm::object::NativeFn, bool); 19] = [
        ("input", getter!(LegacyStatic::Input), true),
        ("$_", getter!(LegacyStatic::Input), true),
        ("lastMatch", getter!(LegacyStatic::LastMatch), false),
        ("$&", getter!(LegacyStatic::LastMatch), false),
        ("lastParen", getter!(LegacyStatic::LastParen), false),
        ("$+", getter!(LegacyStatic::LastParen), false),
        ("leftContext", getter!(LegacyStatic::LeftContext), false),
        ("$`", getter!(LegacyStatic::LeftContext), false),
        ("rightContext", getter!(LegacyStatic::RightContext), false),
        ("$'", getter!(LegacyStatic::RightContext), false),
        ("$1", getter!(LegacyStatic::Paren(1)), false),
        ("$2", getter!(LegacyStatic::Paren(2)), false),
        ("$3", getter!(LegacyStatic::Paren(3)), false),
        ("$4", getter!(LegacyStatic::Paren(4)), false),
        ("$5", getter!(LegacyStatic::Paren(5)), false),
        ("$6", getter!(LegacyStatic::Paren(6)), false),
        ("$7", getter!(LegacyStatic::Paren(7)), false),
        ("$8", getter!(LegacyStatic::Paren(8)), false),
        ("$9", getter!(LegacyStatic::Paren(9)), false),
    ];
    for (name, get, settable) in accessors {
        let key = vm.key_from_str(name);
        vm.define_accessor(c, key, Some(get), settable.then_some(set_legacy_input as crate::vm::object::NativeFn), name);
    }
}

fn species_getter(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(a.this)
}

fn regexp_data(v: Value) -> Option<Gc<JsObject>> {
    JsObject::from_value(v).filter(|o| matches!(o.kind, ObjectKind::RegExp(_)))
}

fn last_index_key(vm: &mut Vm) -> PropertyKey {
    PropertyKey::Atom(vm.names.last_index)
}

fn regexp_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (pattern, flags) = (a.arg(0), a.arg(1));
    let pattern_is_regexp = is_regexp(vm, pattern)?;
    let new_target = if a.is_construct() {
        a.new_target
    } else {
        let nt = a.callee.value();
        if pattern_is_regexp && flags.is_undefined() {
            let ckey = PropertyKey::Atom(vm.names.constructor);
            let pc = vm.get_v(pattern, ckey)?;
            if pc == nt {
                return Ok(pattern);
            }
        }
        nt
    };
    let (p, f) = if let Some(r) = regexp_data(pattern) {
        let (src, fl) = match &r.kind {
            ObjectKind::RegExp(d) => (d.source.value(), d.flags.value()),
            _ => unreachable!(),
        };
        (src, if flags.is_undefined() { fl } else { flags })
    } else if pattern_is_regexp {
        let skey = PropertyKey::Atom(vm.names.source);
        let src = vm.get_v(pattern, skey)?;
        let f = if flags.is_undefined() {
            let fkey = PropertyKey::Atom(vm.names.flags);
            vm.get_v(pattern, fkey)?
        } else {
            flags
        };
        (src, f)
    } else {
        (pattern, flags)
    };
    let proto = vm.prototype_from_constructor(new_target, Intrinsic::RegExpPrototype)?;
    let obj = vm.new_object_with_proto(proto, ObjectKind::Ordinary);
    let lk = last_index_key(vm);
    obj.put_named(&mut vm.heap, lk, Value::int(0), attrs::WRITABLE);
    // RegExpAlloc: legacy features for %RegExp% itself, not subclasses.
    let realm = vm.realm();
    let legacy = new_target == realm.intrinsic(Intrinsic::RegExp);
    initialize(vm, obj, p, f, (realm.id, legacy))
}

/// RegExp.escape(S): S with every character that could mean something in
/// a pattern escaped, so the result matches S literally wherever it goes.
fn regexp_escape(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some(s) = Gc::<JsString>::try_from_value(a.arg(0)) else {
        return Err(vm.type_error("RegExp.escape requires a string"));
    };
    let units = s.to_units();
    let mut out: Vec<u16> = Vec::with_capacity(units.len() * 2);
    let push_str = |out: &mut Vec<u16>, text: &str| out.extend(text.encode_utf16());
    for (i, c) in char::decode_utf16(units.iter().copied()).enumerate() {
        if i % (1 << 20) == (1 << 20) - 1 {
            vm.poll_long_operation()?;
        }
        let c = c.map_or_else(|e| u32::from(e.unpaired_surrogate()), u32::from);
        let ascii = char::from_u32(c).filter(char::is_ascii);
        // A leading digit or letter would join what precedes the result
        // (`\1` + `0`, `\x` + `41`): hex-escape it.
        if i == 0 && ascii.is_some_and(|ch| ch.is_ascii_alphanumeric()) {
            push_str(&mut out, &format!("\\x{c:02x}"));
            continue;
        }
        match ascii {
            Some(ch @ ('^' | '$' | '\\' | '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '/')) => {
                out.push(u16::from(b'\\'));
                out.push(ch as u16);
            }
            Some('\t') => push_str(&mut out, "\\t"),
            Some('\n') => push_str(&mut out, "\\n"),
            Some('\u{0B}') => push_str(&mut out, "\\v"),
            Some('\u{0C}') => push_str(&mut out, "\\f"),
            Some('\r') => push_str(&mut out, "\\r"),
            _ => {
                let other_punctuator = ascii.is_some_and(|ch| ",-=<>#&!%:;@~'`\"".contains(ch));
                let space = c <= 0xFFFF && crate::vm::runtime::number::is_js_whitespace(c as u16);
                let surrogate = (0xD800..0xE000).contains(&c);
                if !(other_punctuator || space || surrogate) {
                    let mut buf = [0u16; 2];
                    out.extend_from_slice(char::from_u32(c).map_or(&[c as u16][..], |ch| ch.encode_utf16(&mut buf)));
                } else if c <= 0xFF {
                    push_str(&mut out, &format!("\\x{c:02x}"));
                } else {
                    // BMP only here: whitespace and lone surrogates.
                    push_str(&mut out, &format!("\\u{c:04x}"));
                }
            }
        }
    }
    Ok(JsString::from_units(&mut vm.heap, &out).value())
}

/// RegExpInitialize: validates the flags, compiles the pattern, resets lastIndex.
/// `origin`: the [[Realm]] (id) and [[LegacyFeaturesEnabled]] of `obj`.
fn initialize(vm: &mut Vm, obj: Gc<JsObject>, pattern: Value, flags: Value, origin: (u64, bool)) -> JsResult<Value> {
    let p = if pattern.is_undefined() { vm.names.empty } else { vm.to_string(pattern)? };
    let f = if flags.is_undefined() { vm.names.empty } else { vm.to_string(flags)? };
    let Some(flags) = regexp::Flags::parse(&f.to_units()) else {
        return Err(vm.syntax_error(&format!("Invalid flags supplied to RegExp constructor '{}'", f.to_rust_string())));
    };
    let units = p.to_units();
    let matcher = match vm.regexp_cache.get(&units, flags) {
        Some(cached) => cached,
        None => {
            // The parser recurses once per nesting level (at most
            // regexp::parser::MAX_NESTING): give it a stack of its own on
            // small host threads.
            let compiled = crate::vm::runtime::native_stack::run_with_native_stack(REGEXP_COMPILE_STACK, || regexp::compile(&units, flags));
            let Some(compiled) = compiled else {
                return Err(vm.range_error("Maximum call stack size exceeded (no stack to compile the regular expression)"));
            };
            let compiled = match compiled {
                Ok(m) => std::sync::Arc::new(m),
                Err(regexp::CompileError(e)) => {
                    let (ps, fs) = (p.to_rust_string(), f.to_rust_string());
                    return Err(vm.syntax_error(&format!("Invalid regular expression: /{ps}/{fs}: {e}")));
                }
            };
            vm.regexp_cache.insert(&units, compiled.clone());
            compiled
        }
    };
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { obj.m() }).kind = ObjectKind::RegExp(Box::new(RegExpData { source: p, flags: f, matcher, realm_id: origin.0, legacy: origin.1 }));
    let lk = last_index_key(vm);
    vm.put_v(obj.value(), lk, Value::int(0), true)?;
    Ok(obj.value())
}

/// Native stack the regexp parser and compiler may need: their nesting
/// limit (1,000 levels) times generous frames.
const REGEXP_COMPILE_STACK: usize = 4 << 20;

/// Entries the matcher's backtrack stack may hold (24 bytes each); a match
/// needing more is a RangeError.
const BACKTRACK_LIMIT: usize = 1 << 21;

fn compile(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some(o) = regexp_data(a.this) else {
        return Err(vm.type_error("RegExp.prototype.compile called on incompatible receiver"));
    };
    let ObjectKind::RegExp(d) = &o.kind else { unreachable!() };
    let origin = (d.realm_id, d.legacy);
    if origin != (vm.realm().id, true) {
        return Err(vm.type_error("RegExp.prototype.compile called on a RegExp of another realm or of a subclass"));
    }
    let (p, f) = if let Some(r) = regexp_data(a.arg(0)) {
        if !a.arg(1).is_undefined() {
            return Err(vm.type_error("Cannot supply flags when constructing one RegExp from another"));
        }
        match &r.kind {
            ObjectKind::RegExp(d) => (d.source.value(), d.flags.value()),
            _ => unreachable!(),
        }
    } else {
        (a.arg(0), a.arg(1))
    };
    initialize(vm, o, p, f, origin)
}

/// `subject[start..end]` as a new string.
fn view_substring(vm: &mut Vm, subject: StrView<'_>, start: usize, end: usize) -> Value {
    match subject {
        StrView::OneByte(bytes) => JsString::from_latin1(&mut vm.heap, &bytes[start..end]).value(),
        StrView::TwoByte(units) => JsString::from_units(&mut vm.heap, &units[start..end]).value(),
    }
}

fn substring(vm: &mut Vm, units: &[u16], start: usize, end: usize) -> Value {
    JsString::from_units(&mut vm.heap, &units[start.min(units.len())..end.min(units.len())]).value()
}

/// A match of the builtin exec before its result array is built: the
/// capture slots (start and end of each group, `UNSET` if it took no part)
/// in `subject`.
struct Found {
    slots: Vec<usize>,
    re: std::sync::Arc<regexp::Regex>,
    /// The subject as stored: the heap does not move, and the string stays
    /// reachable from the caller's frame while this lives.
    subject: StrView<'static>,
}

type Span = std::ops::Range<usize>;

impl Found {
    fn whole(&self) -> Span {
        self.slots[0]..self.slots[1]
    }

    /// Group `g`, if it took part in the match.
    fn group(&self, g: usize) -> Option<Span> {
        let (a, b) = (self.slots[2 * g], self.slots[2 * g + 1]);
        (a != regexp::matcher::UNSET && b != regexp::matcher::UNSET).then_some(a..b)
    }

    /// One entry per group name, in pattern order: the group of that name
    /// that took part (names may repeat across alternatives).
    fn named(&self) -> Vec<(&str, Option<Span>)> {
        let mut named: Vec<(&str, Option<Span>)> = Vec::new();
        for (name, index) in &self.re.names {
            let range = self.group(*index as usize);
            match named.iter_mut().find(|(n, _)| n == name) {
                Some(entry) => {
                    if entry.1.is_none() {
                        entry.1 = range;
                    }
                }
                None => named.push((name, range)),
            }
        }
        named
    }

    fn text(&self, vm: &mut Vm, span: Option<Span>) -> Value {
        match span {
            Some(r) => view_substring(vm, self.subject, r.start, r.end),
            None => Value::UNDEFINED,
        }
    }

    /// The capture strings (or undefined), group 1 on.
    fn captures(&self, vm: &mut Vm) -> Vec<Value> {
        (1..=self.re.capture_count as usize).map(|g| self.text(vm, self.group(g))).collect()
    }

    /// The `groups` object of the result (undefined without named groups).
    fn groups_object(&self, vm: &mut Vm) -> JsResult<Value> {
        if self.re.names.is_empty() {
            return Ok(Value::UNDEFINED);
        }
        let g = vm.new_object_with_proto(Value::NULL, ObjectKind::Ordinary);
        for (name, r) in self.named() {
            let v = self.text(vm, r);
            let k = vm.key_from_str(name);
            vm.create_data_property_or_throw(g, k, v)?;
        }
        Ok(g.value())
    }
}

/// RegExpBuiltinExec up to the match: reads and updates lastIndex as the
/// spec says; None when nothing matched.
fn builtin_match(vm: &mut Vm, r: Gc<JsObject>, s: Gc<JsString>) -> JsResult<Option<Found>> {
    let flags = match &r.kind {
        ObjectKind::RegExp(d) => d.matcher.flags,
        _ => return Err(vm.type_error("RegExp exec called on incompatible receiver")),
    };
    let (global, sticky) = (flags.global, flags.sticky);
    let lk = last_index_key(vm);
    let li = vm.get(r, lk, r.value())?;
    let mut last_index = vm.to_length(li)?;
    if !global && !sticky {
        last_index = 0;
    }
    // The subject as stored (one byte or two per unit), not a copy.
    let subject = s.flatten(&mut vm.heap);
    if last_index > subject.len() as u64 {
        if global || sticky {
            vm.put_v(r.value(), lk, Value::int(0), true)?;
        }
        return Ok(None);
    }
    // Re-read the matcher: ToLength(lastIndex) may have run JS (e.g. compile()).
    let ObjectKind::RegExp(d) = &r.kind else { return Ok(None) };
    let re = d.matcher.clone();
    let mut stopped = None;
    let mut interrupt = || match vm.poll_requests() {
        Ok(()) => false,
        Err(unwind) => {
            stopped = Some(unwind);
            true
        }
    };
    let start = last_index as usize;
    let linear_first = crate::vm::runtime::flags::regexp_linear_first();
    let result = match subject {
        StrView::OneByte(bytes) => re.exec(bytes, start, sticky, BACKTRACK_LIMIT, linear_first, &mut interrupt),
        StrView::TwoByte(units) => re.exec(units, start, sticky, BACKTRACK_LIMIT, linear_first, &mut interrupt),
    };
    let slots = match result {
        Ok(Some(slots)) if !sticky || slots[0] as u64 == last_index => slots,
        Ok(_) => {
            if global || sticky {
                vm.put_v(r.value(), lk, Value::int(0), true)?;
            }
            return Ok(None);
        }
        Err(regexp::matcher::MatchError::Interrupted) => return Err(stopped.unwrap_or(crate::vm::Unwind::Terminate)),
        Err(regexp::matcher::MatchError::BacktrackLimit | regexp::matcher::MatchError::OverBudget) => {
            return Err(vm.range_error("Maximum call stack size exceeded (regular expression backtracking)"));
        }
    };
    if global || sticky {
        vm.put_v(r.value(), lk, Value::number(slots[1] as f64), true)?;
    }
    record_legacy_statics(vm, r, s, &slots);
    Ok(Some(Found { slots, re, subject }))
}

/// After a match: UpdateLegacyRegExpStaticProperties for a legacy-enabled
/// RegExp of the current realm, InvalidateLegacyRegExpStaticProperties
/// for another one of that realm; other realms' statics stay.
fn record_legacy_statics(vm: &mut Vm, r: Gc<JsObject>, s: Gc<JsString>, slots: &[usize]) {
    let ObjectKind::RegExp(d) = &r.kind else { return };
    let realm = vm.realm();
    if d.realm_id != realm.id {
        return;
    }
    // SAFETY: a short borrow of the live realm cell; nothing else references it meanwhile.
    let statics = &mut unsafe { realm.m() }.regexp_statics;
    statics.valid = d.legacy;
    if d.legacy {
        statics.input = s.value();
        statics.subject = s.value();
        statics.slots.clear();
        statics.slots.extend_from_slice(slots);
    }
}

/// Which legacy static a getter reads.
#[derive(Clone, Copy)]
enum LegacyStatic {
    Input,
    LastMatch,
    LastParen,
    LeftContext,
    RightContext,
    Paren(usize),
}

/// GetLegacyRegExpStaticProperty: only on this realm's %RegExp% itself,
/// and only while no subclass instance matched last.
fn legacy_static(vm: &mut Vm, a: &CallArgs<'_>, which: LegacyStatic) -> JsResult<Value> {
    let realm = vm.realm();
    if a.this != realm.intrinsic(Intrinsic::RegExp) {
        return Err(vm.type_error("RegExp legacy static accessor called on a receiver other than RegExp"));
    }
    let statics = &realm.regexp_statics;
    if !statics.valid {
        return Err(vm.type_error("RegExp legacy static properties are unavailable after a match of a RegExp subclass"));
    }
    if let LegacyStatic::Input = which {
        return Ok(statics.input);
    }
    let subject: Gc<JsString> = Gc::from_value(statics.subject);
    let slots = &statics.slots;
    let groups = slots.len() / 2;
    let group = |g: usize| {
        let (a, b) = (slots.get(2 * g).copied(), slots.get(2 * g + 1).copied());
        match (a, b) {
            (Some(a), Some(b)) if a != regexp::matcher::UNSET && b != regexp::matcher::UNSET => Some(a..b),
            _ => None,
        }
    };
    let span = match which {
        LegacyStatic::Input => unreachable!(),
        LegacyStatic::LastMatch => group(0),
        LegacyStatic::LastParen => (groups > 1).then(|| group(groups - 1)).flatten(),
        LegacyStatic::LeftContext => group(0).map(|m| 0..m.start),
        LegacyStatic::RightContext => group(0).map(|m| m.end..subject.len()),
        LegacyStatic::Paren(n) => (n < groups).then(|| group(n)).flatten(),
    };
    Ok(match span {
        Some(span) => {
            let view = subject.flatten(&mut vm.heap);
            view_substring(vm, view, span.start, span.end)
        }
        None => vm.names.empty.value(),
    })
}

/// SetLegacyRegExpStaticProperty for `RegExp.input` / `RegExp.$_`.
fn set_legacy_input(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let realm = vm.realm();
    if a.this != realm.intrinsic(Intrinsic::RegExp) {
        return Err(vm.type_error("RegExp legacy static accessor called on a receiver other than RegExp"));
    }
    let input = vm.to_string(a.arg(0))?;
    // SAFETY: a short borrow of the live realm cell; nothing else references it meanwhile.
    unsafe { realm.m() }.regexp_statics.input = input.value();
    Ok(Value::UNDEFINED)
}

/// RegExpBuiltinExec: the match as a result array, or null.
fn builtin_exec(vm: &mut Vm, r: Gc<JsObject>, s: Gc<JsString>) -> JsResult<Value> {
    match builtin_match(vm, r, s)? {
        Some(found) => result_array(vm, s, &found),
        None => Ok(Value::NULL),
    }
}

/// The array RegExpBuiltinExec returns for a match.
fn result_array(vm: &mut Vm, s: Gc<JsString>, found: &Found) -> JsResult<Value> {
    let arr = vm.new_array(0);
    let ikey = PropertyKey::Atom(vm.names.index);
    vm.create_data_property_or_throw(arr, ikey, Value::number(found.slots[0] as f64))?;
    let inkey = PropertyKey::Atom(vm.names.input);
    vm.create_data_property_or_throw(arr, inkey, s.value())?;
    for g in 0..=found.re.capture_count as usize {
        let v = found.text(vm, found.group(g));
        vm.create_data_property_or_throw(arr, PropertyKey::Index(g as u32), v)?;
    }
    let groups = found.groups_object(vm)?;
    let gkey = PropertyKey::Atom(vm.names.groups);
    vm.create_data_property_or_throw(arr, gkey, groups)?;
    if found.re.flags.has_indices {
        let pair = |vm: &mut Vm, span: Option<Span>| match span {
            Some(r) => vm.array_from(&[Value::number(r.start as f64), Value::number(r.end as f64)]).value(),
            None => Value::UNDEFINED,
        };
        let indices = vm.new_array(0);
        for g in 0..=found.re.capture_count as usize {
            let v = pair(vm, found.group(g));
            vm.create_data_property_or_throw(indices, PropertyKey::Index(g as u32), v)?;
        }
        let gi = if found.re.names.is_empty() {
            Value::UNDEFINED
        } else {
            let g = vm.new_object_with_proto(Value::NULL, ObjectKind::Ordinary);
            for (name, r) in found.named() {
                let v = pair(vm, r);
                let k = vm.key_from_str(name);
                vm.create_data_property_or_throw(g, k, v)?;
            }
            g.value()
        };
        vm.create_data_property_or_throw(indices, gkey, gi)?;
        let key = PropertyKey::Atom(vm.names.indices);
        vm.create_data_property_or_throw(arr, key, indices.value())?;
    }
    Ok(arr.value())
}

/// What RegExpExec gave.
enum Exec {
    Null,
    /// From the builtin exec, its result array not built: nothing but the
    /// caller could observe it.
    Builtin(Found),
    /// From a user `exec`: an object.
    Object(Value),
}

/// RegExpExec, leaving the builtin's result unbuilt: a user `exec` if
/// callable, else the builtin.
fn regexp_exec_raw(vm: &mut Vm, r: Gc<JsObject>, s: Gc<JsString>) -> JsResult<Exec> {
    let key = PropertyKey::Atom(vm.names.exec);
    let exec = vm.get(r, key, r.value())?;
    if Vm::is_callable(exec) && exec != vm.realm().intrinsic(Intrinsic::RegExpProtoExec) {
        let result = vm.call(exec, r.value(), &[s.value()])?;
        if result.is_null() {
            return Ok(Exec::Null);
        }
        if !JsObject::is_object(result) {
            return Err(vm.type_error("RegExp exec method returned something other than an Object or null"));
        }
        return Ok(Exec::Object(result));
    }
    Ok(match builtin_match(vm, r, s)? {
        Some(found) => Exec::Builtin(found),
        None => Exec::Null,
    })
}

/// RegExpExec: a user `exec` if callable, else the builtin.
fn regexp_exec(vm: &mut Vm, r: Gc<JsObject>, s: Gc<JsString>) -> JsResult<Value> {
    match regexp_exec_raw(vm, r, s)? {
        Exec::Null => Ok(Value::NULL),
        Exec::Builtin(found) => result_array(vm, s, &found),
        Exec::Object(v) => Ok(v),
    }
}

fn this_object(vm: &mut Vm, v: Value, method: &str) -> JsResult<Gc<JsObject>> {
    JsObject::from_value(v).ok_or_else(|| vm.type_error(&format!("RegExp.prototype.{method} called on incompatible receiver")))
}

fn exec(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some(r) = regexp_data(a.this) else {
        return Err(vm.type_error("RegExp.prototype.exec called on incompatible receiver"));
    };
    let s = vm.to_string(a.arg(0))?;
    builtin_exec(vm, r, s)
}

fn test(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let r = this_object(vm, a.this, "test")?;
    let s = vm.to_string(a.arg(0))?;
    Ok(Value::bool(!regexp_exec(vm, r, s)?.is_null()))
}

fn to_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let r = this_object(vm, a.this, "toString")?;
    let skey = PropertyKey::Atom(vm.names.source);
    let src = vm.get(r, skey, a.this)?;
    let src = vm.to_string(src)?.to_rust_string();
    let fkey = PropertyKey::Atom(vm.names.flags);
    let fl = vm.get(r, fkey, a.this)?;
    let fl = vm.to_string(fl)?.to_rust_string();
    Ok(vm.string_value(&format!("/{src}/{fl}")))
}

fn flags_getter(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let r = this_object(vm, a.this, "flags")?;
    let mut out = String::new();
    for (ch, name) in [
        ('d', "hasIndices"),
        ('g', "global"),
        ('i', "ignoreCase"),
        ('m', "multiline"),
        ('s', "dotAll"),
        ('u', "unicode"),
        ('v', "unicodeSets"),
        ('y', "sticky"),
    ] {
        let key = vm.key_from_str(name);
        if Vm::to_boolean(vm.get(r, key, a.this)?) {
            out.push(ch);
        }
    }
    Ok(vm.string_value(&out))
}

fn flag_getter(vm: &mut Vm, a: &CallArgs<'_>, ch: char, name: &str) -> JsResult<Value> {
    let Some(o) = JsObject::from_value(a.this) else {
        return Err(vm.type_error(&format!("RegExp.prototype.{name} getter called on non-object")));
    };
    match &o.kind {
        ObjectKind::RegExp(d) => Ok(Value::bool(d.flags.to_rust_string().contains(ch))),
        _ if a.this == vm.realm().intrinsic(Intrinsic::RegExpPrototype) => Ok(Value::UNDEFINED),
        _ => Err(vm.type_error(&format!("RegExp.prototype.{name} getter called on non-RegExp object"))),
    }
}

/// EscapeRegExpPattern: the source text as it would appear in a literal.
fn escape_pattern(units: &[u16]) -> Vec<u16> {
    if units.is_empty() {
        return "(?:)".encode_utf16().collect();
    }
    let mut out = Vec::with_capacity(units.len());
    let mut in_class = false;
    let mut i = 0;
    while i < units.len() {
        let c = units[i];
        match c {
            0x5C => {
                out.push(c);
                if i + 1 < units.len() {
                    out.push(units[i + 1]);
                    i += 1;
                }
            }
            0x5B => {
                in_class = true;
                out.push(c);
            }
            0x5D => {
                in_class = false;
                out.push(c);
            }
            0x2F if !in_class => out.extend("\\/".encode_utf16()),
            0x0A => out.extend("\\n".encode_utf16()),
            0x0D => out.extend("\\r".encode_utf16()),
            0x2028 => out.extend("\\u2028".encode_utf16()),
            0x2029 => out.extend("\\u2029".encode_utf16()),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

fn source_getter(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some(o) = JsObject::from_value(a.this) else {
        return Err(vm.type_error("RegExp.prototype.source getter called on non-object"));
    };
    match &o.kind {
        ObjectKind::RegExp(d) => {
            let e = escape_pattern(&d.source.to_units());
            Ok(JsString::from_units(&mut vm.heap, &e).value())
        }
        _ if a.this == vm.realm().intrinsic(Intrinsic::RegExpPrototype) => Ok(vm.string_value("(?:)")),
        _ => Err(vm.type_error("RegExp.prototype.source getter called on non-RegExp object")),
    }
}

fn flags_of(vm: &mut Vm, r: Gc<JsObject>) -> JsResult<String> {
    let key = PropertyKey::Atom(vm.names.flags);
    let f = vm.get(r, key, r.value())?;
    Ok(vm.to_string(f)?.to_rust_string())
}

/// ToLength(Get(o, "lastIndex")).
fn last_index_of(vm: &mut Vm, o: Value) -> JsResult<u64> {
    let k = PropertyKey::Atom(vm.names.last_index);
    let v = vm.get_v(o, k)?;
    vm.to_length(v)
}

fn set_last_index(vm: &mut Vm, r: Gc<JsObject>, v: f64) -> JsResult<()> {
    let lk = last_index_key(vm);
    vm.put_v(r.value(), lk, Value::number(v), true)
}

fn symbol_match(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let r = this_object(vm, a.this, "[Symbol.match]")?;
    let s = vm.to_string(a.arg(0))?;
    let flags = flags_of(vm, r)?;
    if !flags.contains('g') {
        return regexp_exec(vm, r, s);
    }
    let full_unicode = flags.contains('u') || flags.contains('v');
    set_last_index(vm, r, 0.0)?;
    let arr = vm.new_array(0);
    let mut n = 0u32;
    loop {
        vm.poll_long_operation()?;
        let ms = match regexp_exec_raw(vm, r, s)? {
            Exec::Null => return Ok(if n == 0 { Value::NULL } else { arr.value() }),
            Exec::Builtin(found) => Gc::<JsString>::from_value(found.text(vm, Some(found.whole()))),
            Exec::Object(result) => {
                let m = vm.get_v(result, PropertyKey::Index(0))?;
                vm.to_string(m)?
            }
        };
        vm.create_data_property_or_throw(arr, PropertyKey::Index(n), ms.value())?;
        if ms.is_empty() {
            let this_index = last_index_of(vm, r.value())?;
            set_last_index(vm, r, advance(s, this_index, full_unicode) as f64)?;
        }
        n += 1;
    }
}

/// RegExp.prototype[Symbol.matchAll]: an iterator over the matches of a
/// copy of the regexp made through its species constructor.
fn symbol_match_all(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let r = this_object(vm, a.this, "[Symbol.matchAll]")?;
    let s = vm.to_string(a.arg(0))?;
    let default = vm.realm().intrinsic(Intrinsic::RegExp);
    let c = vm.species_constructor(r, default)?;
    let flags = flags_of(vm, r)?;
    let flags_value = vm.string_value(&flags);
    let matcher = vm.construct(c, &[r.value(), flags_value], c)?;
    let last_index = last_index_of(vm, r.value())?;
    let lk = last_index_key(vm);
    vm.put_v(matcher, lk, Value::number(last_index as f64), true)?;
    let proto = vm.realm().intrinsic(Intrinsic::RegExpStringIteratorPrototype);
    let kind = ObjectKind::RegExpStringIterator {
        regexp: matcher,
        string: s.value(),
        global: flags.contains('g'),
        full_unicode: flags.contains('u') || flags.contains('v'),
        done: false,
    };
    Ok(vm.new_object_with_proto(proto, kind).value())
}

/// %RegExpStringIteratorPrototype%.next.
fn regexp_string_iterator_next(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let state = JsObject::from_value(a.this).and_then(|o| match o.kind {
        ObjectKind::RegExpStringIterator { regexp, string, global, full_unicode, done } => Some((o, regexp, string, global, full_unicode, done)),
        _ => None,
    });
    let Some((it, regexp, string, global, full_unicode, done)) = state else {
        return Err(vm.type_error("Method RegExp String Iterator.prototype.next called on incompatible receiver"));
    };
    use crate::vm::runtime::iteration::iter_result;
    let mark_done = || {
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        if let ObjectKind::RegExpStringIterator { done, .. } = &mut unsafe { it.m() }.kind {
            *done = true;
        }
    };
    if done {
        return Ok(iter_result(vm, Value::UNDEFINED, true));
    }
    let (r, s): (Gc<JsObject>, Gc<JsString>) = (Gc::from_value(regexp), Gc::from_value(string));
    let result = regexp_exec(vm, r, s)?;
    if result.is_null() {
        mark_done();
        return Ok(iter_result(vm, Value::UNDEFINED, true));
    }
    if !global {
        mark_done();
        return Ok(iter_result(vm, result, false));
    }
    let m = vm.get_v(result, PropertyKey::Index(0))?;
    if vm.to_string(m)?.is_empty() {
        let this_index = last_index_of(vm, r.value())?;
        let next = advance(s, this_index, full_unicode);
        set_last_index(vm, r, next as f64)?;
    }
    Ok(iter_result(vm, result, false))
}

/// AdvanceStringIndex, read from the string without copying it.
fn advance(s: Gc<JsString>, index: u64, unicode: bool) -> u64 {
    if !unicode || index + 1 >= s.len() as u64 {
        return index + 1;
    }
    let i = index as usize;
    let (lead, trail) = (s.unit_at_any(i), s.unit_at_any(i + 1));
    if regexp::unicode::is_lead(u32::from(lead)) && regexp::unicode::is_trail(u32::from(trail)) { index + 2 } else { index + 1 }
}

fn symbol_search(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let r = this_object(vm, a.this, "[Symbol.search]")?;
    let s = vm.to_string(a.arg(0))?;
    let lk = last_index_key(vm);
    let previous = vm.get(r, lk, a.this)?;
    if !Vm::same_value(previous, Value::int(0)) {
        vm.put_v(a.this, lk, Value::int(0), true)?;
    }
    let result = regexp_exec(vm, r, s)?;
    let current = vm.get(r, lk, a.this)?;
    if !Vm::same_value(current, previous) {
        vm.put_v(a.this, lk, previous, true)?;
    }
    if result.is_null() {
        return Ok(Value::int(-1));
    }
    let ikey = PropertyKey::Atom(vm.names.index);
    vm.get_v(result, ikey)
}

fn symbol_replace(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let r = this_object(vm, a.this, "[Symbol.replace]")?;
    let s = vm.to_string(a.arg(0))?;
    let units = s.to_units();
    let mut replace_value = a.arg(1);
    let functional = Vm::is_callable(replace_value);
    if !functional {
        replace_value = vm.to_string(replace_value)?.value();
    }
    let template = if functional { Vec::new() } else { Gc::<JsString>::from_value(replace_value).to_units() };
    let flags = flags_of(vm, r)?;
    let global = flags.contains('g');
    let full_unicode = flags.contains('u') || flags.contains('v');
    if global {
        set_last_index(vm, r, 0.0)?;
    }
    let mut out = Replacement { s, units: &units, replace_value, functional, template, acc: Vec::new(), next_pos: 0 };
    // The spec runs every exec first, then computes the replacements. A
    // builtin match replaced by a template is unobservable, so while no
    // user `exec` result has been seen those are applied at once (memory
    // stays flat over millions of matches); the rest wait in order. A user
    // exec's results are kept in a JS array so they stay rooted while JS
    // runs.
    let objects = vm.new_array(0);
    let mut object_count = 0u32;
    let mut pending: Vec<Step> = Vec::new();
    let mut pending_bytes = 0usize;
    let mut matches = 0u64;
    loop {
        vm.poll_long_operation()?;
        let empty = match regexp_exec_raw(vm, r, s)? {
            Exec::Null => break,
            Exec::Builtin(found) => {
                let empty = found.whole().is_empty();
                if !functional && pending.is_empty() {
                    out.apply(vm, Step::Builtin(found), objects)?;
                } else {
                    pending_bytes += std::mem::size_of::<Step>() + found.slots.len() * std::mem::size_of::<usize>();
                    pending.push(Step::Builtin(found));
                }
                empty
            }
            Exec::Object(result) => {
                vm.create_data_property_or_throw(objects, PropertyKey::Index(object_count), result)?;
                pending.push(Step::Object(object_count));
                object_count += 1;
                if !global {
                    break;
                }
                let m = vm.get_v(result, PropertyKey::Index(0))?;
                vm.to_string(m)?.is_empty()
            }
        };
        if !global {
            break;
        }
        matches += 1;
        if matches.is_multiple_of(4096) {
            // The waiting matches and the text so far live outside the
            // heap: count them against its limit, as the result arrays and
            // strings they stand for would be.
            vm.reserve(pending_bytes + out.acc.len() * 2)?;
        }
        if empty {
            let this_index = last_index_of(vm, r.value())?;
            set_last_index(vm, r, advance(s, this_index, full_unicode) as f64)?;
        }
    }
    for step in pending {
        vm.poll_long_operation()?;
        out.apply(vm, step, objects)?;
    }
    out.finish(vm)
}

/// One match RegExp.prototype[Symbol.replace] has to replace.
enum Step {
    Builtin(Found),
    /// A user exec's result, at this index of the array that roots them.
    Object(u32),
}

/// The text RegExp.prototype[Symbol.replace] builds, match by match.
struct Replacement<'a> {
    s: Gc<JsString>,
    units: &'a [u16],
    replace_value: Value,
    functional: bool,
    template: Vec<u16>,
    acc: Vec<u16>,
    next_pos: usize,
}

impl Replacement<'_> {
    fn apply(&mut self, vm: &mut Vm, step: Step, objects: Gc<JsObject>) -> JsResult<()> {
        let (matched_len, position, replacement) = match step {
            Step::Builtin(found) => {
                let whole = found.whole();
                // A template without `$` is its own replacement.
                let replacement = if !self.functional && !self.template.contains(&u16::from(b'$')) {
                    self.template.clone()
                } else {
                    let matched = Gc::<JsString>::from_value(found.text(vm, Some(whole.clone())));
                    let captures = found.captures(vm);
                    let named = found.groups_object(vm)?;
                    self.replacement_for(vm, matched, whole.start, &captures, named)?
                };
                (whole.len(), whole.start, replacement)
            }
            Step::Object(k) => {
                let result = vm.get(objects, PropertyKey::Index(k), objects.value())?;
                let ro: Gc<JsObject> = vm.to_object(result)?;
                let n_captures = vm.length_of_array_like(ro)?.saturating_sub(1);
                let m0 = vm.get(ro, PropertyKey::Index(0), result)?;
                let matched = vm.to_string(m0)?;
                let ikey = PropertyKey::Atom(vm.names.index);
                let pv = vm.get(ro, ikey, result)?;
                let position = vm.to_integer_or_infinity(pv)?.max(0.0).min(self.units.len() as f64) as usize;
                let caps = vm.new_array(0);
                for n in 1..=n_captures.min(u32::MAX as u64 - 1) {
                    let c = vm.get(ro, PropertyKey::Index(n as u32), result)?;
                    let c = if c.is_undefined() { c } else { vm.to_string(c)?.value() };
                    vm.create_data_property_or_throw(caps, PropertyKey::Index(n as u32 - 1), c)?;
                }
                let gkey = PropertyKey::Atom(vm.names.groups);
                let named = vm.get(ro, gkey, result)?;
                let captures = vm.list_from_array_like(caps.value())?;
                let named = if named.is_undefined() || self.functional { named } else { vm.to_object(named)?.value() };
                let replacement = self.replacement_for(vm, matched, position, &captures, named)?;
                (matched.len(), position, replacement)
            }
        };
        if position >= self.next_pos {
            self.acc.extend_from_slice(&self.units[self.next_pos..position]);
            self.acc.extend_from_slice(&replacement);
            self.next_pos = position + matched_len;
        }
        if self.acc.len() > crate::vm::object::string::MAX_STRING_LENGTH {
            return Err(vm.range_error("Invalid string length"));
        }
        Ok(())
    }

    fn finish(mut self, vm: &mut Vm) -> JsResult<Value> {
        if self.next_pos < self.units.len() {
            self.acc.extend_from_slice(&self.units[self.next_pos..]);
        }
        Ok(JsString::from_units(&mut vm.heap, &self.acc).value())
    }

    /// The replacement text of one match: the replacer function's result,
    /// or the template's substitution.
    fn replacement_for(&self, vm: &mut Vm, matched: Gc<JsString>, position: usize, captures: &[Value], named: Value) -> JsResult<Vec<u16>> {
        if !self.functional {
            return get_substitution(vm, &matched.to_units(), self.units, position, captures, named, &self.template);
        }
        let mut args = vec![matched.value()];
        args.extend_from_slice(captures);
        args.push(Value::number(position as f64));
        args.push(self.s.value());
        if !named.is_undefined() {
            args.push(named);
        }
        let mark = vm.temp_roots.len();
        vm.temp_roots.extend_from_slice(&args);
        let rv = vm.call(self.replace_value, Value::UNDEFINED, &args);
        vm.temp_roots.truncate(mark);
        Ok(vm.to_string(rv?)?.to_units())
    }
}

fn symbol_split(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let r = this_object(vm, a.this, "[Symbol.split]")?;
    let s = vm.to_string(a.arg(0))?;
    let units = s.to_units();
    let default = vm.realm().intrinsic(Intrinsic::RegExp);
    let c = vm.species_constructor(r, default)?;
    let flags = flags_of(vm, r)?;
    let unicode = flags.contains('u') || flags.contains('v');
    let new_flags = if flags.contains('y') { flags } else { format!("{flags}y") };
    let nf = vm.string_value(&new_flags);
    let splitter = vm.construct(c, &[r.value(), nf], c)?;
    let splitter: Gc<JsObject> = vm.to_object(splitter)?;
    let arr = vm.new_array(0);
    let lim = if a.arg(1).is_undefined() { u32::MAX } else { vm.to_uint32(a.arg(1))? };
    if lim == 0 {
        return Ok(arr.value());
    }
    let size = units.len() as u64;
    if size == 0 {
        let z = regexp_exec(vm, splitter, s)?;
        if z.is_null() {
            vm.create_data_property_or_throw(arr, PropertyKey::Index(0), s.value())?;
        }
        return Ok(arr.value());
    }
    let mut len_a = 0u32;
    let (mut p, mut q) = (0u64, 0u64);
    while q < size {
        vm.poll_long_operation()?;
        set_last_index(vm, splitter, q as f64)?;
        let z = match regexp_exec_raw(vm, splitter, s)? {
            Exec::Null => {
                q = advance(s, q, unicode);
                continue;
            }
            z => z,
        };
        let e = last_index_of(vm, splitter.value())?.min(size);
        if e == p {
            q = advance(s, q, unicode);
            continue;
        }
        let t = substring(vm, &units, p as usize, q as usize);
        vm.create_data_property_or_throw(arr, PropertyKey::Index(len_a), t)?;
        len_a += 1;
        if len_a == lim {
            return Ok(arr.value());
        }
        p = e;
        match z {
            Exec::Builtin(found) => {
                for cap in found.captures(vm) {
                    vm.create_data_property_or_throw(arr, PropertyKey::Index(len_a), cap)?;
                    len_a += 1;
                    if len_a == lim {
                        return Ok(arr.value());
                    }
                }
            }
            Exec::Object(z) => {
                let zo = vm.to_object(z)?;
                let n_caps = vm.length_of_array_like(zo)?.saturating_sub(1);
                for i in 1..=n_caps {
                    let cap = vm.get(zo, PropertyKey::Index(i as u32), z)?;
                    vm.create_data_property_or_throw(arr, PropertyKey::Index(len_a), cap)?;
                    len_a += 1;
                    if len_a == lim {
                        return Ok(arr.value());
                    }
                }
            }
            Exec::Null => {}
        }
        q = p;
    }
    let t = substring(vm, &units, p as usize, size as usize);
    vm.create_data_property_or_throw(arr, PropertyKey::Index(len_a), t)?;
    Ok(arr.value())
}
