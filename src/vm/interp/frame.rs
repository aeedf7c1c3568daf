//! Frames and calls: the activation record on the VM register stack, [[Call]]
//! and [[Construct]] from native code, native/host/bound function calls,
//! pushing and popping bytecode frames, closures and running a script.

use crate::vm::JsResult;
use crate::vm::bytecode::Code;
use crate::vm::heap::{EdgeName, Gc, Root, RootVisitor};
use crate::vm::isolate::{MAX_FRAMES, Vm};
use crate::vm::object::CallArgs;
use crate::vm::object::function::ClassKind;
use crate::vm::object::{Env, FunctionData, FunctionKind, JsObject, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;

use super::run;

/// One activation of a bytecode function.
pub struct Frame {
    pub code: Gc<Code>,
    pub func: Gc<JsObject>,
    pub pc: usize,
    /// Index of r0 in `Vm::stack`.
    pub base: usize,
    pub env: Option<Gc<Env>>,
    pub this: Value,
    pub new_target: Value,
    pub argc: u32,
    pub construct: bool,
    /// Return to the native caller when this frame returns.
    pub entry: bool,
    pub saved_realm: Option<Gc<Realm>>,
    /// Caller's stack top to restore on return.
    pub saved_sp: usize,
}

impl Frame {
    /// Reports the frame's cells (its registers are reported with the VM stack).
    pub fn visit_roots(&self, v: &mut dyn RootVisitor) {
        v.root(Root::StackRoots, EdgeName::Str("code"), self.code.value());
        v.root(Root::StackRoots, EdgeName::Str("function"), self.func.value());
        if let Some(e) = self.env {
            v.root(Root::StackRoots, EdgeName::Str("context"), e.value());
        }
        v.root(Root::StackRoots, EdgeName::Str("receiver"), self.this);
        v.root(Root::StackRoots, EdgeName::Str("new_target"), self.new_target);
        if let Some(r) = self.saved_realm {
            v.root(Root::StackRoots, EdgeName::Str("saved_realm"), r.value());
        }
    }
    /// The actual arguments of the call (stored after the registers).
    pub fn args_start(&self) -> usize {
        self.base + self.code.nregs as usize
    }
}

impl Vm {
    /// [[Call]] from native code.
    pub fn call(&mut self, f: Value, this: Value, args: &[Value]) -> JsResult<Value> {
        let Some(func) = JsObject::from_value(f).filter(|o| o.is_callable()) else {
            let d = self.display_string(f);
            return Err(self.type_error(&format!("{d} is not a function")));
        };
        self.check_native_stack()?;
        self.call_object(func, this, args, Value::UNDEFINED, false)
    }

    /// [[Construct]] from native code.
    pub fn construct(&mut self, f: Value, args: &[Value], new_target: Value) -> JsResult<Value> {
        if !Vm::is_constructor(f) {
            let d = self.display_string(f);
            return Err(self.type_error(&format!("{d} is not a constructor")));
        }
        self.check_native_stack()?;
        self.call_object(Gc::from_value(f), Value::UNDEFINED, args, new_target, true)
    }

    pub(super) fn call_object(&mut self, func: Gc<JsObject>, this: Value, args: &[Value], new_target: Value, construct: bool) -> JsResult<Value> {
        let Some(data) = func.function() else {
            return self.call_proxy_rooted(func, this, args, new_target, construct);
        };
        match &data.kind {
            FunctionKind::Bytecode { .. } => {
                self.push_frame(func, this, args, new_target, construct, true)?;
                run(self)
            }
            _ => self.call_non_bytecode(func, this, args, new_target, construct),
        }
    }

    /// Calls a native, host or bound function (never pushes a bytecode frame itself).
    /// The arguments may live in Rust heap memory (a Vec built by apply, spread,
    /// Reflect...), so they are rooted for the duration of the call.
    pub(super) fn call_non_bytecode(&mut self, func: Gc<JsObject>, this: Value, args: &[Value], new_target: Value, construct: bool) -> JsResult<Value> {
        let mark = self.temp_roots.len();
        self.temp_roots.extend_from_slice(args);
        self.temp_roots.push(this);
        let r = self.call_non_bytecode_rooted(func, this, args, new_target, construct);
        self.temp_roots.truncate(mark);
        r
    }

    /// [[Call]] / [[Construct]] of a callable proxy, its arguments rooted.
    pub(super) fn call_proxy_rooted(&mut self, func: Gc<JsObject>, this: Value, args: &[Value], new_target: Value, construct: bool) -> JsResult<Value> {
        let mark = self.temp_roots.len();
        self.temp_roots.extend_from_slice(args);
        self.temp_roots.push(this);
        let r = self.proxy_call(func, this, args, new_target, construct);
        self.temp_roots.truncate(mark);
        r
    }

    pub(super) fn call_non_bytecode_rooted(&mut self, func: Gc<JsObject>, this: Value, args: &[Value], new_target: Value, construct: bool) -> JsResult<Value> {
        let Some(data) = func.function() else {
            return self.proxy_call(func, this, args, new_target, construct);
        };
        let realm = data.realm;
        match &data.kind {
            FunctionKind::Native { f, .. } => {
                let f = *f;
                let saved = self.current_realm.replace(realm);
                let r = f(self, &CallArgs { this, args, new_target: if construct { new_target } else { Value::UNDEFINED }, callee: func });
                self.current_realm = saved;
                r
            }
            FunctionKind::Host { func: host } => {
                // A clone keeps the closure alive even if the call drops the
                // last reference to the function object.
                let host = host.clone();
                let saved = self.current_realm.replace(realm);
                // [[Construct]] of a host function (like a V8 FunctionTemplate):
                // the receiver is a new object from new.target.prototype, and it
                // is the result unless the callback returns an object.
                let receiver = if construct {
                    match self.prototype_from_constructor(new_target, Intrinsic::ObjectPrototype) {
                        Ok(proto) => self.new_object_with_proto(proto, ObjectKind::Ordinary).value(),
                        Err(e) => {
                            self.current_realm = saved;
                            return Err(e);
                        }
                    }
                } else {
                    this
                };
                let r = host(self, &CallArgs { this: receiver, args, new_target: if construct { new_target } else { Value::UNDEFINED }, callee: func });
                self.current_realm = saved;
                match r {
                    Ok(v) if construct && !JsObject::is_object(v) => Ok(receiver),
                    other => other,
                }
            }
            FunctionKind::Bound { target, this: bound_this, args: bound_args } => {
                let (target, bound_this) = (*target, *bound_this);
                let mut all = bound_args.clone();
                all.extend_from_slice(args);
                self.temp_roots.extend_from_slice(&all);
                let mark = self.temp_roots.len() - all.len();
                let r = if construct {
                    let nt = if new_target == func.value() { target } else { new_target };
                    self.construct(target, &all, nt)
                } else {
                    self.call(target, bound_this, &all)
                };
                self.temp_roots.truncate(mark);
                r
            }
            FunctionKind::Bytecode { .. } => unreachable!(),
        }
    }

    /// Pushes a frame for a bytecode function (checks depth, binds this, copies args).
    pub(super) fn push_frame(&mut self, func: Gc<JsObject>, this: Value, args: &[Value], new_target: Value, construct: bool, entry: bool) -> JsResult<()> {
        let data: &FunctionData = func.function().unwrap();
        let FunctionKind::Bytecode { code, env } = &data.kind else { unreachable!() };
        let (code, env) = (*code, *env);
        if data.class_kind != ClassKind::NotClass && !construct {
            let n = code.name_string();
            return Err(self.type_error(&format!("Class constructor {n} cannot be invoked without 'new'")));
        }
        let nregs = code.nregs as usize;
        let base = self.sp;
        if self.frames.len() >= MAX_FRAMES || base + nregs + args.len() + 16 >= self.stack.len() {
            return Err(self.range_error("Maximum call stack size exceeded"));
        }
        let realm = data.realm;
        let mut this_value = this;
        let mut nt = new_target;
        if code.flags.arrow {
            this_value = data.this_value;
            nt = data.new_target;
        } else if construct {
            if data.class_kind == ClassKind::Derived {
                this_value = Value::EMPTY;
            } else {
                let saved = self.current_realm.replace(realm);
                let proto = self.prototype_from_constructor(new_target, Intrinsic::ObjectPrototype);
                self.current_realm = saved;
                let obj = self.new_object_with_proto(proto?, ObjectKind::Ordinary);
                this_value = obj.value();
                if !data.fields.is_undefined() {
                    let fields = data.fields;
                    self.temp_roots.push(this_value);
                    let r = self.call(fields, this_value, &[]);
                    self.temp_roots.pop();
                    r?;
                }
            }
        } else if !code.flags.strict {
            if this.is_nullish() {
                this_value = realm.global.value();
            } else if !JsObject::is_object(this) {
                let saved = self.current_realm.replace(realm);
                let o = self.to_object(this);
                self.current_realm = saved;
                this_value = o?.value();
            }
        }
        let nparams = code.nparams as usize;
        for i in 0..nregs {
            self.stack[base + i] = if i < nparams { args.get(i).copied().unwrap_or(Value::UNDEFINED) } else { Value::UNDEFINED };
        }
        self.stack[base + nregs..base + nregs + args.len()].copy_from_slice(args);
        let saved_sp = self.sp;
        self.sp = base + nregs + args.len();
        let saved_realm = self.current_realm.replace(realm);
        self.frames.push(Frame {
            code,
            func,
            pc: 0,
            base,
            env,
            this: this_value,
            new_target: if construct { new_target } else { nt },
            argc: args.len() as u32,
            construct,
            entry,
            saved_realm,
            saved_sp,
        });
        if let Err(e) = self.safepoint() {
            self.pop_frame();
            return Err(e);
        }
        Ok(())
    }

    pub(super) fn pop_frame(&mut self) -> Frame {
        let f = self.frames.pop().unwrap();
        self.sp = f.saved_sp;
        self.current_realm = f.saved_realm;
        f
    }

    /// Creates a closure over `code` in the current frame's environment.
    pub fn create_closure(&mut self, code: Gc<Code>, env: Option<Gc<Env>>, frame_this: Value, frame_nt: Value, home: Value) -> Gc<JsObject> {
        let realm = self.realm();
        let ctor = !code.flags.arrow && !code.flags.method && !code.flags.generator && !code.flags.is_async;
        let name = code.name_string();
        let f = self.new_function_object(realm, FunctionKind::Bytecode { code, env }, &name, code.length, ctor);
        if code.flags.arrow {
            // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
            let d = match &mut unsafe { f.m() }.kind {
                ObjectKind::Function(d) => d,
                _ => unreachable!(),
            };
            d.this_value = frame_this;
            d.new_target = frame_nt;
            d.home_object = home;
        }
        if code.flags.generator {
            // Generator functions get a `prototype` for their generator objects
            // (no `constructor` property on it).
            let gen_proto = self.realm().intrinsic(if code.flags.is_async { Intrinsic::AsyncGeneratorPrototype } else { Intrinsic::GeneratorPrototype });
            let proto = self.new_object_with_proto(gen_proto, ObjectKind::Ordinary);
            let pkey = PropertyKey::Atom(self.names.prototype);
            f.put_named(&mut self.heap, pkey, proto.value(), attrs::WRITABLE);
        }
        if ctor {
            let proto = self.new_object();
            let ckey = PropertyKey::Atom(self.names.constructor);
            proto.put_named(&mut self.heap, ckey, f.value(), attrs::HIDDEN);
            let pkey = PropertyKey::Atom(self.names.prototype);
            f.put_named(&mut self.heap, pkey, proto.value(), attrs::WRITABLE);
        }
        f
    }

    /// Runs a compiled script in `realm` with this = the global object.
    pub fn run_script(&mut self, realm: Gc<Realm>, code: Gc<Code>) -> JsResult<Value> {
        let saved = self.current_realm.replace(realm);
        let func = self.new_function_object(realm, FunctionKind::Bytecode { code, env: None }, "", 0, false);
        self.current_realm = saved;
        let global = realm.global.value();
        self.push_frame(func, global, &[], Value::UNDEFINED, false, true)?;
        run(self)
    }
}
