//! Symbol constructor, registry (Symbol.for / keyFor), well-known symbols, prototype.

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{JsObject, JsString, ObjectKind, PropertyKey, Symbol, attrs};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = crate::vm::runtime::define::make_constructor(vm, realm, "Symbol", symbol_ctor, 0, Intrinsic::SymbolPrototype, Intrinsic::Symbol);
    vm.define_method(c, "for", symbol_for, 1);
    vm.define_method(c, "keyFor", key_for, 1);
    let names = [
        ("asyncIterator", vm.symbols.async_iterator),
        ("hasInstance", vm.symbols.has_instance),
        ("isConcatSpreadable", vm.symbols.is_concat_spreadable),
        ("iterator", vm.symbols.iterator),
        ("match", vm.symbols.match_),
        ("matchAll", vm.symbols.match_all),
        ("replace", vm.symbols.replace),
        ("search", vm.symbols.search),
        ("species", vm.symbols.species),
        ("split", vm.symbols.split),
        ("toPrimitive", vm.symbols.to_primitive),
        ("toStringTag", vm.symbols.to_string_tag),
        ("unscopables", vm.symbols.unscopables),
    ];
    for (name, sym) in names {
        vm.define_value(c, name, sym.value(), 0);
    }
    let p = realm.proto(Intrinsic::SymbolPrototype);
    vm.define_method(p, "toString", to_string, 0);
    vm.define_method(p, "valueOf", value_of, 0);
    let dkey = PropertyKey::Atom(vm.atom("description"));
    vm.define_accessor(p, dkey, Some(description), None, "description");
    let tp = vm.symbols.to_primitive;
    vm.define_symbol_method(p, tp, "[Symbol.toPrimitive]", value_of, 1, attrs::CONFIGURABLE);
    let tag = vm.symbols.to_string_tag;
    let sv = vm.string_value("Symbol");
    p.put_named(&mut vm.heap, PropertyKey::Symbol(tag), sv, attrs::CONFIGURABLE);
}

fn symbol_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if a.is_construct() {
        return Err(vm.type_error("Symbol is not a constructor"));
    }
    let d = a.arg(0);
    let desc = if d.is_undefined() { Value::UNDEFINED } else { vm.to_string(d)?.value() };
    Ok(Symbol::new(&mut vm.heap, desc).value())
}

fn symbol_for(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let key = vm.to_string(a.arg(0))?;
    let units = key.to_units();
    if let Some(s) = vm.symbol_registry.get(&units) {
        return Ok(s.value());
    }
    let s = Symbol::new(&mut vm.heap, key.value());
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { s.m() }).registered = true;
    vm.symbol_registry.insert(units, s);
    Ok(s.value())
}

fn key_for(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some(s) = Gc::<Symbol>::try_from_value(a.arg(0)) else {
        let d = vm.display_string(a.arg(0));
        return Err(vm.type_error(&format!("{d} is not a symbol")));
    };
    Ok(if s.registered { s.description } else { Value::UNDEFINED })
}

fn this_symbol(vm: &mut Vm, v: Value) -> JsResult<Gc<Symbol>> {
    if let Some(s) = Gc::<Symbol>::try_from_value(v) {
        return Ok(s);
    }
    if let Some(o) = JsObject::from_value(v)
        && let ObjectKind::Symbol(s) = o.kind
    {
        return Ok(s);
    }
    Err(vm.type_error("Symbol.prototype method called on incompatible receiver"))
}

fn to_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = this_symbol(vm, a.this)?;
    let d = vm.display_string(s.value());
    Ok(vm.string_value(&d))
}

fn value_of(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(this_symbol(vm, a.this)?.value())
}

fn description(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let s = this_symbol(vm, a.this)?;
    let _ = Gc::<JsString>::try_from_value(s.description);
    Ok(s.description)
}
