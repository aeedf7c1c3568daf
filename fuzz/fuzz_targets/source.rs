//! Fuzz target: arbitrary bytes as a classic script (UTF-8, invalid sequences
//! replaced), compiled and run in a fresh isolate under a 32 MB heap limit, a
//! step budget and a wall-clock watchdog. Any panic or internal error is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sable_fuzz::FuzzIsolate;

fuzz_target!(|data: &[u8]| {
    let iso = FuzzIsolate::new();
    iso.eval(data);
});
