//! Fuzz target: a regular expression and a subject. The first byte picks
//! the flags; the rest is `pattern NUL subject` (UTF-8, invalid sequences
//! replaced). The pattern goes through `new RegExp`, then exec, test,
//! replace, split, search and match run on the subject, and every answer is
//! checked against the subject: a match's text is the subject's text at its
//! index, `d` indices agree with the captures, `source` compiles back to
//! itself. Then the matches of exec (up to 16 with `g` or `y`) are taken
//! twice, by the backtracker and with `--regexp-linear-first` by the
//! linear-time matcher (for patterns that have a linear program), and must
//! be the same. A SyntaxError, the backtrack limit's RangeError and termination
//! by the watchdog are answers; a panic, an internal error or a failed
//! check is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sable_fuzz::*;
use std::ptr::null_mut;

/// The checker, defined once per isolate: true, or what went wrong.
const CHECKER: &[u8] = br#"
globalThis.__check = function (source, flags, subject) {
  let re;
  try { re = new RegExp(source, flags); } catch (e) {
    if (e instanceof SyntaxError) return true;
    return 'new RegExp threw ' + e;
  }
  try {
    const again = new RegExp(re.source, flags);
    if (again.source !== re.source) return 'source does not round-trip: ' + re.source;
    const m = re.exec(subject);
    if (m !== null) {
      if (subject.slice(m.index, m.index + m[0].length) !== m[0]) return 'match text is not the subject at its index';
      for (let i = 0; i < m.length; i++) {
        if (m[i] !== undefined && typeof m[i] !== 'string') return 'capture ' + i + ' is not a string';
        if (m.indices) {
          const pair = m.indices[i];
          if ((pair === undefined) !== (m[i] === undefined)) return 'indices disagree with capture ' + i;
          if (pair && subject.slice(pair[0], pair[1]) !== m[i]) return 'indices of capture ' + i + ' point elsewhere';
        }
      }
      if (m.groups !== undefined && Object.getPrototypeOf(m.groups) !== null) return 'groups has a prototype';
    }
    if (!re.global && !re.sticky && re.test(subject) !== (m !== null)) return 'test disagrees with exec';
    re.lastIndex = 0;
    subject.replace(re, '[$&|$1|$<n>|$`]');
    subject.replace(re, (...a) => a.length);
    subject.split(re, 64);
    if ((subject.search(re) === -1) !== (m === null) && !re.sticky) return 'search disagrees with exec';
    subject.match(re);
    return true;
  } catch (e) {
    // The backtrack limit, or a string grown past the maximum length.
    if (e instanceof RangeError) return true;
    return 'threw ' + e;
  }
};

globalThis.__answers = function (source, flags, subject) {
  let re;
  try { re = new RegExp(source, flags); } catch (e) { return 'SyntaxError'; }
  const out = [];
  try {
    for (let i = 0; i < 16; i++) {
      const m = re.exec(subject);
      if (m === null) { out.push(null); break; }
      out.push([m.index, [...m], m.groups ? Object.entries(m.groups) : null, m.indices ? [...m.indices] : null]);
      if (!re.global && !re.sticky) break;
      if (m[0] === '') re.lastIndex++;
    }
  } catch (e) { return e instanceof RangeError ? 'RangeError' : 'threw ' + e; }
  return JSON.stringify(out);
};
"#;

/// Sets process-wide engine flags.
fn set_flags(flags: &str) {
    // SAFETY: a valid buffer of `len` bytes.
    assert_eq!(unsafe { sable_set_flags_from_string(flags.as_ptr().cast(), flags.len()) }, sable_status::SABLE_OK);
}

const FLAG_LETTERS: [u8; 8] = *b"dgimsuvy";

/// A string's text; None when the isolate refuses (it was terminated
/// meanwhile: the wall-clock watchdog runs on its own thread).
fn try_utf8(iso: &FuzzIsolate, v: sable_value) -> Option<String> {
    let mut len = 0usize;
    // SAFETY: live isolate, valid buffers.
    unsafe {
        if check_status("sable_string_utf8", sable_string_utf8(iso.isolate, v, null_mut(), 0, &mut len)) != sable_status::SABLE_OK {
            return None;
        }
        let mut buf = vec![0u8; len];
        if check_status("sable_string_utf8", sable_string_utf8(iso.isolate, v, buf.as_mut_ptr().cast(), len, &mut len)) != sable_status::SABLE_OK {
            return None;
        }
        Some(String::from_utf8_lossy(&buf).into_owned())
    }
}

fn utf8(iso: &FuzzIsolate, v: sable_value) -> String {
    let mut len = 0usize;
    // SAFETY: live isolate, valid buffers.
    unsafe {
        assert_eq!(sable_string_utf8(iso.isolate, v, null_mut(), 0, &mut len), sable_status::SABLE_OK);
        let mut buf = vec![0u8; len];
        assert_eq!(sable_string_utf8(iso.isolate, v, buf.as_mut_ptr().cast(), len, &mut len), sable_status::SABLE_OK);
        String::from_utf8_lossy(&buf).into_owned()
    }
}

thread_local! {
    /// One isolate for all inputs (replaced after an out-of-memory, which
    /// ends an isolate); the checker is defined in it once.
    static ISOLATE: std::cell::RefCell<Option<FuzzIsolate>> = const { std::cell::RefCell::new(None) };
}

fuzz_target!(|data: &[u8]| {
    let Some((&flag_bits, rest)) = data.split_first() else { return };
    let flags: Vec<u8> = FLAG_LETTERS.iter().enumerate().filter(|(i, _)| flag_bits & (1 << i) != 0).map(|(_, &c)| c).collect();
    let (pattern, subject) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &b""[..]),
    };
    ISOLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let iso = FuzzIsolate::new();
            assert_eq!(iso.eval(CHECKER), sable_status::SABLE_OK, "the checker compiles");
            *slot = Some(iso);
        }
        let iso = slot.as_ref().unwrap();
        iso.next_input();
        // SAFETY: a live isolate and context of ours; the byte slices are
        // valid for their lengths; handles die with the scope.
        let usable = unsafe {
            let scope = sable_scope_open(iso.isolate);
            let global = sable_context_global(iso.ctx);
            let mut check = null_mut();
            assert_eq!(sable_get_named(iso.ctx, global, c"__check".as_ptr(), &mut check), sable_status::SABLE_OK);
            let args = [
                sable_string(iso.isolate, pattern.as_ptr().cast(), pattern.len()),
                sable_string(iso.isolate, flags.as_ptr().cast(), flags.len()),
                sable_string(iso.isolate, subject.as_ptr().cast(), subject.len()),
            ];
            let mut out = null_mut();
            let s = check_status("__check", sable_call(iso.ctx, check, global, args.len(), args.as_ptr(), &mut out));
            if s == sable_status::SABLE_OK && sable_typeof(out) != sable_type::SABLE_TYPE_BOOLEAN {
                panic!("{} (pattern {:?}, flags {:?})", utf8(iso, out), String::from_utf8_lossy(pattern), String::from_utf8_lossy(&flags));
            }
            if s == sable_status::SABLE_EXCEPTION {
                iso.describe_exception();
            }
            let mut usable = s != sable_status::SABLE_OUT_OF_MEMORY;
            if s == sable_status::SABLE_OK {
                let mut answers = null_mut();
                // Not OK only when the watchdog terminated the isolate
                // since __check returned.
                let found = check_status("sable_get_named", sable_get_named(iso.ctx, global, c"__answers".as_ptr(), &mut answers));
                let mut run = |linear_first: bool| {
                    if found != sable_status::SABLE_OK {
                        return None;
                    }
                    set_flags(if linear_first { "--regexp-linear-first" } else { "--no-regexp-linear-first" });
                    let mut out = null_mut();
                    let s = check_status("__answers", sable_call(iso.ctx, answers, global, args.len(), args.as_ptr(), &mut out));
                    set_flags("--no-regexp-linear-first");
                    if s == sable_status::SABLE_EXCEPTION {
                        iso.describe_exception();
                    }
                    usable &= s != sable_status::SABLE_OUT_OF_MEMORY;
                    if s == sable_status::SABLE_OK { try_utf8(iso, out) } else { None }
                };
                let backtracking = run(false);
                let linear = run(true);
                if let (Some(a), Some(b)) = (backtracking, linear) {
                    // The backtracker may run out of stack where the linear
                    // matcher does not.
                    assert!(
                        a == b || a == "RangeError",
                        "backtracking and linear matchers disagree on /{}/{} over {:?}:\n{a}\n{b}",
                        String::from_utf8_lossy(pattern),
                        String::from_utf8_lossy(&flags),
                        String::from_utf8_lossy(subject)
                    );
                    assert!(!a.starts_with("threw"), "{a}");
                }
            }
            sable_scope_close(iso.isolate, scope);
            usable
        };
        if !usable {
            *slot = None;
        }
    });
});
