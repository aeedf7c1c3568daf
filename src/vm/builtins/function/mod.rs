//! Function constructor and Function.prototype (call, apply, bind, toString, @@hasInstance).

pub(crate) mod async_function;
pub(crate) mod async_generator;
pub(crate) mod generator;

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
use crate::vm::object::CallArgs;
use crate::vm::object::{FunctionKind, JsObject, JsString, PropertyKey, attrs};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

pub fn install(vm: &mut Vm, realm: Gc<Realm>) {
    let c = crate::vm::runtime::define::make_constructor(vm, realm, "Function", function_ctor, 1, Intrinsic::FunctionPrototype, Intrinsic::Function);
    let _ = c;
    let p = realm.proto(Intrinsic::FunctionPrototype);
    vm.define_method(p, "call", call, 1);
    vm.define_method(p, "apply", apply, 2);
    vm.define_method(p, "bind", bind, 1);
    vm.define_method(p, "toString", to_string, 0);
    let hi = vm.symbols.has_instance;
    vm.define_symbol_method(p, hi, "[Symbol.hasInstance]", has_instance, 1, 0);
    let thrower = realm.intrinsic(Intrinsic::ThrowTypeError);
    for name in ["caller", "arguments"] {
        let key = PropertyKey::Atom(vm.atom(name));
        let pair = crate::vm::object::AccessorPair::new(&mut vm.heap, thrower, thrower);
        p.put_named(&mut vm.heap, key, pair.value(), attrs::CONFIGURABLE | attrs::ACCESSOR);
    }
}

/// Installs a function kind other than plain functions (generator, async,
/// async generator functions): %XFunction.prototype% (an ordinary object
/// inheriting from Function.prototype, tagged `name`, the [[Prototype]] of
/// such functions) and the %XFunction% constructor (not a global; its
/// [[Prototype]] is %Function%). With `instance_proto` (the prototype of the
/// kind's instances, e.g. %GeneratorPrototype%), links it both ways as
/// `prototype` / `constructor`. Returns %XFunction.prototype%.
pub(super) fn install_function_kind(
    vm: &mut Vm,
    realm: Gc<Realm>,
    name: &str,
    ctor: crate::vm::object::NativeFn,
    proto_slot: Intrinsic,
    ctor_slot: Intrinsic,
    instance_proto: Option<Gc<JsObject>>,
) -> Gc<JsObject> {
    let fp = realm.intrinsic(Intrinsic::FunctionPrototype);
    let kind_proto = vm.new_object_with_proto(fp, crate::vm::object::ObjectKind::Ordinary);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[proto_slot as usize] = kind_proto.value();
    let pkey = PropertyKey::Atom(vm.names.prototype);
    let ckey = PropertyKey::Atom(vm.names.constructor);
    let tag = PropertyKey::Symbol(vm.symbols.to_string_tag);
    if let Some(ip) = instance_proto {
        kind_proto.put_named(&mut vm.heap, pkey, ip.value(), attrs::CONFIGURABLE);
        ip.put_named(&mut vm.heap, ckey, kind_proto.value(), attrs::CONFIGURABLE);
    }
    let s = vm.string_value(name);
    kind_proto.put_named(&mut vm.heap, tag, s, attrs::CONFIGURABLE);
    let c = vm.new_native_function(realm, ctor, name, 1, true);
    let function_ctor = realm.intrinsic(Intrinsic::Function);
    let _ = vm.set_prototype_of(c, function_ctor);
    c.put_named(&mut vm.heap, pkey, kind_proto.value(), 0);
    kind_proto.put_named(&mut vm.heap, ckey, c.value(), attrs::CONFIGURABLE);
    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
    (unsafe { realm.m() }).intrinsics[ctor_slot as usize] = c.value();
    kind_proto
}

/// Function.prototype itself: accepts any arguments and returns undefined.
pub fn function_prototype_call(_vm: &mut Vm, _a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::UNDEFINED)
}

/// %ThrowTypeError%.
pub fn throw_type_error(vm: &mut Vm, _a: &CallArgs<'_>) -> JsResult<Value> {
    Err(vm.type_error("'caller', 'callee', and 'arguments' properties may not be accessed on strict mode functions or the arguments objects for calls to them"))
}

/// `new Function(p1, ..., body)`: compiled as a function expression in the global scope.
fn function_ctor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    create_dynamic_function(vm, a, "function", Intrinsic::FunctionPrototype)
}

/// CreateDynamicFunction: `keyword` is "function" or "function*"; the new
/// function's prototype comes from new.target, else the `fallback` intrinsic.
pub(super) fn create_dynamic_function(vm: &mut Vm, a: &CallArgs<'_>, keyword: &str, fallback: Intrinsic) -> JsResult<Value> {
    let n = a.args.len();
    let mut params = Vec::new();
    for &p in a.args.iter().take(n.saturating_sub(1)) {
        let p = vm.to_string(p)?;
        params.push(crate::vm::runtime::strings::source_text(vm, p)?);
    }
    let body = if n > 0 {
        let b = vm.to_string(a.args[n - 1])?;
        crate::vm::runtime::strings::source_text(vm, b)?
    } else {
        String::new()
    };
    let src = format!("({keyword} anonymous({}\n) {{\n{}\n}})", params.join(","), body);
    let realm = a.callee.function().unwrap().realm;
    let code = match crate::vm::compiler::compile_eval(vm, &src, false) {
        Ok(c) => c,
        Err(e) => return Err(e.into_unwind(vm)),
    };
    let f = vm.run_script(realm, code)?;
    if a.is_construct()
        && let Some(fo) = JsObject::from_value(f)
    {
        let proto = vm.prototype_from_constructor(a.new_target, fallback)?;
        if proto != fo.proto() {
            vm.set_prototype_of(fo, proto)?;
        }
    }
    Ok(f)
}

fn call(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if !Vm::is_callable(a.this) {
        return Err(vm.type_error("Function.prototype.call called on a non-function"));
    }
    let rest = if a.args.is_empty() { &[][..] } else { &a.args[1..] };
    vm.call(a.this, a.arg(0), rest)
}

fn apply(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if !Vm::is_callable(a.this) {
        return Err(vm.type_error("Function.prototype.apply was called on a non-function"));
    }
    let list = if a.arg(1).is_nullish() { Vec::new() } else { vm.list_from_array_like(a.arg(1))? };
    let mark = vm.temp_roots.len();
    vm.temp_roots.extend_from_slice(&list);
    let r = vm.call(a.this, a.arg(0), &list);
    vm.temp_roots.truncate(mark);
    r
}

fn bind(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let target = a.this;
    let Some(t) = JsObject::from_value(target).filter(|o| o.is_callable()) else {
        return Err(vm.type_error("Bind must be called on a function"));
    };
    let bound_args: Vec<Value> = a.args.iter().skip(1).copied().collect();
    // BoundFunctionCreate reads the target's prototype first (a proxy trap may run).
    let proto = vm.get_prototype_of(t)?;
    let lkey = PropertyKey::Atom(vm.names.length);
    let mut len = 0.0;
    if vm.own_property(t, lkey)?.is_some() {
        let l = vm.get(t, lkey, target)?;
        if l.is_number() {
            let d = l.as_number();
            len = if d == f64::INFINITY {
                d
            } else if d == f64::NEG_INFINITY || d.is_nan() {
                0.0
            } else {
                (d.trunc() - bound_args.len() as f64).max(0.0)
            };
        }
    }
    let nkey = PropertyKey::Atom(vm.names.name);
    let name = vm.get(t, nkey, target)?;
    let name = match Gc::<JsString>::try_from_value(name) {
        Some(s) => format!("bound {}", s.to_rust_string()),
        None => "bound ".to_string(),
    };
    let realm = vm.realm();
    let ctor = Vm::is_constructor(target);
    let f = vm.new_function_object(realm, FunctionKind::Bound { target, this: a.arg(0), args: bound_args }, &name, 0, ctor);
    f.put_named(&mut vm.heap, lkey, Value::number(len), attrs::CONFIGURABLE);
    if proto != f.proto() {
        f.set_proto_raw(&mut vm.heap, proto, vm.null_root_shape);
    }
    Ok(f.value())
}

fn to_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let Some(f) = JsObject::from_value(a.this).filter(|o| o.is_callable()) else {
        return Err(vm.type_error("Function.prototype.toString requires that 'this' be a Function"));
    };
    if f.function().is_none() {
        // A callable proxy.
        return Ok(vm.string_value("function () { [native code] }"));
    }
    if let Some(FunctionKind::Bytecode { code, .. }) = f.function().map(|d| &d.kind) {
        let (start, end) = code.span;
        let source = code.source.clone();
        if let Some(text) = source.text.get(start as usize..end as usize) {
            return source_text_string(vm, text);
        }
    }
    let nkey = PropertyKey::Atom(vm.names.name);
    let n = f.get_own_named(nkey).map(|p| p.value).and_then(Gc::<JsString>::try_from_value);
    let n = n.map(|s| s.to_rust_string()).unwrap_or_default();
    Ok(vm.string_value(&format!("function {}() {{ [native code] }}", native_function_name(&n))))
}

/// A builtin's name as the NativeFunction grammar allows it. An accessor
/// whose key is no IdentifierName (the getter of `RegExp["$&"]`) gets a
/// computed key, `get ["$&"]`; `[Symbol.iterator]` is computed already.
fn native_function_name(name: &str) -> String {
    let Some((accessor @ ("get" | "set"), key)) = name.split_once(' ') else { return name.to_string() };
    if key.is_empty() || key.starts_with('[') || oxc_syntax::identifier::is_identifier_name(key) {
        return name.to_string();
    }
    let mut quoted = String::from("[\"");
    for c in key.chars() {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => quoted.push_str(&format!("\\u{:04x}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push_str("\"]");
    format!("{accessor} {quoted}")
}

/// A function's source text as a JS string. The text may be megabytes long:
/// ASCII is one copy, anything else is converted to UTF-16 in 1 MiB chunks
/// with a poll for termination between them.
fn source_text_string(vm: &mut Vm, text: &str) -> JsResult<Value> {
    const CHUNK: usize = 1 << 20;
    if text.len() <= CHUNK || text.is_ascii() {
        return Ok(vm.string_value(text));
    }
    vm.reserve(text.len() * 2)?;
    let mut units: Vec<u16> = Vec::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        vm.poll_long_operation()?;
        let mut cut = rest.len().min(CHUNK);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        units.extend(rest[..cut].encode_utf16());
        rest = &rest[cut..];
    }
    vm.poll_long_operation()?;
    Ok(JsString::from_units(&mut vm.heap, &units).value())
}

fn has_instance(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::bool(vm.ordinary_has_instance(a.this, a.arg(0))?))
}
