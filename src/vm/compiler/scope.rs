//! Scope analysis and binding storage: which bindings are captured by nested
//! functions (heap environment slots) and which live in registers, scope
//! entry/exit (PushEnv/PopEnv, TDZ initialisation) and identifier loads/stores.

use oxc_ast::AstKind;
use oxc_ast::ast::{BindingIdentifier, Expression, IdentifierReference};
use oxc_span::GetSpan;
use oxc_syntax::node::NodeId;
use oxc_syntax::reference::{Reference, ReferenceId};
use oxc_syntax::scope::{ScopeFlags, ScopeId};
use oxc_syntax::symbol::{SymbolFlags, SymbolId};

use crate::vm::bytecode::{Op, Reg};

use super::builder::Ctl;
use super::{Compiler, Res, TopMode, syntax_error};

/// The unit of code generation a piece of source belongs to: a function, or
/// one of the functions synthesised for class fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Region {
    Top,
    Func(NodeId),
    /// Instance field initialisers of the class node.
    ClassInstance(NodeId),
    /// Static fields and static blocks of the class node.
    ClassStatic(NodeId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum BindKey {
    Sym(SymbolId),
    /// The `arguments` object of a function scope.
    Args(ScopeId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loc {
    Reg(Reg),
    /// `level`: the absolute environment depth of the environment holding the slot.
    Env {
        level: u32,
        slot: u16,
    },
    /// Resolved by name at run time (global object / global lexical bindings).
    Global,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BKind {
    Var,
    Param,
    Function,
    Catch,
    Let,
    Const,
    /// A parameter of a non-simple parameter list (TDZ until initialised).
    ParamTdz,
    /// The class-scope binding of a class expression's name (immutable).
    ClassInner,
    /// The binding of a named function expression's own name (immutable, silently in sloppy mode).
    FnName,
    Arguments,
}

impl BKind {
    pub fn tdz(self) -> bool {
        matches!(self, BKind::Let | BKind::Const | BKind::ClassInner | BKind::ParamTdz)
    }
    pub fn lexical(self) -> bool {
        self.tdz()
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct BindInfo {
    pub loc: Loc,
    pub kind: BKind,
}

/// A scope being opened: bindings placed so far.
pub(crate) struct PendingScope {
    pub level: u32,
    pub env_count: u32,
    pub mark: u32,
    env_var_inits: Vec<u16>,
    reg_lex_inits: Vec<Reg>,
}

/// An open scope (to be closed with `exit_scope`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScopeCtx {
    pub pushed_env: bool,
    pub mark: u32,
    /// The scope, when it declares relocated bindings (unplaced at exit).
    pub relocated: Option<ScopeId>,
}

impl<'a> Compiler<'a, '_> {
    // ----- capture analysis -----

    pub(crate) fn analyze(&mut self) {
        let scoping = self.scoping;
        // A `let` merged with an Annex B `if (x) function f() {}` of the same name is
        // moved to the var scope by oxc: keep it in the block that declares it.
        for sym in scoping.symbol_ids() {
            let fl = scoping.symbol_flags(sym);
            if fl.contains(SymbolFlags::BlockScopedVariable) && fl.contains(SymbolFlags::Function) {
                let decl_scope = self.nodes.get_node(scoping.symbol_declaration(sym)).scope_id();
                if decl_scope != scoping.symbol_scope_id(sym) {
                    self.relocated.entry(decl_scope).or_default().push(sym);
                    self.relocated_syms.insert(sym);
                }
            }
        }
        for sym in scoping.symbol_ids() {
            let refs = scoping.get_resolved_reference_ids(sym);
            if refs.is_empty() {
                continue;
            }
            let decl = self.region_of_scope(scoping.symbol_scope_id(sym));
            for &r in refs {
                let reference = scoping.get_reference(r);
                if self.region_of_ref(reference) != decl {
                    self.captured.insert(BindKey::Sym(sym));
                    break;
                }
            }
        }
        // `arguments`: oxc has no implicit binding for it, so a reference may be
        // unresolved or resolved to a binding outside the function that provides the
        // arguments object (or to a body declaration invisible to parameter defaults).
        let mut arg_refs: Vec<(ReferenceId, Option<SymbolId>)> = Vec::new();
        for (name, refs) in scoping.root_unresolved_references().iter() {
            if name.as_str() == "arguments" {
                arg_refs.extend(refs.iter().map(|&r| (r, None)));
            }
        }
        for sym in scoping.symbol_ids() {
            if scoping.symbol_name(sym) == "arguments" {
                arg_refs.extend(scoping.get_resolved_reference_ids(sym).iter().map(|&r| (r, Some(sym))));
            }
        }
        for (r, sym) in arg_refs {
            let reference = scoping.get_reference(r);
            let Some(func) = self.arguments_function(reference.scope_id()) else {
                continue;
            };
            let redirect = match sym {
                None => true,
                Some(s) => {
                    let ss = scoping.symbol_scope_id(s);
                    if ss != func && !scoping.scope_is_descendant_of(ss, func) {
                        true
                    } else if ss == func {
                        let params = self.params_span(func);
                        let ref_span = self.nodes.kind(reference.node_id()).span();
                        let decl_span = scoping.symbol_span(s);
                        params.is_some_and(|p| p.start <= ref_span.start && ref_span.end <= p.end && !(p.start <= decl_span.start && decl_span.end <= p.end))
                    } else {
                        false
                    }
                }
            };
            if redirect {
                self.args_of_ref.insert(r, func);
                self.args_used.insert(func);
                if self.region_of_ref(reference) != self.region_of_scope(func) {
                    self.captured.insert(BindKey::Args(func));
                }
            }
        }
    }

    /// The nearest non-arrow function scope (None at the top level and in static blocks).
    fn arguments_function(&self, scope: ScopeId) -> Option<ScopeId> {
        for s in self.scoping.scope_ancestors(scope) {
            let fl = self.scoping.scope_flags(s);
            if fl.contains(ScopeFlags::Function) && !fl.contains(ScopeFlags::Arrow) {
                return Some(s);
            }
            if fl.intersects(ScopeFlags::Top | ScopeFlags::ClassStaticBlock) {
                return None;
            }
        }
        None
    }

    /// The source span of the parameter list of a function scope.
    pub(crate) fn params_span(&self, func: ScopeId) -> Option<oxc_span::Span> {
        match self.nodes.kind(self.scoping.get_node_id(func)) {
            AstKind::Function(f) => Some(f.params.span),
            _ => None,
        }
    }

    fn class_of(&self, node: NodeId) -> NodeId {
        self.nodes.ancestor_ids(node).find(|&id| matches!(self.nodes.kind(id), AstKind::Class(_))).unwrap_or(node)
    }

    /// The region of a scope when it can be told from scopes alone (None inside class bodies).
    fn scope_region(&mut self, s: ScopeId) -> Option<Region> {
        if let Some(&r) = self.region_cache.get(&s) {
            return r;
        }
        let node = self.scoping.get_node_id(s);
        let r = match self.nodes.kind(node) {
            AstKind::Program(_) => Some(Region::Top),
            AstKind::Function(_) | AstKind::ArrowFunctionExpression(_) => Some(Region::Func(node)),
            AstKind::StaticBlock(_) => Some(Region::ClassStatic(self.class_of(node))),
            AstKind::Class(_) => None,
            _ => match self.scoping.scope_parent_id(s) {
                Some(p) => self.scope_region(p),
                None => Some(Region::Top),
            },
        };
        self.region_cache.insert(s, r);
        r
    }

    /// The region containing an AST node, found by walking its ancestors.
    fn region_of_node(&self, start: NodeId) -> Region {
        let mut prev: Option<NodeId> = None;
        let mut cur = start;
        loop {
            match self.nodes.kind(cur) {
                AstKind::Program(_) => return Region::Top,
                AstKind::Function(_) | AstKind::ArrowFunctionExpression(_) => {
                    return Region::Func(cur);
                }
                AstKind::StaticBlock(_) => return Region::ClassStatic(self.class_of(cur)),
                AstKind::PropertyDefinition(p) => {
                    if let (Some(v), Some(pv)) = (&p.value, prev) {
                        let vs = v.span();
                        let ps = self.nodes.kind(pv).span();
                        if ps.start >= vs.start && ps.end <= vs.end {
                            let class = self.class_of(cur);
                            return if p.r#static { Region::ClassStatic(class) } else { Region::ClassInstance(class) };
                        }
                    }
                }
                _ => {}
            }
            let parent = self.nodes.parent_id(cur);
            if parent == cur {
                return Region::Top;
            }
            prev = Some(cur);
            cur = parent;
        }
    }

    pub(crate) fn region_of_scope(&mut self, s: ScopeId) -> Region {
        match self.scope_region(s) {
            Some(r) => r,
            None => self.region_of_node(self.scoping.get_node_id(s)),
        }
    }

    fn region_of_ref(&mut self, r: &Reference) -> Region {
        match self.scope_region(r.scope_id()) {
            Some(reg) => reg,
            None => self.region_of_node(r.node_id()),
        }
    }

    // ----- binding placement -----

    pub(crate) fn kind_of(&self, sym: SymbolId) -> BKind {
        let fl = self.scoping.symbol_flags(sym);
        if fl.contains(SymbolFlags::ConstVariable) {
            BKind::Const
        } else if fl.contains(SymbolFlags::Class) {
            let scope = self.scoping.symbol_scope_id(sym);
            if matches!(self.nodes.kind(self.scoping.get_node_id(scope)), AstKind::Class(_)) { BKind::ClassInner } else { BKind::Let }
        } else if fl.contains(SymbolFlags::BlockScopedVariable) {
            BKind::Let
        } else if fl.contains(SymbolFlags::CatchVariable) {
            BKind::Catch
        } else if fl.contains(SymbolFlags::FunctionExpression) {
            BKind::FnName
        } else if fl.contains(SymbolFlags::Function) {
            BKind::Function
        } else {
            BKind::Var
        }
    }

    pub(crate) fn pending_scope(&self) -> PendingScope {
        PendingScope { level: self.f.env_level + 1, env_count: 0, mark: self.f.mark(), env_var_inits: Vec::new(), reg_lex_inits: Vec::new() }
    }

    /// Places a binding in a register or an environment slot of the scope being opened.
    pub(crate) fn place(&mut self, key: BindKey, kind: BKind, ps: &mut PendingScope) -> Res<Loc> {
        let loc = if self.captured.contains(&key) {
            let slot = ps.env_count;
            if slot >= u16::MAX as u32 {
                return Err(syntax_error("too many variables in one scope", self.f.cur_pos));
            }
            ps.env_count += 1;
            // Environment slots start EMPTY: bindings without a TDZ start undefined
            // (Annex B block functions may be observed before their block runs).
            if matches!(kind, BKind::Var | BKind::Function) {
                ps.env_var_inits.push(slot as u16);
            }
            Loc::Env { level: ps.level, slot: slot as u16 }
        } else {
            let r = self.f.alloc()?;
            if kind.tdz() {
                ps.reg_lex_inits.push(r);
            }
            Loc::Reg(r)
        };
        self.binds.insert(key, super::scope::BindInfo { loc, kind });
        Ok(loc)
    }

    /// An extra anonymous environment slot in the scope being opened (class field keys).
    pub(crate) fn place_hidden_env_slot(&mut self, ps: &mut PendingScope) -> Loc {
        let slot = ps.env_count;
        ps.env_count += 1;
        Loc::Env { level: ps.level, slot: slot as u16 }
    }

    /// An extra anonymous TDZ register in the scope being opened (class inner name).
    pub(crate) fn place_hidden_lex_reg(&mut self, ps: &mut PendingScope) -> Res<Loc> {
        let r = self.f.alloc()?;
        ps.reg_lex_inits.push(r);
        Ok(Loc::Reg(r))
    }

    /// Places every not-yet-placed binding declared in `scope`.
    pub(crate) fn declare_scope_bindings(&mut self, scope: ScopeId, ps: &mut PendingScope) -> Res<()> {
        let mut syms: Vec<SymbolId> = self.scoping.get_bindings(scope).values().copied().filter(|s| !self.relocated_syms.contains(s)).collect();
        if let Some(extra) = self.relocated.get(&scope) {
            syms.extend(extra.iter().copied());
        }
        syms.sort_unstable();
        let is_root = scope == self.scoping.root_scope_id();
        for sym in syms {
            let key = BindKey::Sym(sym);
            if self.binds.contains_key(&key) {
                continue;
            }
            let kind = self.kind_of(sym);
            if is_root {
                let global = match self.mode {
                    TopMode::Script => true,
                    TopMode::Eval { .. } => !self.f.strict() && matches!(kind, BKind::Var | BKind::Function | BKind::Param),
                };
                if global {
                    self.binds.insert(key, BindInfo { loc: Loc::Global, kind });
                    continue;
                }
            }
            self.place(key, kind, ps)?;
        }
        Ok(())
    }

    /// Emits the scope entry: PushEnv and initialisation of vars (undefined) and
    /// lexical registers (TDZ).
    pub(crate) fn open_scope(&mut self, ps: PendingScope) -> ScopeCtx {
        let pushed_env = ps.env_count > 0;
        if pushed_env {
            self.f.emit(Op::PushEnv(ps.env_count));
            self.f.env_level += 1;
            debug_assert_eq!(self.f.env_level, ps.level);
            self.f.ctl.push(Ctl::Env);
            for &slot in &ps.env_var_inits {
                self.f.emit(Op::LdaUndefined);
                self.f.emit(Op::StaEnv { depth: 0, slot });
            }
        }
        for &r in &ps.reg_lex_inits {
            self.f.emit(Op::LdaEmpty);
            self.f.emit(Op::Star(r));
        }
        ScopeCtx { pushed_env, mark: ps.mark, relocated: None }
    }

    pub(crate) fn enter_scope(&mut self, scope: ScopeId) -> Res<ScopeCtx> {
        let mut ps = self.pending_scope();
        self.declare_scope_bindings(scope, &mut ps)?;
        let mut sc = self.open_scope(ps);
        if self.relocated.contains_key(&scope) {
            sc.relocated = Some(scope);
        }
        Ok(sc)
    }

    /// Closes a scope on the normal path (PopEnv, registers released).
    pub(crate) fn exit_scope(&mut self, sc: ScopeCtx) {
        if let Some(s) = sc.relocated {
            for sym in self.relocated[&s].clone() {
                self.binds.remove(&BindKey::Sym(sym));
            }
        }
        if sc.pushed_env {
            self.f.emit(Op::PopEnv);
            self.pop_env_ctl();
        }
        self.f.release(sc.mark);
    }

    /// Compile-time bookkeeping of leaving an environment (no instruction).
    pub(crate) fn pop_env_ctl(&mut self) {
        self.f.env_level -= 1;
        let top = self.f.ctl.pop();
        debug_assert!(matches!(top, Some(Ctl::Env)));
    }

    // ----- names and constants -----

    pub(crate) fn str_const(&mut self, s: &str) -> u32 {
        let atom = self.vm.atom(s);
        self.f.add_const(atom.value())
    }

    pub(crate) fn num_const(&mut self, d: f64) -> u32 {
        self.f.add_const(crate::vm::value::Value::number(d))
    }

    // ----- identifier access -----

    pub(crate) fn ref_key(&self, id: &IdentifierReference) -> Option<BindKey> {
        let rid = id.reference_id.get()?;
        if let Some(&s) = self.args_of_ref.get(&rid) {
            return Some(BindKey::Args(s));
        }
        let sym = self.scoping.get_reference(rid).symbol_id()?;
        // A relocated lexical binding referenced outside its block: not visible there.
        if self.relocated_syms.contains(&sym) && !self.binds.contains_key(&BindKey::Sym(sym)) {
            return None;
        }
        Some(BindKey::Sym(sym))
    }

    fn lookup(&self, key: Option<BindKey>, name: &str, offset: u32) -> Res<Option<BindInfo>> {
        match key {
            None => Ok(None),
            Some(k) => match self.binds.get(&k) {
                Some(&info) => Ok(Some(info)),
                None => Err(syntax_error(format!("internal compiler error: unplaced binding '{name}'"), offset)),
            },
        }
    }

    /// The register of a local that can be read in place (no copy, no TDZ check).
    pub(crate) fn direct_reg(&self, e: &Expression<'a>) -> Option<Reg> {
        let Expression::Identifier(id) = e else { return None };
        let key = self.ref_key(id)?;
        let info = *self.binds.get(&key)?;
        match info.loc {
            Loc::Reg(r) if !self.needs_tdz_check(key, info) => Some(r),
            _ => None,
        }
    }

    fn needs_tdz_check(&self, key: BindKey, info: BindInfo) -> bool {
        if !info.kind.tdz() || info.loc == Loc::Global {
            return false;
        }
        match key {
            BindKey::Sym(s) => !self.initialized.contains(&s),
            BindKey::Args(_) => false,
        }
    }

    fn depth_to(&self, level: u32) -> u16 {
        (self.f.env_level - level) as u16
    }

    /// acc = binding value (no TDZ check).
    fn emit_load_loc(&mut self, loc: Loc, name: &str, for_typeof: bool) {
        match loc {
            Loc::Reg(r) => {
                self.f.emit(Op::Ldar(r));
            }
            Loc::Env { level, slot } => {
                let depth = self.depth_to(level);
                self.f.emit(Op::LdaEnv { depth, slot });
            }
            Loc::Global => {
                let name = self.str_const(name);
                if for_typeof {
                    self.f.emit(Op::LdaGlobalOrUndefined { name });
                } else {
                    let ic = self.f.new_ic();
                    self.f.emit(Op::LdaGlobal { name, ic });
                }
            }
        }
    }

    /// binding = acc (no checks).
    fn emit_store_loc(&mut self, loc: Loc, name: &str) {
        match loc {
            Loc::Reg(r) => {
                self.f.emit(Op::Star(r));
            }
            Loc::Env { level, slot } => {
                let depth = self.depth_to(level);
                self.f.emit(Op::StaEnv { depth, slot });
            }
            Loc::Global => {
                let name = self.str_const(name);
                let strict = self.f.strict();
                self.f.emit(Op::StaGlobal { name, strict });
            }
        }
    }

    fn load_key(&mut self, key: Option<BindKey>, name: &str, offset: u32, for_typeof: bool) -> Res<()> {
        self.f.cur_pos = offset;
        match self.lookup(key, name, offset)? {
            None => self.emit_load_loc(Loc::Global, name, for_typeof),
            Some(info) => {
                self.emit_load_loc(info.loc, name, for_typeof);
                if self.needs_tdz_check(key.unwrap(), info) {
                    let c = self.str_const(name);
                    self.f.emit(Op::ThrowIfEmpty(c));
                }
            }
        }
        Ok(())
    }

    /// acc = value of a declared binding.
    pub(crate) fn load_binding_sym(&mut self, sym: SymbolId, name: &str, offset: u32) -> Res<()> {
        self.load_key(Some(BindKey::Sym(sym)), name, offset, false)
    }

    /// acc = value of the identifier.
    pub(crate) fn load_ident(&mut self, id: &IdentifierReference<'a>) -> Res<()> {
        let key = self.ref_key(id);
        self.load_key(key, id.name.as_str(), id.span.start, false)
    }

    /// acc = value of the identifier, undefined for an unresolvable global (typeof).
    pub(crate) fn load_ident_typeof(&mut self, id: &IdentifierReference<'a>) -> Res<()> {
        let key = self.ref_key(id);
        self.load_key(key, id.name.as_str(), id.span.start, true)
    }

    /// Assignment `id = acc` (acc preserved unless the assignment throws).
    pub(crate) fn store_ident(&mut self, id: &IdentifierReference<'a>) -> Res<()> {
        let key = self.ref_key(id);
        self.store_key(key, id.name.as_str(), id.span.start, false)
    }

    /// Initialisation or assignment of a declared binding with acc.
    pub(crate) fn store_binding_ident(&mut self, id: &BindingIdentifier<'a>, init: bool) -> Res<()> {
        let Some(sym) = id.symbol_id.get() else {
            return Err(syntax_error("internal compiler error: unbound identifier", id.span.start));
        };
        self.store_key(Some(BindKey::Sym(sym)), id.name.as_str(), id.span.start, init)
    }

    pub(crate) fn store_symbol(&mut self, sym: SymbolId, name: &str, offset: u32, init: bool) -> Res<()> {
        self.store_key(Some(BindKey::Sym(sym)), name, offset, init)
    }

    pub(crate) fn store_key(&mut self, key: Option<BindKey>, name: &str, offset: u32, init: bool) -> Res<()> {
        self.f.cur_pos = offset;
        let Some(info) = self.lookup(key, name, offset)? else {
            self.emit_store_loc(Loc::Global, name);
            return Ok(());
        };
        let key = key.unwrap();
        if init {
            if info.loc == Loc::Global && info.kind.lexical() {
                let c = self.str_const(name);
                self.f.emit(Op::InitGlobalLex(c));
            } else {
                self.emit_store_loc(info.loc, name);
            }
            if info.kind.lexical()
                && self.no_tdz_elide == 0
                && let BindKey::Sym(s) = key
            {
                self.initialized.insert(s);
            }
            return Ok(());
        }
        if info.loc == Loc::Global {
            self.emit_store_loc(info.loc, name);
            return Ok(());
        }
        match info.kind {
            BKind::Const | BKind::ClassInner => {
                let c = self.str_const(name);
                if self.needs_tdz_check(key, info) {
                    self.emit_load_loc(info.loc, name, false);
                    self.f.emit(Op::ThrowIfEmpty(c));
                }
                self.f.emit(Op::ThrowConstAssign(c));
            }
            BKind::FnName => {
                if self.f.strict() {
                    let c = self.str_const(name);
                    self.f.emit(Op::ThrowConstAssign(c));
                }
            }
            _ => {
                if self.needs_tdz_check(key, info) {
                    let m = self.f.mark();
                    let t = self.f.alloc()?;
                    self.f.emit(Op::Star(t));
                    self.emit_load_loc(info.loc, name, false);
                    let c = self.str_const(name);
                    self.f.emit(Op::ThrowIfEmpty(c));
                    self.f.emit(Op::Ldar(t));
                    self.f.release(m);
                }
                self.emit_store_loc(info.loc, name);
            }
        }
        Ok(())
    }

    /// Loads the binding of a declared symbol (used by hoisting and class code).
    pub(crate) fn binding_info(&self, sym: SymbolId) -> Option<BindInfo> {
        self.binds.get(&BindKey::Sym(sym)).copied()
    }
}
