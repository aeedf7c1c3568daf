//! Termination reaches long builtins: a watchdog thread terminates while
//! String.prototype.split, Array.prototype.join or JSON.stringify works
//! through a huge input, and the call returns `Status::Terminated` long
//! before the operation could finish; after cancelling, the isolate works.
//! `c-tests/test_termination.c` covers every class of long builtin
//! (strings, arrays, JSON, key collection) through the C API, with a 100 ms
//! bound on the latency.

mod common;

use std::time::{Duration, Instant};

use sable::api::Status;

/// Runs `setup`, then `op` with a watchdog terminating 50 ms in; returns
/// the status and how long `op` ran.
fn terminated_after(setup: &str, op: &str) -> (Result<(), Status>, Duration) {
    let (mut iso, c) = common::setup();
    assert_eq!(common::run(&mut iso, c, setup), "ready");
    let handle = iso.terminate_handle();
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        handle.terminate();
    });
    let token = iso.open_scope();
    let start = Instant::now();
    let r = iso.eval(c, op, Some("op.js")).map(|_| ());
    let took = start.elapsed();
    iso.close_scope(token);
    watchdog.join().unwrap();
    iso.cancel_terminate_execution();
    assert_eq!(common::run(&mut iso, c, "1 + 1"), "2", "the isolate works after cancel");
    (r, took)
}

/// Untouched, each operation runs for seconds (measured in the shell: the
/// split 11 s, the join of 5e6 numbers 2.3 s, the array stringify 3.8 s);
/// terminated 50 ms in, it must return well within this bound.
const BOUND: Duration = Duration::from_millis(1500);

#[test]
fn termination_stops_split() {
    let (r, took) = terminated_after("var s = 'x'.repeat(3e7); 'ready'", "s.split('').length");
    assert_eq!(r, Err(Status::Terminated));
    assert!(took < BOUND, "split ran {took:?} after the request");
    let (r, took) = terminated_after("var s = 'x,'.repeat(2e7); 'ready'", "s.split(',').length");
    assert_eq!(r, Err(Status::Terminated));
    assert!(took < BOUND, "split ran {took:?}");
}

#[test]
fn termination_stops_join() {
    let (r, took) = terminated_after("var a = new Array(5e6).fill(12345.678); 'ready'", "a.join('-').length");
    assert_eq!(r, Err(Status::Terminated));
    assert!(took < BOUND, "join ran {took:?}");
}

#[test]
fn termination_stops_json_stringify() {
    let (r, took) = terminated_after("var a = new Array(3e6).fill({ a: 1, b: 'two' }); 'ready'", "JSON.stringify(a).length");
    assert_eq!(r, Err(Status::Terminated));
    assert!(took < BOUND, "stringify ran {took:?}");
}
