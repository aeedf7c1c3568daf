//! The ECMAScript standard library, one file per builtin family. `install`
//! creates every intrinsic of a realm and the global object's properties.

mod array;
pub(crate) mod async_function;
pub(crate) mod async_generator;
mod date;
mod error;
mod function;
mod generator;
mod global;
pub(crate) mod iterator;
mod json;
mod map;
mod math;
mod normalize;
mod normalize_data;
mod number;
mod object;
pub mod promise;
mod reflect;
mod regexp;
mod set;
mod string;
mod symbol;
mod table;
mod weak;

use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{FunctionKind, JsObject, NativeFn, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

pub use error::install_error_constructors;

/// Creates all intrinsics of `realm` (which must be the current realm).
pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let object_proto = realm.proto(Intrinsic::ObjectPrototype);
    // Function.prototype is itself a function (returns undefined).
    let fshape = JsObject::root_shape_for(&mut vm.heap, object_proto.value(), vm.null_root_shape);
    let fproto = JsObject::new(&mut vm.heap, fshape, ObjectKind::Ordinary);
    realm.m().intrinsics[Intrinsic::FunctionPrototype as usize] = fproto.value();
    fproto.m().kind = ObjectKind::Function(Box::new(crate::vm::object::FunctionData {
        kind: FunctionKind::Native { f: function::function_prototype_call, data: Value::UNDEFINED },
        realm,
        home_object: Value::UNDEFINED,
        this_value: Value::UNDEFINED,
        new_target: Value::UNDEFINED,
        is_constructor: false,
        class_kind: crate::vm::object::function::ClassKind::NotClass,
        fields: Value::UNDEFINED,
    }));
    vm.define_value(fproto, "length", Value::int(0), attrs::CONFIGURABLE);
    let empty = vm.names.empty.value();
    vm.define_value(fproto, "name", empty, attrs::CONFIGURABLE);

    for (i, proto_of) in [
        (Intrinsic::ArrayPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::StringPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::NumberPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::BooleanPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::SymbolPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::BigIntPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::ErrorPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::IteratorPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::DatePrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::RegExpPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::PromisePrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::MapPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::SetPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::WeakMapPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::WeakSetPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::ArrayBufferPrototype, Intrinsic::ObjectPrototype),
        (Intrinsic::GeneratorPrototype, Intrinsic::IteratorPrototype),
        (Intrinsic::ArrayIteratorPrototype, Intrinsic::IteratorPrototype),
        (Intrinsic::StringIteratorPrototype, Intrinsic::IteratorPrototype),
        (Intrinsic::MapIteratorPrototype, Intrinsic::IteratorPrototype),
        (Intrinsic::SetIteratorPrototype, Intrinsic::IteratorPrototype),
    ] {
        let parent = realm.intrinsic(proto_of);
        let kind = match i {
            Intrinsic::ArrayPrototype => ObjectKind::Array { length: 0, length_writable: true },
            Intrinsic::StringPrototype => ObjectKind::String(vm.names.empty),
            Intrinsic::NumberPrototype => ObjectKind::Number(0.0),
            Intrinsic::BooleanPrototype => ObjectKind::Boolean(false),
            _ => ObjectKind::Ordinary,
        };
        let p = vm.new_object_with_proto(parent, kind);
        realm.m().intrinsics[i as usize] = p.value();
    }
    // %ThrowTypeError%
    let thrower = vm.new_native_function(realm, function::throw_type_error, "", 0, false);
    // Frozen: its length and name are not configurable either.
    for key in [vm.names.length, vm.names.name] {
        let desc = crate::vm::runtime::PropertyDescriptor { configurable: Some(false), ..Default::default() };
        let _ = vm.define_property_or_throw(thrower, PropertyKey::Atom(key), desc);
    }
    thrower.m().extensible = false;
    realm.m().intrinsics[Intrinsic::ThrowTypeError as usize] = thrower.value();

    object::install(vm, realm);
    function::install(vm, realm);
    error::install(vm, realm);
    iterator::install(vm, realm);
    generator::install(vm, realm);
    async_function::install(vm, realm);
    async_generator::install(vm, realm);
    array::install(vm, realm);
    string::install(vm, realm);
    number::install(vm, realm);
    symbol::install(vm, realm);
    math::install(vm, realm);
    json::install(vm, realm);
    reflect::install(vm, realm);
    map::install(vm, realm);
    set::install(vm, realm);
    date::install(vm, realm);
    weak::install(vm, realm);
    promise::install(vm, realm);
    regexp::install(vm, realm);
    global::install(vm, realm);
}

/// Creates a constructor `name` with `prototype`, links them, and defines it on the global.
pub fn make_constructor(vm: &mut Vm, realm: Gc<Realm>, name: &str, f: NativeFn, length: u32, proto: Intrinsic, ctor_slot: Intrinsic) -> Gc<JsObject> {
    let c = vm.new_native_function(realm, f, name, length, true);
    let p = realm.proto(proto);
    let pkey = PropertyKey::Atom(vm.names.prototype);
    c.put_named(&mut vm.heap, pkey, p.value(), 0);
    let ckey = PropertyKey::Atom(vm.names.constructor);
    p.put_named(&mut vm.heap, ckey, c.value(), attrs::HIDDEN);
    realm.m().intrinsics[ctor_slot as usize] = c.value();
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
