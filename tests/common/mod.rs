//! Helpers shared by the integration tests that drive the engine through the
//! safe Rust embedding API: a fresh isolate, and evaluation to a string.

#![allow(dead_code)]

pub mod snapshot_check;

use sable::api::{ContextId, Isolate, IsolateParams, Status};

/// A fresh isolate with one context.
pub fn setup() -> (Box<Isolate>, ContextId) {
    let mut iso = Isolate::new(&IsolateParams::default()).expect("isolate");
    let c = iso.context_new().expect("context");
    (iso, c)
}

/// Evaluates `src` and returns String(result), or "Uncaught <message>" for exceptions.
pub fn run(iso: &mut Isolate, c: ContextId, src: &str) -> String {
    let token = iso.open_scope();
    let out = match iso.eval(c, src, Some("test.js")) {
        Ok(v) => {
            let s = iso.to_string(c, v).expect("ToString of the result");
            iso.string_to_utf8(s).unwrap()
        }
        Err(Status::Exception) => {
            let e = iso.take_exception().unwrap();
            let s = iso.to_string(c, e).expect("ToString of the exception");
            format!("Uncaught {}", iso.string_to_utf8(s).unwrap())
        }
        Err(s) => format!("status {s:?}"),
    };
    iso.close_scope(token);
    out
}

/// Evaluates `src` in a fresh isolate (see `run`).
pub fn eval(src: &str) -> String {
    let (mut iso, c) = setup();
    run(&mut iso, c, src)
}
