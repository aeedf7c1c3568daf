//! The bytecode interpreter: frames on the fixed VM register stack, the
//! dispatch loop, calls and construction (JS-to-JS calls never recurse on the
//! native stack), exception unwinding through handler tables, and named
//! property inline caches, and suspending/resuming generator and async
//! function frames (saved into the generator object between resumptions).

pub mod ops;

use crate::vm::bytecode::{Code, NO_REG, Op};
use crate::vm::heap::{EdgeName, Gc, Root, RootVisitor};
use crate::vm::isolate::{MAX_FRAMES, Vm};
pub use crate::vm::object::CallArgs;
use crate::vm::object::function::ClassKind;
use crate::vm::object::{Env, FunctionData, FunctionKind, GeneratorState, JsObject, JsString, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::realm::{Intrinsic, Realm};
use crate::vm::value::Value;
use crate::vm::{JsResult, Unwind};

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

    fn call_object(&mut self, func: Gc<JsObject>, this: Value, args: &[Value], new_target: Value, construct: bool) -> JsResult<Value> {
        let data = func.function().unwrap();
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
    fn call_non_bytecode(&mut self, func: Gc<JsObject>, this: Value, args: &[Value], new_target: Value, construct: bool) -> JsResult<Value> {
        let mark = self.temp_roots.len();
        self.temp_roots.extend_from_slice(args);
        self.temp_roots.push(this);
        let r = self.call_non_bytecode_rooted(func, this, args, new_target, construct);
        self.temp_roots.truncate(mark);
        r
    }

    fn call_non_bytecode_rooted(&mut self, func: Gc<JsObject>, this: Value, args: &[Value], new_target: Value, construct: bool) -> JsResult<Value> {
        let data = func.function().unwrap();
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
    fn push_frame(&mut self, func: Gc<JsObject>, this: Value, args: &[Value], new_target: Value, construct: bool, entry: bool) -> JsResult<()> {
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

    fn pop_frame(&mut self) -> Frame {
        let f = self.frames.pop().unwrap();
        self.sp = f.saved_sp;
        self.current_realm = f.saved_realm;
        f
    }

    /// Saves frame `fi` (suspending with `pc` as the resume point) into the
    /// generator `generator`, which enters `state`.
    fn save_generator_frame(&mut self, fi: usize, generator: Gc<JsObject>, pc: usize, state: GeneratorState) {
        let f = &self.frames[fi];
        let n = f.code.nregs as usize + f.argc as usize;
        let regs = self.stack[f.base..f.base + n].to_vec();
        let (func, env, this, argc) = (f.func.value(), f.env.map_or(Value::UNDEFINED, |e| e.value()), f.this, f.argc);
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        if let ObjectKind::Generator(g) = &mut unsafe { generator.m() }.kind {
            g.state = state;
            g.func = func;
            g.env = env;
            g.this = this;
            g.pc = pc;
            g.argc = argc;
            g.regs = regs;
        }
    }

    /// Resumes the suspended generator `generator`: pushes its saved frame as an entry
    /// frame with acc = `value` and the resume `mode` (0 next, 1 throw, 2 return)
    /// in its mode register, and runs it until it yields (the state is then
    /// SuspendedYield and the result is what it yielded) or returns (the state
    /// is still Executing and the result is the return value).
    pub(crate) fn resume_generator(&mut self, generator: Gc<JsObject>, value: Value, mode: i32) -> JsResult<Value> {
        self.check_native_stack()?;
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        let ObjectKind::Generator(g) = &mut unsafe { generator.m() }.kind else { unreachable!("resume_generator on a non-generator") };
        let func: Gc<JsObject> = Gc::from_value(g.func);
        let data = func.function().unwrap();
        let FunctionKind::Bytecode { code, .. } = &data.kind else { unreachable!() };
        let code = *code;
        let base = self.sp;
        let n = g.regs.len();
        if self.frames.len() >= MAX_FRAMES || base + n + 16 >= self.stack.len() {
            return Err(self.range_error("Maximum call stack size exceeded"));
        }
        self.stack[base..base + n].copy_from_slice(&g.regs);
        self.stack[base + g.mode_reg as usize] = Value::int(mode);
        // The stack copy is authoritative while the generator runs.
        g.regs = Vec::new();
        g.state = GeneratorState::Executing;
        let env = if g.env.is_undefined() { None } else { Some(Gc::from_value(g.env)) };
        let (pc, this, argc) = (g.pc, g.this, g.argc);
        let saved_sp = self.sp;
        self.sp = base + n;
        let saved_realm = self.current_realm.replace(data.realm);
        self.frames.push(Frame { code, func, pc, base, env, this, new_target: Value::UNDEFINED, argc, construct: false, entry: true, saved_realm, saved_sp });
        if let Err(e) = self.safepoint() {
            self.pop_frame();
            return Err(e);
        }
        run_from(self, value)
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
                    } else {
                        sync!();
                        let (a, b) = tri!(ops::numbers(vm, l, acc));
                        acc = Value::number(a - b);
                    }
                }
                Op::Mul(r) => {
                    let l = reg!(r);
                    sync!();
                    let (a, b) = tri!(ops::numbers(vm, l, acc));
                    acc = Value::number(a * b);
                }
                Op::Div(r) => {
                    let l = reg!(r);
                    sync!();
                    let (a, b) = tri!(ops::numbers(vm, l, acc));
                    acc = Value::number(a / b);
                }
                Op::Mod(r) => {
                    let l = reg!(r);
                    if l.is_int() && acc.is_int() && l.as_int() >= 0 && acc.as_int() > 0 {
                        acc = Value::int(l.as_int() % acc.as_int());
                    } else {
                        sync!();
                        let (a, b) = tri!(ops::numbers(vm, l, acc));
                        acc = Value::number(ops::js_remainder(a, b));
                    }
                }
                Op::Exp(r) => {
                    let l = reg!(r);
                    sync!();
                    let (a, b) = tri!(ops::numbers(vm, l, acc));
                    acc = Value::number(crate::vm::runtime::number::js_pow(a, b));
                }
                Op::BitAnd(r) | Op::BitOr(r) | Op::BitXor(r) | Op::Shl(r) | Op::Shr(r) | Op::UShr(r) => {
                    let l = reg!(r);
                    sync!();
                    let a = tri!(vm.to_int32(l));
                    let b = tri!(vm.to_int32(acc));
                    acc = match op {
                        Op::BitAnd(_) => Value::int(a & b),
                        Op::BitOr(_) => Value::int(a | b),
                        Op::BitXor(_) => Value::int(a ^ b),
                        Op::Shl(_) => Value::int(a.wrapping_shl(b as u32 & 31)),
                        Op::Shr(_) => Value::int(a >> (b as u32 & 31)),
                        _ => Value::number(((a as u32) >> (b as u32 & 31)) as f64),
                    };
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
                    } else {
                        sync!();
                        acc = Value::double(-tri!(vm.to_number(acc)));
                        acc = Value::number(acc.as_number());
                        if acc.as_number() == 0.0 && acc.is_int() {
                            acc = Value::double(acc.as_number());
                        }
                    }
                }
                Op::ToNumber | Op::ToNumeric => {
                    if !acc.is_number() {
                        sync!();
                        acc = Value::number(tri!(vm.to_number(acc)));
                    }
                }
                Op::BitNot => {
                    sync!();
                    acc = Value::int(!tri!(vm.to_int32(acc)));
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
                    } else {
                        sync!();
                        acc = Value::number(tri!(vm.to_number(acc)) + d as f64);
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
    let is_bytecode = matches!(func.function().unwrap().kind, FunctionKind::Bytecode { .. });
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
