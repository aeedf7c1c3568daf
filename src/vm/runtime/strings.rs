//! String operations shared by builtins: GetSubstitution and IsRegExp (String
//! and RegExp), and source text taken from a string (eval, Function).
use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{JsObject, JsString, ObjectKind, PropertyKey, StrView};
use crate::vm::value::Value;

/// The contents of `s` as UTF-8 (lone surrogates become U+FFFD), for source
/// text handed to the compiler. A source may be many megabytes: it is
/// converted in chunks of 1 Mi code units with a poll for termination
/// between them.
pub fn source_text(vm: &mut Vm, s: Gc<JsString>) -> JsResult<String> {
    const CHUNK: usize = 1 << 20;
    if s.len() > CHUNK {
        vm.reserve(s.len())?;
    }
    let view = s.flatten(&mut vm.heap);
    if s.len() <= CHUNK {
        return Ok(view.to_rust_string());
    }
    let mut out = String::with_capacity(s.len());
    match view {
        StrView::OneByte(bytes) => {
            for chunk in bytes.chunks(CHUNK) {
                vm.poll_long_operation()?;
                out.push_str(&StrView::OneByte(chunk).to_rust_string());
            }
        }
        StrView::TwoByte(units) => {
            let mut rest = units;
            while !rest.is_empty() {
                vm.poll_long_operation()?;
                let mut cut = rest.len().min(CHUNK);
                // Keep a surrogate pair together.
                if cut < rest.len() && (0xD800..0xDC00).contains(&rest[cut - 1]) {
                    cut += 1;
                }
                out.push_str(&String::from_utf16_lossy(&rest[..cut]));
                rest = &rest[cut..];
            }
        }
    }
    Ok(out)
}

/// IsRegExp: @@match decides when present, else the [[RegExpMatcher]] slot.
pub fn is_regexp(vm: &mut Vm, v: Value) -> JsResult<bool> {
    let Some(o) = JsObject::from_value(v) else { return Ok(false) };
    let key = PropertyKey::Symbol(vm.symbols.match_);
    let m = vm.get(o, key, v)?;
    if !m.is_undefined() {
        return Ok(Vm::to_boolean(m));
    }
    Ok(matches!(o.kind, ObjectKind::RegExp(_)))
}

/// GetSubstitution ($$, $&, $`, $', $n, $nn, $<name>), shared by String.prototype.replace/replaceAll
/// and RegExp.prototype[@@replace]. `captures` are strings or undefined; `named` is undefined or an object.
pub fn get_substitution(vm: &mut Vm, matched: &[u16], s: &[u16], position: usize, captures: &[Value], named: Value, template: &[u16]) -> JsResult<Vec<u16>> {
    let mut out = Vec::new();
    let tail_pos = (position + matched.len()).min(s.len());
    let m = captures.len();
    let mut i = 0;
    while i < template.len() {
        let c = template[i];
        if c != b'$' as u16 || i + 1 >= template.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let n = template[i + 1];
        match n {
            0x24 => {
                out.push(0x24);
                i += 2;
            }
            0x26 => {
                out.extend_from_slice(matched);
                i += 2;
            }
            0x60 => {
                out.extend_from_slice(&s[..position.min(s.len())]);
                i += 2;
            }
            0x27 => {
                out.extend_from_slice(&s[tail_pos..]);
                i += 2;
            }
            0x30..=0x39 => {
                let d1 = (n - 0x30) as usize;
                let two = template.get(i + 2).filter(|&&d| (0x30..=0x39).contains(&d)).map(|&d| d1 * 10 + (d - 0x30) as usize);
                let (idx, len) = match two {
                    Some(k) if k >= 1 && k <= m => (k, 3),
                    _ => (d1, 2),
                };
                if idx >= 1 && idx <= m {
                    let cap = captures[idx - 1];
                    if !cap.is_undefined() {
                        out.extend(vm.to_string(cap)?.to_units());
                    }
                    i += len;
                } else {
                    out.push(c);
                    i += 1;
                }
            }
            0x3C => {
                if named.is_undefined() {
                    out.push(c);
                    i += 1;
                    continue;
                }
                let rest = &template[i + 2..];
                match rest.iter().position(|&u| u == b'>' as u16) {
                    None => {
                        out.push(c);
                        i += 1;
                    }
                    Some(close) => {
                        let name = JsString::from_units(&mut vm.heap, &rest[..close]);
                        let key = vm.key_from_string(name);
                        let v = vm.get_v(named, key)?;
                        if !v.is_undefined() {
                            out.extend(vm.to_string(v)?.to_units());
                        }
                        i += close + 3;
                    }
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
        if out.len() > crate::vm::object::string::MAX_STRING_LENGTH {
            return Err(vm.range_error("Invalid string length"));
        }
    }
    Ok(out)
}
