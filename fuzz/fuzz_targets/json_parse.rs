//! Fuzz target: arbitrary bytes as the text of `JSON.parse`. Whatever parses
//! must survive the round trip: `JSON.stringify` of the result parses again to
//! a value that stringifies to the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sable_fuzz::*;
use std::ptr::null_mut;

/// `JSON[method](arg)`: the status and the result.
fn json_call(iso: &FuzzIsolate, method: &std::ffi::CStr, arg: sable_value) -> (sable_status, sable_value) {
    let (mut json, mut f, mut out) = (null_mut(), null_mut(), null_mut());
    // SAFETY: live isolate and context, valid out-pointers and argv.
    unsafe {
        let global = sable_context_global(iso.ctx);
        assert_eq!(sable_get_named(iso.ctx, global, c"JSON".as_ptr(), &mut json), sable_status::SABLE_OK);
        assert_eq!(sable_get_named(iso.ctx, json, method.as_ptr(), &mut f), sable_status::SABLE_OK);
        let s = check_status("JSON call", sable_call(iso.ctx, f, json, 1, &arg, &mut out));
        (s, out)
    }
}

fn utf8(iso: &FuzzIsolate, v: sable_value) -> Vec<u8> {
    let mut len = 0usize;
    // SAFETY: live isolate, valid buffers.
    unsafe {
        assert_eq!(sable_string_utf8(iso.isolate, v, null_mut(), 0, &mut len), sable_status::SABLE_OK);
        let mut buf = vec![0u8; len];
        assert_eq!(sable_string_utf8(iso.isolate, v, buf.as_mut_ptr().cast(), len, &mut len), sable_status::SABLE_OK);
        buf
    }
}

thread_local! {
    /// One isolate for all inputs (JSON.parse and stringify leave no state
    /// behind); replaced after an out-of-memory, which ends an isolate.
    static ISOLATE: std::cell::RefCell<Option<FuzzIsolate>> = const { std::cell::RefCell::new(None) };
}

fuzz_target!(|data: &[u8]| {
    ISOLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let iso = slot.get_or_insert_with(FuzzIsolate::new);
        iso.next_input();
        // SAFETY: a live isolate of ours.
        let scope = unsafe { sable_scope_open(iso.isolate) };
        let usable = round_trip(iso, data);
        // SAFETY: the scope opened above.
        unsafe { sable_scope_close(iso.isolate, scope) };
        if !usable {
            *slot = None;
        }
    });
});

/// Parses `data`, and checks the round trip of what parsed. Returns false
/// when the isolate ran out of memory (it must be replaced).
fn round_trip(iso: &FuzzIsolate, data: &[u8]) -> bool {
    // SAFETY: a live isolate; `data` is valid for its length.
    let text = unsafe { sable_string(iso.isolate, data.as_ptr().cast(), data.len()) };
    let (s, parsed) = json_call(iso, c"parse", text);
    match s {
        sable_status::SABLE_OK => {}
        sable_status::SABLE_EXCEPTION => {
            iso.describe_exception();
            return true;
        }
        sable_status::SABLE_OUT_OF_MEMORY => return false,
        _ => return true, // terminated: the limits did their job
    }
    let (s, first) = json_call(iso, c"stringify", parsed);
    if s != sable_status::SABLE_OK {
        // Only the limits may stop stringify of a parsed value (deep nesting
        // gives a RangeError, as in V8).
        if s == sable_status::SABLE_EXCEPTION {
            iso.describe_exception();
        }
        return s != sable_status::SABLE_OUT_OF_MEMORY;
    }
    // SAFETY: `first` is a live handle of this isolate.
    assert_eq!(unsafe { sable_typeof(first) }, sable_type::SABLE_TYPE_STRING, "JSON.stringify of a parsed value is a string");
    let (s, reparsed) = json_call(iso, c"parse", first);
    if s != sable_status::SABLE_OK {
        assert_ne!(s, sable_status::SABLE_EXCEPTION, "JSON.stringify produced text JSON.parse rejects: {:?}", String::from_utf8_lossy(&utf8(iso, first)));
        return s != sable_status::SABLE_OUT_OF_MEMORY;
    }
    let (s, second) = json_call(iso, c"stringify", reparsed);
    if s == sable_status::SABLE_OK {
        assert_eq!(utf8(iso, first), utf8(iso, second), "stringify(parse(stringify(x))) differs from stringify(x)");
    }
    s != sable_status::SABLE_OUT_OF_MEMORY
}
