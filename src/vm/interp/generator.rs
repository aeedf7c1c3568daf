//! Suspending and resuming generator and async function frames: a frame's
//! registers and arguments are copied into the generator object on yield or
//! await and pushed back as an entry frame on resumption.

use crate::vm::JsResult;
use crate::vm::heap::Gc;
use crate::vm::isolate::{MAX_FRAMES, Vm};
use crate::vm::object::{FunctionKind, GeneratorState, JsObject, ObjectKind};
use crate::vm::value::Value;

use super::{Frame, run_from};

impl Vm {
    /// Saves frame `fi` (suspending with `pc` as the resume point) into the
    /// generator `generator`, which enters `state`.
    pub(super) fn save_generator_frame(&mut self, fi: usize, generator: Gc<JsObject>, pc: usize, state: GeneratorState) {
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
}
