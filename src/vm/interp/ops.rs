//! Slow paths of the interpreter's instructions: globals, operators on
//! non-number operands, classes, super, iteration, for-in, arguments objects.

use crate::vm::JsResult;
use crate::vm::bytecode::{Code, Op};
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::function::ClassKind;
use crate::vm::object::{Env, FunctionKind, GeneratorData, GeneratorKind, GeneratorState, JsObject, JsString, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::bigint::NumericOp;
use crate::vm::runtime::realm::Intrinsic;
use crate::vm::runtime::{Hint, PropertyDescriptor};
use crate::vm::value::Value;

pub fn load_global(vm: &mut Vm, name: Gc<JsString>, throw: bool) -> JsResult<Value> {
    let realm = vm.realm();
    if let Some(&(v, _)) = realm.global_lex.get(&name) {
        if v.is_empty() {
            let n = name.to_rust_string();
            return Err(vm.reference_error(&format!("Cannot access '{n}' before initialization")));
        }
        return Ok(v);
    }
    let global = realm.global;
    let key = PropertyKey::Atom(name);
    if let Some(p) = global.get_own_named(key)
        && !p.is_accessor()
    {
        return Ok(p.value);
    }
    if vm.has_property(global, key)? {
        return vm.get(global, key, global.value());
    }
    if throw {
        let n = name.to_rust_string();
        return Err(vm.reference_error(&format!("{n} is not defined")));
    }
    Ok(Value::UNDEFINED)
}

pub fn store_global(vm: &mut Vm, name: Gc<JsString>, v: Value, strict: bool) -> JsResult<()> {
    let realm = vm.realm();
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    if let Some(b) = unsafe { realm.m() }.global_lex.get_mut(&name) {
        if b.0.is_empty() {
            let n = name.to_rust_string();
            return Err(vm.reference_error(&format!("Cannot access '{n}' before initialization")));
        }
        if b.1 {
            return Err(vm.type_error("Assignment to constant variable."));
        }
        b.0 = v;
        return Ok(());
    }
    let global = realm.global;
    let key = PropertyKey::Atom(name);
    if strict && !vm.has_property(global, key)? {
        let n = name.to_rust_string();
        return Err(vm.reference_error(&format!("{n} is not defined")));
    }
    vm.put_v(global.value(), key, v, strict)
}

/// Declares a global var (value None) or function (value Some) on the global object.
pub fn declare_global_var(vm: &mut Vm, name: Gc<JsString>, value: Option<Value>) -> JsResult<()> {
    let realm = vm.realm();
    let global = realm.global;
    let key = PropertyKey::Atom(name);
    if realm.global_lex.contains_key(&name) {
        let n = name.to_rust_string();
        return Err(vm.syntax_error(&format!("Identifier '{n}' has already been declared")));
    }
    let existing = vm.get_own_property(global, key);
    match value {
        None => {
            if existing.is_none() {
                if !global.extensible {
                    let n = name.to_rust_string();
                    return Err(vm.type_error(&format!("Cannot define global variable '{n}'")));
                }
                global.put_named(&mut vm.heap, key, Value::UNDEFINED, attrs::WRITABLE | attrs::ENUMERABLE);
            }
        }
        Some(f) => {
            let desc = match existing {
                Some(p) if p.attrs & attrs::CONFIGURABLE == 0 => {
                    if p.is_accessor() || p.attrs & (attrs::WRITABLE | attrs::ENUMERABLE) != attrs::WRITABLE | attrs::ENUMERABLE {
                        let n = name.to_rust_string();
                        return Err(vm.type_error(&format!("Cannot redefine global function '{n}'")));
                    }
                    PropertyDescriptor { value: Some(f), ..Default::default() }
                }
                _ => PropertyDescriptor::data(f, attrs::WRITABLE | attrs::ENUMERABLE),
            };
            vm.define_property_or_throw(global, key, desc)?;
        }
    }
    Ok(())
}

pub fn declare_global_lex(vm: &mut Vm, name: Gc<JsString>, is_const: bool) -> JsResult<()> {
    let realm = vm.realm();
    let key = PropertyKey::Atom(name);
    let restricted = realm.global.get_own_named(key).is_some_and(|p| p.attrs & attrs::CONFIGURABLE == 0);
    if realm.global_lex.contains_key(&name) || restricted {
        let n = name.to_rust_string();
        return Err(vm.syntax_error(&format!("Identifier '{n}' has already been declared")));
    }
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).global_lex.insert(name, (Value::EMPTY, is_const));
    Ok(())
}

/// The display name of a property key for function names ("[desc]" for symbols).
pub fn function_name_for_key(vm: &mut Vm, key: PropertyKey, prefix: u8) -> Gc<JsString> {
    let base = match key {
        PropertyKey::Symbol(s) => {
            if s.description.is_undefined() {
                String::new()
            } else {
                format!("[{}]", Gc::<JsString>::from_value(s.description).to_rust_string())
            }
        }
        other => vm.key_display(other),
    };
    let full = match prefix {
        1 => format!("get {base}"),
        2 => format!("set {base}"),
        _ => base,
    };
    vm.string(&full)
}

pub fn set_function_name(vm: &mut Vm, f: Value, key: Value, prefix: u8) -> JsResult<()> {
    let Some(fo) = JsObject::from_value(f) else { return Ok(()) };
    let k = vm.to_property_key(key)?;
    let name = function_name_for_key(vm, k, prefix);
    let nkey = PropertyKey::Atom(vm.names.name);
    fo.put_named(&mut vm.heap, nkey, name.value(), attrs::CONFIGURABLE);
    Ok(())
}

pub fn define_method(vm: &mut Vm, obj: Value, key: Value, f: Value, kind: u8, enumerable: bool) -> JsResult<()> {
    let o: Gc<JsObject> = Gc::from_value(obj);
    let k = vm.to_property_key(key)?;
    let kv = vm.key_to_value(k);
    set_function_name(vm, f, kv, kind)?;
    let desc = match kind {
        0 => PropertyDescriptor { value: Some(f), writable: Some(true), enumerable: Some(enumerable), configurable: Some(true), ..Default::default() },
        1 => PropertyDescriptor { get: Some(f), enumerable: Some(enumerable), configurable: Some(true), ..Default::default() },
        _ => PropertyDescriptor { set: Some(f), enumerable: Some(enumerable), configurable: Some(true), ..Default::default() },
    };
    vm.define_property_or_throw(o, k, desc)
}

pub fn delete(vm: &mut Vm, obj: Value, key: PropertyKey, strict: bool) -> JsResult<Value> {
    let o = vm.to_object(obj)?;
    let ok = vm.delete_property(o, key)?;
    if !ok && strict {
        let k = vm.key_display(key);
        return Err(vm.type_error(&format!("Cannot delete property '{k}' of object")));
    }
    Ok(Value::bool(ok))
}

fn home_object(vm: &Vm, fi: usize) -> Value {
    vm.frames[fi].func.function().map_or(Value::UNDEFINED, |d| d.home_object)
}

pub fn get_super(vm: &mut Vm, fi: usize, key: Value) -> JsResult<Value> {
    let this = vm.frames[fi].this;
    if this.is_empty() {
        return Err(vm.reference_error("Must call super constructor in derived class before accessing 'this'"));
    }
    let home = home_object(vm, fi);
    let k = vm.to_property_key(key)?;
    let Some(h) = JsObject::from_value(home) else {
        return Err(vm.syntax_error("'super' keyword unexpected here"));
    };
    match JsObject::from_value(h.proto()) {
        Some(p) => vm.get(p, k, this),
        None => {
            let ks = vm.key_display(k);
            Err(vm.type_error(&format!("Cannot read properties of null (reading '{ks}')")))
        }
    }
}

pub fn set_super(vm: &mut Vm, fi: usize, key: Value, v: Value, strict: bool) -> JsResult<()> {
    let this = vm.frames[fi].this;
    let home = home_object(vm, fi);
    let k = vm.to_property_key(key)?;
    let Some(h) = JsObject::from_value(home) else {
        return Err(vm.syntax_error("'super' keyword unexpected here"));
    };
    let Some(p) = JsObject::from_value(h.proto()) else {
        return Err(vm.type_error("Cannot set properties of null"));
    };
    let ok = vm.set(p, k, v, this)?;
    if !ok && strict {
        let ks = vm.key_display(k);
        return Err(vm.type_error(&format!("Cannot assign to read only property '{ks}'")));
    }
    Ok(())
}

pub fn copy_data_properties(vm: &mut Vm, target: Value, source: Value, excluded: &[PropertyKey]) -> JsResult<()> {
    if source.is_nullish() {
        return Ok(());
    }
    let t: Gc<JsObject> = Gc::from_value(target);
    let from = vm.to_object(source)?;
    vm.with_own_keys(from, |vm, keys| {
        for &key in keys {
            if excluded.contains(&key) {
                continue;
            }
            if let Some(p) = vm.own_property(from, key)?
                && p.enumerable == Some(true)
            {
                let v = vm.get(from, key, from.value())?;
                vm.create_data_property_or_throw(t, key, v)?;
            }
        }
        Ok(())
    })
}

/// The elements of an array built by the compiler (for spread calls).
pub fn array_values(vm: &mut Vm, arr: Value) -> JsResult<Vec<Value>> {
    vm.list_from_array_like(arr)
}

pub fn create_class(vm: &mut Vm, code: Gc<Code>, env: Option<Gc<Env>>, heritage: Option<Value>) -> JsResult<(Value, Value)> {
    let realm = vm.realm();
    let (proto_parent, ctor_parent) = match heritage {
        None => (realm.intrinsic(Intrinsic::ObjectPrototype), realm.intrinsic(Intrinsic::FunctionPrototype)),
        Some(h) if h.is_null() => (Value::NULL, realm.intrinsic(Intrinsic::FunctionPrototype)),
        Some(h) => {
            if !Vm::is_constructor(h) {
                let d = vm.display_string(h);
                return Err(vm.type_error(&format!("Class extends value {d} is not a constructor or null")));
            }
            let ho: Gc<JsObject> = Gc::from_value(h);
            let key = PropertyKey::Atom(vm.names.prototype);
            let pp = vm.get(ho, key, h)?;
            if !pp.is_null() && !JsObject::is_object(pp) {
                let d = vm.display_string(pp);
                return Err(vm.type_error(&format!("Class extends value does not have valid prototype property {d}")));
            }
            (pp, h)
        }
    };
    let proto = vm.new_object_with_proto(proto_parent, ObjectKind::Ordinary);
    let name = code.name_string();
    let f = vm.new_function_object(realm, FunctionKind::Bytecode { code, env }, &name, code.length, true);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    if let ObjectKind::Function(d) = &mut unsafe { f.m() }.kind {
        d.class_kind = if heritage.is_some_and(|h| !h.is_null()) { ClassKind::Derived } else { ClassKind::Base };
        d.home_object = proto.value();
    }
    if ctor_parent != f.proto() {
        f.set_proto_raw(&mut vm.heap, ctor_parent, vm.null_root_shape);
    }
    let pkey = PropertyKey::Atom(vm.names.prototype);
    f.put_named(&mut vm.heap, pkey, proto.value(), 0);
    let ckey = PropertyKey::Atom(vm.names.constructor);
    proto.put_named(&mut vm.heap, ckey, f.value(), attrs::HIDDEN);
    Ok((f.value(), proto.value()))
}

pub fn super_call(vm: &mut Vm, fi: usize, args: &[Value]) -> JsResult<Value> {
    let func = vm.frames[fi].func;
    // Arrow functions inside constructors: use the enclosing constructor frame.
    let mut ctor_fi = fi;
    if vm.frames[fi].code.flags.arrow {
        while ctor_fi > 0 && vm.frames[ctor_fi].code.flags.arrow {
            ctor_fi -= 1;
        }
    }
    let ctor = if ctor_fi == fi { func } else { vm.frames[ctor_fi].func };
    let parent = ctor.proto();
    if !Vm::is_constructor(parent) {
        return Err(vm.type_error("Super constructor is not a constructor"));
    }
    let nt = vm.frames[ctor_fi].new_target;
    let result = vm.construct(parent, args, nt)?;
    if !vm.frames[ctor_fi].this.is_empty() {
        return Err(vm.reference_error("Super constructor may only be called once"));
    }
    vm.frames[ctor_fi].this = result;
    if ctor_fi != fi {
        vm.frames[fi].this = result;
    }
    let fields = ctor.function().map_or(Value::UNDEFINED, |d| d.fields);
    if !fields.is_undefined() {
        vm.call(fields, result, &[])?;
    }
    Ok(result)
}

pub fn create_arguments(vm: &mut Vm, args: &[Value], func: Gc<JsObject>, strict: bool) -> Gc<JsObject> {
    let realm = vm.realm();
    let proto = realm.intrinsic(Intrinsic::ObjectPrototype);
    let obj = vm.new_object_with_proto(proto, ObjectKind::Arguments);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { obj.m() }).elements = crate::vm::object::Elements::Dense(args.to_vec());
    let lkey = PropertyKey::Atom(vm.names.length);
    obj.put_named(&mut vm.heap, lkey, Value::int(args.len() as i32), attrs::HIDDEN);
    let it = PropertyKey::Symbol(vm.symbols.iterator);
    obj.put_named(&mut vm.heap, it, realm.intrinsic(Intrinsic::ArrayProtoValues), attrs::HIDDEN);
    let ckey = PropertyKey::Atom(vm.names.callee);
    if strict {
        let thrower = realm.intrinsic(Intrinsic::ThrowTypeError);
        let pair = crate::vm::object::AccessorPair::new(&mut vm.heap, thrower, thrower);
        obj.put_named(&mut vm.heap, ckey, pair.value(), attrs::ACCESSOR);
    } else {
        obj.put_named(&mut vm.heap, ckey, func.value(), attrs::HIDDEN);
    }
    obj
}

pub fn template_object(vm: &mut Vm, code: Gc<Code>, list: u32, slot: u32) -> Value {
    let cached = code.templates[slot as usize].get();
    if !cached.is_undefined() {
        return cached;
    }
    let parts: Gc<JsObject> = Gc::from_value(code.consts[list as usize]);
    let items = match &parts.kind {
        ObjectKind::List(v) => v.clone(),
        _ => Vec::new(),
    };
    let cooked: Vec<Value> = items.iter().step_by(2).copied().collect();
    let raw: Vec<Value> = items.iter().skip(1).step_by(2).copied().collect();
    let cooked_arr = vm.array_from(&cooked);
    let raw_arr = vm.array_from(&raw);
    freeze_array(raw_arr);
    let rkey = PropertyKey::Atom(vm.names.raw);
    cooked_arr.put_named(&mut vm.heap, rkey, raw_arr.value(), 0);
    freeze_array(cooked_arr);
    code.templates[slot as usize].set(cooked_arr.value());
    cooked_arr.value()
}

fn freeze_array(a: Gc<JsObject>) {
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    let m = unsafe { a.m() };
    if let crate::vm::object::Elements::Dense(e) = &m.elements {
        let map = e.iter().enumerate().map(|(i, &v)| (i as u32, (v, attrs::ENUMERABLE))).collect();
        m.elements = crate::vm::object::Elements::Sparse(map);
    }
    if let ObjectKind::Array { length, .. } = m.kind {
        m.kind = ObjectKind::Array { length, length_writable: false };
    }
    m.extensible = false;
}

pub fn create_regexp(vm: &mut Vm, pattern: Value, flags: Value) -> JsResult<Value> {
    let ctor = vm.realm().intrinsic(Intrinsic::RegExp);
    if ctor.is_undefined() {
        return Err(vm.syntax_error("RegExp is not supported yet"));
    }
    vm.construct(ctor, &[pattern, flags], ctor)
}

pub fn add_slow(vm: &mut Vm, l: Value, r: Value) -> JsResult<Value> {
    let lp = vm.to_primitive(l, Hint::Default)?;
    let rp = vm.to_primitive(r, Hint::Default)?;
    if Vm::is_string(lp) || Vm::is_string(rp) {
        let ls = vm.to_string(lp)?;
        let rs = vm.to_string(rp)?;
        if ls.len() + rs.len() > crate::vm::object::string::MAX_STRING_LENGTH {
            return Err(vm.range_error("Invalid string length"));
        }
        return Ok(JsString::concat(&mut vm.heap, ls, rs).value());
    }
    vm.apply_numeric(NumericOp::Add, lp, rp)
}

pub fn compare(vm: &mut Vm, op: Op, l: Value, r: Value) -> JsResult<Value> {
    let lp = vm.to_primitive(l, Hint::Number)?;
    let rp = vm.to_primitive(r, Hint::Number)?;
    if Vm::is_string(lp) && Vm::is_string(rp) {
        let a = Gc::<JsString>::from_value(lp).to_units();
        let b = Gc::<JsString>::from_value(rp).to_units();
        let ord = a.cmp(&b);
        return Ok(Value::bool(match op {
            Op::Lt(_) => ord.is_lt(),
            Op::Gt(_) => ord.is_gt(),
            Op::Le(_) => ord.is_le(),
            _ => ord.is_ge(),
        }));
    }
    // Undefined (NaN, or a string that is no BigInt) makes every comparison false.
    let Some(ord) = vm.compare_numeric(lp, rp)? else { return Ok(Value::FALSE) };
    Ok(Value::bool(match op {
        Op::Lt(_) => ord.is_lt(),
        Op::Gt(_) => ord.is_gt(),
        Op::Le(_) => ord.is_le(),
        _ => ord.is_ge(),
    }))
}

/// Creates the generator object for a generator function's frame:
/// OrdinaryCreateFromConstructor(func, %GeneratorPrototype%). `mode_reg` is the
/// register that will receive resume modes.
pub fn create_generator(vm: &mut Vm, func: Gc<JsObject>, mode_reg: u16) -> JsResult<Gc<JsObject>> {
    let pkey = PropertyKey::Atom(vm.names.prototype);
    let proto = vm.get(func, pkey, func.value())?;
    let is_async = matches!(&func.function().map(|d| &d.kind), Some(FunctionKind::Bytecode { code, .. }) if code.flags.is_async);
    let proto = if JsObject::is_object(proto) {
        proto
    } else {
        let realm = func.function().map_or_else(|| vm.realm(), |d| d.realm);
        realm.intrinsic(if is_async { Intrinsic::AsyncGeneratorPrototype } else { Intrinsic::GeneratorPrototype })
    };
    let kind = if is_async { GeneratorKind::AsyncGenerator } else { GeneratorKind::Sync };
    let data = GeneratorData::new(kind, GeneratorState::SuspendedStart, func.value(), mode_reg);
    Ok(vm.new_object_with_proto(proto, ObjectKind::Generator(Box::new(data))))
}

/// What one step of `yield*` decided.
pub enum DelegateStep {
    /// The inner iterator finished: the value of the yield* expression.
    Done(Value),
    /// Yield this inner result object as it is.
    Yield(Value),
    /// Return this value from the generator (a return() the inner iterator finished).
    Return(Value),
}

/// One step of `yield*` (ECMA-262 YieldExpression evaluation, sync generators):
/// sends `received` to the inner iterator's next / throw / return by `mode`
/// (0 next, 1 throw, 2 return).
pub fn yield_star_step(vm: &mut Vm, it: Value, next: Value, mode: i32, received: Value) -> JsResult<DelegateStep> {
    let result = match mode {
        0 => vm.call(next, it, &[received])?,
        1 => {
            let key = PropertyKey::Atom(vm.names.throw_);
            match vm.get_method(it, key)? {
                Some(m) => vm.call(m, it, &[received])?,
                None => {
                    crate::vm::runtime::iteration::iterator_close(vm, it)?;
                    return Err(vm.type_error("The iterator does not provide a 'throw' method"));
                }
            }
        }
        _ => {
            let key = PropertyKey::Atom(vm.names.return_);
            match vm.get_method(it, key)? {
                Some(m) => vm.call(m, it, &[received])?,
                None => return Ok(DelegateStep::Return(received)),
            }
        }
    };
    let Some(ro) = JsObject::from_value(result) else {
        let d = vm.display_string(result);
        return Err(vm.type_error(&format!("Iterator result {d} is not an object")));
    };
    let dkey = PropertyKey::Atom(vm.names.done);
    let done = vm.get(ro, dkey, result)?;
    if !Vm::to_boolean(done) {
        return Ok(DelegateStep::Yield(result));
    }
    let vkey = PropertyKey::Atom(vm.names.value);
    let value = vm.get(ro, vkey, result)?;
    Ok(if mode == 2 { DelegateStep::Return(value) } else { DelegateStep::Done(value) })
}

pub fn for_in_prepare(vm: &mut Vm, v: Value) -> JsResult<Value> {
    let mut keys = vec![v];
    // The keys stay rooted while proxy traps run JS (a collection may happen).
    let mark = vm.temp_roots.len();
    if !v.is_nullish() {
        let mut seen = std::collections::HashSet::new();
        let first = vm.to_object(v)?;
        keys[0] = first.value();
        vm.temp_roots.push(first.value());
        let mut o = Some(first);
        let r: JsResult<()> = (|| {
            while let Some(obj) = o {
                for k in vm.own_property_keys(obj)? {
                    if k.is_symbol() || !seen.insert(k) {
                        continue;
                    }
                    if let Some(p) = vm.own_property(obj, k)?
                        && p.enumerable == Some(true)
                    {
                        let kv = vm.key_to_value(k);
                        vm.temp_roots.push(kv);
                        keys.push(kv);
                    }
                }
                o = JsObject::from_value(vm.get_prototype_of(obj)?);
            }
            Ok(())
        })();
        if let Err(e) = r {
            vm.temp_roots.truncate(mark);
            return Err(e);
        }
    }
    let realm = vm.realm();
    let it = vm.new_object_with_proto(realm.intrinsic(Intrinsic::ObjectPrototype), ObjectKind::ForInIterator { keys, next: 1 });
    vm.temp_roots.truncate(mark);
    Ok(it.value())
}

pub fn for_in_next(vm: &mut Vm, it: Value) -> JsResult<Option<Value>> {
    let o: Gc<JsObject> = Gc::from_value(it);
    loop {
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        let (target, key) = match &mut unsafe { o.m() }.kind {
            ObjectKind::ForInIterator { keys, next } => {
                if *next >= keys.len() {
                    return Ok(None);
                }
                let k = keys[*next];
                *next += 1;
                (keys[0], k)
            }
            _ => return Ok(None),
        };
        // Skip keys deleted during the loop.
        if let Some(t) = JsObject::from_value(target) {
            let pk = vm.to_property_key(key)?;
            if !vm.has_property(t, pk)? {
                continue;
            }
        }
        return Ok(Some(key));
    }
}
