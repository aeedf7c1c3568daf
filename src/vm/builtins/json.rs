//! The JSON namespace object (parse, stringify).

use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{attrs, PropertyKey};
use crate::vm::runtime::realm::Realm;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let j = vm.new_object();
    let tag = vm.symbols.to_string_tag;
    let s = vm.string_value("JSON");
    j.put_named(&mut vm.heap, PropertyKey::Symbol(tag), s, attrs::CONFIGURABLE);
    vm.define_value(realm.global, "JSON", j.value(), attrs::HIDDEN);
}
