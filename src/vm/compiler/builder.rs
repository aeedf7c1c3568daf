//! Per-function code buffer: instructions, labels and jump fix-ups, constants,
//! registers (a stack allocator), handler table, source positions and the
//! control stack used to route break/continue/return through `finally` blocks,
//! iterator closing and environment pops.

use std::collections::HashMap;
use std::rc::Rc;

use crate::vm::bytecode::{CodeFlags, CodeParts, Handler, Op, Reg, Source};
use crate::vm::value::Value;

use super::{Res, syntax_error};

/// A jump target, resolved to a pc when the function is finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Label(pub u32);

/// A pending jump out of nested constructs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Jump {
    /// Break to the control entry at this index.
    Break(usize),
    /// Continue the loop at this control index.
    Continue(usize),
    /// Return from the function (value in acc).
    Return,
}

/// One entry of the control stack (innermost last).
pub(crate) enum Ctl {
    /// An environment pushed by a scope: leaving it needs PopEnv.
    Env,
    /// A break (and for loops continue) target.
    Target { labels: Vec<String>, is_loop: bool, labelled_only: bool, brk: Label, cont: Option<Label> },
    /// A try with a finally block: jumps out set `kind` and enter the finally code.
    Finally { kind: Reg, val: Reg, entry: Label, pending: Vec<Jump> },
    /// A for-of loop whose iterator must be closed when left by break/return.
    IterClose { val: Reg, pending: Vec<(Label, Jump)> },
}

pub(crate) struct FuncState {
    pub ops: Vec<Op>,
    pub consts: Vec<Value>,
    const_map: HashMap<u64, u32>,
    /// (start, end, handler) labels.
    pub handlers: Vec<(Label, Label, Label)>,
    pub positions: Vec<(u32, u32)>,
    /// (pc, start, end) of the callee expression of each call and `new`.
    pub callee_spans: Vec<(u32, u32, u32)>,
    pub cur_pos: u32,
    labels: Vec<u32>,
    /// pcs of ops whose target field holds a label id.
    fixups: Vec<usize>,
    pub feedback: u32,
    pub templates: u32,
    pub next_reg: u32,
    pub max_reg: u32,
    pub nparams: u32,
    /// Number of environments on the runtime chain at this point
    /// (including those of enclosing functions).
    pub env_level: u32,
    pub ctl: Vec<Ctl>,
    pub flags: CodeFlags,
    /// Register holding the script completion value (script/eval top level only).
    pub completion: Option<Reg>,
    /// Generators: the register holding the generator object (the next one
    /// receives the resume mode).
    pub generator: Option<Reg>,
    /// Async functions: where the body under the promise-rejecting handler starts.
    pub async_body_start: Option<Label>,
    /// `ops.len()` at the last [`Op::Safepoint`] emitted between statements.
    pub last_safepoint: usize,
}

const UNBOUND: u32 = u32::MAX;

impl FuncState {
    pub fn new(env_level: u32, strict: bool) -> FuncState {
        FuncState {
            ops: Vec::new(),
            consts: Vec::new(),
            const_map: HashMap::new(),
            handlers: Vec::new(),
            positions: Vec::new(),
            callee_spans: Vec::new(),
            cur_pos: 0,
            labels: Vec::new(),
            fixups: Vec::new(),
            feedback: 0,
            templates: 0,
            next_reg: 0,
            max_reg: 0,
            nparams: 0,
            env_level,
            ctl: Vec::new(),
            flags: CodeFlags { strict, ..CodeFlags::default() },
            completion: None,
            generator: None,
            async_body_start: None,
            last_safepoint: 0,
        }
    }

    pub fn strict(&self) -> bool {
        self.flags.strict
    }

    // ----- instructions -----

    pub fn emit(&mut self, op: Op) -> usize {
        let pc = self.ops.len();
        if self.positions.last().is_none_or(|&(_, off)| off != self.cur_pos) {
            self.positions.push((pc as u32, self.cur_pos));
        }
        self.ops.push(op);
        pc
    }

    /// Records the source span of the callee of the call emitted at `pc`
    /// (error messages name it as written: `o.foo is not a function`).
    pub fn callee_span(&mut self, pc: usize, span: oxc_span::Span) {
        self.callee_spans.push((pc as u32, span.start, span.end));
    }

    /// Emits an op at a given source offset (calls, property accesses, throws).
    pub fn emit_at(&mut self, op: Op, offset: u32) -> usize {
        self.cur_pos = offset;
        self.emit(op)
    }

    pub fn new_label(&mut self) -> Label {
        self.labels.push(UNBOUND);
        Label(self.labels.len() as u32 - 1)
    }

    pub fn bind(&mut self, l: Label) {
        debug_assert_eq!(self.labels[l.0 as usize], UNBOUND);
        self.labels[l.0 as usize] = self.ops.len() as u32;
    }

    pub fn here(&mut self) -> Label {
        let l = self.new_label();
        self.bind(l);
        l
    }

    /// Emits a jump-like op whose target field holds `l` (fixed up at finish).
    pub fn emit_jump_op(&mut self, op: Op) {
        let pc = self.emit(op);
        self.fixups.push(pc);
    }

    pub fn jump(&mut self, l: Label) {
        self.emit_jump_op(Op::Jump(l.0));
    }
    pub fn jump_if_true(&mut self, l: Label) {
        self.emit_jump_op(Op::JumpIfTrue(l.0));
    }
    pub fn jump_if_false(&mut self, l: Label) {
        self.emit_jump_op(Op::JumpIfFalse(l.0));
    }
    pub fn jump_if_nullish(&mut self, l: Label) {
        self.emit_jump_op(Op::JumpIfNullish(l.0));
    }
    pub fn jump_if_not_nullish(&mut self, l: Label) {
        self.emit_jump_op(Op::JumpIfNotNullish(l.0));
    }
    pub fn jump_if_not_undefined(&mut self, l: Label) {
        self.emit_jump_op(Op::JumpIfNotUndefined(l.0));
    }
    pub fn iterator_step(&mut self, iter: Reg, done: Label) {
        self.emit_jump_op(Op::IteratorStep { iter, done: done.0 });
    }
    pub fn resume_mode(&mut self, mode: Reg, next: Label) {
        self.emit_jump_op(Op::ResumeMode { mode, next: next.0 });
    }
    pub fn iter_result_value(&mut self, done: Label) {
        self.emit_jump_op(Op::IterResultValue { done: done.0 });
    }
    pub fn call_iterator_method(&mut self, iter: Reg, arg: Reg, which: u16, missing: Label) {
        self.emit_jump_op(Op::CallIteratorMethod { iter, arg, which, missing: missing.0 });
    }
    pub fn jump_if_reg_int(&mut self, reg: Reg, value: u16, target: Label) {
        self.emit_jump_op(Op::JumpIfRegInt { reg, value, target: target.0 });
    }
    pub fn yield_star(&mut self, iter: Reg, mode: Reg, done: Label) {
        self.emit_jump_op(Op::YieldStar { iter, mode, done: done.0 });
    }
    pub fn for_in_next(&mut self, iter: Reg, done: Label) {
        self.emit_jump_op(Op::ForInNext { iter, done: done.0 });
    }

    /// Adds a handler range [start, end) -> handler (innermost ranges must be added first).
    pub fn add_handler(&mut self, start: Label, end: Label, handler: Label) {
        self.handlers.push((start, end, handler));
    }

    // ----- constants -----

    pub fn add_const(&mut self, v: Value) -> u32 {
        if let Some(&i) = self.const_map.get(&v.bits()) {
            return i;
        }
        let i = self.consts.len() as u32;
        self.consts.push(v);
        self.const_map.insert(v.bits(), i);
        i
    }

    /// A constant that is never shared (code blocks, template lists).
    pub fn add_unique_const(&mut self, v: Value) -> u32 {
        self.consts.push(v);
        self.consts.len() as u32 - 1
    }

    pub fn new_ic(&mut self) -> u32 {
        self.feedback += 1;
        self.feedback - 1
    }

    // ----- registers -----

    pub fn alloc(&mut self) -> Res<Reg> {
        self.alloc_n(1)
    }

    /// Allocates `n` consecutive registers and returns the first.
    pub fn alloc_n(&mut self, n: u32) -> Res<Reg> {
        let r = self.next_reg;
        self.next_reg += n;
        if self.next_reg >= u16::MAX as u32 {
            return Err(syntax_error("function uses too many registers", self.cur_pos));
        }
        self.max_reg = self.max_reg.max(self.next_reg);
        Ok(r as Reg)
    }

    pub fn mark(&self) -> u32 {
        self.next_reg
    }

    pub fn release(&mut self, mark: u32) {
        debug_assert!(mark <= self.next_reg);
        self.next_reg = mark;
    }

    // ----- finishing -----

    fn resolve(&self, l: u32) -> u32 {
        let pc = self.labels[l as usize];
        assert!(pc != UNBOUND, "unbound label");
        pc
    }

    pub fn finish(mut self, name: Value, source: Rc<Source>, span: (u32, u32), length: u32) -> CodeParts {
        for &pc in &self.fixups {
            let op = &mut self.ops[pc];
            let t = match op {
                Op::Jump(t)
                | Op::JumpIfTrue(t)
                | Op::JumpIfFalse(t)
                | Op::JumpIfNullish(t)
                | Op::JumpIfNotNullish(t)
                | Op::JumpIfUndefined(t)
                | Op::JumpIfNotUndefined(t)
                | Op::IteratorStep { done: t, .. }
                | Op::ResumeMode { next: t, .. }
                | Op::IterResultValue { done: t }
                | Op::CallIteratorMethod { missing: t, .. }
                | Op::JumpIfRegInt { target: t, .. }
                | Op::YieldStar { done: t, .. }
                | Op::ForInNext { done: t, .. } => t,
                _ => unreachable!("fix-up on a non-jump op"),
            };
            *t = self.labels[*t as usize];
            assert!(*t != UNBOUND, "unbound label");
        }
        let handlers = self
            .handlers
            .iter()
            .map(|&(s, e, h)| Handler { start: self.resolve(s.0), end: self.resolve(e.0), handler: self.resolve(h.0) })
            .filter(|h| h.start < h.end)
            .collect();
        CodeParts {
            name,
            ops: self.ops,
            consts: self.consts,
            handlers,
            nparams: self.nparams,
            length,
            nregs: self.max_reg,
            flags: self.flags,
            source,
            span,
            positions: self.positions,
            callee_spans: self.callee_spans,
            feedback_slots: self.feedback,
            template_slots: self.templates,
        }
    }
}
