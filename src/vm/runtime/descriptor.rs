//! ToPropertyDescriptor and FromPropertyDescriptor (ECMA-262 6.2.6).
use crate::vm::JsResult;
use crate::vm::isolate::Vm;
use crate::vm::object::{JsObject, PropertyKey, attrs};
use crate::vm::runtime::PropertyDescriptor;
use crate::vm::value::Value;

/// ToPropertyDescriptor.
pub fn to_property_descriptor(vm: &mut Vm, v: Value) -> JsResult<PropertyDescriptor> {
    let Some(o) = JsObject::from_value(v) else {
        let d = vm.display_string(v);
        return Err(vm.type_error(&format!("Property description must be an object: {d}")));
    };
    let mut d = PropertyDescriptor::default();
    let n = &vm.names;
    let (ke, kc, kv, kw, kg, ks) = (n.enumerable, n.configurable, n.value, n.writable, n.get, n.set);
    if vm.has_property(o, PropertyKey::Atom(ke))? {
        d.enumerable = Some(Vm::to_boolean(vm.get(o, PropertyKey::Atom(ke), v)?));
    }
    if vm.has_property(o, PropertyKey::Atom(kc))? {
        d.configurable = Some(Vm::to_boolean(vm.get(o, PropertyKey::Atom(kc), v)?));
    }
    if vm.has_property(o, PropertyKey::Atom(kv))? {
        d.value = Some(vm.get(o, PropertyKey::Atom(kv), v)?);
    }
    if vm.has_property(o, PropertyKey::Atom(kw))? {
        d.writable = Some(Vm::to_boolean(vm.get(o, PropertyKey::Atom(kw), v)?));
    }
    if vm.has_property(o, PropertyKey::Atom(kg))? {
        let g = vm.get(o, PropertyKey::Atom(kg), v)?;
        if !g.is_undefined() && !Vm::is_callable(g) {
            let s = vm.display_string(g);
            return Err(vm.type_error(&format!("Getter must be a function: {s}")));
        }
        d.get = Some(g);
    }
    if vm.has_property(o, PropertyKey::Atom(ks))? {
        let s = vm.get(o, PropertyKey::Atom(ks), v)?;
        if !s.is_undefined() && !Vm::is_callable(s) {
            let t = vm.display_string(s);
            return Err(vm.type_error(&format!("Setter must be a function: {t}")));
        }
        d.set = Some(s);
    }
    if d.is_accessor() && d.is_data() {
        return Err(vm.type_error("Invalid property descriptor. Cannot both specify accessors and a value or writable attribute"));
    }
    Ok(d)
}

/// FromPropertyDescriptor.
pub fn from_property_descriptor(vm: &mut Vm, d: Option<PropertyDescriptor>) -> Value {
    let Some(d) = d else { return Value::UNDEFINED };
    let o = vm.new_object();
    let n = &vm.names;
    let (kv, kw, kg, ks, ke, kc) = (n.value, n.writable, n.get, n.set, n.enumerable, n.configurable);
    if let Some(v) = d.value {
        o.put_named(&mut vm.heap, PropertyKey::Atom(kv), v, attrs::DEFAULT);
    }
    if let Some(w) = d.writable {
        o.put_named(&mut vm.heap, PropertyKey::Atom(kw), Value::bool(w), attrs::DEFAULT);
    }
    if let Some(g) = d.get {
        o.put_named(&mut vm.heap, PropertyKey::Atom(kg), g, attrs::DEFAULT);
    }
    if let Some(s) = d.set {
        o.put_named(&mut vm.heap, PropertyKey::Atom(ks), s, attrs::DEFAULT);
    }
    if let Some(e) = d.enumerable {
        o.put_named(&mut vm.heap, PropertyKey::Atom(ke), Value::bool(e), attrs::DEFAULT);
    }
    if let Some(c) = d.configurable {
        o.put_named(&mut vm.heap, PropertyKey::Atom(kc), Value::bool(c), attrs::DEFAULT);
    }
    o.value()
}
