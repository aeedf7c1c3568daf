//! Creating objects, arrays and functions, defining builtin properties, and
//! property keys from Rust strings.

use super::realm::{Intrinsic, Realm};
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::function::ClassKind;
use crate::vm::object::{AccessorPair, FunctionData, FunctionKind, JsObject, JsString, NativeFn, ObjectKind, PropertyKey, Symbol, attrs};
use crate::vm::value::Value;

impl Vm {
    // ----- object creation -----

    pub fn new_object_with_proto(&mut self, proto: Value, kind: ObjectKind) -> Gc<JsObject> {
        let shape = JsObject::root_shape_for(&mut self.heap, proto, self.null_root_shape);
        JsObject::new(&mut self.heap, shape, kind)
    }
    pub fn new_object(&mut self) -> Gc<JsObject> {
        let proto = self.realm().intrinsic(Intrinsic::ObjectPrototype);
        self.new_object_with_proto(proto, ObjectKind::Ordinary)
    }
    pub fn new_array(&mut self, length: u32) -> Gc<JsObject> {
        let proto = self.realm().intrinsic(Intrinsic::ArrayPrototype);
        self.new_object_with_proto(proto, ObjectKind::Array { length, length_writable: true })
    }
    pub fn array_from(&mut self, values: &[Value]) -> Gc<JsObject> {
        let a = self.new_array(values.len() as u32);
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        (unsafe { a.m() }).elements = crate::vm::object::Elements::Dense(values.to_vec());
        self.heap.malloced_bytes += values.len() * 8;
        a
    }

    /// A native function object in `realm` (not a constructor unless `ctor`).
    pub fn new_native_function(&mut self, realm: Gc<Realm>, f: NativeFn, name: &str, length: u32, ctor: bool) -> Gc<JsObject> {
        self.new_function_object(realm, FunctionKind::Native { f, data: Value::UNDEFINED }, name, length, ctor)
    }

    pub fn new_function_object(&mut self, realm: Gc<Realm>, kind: FunctionKind, name: &str, length: u32, ctor: bool) -> Gc<JsObject> {
        let proto = match &kind {
            FunctionKind::Bytecode { code, .. } if code.flags.generator && code.flags.is_async => realm.intrinsic(Intrinsic::AsyncGeneratorFunctionPrototype),
            FunctionKind::Bytecode { code, .. } if code.flags.generator => realm.intrinsic(Intrinsic::GeneratorFunctionPrototype),
            FunctionKind::Bytecode { code, .. } if code.flags.is_async => realm.intrinsic(Intrinsic::AsyncFunctionPrototype),
            _ => realm.intrinsic(Intrinsic::FunctionPrototype),
        };
        let data = FunctionData {
            kind,
            realm,
            home_object: Value::UNDEFINED,
            this_value: Value::UNDEFINED,
            new_target: Value::UNDEFINED,
            is_constructor: ctor,
            class_kind: ClassKind::NotClass,
            fields: Value::UNDEFINED,
        };
        let f = self.new_object_with_proto(proto, ObjectKind::Function(Box::new(data)));
        let len_key = PropertyKey::Atom(self.names.length);
        f.put_named(&mut self.heap, len_key, Value::int(length as i32), attrs::CONFIGURABLE);
        let name_v = self.string_value(name);
        let name_key = PropertyKey::Atom(self.names.name);
        f.put_named(&mut self.heap, name_key, name_v, attrs::CONFIGURABLE);
        f
    }

    /// Defines a builtin method (writable, configurable, not enumerable).
    pub fn define_method(&mut self, obj: Gc<JsObject>, name: &str, f: NativeFn, length: u32) -> Gc<JsObject> {
        let realm = self.realm();
        let func = self.new_native_function(realm, f, name, length, false);
        let key = PropertyKey::Atom(self.atom(name));
        obj.put_named(&mut self.heap, key, func.value(), attrs::HIDDEN);
        func
    }
    /// Defines a builtin method under a symbol key; the name is "[description]".
    pub fn define_symbol_method(&mut self, obj: Gc<JsObject>, sym: Gc<Symbol>, name: &str, f: NativeFn, length: u32, a: u8) -> Gc<JsObject> {
        let realm = self.realm();
        let func = self.new_native_function(realm, f, name, length, false);
        obj.put_named(&mut self.heap, PropertyKey::Symbol(sym), func.value(), a);
        func
    }
    /// Defines a getter (and optional setter) accessor property.
    pub fn define_accessor(&mut self, obj: Gc<JsObject>, key: PropertyKey, getter: Option<NativeFn>, setter: Option<NativeFn>, display: &str) {
        let realm = self.realm();
        let g = getter.map_or(Value::UNDEFINED, |f| self.new_native_function(realm, f, &format!("get {display}"), 0, false).value());
        let s = setter.map_or(Value::UNDEFINED, |f| self.new_native_function(realm, f, &format!("set {display}"), 1, false).value());
        let pair = AccessorPair::new(&mut self.heap, g, s);
        obj.put_named(&mut self.heap, key, pair.value(), attrs::CONFIGURABLE | attrs::ACCESSOR);
    }
    pub fn define_value(&mut self, obj: Gc<JsObject>, name: &str, v: Value, a: u8) {
        let key = self.key_from_str(name);
        self.define_raw(obj, key, v, a);
    }
    /// Stores a property with no checks (builtin setup, object literals on fresh objects).
    pub fn define_raw(&mut self, obj: Gc<JsObject>, key: PropertyKey, v: Value, a: u8) {
        match key {
            PropertyKey::Index(i) => {
                obj.put_element(&mut self.heap, i, v, a);
                if let ObjectKind::Array { length, .. } = obj.kind
                    && i >= length
                {
                    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                    (unsafe { obj.m() }).set_array_length_raw(i + 1);
                }
            }
            _ => obj.put_named(&mut self.heap, key, v, a),
        }
    }

    pub fn key_from_str(&mut self, s: &str) -> PropertyKey {
        let atom = self.atom(s);
        match atom.as_array_index() {
            Some(i) => PropertyKey::Index(i),
            None => PropertyKey::Atom(atom),
        }
    }
    pub fn key_from_string(&mut self, s: Gc<JsString>) -> PropertyKey {
        if let Some(i) = s.as_array_index() {
            return PropertyKey::Index(i);
        }
        PropertyKey::Atom(self.atoms.intern(&mut self.heap, s))
    }
    pub fn key_to_value(&mut self, key: PropertyKey) -> Value {
        match key {
            PropertyKey::Index(i) => self.number_to_jsstring(i as f64).value(),
            PropertyKey::Atom(s) => s.value(),
            PropertyKey::Symbol(s) => s.value(),
        }
    }
}
