//! Creating a realm: the bare realm from runtime, then every builtin family's intrinsics installed into it. The only module that knows every builtin family.
use crate::vm::builtins::*;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{FunctionKind, JsObject, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

/// Creates a realm with all builtins installed and registers it as live.
pub fn create_realm(vm: &mut Vm) -> Gc<Realm> {
    let realm = Realm::create_bare(vm);
    let saved = vm.current_realm.replace(realm);
    install(vm, realm);
    vm.current_realm = saved.or(Some(realm));
    realm
}

/// Creates all intrinsics of `realm` (which must be the current realm) and
/// the global object's properties.
fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let object_proto = realm.proto(Intrinsic::ObjectPrototype);
    // Function.prototype is itself a function (returns undefined).
    let fshape = JsObject::root_shape_for(&mut vm.heap, object_proto.value(), vm.null_root_shape);
    let fproto = JsObject::new(&mut vm.heap, fshape, ObjectKind::Ordinary);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[Intrinsic::FunctionPrototype as usize] = fproto.value();
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { fproto.m() }).kind = ObjectKind::Function(Box::new(crate::vm::object::FunctionData {
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
        (Intrinsic::RegExpStringIteratorPrototype, Intrinsic::IteratorPrototype),
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
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        (unsafe { realm.m() }).intrinsics[i as usize] = p.value();
    }
    // %ThrowTypeError%
    let thrower = vm.new_native_function(realm, function::throw_type_error, "", 0, false);
    // Frozen: its length and name are not configurable either.
    for key in [vm.names.length, vm.names.name] {
        let desc = crate::vm::runtime::PropertyDescriptor { configurable: Some(false), ..Default::default() };
        let _ = vm.define_property_or_throw(thrower, PropertyKey::Atom(key), desc);
    }
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { thrower.m() }).extensible = false;
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[Intrinsic::ThrowTypeError as usize] = thrower.value();

    object::install(vm, realm);
    function::install(vm, realm);
    error::install(vm, realm);
    iterator::install(vm, realm);
    function::generator::install(vm, realm);
    function::async_function::install(vm, realm);
    function::async_generator::install(vm, realm);
    array::install(vm, realm);
    string::install(vm, realm);
    number::install(vm, realm);
    symbol::install(vm, realm);
    bigint::install(vm, realm);
    array_buffer::install(vm, realm);
    typed_array::install(vm, realm);
    base64::install(vm, realm);
    data_view::install(vm, realm);
    atomics::install(vm, realm);
    math::install(vm, realm);
    json::install(vm, realm);
    reflect::install(vm, realm);
    proxy::install(vm, realm);
    collections::map::install(vm, realm);
    collections::set::install(vm, realm);
    date::install(vm, realm);
    collections::weak::install(vm, realm);
    promise::install(vm, realm);
    regexp::install(vm, realm);
    global::install(vm, realm);
}
