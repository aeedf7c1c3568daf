//! Statements: declarations, control flow (loops, labels, switch,
//! try/catch/finally) and the routing of break/continue/return through
//! environments, `finally` blocks and for-of iterator closing.

use oxc_ast::ast::*;
use oxc_span::GetSpan;

use crate::vm::bytecode::{Op, Reg};

use oxc_syntax::scope::ScopeFlags;

use super::builder::{Ctl, Jump, Label};
use super::pattern::Tgt;
use super::scope::BKind;
use super::{Compiler, Res, not_supported, syntax_error, unsupported};

/// Straight-line instructions between two [`Op::Safepoint`]s (tens of
/// microseconds of execution).
const STRAIGHT_LINE_SAFEPOINT_OPS: usize = 4096;

impl<'a> Compiler<'a, '_> {
    pub(crate) fn stmts(&mut self, list: &'a [Statement<'a>]) -> Res<()> {
        for s in list {
            self.stmt(s)?;
            // A long run of statements (a generated script, a huge function
            // body) may hold no back-edge or call: poll now and then.
            if self.f.ops.len() - self.f.last_safepoint >= STRAIGHT_LINE_SAFEPOINT_OPS {
                self.f.emit(Op::Safepoint);
                self.f.last_safepoint = self.f.ops.len();
            }
        }
        Ok(())
    }

    /// Statements whose completion value is `undefined` unless their body produces one.
    fn reset_completion(&mut self) {
        if let Some(c) = self.f.completion {
            self.f.emit(Op::LdaUndefined);
            self.f.emit(Op::Star(c));
        }
    }

    pub(crate) fn stmt(&mut self, s: &'a Statement<'a>) -> Res<()> {
        self.check_stack(s.span().start)?;
        match s {
            Statement::BlockStatement(b) => self.block(b),
            Statement::BreakStatement(b) => {
                let t = self.find_target(b.label.as_ref().map(|l| l.name.as_str()), false, b.span.start)?;
                self.jump_out(Jump::Break(t), self.f.ctl.len())
            }
            Statement::ContinueStatement(c) => {
                let t = self.find_target(c.label.as_ref().map(|l| l.name.as_str()), true, c.span.start)?;
                self.jump_out(Jump::Continue(t), self.f.ctl.len())
            }
            Statement::DebuggerStatement(d) => {
                self.f.emit_at(Op::Debugger, d.span.start);
                Ok(())
            }
            Statement::DoWhileStatement(d) => self.do_while(d, Vec::new()),
            Statement::EmptyStatement(_) => Ok(()),
            Statement::ExpressionStatement(e) => {
                match self.f.completion {
                    Some(c) => {
                        self.expr(&e.expression)?;
                        self.f.emit(Op::Star(c));
                    }
                    None => self.expr_discard(&e.expression)?,
                }
                Ok(())
            }
            Statement::ForInStatement(f) => self.for_in(f, Vec::new()),
            Statement::ForOfStatement(f) => self.for_of(f, Vec::new()),
            Statement::ForStatement(f) => self.for_loop(f, Vec::new()),
            Statement::IfStatement(i) => self.if_stmt(i),
            Statement::LabeledStatement(l) => self.labeled(l, Vec::new()),
            Statement::ReturnStatement(r) => {
                match &r.argument {
                    Some(e) => {
                        self.expr(e)?;
                        // In an async generator, `return x` awaits x.
                        if let (true, true, Some(g)) = (self.f.flags.generator, self.f.flags.is_async, self.f.generator) {
                            self.emit_await(g, r.span.start);
                        }
                    }
                    None => {
                        self.f.emit(Op::LdaUndefined);
                    }
                }
                self.f.cur_pos = r.span.start;
                self.jump_out(Jump::Return, self.f.ctl.len())
            }
            Statement::SwitchStatement(s) => self.switch(s, Vec::new()),
            Statement::ThrowStatement(t) => {
                self.expr(&t.argument)?;
                self.f.emit_at(Op::Throw, t.span.start);
                Ok(())
            }
            Statement::TryStatement(t) => self.try_stmt(t),
            Statement::WhileStatement(w) => self.while_loop(w, Vec::new()),
            Statement::WithStatement(w) => Err(unsupported("with statement", w.span.start)),
            Statement::VariableDeclaration(d) => self.var_decl(d),
            // Hoisted to the start of the enclosing scope.
            Statement::FunctionDeclaration(f) => self.annex_b_function_update(f),
            Statement::ClassDeclaration(c) => {
                self.class(c, None, c.id.as_ref())?;
                Ok(())
            }
            Statement::ImportDeclaration(_)
            | Statement::ExportAllDeclaration(_)
            | Statement::ExportDefaultDeclaration(_)
            | Statement::ExportNamedDeclaration(_) => Err(not_supported("modules are not supported yet", s.span().start)),
            _ => Err(unsupported("TypeScript syntax", s.span().start)),
        }
    }

    /// Annex B.3.3: evaluating a sloppy-mode function declaration in a block also
    /// assigns it to the same-named var binding of the enclosing function/script.
    fn annex_b_function_update(&mut self, f: &'a Function<'a>) -> Res<()> {
        if self.f.strict() || f.generator || f.r#async {
            return Ok(());
        }
        let Some(id) = &f.id else { return Ok(()) };
        let Some(sym) = id.symbol_id.get() else {
            return Ok(());
        };
        let scope = self.scoping.symbol_scope_id(sym);
        let fl = self.scoping.scope_flags(scope);
        if fl.contains(ScopeFlags::Function) || fl.contains(ScopeFlags::Top) {
            return Ok(()); // already var-scoped (or hoisted there by oxc)
        }
        let Some(var_scope) = self.scoping.scope_ancestors(scope).find(|&s| self.scoping.scope_flags(s).intersects(ScopeFlags::Function | ScopeFlags::Top))
        else {
            return Ok(());
        };
        let Some(var_sym) = self.scoping.get_binding(var_scope, id.name) else {
            return Ok(());
        };
        if var_sym == sym || !matches!(self.kind_of(var_sym), BKind::Var | BKind::Function) {
            return Ok(());
        }
        if self.binding_info(var_sym).is_none() {
            return Ok(());
        }
        self.load_binding_sym(sym, id.name.as_str(), id.span.start)?;
        self.store_symbol(var_sym, id.name.as_str(), id.span.start, false)
    }

    pub(crate) fn block(&mut self, b: &'a BlockStatement<'a>) -> Res<()> {
        let sc = self.enter_scope(b.scope_id.get().unwrap())?;
        self.hoist_functions(&b.body, false)?;
        self.stmts(&b.body)?;
        self.exit_scope(sc);
        Ok(())
    }

    pub(crate) fn var_decl(&mut self, d: &'a VariableDeclaration<'a>) -> Res<()> {
        if matches!(d.kind, VariableDeclarationKind::Using | VariableDeclarationKind::AwaitUsing) {
            return Err(unsupported("using declaration", d.span.start));
        }
        for decl in &d.declarations {
            match &decl.init {
                Some(init) => {
                    let hint = match &decl.id {
                        BindingPattern::BindingIdentifier(id) => Some(id.name.as_str()),
                        _ => None,
                    };
                    self.expr_named(init, hint)?;
                }
                None => {
                    if d.kind == VariableDeclarationKind::Var {
                        continue;
                    }
                    self.f.emit(Op::LdaUndefined);
                }
            }
            self.destructure(Tgt::Pat(&decl.id, true))?;
        }
        Ok(())
    }

    fn if_stmt(&mut self, i: &'a IfStatement<'a>) -> Res<()> {
        self.reset_completion();
        self.expr(&i.test)?;
        let else_l = self.f.new_label();
        self.f.jump_if_false(else_l);
        self.branch_stmt(&i.consequent)?;
        match &i.alternate {
            Some(alt) => {
                let end = self.f.new_label();
                self.f.jump(end);
                self.f.bind(else_l);
                self.branch_stmt(alt)?;
                self.f.bind(end);
            }
            None => self.f.bind(else_l),
        }
        Ok(())
    }

    /// An `if` branch: Annex B `if (x) function f() {}` behaves like `{ function f() {} }`.
    fn branch_stmt(&mut self, s: &'a Statement<'a>) -> Res<()> {
        if let Statement::FunctionDeclaration(_) = s {
            return self.hoist_functions(std::slice::from_ref(s), false);
        }
        self.stmt(s)
    }

    fn labeled(&mut self, l: &'a LabeledStatement<'a>, mut labels: Vec<String>) -> Res<()> {
        labels.push(l.label.name.to_string());
        match &l.body {
            Statement::LabeledStatement(inner) => self.labeled(inner, labels),
            Statement::ForStatement(f) => self.for_loop(f, labels),
            Statement::ForInStatement(f) => self.for_in(f, labels),
            Statement::ForOfStatement(f) => self.for_of(f, labels),
            Statement::WhileStatement(w) => self.while_loop(w, labels),
            Statement::DoWhileStatement(d) => self.do_while(d, labels),
            body => {
                let brk = self.f.new_label();
                self.f.ctl.push(Ctl::Target { labels, is_loop: false, labelled_only: true, brk, cont: None });
                self.stmt(body)?;
                self.f.ctl.pop();
                self.f.bind(brk);
                Ok(())
            }
        }
    }

    fn find_target(&self, label: Option<&str>, is_continue: bool, offset: u32) -> Res<usize> {
        for i in (0..self.f.ctl.len()).rev() {
            if let Ctl::Target { labels, is_loop, labelled_only, .. } = &self.f.ctl[i] {
                match label {
                    Some(l) => {
                        if labels.iter().any(|x| x == l) {
                            if is_continue && !is_loop {
                                return Err(syntax_error(format!("Illegal continue statement: '{l}' does not denote an iteration statement"), offset));
                            }
                            return Ok(i);
                        }
                    }
                    None => {
                        if (is_continue && *is_loop) || (!is_continue && !labelled_only) {
                            return Ok(i);
                        }
                    }
                }
            }
        }
        Err(syntax_error(if is_continue { "Illegal continue statement" } else { "Illegal break statement" }, offset))
    }

    /// Leaves nested constructs down to control index `from` towards the jump's target.
    pub(crate) fn jump_out(&mut self, j: Jump, from: usize) -> Res<()> {
        if j == Jump::Return && !self.f.ctl[..from].iter().any(|c| matches!(c, Ctl::Finally { .. } | Ctl::IterClose { .. })) {
            // Nothing to run on the way out: environments die with the frame.
            self.f.emit(Op::Return);
            return Ok(());
        }
        let mut i = from;
        while i > 0 {
            i -= 1;
            let tramp = self.f.new_label();
            match &mut self.f.ctl[i] {
                Ctl::Env => {
                    self.f.emit(Op::PopEnv);
                }
                Ctl::Target { brk, cont, .. } => {
                    let (brk, cont) = (*brk, *cont);
                    match j {
                        Jump::Break(t) if t == i => {
                            self.f.jump(brk);
                            return Ok(());
                        }
                        Jump::Continue(t) if t == i => {
                            self.f.jump(cont.expect("continue target is a loop"));
                            return Ok(());
                        }
                        _ => {}
                    }
                }
                Ctl::Finally { kind, val, entry, pending } => {
                    let (kind, val, entry) = (*kind, *val, *entry);
                    let k = match pending.iter().position(|p| *p == j) {
                        Some(k) => k,
                        None => {
                            pending.push(j);
                            pending.len() - 1
                        }
                    };
                    if j == Jump::Return {
                        self.f.emit(Op::Star(val));
                    }
                    self.f.emit(Op::LdaInt(k as i32 + 2));
                    self.f.emit(Op::Star(kind));
                    self.f.jump(entry);
                    return Ok(());
                }
                Ctl::IterClose { val, pending, .. } => {
                    let val = *val;
                    pending.push((tramp, j));
                    if j == Jump::Return {
                        self.f.emit(Op::Star(val));
                    }
                    self.f.jump(tramp);
                    return Ok(());
                }
            }
        }
        match j {
            Jump::Return => {
                self.f.emit(Op::Return);
                Ok(())
            }
            _ => Err(syntax_error("internal compiler error: jump target not found", self.f.cur_pos)),
        }
    }

    fn loop_target(&mut self, labels: Vec<String>, brk: Label, cont: Label) -> usize {
        self.f.ctl.push(Ctl::Target { labels, is_loop: true, labelled_only: false, brk, cont: Some(cont) });
        self.f.ctl.len() - 1
    }

    fn while_loop(&mut self, w: &'a WhileStatement<'a>, labels: Vec<String>) -> Res<()> {
        self.reset_completion();
        let head = self.f.here();
        let brk = self.f.new_label();
        self.expr(&w.test)?;
        self.f.jump_if_false(brk);
        self.loop_target(labels, brk, head);
        self.stmt(&w.body)?;
        self.f.ctl.pop();
        self.f.jump(head);
        self.f.bind(brk);
        Ok(())
    }

    fn do_while(&mut self, d: &'a DoWhileStatement<'a>, labels: Vec<String>) -> Res<()> {
        self.reset_completion();
        let top = self.f.here();
        let cont = self.f.new_label();
        let brk = self.f.new_label();
        self.loop_target(labels, brk, cont);
        self.stmt(&d.body)?;
        self.f.ctl.pop();
        self.f.bind(cont);
        self.expr(&d.test)?;
        self.f.jump_if_true(top);
        self.f.bind(brk);
        Ok(())
    }

    fn for_loop(&mut self, f: &'a ForStatement<'a>, labels: Vec<String>) -> Res<()> {
        self.reset_completion();
        let sc = self.enter_scope(f.scope_id.get().unwrap())?;
        let mut per_iteration = false;
        match &f.init {
            Some(ForStatementInit::VariableDeclaration(d)) => {
                per_iteration = sc.pushed_env && d.kind.is_lexical();
                self.var_decl(d)?;
            }
            Some(init) => {
                let e = init.as_expression().expect("for init expression");
                self.expr_discard(e)?;
            }
            None => {}
        }
        if per_iteration {
            self.f.emit(Op::CopyEnv);
        }
        let head = self.f.here();
        let brk = self.f.new_label();
        let cont = self.f.new_label();
        if let Some(test) = &f.test {
            self.expr(test)?;
            self.f.jump_if_false(brk);
        }
        self.loop_target(labels, brk, cont);
        self.stmt(&f.body)?;
        self.f.ctl.pop();
        self.f.bind(cont);
        if per_iteration {
            self.f.emit(Op::CopyEnv);
        }
        if let Some(update) = &f.update {
            self.expr_discard(update)?;
        }
        self.f.jump(head);
        self.f.bind(brk);
        self.exit_scope(sc);
        Ok(())
    }

    /// Binds the per-iteration value (in acc) to the left side of a for-in/of head.
    fn for_head_bind(&mut self, left: &'a ForStatementLeft<'a>) -> Res<()> {
        match left {
            ForStatementLeft::VariableDeclaration(d) => {
                if matches!(d.kind, VariableDeclarationKind::Using | VariableDeclarationKind::AwaitUsing) {
                    return Err(unsupported("using declaration", d.span.start));
                }
                let decl = &d.declarations[0];
                self.destructure(Tgt::Pat(&decl.id, true))
            }
            _ => {
                let t = left.as_assignment_target().expect("for head target");
                self.destructure(Tgt::Target(t))
            }
        }
    }

    fn for_in(&mut self, f: &'a ForInStatement<'a>, labels: Vec<String>) -> Res<()> {
        self.reset_completion();
        // Annex B: `for (var x = init in obj)`.
        if let ForStatementLeft::VariableDeclaration(d) = &f.left
            && let Some(decl) = d.declarations.first()
            && let Some(init) = &decl.init
        {
            let hint = decl.id.get_binding_identifier().map(|i| i.name.as_str());
            self.expr_named(init, hint)?;
            self.destructure(Tgt::Pat(&decl.id, true))?;
        }
        let sc = self.enter_scope(f.scope_id.get().unwrap())?;
        let m = self.f.mark();
        let iter = self.f.alloc()?;
        let exit = self.f.new_label();
        self.expr(&f.right)?;
        self.f.jump_if_nullish(exit);
        self.f.emit_at(Op::ForInPrepare(iter), f.right.span().start);
        let head = self.f.here();
        self.f.for_in_next(iter, exit);
        if sc.pushed_env {
            self.f.emit(Op::CopyEnv);
        }
        self.for_head_bind(&f.left)?;
        self.loop_target(labels, exit, head);
        self.stmt(&f.body)?;
        self.f.ctl.pop();
        self.f.jump(head);
        self.f.bind(exit);
        self.f.release(m);
        self.exit_scope(sc);
        Ok(())
    }

    /// AsyncIteratorClose for a normal completion: await reg[iter].return()
    /// (if any) and require an object result.
    pub(crate) fn async_iterator_close(&mut self, iter: Reg, state: Reg) {
        let skip = self.f.new_label();
        self.f.call_iterator_method(iter, crate::vm::bytecode::NO_REG, 2, skip);
        self.emit_await(state, self.f.cur_pos);
        let msg = self.str_const("iterator.return() did not return an object");
        self.f.emit(Op::ThrowIfNotObject(msg));
        self.f.bind(skip);
    }

    /// `for (x of y)` and `for await (x of y)`. The await form (async functions
    /// and generators only) uses GetIterator(y, async), awaits each next()
    /// result, and awaits return() when the loop is left early.
    fn for_of(&mut self, f: &'a ForOfStatement<'a>, labels: Vec<String>) -> Res<()> {
        let async_state = if f.r#await {
            let state = self.f.generator.filter(|_| self.f.flags.is_async);
            Some(state.ok_or_else(|| syntax_error("for await is only valid in async functions", f.span.start))?)
        } else {
            None
        };
        self.reset_completion();
        let sc = self.enter_scope(f.scope_id.get().unwrap())?;
        let m = self.f.mark();
        self.expr(&f.right)?;
        let iter = self.f.alloc_n(2)?;
        let val = self.f.alloc()?;
        let exc = self.f.alloc()?;
        let saved = self.f.alloc()?;
        let right_pos = f.right.span().start;
        self.f.emit_at(if async_state.is_some() { Op::GetAsyncIterator(iter) } else { Op::GetIterator(iter) }, right_pos);
        self.f.emit(Op::SaveEnv(saved));
        self.f.ctl.push(Ctl::IterClose { val, pending: Vec::new() });
        let brk_close = self.f.new_label();
        let exit = self.f.new_label();
        let head = self.f.new_label();
        self.loop_target(labels, brk_close, head);
        self.f.bind(head);
        match async_state {
            None => self.f.iterator_step(iter, exit),
            Some(state) => {
                self.f.emit_at(Op::Call { callee: iter + 1, this: iter, args: iter, argc: 0 }, right_pos);
                self.emit_await(state, right_pos);
                self.f.iter_result_value(exit);
            }
        }
        let body_start = self.f.here();
        if sc.pushed_env {
            self.f.emit(Op::CopyEnv);
        }
        self.for_head_bind(&f.left)?;
        self.stmt(&f.body)?;
        let body_end = self.f.here();
        self.f.jump(head);
        self.f.ctl.pop();
        let Some(Ctl::IterClose { pending, .. }) = self.f.ctl.pop() else { unreachable!() };
        // Exception in the body: close the iterator (ignoring its errors), rethrow.
        let handler = self.f.here();
        self.f.emit(Op::RestoreEnv(saved));
        self.f.emit(Op::Star(exc));
        let close_start = self.f.here();
        let rethrow = self.f.new_label();
        match async_state {
            None => {
                self.f.emit(Op::IteratorClose(iter));
            }
            Some(state) => {
                self.f.call_iterator_method(iter, crate::vm::bytecode::NO_REG, 2, rethrow);
                self.emit_await(state, f.span.start);
            }
        }
        let close_end = self.f.here();
        self.f.bind(rethrow);
        self.f.emit(Op::Ldar(exc));
        self.f.emit(Op::Throw);
        self.f.add_handler(close_start, close_end, rethrow);
        self.f.add_handler(body_start, body_end, handler);
        // break: close and leave.
        self.f.bind(brk_close);
        self.iterator_close_normal(iter, async_state);
        self.f.jump(exit);
        // Jumps further out (outer break/continue, return).
        for (l, j) in pending {
            self.f.bind(l);
            self.iterator_close_normal(iter, async_state);
            if j == Jump::Return {
                self.f.emit(Op::Ldar(val));
            }
            self.jump_out(j, self.f.ctl.len())?;
        }
        self.f.bind(exit);
        self.f.release(m);
        self.exit_scope(sc);
        Ok(())
    }

    /// IteratorClose / AsyncIteratorClose for a loop left by break, continue or return.
    fn iterator_close_normal(&mut self, iter: Reg, async_state: Option<Reg>) {
        match async_state {
            None => {
                self.f.emit(Op::IteratorClose(iter));
            }
            Some(state) => self.async_iterator_close(iter, state),
        }
    }

    fn switch(&mut self, s: &'a SwitchStatement<'a>, labels: Vec<String>) -> Res<()> {
        self.reset_completion();
        let m = self.f.mark();
        self.expr(&s.discriminant)?;
        let d = self.f.alloc()?;
        self.f.emit(Op::Star(d));
        let sc = self.enter_scope(s.scope_id.get().unwrap())?;
        self.no_tdz_elide += 1;
        for case in &s.cases {
            self.hoist_functions(&case.consequent, false)?;
        }
        let brk = self.f.new_label();
        self.f.ctl.push(Ctl::Target { labels, is_loop: false, labelled_only: false, brk, cont: None });
        let case_labels: Vec<Label> = s.cases.iter().map(|_| self.f.new_label()).collect();
        let mut default = None;
        for (i, case) in s.cases.iter().enumerate() {
            match &case.test {
                Some(t) => {
                    self.expr(t)?;
                    self.f.emit(Op::StrictEq(d));
                    self.f.jump_if_true(case_labels[i]);
                }
                None => default = Some(case_labels[i]),
            }
        }
        self.f.jump(default.unwrap_or(brk));
        for (i, case) in s.cases.iter().enumerate() {
            self.f.bind(case_labels[i]);
            self.stmts(&case.consequent)?;
        }
        self.f.ctl.pop();
        self.f.bind(brk);
        self.no_tdz_elide -= 1;
        self.exit_scope(sc);
        self.f.release(m);
        Ok(())
    }

    fn try_stmt(&mut self, t: &'a TryStatement<'a>) -> Res<()> {
        self.reset_completion();
        let m = self.f.mark();
        let saved = self.f.alloc()?;
        self.f.emit(Op::SaveEnv(saved));
        let mut fin = None;
        if t.finalizer.is_some() {
            let kind = self.f.alloc()?;
            let val = self.f.alloc()?;
            let entry = self.f.new_label();
            self.f.ctl.push(Ctl::Finally { kind, val, entry, pending: Vec::new() });
            fin = Some((kind, val, entry));
        }
        let try_start = self.f.here();
        self.block(&t.block)?;
        if let Some(catch) = &t.handler {
            let try_end = self.f.here();
            let after = self.f.new_label();
            self.f.jump(after);
            let handler = self.f.here();
            self.f.emit(Op::RestoreEnv(saved));
            self.catch_clause(catch)?;
            self.f.add_handler(try_start, try_end, handler);
            self.f.bind(after);
        }
        if let Some((kind, val, entry)) = fin {
            let region_end = self.f.here();
            self.f.emit(Op::LdaInt(0));
            self.f.emit(Op::Star(kind));
            self.f.jump(entry);
            let handler = self.f.here();
            self.f.emit(Op::RestoreEnv(saved));
            self.f.emit(Op::Star(val));
            self.f.emit(Op::LdaInt(1));
            self.f.emit(Op::Star(kind));
            self.f.add_handler(try_start, region_end, handler);
            self.f.bind(entry);
            let Some(Ctl::Finally { pending, .. }) = self.f.ctl.pop() else { unreachable!() };
            // The completion value is that of the try/catch part unless the finally
            // block completes abruptly (break/continue): then it is the finally's own.
            let finalizer = t.finalizer.as_ref().unwrap();
            let saved_completion = match self.f.completion {
                Some(c) => {
                    let r = self.f.alloc()?;
                    self.f.emit(Op::Ldar(c));
                    self.f.emit(Op::Star(r));
                    self.f.emit(Op::LdaUndefined);
                    self.f.emit(Op::Star(c));
                    Some((c, r))
                }
                None => None,
            };
            self.block(finalizer)?;
            if let Some((c, r)) = saved_completion {
                self.f.emit(Op::Ldar(r));
                self.f.emit(Op::Star(c));
            }
            for (k, j) in pending.into_iter().enumerate() {
                let next = self.f.new_label();
                self.f.emit(Op::LdaInt(k as i32 + 2));
                self.f.emit(Op::StrictEq(kind));
                self.f.jump_if_false(next);
                if j == Jump::Return {
                    self.f.emit(Op::Ldar(val));
                }
                self.jump_out(j, self.f.ctl.len())?;
                self.f.bind(next);
            }
            let done = self.f.new_label();
            self.f.emit(Op::LdaInt(1));
            self.f.emit(Op::StrictEq(kind));
            self.f.jump_if_false(done);
            self.f.emit(Op::Ldar(val));
            self.f.emit(Op::Throw);
            self.f.bind(done);
        }
        self.f.release(m);
        Ok(())
    }

    /// The catch clause; acc = the exception.
    fn catch_clause(&mut self, c: &'a CatchClause<'a>) -> Res<()> {
        let m = self.f.mark();
        let exc = self.f.alloc()?;
        self.f.emit(Op::Star(exc));
        // oxc binds the catch parameter in the body's scope: open both first.
        let sc = self.enter_scope(c.scope_id.get().unwrap())?;
        let body_sc = self.enter_scope(c.body.scope_id.get().unwrap())?;
        if let Some(param) = &c.param {
            self.f.emit(Op::Ldar(exc));
            self.destructure(Tgt::Pat(&param.pattern, true))?;
        }
        self.hoist_functions(&c.body.body, false)?;
        self.stmts(&c.body.body)?;
        self.exit_scope(body_sc);
        self.exit_scope(sc);
        self.f.release(m);
        Ok(())
    }
}
