//! Helpers the builtins use to define themselves in a realm: constructors linked to their prototypes and published on the global object, and receiver checks.
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{JsObject, NativeFn, PropertyKey, attrs};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

/// Creates a constructor `name` with `prototype`, links them, and defines it on the global.
pub fn make_constructor(vm: &mut Vm, realm: Gc<Realm>, name: &str, f: NativeFn, length: u32, proto: Intrinsic, ctor_slot: Intrinsic) -> Gc<JsObject> {
    let c = vm.new_native_function(realm, f, name, length, true);
    let p = realm.proto(proto);
    let pkey = PropertyKey::Atom(vm.names.prototype);
    c.put_named(&mut vm.heap, pkey, p.value(), 0);
    let ckey = PropertyKey::Atom(vm.names.constructor);
    p.put_named(&mut vm.heap, ckey, c.value(), attrs::HIDDEN);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[ctor_slot as usize] = c.value();
    let global = realm.global;
    vm.define_value(global, name, c.value(), attrs::HIDDEN);
    c
}

/// `this` as an object of the given kind, or a TypeError naming the method.
pub fn this_object(vm: &mut Vm, this: Value, method: &str) -> crate::vm::JsResult<Gc<JsObject>> {
    match JsObject::from_value(this) {
        Some(o) => Ok(o),
        None => Err(vm.type_error(&format!("{method} called on non-object"))),
    }
}
