//! Property operations on ordinary and exotic (array, string, typed array) objects:
//! own properties and descriptors, [[DefineOwnProperty]], [[Get]], [[Set]],
//! [[HasProperty]], [[Delete]], [[OwnPropertyKeys]], prototypes, and the
//! operations built on them (GetMethod, LengthOfArrayLike, instanceof, ...).

use super::proxy::is_proxy;
use super::realm::Intrinsic;
use super::typed_array::{numeric_key, typed_array_length};
use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{AccessorPair, FunctionData, FunctionKind, JsObject, JsString, ObjectKind, OwnProperty, PropertyKey, attrs};
use crate::vm::value::Value;

/// A property descriptor with optional fields (spec PropertyDescriptor).
#[derive(Clone, Copy, Debug, Default)]
pub struct PropertyDescriptor {
    pub value: Option<Value>,
    pub writable: Option<bool>,
    pub get: Option<Value>,
    pub set: Option<Value>,
    pub enumerable: Option<bool>,
    pub configurable: Option<bool>,
}

impl PropertyDescriptor {
    pub fn data(value: Value, a: u8) -> Self {
        PropertyDescriptor {
            value: Some(value),
            writable: Some(a & attrs::WRITABLE != 0),
            enumerable: Some(a & attrs::ENUMERABLE != 0),
            configurable: Some(a & attrs::CONFIGURABLE != 0),
            ..Default::default()
        }
    }
    pub fn is_accessor(&self) -> bool {
        self.get.is_some() || self.set.is_some()
    }
    pub fn is_data(&self) -> bool {
        self.value.is_some() || self.writable.is_some()
    }
    fn from_own(p: OwnProperty) -> Self {
        if p.is_accessor() {
            let pair = p.accessor();
            PropertyDescriptor {
                get: Some(pair.getter),
                set: Some(pair.setter),
                enumerable: Some(p.attrs & attrs::ENUMERABLE != 0),
                configurable: Some(p.attrs & attrs::CONFIGURABLE != 0),
                ..Default::default()
            }
        } else {
            PropertyDescriptor::data(p.value, p.attrs)
        }
    }
}

impl Vm {
    // ----- own properties (ordinary + array/string exotic) -----

    /// [[GetOwnProperty]] without running JS.
    pub fn get_own_property(&mut self, obj: Gc<JsObject>, key: PropertyKey) -> Option<OwnProperty> {
        if let ObjectKind::TypedArray { .. } = obj.kind
            && let Some(n) = numeric_key(key)
        {
            // Integer-indexed exotic: numeric keys are elements or nothing.
            Vm::valid_element(obj, n)?;
            return Some(OwnProperty { value: self.typed_array_get(obj, n), attrs: attrs::DEFAULT });
        }
        match key {
            PropertyKey::Index(i) => {
                if let Some(p) = obj.get_own_element(i) {
                    return Some(p);
                }
                if let ObjectKind::String(s) = &obj.kind
                    && (i as usize) < s.len()
                {
                    let u = s.to_units()[i as usize];
                    let c = JsString::from_units(&mut self.heap, &[u]);
                    return Some(OwnProperty { value: c.value(), attrs: attrs::ENUMERABLE });
                }
                None
            }
            PropertyKey::Atom(a) if a == self.names.length => match &obj.kind {
                ObjectKind::Array { length, length_writable } => {
                    Some(OwnProperty { value: Value::number(*length as f64), attrs: if *length_writable { attrs::WRITABLE } else { 0 } })
                }
                ObjectKind::String(s) => Some(OwnProperty { value: Value::int(s.len() as i32), attrs: 0 }),
                _ => obj.get_own_named(key),
            },
            _ => obj.get_own_named(key),
        }
    }

    pub fn get_own_property_descriptor(&mut self, obj: Gc<JsObject>, key: PropertyKey) -> Option<PropertyDescriptor> {
        self.get_own_property(obj, key).map(PropertyDescriptor::from_own)
    }

    /// [[GetOwnProperty]] of any object, proxies included (may run JS).
    pub fn own_property(&mut self, obj: Gc<JsObject>, key: PropertyKey) -> JsResult<Option<PropertyDescriptor>> {
        if is_proxy(obj) {
            return self.proxy_get_own_property(obj, key);
        }
        Ok(self.get_own_property_descriptor(obj, key))
    }

    /// [[IsExtensible]].
    pub fn is_extensible(&mut self, obj: Gc<JsObject>) -> JsResult<bool> {
        if is_proxy(obj) {
            return self.proxy_is_extensible(obj);
        }
        Ok(obj.extensible)
    }

    /// [[DefineOwnProperty]] (ValidateAndApplyPropertyDescriptor + array exotic).
    pub fn define_own_property(&mut self, obj: Gc<JsObject>, key: PropertyKey, desc: PropertyDescriptor) -> JsResult<bool> {
        if is_proxy(obj) {
            return self.proxy_define_own_property(obj, key, desc);
        }
        if let ObjectKind::TypedArray { .. } = obj.kind
            && let Some(n) = numeric_key(key)
        {
            if Vm::valid_element(obj, n).is_none() {
                return Ok(false);
            }
            if desc.configurable == Some(false) || desc.enumerable == Some(false) || desc.is_accessor() || desc.writable == Some(false) {
                return Ok(false);
            }
            if let Some(v) = desc.value {
                self.typed_array_set(obj, n, v)?;
            }
            return Ok(true);
        }
        if obj.is_array() {
            if key == PropertyKey::Atom(self.names.length) {
                return self.array_set_length(obj, desc);
            }
            if let PropertyKey::Index(i) = key {
                let (len, writable) = match obj.kind {
                    ObjectKind::Array { length, length_writable } => (length, length_writable),
                    _ => unreachable!(),
                };
                if i >= len && !writable {
                    return Ok(false);
                }
                if !self.ordinary_define(obj, key, desc) {
                    return Ok(false);
                }
                if i >= len {
                    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                    (unsafe { obj.m() }).set_array_length_raw(i + 1);
                }
                return Ok(true);
            }
        }
        if let ObjectKind::String(s) = &obj.kind {
            let is_own_exotic = match key {
                PropertyKey::Index(i) => (i as usize) < s.len(),
                PropertyKey::Atom(a) => a == self.names.length,
                _ => false,
            };
            if is_own_exotic {
                let cur = self.get_own_property(obj, key).unwrap();
                return Ok(self.compatible_with_frozen(cur, desc));
            }
        }
        Ok(self.ordinary_define(obj, key, desc))
    }

    /// Whether `desc` may be applied to the non-configurable, non-writable `cur`.
    fn compatible_with_frozen(&self, cur: OwnProperty, desc: PropertyDescriptor) -> bool {
        if desc.configurable == Some(true) || desc.is_accessor() || desc.writable == Some(true) {
            return false;
        }
        if let Some(e) = desc.enumerable
            && e != (cur.attrs & attrs::ENUMERABLE != 0)
        {
            return false;
        }
        desc.value.is_none_or(|v| Vm::same_value(v, cur.value))
    }

    fn ordinary_define(&mut self, obj: Gc<JsObject>, key: PropertyKey, desc: PropertyDescriptor) -> bool {
        let current = self.get_own_property(obj, key);
        let Some(cur) = current else {
            if !obj.extensible {
                return false;
            }
            let mut a = 0;
            if desc.enumerable == Some(true) {
                a |= attrs::ENUMERABLE;
            }
            if desc.configurable == Some(true) {
                a |= attrs::CONFIGURABLE;
            }
            if desc.is_accessor() {
                let pair = AccessorPair::new(&mut self.heap, desc.get.unwrap_or(Value::UNDEFINED), desc.set.unwrap_or(Value::UNDEFINED));
                self.define_raw(obj, key, pair.value(), a | attrs::ACCESSOR);
            } else {
                if desc.writable == Some(true) {
                    a |= attrs::WRITABLE;
                }
                self.define_raw(obj, key, desc.value.unwrap_or(Value::UNDEFINED), a);
            }
            return true;
        };
        let configurable = cur.attrs & attrs::CONFIGURABLE != 0;
        let enumerable = cur.attrs & attrs::ENUMERABLE != 0;
        if !configurable {
            if desc.configurable == Some(true) {
                return false;
            }
            if desc.enumerable.is_some_and(|e| e != enumerable) {
                return false;
            }
            let generic = !desc.is_accessor() && !desc.is_data();
            if !generic && desc.is_accessor() != cur.is_accessor() {
                return false;
            }
            if cur.is_accessor() {
                let pair = cur.accessor();
                if desc.get.is_some_and(|g| g != pair.getter) || desc.set.is_some_and(|s| s != pair.setter) {
                    return false;
                }
            } else if cur.attrs & attrs::WRITABLE == 0 {
                if desc.writable == Some(true) {
                    return false;
                }
                if desc.value.is_some_and(|v| !Vm::same_value(v, cur.value)) {
                    return false;
                }
            }
        }
        // Apply.
        let mut a = cur.attrs & (attrs::ENUMERABLE | attrs::CONFIGURABLE);
        if let Some(e) = desc.enumerable {
            a = if e { a | attrs::ENUMERABLE } else { a & !attrs::ENUMERABLE };
        }
        if let Some(c) = desc.configurable {
            a = if c { a | attrs::CONFIGURABLE } else { a & !attrs::CONFIGURABLE };
        }
        if desc.is_accessor() {
            let (g0, s0) = if cur.is_accessor() {
                let p = cur.accessor();
                (p.getter, p.setter)
            } else {
                (Value::UNDEFINED, Value::UNDEFINED)
            };
            let pair = AccessorPair::new(&mut self.heap, desc.get.unwrap_or(g0), desc.set.unwrap_or(s0));
            self.define_raw(obj, key, pair.value(), a | attrs::ACCESSOR);
        } else if desc.is_data() || !cur.is_accessor() {
            let was_writable = !cur.is_accessor() && cur.attrs & attrs::WRITABLE != 0;
            let w = desc.writable.unwrap_or(was_writable);
            if w {
                a |= attrs::WRITABLE;
            }
            let v = desc.value.unwrap_or(if cur.is_accessor() { Value::UNDEFINED } else { cur.value });
            self.define_raw(obj, key, v, a);
        } else {
            // Generic descriptor on an accessor: keep the pair, update attributes.
            self.define_raw(obj, key, cur.value, a | attrs::ACCESSOR);
        }
        true
    }

    fn array_set_length(&mut self, arr: Gc<JsObject>, desc: PropertyDescriptor) -> JsResult<bool> {
        // ArraySetLength converts the value first (ToUint32, then ToNumber: both
        // observable), then validates the rest of the descriptor.
        let converted = match desc.value {
            Some(v) => {
                let new_len = self.to_uint32(v)?;
                let number_len = self.to_number(v)?;
                if new_len as f64 != number_len {
                    return Err(self.range_error("Invalid array length"));
                }
                Some(new_len)
            }
            None => None,
        };
        // Re-read after the conversions: valueOf may have changed the length.
        let (old_len, writable) = match arr.kind {
            ObjectKind::Array { length, length_writable } => (length, length_writable),
            _ => unreachable!(),
        };
        if desc.configurable == Some(true) || desc.enumerable == Some(true) || desc.is_accessor() {
            return Ok(false);
        }
        let Some(new_len) = converted else {
            if desc.writable == Some(true) && !writable {
                return Ok(false);
            }
            if desc.writable == Some(false) {
                // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                (unsafe { arr.m() }).kind = ObjectKind::Array { length: old_len, length_writable: false };
            }
            return Ok(true);
        };
        if new_len == old_len {
            if desc.writable == Some(true) && !writable {
                return Ok(false);
            }
            if desc.writable == Some(false) {
                // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                (unsafe { arr.m() }).kind = ObjectKind::Array { length: new_len, length_writable: false };
            }
            return Ok(true);
        }
        if !writable {
            return Ok(false);
        }
        let final_writable = desc.writable != Some(false);
        if new_len > old_len {
            // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
            (unsafe { arr.m() }).kind = ObjectKind::Array { length: new_len, length_writable: final_writable };
            return Ok(true);
        }
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        match unsafe { arr.m() }.truncate_elements(new_len) {
            Ok(()) => {
                // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                (unsafe { arr.m() }).kind = ObjectKind::Array { length: new_len, length_writable: final_writable };
                Ok(true)
            }
            Err(stuck) => {
                // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                (unsafe { arr.m() }).kind = ObjectKind::Array { length: stuck, length_writable: final_writable };
                Ok(false)
            }
        }
    }

    pub fn define_property_or_throw(&mut self, obj: Gc<JsObject>, key: PropertyKey, desc: PropertyDescriptor) -> JsResult<()> {
        if !self.define_own_property(obj, key, desc)? {
            let k = self.key_display(key);
            return Err(self.type_error(&format!("Cannot redefine property: {k}")));
        }
        Ok(())
    }

    pub fn create_data_property(&mut self, obj: Gc<JsObject>, key: PropertyKey, v: Value) -> JsResult<bool> {
        self.define_own_property(obj, key, PropertyDescriptor::data(v, attrs::DEFAULT))
    }
    pub fn create_data_property_or_throw(&mut self, obj: Gc<JsObject>, key: PropertyKey, v: Value) -> JsResult<()> {
        self.define_property_or_throw(obj, key, PropertyDescriptor::data(v, attrs::DEFAULT))
    }

    pub fn key_display(&mut self, key: PropertyKey) -> String {
        match key {
            PropertyKey::Index(i) => i.to_string(),
            PropertyKey::Atom(s) => s.to_rust_string(),
            PropertyKey::Symbol(s) => self.display_string(s.value()),
        }
    }

    // ----- [[Get]] / [[Set]] / [[HasProperty]] / [[Delete]] -----

    pub fn get(&mut self, obj: Gc<JsObject>, key: PropertyKey, receiver: Value) -> JsResult<Value> {
        let mut o = obj;
        loop {
            if let ObjectKind::TypedArray { .. } = o.kind
                && let Some(n) = numeric_key(key)
            {
                return Ok(self.typed_array_get(o, n));
            }
            if is_proxy(o) {
                return self.proxy_get(o, key, receiver);
            }
            if let Some(p) = self.get_own_property(o, key) {
                if p.is_accessor() {
                    let getter = p.accessor().getter;
                    if getter.is_undefined() {
                        return Ok(Value::UNDEFINED);
                    }
                    return self.call(getter, receiver, &[]);
                }
                return Ok(p.value);
            }
            match JsObject::from_value(o.proto()) {
                Some(p) => o = p,
                None => return Ok(Value::UNDEFINED),
            }
        }
    }

    /// GetV: property lookup on any value (primitives use their prototype).
    pub fn get_v(&mut self, v: Value, key: PropertyKey) -> JsResult<Value> {
        if let Some(o) = JsObject::from_value(v) {
            return self.get(o, key, v);
        }
        if let Some(s) = Gc::<JsString>::try_from_value(v) {
            match key {
                PropertyKey::Atom(a) if a == self.names.length => return Ok(Value::int(s.len() as i32)),
                PropertyKey::Index(i) if (i as usize) < s.len() => {
                    let u = s.unit_at_any(i as usize);
                    return Ok(JsString::from_units(&mut self.heap, &[u]).value());
                }
                _ => {}
            }
        }
        let proto = self.prototype_for_primitive(v, key)?;
        self.get(proto, key, v)
    }

    fn prototype_for_primitive(&mut self, v: Value, key: PropertyKey) -> JsResult<Gc<JsObject>> {
        let realm = self.realm();
        let i = if v.is_number() {
            Intrinsic::NumberPrototype
        } else if v.is_bool() {
            Intrinsic::BooleanPrototype
        } else if Vm::is_string(v) {
            Intrinsic::StringPrototype
        } else if Vm::is_symbol(v) {
            Intrinsic::SymbolPrototype
        } else if Vm::is_bigint(v) {
            Intrinsic::BigIntPrototype
        } else {
            let k = self.key_display(key);
            let what = if v.is_null() { "null" } else { "undefined" };
            return Err(self.type_error(&format!("Cannot read properties of {what} (reading '{k}')")));
        };
        Ok(realm.proto(i))
    }

    /// OrdinarySet. Returns false when the assignment was rejected.
    pub fn set(&mut self, obj: Gc<JsObject>, key: PropertyKey, v: Value, receiver: Value) -> JsResult<bool> {
        if is_proxy(obj) {
            return self.proxy_set(obj, key, v, receiver);
        }
        if let ObjectKind::TypedArray { .. } = obj.kind
            && receiver == obj.value()
            && let Some(n) = numeric_key(key)
        {
            self.typed_array_set(obj, n, v)?;
            return Ok(true);
        }
        // Fast path: own writable data property on the receiver itself.
        if receiver == obj.value()
            && let Some(p) = self.get_own_property(obj, key)
            && !p.is_accessor()
        {
            if p.attrs & attrs::WRITABLE == 0 {
                return Ok(false);
            }
            return match key {
                PropertyKey::Index(_) => self.define_own_property(obj, key, PropertyDescriptor { value: Some(v), ..Default::default() }),
                PropertyKey::Atom(a) if a == self.names.length && obj.is_array() => {
                    self.define_own_property(obj, key, PropertyDescriptor { value: Some(v), ..Default::default() })
                }
                _ => Ok(obj.set_named_value(key, v)),
            };
        }
        let mut o = obj;
        let found = loop {
            if let ObjectKind::TypedArray { .. } = o.kind
                && let Some(n) = numeric_key(key)
            {
                // A typed array's [[Set]] with another receiver.
                if o.value() == receiver {
                    self.typed_array_set(o, n, v)?;
                    return Ok(true);
                }
                if Vm::valid_element(o, n).is_none() {
                    return Ok(true);
                }
            }
            if is_proxy(o) {
                return self.proxy_set(o, key, v, receiver);
            }
            if let Some(p) = self.get_own_property(o, key) {
                break Some(p);
            }
            match JsObject::from_value(o.proto()) {
                Some(p) => o = p,
                None => break None,
            }
        };
        if let Some(p) = found {
            if p.is_accessor() {
                let setter = p.accessor().setter;
                if setter.is_undefined() {
                    return Ok(false);
                }
                self.call(setter, receiver, &[v])?;
                return Ok(true);
            }
            if p.attrs & attrs::WRITABLE == 0 {
                return Ok(false);
            }
        }
        let Some(recv) = JsObject::from_value(receiver) else { return Ok(false) };
        if let Some(existing) = self.own_property(recv, key)? {
            if existing.is_accessor() || existing.writable != Some(true) {
                return Ok(false);
            }
            return self.define_own_property(recv, key, PropertyDescriptor { value: Some(v), ..Default::default() });
        }
        self.create_data_property(recv, key, v)
    }

    /// PutValue on a property reference of any base value.
    pub fn put_v(&mut self, base: Value, key: PropertyKey, v: Value, strict: bool) -> JsResult<()> {
        let ok = match JsObject::from_value(base) {
            Some(o) => self.set(o, key, v, base)?,
            None => {
                if base.is_nullish() {
                    let k = self.key_display(key);
                    let what = if base.is_null() { "null" } else { "undefined" };
                    return Err(self.type_error(&format!("Cannot set properties of {what} (setting '{k}')")));
                }
                let proto = self.prototype_for_primitive(base, key)?;
                self.set(proto, key, v, base)?
            }
        };
        if !ok && strict {
            let k = self.key_display(key);
            return Err(self.type_error(&format!("Cannot assign to read only property '{k}' of object")));
        }
        Ok(())
    }

    pub fn has_property(&mut self, obj: Gc<JsObject>, key: PropertyKey) -> JsResult<bool> {
        let mut o = obj;
        loop {
            if let ObjectKind::TypedArray { .. } = o.kind
                && let Some(n) = numeric_key(key)
            {
                return Ok(Vm::valid_element(o, n).is_some());
            }
            if is_proxy(o) {
                return self.proxy_has(o, key);
            }
            if self.get_own_property(o, key).is_some() {
                return Ok(true);
            }
            match JsObject::from_value(o.proto()) {
                Some(p) => o = p,
                None => return Ok(false),
            }
        }
    }

    pub fn delete_property(&mut self, obj: Gc<JsObject>, key: PropertyKey) -> JsResult<bool> {
        if is_proxy(obj) {
            return self.proxy_delete(obj, key);
        }
        if let ObjectKind::TypedArray { .. } = obj.kind
            && let Some(n) = numeric_key(key)
        {
            return Ok(Vm::valid_element(obj, n).is_none());
        }
        let Some(p) = self.get_own_property(obj, key) else { return Ok(true) };
        if p.attrs & attrs::CONFIGURABLE == 0 {
            return Ok(false);
        }
        match key {
            PropertyKey::Index(i) => {
                // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                (unsafe { obj.m() }).delete_element(i);
            }
            _ => {
                obj.delete_named(&mut self.heap, key);
            }
        }
        Ok(true)
    }

    /// [[OwnPropertyKeys]]: indices ascending, then strings, then symbols (creation order).
    pub fn own_property_keys(&mut self, obj: Gc<JsObject>) -> JsResult<Vec<PropertyKey>> {
        if is_proxy(obj) {
            return self.proxy_own_keys(obj);
        }
        let mut keys: Vec<PropertyKey> = Vec::new();
        let mut indices = obj.element_indices();
        if let ObjectKind::TypedArray { .. } = obj.kind {
            let n = typed_array_length(obj) as u32;
            keys.extend((0..n).map(PropertyKey::Index));
        }
        if let ObjectKind::String(s) = &obj.kind {
            let n = s.len() as u32;
            indices.retain(|&i| i >= n);
            // A string of 10^8 units has as many keys: notice termination.
            keys.reserve(n as usize);
            let mut from = 0;
            while from < n {
                self.poll_long_operation()?;
                let to = n.min(from.saturating_add(1 << 16));
                keys.extend((from..to).map(PropertyKey::Index));
                from = to;
            }
        }
        keys.extend(indices.into_iter().map(PropertyKey::Index));
        if obj.is_array() || matches!(obj.kind, ObjectKind::String(_)) {
            keys.push(PropertyKey::Atom(self.names.length));
        }
        let named = obj.named_keys();
        keys.extend(named.iter().filter(|(k, _)| !k.is_symbol()).map(|&(k, _)| k));
        keys.extend(named.iter().filter(|(k, _)| k.is_symbol()).map(|&(k, _)| k));
        Ok(keys)
    }

    pub fn get_prototype_of(&mut self, obj: Gc<JsObject>) -> JsResult<Value> {
        if is_proxy(obj) {
            return self.proxy_get_prototype_of(obj);
        }
        Ok(obj.proto())
    }

    /// OrdinarySetPrototypeOf: false if not extensible or if it would create a cycle.
    pub fn set_prototype_of(&mut self, obj: Gc<JsObject>, proto: Value) -> JsResult<bool> {
        if is_proxy(obj) {
            return self.proxy_set_prototype_of(obj, proto);
        }
        if obj.proto() == proto {
            return Ok(true);
        }
        if !obj.extensible {
            return Ok(false);
        }
        // %Object.prototype% is an immutable prototype exotic object.
        if self.realms.values().any(|r| r.intrinsic(Intrinsic::ObjectPrototype) == obj.value()) {
            return Ok(false);
        }
        let mut p = proto;
        while let Some(po) = JsObject::from_value(p) {
            if po == obj {
                return Ok(false);
            }
            // A proxy's [[GetPrototypeOf]] is not the ordinary one: stop here.
            if is_proxy(po) {
                break;
            }
            p = po.proto();
        }
        obj.set_proto_raw(&mut self.heap, proto, self.null_root_shape);
        Ok(true)
    }

    pub fn prevent_extensions(&mut self, obj: Gc<JsObject>) -> JsResult<bool> {
        if is_proxy(obj) {
            return self.proxy_prevent_extensions(obj);
        }
        // A typed array whose length can change cannot be made non-extensible.
        if let ObjectKind::TypedArray { view, .. } = obj.kind {
            let resizable = crate::vm::runtime::typed_array::buffer_data(view.buffer).is_some_and(|d| d.max_byte_length.is_some() && !d.shared);
            if view.length.is_none() || resizable {
                return Ok(false);
            }
        }
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        (unsafe { obj.m() }).extensible = false;
        Ok(true)
    }

    /// GetMethod: undefined/null -> None; non-callable -> TypeError.
    pub fn get_method(&mut self, v: Value, key: PropertyKey) -> JsResult<Option<Value>> {
        let f = self.get_v(v, key)?;
        if f.is_nullish() {
            return Ok(None);
        }
        if !Vm::is_callable(f) {
            let k = self.key_display(key);
            return Err(self.type_error(&format!("{k} is not a function")));
        }
        Ok(Some(f))
    }

    pub fn length_of_array_like(&mut self, obj: Gc<JsObject>) -> JsResult<u64> {
        if let ObjectKind::Array { length, .. } = obj.kind {
            return Ok(length as u64);
        }
        let key = PropertyKey::Atom(self.names.length);
        let v = self.get(obj, key, obj.value())?;
        self.to_length(v)
    }

    /// CreateListFromArrayLike into a GC-visible list object.
    /// Runs `f` with `values` kept alive through `temp_roots`, then unroots
    /// them whatever `f` returns. For values and property keys that native code
    /// holds in Rust heap memory (which the collector does not scan) across
    /// calls into JS, where a collection can happen. `f` may root more values
    /// by pushing onto `temp_roots`; they are dropped at the end too.
    pub fn with_roots<R>(&mut self, values: impl IntoIterator<Item = Value>, f: impl FnOnce(&mut Vm) -> R) -> R {
        let mark = self.temp_roots.len();
        self.temp_roots.extend(values);
        let r = f(self);
        self.temp_roots.truncate(mark);
        r
    }

    /// `own_property_keys` with the keys rooted while `f` runs over them.
    pub fn with_own_keys<R>(&mut self, obj: Gc<JsObject>, f: impl FnOnce(&mut Vm, &[PropertyKey]) -> JsResult<R>) -> JsResult<R> {
        let keys = self.own_property_keys(obj)?;
        // Index keys hold no cell: only names and symbols need rooting.
        let cells = keys.iter().filter(|k| !matches!(k, PropertyKey::Index(_))).map(|k| k.to_value_or_undefined());
        self.with_roots(cells, |vm| f(vm, &keys))
    }

    pub fn list_from_array_like(&mut self, v: Value) -> JsResult<Vec<Value>> {
        let Some(obj) = JsObject::from_value(v) else {
            return Err(self.type_error("CreateListFromArrayLike called on non-object"));
        };
        let len = self.length_of_array_like(obj)?;
        if len > 1 << 24 {
            return Err(self.range_error("Too many arguments in function call"));
        }
        // Values fetched so far stay rooted while later getters run.
        let mark = self.temp_roots.len();
        let mut out = Vec::with_capacity(len as usize);
        for i in 0..len {
            match self.get(obj, PropertyKey::Index(i as u32), v) {
                Ok(x) => {
                    self.temp_roots.push(x);
                    out.push(x);
                }
                Err(e) => {
                    self.temp_roots.truncate(mark);
                    return Err(e);
                }
            }
        }
        self.temp_roots.truncate(mark);
        Ok(out)
    }

    /// OrdinaryHasInstance / InstanceofOperator.
    pub fn instance_of(&mut self, v: Value, target: Value) -> JsResult<bool> {
        let Some(t) = JsObject::from_value(target) else {
            return Err(self.type_error("Right-hand side of 'instanceof' is not an object"));
        };
        let hi = self.symbols.has_instance;
        let h = self.get(t, PropertyKey::Symbol(hi), target)?;
        if !h.is_nullish() {
            let r = self.call(h, target, &[v])?;
            return Ok(Vm::to_boolean(r));
        }
        if !t.is_callable() {
            return Err(self.type_error("Right-hand side of 'instanceof' is not callable"));
        }
        self.ordinary_has_instance(target, v)
    }

    pub fn ordinary_has_instance(&mut self, c: Value, v: Value) -> JsResult<bool> {
        let Some(cobj) = JsObject::from_value(c) else { return Ok(false) };
        if let Some(FunctionData { kind: FunctionKind::Bound { target, .. }, .. }) = cobj.function() {
            let t = *target;
            return self.instance_of(v, t);
        }
        if !cobj.is_callable() {
            return Ok(false);
        }
        let Some(mut o) = JsObject::from_value(v) else { return Ok(false) };
        let key = PropertyKey::Atom(self.names.prototype);
        let proto = self.get(cobj, key, c)?;
        if !JsObject::is_object(proto) {
            return Err(self.type_error("Function has non-object prototype in instanceof check"));
        }
        loop {
            let p = self.get_prototype_of(o)?;
            if p == proto {
                return Ok(true);
            }
            match JsObject::from_value(p) {
                Some(po) => o = po,
                None => return Ok(false),
            }
        }
    }

    /// SpeciesConstructor(O, defaultConstructor).
    pub fn species_constructor(&mut self, o: Gc<JsObject>, default: Value) -> JsResult<Value> {
        let ckey = PropertyKey::Atom(self.names.constructor);
        let c = self.get(o, ckey, o.value())?;
        if c.is_undefined() {
            return Ok(default);
        }
        let Some(co) = JsObject::from_value(c) else {
            return Err(self.type_error("The .constructor property is not an object"));
        };
        let skey = PropertyKey::Symbol(self.symbols.species);
        let s = self.get(co, skey, c)?;
        if s.is_nullish() {
            return Ok(default);
        }
        if Vm::is_constructor(s) {
            return Ok(s);
        }
        Err(self.type_error("object.constructor[Symbol.species] is not a constructor"))
    }

    /// GetPrototypeFromConstructor: new_target.prototype if an object, else the realm default.
    pub fn prototype_from_constructor(&mut self, new_target: Value, default: Intrinsic) -> JsResult<Value> {
        if let Some(nt) = JsObject::from_value(new_target) {
            let key = PropertyKey::Atom(self.names.prototype);
            let p = self.get(nt, key, new_target)?;
            if JsObject::is_object(p) {
                return Ok(p);
            }
            // GetFunctionRealm: through bound functions and proxies to the
            // target; a revoked proxy on the way is a TypeError.
            let mut f = new_target;
            while let Some(o) = JsObject::from_value(f) {
                match &o.kind {
                    ObjectKind::Proxy(p) if p.handler.is_null() => {
                        return Err(self.type_error("Cannot get the realm of a revoked proxy"));
                    }
                    ObjectKind::Proxy(p) => f = p.target,
                    ObjectKind::Function(d) => match &d.kind {
                        FunctionKind::Bound { target, .. } => f = *target,
                        _ => break,
                    },
                    _ => break,
                }
            }
            let realm = super::realm::function_realm(new_target).unwrap_or_else(|| self.realm());
            return Ok(realm.intrinsic(default));
        }
        Ok(self.realm().intrinsic(default))
    }
}

impl JsString {
    /// Code unit at `i` for flat strings and ropes alike.
    pub fn unit_at_any(&self, i: usize) -> u16 {
        match self.view() {
            Some(v) => v.at(i),
            None => self.to_units()[i],
        }
    }
}
