//! The register + accumulator instruction set (Ignition's model), code blocks
//! (function templates) with exception handler tables and feedback slots, and
//! the disassembler behind `sable --print-bytecode`.
//!
//! Conventions: binary operators compute `acc = reg OP acc`; stores take the
//! value from the accumulator and leave it there; jumps hold absolute targets.

use std::cell::Cell as StdCell;
use std::fmt::Write as _;
use std::rc::Rc;

use crate::impl_cell;
use crate::vm::heap::{CellHeader, CellKind, EdgeKind, EdgeName, Gc, Heap, Space, Trace, Visitor, WeakSweep, header_for};
use crate::vm::object::{JsString, Shape};
use crate::vm::value::Value;

pub type Reg = u16;
/// Marks "no register" in optional register operands.
pub(crate) const NO_REG: Reg = u16::MAX;

/// One instruction. Frame layout: registers r0..r(nparams-1) hold the formal
/// parameters (missing arguments are undefined; the raw argument list stays
/// available to CreateArguments / CreateRestArray); all other registers start
/// as undefined. `acc` is the accumulator. Unless stated otherwise an op reads
/// its input from acc and writes its result to acc.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Nop,
    LdaUndefined,
    LdaNull,
    LdaTrue,
    LdaFalse,
    /// acc = EMPTY (the TDZ marker for uninitialised let/const/class bindings).
    LdaEmpty,
    LdaInt(i32),
    /// acc = consts[i] (a number, string or other constant).
    LdaConst(u32),
    Ldar(Reg),
    Star(Reg),
    /// Mov(src, dst): dst = src (acc unchanged).
    Mov(Reg, Reg),
    /// acc = this. Throws ReferenceError in a derived constructor before super().
    /// Sloppy functions already see the global object for undefined/null this.
    LdaThis,
    LdaNewTarget,
    /// acc = the running function object.
    LdaFunction,
    /// ReferenceError "Cannot access 'NAME' before initialization" if acc is EMPTY;
    /// operand: constant index of NAME.
    ThrowIfEmpty(u32),
    /// TypeError "Assignment to constant variable."; operand: name constant.
    ThrowConstAssign(u32),
    /// Throws a TypeError with the message constant.
    ThrowTypeError(u32),

    /// Pushes a new environment with N slots (all EMPTY) whose parent is the current one.
    PushEnv(u32),
    /// current environment = its parent.
    PopEnv,
    /// Replaces the current environment with a fresh copy of itself (same parent,
    /// same slot values): per-iteration `let` bindings of `for` loops.
    CopyEnv,
    /// acc = env(depth).slots[slot]; depth 0 is the current environment, 1 its parent...
    /// Environments of enclosing functions continue the chain (a closure's
    /// environment is the one current when CreateClosure ran).
    LdaEnv {
        depth: u16,
        slot: u16,
    },
    StaEnv {
        depth: u16,
        slot: u16,
    },
    /// reg = current environment (so a handler can restore it).
    SaveEnv(Reg),
    /// current environment = reg.
    RestoreEnv(Reg),

    /// acc = value of global NAME: the realm's global lexical bindings (let/const/class
    /// of scripts) first, then the global object; ReferenceError "NAME is not defined"
    /// if missing; ReferenceError on a TDZ binding. `ic` is a feedback slot.
    LdaGlobal {
        name: u32,
        ic: u32,
    },
    /// Like LdaGlobal but yields undefined for a missing name (typeof x).
    LdaGlobalOrUndefined {
        name: u32,
    },
    /// Assigns acc to global NAME (lexical binding first: TypeError if const,
    /// ReferenceError if in TDZ). Missing name: strict -> ReferenceError, sloppy ->
    /// creates a global object property.
    StaGlobal {
        name: u32,
        strict: bool,
    },
    /// Script prologue: creates global var NAME (undefined) unless it exists.
    DeclareGlobalVar(u32),
    /// Script prologue: defines global function NAME with the closure in acc.
    DeclareGlobalFunction(u32),
    /// Script prologue: creates a global lexical binding in TDZ. SyntaxError
    /// "Identifier 'NAME' has already been declared" if it already exists.
    DeclareGlobalLex {
        name: u32,
        is_const: bool,
    },
    /// Initialises global lexical binding NAME with acc (leaves TDZ).
    InitGlobalLex(u32),

    /// acc = reg[obj][NAME] (obj may be a primitive: ToObject semantics for
    /// lookup, TypeError for undefined/null "Cannot read properties of undefined (reading 'NAME')").
    GetNamed {
        obj: Reg,
        name: u32,
        ic: u32,
    },
    /// reg[obj][NAME] = acc (acc unchanged). strict: failure throws TypeError.
    SetNamed {
        obj: Reg,
        name: u32,
        ic: u32,
        strict: bool,
    },
    /// acc = reg[obj][acc] (acc holds the key, any value).
    GetKeyed {
        obj: Reg,
    },
    /// reg[obj][reg[key]] = acc.
    SetKeyed {
        obj: Reg,
        key: Reg,
        strict: bool,
    },
    /// Object literal: CreateDataProperty(reg[obj], NAME, acc).
    DefineNamed {
        obj: Reg,
        name: u32,
    },
    /// Object literal / class field: CreateDataProperty(reg[obj], ToPropertyKey(reg[key]), acc).
    DefineKeyed {
        obj: Reg,
        key: Reg,
    },
    /// acc = function. Defines it on reg[obj] under key reg[key] and sets the
    /// function's `name` from the key ("get "/"set " prefix for accessors).
    /// kind 0: data method (writable, configurable, enumerable = `enumerable`);
    /// 1: getter; 2: setter (accessor, configurable, enumerable = `enumerable`).
    DefineMethod {
        obj: Reg,
        key: Reg,
        kind: u8,
        enumerable: bool,
    },
    /// acc = delete reg[obj][NAME] (boolean). strict: failure throws TypeError.
    DeleteNamed {
        obj: Reg,
        name: u32,
        strict: bool,
    },
    /// acc = delete reg[obj][acc].
    DeleteKeyed {
        obj: Reg,
        strict: bool,
    },
    /// acc = super[reg[key]] (HomeObject.[[Prototype]] lookup with this as receiver).
    GetSuper {
        key: Reg,
    },
    /// super[reg[key]] = acc.
    SetSuper {
        key: Reg,
        strict: bool,
    },
    /// Copies own enumerable properties of acc into reg[target] (object spread `{...x}`).
    CopyDataProperties {
        target: Reg,
    },
    /// acc = new object with own enumerable props of reg[source] except the keys
    /// in registers [excl, excl+count) (object rest in destructuring).
    ObjectRest {
        source: Reg,
        excl: Reg,
        count: u16,
    },
    /// Sets [[HomeObject]] of the function in acc to reg (methods, for `super`).
    SetHomeObject(Reg),
    /// Sets the `name` of the anonymous function/class in acc to the property key
    /// in reg (prefix 0 none, 1 "get ", 2 "set "), if it has no own name yet.
    SetFunctionName {
        key: Reg,
        prefix: u8,
    },
    /// acc = ToPropertyKey(acc) (a string or symbol value).
    ToPropertyKey,

    /// acc = new ordinary object ({}).
    CreateObject,
    /// acc = new empty array ([]).
    CreateArray,
    /// Appends acc to the array in reg.
    ArrayPush(Reg),
    /// Appends a hole to the array in reg (length + 1).
    ArrayPushHole(Reg),
    /// Appends every value of the iterable in acc to the array in reg (spread).
    ArraySpread(Reg),
    /// acc = new closure of the Code constant, capturing the current environment
    /// (arrows also capture this, new.target and the home object).
    CreateClosure(u32),
    /// Class definition. `code`: constant index of the constructor's Code
    /// (the compiler synthesises a default constructor if none is written).
    /// `parent`: register with the heritage value, or NO_REG. Creates the
    /// prototype object (in reg[proto]) and the constructor F (in acc) with
    /// F.prototype / prototype.constructor / [[HomeObject]] = prototype set up.
    CreateClass {
        code: u32,
        parent: Reg,
        proto: Reg,
    },
    /// Installs the function in acc as the instance-field initialiser of the class
    /// constructor in reg: it is called with the new instance as `this` right
    /// after the instance is created (base) or super() returns (derived).
    SetClassFields(Reg),
    /// acc = an unmapped arguments object of the current call's actual arguments.
    CreateArguments,
    /// acc = array of the actual arguments from index N on (rest parameter).
    CreateRestArray(u16),
    /// acc = the frozen template object for a tagged template. consts[list] is a
    /// List object [cooked0, raw0, cooked1, raw1, ...]; `slot` < template slot
    /// count caches it per site.
    GetTemplateObject {
        list: u32,
        slot: u32,
    },
    /// acc = new RegExp(consts[pattern], consts[flags]).
    CreateRegExp {
        pattern: u32,
        flags: u32,
    },

    Add(Reg),
    Sub(Reg),
    Mul(Reg),
    Div(Reg),
    Mod(Reg),
    Exp(Reg),
    BitAnd(Reg),
    BitOr(Reg),
    BitXor(Reg),
    Shl(Reg),
    Shr(Reg),
    UShr(Reg),
    Eq(Reg),
    Ne(Reg),
    StrictEq(Reg),
    StrictNe(Reg),
    Lt(Reg),
    Gt(Reg),
    Le(Reg),
    Ge(Reg),
    /// acc = reg instanceof acc.
    InstanceOf(Reg),
    /// acc = reg in acc (TypeError if acc is not an object).
    In(Reg),
    Neg,
    /// acc = ToNumber(acc) (unary +).
    ToNumber,
    /// acc = ToNumeric(acc) (before postfix ++/--).
    ToNumeric,
    BitNot,
    Not,
    TypeOf,
    Inc,
    Dec,
    /// acc = ToString(acc) (template literal substitutions).
    ToStringOp,

    Jump(u32),
    /// Jumps if ToBoolean(acc).
    JumpIfTrue(u32),
    JumpIfFalse(u32),
    JumpIfNullish(u32),
    JumpIfNotNullish(u32),
    JumpIfUndefined(u32),
    JumpIfNotUndefined(u32),

    /// acc = Call(reg[callee], reg[this], regs[args .. args+argc]).
    Call {
        callee: Reg,
        this: Reg,
        args: Reg,
        argc: u16,
    },
    /// Arguments come from the array in reg[args].
    CallSpread {
        callee: Reg,
        this: Reg,
        args: Reg,
    },
    /// acc = Construct(reg[callee], regs[args .. args+argc]) with new.target = callee.
    New {
        callee: Reg,
        args: Reg,
        argc: u16,
    },
    NewSpread {
        callee: Reg,
        args: Reg,
    },
    /// super(...): constructs the parent class with the frame's new.target,
    /// binds `this` (ReferenceError if already bound), runs field initialisers; acc = this.
    SuperCall {
        args: Reg,
        argc: u16,
    },
    SuperCallSpread {
        args: Reg,
    },
    /// `eval(...)` written directly: calls it like Call with this = undefined
    /// (a direct eval currently behaves as an indirect, global eval).
    CallEval {
        callee: Reg,
        args: Reg,
        argc: u16,
    },
    Return,
    Throw,

    /// Generator start, after the prologue: creates the generator object
    /// (prototype from the function's `prototype`, else %GeneratorPrototype%),
    /// stores it in reg, saves the frame into it and returns it to the caller.
    InitialYield(Reg),
    /// Suspends the generator in reg: saves the frame and returns
    /// {value: acc, done: false} to the resumer. On resumption acc is the sent
    /// value and reg + 1 holds the resume mode (0 next, 1 throw, 2 return).
    Yield(Reg),
    /// Like Yield, but hands acc to the resumer unchanged (yield*: the inner
    /// iterator's result object).
    YieldRaw(Reg),
    /// Dispatches on the resume mode in reg[mode]: 0 jumps to `next`, 1 throws
    /// acc, 2 falls through (to the code that returns acc).
    ResumeMode {
        mode: Reg,
        next: u32,
    },
    /// One step of yield* over the iterator in reg[iter] (its `next` method in
    /// iter + 1): sends acc by the resume mode in reg[mode] to next / throw /
    /// return. Jumps to `done` with acc = the final value when the inner
    /// iterator finishes; otherwise sets reg[mode] to 0 with acc = the inner
    /// result to yield, or to 2 with acc = the value to return.
    YieldStar {
        iter: Reg,
        mode: Reg,
        done: u32,
    },
    /// reg = GetIterator(acc, async) (an async-from-sync wrapper for sync
    /// iterables); reg + 1 = its `next` method.
    GetAsyncIterator(Reg),
    /// acc is an iterator result: TypeError unless it is an object; jumps to
    /// `done` if it is done, else acc = its value.
    IterResultValue {
        done: u32,
    },
    /// acc = reg[iter].throw(reg[arg]) (which = 1) or .return(reg[arg])
    /// (which = 2; arg NO_REG calls it with no arguments), or a jump to
    /// `missing` when the iterator has no such method.
    CallIteratorMethod {
        iter: Reg,
        arg: Reg,
        which: u16,
        missing: u32,
    },
    /// Jumps to `target` if reg holds the int `value` (resume-mode dispatch).
    JumpIfRegInt {
        reg: Reg,
        value: u16,
        target: u32,
    },
    /// TypeError with the message constant unless acc is an object.
    ThrowIfNotObject(u32),
    /// First op of an async function: reg = a new async state object,
    /// reg + 2 = the result promise.
    AsyncStart(Reg),
    /// `await acc` in the async function whose state is in reg: PromiseResolve
    /// and then-callbacks that resume the frame, then suspends and returns
    /// the result promise to the caller. On resumption acc is the settled value
    /// and reg + 1 the mode (0 fulfilled, 1 rejected: ResumeMode throws).
    Await(Reg),
    /// The async function's outermost handler: rejects the result promise
    /// (reg + 2) with acc and returns the promise. (A Return in an async
    /// function resolves the promise with acc and returns the promise.)
    AsyncReject(Reg),

    /// reg[dst] = GetIterator(acc); reg[dst + 1] = its `next` method.
    GetIterator(Reg),
    /// Calls next; jumps to `done` when the result is done, else acc = its value.
    IteratorStep {
        iter: Reg,
        done: u32,
    },
    /// Calls reg[iter].return() if present (break/return out of for-of, destructuring).
    IteratorClose(Reg),
    /// reg = a for-in iterator over the enumerable string keys of acc and its prototypes.
    ForInPrepare(Reg),
    /// acc = next key (a string), or jump to `done` when exhausted.
    ForInNext {
        iter: Reg,
        done: u32,
    },
    Debugger,
    /// Collects garbage if due and serves termination and interrupt requests:
    /// emitted every few thousand instructions of straight-line code, which
    /// has no loop back-edge or call where that happens otherwise.
    Safepoint,
}

/// A try range: exceptions raised at pc in [start, end) jump to `handler`.
#[derive(Clone, Copy, Debug)]
pub struct Handler {
    pub start: u32,
    pub end: u32,
    pub handler: u32,
}

/// A property inline cache: shape seen -> slot of the property.
#[derive(Clone, Copy, Default)]
pub struct PropertyIc {
    pub shape: Option<Gc<Shape>>,
    pub slot: u32,
}

/// Source text shared by every code block compiled from one script.
pub struct Source {
    /// A process-wide script id (heap snapshot locations, profiles).
    pub id: u32,
    pub name: String,
    pub text: String,
    /// Byte offsets of line starts (for line/column of a position).
    pub line_starts: Vec<u32>,
}

impl Source {
    pub fn new(name: String, text: String) -> Source {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        static NEXT_SCRIPT_ID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
        let id = NEXT_SCRIPT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Source { id, name, text, line_starts }
    }
    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let col = self.text[self.line_starts[line] as usize..(offset as usize).min(self.text.len())].chars().count();
        (line as u32 + 1, col as u32 + 1)
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct CodeFlags {
    pub strict: bool,
    pub arrow: bool,
    pub method: bool,
    pub class_constructor: bool,
    pub derived: bool,
    pub uses_this: bool,
    pub needs_arguments: bool,
    pub is_script: bool,
    pub generator: bool,
    pub is_async: bool,
    /// Async functions: the first of three registers holding the async state
    /// (a generator-like object with the saved frame), the resume mode and the
    /// result promise.
    pub async_reg: Reg,
}

/// A compiled function template: immutable after compilation except feedback.
#[repr(C)]
pub struct Code {
    header: CellHeader,
    pub name: Value,
    pub ops: Vec<Op>,
    pub consts: Vec<Value>,
    pub handlers: Vec<Handler>,
    /// Number of parameter registers (r0..); `length` is the JS-visible arity.
    pub nparams: u32,
    pub length: u32,
    pub nregs: u32,
    pub flags: CodeFlags,
    pub source: Rc<Source>,
    /// Byte span of the function's source text (Function.prototype.toString).
    pub span: (u32, u32),
    /// (pc, source offset) pairs, ascending by pc.
    pub positions: Vec<(u32, u32)>,
    /// (pc, start, end): the callee's source text of each call, ascending by pc.
    pub callee_spans: Vec<(u32, u32, u32)>,
    pub feedback: Vec<StdCell<PropertyIc>>,
    /// Cached template objects for GetTemplateObject.
    pub templates: Vec<StdCell<Value>>,
}
impl_cell!(Code, CellKind::Code, "Code");

impl Trace for Code {
    /// The bytecode and its metadata (constants, handlers, position tables,
    /// feedback); the shared script source is counted once per script as
    /// `external_script_source_size`, not here.
    fn malloc_size(&self) -> usize {
        use std::mem::size_of;
        self.ops.capacity() * size_of::<Op>()
            + self.consts.capacity() * size_of::<Value>()
            + self.handlers.capacity() * size_of::<Handler>()
            + self.positions.capacity() * size_of::<(u32, u32)>()
            + self.callee_spans.capacity() * size_of::<(u32, u32, u32)>()
            + self.feedback.capacity() * size_of::<StdCell<PropertyIc>>()
            + self.templates.capacity() * size_of::<StdCell<Value>>()
    }
    fn trace(&self, v: &mut dyn Visitor) {
        v.edge(EdgeKind::Internal, EdgeName::Str("name"), self.name);
        for (i, &c) in self.consts.iter().enumerate() {
            v.edge(EdgeKind::Internal, EdgeName::Index(i as u32), c);
        }
        for ic in &self.feedback {
            if let Some(s) = ic.get().shape {
                v.edge(EdgeKind::Weak, EdgeName::Str("feedback"), s.value());
            }
        }
        for t in &self.templates {
            v.edge(EdgeKind::Internal, EdgeName::Str("template"), t.get());
        }
    }

    /// An inline cache whose shape died is reset: a new shape could later be
    /// allocated at the same address and must not hit the stale entry.
    fn clear_dead_weak(&mut self, sweep: &mut WeakSweep<'_>) {
        for ic in &self.feedback {
            if let Some(s) = ic.get().shape
                && !sweep.is_live(s.value())
            {
                ic.set(PropertyIc::default());
            }
        }
    }
}

impl Code {
    pub fn alloc(heap: &mut Heap, code: CodeParts) -> Gc<Code> {
        heap.malloced_bytes += code.ops.len() * std::mem::size_of::<Op>() + code.consts.len() * 8;
        heap.alloc(
            Space::Code,
            Code {
                header: header_for::<Code>(),
                name: code.name,
                ops: code.ops,
                consts: code.consts,
                handlers: code.handlers,
                nparams: code.nparams,
                length: code.length,
                nregs: code.nregs,
                flags: code.flags,
                source: code.source,
                span: code.span,
                positions: code.positions,
                callee_spans: code.callee_spans,
                feedback: (0..code.feedback_slots).map(|_| StdCell::new(PropertyIc::default())).collect(),
                templates: (0..code.template_slots).map(|_| StdCell::new(Value::UNDEFINED)).collect(),
            },
        )
    }

    /// Source offset of the instruction at `pc`.
    pub fn position_of(&self, pc: usize) -> u32 {
        match self.positions.binary_search_by_key(&(pc as u32), |&(p, _)| p) {
            Ok(i) => self.positions[i].1,
            Err(0) => self.span.0,
            Err(i) => self.positions[i - 1].1,
        }
    }

    /// The callee of the call at `pc` as written in the source (whitespace
    /// runs collapsed, long text shortened), as V8 names it in "... is not a
    /// function". None for calls the compiler made up (iteration protocol...).
    pub fn callee_text(&self, pc: usize) -> Option<String> {
        let i = self.callee_spans.binary_search_by_key(&(pc as u32), |&(p, _, _)| p).ok()?;
        let (_, start, end) = self.callee_spans[i];
        let text = self.source.text.get(start as usize..end as usize)?;
        let mut out = String::new();
        for word in text.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        if out.chars().count() > 80 {
            out = out.chars().take(77).collect::<String>() + "...";
        }
        Some(out)
    }

    pub fn name_string(&self) -> String {
        if self.name.is_cell() { Gc::<JsString>::from_value(self.name).to_rust_string() } else { String::new() }
    }

    /// A human-readable listing of this function and the functions nested in it.
    pub fn disassemble(&self) -> String {
        let mut out = String::new();
        let name = self.name_string();
        let _ = writeln!(
            out,
            "[function {}] params: {}, registers: {}, strict: {}",
            if name.is_empty() { "<anonymous>" } else { &name },
            self.nparams,
            self.nregs,
            self.flags.strict
        );
        for (pc, op) in self.ops.iter().enumerate() {
            let _ = write!(out, "  {pc:4}  {op:?}");
            let c = match *op {
                Op::LdaConst(c) | Op::CreateClosure(c) => Some(c),
                Op::GetNamed { name, .. } | Op::SetNamed { name, .. } | Op::LdaGlobal { name, .. } => Some(name),
                Op::StaGlobal { name, .. } | Op::DefineNamed { name, .. } => Some(name),
                _ => None,
            };
            if let Some(c) = c
                && let Some(&v) = self.consts.get(c as usize)
            {
                let _ = write!(out, "    ; {}", describe_const(v));
            }
            out.push('\n');
        }
        for h in &self.handlers {
            let _ = writeln!(out, "  handler [{}, {}) -> {}", h.start, h.end, h.handler);
        }
        for &c in &self.consts {
            if let Some(code) = Gc::<Code>::try_from_value(c) {
                out.push('\n');
                out.push_str(&code.disassemble());
            }
        }
        out
    }
}

fn describe_const(v: Value) -> String {
    if let Some(s) = Gc::<JsString>::try_from_value(v) {
        format!("{:?}", s.to_rust_string())
    } else if let Some(c) = Gc::<Code>::try_from_value(v) {
        format!("<function {}>", c.name_string())
    } else if v.is_number() {
        format!("{}", v.as_number())
    } else {
        format!("{v:?}")
    }
}

/// Everything the compiler produces for one function.
pub struct CodeParts {
    pub name: Value,
    pub ops: Vec<Op>,
    pub consts: Vec<Value>,
    pub handlers: Vec<Handler>,
    pub nparams: u32,
    pub length: u32,
    pub nregs: u32,
    pub flags: CodeFlags,
    pub source: Rc<Source>,
    pub span: (u32, u32),
    pub positions: Vec<(u32, u32)>,
    pub callee_spans: Vec<(u32, u32, u32)>,
    pub feedback_slots: u32,
    pub template_slots: u32,
}
