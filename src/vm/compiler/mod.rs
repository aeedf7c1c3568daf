//! Bytecode compiler: turns JavaScript source (parsed by oxc) into [`Code`] cells.
//!
//! Pipeline: oxc parser -> oxc semantic analysis (scopes, symbols, early errors)
//! -> capture analysis ([`scope`]) -> one [`builder::FuncState`] per function,
//! filled by the statement ([`stmt`]), expression ([`expr`]), function/class
//! ([`func`]) and destructuring ([`pattern`]) generators.
//!
//! Bindings that are only referenced from their own function live in
//! registers; bindings referenced from nested functions live in heap
//! environments (PushEnv/PopEnv). Top-level `var`/function declarations of a
//! script are global object properties and top-level lexical declarations are
//! global lexical bindings (resolved by name at run time).

mod builder;
mod expr;
mod front_end;
mod func;
mod parse_arena;

pub(crate) use parse_arena::Region as ParseRegion;
mod pattern;
mod scope;
mod stmt;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use oxc_ast::ast::Program;
use oxc_semantic::{AstNodes, Scoping};
use oxc_syntax::reference::ReferenceId;
use oxc_syntax::scope::ScopeId;
use oxc_syntax::symbol::SymbolId;

use crate::vm::bytecode::{Code, Source};
use crate::vm::heap::Gc;
use crate::vm::isolate::Vm;

use builder::FuncState;
use scope::{BindInfo, BindKey, Region};

/// The kind of error a compilation failure is reported as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompileErrorKind {
    SyntaxError,
    ReferenceError,
    /// Source nested too deeply for the native stack (V8 reports a RangeError too).
    RangeError,
    /// Valid JavaScript using a feature Sable does not implement yet. Thrown
    /// as a plain `Error`, never a SyntaxError: a test or host checking for
    /// an early error must not take a missing feature for one.
    Unsupported,
    /// Compilation stopped because termination was requested (or an
    /// interrupt callback terminated): not an error of the source, and never
    /// thrown as one. [`CompileError::into_unwind`] hands the unwind on.
    Stopped(crate::vm::Unwind),
}

impl CompileErrorKind {
    /// The JS error thrown for a compilation failure of this kind.
    pub fn error_type(self) -> crate::vm::runtime::errors::ErrorType {
        use crate::vm::runtime::errors::ErrorType;
        match self {
            CompileErrorKind::SyntaxError => ErrorType::SyntaxError,
            CompileErrorKind::ReferenceError => ErrorType::ReferenceError,
            CompileErrorKind::RangeError => ErrorType::RangeError,
            CompileErrorKind::Unsupported | CompileErrorKind::Stopped(_) => ErrorType::Error,
        }
    }
}

/// A compilation failure: parse errors, early errors and unsupported features.
#[derive(Clone, Debug)]
pub struct CompileError {
    pub kind: CompileErrorKind,
    pub message: String,
    /// Byte offset in the source text.
    pub offset: u32,
}

impl CompileError {
    /// How the failure leaves the VM: the exception thrown for it, or the
    /// termination that stopped the compilation.
    pub fn into_unwind(self, vm: &mut Vm) -> crate::vm::Unwind {
        match self.kind {
            CompileErrorKind::Stopped(unwind) => unwind,
            kind => vm.throw_error(kind.error_type(), &self.message),
        }
    }

    /// The compilation was stopped by `unwind` (a termination request).
    pub(crate) fn stopped(unwind: crate::vm::Unwind) -> Self {
        CompileError { kind: CompileErrorKind::Stopped(unwind), message: "compilation stopped".into(), offset: 0 }
    }
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            CompileErrorKind::SyntaxError => "SyntaxError",
            CompileErrorKind::ReferenceError => "ReferenceError",
            CompileErrorKind::RangeError => "RangeError",
            CompileErrorKind::Unsupported => "Error",
            CompileErrorKind::Stopped(_) => "Stopped",
        };
        write!(f, "{kind}: {}", self.message)
    }
}

impl std::error::Error for CompileError {}

pub(crate) type Res<T> = Result<T, CompileError>;

pub(crate) fn syntax_error(message: impl Into<String>, offset: u32) -> CompileError {
    CompileError { kind: CompileErrorKind::SyntaxError, message: message.into(), offset }
}

/// "<feature> is not supported yet" (an [`CompileErrorKind::Unsupported`] error).
pub(crate) fn unsupported(feature: &str, offset: u32) -> CompileError {
    not_supported(format!("{feature} is not supported yet"), offset)
}

/// An [`CompileErrorKind::Unsupported`] error with the whole message given.
pub(crate) fn not_supported(message: impl Into<String>, offset: u32) -> CompileError {
    CompileError { kind: CompileErrorKind::Unsupported, message: message.into(), offset }
}

/// How the top level of the compiled program binds its declarations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TopMode {
    /// A classic script: var/function -> global object, let/const/class -> global lexical.
    Script,
    /// Indirect eval: var/function -> global object unless strict; lexical -> local.
    Eval { strict: bool },
}

/// Compiles a classic script. The returned Code has flags.is_script; running it with
/// `this` = global object returns the script's completion value (value of the last
/// expression statement executed, undefined if none), like eval does.
pub fn compile_script(vm: &mut Vm, text: &str, name: &str) -> Result<Gc<Code>, CompileError> {
    compile_top(vm, text, name, TopMode::Script, false)
}

/// Indirect eval: like compile_script; `strict` forces strict mode.
pub fn compile_eval(vm: &mut Vm, text: &str, strict: bool) -> Result<Gc<Code>, CompileError> {
    compile_top(vm, text, "eval", TopMode::Eval { strict }, strict)
}

/// Compiles a module (not supported yet: always an Unsupported error).
pub fn compile_module(_vm: &mut Vm, _text: &str, _name: &str) -> Result<Gc<Code>, CompileError> {
    Err(not_supported("modules are not supported yet", 0))
}

/// The bytecode listing of a script (`sable --print-bytecode`).
pub fn disassemble_script(vm: &mut Vm, text: &str) -> Result<String, CompileError> {
    let code = compile_script(vm, text, "<script>")?;
    Ok(code.disassemble())
}

/// Native stack the recursive code generator may use before failing cleanly.
const COMPILER_STACK_BUDGET: usize = 1 << 20;

/// Prepended to strict eval code.
pub(crate) const STRICT_PREFIX: &str = "'use strict';";

/// How many times a parse that outgrew its arena is retried in a bigger one
/// (after a collection or a near-heap-limit callback made room) before the
/// compilation fails with out-of-memory.
const PARSE_RETRIES: u32 = 8;

fn compile_top(vm: &mut Vm, text: &str, name: &str, mode: TopMode, force_strict: bool) -> Res<Gc<Code>> {
    // oxc has no "strict script" source type: strict eval code gets a directive prefix
    // (on the same line, so line numbers are unchanged).
    let owned;
    let text = if force_strict {
        owned = format!("{STRICT_PREFIX}{text}");
        owned.as_str()
    } else {
        text
    };
    compile_parsed(vm, text, name, mode, force_strict, PARSE_RETRIES)
}

/// Parses `text` into an arena as big as the heap's headroom and compiles
/// it. A parse that outgrows the arena asks the heap for more room than the
/// arena had, as any allocation at the limit does (a collection, then the
/// near-heap-limit callbacks), and starts again in a bigger arena, or fails
/// with out-of-memory.
fn compile_parsed(vm: &mut Vm, text: &str, name: &str, mode: TopMode, force_strict: bool, retries: u32) -> Res<Gc<Code>> {
    let headroom = vm.heap.limit.saturating_sub(vm.heap.used_bytes());
    let arena = parse_arena::ParseArena::bounded(vm.parse_region.take(), headroom);
    let compiled = compile_in(vm, &arena, text, name, mode, force_strict);
    let had = arena.capacity().unwrap_or(usize::MAX);
    vm.parse_region = arena.into_region();
    match compiled {
        Ok(Some(code)) => Ok(code),
        Err(e) => Err(e),
        Ok(None) if retries == 0 => Err(CompileError::stopped(vm.out_of_memory_because("Reached heap limit (parsing)", true))),
        Ok(None) => {
            vm.reserve(had.saturating_add(1)).map_err(CompileError::stopped)?;
            compile_parsed(vm, text, name, mode, force_strict, retries - 1)
        }
    }
}

/// Parses `text` into `arena` and compiles it; None if the arena is too small.
fn compile_in(vm: &mut Vm, arena: &parse_arena::ParseArena, text: &str, name: &str, mode: TopMode, force_strict: bool) -> Res<Option<Gc<Code>>> {
    let Some(front) = front_end::parse_and_analyze(vm, arena, text)? else {
        return Ok(None);
    };
    let (program, semantic) = front.parts();
    let source = Rc::new(Source::new(name.to_string(), text.to_string()));
    let mut c = Compiler::new(vm, program, semantic.scoping(), semantic.nodes(), source, mode);
    c.strict_prefix = force_strict;
    let here = crate::vm::heap::current_stack_position();
    c.stack_limit = here.saturating_sub(COMPILER_STACK_BUDGET).max(crate::vm::isolate::native_stack_floor());
    if c.vm.stack_base != 0 {
        c.stack_limit = c.stack_limit.max(c.vm.native_stack_limit);
    }
    c.analyze();
    c.compile_program(program).map(Some)
}

/// State shared by the whole compilation of one script.
pub(crate) struct Compiler<'a, 's> {
    pub(crate) vm: &'s mut Vm,
    pub(crate) text: &'a str,
    pub(crate) source: Rc<Source>,
    pub(crate) scoping: &'s Scoping,
    pub(crate) nodes: &'s AstNodes<'a>,
    pub(crate) mode: TopMode,
    /// Bindings referenced from a function other than their own.
    pub(crate) captured: HashSet<BindKey>,
    /// Unresolved `arguments` references -> the function scope providing them.
    pub(crate) args_of_ref: HashMap<ReferenceId, ScopeId>,
    /// Function scopes whose `arguments` object is referenced.
    pub(crate) args_used: HashSet<ScopeId>,
    /// Where each binding lives (filled at scope entry).
    pub(crate) binds: HashMap<BindKey, BindInfo>,
    /// Lexical bindings known to be initialised at the current point (TDZ elision).
    pub(crate) initialized: HashSet<SymbolId>,
    /// > 0 while compiling code where TDZ elision is unsafe (switch case bodies).
    pub(crate) no_tdz_elide: u32,
    pub(crate) region_cache: HashMap<ScopeId, Option<Region>>,
    /// Lexical bindings oxc moved to a var scope (merged with an Annex B function):
    /// scope they are really declared in -> symbols.
    pub(crate) relocated: HashMap<ScopeId, Vec<SymbolId>>,
    pub(crate) relocated_syms: HashSet<SymbolId>,
    /// Native stack address below which compilation gives up (deeply nested code).
    pub(crate) stack_limit: usize,
    /// The source starts with [`STRICT_PREFIX`] (not part of the completion value).
    pub(crate) strict_prefix: bool,
    /// The function being compiled.
    pub(crate) f: FuncState,
    /// Enclosing functions being compiled.
    pub(crate) outer: Vec<FuncState>,
}

impl<'a, 's> Compiler<'a, 's> {
    /// Fails instead of overflowing the native stack on deeply nested code,
    /// and stops when termination is requested: every statement, expression
    /// and pattern passes here, so a huge source is compiled with a poll
    /// every few nodes. (The poll never collects: the compiler holds the
    /// constants and functions it made in Rust locals.)
    #[inline]
    pub(crate) fn check_stack(&mut self, offset: u32) -> Res<()> {
        if crate::vm::heap::current_stack_position() < self.stack_limit {
            return Err(CompileError {
                kind: CompileErrorKind::RangeError,
                message: "Maximum call stack size exceeded (code is nested too deeply)".into(),
                offset,
            });
        }
        self.vm.poll_requests().map_err(CompileError::stopped)
    }

    fn new(vm: &'s mut Vm, program: &'a Program<'a>, scoping: &'s Scoping, nodes: &'s AstNodes<'a>, source: Rc<Source>, mode: TopMode) -> Self {
        Compiler {
            vm,
            text: program.source_text,
            source,
            scoping,
            nodes,
            mode,
            captured: HashSet::new(),
            args_of_ref: HashMap::new(),
            args_used: HashSet::new(),
            binds: HashMap::new(),
            initialized: HashSet::new(),
            no_tdz_elide: 0,
            region_cache: HashMap::new(),
            relocated: HashMap::new(),
            relocated_syms: HashSet::new(),
            strict_prefix: false,
            stack_limit: 0,
            f: FuncState::new(0, false),
            outer: Vec::new(),
        }
    }
}
