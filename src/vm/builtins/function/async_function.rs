//! Async functions: %AsyncFunction% and %AsyncFunction.prototype%. Await and
//! its continuations are promise operations in `runtime/promise.rs`.

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    super::install_function_kind(vm, realm, "AsyncFunction", async_function_ctor, Intrinsic::AsyncFunctionPrototype, Intrinsic::AsyncFunction, None);
}

/// `AsyncFunction(p1, ..., body)`.
fn async_function_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    super::create_dynamic_function(vm, a, "async function", Intrinsic::AsyncFunctionPrototype)
}
