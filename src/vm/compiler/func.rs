//! Programs, functions, arrows and classes: prologues (parameters, defaults,
//! destructuring, rest, `arguments`, hoisted declarations), global
//! declaration instantiation for scripts, and class definitions (methods,
//! accessors, fields, static blocks, synthesised constructors).

use oxc_ast::ast::*;
use oxc_span::Span;
use oxc_syntax::scope::ScopeId;

use crate::vm::bytecode::{Code, NO_REG, Op, Reg};
use crate::vm::heap::Gc;
use crate::vm::value::Value;

use super::builder::{FuncState, Label};
use super::expr::NameHint;
use super::pattern::Tgt;
use super::scope::{BKind, BindKey, Loc, ScopeCtx};
use super::{Compiler, Res, STRICT_PREFIX, not_supported, syntax_error, unsupported};

/// What kind of function body is being compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FnKind {
    Normal,
    /// Object literal and class methods, getters and setters.
    Method,
    /// A class constructor.
    Ctor {
        derived: bool,
    },
}

/// A class element evaluated by a synthesised initialiser function.
enum FieldItem<'a> {
    Field(&'a PropertyDefinition<'a>, Option<Loc>),
    Block(&'a StaticBlock<'a>),
}

impl<'a> Compiler<'a, '_> {
    // ----- function state stack -----

    pub(crate) fn begin_function(&mut self, strict: bool) {
        let level = self.f.env_level;
        let new = FuncState::new(level, strict);
        let old = std::mem::replace(&mut self.f, new);
        self.outer.push(old);
    }

    pub(crate) fn end_function(&mut self, name: &str, span: (u32, u32), length: u32) -> Gc<Code> {
        let parent = self.outer.pop().expect("function state stack");
        let f = std::mem::replace(&mut self.f, parent);
        let name = self.vm.atom(name).value();
        let parts = f.finish(name, self.source.clone(), span, length);
        Code::alloc(&mut self.vm.heap, parts)
    }

    fn emit_closure(&mut self, code: Gc<Code>) {
        let c = self.f.add_unique_const(code.value());
        self.f.emit(Op::CreateClosure(c));
    }

    // ----- programs -----

    pub(crate) fn compile_program(&mut self, program: &'a Program<'a>) -> Res<Gc<Code>> {
        let root = self.scoping.root_scope_id();
        let strict = self.scoping.scope_flags(root).is_strict_mode() || program.has_use_strict_directive();
        self.f = FuncState::new(0, strict);
        self.f.flags.is_script = true;
        let completion = self.f.alloc()?;
        self.f.completion = Some(completion);
        let mut ps = self.pending_scope();
        self.declare_scope_bindings(root, &mut ps)?;
        let _sc = self.open_scope(ps);
        self.global_declarations(program)?;
        self.hoist_functions(&program.body, true)?;
        // Directive prologues are expression statements too.
        let skip = usize::from(self.strict_prefix);
        if let Some(d) = program.directives.iter().skip(skip).last() {
            let v = self.string_value(d.expression.value.as_str(), d.expression.lone_surrogates);
            let c = self.f.add_const(v);
            self.f.emit(Op::LdaConst(c));
            self.f.emit(Op::Star(completion));
        }
        self.stmts(&program.body)?;
        self.f.emit(Op::Ldar(completion));
        self.f.emit(Op::Return);
        let f = std::mem::replace(&mut self.f, FuncState::new(0, false));
        // Scripts and eval code have no name.
        let name = Value::UNDEFINED;
        let start = if self.strict_prefix { STRICT_PREFIX.len() as u32 } else { 0 };
        let parts = f.finish(name, self.source.clone(), (start, self.text.len() as u32), 0);
        Ok(Code::alloc(&mut self.vm.heap, parts))
    }

    /// Top-level function declarations of a statement list (looking through labels).
    fn top_functions(stmts: &'a [Statement<'a>]) -> impl Iterator<Item = &'a Function<'a>> {
        stmts.iter().filter_map(|s| {
            let mut s = s;
            while let Statement::LabeledStatement(l) = s {
                s = &l.body;
            }
            match s {
                Statement::FunctionDeclaration(f) => Some(&**f),
                _ => None,
            }
        })
    }

    /// DeclareGlobalLex / DeclareGlobalVar for the global bindings of a script or sloppy eval.
    fn global_declarations(&mut self, program: &'a Program<'a>) -> Res<()> {
        let root = self.scoping.root_scope_id();
        let top_fns: std::collections::HashSet<_> =
            Self::top_functions(&program.body).filter_map(|f| f.id.as_ref().and_then(|id| id.symbol_id.get())).collect();
        let mut syms: Vec<_> = self.scoping.get_bindings(root).values().copied().collect();
        syms.sort_unstable();
        let mut lex = Vec::new();
        let mut vars = Vec::new();
        for sym in syms {
            let Some(info) = self.binding_info(sym) else {
                continue;
            };
            if info.loc != Loc::Global {
                continue;
            }
            let name = self.scoping.symbol_name(sym).to_string();
            if info.kind.lexical() {
                lex.push((name, info.kind == BKind::Const));
            } else if !top_fns.contains(&sym) {
                vars.push(name);
            }
        }
        for (name, is_const) in lex {
            let c = self.str_const(&name);
            self.f.emit(Op::DeclareGlobalLex { name: c, is_const });
        }
        for name in vars {
            let c = self.str_const(&name);
            self.f.emit(Op::DeclareGlobalVar(c));
        }
        Ok(())
    }

    /// Creates the closures of the function declarations of a statement list at scope entry.
    pub(crate) fn hoist_functions(&mut self, stmts: &'a [Statement<'a>], top: bool) -> Res<()> {
        for func in Self::top_functions(stmts) {
            let Some(id) = &func.id else { continue };
            let code = self.compile_function(func, None, FnKind::Normal, None)?;
            self.emit_closure(code);
            let sym = id.symbol_id.get().unwrap();
            let info = self.binding_info(sym);
            if top && info.is_some_and(|i| i.loc == Loc::Global) {
                let c = self.str_const(id.name.as_str());
                self.f.emit_at(Op::DeclareGlobalFunction(c), func.span.start);
            } else {
                self.store_symbol(sym, id.name.as_str(), id.span.start, true)?;
            }
        }
        Ok(())
    }

    // ----- functions -----

    pub(crate) fn function_expr(&mut self, func: &'a Function<'a>, name: Option<&str>) -> Res<()> {
        let code = self.compile_function(func, name, FnKind::Normal, None)?;
        self.emit_closure(code);
        Ok(())
    }

    pub(crate) fn arrow_expr(&mut self, a: &'a ArrowFunctionExpression<'a>, name: Option<&str>) -> Res<()> {
        let scope = a.scope_id.get().unwrap();
        let strict = self.f.strict() || self.scoping.scope_flags(scope).is_strict_mode();
        self.begin_function(strict);
        self.f.flags.arrow = true;
        self.f.flags.is_async = a.r#async;
        let (length, _sc) = self.prologue(scope, &a.params, None, true)?;
        match &a.body {
            ArrowFunctionBody::FunctionBody(body) => {
                self.hoist_functions(&body.statements, false)?;
                self.stmts(&body.statements)?;
                self.f.emit(Op::LdaUndefined);
                self.f.emit(Op::Return);
            }
            other => {
                let e = other.as_expression().expect("arrow expression body");
                self.expr(e)?;
                self.f.emit(Op::Return);
            }
        }
        self.finish_async_body();
        let code = self.end_function(name.unwrap_or(""), (a.span.start, a.span.end), length);
        self.emit_closure(code);
        Ok(())
    }

    /// Compiles a function (declaration, expression, method or constructor) to a Code.
    /// `span` overrides the source span (methods: the whole method definition).
    pub(crate) fn compile_function(&mut self, func: &'a Function<'a>, name: Option<&str>, kind: FnKind, span: Option<Span>) -> Res<Gc<Code>> {
        let Some(body) = &func.body else {
            return Err(syntax_error("function body expected", func.span.start));
        };
        let scope = func.scope_id.get().unwrap();
        let strict = self.f.strict() || self.scoping.scope_flags(scope).is_strict_mode();
        self.begin_function(strict);
        match kind {
            FnKind::Normal => {}
            FnKind::Method => self.f.flags.method = true,
            FnKind::Ctor { derived } => {
                self.f.flags.class_constructor = true;
                self.f.flags.derived = derived;
            }
        }
        self.f.flags.is_async = func.r#async;
        self.f.flags.generator = func.generator;
        let self_name = if func.r#type == FunctionType::FunctionExpression {
            func.id.as_ref().and_then(|id| id.symbol_id.get().map(|s| (s, id.name.as_str())))
        } else {
            None
        };
        let (length, _sc) = self.prologue(scope, &func.params, self_name, false)?;
        self.hoist_functions(&body.statements, false)?;
        if func.generator {
            // FunctionDeclarationInstantiation is done: create the generator
            // object and return it; the body runs on the first next().
            // Registers: the generator, the resume mode, and (async generators)
            // a spare slot where Await expects an async function's promise.
            let gen_reg = self.f.alloc_n(3)?;
            self.f.generator = Some(gen_reg);
            self.f.emit(Op::InitialYield(gen_reg));
        }
        self.stmts(&body.statements)?;
        self.f.emit(Op::LdaUndefined);
        self.f.emit(Op::Return);
        self.finish_async_body();
        let fname = match (&func.id, name) {
            (Some(id), _) => id.name.as_str(),
            (None, Some(n)) => n,
            (None, None) => "",
        };
        let span = span.unwrap_or(func.span);
        let span = self.trim_static(span);
        Ok(self.end_function(fname, (span.start, span.end), length))
    }

    /// `yield* iterable` in an async generator (ECMA-262 YieldExpression
    /// evaluation, generatorKind async): drives the async iterator, awaiting
    /// each inner result and yielding its value; throw() and return()
    /// resumptions are forwarded to the inner iterator's throw / return.
    fn async_yield_star(&mut self, y: &'a YieldExpression<'a>, g: Reg) -> Res<()> {
        let arg = y.argument.as_ref().ok_or_else(|| syntax_error("yield* needs an operand", y.span.start))?;
        let pos = y.span.start;
        let mark = self.f.mark();
        let iter = self.f.alloc_n(2)?;
        let mode = self.f.alloc()?;
        let recv = self.f.alloc()?;
        let res = self.f.alloc()?;
        self.expr(arg)?;
        self.f.emit_at(Op::GetAsyncIterator(iter), pos);
        self.f.emit(Op::LdaInt(0));
        self.f.emit(Op::Star(mode));
        self.f.emit(Op::LdaUndefined);
        let (lp, l_throw, l_return, l_check, l_yield, l_done) =
            (self.f.new_label(), self.f.new_label(), self.f.new_label(), self.f.new_label(), self.f.new_label(), self.f.new_label());
        self.f.bind(lp);
        self.f.emit(Op::Star(recv));
        self.f.jump_if_reg_int(mode, 1, l_throw);
        self.f.jump_if_reg_int(mode, 2, l_return);
        self.f.emit_at(Op::Call { callee: iter + 1, this: iter, args: recv, argc: 1 }, pos);
        self.f.jump(l_check);
        // throw(): forwarded, or (no throw method) close the iterator and fail.
        self.f.bind(l_throw);
        let no_throw = self.f.new_label();
        self.f.call_iterator_method(iter, recv, 1, no_throw);
        self.f.jump(l_check);
        self.f.bind(no_throw);
        self.async_iterator_close(iter, g);
        let msg = self.str_const("The iterator does not provide a 'throw' method");
        self.f.emit(Op::ThrowTypeError(msg));
        // return(): forwarded; done means the generator returns that value.
        self.f.bind(l_return);
        let no_return = self.f.new_label();
        self.f.call_iterator_method(iter, recv, 2, no_return);
        self.emit_await(g, pos);
        let ret_done = self.f.new_label();
        self.inner_result_done(res, ret_done);
        self.f.jump(l_yield);
        self.f.bind(ret_done);
        self.jump_out(super::builder::Jump::Return, self.f.ctl.len())?;
        self.f.bind(no_return);
        self.f.emit(Op::Ldar(recv));
        self.emit_await(g, pos);
        self.jump_out(super::builder::Jump::Return, self.f.ctl.len())?;
        // next() and throw() results.
        self.f.bind(l_check);
        self.emit_await(g, pos);
        self.inner_result_done(res, l_done);
        self.f.bind(l_yield);
        self.f.emit_at(Op::YieldRaw(g), pos);
        self.f.emit(Op::Mov(g + 1, mode));
        let unwrap_return = self.f.new_label();
        self.f.jump_if_reg_int(mode, 2, unwrap_return);
        self.f.jump(lp);
        // AsyncGeneratorUnwrapYieldResumption: a return() value is awaited
        // first; a rejection becomes a throw() for the inner iterator.
        self.f.bind(unwrap_return);
        self.f.emit_at(Op::Await(g), pos);
        self.f.emit(Op::Star(recv));
        let rejected = self.f.new_label();
        self.f.jump_if_reg_int(g + 1, 1, rejected);
        self.f.emit(Op::LdaInt(2));
        self.f.emit(Op::Star(mode));
        self.f.emit(Op::Ldar(recv));
        self.f.jump(lp);
        self.f.bind(rejected);
        self.f.emit(Op::LdaInt(1));
        self.f.emit(Op::Star(mode));
        self.f.emit(Op::Ldar(recv));
        self.f.jump(lp);
        self.f.bind(l_done);
        self.f.release(mark);
        Ok(())
    }

    /// acc is an inner iterator result: TypeError unless an object; jumps to
    /// `done` with acc = its value if done, else continues with acc = its value.
    fn inner_result_done(&mut self, res: Reg, done: Label) {
        let msg = self.str_const("Iterator result is not an object");
        self.f.emit(Op::ThrowIfNotObject(msg));
        self.f.emit(Op::Star(res));
        let done_name = self.str_const("done");
        let ic = self.f.new_ic();
        self.f.emit(Op::GetNamed { obj: res, name: done_name, ic });
        let not_done = self.f.new_label();
        let value_then_done = self.f.new_label();
        self.f.jump_if_true(value_then_done);
        let value_name = self.str_const("value");
        let ic = self.f.new_ic();
        self.f.emit(Op::GetNamed { obj: res, name: value_name, ic });
        self.f.jump(not_done);
        self.f.bind(value_then_done);
        let ic = self.f.new_ic();
        self.f.emit(Op::GetNamed { obj: res, name: value_name, ic });
        self.f.jump(done);
        self.f.bind(not_done);
    }

    /// Closes an async function: its outermost handler rejects the promise.
    fn finish_async_body(&mut self) {
        if let Some(start) = self.f.async_body_start.take() {
            let end = self.f.here();
            let r = self.f.flags.async_reg;
            let handler = self.f.here();
            self.f.emit(Op::AsyncReject(r));
            self.f.add_handler(start, end, handler);
        }
    }

    /// `await x` in an async function.
    pub(crate) fn await_expr(&mut self, a: &'a AwaitExpression<'a>) -> Res<()> {
        let (Some(r), true) = (self.f.generator, self.f.flags.is_async) else {
            return Err(syntax_error("await is only valid in async functions", a.span.start));
        };
        self.expr(&a.argument)?;
        self.emit_await(r, a.span.start);
        Ok(())
    }

    /// Await(acc): suspends; resumes with acc = the value, or throws the reason.
    pub(crate) fn emit_await(&mut self, state_reg: Reg, offset: u32) {
        self.f.emit_at(Op::Await(state_reg), offset);
        let next = self.f.new_label();
        self.f.resume_mode(state_reg + 1, next);
        self.f.bind(next);
    }

    /// `yield x` and `yield* iterable` in a generator. After each suspension a
    /// ResumeMode dispatch continues (next), throws (throw) or returns the sent
    /// value through the enclosing finally blocks (return).
    pub(crate) fn yield_expr(&mut self, y: &'a YieldExpression<'a>) -> Res<()> {
        let (Some(gen_reg), true) = (self.f.generator, self.f.flags.generator) else {
            return Err(syntax_error("yield is only valid in generator functions", y.span.start));
        };
        let mode = gen_reg + 1;
        if self.f.flags.is_async {
            if y.delegate {
                return self.async_yield_star(y, gen_reg);
            }
            // AsyncGeneratorYield(? Await(value)); a return() resumption awaits
            // its value and then returns through the finally blocks.
            match &y.argument {
                Some(e) => self.expr(e)?,
                None => {
                    self.f.emit(Op::LdaUndefined);
                }
            }
            self.emit_await(gen_reg, y.span.start);
            self.f.emit_at(Op::YieldRaw(gen_reg), y.span.start);
            let next = self.f.new_label();
            self.f.resume_mode(mode, next);
            self.emit_await(gen_reg, y.span.start);
            self.jump_out(super::builder::Jump::Return, self.f.ctl.len())?;
            self.f.bind(next);
            return Ok(());
        }
        if !y.delegate {
            match &y.argument {
                Some(e) => self.expr(e)?,
                None => {
                    self.f.emit(Op::LdaUndefined);
                }
            }
            self.f.emit_at(Op::Yield(gen_reg), y.span.start);
            let next = self.f.new_label();
            self.f.resume_mode(mode, next);
            self.jump_out(super::builder::Jump::Return, self.f.ctl.len())?;
            self.f.bind(next);
            return Ok(());
        }
        let arg = y.argument.as_ref().ok_or_else(|| syntax_error("yield* needs an operand", y.span.start))?;
        let mark = self.f.mark();
        let iter = self.f.alloc_n(2)?;
        let step_mode = self.f.alloc()?;
        self.expr(arg)?;
        self.f.emit_at(Op::GetIterator(iter), y.span.start);
        self.f.emit(Op::LdaInt(0));
        self.f.emit(Op::Star(step_mode));
        self.f.emit(Op::LdaUndefined);
        let lp = self.f.here();
        let done = self.f.new_label();
        let yield_l = self.f.new_label();
        self.f.cur_pos = y.span.start;
        self.f.yield_star(iter, step_mode, done);
        self.f.resume_mode(step_mode, yield_l);
        self.jump_out(super::builder::Jump::Return, self.f.ctl.len())?;
        self.f.bind(yield_l);
        self.f.emit(Op::YieldRaw(gen_reg));
        self.f.emit(Op::Mov(mode, step_mode));
        self.f.jump(lp);
        self.f.bind(done);
        self.f.release(mark);
        Ok(())
    }

    /// Source text of a static class member excludes the `static` keyword.
    fn trim_static(&self, span: Span) -> Span {
        let text = &self.text[span.start as usize..span.end as usize];
        if let Some(rest) = text.strip_prefix("static") {
            let trimmed = skip_trivia(rest);
            if trimmed.len() < rest.len() && !trimmed.starts_with('(') {
                return Span::new(span.end - trimmed.len() as u32, span.end);
            }
        }
        span
    }

    /// Function prologue: places parameters and the function scope's bindings,
    /// creates `arguments`, the self-name binding, and evaluates defaults,
    /// destructuring and rest parameters. Returns the JS `length`.
    fn prologue(
        &mut self,
        scope: ScopeId,
        params: &'a FormalParameters<'a>,
        self_name: Option<(oxc_syntax::symbol::SymbolId, &str)>,
        arrow: bool,
    ) -> Res<(u32, ScopeCtx)> {
        let n = params.items.len() as u32;
        self.f.nparams = n;
        self.f.alloc_n(n)?;
        if self.f.flags.is_async && !self.f.flags.generator {
            // The async state, resume mode and result promise live right after
            // the parameters. Everything from here on (parameter initialisers
            // included) runs under the handler that rejects the promise.
            let r = self.f.alloc_n(3)?;
            self.f.flags.async_reg = r;
            self.f.emit(Op::AsyncStart(r));
            self.f.generator = Some(r);
            let start = self.f.here();
            self.f.async_body_start = Some(start);
        }
        let length = params.items.iter().position(|p| p.initializer.is_some()).unwrap_or(params.items.len()) as u32;
        let mut ps = self.pending_scope();
        let mut copies: Vec<(Reg, Loc)> = Vec::new();
        let simple_list =
            params.rest.is_none() && params.items.iter().all(|p| matches!(p.pattern, BindingPattern::BindingIdentifier(_)) && p.initializer.is_none());
        // Non-simple parameter lists: parameters are in TDZ until initialised in order.
        let pkind = if simple_list { BKind::Param } else { BKind::ParamTdz };
        for (i, p) in params.items.iter().enumerate() {
            match &p.pattern {
                BindingPattern::BindingIdentifier(id) if !simple_list => {
                    let key = BindKey::Sym(id.symbol_id.get().unwrap());
                    if !self.binds.contains_key(&key) {
                        self.place(key, pkind, &mut ps)?;
                    }
                }
                BindingPattern::BindingIdentifier(id) => {
                    let key = BindKey::Sym(id.symbol_id.get().unwrap());
                    if self.captured.contains(&key) {
                        let loc = match self.binds.get(&key) {
                            Some(b) => b.loc,
                            None => self.place(key, BKind::Param, &mut ps)?,
                        };
                        if p.initializer.is_none() {
                            copies.push((i as Reg, loc));
                        }
                    } else {
                        self.binds.insert(key, super::scope::BindInfo { loc: Loc::Reg(i as Reg), kind: BKind::Param });
                    }
                }
                pat => {
                    for id in binding_identifiers(pat) {
                        let key = BindKey::Sym(id.symbol_id.get().unwrap());
                        if !self.binds.contains_key(&key) {
                            self.place(key, pkind, &mut ps)?;
                        }
                    }
                }
            }
        }
        if let Some(rest) = &params.rest {
            for id in binding_identifiers(&rest.rest.argument) {
                let key = BindKey::Sym(id.symbol_id.get().unwrap());
                if !self.binds.contains_key(&key) {
                    self.place(key, pkind, &mut ps)?;
                }
            }
        }
        let args_key = BindKey::Args(scope);
        let has_args = !arrow && self.args_used.contains(&scope);
        if has_args {
            self.place(args_key, BKind::Arguments, &mut ps)?;
            self.f.flags.needs_arguments = true;
        }
        let mut self_loc = None;
        if let Some((sym, _)) = self_name {
            let key = BindKey::Sym(sym);
            if !self.binds.contains_key(&key) && !self.scoping.get_resolved_reference_ids(sym).is_empty() {
                self_loc = Some(self.place(key, BKind::FnName, &mut ps)?);
            }
        }
        self.declare_scope_bindings(scope, &mut ps)?;
        // `var arguments` in a function body is the arguments object's binding.
        let var_args = if arrow {
            None
        } else {
            self.scoping.get_bindings(scope).iter().find_map(|(name, &sym)| {
                let decl = self.scoping.symbol_span(sym);
                let in_params = self.params_span(scope).is_some_and(|p| p.start <= decl.start && decl.end <= p.end);
                (name.as_str() == "arguments" && !in_params && self.kind_of(sym) == BKind::Var).then(|| self.binds[&BindKey::Sym(sym)].loc)
            })
        };
        if var_args.is_some() {
            self.f.flags.needs_arguments = true;
        }
        let sc = self.open_scope(ps);
        if let Some(loc) = var_args {
            self.f.emit(Op::CreateArguments);
            self.store_loc_raw(loc);
        }
        for (r, loc) in copies {
            self.f.emit(Op::Ldar(r));
            self.store_loc_raw(loc);
        }
        if has_args {
            self.f.emit(Op::CreateArguments);
            let loc = self.binds[&args_key].loc;
            self.store_loc_raw(loc);
        }
        if let Some(loc) = self_loc {
            self.f.emit(Op::LdaFunction);
            self.store_loc_raw(loc);
        }
        for (i, p) in params.items.iter().enumerate() {
            if simple_list {
                break;
            }
            self.f.emit(Op::Ldar(i as Reg));
            if let Some(init) = &p.initializer {
                let hint = match &p.pattern {
                    BindingPattern::BindingIdentifier(id) => Some(id.name.as_str()),
                    _ => None,
                };
                let l = self.f.new_label();
                self.f.jump_if_not_undefined(l);
                self.expr_named(init, hint)?;
                self.f.bind(l);
            }
            self.destructure(Tgt::Pat(&p.pattern, true))?;
        }
        if let Some(rest) = &params.rest {
            self.f.emit(Op::CreateRestArray(n as u16));
            self.destructure(Tgt::Pat(&rest.rest.argument, true))?;
        }
        Ok((length, sc))
    }

    fn store_loc_raw(&mut self, loc: Loc) {
        match loc {
            Loc::Reg(r) => {
                self.f.emit(Op::Star(r));
            }
            Loc::Env { level, slot } => {
                let depth = (self.f.env_level - level) as u16;
                self.f.emit(Op::StaEnv { depth, slot });
            }
            Loc::Global => unreachable!("parameters are never global"),
        }
    }

    fn load_loc_raw(&mut self, loc: Loc) {
        match loc {
            Loc::Reg(r) => {
                self.f.emit(Op::Ldar(r));
            }
            Loc::Env { level, slot } => {
                let depth = (self.f.env_level - level) as u16;
                self.f.emit(Op::LdaEnv { depth, slot });
            }
            Loc::Global => unreachable!("hidden slots are never global"),
        }
    }

    // ----- classes -----

    /// Compiles a class definition; acc = the constructor. `decl` is the binding of a
    /// class declaration (initialised when the inner class binding would be).
    pub(crate) fn class(&mut self, class: &'a Class<'a>, name_hint: Option<&str>, decl: Option<&'a BindingIdentifier<'a>>) -> Res<()> {
        if let Some(d) = class.decorators.first() {
            return Err(unsupported("decorators", d.span.start));
        }
        let name = match (&class.id, name_hint) {
            (Some(id), _) => id.name.as_str(),
            (None, Some(n)) => n,
            (None, None) => "",
        };
        for el in &class.body.body {
            match el {
                ClassElement::MethodDefinition(m) if matches!(m.key, PropertyKey::PrivateIdentifier(_)) => {
                    return Err(not_supported("private class members are not supported yet", m.span.start));
                }
                ClassElement::PropertyDefinition(p) if matches!(p.key, PropertyKey::PrivateIdentifier(_)) => {
                    return Err(not_supported("private class members are not supported yet", p.span.start));
                }
                ClassElement::AccessorProperty(a) => {
                    return Err(unsupported("accessor property", a.span.start));
                }
                _ => {}
            }
        }
        // All parts of a class definition are strict mode code.
        let saved_strict = self.f.flags.strict;
        self.f.flags.strict = true;
        let r = self.class_inner(class, name, decl);
        self.f.flags.strict = saved_strict;
        r
    }

    fn class_inner(&mut self, class: &'a Class<'a>, name: &str, decl: Option<&'a BindingIdentifier<'a>>) -> Res<()> {
        let scope = class.scope_id.get().unwrap();
        let mut ps = self.pending_scope();
        self.declare_scope_bindings(scope, &mut ps)?;
        // Computed field keys are evaluated with the class and read by the field initialisers.
        // A class declaration's name has an inner, immutable binding of its own in the
        // class scope (oxc resolves body references to the outer symbol: remap them
        // while the body is compiled).
        let inner = match decl.and_then(|d| d.symbol_id.get()) {
            Some(sym) => {
                let loc = if self.captured.contains(&BindKey::Sym(sym)) { self.place_hidden_env_slot(&mut ps) } else { self.place_hidden_lex_reg(&mut ps)? };
                Some((sym, loc))
            }
            None => None,
        };
        let mut key_slots = Vec::new();
        for el in &class.body.body {
            if let ClassElement::PropertyDefinition(p) = el
                && p.computed
            {
                key_slots.push(Some(self.place_hidden_env_slot(&mut ps)));
                continue;
            }
            key_slots.push(None);
        }
        let sc = self.open_scope(ps);
        let outer_binding = inner.map(|(sym, loc)| {
            let old = self.binds.insert(BindKey::Sym(sym), super::scope::BindInfo { loc, kind: BKind::ClassInner });
            let was_init = self.initialized.remove(&sym);
            (sym, old, was_init)
        });
        let parent = match &class.heritage {
            Some(h) => {
                self.expr(&h.expression)?;
                let r = self.f.alloc()?;
                self.f.emit(Op::Star(r));
                r
            }
            None => NO_REG,
        };
        let derived = class.heritage.is_some();
        let proto = self.f.alloc()?;
        let ctor = self.f.alloc()?;
        let ctor_def = class.body.body.iter().find_map(|el| match el {
            ClassElement::MethodDefinition(m) if m.kind == MethodDefinitionKind::Constructor => Some(m),
            _ => None,
        });
        let code = match ctor_def {
            Some(m) => self.compile_function(&m.value, Some(name), FnKind::Ctor { derived }, Some(class.span))?,
            None => self.default_constructor(derived, name, class.span),
        };
        let code_c = self.f.add_unique_const(code.value());
        self.f.emit_at(Op::CreateClass { code: code_c, parent, proto }, class.span.start);
        self.f.emit(Op::Star(ctor));
        let mut instance = Vec::new();
        let mut statics = Vec::new();
        for (idx, el) in class.body.body.iter().enumerate() {
            let m = self.f.mark();
            match el {
                ClassElement::MethodDefinition(md) => {
                    if md.kind == MethodDefinitionKind::Constructor {
                        continue;
                    }
                    let target = if md.r#static { ctor } else { proto };
                    let key = self.f.alloc()?;
                    let kname = self.prop_key(&md.key, md.computed)?;
                    self.f.emit(Op::Star(key));
                    let code = self.compile_function(&md.value, kname.as_deref(), FnKind::Method, Some(md.span))?;
                    self.emit_closure(code);
                    self.f.emit(Op::SetHomeObject(target));
                    let kind = match md.kind {
                        MethodDefinitionKind::Get => 1,
                        MethodDefinitionKind::Set => 2,
                        _ => 0,
                    };
                    self.f.emit(Op::DefineMethod { obj: target, key, kind, enumerable: false });
                }
                ClassElement::PropertyDefinition(p) => {
                    let slot = key_slots[idx];
                    if let Some(loc) = slot {
                        self.prop_key(&p.key, true)?;
                        self.store_loc_raw(loc);
                    }
                    if p.r#static {
                        statics.push(FieldItem::Field(p, slot));
                    } else {
                        instance.push(FieldItem::Field(p, slot));
                    }
                }
                ClassElement::StaticBlock(b) => statics.push(FieldItem::Block(b)),
                ClassElement::TSIndexSignature(_) => {}
                ClassElement::AccessorProperty(a) => {
                    return Err(unsupported("accessor property", a.span.start));
                }
            }
            self.f.release(m);
        }
        if !instance.is_empty() {
            let code = self.field_initializer(&instance, class.span)?;
            self.emit_closure(code);
            self.f.emit(Op::SetHomeObject(proto));
            self.f.emit(Op::SetClassFields(ctor));
        }
        // The class binding is initialised before static elements run.
        if let Some(id) = &class.id
            && let Some(sym) = id.symbol_id.get()
            && self.binding_info(sym).is_some_and(|b| b.kind == BKind::ClassInner)
        {
            self.f.emit(Op::Ldar(ctor));
            self.store_symbol(sym, id.name.as_str(), id.span.start, true)?;
        }
        if !statics.is_empty() {
            let code = self.field_initializer(&statics, class.span)?;
            self.emit_closure(code);
            self.f.emit(Op::SetHomeObject(ctor));
            let fr = self.f.alloc()?;
            self.f.emit(Op::Star(fr));
            self.f.emit_at(Op::Call { callee: fr, this: ctor, args: fr, argc: 0 }, class.span.start);
        }
        if let Some((sym, old, was_init)) = outer_binding {
            match old {
                Some(info) => self.binds.insert(BindKey::Sym(sym), info),
                None => self.binds.remove(&BindKey::Sym(sym)),
            };
            self.initialized.remove(&sym);
            if was_init {
                self.initialized.insert(sym);
            }
        }
        if let Some(d) = decl {
            self.f.emit(Op::Ldar(ctor));
            self.store_binding_ident(d, true)?;
        }
        self.f.emit(Op::Ldar(ctor));
        self.exit_scope(sc);
        Ok(())
    }

    fn default_constructor(&mut self, derived: bool, name: &str, span: Span) -> Gc<Code> {
        self.begin_function(true);
        self.f.flags.class_constructor = true;
        self.f.flags.derived = derived;
        if derived {
            let r = self.f.alloc().expect("one register");
            self.f.emit(Op::CreateRestArray(0));
            self.f.emit(Op::Star(r));
            self.f.emit(Op::SuperCallSpread { args: r });
        }
        self.f.emit(Op::LdaUndefined);
        self.f.emit(Op::Return);
        self.end_function(name, (span.start, span.end), 0)
    }

    /// A method-like function defining fields on `this` (and running static blocks).
    fn field_initializer(&mut self, items: &[FieldItem<'a>], span: Span) -> Res<Gc<Code>> {
        self.begin_function(true);
        self.f.flags.method = true;
        let this = self.f.alloc()?;
        self.emit_this();
        self.f.emit(Op::Star(this));
        for item in items {
            let m = self.f.mark();
            match item {
                FieldItem::Field(p, slot) => match slot {
                    Some(loc) => {
                        let key = self.f.alloc()?;
                        self.load_loc_raw(*loc);
                        self.f.emit(Op::Star(key));
                        match &p.value {
                            Some(v) => self.expr_hint(v, NameHint::Key(key))?,
                            None => {
                                self.f.emit(Op::LdaUndefined);
                            }
                        }
                        self.f.emit_at(Op::DefineKeyed { obj: this, key }, p.span.start);
                    }
                    None => {
                        let Some((c, name)) = self.static_key(&p.key, false)? else {
                            return Err(syntax_error("invalid field name", p.span.start));
                        };
                        match &p.value {
                            Some(v) => self.expr_named(v, name.as_deref())?,
                            None => {
                                self.f.emit(Op::LdaUndefined);
                            }
                        }
                        self.f.emit_at(Op::DefineNamed { obj: this, name: c }, p.span.start);
                    }
                },
                FieldItem::Block(b) => {
                    let sc = self.enter_scope(b.scope_id.get().unwrap())?;
                    self.hoist_functions(&b.body, false)?;
                    self.stmts(&b.body)?;
                    self.exit_scope(sc);
                }
            }
            self.f.release(m);
        }
        self.f.emit(Op::LdaUndefined);
        self.f.emit(Op::Return);
        Ok(self.end_function("", (span.start, span.end), 0))
    }
}

/// Skips leading whitespace and comments.
fn skip_trivia(mut s: &str) -> &str {
    loop {
        let t = s.trim_start();
        if let Some(rest) = t.strip_prefix("/*") {
            s = rest.find("*/").map_or("", |i| &rest[i + 2..]);
        } else if let Some(rest) = t.strip_prefix("//") {
            s = rest.find(['\n', '\r', '\u{2028}', '\u{2029}']).map_or("", |i| &rest[i..]);
        } else {
            return t;
        }
    }
}

/// The identifiers a binding pattern binds, in source order. Iterative, unlike
/// oxc's `get_binding_identifiers`: patterns may nest arbitrarily deep.
fn binding_identifiers<'p, 'a>(pattern: &'p BindingPattern<'a>) -> Vec<&'p BindingIdentifier<'a>> {
    let mut found = Vec::new();
    let mut pending = vec![pattern];
    while let Some(p) = pending.pop() {
        match p {
            BindingPattern::BindingIdentifier(id) => found.push(&**id),
            BindingPattern::AssignmentPattern(a) => pending.push(&a.left),
            // Pushed in reverse so they are visited in source order.
            BindingPattern::ArrayPattern(array) => {
                if let Some(rest) = &array.rest {
                    pending.push(&rest.argument);
                }
                pending.extend(array.elements.iter().rev().flatten());
            }
            BindingPattern::ObjectPattern(object) => {
                if let Some(rest) = &object.rest {
                    pending.push(&rest.argument);
                }
                pending.extend(object.properties.iter().rev().map(|prop| &prop.value));
            }
        }
    }
    found
}
