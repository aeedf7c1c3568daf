//! Describing values for error messages without running JS, and the checks that throw with such descriptions.
use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::JsString;
use crate::vm::value::Value;

/// A short description of a value that never runs JS (for error messages):
/// `display_string`, with strings quoted.
pub fn describe(vm: &mut Vm, v: Value) -> String {
    match Gc::<JsString>::try_from_value(v) {
        Some(s) => format!("\"{}\"", s.to_rust_string()),
        None => vm.display_string(v),
    }
}

/// Throws "x is not a function" unless `f` is callable.
pub fn require_callable(vm: &mut Vm, f: Value) -> JsResult<()> {
    if !Vm::is_callable(f) {
        let d = describe(vm, f);
        return Err(vm.type_error(&format!("{d} is not a function")));
    }
    Ok(())
}
