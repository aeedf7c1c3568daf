//! Proxy exotic objects: every internal method calls its handler trap (or
//! falls through to the target) and checks the spec's invariants against
//! the target. Each trap call checks the native stack first, so a chain of
//! a million proxies throws RangeError instead of overflowing.

use super::PropertyDescriptor;
use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::{JsObject, ObjectKind, PropertyKey};
use crate::vm::value::Value;

/// [[ProxyTarget]] and [[ProxyHandler]]; both null once revoked.
pub struct ProxyData {
    pub target: Value,
    pub handler: Value,
    /// The target had [[Call]] / [[Construct]] when the proxy was made.
    pub callable: bool,
    pub constructor: bool,
}

/// The proxy data of a Proxy object.
#[inline]
pub fn proxy_data(o: Gc<JsObject>) -> Option<&'static ProxyData> {
    // SAFETY: boxed, so its address is stable while the cell lives (cells
    // never move); only read, and revocation only writes two Values.
    match &unsafe { &*o.as_ptr() }.kind {
        ObjectKind::Proxy(p) => Some(&**p),
        _ => None,
    }
}

#[inline]
pub fn is_proxy(o: Gc<JsObject>) -> bool {
    matches!(o.kind, ObjectKind::Proxy(_))
}

impl Vm {
    /// ProxyCreate.
    pub fn proxy_create(&mut self, target: Value, handler: Value) -> JsResult<Gc<JsObject>> {
        let (Some(t), true) = (JsObject::from_value(target), JsObject::is_object(handler)) else {
            return Err(self.type_error("Cannot create proxy with a non-object as target or handler"));
        };
        let callable = t.is_callable();
        let constructor = Vm::is_constructor(target);
        let data = ProxyData { target, handler, callable, constructor };
        Ok(self.new_object_with_proto(Value::NULL, ObjectKind::Proxy(Box::new(data))))
    }

    /// IsArray: sees through proxies (TypeError for a revoked one).
    pub fn is_array_value(&mut self, v: Value) -> JsResult<bool> {
        let mut cur = v;
        loop {
            let Some(o) = JsObject::from_value(cur) else { return Ok(false) };
            if o.is_array() {
                return Ok(true);
            }
            let Some(p) = proxy_data(o) else { return Ok(false) };
            if p.handler.is_null() {
                return Err(self.type_error("Cannot perform 'IsArray' on a proxy that has been revoked"));
            }
            cur = p.target;
        }
    }

    /// Revokes a proxy (idempotent).
    pub fn proxy_revoke(o: Gc<JsObject>) {
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        if let ObjectKind::Proxy(p) = &mut unsafe { o.m() }.kind {
            p.target = Value::NULL;
            p.handler = Value::NULL;
        }
    }

    /// The handler's trap `name` (None: fall through to the target) and the
    /// target; TypeError for a revoked proxy.
    fn trap(&mut self, proxy: Gc<JsObject>, name: &str) -> JsResult<(Option<Value>, Gc<JsObject>)> {
        self.check_native_stack()?;
        let p = proxy_data(proxy).expect("a proxy");
        let (target, handler) = (p.target, p.handler);
        let Some(t) = JsObject::from_value(target) else {
            return Err(self.type_error(&format!("Cannot perform '{name}' on a proxy that has been revoked")));
        };
        let key = self.key_from_str(name);
        let trap = self.get_method(handler, key)?;
        Ok((trap, t))
    }

    fn handler_of(proxy: Gc<JsObject>) -> Value {
        proxy_data(proxy).map_or(Value::NULL, |p| p.handler)
    }

    pub fn proxy_get_prototype_of(&mut self, proxy: Gc<JsObject>) -> JsResult<Value> {
        let (trap, target) = self.trap(proxy, "getPrototypeOf")?;
        let Some(trap) = trap else { return self.get_prototype_of(target) };
        let handler = Vm::handler_of(proxy);
        let proto = self.call(trap, handler, &[target.value()])?;
        if !proto.is_null() && !JsObject::is_object(proto) {
            return Err(self.type_error("'getPrototypeOf' on proxy: trap returned neither object nor null"));
        }
        if self.is_extensible(target)? {
            return Ok(proto);
        }
        let target_proto = self.get_prototype_of(target)?;
        if proto != target_proto {
            return Err(self.type_error("'getPrototypeOf' on proxy: proxy target is non-extensible but the trap did not return its actual prototype"));
        }
        Ok(proto)
    }

    pub fn proxy_set_prototype_of(&mut self, proxy: Gc<JsObject>, v: Value) -> JsResult<bool> {
        let (trap, target) = self.trap(proxy, "setPrototypeOf")?;
        let Some(trap) = trap else { return self.set_prototype_of(target, v) };
        let handler = Vm::handler_of(proxy);
        let r = self.call(trap, handler, &[target.value(), v])?;
        if !Vm::to_boolean(r) {
            return Ok(false);
        }
        if self.is_extensible(target)? {
            return Ok(true);
        }
        let target_proto = self.get_prototype_of(target)?;
        if v != target_proto {
            return Err(self.type_error("'setPrototypeOf' on proxy: trap returned truish for setting a new prototype on the non-extensible proxy target"));
        }
        Ok(true)
    }

    pub fn proxy_is_extensible(&mut self, proxy: Gc<JsObject>) -> JsResult<bool> {
        let (trap, target) = self.trap(proxy, "isExtensible")?;
        let Some(trap) = trap else { return self.is_extensible(target) };
        let handler = Vm::handler_of(proxy);
        let r = Vm::to_boolean(self.call(trap, handler, &[target.value()])?);
        if r != self.is_extensible(target)? {
            return Err(self.type_error("'isExtensible' on proxy: trap result does not reflect extensibility of proxy target"));
        }
        Ok(r)
    }

    pub fn proxy_prevent_extensions(&mut self, proxy: Gc<JsObject>) -> JsResult<bool> {
        let (trap, target) = self.trap(proxy, "preventExtensions")?;
        let Some(trap) = trap else { return self.prevent_extensions(target) };
        let handler = Vm::handler_of(proxy);
        let r = Vm::to_boolean(self.call(trap, handler, &[target.value()])?);
        if r && self.is_extensible(target)? {
            return Err(self.type_error("'preventExtensions' on proxy: trap returned truish but the proxy target is extensible"));
        }
        Ok(r)
    }

    pub fn proxy_get_own_property(&mut self, proxy: Gc<JsObject>, key: PropertyKey) -> JsResult<Option<PropertyDescriptor>> {
        let (trap, target) = self.trap(proxy, "getOwnPropertyDescriptor")?;
        let Some(trap) = trap else { return self.own_property(target, key) };
        let handler = Vm::handler_of(proxy);
        let kv = self.key_to_value(key);
        let result = self.call(trap, handler, &[target.value(), kv])?;
        if !result.is_undefined() && !JsObject::is_object(result) {
            return Err(self.type_error("'getOwnPropertyDescriptor' on proxy: trap returned neither object nor undefined"));
        }
        let target_desc = self.own_property(target, key)?;
        let k = self.key_display(key);
        if result.is_undefined() {
            let Some(td) = target_desc else { return Ok(None) };
            if td.configurable == Some(false) {
                return Err(self.type_error(&format!(
                    "'getOwnPropertyDescriptor' on proxy: trap returned undefined for property '{k}' which is non-configurable in the proxy target"
                )));
            }
            if !self.is_extensible(target)? {
                return Err(self.type_error(&format!(
                    "'getOwnPropertyDescriptor' on proxy: trap returned undefined for property '{k}' which exists in the non-extensible proxy target"
                )));
            }
            return Ok(None);
        }
        let extensible = self.is_extensible(target)?;
        let mut desc = super::descriptor::to_property_descriptor(self, result)?;
        complete_descriptor(&mut desc);
        if !is_compatible_descriptor(self, extensible, &desc, target_desc.as_ref()) {
            return Err(self.type_error(&format!("'getOwnPropertyDescriptor' on proxy: trap returned descriptor for property '{k}' that is incompatible with the existing property in the proxy target")));
        }
        if desc.configurable == Some(false) {
            match &target_desc {
                None => {
                    return Err(self.type_error(&format!("'getOwnPropertyDescriptor' on proxy: trap reported non-configurability for property '{k}' which is either non-existent or configurable in the proxy target")));
                }
                Some(td) if td.configurable == Some(true) => {
                    return Err(self.type_error(&format!("'getOwnPropertyDescriptor' on proxy: trap reported non-configurability for property '{k}' which is either non-existent or configurable in the proxy target")));
                }
                Some(td) => {
                    if desc.writable == Some(false) && td.writable == Some(true) {
                        return Err(self.type_error(&format!("'getOwnPropertyDescriptor' on proxy: trap reported non-configurable and writable for property '{k}' which is non-configurable, non-writable in the proxy target")));
                    }
                }
            }
        }
        Ok(Some(desc))
    }

    pub fn proxy_define_own_property(&mut self, proxy: Gc<JsObject>, key: PropertyKey, desc: PropertyDescriptor) -> JsResult<bool> {
        let (trap, target) = self.trap(proxy, "defineProperty")?;
        let Some(trap) = trap else { return self.define_own_property(target, key, desc) };
        let handler = Vm::handler_of(proxy);
        let kv = self.key_to_value(key);
        let desc_obj = super::descriptor::from_property_descriptor(self, Some(desc));
        let r = self.call(trap, handler, &[target.value(), kv, desc_obj])?;
        if !Vm::to_boolean(r) {
            return Ok(false);
        }
        let target_desc = self.own_property(target, key)?;
        let extensible = self.is_extensible(target)?;
        let setting_non_configurable = desc.configurable == Some(false);
        let k = self.key_display(key);
        match &target_desc {
            None => {
                if !extensible {
                    return Err(self.type_error(&format!(
                        "'defineProperty' on proxy: trap returned truish for adding property '{k}'  to the non-extensible proxy target"
                    )));
                }
                if setting_non_configurable {
                    return Err(self.type_error(&format!("'defineProperty' on proxy: trap returned truish for defining non-configurable property '{k}' which is either non-existent or configurable in the proxy target")));
                }
            }
            Some(td) => {
                if !is_compatible_descriptor(self, extensible, &desc, Some(td)) {
                    return Err(self.type_error(&format!("'defineProperty' on proxy: trap returned truish for adding property '{k}'  that is incompatible with the existing property in the proxy target")));
                }
                if setting_non_configurable && td.configurable == Some(true) {
                    return Err(self.type_error(&format!("'defineProperty' on proxy: trap returned truish for defining non-configurable property '{k}' which is either non-existent or configurable in the proxy target")));
                }
                if td.is_data() && td.configurable == Some(false) && td.writable == Some(true) && desc.writable == Some(false) {
                    return Err(self.type_error(&format!("'defineProperty' on proxy: trap returned truish for defining non-configurable property '{k}' which cannot be non-writable, unless there exists a corresponding non-configurable, non-writable own property of the target object.")));
                }
            }
        }
        Ok(true)
    }

    pub fn proxy_has(&mut self, proxy: Gc<JsObject>, key: PropertyKey) -> JsResult<bool> {
        let (trap, target) = self.trap(proxy, "has")?;
        let Some(trap) = trap else { return self.has_property(target, key) };
        let handler = Vm::handler_of(proxy);
        let kv = self.key_to_value(key);
        let r = Vm::to_boolean(self.call(trap, handler, &[target.value(), kv])?);
        if !r && let Some(td) = self.own_property(target, key)? {
            let k = self.key_display(key);
            if td.configurable == Some(false) {
                return Err(
                    self.type_error(&format!("'has' on proxy: trap returned falsish for property '{k}' which exists in the proxy target as non-configurable"))
                );
            }
            if !self.is_extensible(target)? {
                return Err(self.type_error(&format!("'has' on proxy: trap returned falsish for property '{k}' but the proxy target is not extensible")));
            }
        }
        Ok(r)
    }

    pub fn proxy_get(&mut self, proxy: Gc<JsObject>, key: PropertyKey, receiver: Value) -> JsResult<Value> {
        let (trap, target) = self.trap(proxy, "get")?;
        let Some(trap) = trap else { return self.get(target, key, receiver) };
        let handler = Vm::handler_of(proxy);
        let kv = self.key_to_value(key);
        let v = self.call(trap, handler, &[target.value(), kv, receiver])?;
        if let Some(td) = self.own_property(target, key)?
            && td.configurable == Some(false)
        {
            let k = self.key_display(key);
            if td.is_data() && td.writable == Some(false) && !Vm::same_value(v, td.value.unwrap_or(Value::UNDEFINED)) {
                return Err(self.type_error(&format!("'get' on proxy: property '{k}' is a read-only and non-configurable data property on the proxy target but the proxy did not return its actual value")));
            }
            if td.is_accessor() && td.get.is_none_or(|g| g.is_undefined()) && !v.is_undefined() {
                return Err(self.type_error(&format!("'get' on proxy: property '{k}' is a non-configurable accessor property on the proxy target and does not have a getter function, but the trap did not return 'undefined'")));
            }
        }
        Ok(v)
    }

    pub fn proxy_set(&mut self, proxy: Gc<JsObject>, key: PropertyKey, v: Value, receiver: Value) -> JsResult<bool> {
        let (trap, target) = self.trap(proxy, "set")?;
        let Some(trap) = trap else { return self.set(target, key, v, receiver) };
        let handler = Vm::handler_of(proxy);
        let kv = self.key_to_value(key);
        let r = self.call(trap, handler, &[target.value(), kv, v, receiver])?;
        if !Vm::to_boolean(r) {
            return Ok(false);
        }
        if let Some(td) = self.own_property(target, key)?
            && td.configurable == Some(false)
        {
            let k = self.key_display(key);
            if td.is_data() && td.writable == Some(false) && !Vm::same_value(v, td.value.unwrap_or(Value::UNDEFINED)) {
                return Err(self.type_error(&format!("'set' on proxy: trap returned truish for property '{k}' which exists in the proxy target as a non-configurable and non-writable data property with a different value")));
            }
            if td.is_accessor() && td.set.is_none_or(|s| s.is_undefined()) {
                return Err(self.type_error(&format!("'set' on proxy: trap returned truish for property '{k}' which exists in the proxy target as a non-configurable and non-writable accessor property without a setter")));
            }
        }
        Ok(true)
    }

    pub fn proxy_delete(&mut self, proxy: Gc<JsObject>, key: PropertyKey) -> JsResult<bool> {
        let (trap, target) = self.trap(proxy, "deleteProperty")?;
        let Some(trap) = trap else { return self.delete_property(target, key) };
        let handler = Vm::handler_of(proxy);
        let kv = self.key_to_value(key);
        let r = Vm::to_boolean(self.call(trap, handler, &[target.value(), kv])?);
        if !r {
            return Ok(false);
        }
        if let Some(td) = self.own_property(target, key)? {
            let k = self.key_display(key);
            if td.configurable == Some(false) {
                return Err(self
                    .type_error(&format!("'deleteProperty' on proxy: trap returned truish for property '{k}' which is non-configurable in the proxy target")));
            }
            if !self.is_extensible(target)? {
                return Err(
                    self.type_error(&format!("'deleteProperty' on proxy: trap returned truish for property '{k}' but the proxy target is non-extensible"))
                );
            }
        }
        Ok(true)
    }

    pub fn proxy_own_keys(&mut self, proxy: Gc<JsObject>) -> JsResult<Vec<PropertyKey>> {
        let (trap, target) = self.trap(proxy, "ownKeys")?;
        let Some(trap) = trap else { return self.own_property_keys(target) };
        let handler = Vm::handler_of(proxy);
        let result = self.call(trap, handler, &[target.value()])?;
        let Some(list) = JsObject::from_value(result) else {
            return Err(self.type_error("CreateListFromArrayLike called on non-object"));
        };
        let len = self.length_of_array_like(list)?;
        let mut keys: Vec<PropertyKey> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        for i in 0..len {
            let k = crate::vm::runtime::list::idx_key(self, i);
            let v = self.get(list, k, result)?;
            if !Vm::is_string(v) && !Vm::is_symbol(v) {
                let d = self.display_string(v);
                return Err(self.type_error(&format!("{d} is not a valid property name")));
            }
            let key = self.to_property_key(v)?;
            if keys.contains(&key) {
                let d = self.key_display(key);
                return Err(self.type_error(&format!("'ownKeys' on proxy: trap returned duplicate entries ('{d}')")));
            }
            keys.push(key);
            values.push(v);
        }
        self.with_roots(values, |vm| {
            let extensible = vm.is_extensible(target)?;
            let target_keys = vm.own_property_keys(target)?;
            let mut configurable = Vec::new();
            let mut nonconfigurable = Vec::new();
            for k in target_keys {
                match vm.own_property(target, k)? {
                    Some(d) if d.configurable == Some(false) => nonconfigurable.push(k),
                    _ => configurable.push(k),
                }
            }
            if extensible && nonconfigurable.is_empty() {
                return Ok(keys);
            }
            let mut unchecked: Vec<Option<PropertyKey>> = keys.iter().copied().map(Some).collect();
            for k in nonconfigurable {
                match unchecked.iter_mut().find(|u| **u == Some(k)) {
                    Some(slot) => *slot = None,
                    None => {
                        let d = vm.key_display(k);
                        return Err(vm.type_error(&format!("'ownKeys' on proxy: trap result did not include '{d}'")));
                    }
                }
            }
            if extensible {
                return Ok(keys);
            }
            for k in configurable {
                match unchecked.iter_mut().find(|u| **u == Some(k)) {
                    Some(slot) => *slot = None,
                    None => {
                        let d = vm.key_display(k);
                        return Err(vm.type_error(&format!("'ownKeys' on proxy: trap result did not include '{d}'")));
                    }
                }
            }
            if unchecked.iter().any(|u| u.is_some()) {
                return Err(vm.type_error("'ownKeys' on proxy: trap returned extra keys but proxy target is non-extensible"));
            }
            Ok(keys)
        })
    }

    /// [[Call]] and [[Construct]] of a proxy.
    pub fn proxy_call(&mut self, proxy: Gc<JsObject>, this: Value, args: &[Value], new_target: Value, construct: bool) -> JsResult<Value> {
        let (trap, target) = self.trap(proxy, if construct { "construct" } else { "apply" })?;
        let Some(trap) = trap else {
            return if construct { self.construct(target.value(), args, new_target) } else { self.call(target.value(), this, args) };
        };
        let handler = Vm::handler_of(proxy);
        let arr = self.array_from(args);
        if construct {
            let r = self.call(trap, handler, &[target.value(), arr.value(), new_target])?;
            if !JsObject::is_object(r) {
                return Err(self.type_error("proxy [[Construct]] must return an object"));
            }
            Ok(r)
        } else {
            self.call(trap, handler, &[target.value(), this, arr.value()])
        }
    }
}

/// CompletePropertyDescriptor.
fn complete_descriptor(d: &mut PropertyDescriptor) {
    if !d.is_accessor() {
        d.value.get_or_insert(Value::UNDEFINED);
        d.writable.get_or_insert(false);
    } else {
        d.get.get_or_insert(Value::UNDEFINED);
        d.set.get_or_insert(Value::UNDEFINED);
    }
    d.enumerable.get_or_insert(false);
    d.configurable.get_or_insert(false);
}

/// IsCompatiblePropertyDescriptor (ValidateAndApplyPropertyDescriptor with
/// no object to apply to).
fn is_compatible_descriptor(vm: &Vm, extensible: bool, desc: &PropertyDescriptor, current: Option<&PropertyDescriptor>) -> bool {
    let _ = vm;
    let Some(cur) = current else { return extensible };
    if cur.configurable == Some(false) {
        if desc.configurable == Some(true) {
            return false;
        }
        if desc.enumerable.is_some() && desc.enumerable != cur.enumerable {
            return false;
        }
        let generic = !desc.is_accessor() && !desc.is_data();
        if !generic && desc.is_accessor() != cur.is_accessor() {
            return false;
        }
        if cur.is_accessor() {
            if desc.get.is_some_and(|g| Some(g) != cur.get) || desc.set.is_some_and(|s| Some(s) != cur.set) {
                return false;
            }
        } else if cur.writable == Some(false) {
            if desc.writable == Some(true) {
                return false;
            }
            if let (Some(v), Some(c)) = (desc.value, cur.value)
                && !Vm::same_value(v, c)
            {
                return false;
            }
        }
    }
    true
}
