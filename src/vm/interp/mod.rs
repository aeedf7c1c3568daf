//! The bytecode interpreter's dispatch loop: JS-to-JS calls push a frame
//! and continue (they never recurse on the native stack), exceptions unwind
//! through handler tables, named property accesses use inline caches. Frames
//! and calls live in `frame.rs`, generator suspension in `generator.rs`.

mod frame;
mod generator;
pub mod ops;

pub use frame::Frame;

use crate::vm::bytecode::{Code, NO_REG, Op};
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;
pub use crate::vm::object::CallArgs;
use crate::vm::object::function::ClassKind;
use crate::vm::object::{Env, FunctionKind, GeneratorState, JsObject, JsString, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::bigint::{NumericOp, number_op};
use crate::vm::runtime::number;
use crate::vm::runtime::typed_array::ElementValue;
use crate::vm::value::Value;
use crate::vm::{JsResult, Unwind};

/// Looks up a string constant.
#[inline]
fn const_str(code: &Code, i: u32) -> Gc<JsString> {
    Gc::from_value(code.consts[i as usize])
}

/// The property key for a name constant: an index key for "0", "17", ...
#[inline]
fn named_key(code: &Code, i: u32) -> PropertyKey {
    let s = const_str(code, i);
    if !s.is_empty()
        && (b'0' as u16..=b'9' as u16).contains(&s.unit_at_any(0))
        && let Some(idx) = s.as_array_index()
    {
        return PropertyKey::Index(idx);
    }
    PropertyKey::Atom(s)
}

/// Runs the top frame (an entry frame) and everything it calls until it returns.
pub fn run(vm: &mut Vm) -> JsResult<Value> {
    run_from(vm, Value::UNDEFINED)
}

/// `run` with an initial accumulator (a resumed generator's sent value).
fn run_from(vm: &mut Vm, initial_acc: Value) -> JsResult<Value> {
    let entry_depth = vm.frames.len();
    let mut acc = initial_acc;
    loop {
        match dispatch(vm, &mut acc, entry_depth) {
            Ok(v) => return Ok(v),
            Err(Unwind::Throw(exc)) => {
                // Find a handler in this activation's frames, innermost first.
                let mut handled = false;
                while vm.frames.len() >= entry_depth {
                    let f = vm.frames.last().unwrap();
                    // Stored pcs point after the failing (or calling) instruction.
                    let pc = f.pc.saturating_sub(1) as u32;
                    if let Some(h) = f.code.handlers.iter().find(|h| h.start <= pc && pc < h.end) {
                        let target = h.handler as usize;
                        vm.frames.last_mut().unwrap().pc = target;
                        acc = exc;
                        handled = true;
                        break;
                    }
                    let done = f.entry;
                    vm.pop_frame();
                    if done {
                        break;
                    }
                }
                if !handled {
                    return Err(Unwind::Throw(exc));
                }
            }
            Err(other) => {
                while vm.frames.len() >= entry_depth {
                    let done = vm.frames.last().unwrap().entry;
                    vm.pop_frame();
                    if done {
                        break;
                    }
                }
                return Err(other);
            }
        }
    }
}

/// Finishes a [[Construct]] frame's result per the constructor return rules.
fn construct_result(vm: &mut Vm, frame: &Frame, value: Value) -> JsResult<Value> {
    if JsObject::is_object(value) {
        return Ok(value);
    }
    let derived = frame.func.function().is_some_and(|d| d.class_kind == ClassKind::Derived);
    if derived && !value.is_undefined() {
        return Err(vm.type_error("Derived constructors may only return object or undefined"));
    }
    if frame.this.is_empty() {
        return Err(vm.reference_error("Must call super constructor in derived class before accessing 'this' or returning from derived constructor"));
    }
    Ok(frame.this)
}

/// The dispatch loop. Returns when the entry frame returns; errors leave the
/// failing frame on the stack with `pc` pointing at the failing instruction.
fn dispatch(vm: &mut Vm, acc_out: &mut Value, entry_depth: usize) -> JsResult<Value> {
    let mut acc = *acc_out;
    'frame: loop {
        let fi = vm.frames.len() - 1;
        let code = vm.frames[fi].code;
        let base = vm.frames[fi].base;
        let mut pc = vm.frames[fi].pc;
        let strict = code.flags.strict;
        // SAFETY: the VM stack is a fixed allocation; base + nregs is in bounds
        // (checked in push_frame) and it never moves.
        let regs: *mut Value = unsafe { vm.stack.as_mut_ptr().add(base) };
        macro_rules! reg {
            ($r:expr) => {
                // SAFETY: register operands are < nregs (compiler invariant).
                unsafe { *regs.add($r as usize) }
            };
        }
        macro_rules! set_reg {
            ($r:expr, $v:expr) => {{
                let v = $v;
                // SAFETY: as for reg!.
                unsafe { *regs.add($r as usize) = v };
            }};
        }
        macro_rules! sync {
            () => {
                vm.frames[fi].pc = pc;
            };
        }
        macro_rules! tri {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(e) => {
                        vm.frames[fi].pc = pc;
                        *acc_out = acc;
                        return Err(e);
                    }
                }
            };
        }
        loop {
            let op = code.ops[pc];
            pc += 1;
            match op {
                Op::Nop | Op::Debugger => {}
                Op::Safepoint => {
                    sync!();
                    tri!(vm.safepoint());
                }
                Op::LdaUndefined => acc = Value::UNDEFINED,
                Op::LdaNull => acc = Value::NULL,
                Op::LdaTrue => acc = Value::TRUE,
                Op::LdaFalse => acc = Value::FALSE,
                Op::LdaEmpty => acc = Value::EMPTY,
                Op::LdaInt(i) => acc = Value::int(i),
                Op::LdaConst(c) => acc = code.consts[c as usize],
                Op::Ldar(r) => acc = reg!(r),
                Op::Star(r) => set_reg!(r, acc),
                Op::Mov(a, b) => set_reg!(b, reg!(a)),
                Op::LdaThis => {
                    acc = vm.frames[fi].this;
                    if acc.is_empty() {
                        sync!();
                        tri!(Err(
                            vm.reference_error("Must call super constructor in derived class before accessing 'this' or returning from derived constructor")
                        ));
                    }
                }
                Op::LdaNewTarget => acc = vm.frames[fi].new_target,
                Op::LdaFunction => acc = vm.frames[fi].func.value(),
                Op::ThrowIfEmpty(name) => {
                    if acc.is_empty() {
                        sync!();
                        let n = const_str(&code, name).to_rust_string();
                        tri!(Err(vm.reference_error(&format!("Cannot access '{n}' before initialization"))));
                    }
                }
                Op::ThrowConstAssign(_) => {
                    sync!();
                    tri!(Err(vm.type_error("Assignment to constant variable.")));
                }
                Op::ThrowTypeError(m) => {
                    sync!();
                    let msg = const_str(&code, m).to_rust_string();
                    tri!(Err(vm.type_error(&msg)));
                }
                Op::PushEnv(n) => {
                    let parent = vm.frames[fi].env;
                    let e = Env::new(&mut vm.heap, parent, n as usize);
                    vm.frames[fi].env = Some(e);
                }
                Op::PopEnv => {
                    let e = vm.frames[fi].env.unwrap();
                    vm.frames[fi].env = e.parent;
                }
                Op::CopyEnv => {
                    let e = vm.frames[fi].env.unwrap();
                    let copy = Env::new(&mut vm.heap, e.parent, 0);
                    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                    (unsafe { copy.m() }).slots = e.slots.clone();
                    vm.frames[fi].env = Some(copy);
                }
                Op::LdaEnv { depth, slot } => {
                    let mut e = vm.frames[fi].env.unwrap();
                    for _ in 0..depth {
                        e = e.parent.unwrap();
                    }
                    acc = e.slots[slot as usize];
                }
                Op::StaEnv { depth, slot } => {
                    let mut e = vm.frames[fi].env.unwrap();
                    for _ in 0..depth {
                        e = e.parent.unwrap();
                    }
                    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                    (unsafe { e.m() }).slots[slot as usize] = acc;
                }
                Op::SaveEnv(r) => set_reg!(r, vm.frames[fi].env.map_or(Value::UNDEFINED, |e| e.value())),
                Op::RestoreEnv(r) => {
                    let v = reg!(r);
                    vm.frames[fi].env = if v.is_undefined() { None } else { Some(Gc::from_value(v)) };
                }
                Op::LdaGlobal { name, .. } => {
                    sync!();
                    acc = tri!(ops::load_global(vm, const_str(&code, name), true));
                }
                Op::LdaGlobalOrUndefined { name } => {
                    sync!();
                    acc = tri!(ops::load_global(vm, const_str(&code, name), false));
                }
                Op::StaGlobal { name, strict } => {
                    sync!();
                    tri!(ops::store_global(vm, const_str(&code, name), acc, strict));
                }
                Op::DeclareGlobalVar(name) => {
                    sync!();
                    tri!(ops::declare_global_var(vm, const_str(&code, name), None));
                }
                Op::DeclareGlobalFunction(name) => {
                    sync!();
                    tri!(ops::declare_global_var(vm, const_str(&code, name), Some(acc)));
                }
                Op::DeclareGlobalLex { name, is_const } => {
                    sync!();
                    tri!(ops::declare_global_lex(vm, const_str(&code, name), is_const));
                }
                Op::InitGlobalLex(name) => {
                    let realm = vm.realm();
                    let n = const_str(&code, name);
                    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                    if let Some(b) = unsafe { realm.m() }.global_lex.get_mut(&n) {
                        b.0 = acc;
                    }
                }
                Op::GetNamed { obj, name, ic } => {
                    let o = reg!(obj);
                    let key = named_key(&code, name);
                    if let Some(jo) = JsObject::from_value(o) {
                        let cache = &code.feedback[ic as usize];
                        let c = cache.get();
                        if jo.dict.is_none() && c.shape == Some(jo.shape) {
                            acc = jo.slots[c.slot as usize];
                            continue;
                        }
                        if jo.dict.is_none()
                            && let Some((slot, a)) = jo.shape.lookup(key)
                            && a & attrs::ACCESSOR == 0
                        {
                            cache.set(crate::vm::bytecode::PropertyIc { shape: Some(jo.shape), slot });
                            acc = jo.slots[slot as usize];
                            continue;
                        }
                        sync!();
                        acc = tri!(vm.get(jo, key, o));
                    } else {
                        sync!();
                        acc = tri!(vm.get_v(o, key));
                    }
                }
                Op::SetNamed { obj, name, ic, strict } => {
                    let o = reg!(obj);
                    let key = named_key(&code, name);
                    if let Some(jo) = JsObject::from_value(o) {
                        let cache = &code.feedback[ic as usize];
                        let c = cache.get();
                        if jo.dict.is_none() && c.shape == Some(jo.shape) {
                            // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                            (unsafe { jo.m() }).slots[c.slot as usize] = acc;
                            continue;
                        }
                        if jo.dict.is_none()
                            && let Some((slot, a)) = jo.shape.lookup(key)
                            && a & (attrs::ACCESSOR | attrs::WRITABLE) == attrs::WRITABLE
                        {
                            cache.set(crate::vm::bytecode::PropertyIc { shape: Some(jo.shape), slot });
                            // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                            (unsafe { jo.m() }).slots[slot as usize] = acc;
                            continue;
                        }
                    }
                    sync!();
                    tri!(vm.put_v(o, key, acc, strict));
                }
                Op::GetKeyed { obj } => {
                    let o = reg!(obj);
                    if acc.is_int()
                        && acc.as_int() >= 0
                        && let Some(jo) = JsObject::from_value(o)
                        && let crate::vm::object::Elements::Dense(e) = &jo.elements
                        && let Some(&v) = e.get(acc.as_int() as usize)
                        && !v.is_hole()
                    {
                        acc = v;
                        continue;
                    }
                    // Typed arrays: numeric keys never reach the prototype chain.
                    if acc.is_int()
                        && acc.as_int() >= 0
                        && let Some(jo) = JsObject::from_value(o)
                        && let ObjectKind::TypedArray { .. } = jo.kind
                    {
                        acc = vm.typed_array_get(jo, acc.as_int() as f64);
                        continue;
                    }
                    sync!();
                    if o.is_nullish() {
                        let k = vm.display_string(acc);
                        let what = if o.is_null() { "null" } else { "undefined" };
                        tri!(Err(vm.type_error(&format!("Cannot read properties of {what} (reading '{k}')"))));
                    }
                    let key = tri!(vm.to_property_key(acc));
                    acc = tri!(vm.get_v(o, key));
                }
                Op::SetKeyed { obj, key, strict } => {
                    let o = reg!(obj);
                    let k = reg!(key);
                    if k.is_int()
                        && k.as_int() >= 0
                        && let Some(jo) = JsObject::from_value(o)
                        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                        && let crate::vm::object::Elements::Dense(e) = &mut unsafe { jo.m() }.elements
                        && let Some(slot) = e.get_mut(k.as_int() as usize)
                        && !slot.is_hole()
                    {
                        *slot = acc;
                        continue;
                    }
                    // A Number into a non-BigInt typed array converts without running JS.
                    if k.is_int()
                        && k.as_int() >= 0
                        && acc.is_number()
                        && let Some(jo) = JsObject::from_value(o)
                        && let ObjectKind::TypedArray { kind, .. } = jo.kind
                        && !kind.is_bigint()
                    {
                        if let Some((kind, view, pos)) = Vm::valid_element(jo, k.as_int() as f64) {
                            Vm::write_element(view.buffer, kind, pos, ElementValue::Number(acc.as_number()), true);
                        }
                        continue;
                    }
                    sync!();
                    if o.is_nullish() {
                        let ks = vm.display_string(k);
                        let what = if o.is_null() { "null" } else { "undefined" };
                        tri!(Err(vm.type_error(&format!("Cannot set properties of {what} (setting '{ks}')"))));
                    }
                    let pk = tri!(vm.to_property_key(k));
                    tri!(vm.put_v(o, pk, acc, strict));
                }
                Op::DefineNamed { obj, name } => {
                    sync!();
                    let o: Gc<JsObject> = Gc::from_value(reg!(obj));
                    let key = named_key(&code, name);
                    tri!(vm.create_data_property_or_throw(o, key, acc));
                }
                Op::DefineKeyed { obj, key } => {
                    sync!();
                    let o: Gc<JsObject> = Gc::from_value(reg!(obj));
                    let pk = tri!(vm.to_property_key(reg!(key)));
                    tri!(vm.create_data_property_or_throw(o, pk, acc));
                }
                Op::DefineMethod { obj, key, kind, enumerable } => {
                    sync!();
                    tri!(ops::define_method(vm, reg!(obj), reg!(key), acc, kind, enumerable));
                }
                Op::DeleteNamed { obj, name, strict } => {
                    sync!();
                    let key = named_key(&code, name);
                    acc = tri!(ops::delete(vm, reg!(obj), key, strict));
                }
                Op::DeleteKeyed { obj, strict } => {
                    sync!();
                    let o = reg!(obj);
                    if o.is_nullish() {
                        tri!(Err(vm.type_error("Cannot convert undefined or null to object")));
                    }
                    let key = tri!(vm.to_property_key(acc));
                    acc = tri!(ops::delete(vm, o, key, strict));
                }
                Op::GetSuper { key } => {
                    sync!();
                    acc = tri!(ops::get_super(vm, fi, reg!(key)));
                }
                Op::SetSuper { key, strict } => {
                    sync!();
                    tri!(ops::set_super(vm, fi, reg!(key), acc, strict));
                }
                Op::CopyDataProperties { target } => {
                    sync!();
                    tri!(ops::copy_data_properties(vm, reg!(target), acc, &[]));
                }
                Op::ObjectRest { source, excl, count } => {
                    sync!();
                    let target = vm.new_object();
                    let mut excluded = Vec::with_capacity(count as usize);
                    for i in 0..count {
                        excluded.push(tri!(vm.to_property_key(reg!(excl + i))));
                    }
                    tri!(ops::copy_data_properties(vm, target.value(), reg!(source), &excluded));
                    acc = target.value();
                }
                Op::SetHomeObject(r) => {
                    if let Some(f) = JsObject::from_value(acc)
                        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                        && let ObjectKind::Function(d) = &mut unsafe { f.m() }.kind
                    {
                        d.home_object = reg!(r);
                    }
                }
                Op::SetFunctionName { key, prefix } => {
                    sync!();
                    tri!(ops::set_function_name(vm, acc, reg!(key), prefix));
                }
                Op::ToPropertyKey => {
                    sync!();
                    let k = tri!(vm.to_property_key(acc));
                    acc = vm.key_to_value(k);
                }
                Op::CreateObject => acc = vm.new_object().value(),
                Op::CreateArray => acc = vm.new_array(0).value(),
                Op::ArrayPush(r) => {
                    let a: Gc<JsObject> = Gc::from_value(reg!(r));
                    let len = a.array_length();
                    a.put_element(&mut vm.heap, len, acc, attrs::DEFAULT);
                    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                    (unsafe { a.m() }).set_array_length_raw(len + 1);
                }
                Op::ArrayPushHole(r) => {
                    let a: Gc<JsObject> = Gc::from_value(reg!(r));
                    let len = a.array_length();
                    // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                    (unsafe { a.m() }).set_array_length_raw(len + 1);
                }
                Op::ArraySpread(r) => {
                    sync!();
                    tri!(crate::vm::runtime::iteration::array_spread(vm, reg!(r), acc));
                }
                Op::CreateClosure(c) => {
                    let f = &vm.frames[fi];
                    let (env, this, nt) = (f.env, f.this, f.new_target);
                    let home = f.func.function().map_or(Value::UNDEFINED, |d| d.home_object);
                    let child: Gc<Code> = Gc::from_value(code.consts[c as usize]);
                    acc = vm.create_closure(child, env, this, nt, home).value();
                }
                Op::CreateClass { code: c, parent, proto } => {
                    sync!();
                    let child: Gc<Code> = Gc::from_value(code.consts[c as usize]);
                    let heritage = if parent == NO_REG { None } else { Some(reg!(parent)) };
                    let env = vm.frames[fi].env;
                    let (ctor, p) = tri!(ops::create_class(vm, child, env, heritage));
                    set_reg!(proto, p);
                    acc = ctor;
                }
                Op::SetClassFields(r) => {
                    if let Some(f) = JsObject::from_value(reg!(r))
                        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
                        && let ObjectKind::Function(d) = &mut unsafe { f.m() }.kind
                    {
                        d.fields = acc;
                    }
                }
                Op::CreateArguments => {
                    let f = &vm.frames[fi];
                    let (start, argc, func) = (f.args_start(), f.argc as usize, f.func);
                    let args = vm.stack[start..start + argc].to_vec();
                    acc = ops::create_arguments(vm, &args, func, strict).value();
                }
                Op::CreateRestArray(from) => {
                    let f = &vm.frames[fi];
                    let (start, argc) = (f.args_start(), f.argc as usize);
                    let from = (from as usize).min(argc);
                    let args = vm.stack[start + from..start + argc].to_vec();
                    acc = vm.array_from(&args).value();
                }
                Op::GetTemplateObject { list, slot } => {
                    acc = ops::template_object(vm, code, list, slot);
                }
                Op::CreateRegExp { pattern, flags } => {
                    sync!();
                    let p = code.consts[pattern as usize];
                    let f = code.consts[flags as usize];
                    acc = tri!(ops::create_regexp(vm, p, f));
                }
                Op::Add(r) => {
                    let l = reg!(r);
                    if l.is_int() && acc.is_int() {
                        acc = match l.as_int().checked_add(acc.as_int()) {
                            Some(s) => Value::int(s),
                            None => Value::double(l.as_int() as f64 + acc.as_int() as f64),
                        };
                    } else if l.is_number() && acc.is_number() {
                        acc = Value::number(l.as_number() + acc.as_number());
                    } else {
                        sync!();
                        acc = tri!(ops::add_slow(vm, l, acc));
                    }
                }
                Op::Sub(r) => {
                    let l = reg!(r);
                    if l.is_int() && acc.is_int() {
                        acc = match l.as_int().checked_sub(acc.as_int()) {
                            Some(s) => Value::int(s),
                            None => Value::double(l.as_int() as f64 - acc.as_int() as f64),
                        };
                    } else if l.is_number() && acc.is_number() {
                        acc = Value::number(l.as_number() - acc.as_number());
                    } else {
                        sync!();
                        acc = tri!(vm.apply_numeric(NumericOp::Sub, l, acc));
                    }
                }
                Op::Mul(r) => {
                    let l = reg!(r);
                    if l.is_number() && acc.is_number() {
                        acc = Value::number(l.as_number() * acc.as_number());
                    } else {
                        sync!();
                        acc = tri!(vm.apply_numeric(NumericOp::Mul, l, acc));
                    }
                }
                Op::Div(r) => {
                    let l = reg!(r);
                    if l.is_number() && acc.is_number() {
                        acc = Value::number(l.as_number() / acc.as_number());
                    } else {
                        sync!();
                        acc = tri!(vm.apply_numeric(NumericOp::Div, l, acc));
                    }
                }
                Op::Mod(r) => {
                    let l = reg!(r);
                    if l.is_int() && acc.is_int() && l.as_int() >= 0 && acc.as_int() > 0 {
                        acc = Value::int(l.as_int() % acc.as_int());
                    } else if l.is_number() && acc.is_number() {
                        acc = Value::number(number::js_remainder(l.as_number(), acc.as_number()));
                    } else {
                        sync!();
                        acc = tri!(vm.apply_numeric(NumericOp::Mod, l, acc));
                    }
                }
                Op::Exp(r) => {
                    let l = reg!(r);
                    if l.is_number() && acc.is_number() {
                        acc = Value::number(number::js_pow(l.as_number(), acc.as_number()));
                    } else {
                        sync!();
                        acc = tri!(vm.apply_numeric(NumericOp::Exp, l, acc));
                    }
                }
                Op::BitAnd(r) | Op::BitOr(r) | Op::BitXor(r) | Op::Shl(r) | Op::Shr(r) | Op::UShr(r) => {
                    let l = reg!(r);
                    let nop = match op {
                        Op::BitAnd(_) => NumericOp::BitAnd,
                        Op::BitOr(_) => NumericOp::BitOr,
                        Op::BitXor(_) => NumericOp::BitXor,
                        Op::Shl(_) => NumericOp::Shl,
                        Op::Shr(_) => NumericOp::Shr,
                        _ => NumericOp::UShr,
                    };
                    if l.is_number() && acc.is_number() {
                        acc = number_op(nop, l.as_number(), acc.as_number());
                    } else {
                        sync!();
                        acc = tri!(vm.apply_numeric(nop, l, acc));
                    }
                }
                Op::Eq(r) => {
                    sync!();
                    acc = Value::bool(tri!(vm.loose_equals(reg!(r), acc)));
                }
                Op::Ne(r) => {
                    sync!();
                    acc = Value::bool(!tri!(vm.loose_equals(reg!(r), acc)));
                }
                Op::StrictEq(r) => acc = Value::bool(Vm::strict_equals(reg!(r), acc)),
                Op::StrictNe(r) => acc = Value::bool(!Vm::strict_equals(reg!(r), acc)),
                Op::Lt(r) | Op::Gt(r) | Op::Le(r) | Op::Ge(r) => {
                    let l = reg!(r);
                    if l.is_int() && acc.is_int() {
                        let (a, b) = (l.as_int(), acc.as_int());
                        acc = Value::bool(match op {
                            Op::Lt(_) => a < b,
                            Op::Gt(_) => a > b,
                            Op::Le(_) => a <= b,
                            _ => a >= b,
                        });
                    } else {
                        sync!();
                        acc = tri!(ops::compare(vm, op, l, acc));
                    }
                }
                Op::InstanceOf(r) => {
                    sync!();
                    acc = Value::bool(tri!(vm.instance_of(reg!(r), acc)));
                }
                Op::In(r) => {
                    sync!();
                    let Some(o) = JsObject::from_value(acc) else {
                        let k = vm.display_string(reg!(r));
                        let d = vm.display_string(acc);
                        tri!(Err(vm.type_error(&format!("Cannot use 'in' operator to search for '{k}' in {d}"))));
                        unreachable!()
                    };
                    let key = tri!(vm.to_property_key(reg!(r)));
                    acc = Value::bool(tri!(vm.has_property(o, key)));
                }
                Op::Neg => {
                    if acc.is_int() && acc.as_int() != 0 && acc.as_int() != i32::MIN {
                        acc = Value::int(-acc.as_int());
                    } else if acc.is_number() {
                        acc = Value::number(-acc.as_number());
                    } else {
                        sync!();
                        acc = tri!(vm.numeric_negate(acc));
                    }
                }
                Op::ToNumber => {
                    if !acc.is_number() {
                        sync!();
                        acc = Value::number(tri!(vm.to_number(acc)));
                    }
                }
                Op::ToNumeric => {
                    if !acc.is_number() {
                        sync!();
                        acc = tri!(vm.to_numeric(acc));
                    }
                }
                Op::BitNot => {
                    if acc.is_int() {
                        acc = Value::int(!acc.as_int());
                    } else {
                        sync!();
                        acc = tri!(vm.numeric_bit_not(acc));
                    }
                }
                Op::Not => acc = Value::bool(!Vm::to_boolean(acc)),
                Op::TypeOf => acc = vm.type_of(acc).value(),
                Op::Inc | Op::Dec => {
                    let d = if matches!(op, Op::Inc) { 1 } else { -1 };
                    if acc.is_int() {
                        acc = match acc.as_int().checked_add(d) {
                            Some(v) => Value::int(v),
                            None => Value::double(acc.as_int() as f64 + d as f64),
                        };
                    } else if acc.is_number() {
                        acc = Value::number(acc.as_number() + d as f64);
                    } else {
                        sync!();
                        acc = tri!(vm.numeric_increment(acc, d));
                    }
                }
                Op::ToStringOp => {
                    if !Vm::is_string(acc) {
                        sync!();
                        acc = tri!(vm.to_string(acc)).value();
                    }
                }
                Op::Jump(t) => {
                    if (t as usize) < pc {
                        sync!();
                        tri!(vm.safepoint());
                    }
                    pc = t as usize;
                }
                Op::JumpIfTrue(t) => {
                    if Vm::to_boolean(acc) {
                        if (t as usize) < pc {
                            sync!();
                            tri!(vm.safepoint());
                        }
                        pc = t as usize;
                    }
                }
                Op::JumpIfFalse(t) => {
                    if !Vm::to_boolean(acc) {
                        if (t as usize) < pc {
                            sync!();
                            tri!(vm.safepoint());
                        }
                        pc = t as usize;
                    }
                }
                Op::JumpIfNullish(t) => {
                    if acc.is_nullish() {
                        pc = t as usize;
                    }
                }
                Op::JumpIfNotNullish(t) => {
                    if !acc.is_nullish() {
                        pc = t as usize;
                    }
                }
                Op::JumpIfUndefined(t) => {
                    if acc.is_undefined() {
                        pc = t as usize;
                    }
                }
                Op::JumpIfNotUndefined(t) => {
                    if !acc.is_undefined() {
                        pc = t as usize;
                    }
                }
                Op::Call { .. } | Op::CallEval { .. } => {
                    sync!();
                    let (callee, this_v, args, argc) = match op {
                        Op::Call { callee, this, args, argc } => (callee, reg!(this), args, argc),
                        Op::CallEval { callee, args, argc } => (callee, Value::UNDEFINED, args, argc),
                        _ => unreachable!(),
                    };
                    let f = reg!(callee);
                    // SAFETY: the argument registers lie inside this frame on the
                    // fixed VM stack; callee frames are pushed above `sp`.
                    let argv = unsafe { std::slice::from_raw_parts(regs.add(args as usize), argc as usize) };
                    match invoke(vm, f, this_v, argv, Value::UNDEFINED, false) {
                        Ok(Some(v)) => acc = v,
                        Ok(None) => continue 'frame,
                        Err(e) => tri!(Err(e)),
                    }
                }
                Op::CallSpread { callee, this, args } => {
                    sync!();
                    let list = tri!(ops::array_values(vm, reg!(args)));
                    let f = reg!(callee);
                    let t = reg!(this);
                    match invoke(vm, f, t, &list, Value::UNDEFINED, false) {
                        Ok(Some(v)) => acc = v,
                        Ok(None) => continue 'frame,
                        Err(e) => tri!(Err(e)),
                    }
                }
                Op::New { callee, args, argc } => {
                    sync!();
                    let f = reg!(callee);
                    // SAFETY: as for Call.
                    let argv = unsafe { std::slice::from_raw_parts(regs.add(args as usize), argc as usize) };
                    match invoke(vm, f, Value::UNDEFINED, argv, f, true) {
                        Ok(Some(v)) => acc = v,
                        Ok(None) => continue 'frame,
                        Err(e) => tri!(Err(e)),
                    }
                }
                Op::NewSpread { callee, args } => {
                    sync!();
                    let list = tri!(ops::array_values(vm, reg!(args)));
                    let f = reg!(callee);
                    match invoke(vm, f, Value::UNDEFINED, &list, f, true) {
                        Ok(Some(v)) => acc = v,
                        Ok(None) => continue 'frame,
                        Err(e) => tri!(Err(e)),
                    }
                }
                Op::SuperCall { args, argc } => {
                    sync!();
                    // SAFETY: as for Call.
                    let argv = unsafe { std::slice::from_raw_parts(regs.add(args as usize), argc as usize) }.to_vec();
                    acc = tri!(ops::super_call(vm, fi, &argv));
                }
                Op::SuperCallSpread { args } => {
                    sync!();
                    let list = tri!(ops::array_values(vm, reg!(args)));
                    acc = tri!(ops::super_call(vm, fi, &list));
                }
                Op::Return => {
                    if code.flags.is_async && !code.flags.generator {
                        // An async function's return resolves its promise; the
                        // caller (or the resuming job) gets the promise.
                        let promise = reg!(code.flags.async_reg + 2);
                        sync!();
                        tri!(crate::vm::runtime::promise::resolve_intrinsic(vm, promise, acc));
                        acc = promise;
                    }
                    let frame = vm.pop_frame();
                    let mut value = acc;
                    if frame.construct {
                        match construct_result(vm, &frame, value) {
                            Ok(v) => value = v,
                            Err(e) => {
                                if frame.entry {
                                    return Err(e);
                                }
                                // Report the error at the caller's call site.
                                *acc_out = acc;
                                return Err(e);
                            }
                        }
                    }
                    if frame.entry || vm.frames.len() < entry_depth {
                        return Ok(value);
                    }
                    acc = value;
                    continue 'frame;
                }
                Op::Throw => {
                    sync!();
                    tri!(Err(Unwind::Throw(acc)));
                }
                Op::InitialYield(g) => {
                    sync!();
                    let func = vm.frames[fi].func;
                    let generator = tri!(ops::create_generator(vm, func, g + 1));
                    set_reg!(g, generator.value());
                    vm.save_generator_frame(fi, generator, pc, GeneratorState::SuspendedStart);
                    let frame = vm.pop_frame();
                    if frame.entry || vm.frames.len() < entry_depth {
                        return Ok(generator.value());
                    }
                    acc = generator.value();
                    continue 'frame;
                }
                Op::Yield(g) | Op::YieldRaw(g) => {
                    sync!();
                    let generator: Gc<JsObject> = Gc::from_value(reg!(g));
                    let value = if matches!(op, Op::Yield(_)) { crate::vm::runtime::iteration::iter_result(vm, acc, false) } else { acc };
                    vm.save_generator_frame(fi, generator, pc, GeneratorState::SuspendedYield);
                    let frame = vm.pop_frame();
                    if frame.entry || vm.frames.len() < entry_depth {
                        return Ok(value);
                    }
                    acc = value;
                    continue 'frame;
                }
                Op::GetAsyncIterator(dst) => {
                    sync!();
                    let (it, next) = tri!(crate::vm::runtime::iteration::get_async_iterator(vm, acc));
                    set_reg!(dst, it);
                    set_reg!(dst + 1, next);
                }
                Op::IterResultValue { done } => {
                    sync!();
                    let Some(ro) = JsObject::from_value(acc) else {
                        let d = vm.display_string(acc);
                        tri!(Err(vm.type_error(&format!("Iterator result {d} is not an object"))));
                        unreachable!()
                    };
                    let dkey = PropertyKey::Atom(vm.names.done);
                    let d = tri!(vm.get(ro, dkey, acc));
                    if Vm::to_boolean(d) {
                        acc = Value::UNDEFINED;
                        pc = done as usize;
                    } else {
                        let vkey = PropertyKey::Atom(vm.names.value);
                        acc = tri!(vm.get(ro, vkey, acc));
                    }
                }
                Op::CallIteratorMethod { iter, arg, which, missing } => {
                    sync!();
                    let it = reg!(iter);
                    let key = PropertyKey::Atom(if which == 1 { vm.names.throw_ } else { vm.names.return_ });
                    match tri!(vm.get_method(it, key)) {
                        None => pc = missing as usize,
                        Some(m) if arg == NO_REG => acc = tri!(vm.call(m, it, &[])),
                        Some(m) => acc = tri!(vm.call(m, it, &[reg!(arg)])),
                    }
                }
                Op::JumpIfRegInt { reg, value, target } => {
                    let v = reg!(reg);
                    if v.is_int() && v.as_int() == value as i32 {
                        pc = target as usize;
                    }
                }
                Op::ThrowIfNotObject(m) => {
                    if !JsObject::is_object(acc) {
                        sync!();
                        let msg = const_str(&code, m).to_rust_string();
                        tri!(Err(vm.type_error(&msg)));
                    }
                }
                Op::AsyncStart(r) => {
                    let func = vm.frames[fi].func.value();
                    let state = crate::vm::runtime::promise::new_async_state(vm, func, r + 1);
                    set_reg!(r, state.value());
                    let promise = crate::vm::runtime::promise::new_intrinsic_promise(vm);
                    set_reg!(r + 2, promise);
                }
                Op::Await(r) => {
                    sync!();
                    let state = reg!(r);
                    tri!(crate::vm::runtime::promise::await_value(vm, state, acc));
                    let promise = reg!(r + 2);
                    vm.save_generator_frame(fi, Gc::from_value(state), pc, GeneratorState::Awaiting);
                    let frame = vm.pop_frame();
                    if frame.entry || vm.frames.len() < entry_depth {
                        return Ok(promise);
                    }
                    acc = promise;
                    continue 'frame;
                }
                Op::AsyncReject(r) => {
                    let promise = reg!(r + 2);
                    crate::vm::runtime::promise::reject_intrinsic(vm, promise, acc);
                    let frame = vm.pop_frame();
                    if frame.entry || vm.frames.len() < entry_depth {
                        return Ok(promise);
                    }
                    acc = promise;
                    continue 'frame;
                }
                Op::ResumeMode { mode, next } => match reg!(mode).as_int() {
                    0 => pc = next as usize,
                    1 => {
                        sync!();
                        tri!(Err(Unwind::Throw(acc)));
                    }
                    _ => {}
                },
                Op::YieldStar { iter, mode, done } => {
                    sync!();
                    match tri!(ops::yield_star_step(vm, reg!(iter), reg!(iter + 1), reg!(mode).as_int(), acc)) {
                        ops::DelegateStep::Done(v) => {
                            acc = v;
                            pc = done as usize;
                        }
                        ops::DelegateStep::Yield(r) => {
                            set_reg!(mode, Value::int(0));
                            acc = r;
                        }
                        ops::DelegateStep::Return(v) => {
                            set_reg!(mode, Value::int(2));
                            acc = v;
                        }
                    }
                }
                Op::GetIterator(dst) => {
                    sync!();
                    let (it, next) = tri!(crate::vm::runtime::iteration::get_iterator(vm, acc));
                    set_reg!(dst, it);
                    set_reg!(dst + 1, next);
                }
                Op::IteratorStep { iter, done } => {
                    sync!();
                    match tri!(crate::vm::runtime::iteration::iterator_step(vm, reg!(iter), reg!(iter + 1))) {
                        Some(v) => acc = v,
                        None => pc = done as usize,
                    }
                }
                Op::IteratorClose(iter) => {
                    sync!();
                    tri!(crate::vm::runtime::iteration::iterator_close(vm, reg!(iter)));
                }
                Op::ForInPrepare(r) => {
                    sync!();
                    let it = tri!(ops::for_in_prepare(vm, acc));
                    set_reg!(r, it);
                }
                Op::ForInNext { iter, done } => {
                    sync!();
                    match tri!(ops::for_in_next(vm, reg!(iter))) {
                        Some(k) => acc = k,
                        None => pc = done as usize,
                    }
                }
            }
        }
    }
}

/// Calls or constructs `f` from the dispatch loop. Bytecode callees get a new
/// frame and `Ok(None)` (the loop continues in the callee); everything else
/// runs to completion and returns `Ok(Some(result))`.
fn invoke(vm: &mut Vm, f: Value, this: Value, args: &[Value], new_target: Value, construct: bool) -> JsResult<Option<Value>> {
    let Some(func) = JsObject::from_value(f).filter(|o| o.is_callable()) else {
        let what = if construct { "is not a constructor" } else { "is not a function" };
        return Err(not_callable(vm, f, what));
    };
    if construct && !Vm::is_constructor(f) {
        return Err(not_callable(vm, f, "is not a constructor"));
    }
    let Some(data) = func.function() else {
        vm.check_native_stack()?;
        return vm.call_proxy_rooted(func, this, args, new_target, construct).map(Some);
    };
    let is_bytecode = matches!(data.kind, FunctionKind::Bytecode { .. });
    if is_bytecode {
        vm.push_frame(func, this, args, new_target, construct, false)?;
        return Ok(None);
    }
    vm.check_native_stack()?;
    vm.call_non_bytecode(func, this, args, new_target, construct).map(Some)
}

/// "x is not a function" for the call the current frame is making: `x` is
/// the callee as written in the source (`o.foo`, `a[0]`, `f(1).g`), as V8
/// reports it, or else a description of the value. Never runs JS.
#[cold]
fn not_callable(vm: &mut Vm, f: Value, what: &str) -> Unwind {
    let written = vm.frames.last().and_then(|fr| fr.code.callee_text(fr.pc.wrapping_sub(1)));
    let name = match written {
        Some(text) => text,
        None => vm.display_string(f),
    };
    vm.type_error(&format!("{name} {what}"))
}
