//! Destructuring: binding patterns (declarations, parameters, catch, for
//! heads) and assignment patterns, with defaults, object rest and iterator
//! protocol handling (closing the iterator on early exit and on exceptions).

use oxc_ast::ast::*;
use oxc_span::GetSpan;

use crate::vm::bytecode::{Op, Reg};

use super::builder::{Ctl, Jump};
use super::expr::MemberRef;
use super::{Compiler, Res, syntax_error, unsupported};

/// A destructuring target; the value to store is in acc.
#[derive(Clone, Copy)]
pub(crate) enum Tgt<'a> {
    /// A binding pattern; `true` = initialisation (declarations, parameters).
    Pat(&'a BindingPattern<'a>, bool),
    Target(&'a AssignmentTarget<'a>),
    MaybeDefault(&'a AssignmentTargetMaybeDefault<'a>),
    /// Shorthand `{a = init}` of an object assignment pattern.
    IdentDefault(&'a IdentifierReference<'a>, Option<&'a Expression<'a>>),
}

/// A property key of an object pattern.
#[derive(Clone, Copy)]
enum PatKey<'a> {
    Key(&'a PropertyKey<'a>, bool),
    Name(&'a str),
}

/// A member-expression target evaluated before its value is fetched.
enum Prep {
    None,
    Member(MemberRef, u32),
}

impl<'a> Compiler<'a, '_> {
    /// Stores acc into the target.
    pub(crate) fn destructure(&mut self, t: Tgt<'a>) -> Res<()> {
        self.check_stack(self.f.cur_pos)?;
        if Self::member_target(t).is_none() {
            return self.finish_target(t, Prep::None);
        }
        // The member's object and key are evaluated after the value: keep it aside.
        let m = self.f.mark();
        let v = self.f.alloc()?;
        self.f.emit(Op::Star(v));
        let prep = self.prepare_target(t)?;
        self.f.emit(Op::Ldar(v));
        self.finish_target(t, prep)?;
        self.f.release(m);
        Ok(())
    }

    /// The simple assignment target under a default, if it is a member expression.
    fn member_target(t: Tgt<'a>) -> Option<&'a MemberExpression<'a>> {
        let at = match t {
            Tgt::Target(at) => at,
            Tgt::MaybeDefault(AssignmentTargetMaybeDefault::AssignmentTargetWithDefault(d)) => &d.binding,
            Tgt::MaybeDefault(md) => md.as_assignment_target()?,
            _ => return None,
        };
        at.as_member_expression()
    }

    fn prepare_target(&mut self, t: Tgt<'a>) -> Res<Prep> {
        match Self::member_target(t) {
            Some(mem) => {
                let r = self.member_ref(mem, None, false)?;
                Ok(Prep::Member(r, mem.span().start))
            }
            None => Ok(Prep::None),
        }
    }

    /// `acc === undefined ? init : acc`.
    fn apply_default(&mut self, init: &'a Expression<'a>, hint: Option<&str>) -> Res<()> {
        let l = self.f.new_label();
        self.f.jump_if_not_undefined(l);
        self.expr_named(init, hint)?;
        self.f.bind(l);
        Ok(())
    }

    fn finish_target(&mut self, t: Tgt<'a>, prep: Prep) -> Res<()> {
        // Nested patterns recurse through here and object/array_pattern.
        self.check_stack(self.f.cur_pos)?;
        if let Prep::Member(r, pos) = prep {
            if let Tgt::MaybeDefault(AssignmentTargetMaybeDefault::AssignmentTargetWithDefault(d)) = t {
                self.apply_default(&d.init, None)?;
            }
            self.set_ref(r, pos);
            return Ok(());
        }
        match t {
            Tgt::Pat(p, init) => match p {
                BindingPattern::BindingIdentifier(id) => self.store_binding_ident(id, init),
                BindingPattern::AssignmentPattern(ap) => {
                    let hint = match &ap.left {
                        BindingPattern::BindingIdentifier(id) => Some(id.name.as_str()),
                        _ => None,
                    };
                    self.apply_default(&ap.right, hint)?;
                    self.destructure(Tgt::Pat(&ap.left, init))
                }
                BindingPattern::ObjectPattern(op) => {
                    let props: Vec<(PatKey<'a>, Tgt<'a>)> = op.properties.iter().map(|p| (PatKey::Key(&p.key, p.computed), Tgt::Pat(&p.value, init))).collect();
                    let rest = op.rest.as_ref().map(|r| Tgt::Pat(&r.argument, init));
                    self.object_pattern(&props, rest, op.span.start)
                }
                BindingPattern::ArrayPattern(ap) => {
                    let elems: Vec<Option<Tgt<'a>>> = ap.elements.iter().map(|e| e.as_ref().map(|p| Tgt::Pat(p, init))).collect();
                    let rest = ap.rest.as_ref().map(|r| Tgt::Pat(&r.argument, init));
                    self.array_pattern(&elems, rest, ap.span.start)
                }
            },
            Tgt::Target(at) => match at {
                AssignmentTarget::AssignmentTargetIdentifier(id) => self.store_ident(id),
                AssignmentTarget::ObjectAssignmentTarget(o) => {
                    let props: Vec<(PatKey<'a>, Tgt<'a>)> = o
                        .properties
                        .iter()
                        .map(|p| match p {
                            AssignmentTargetProperty::AssignmentTargetPropertyIdentifier(pi) => {
                                (PatKey::Name(pi.binding.name.as_str()), Tgt::IdentDefault(&pi.binding, pi.init.as_ref()))
                            }
                            AssignmentTargetProperty::AssignmentTargetPropertyProperty(pp) => {
                                (PatKey::Key(&pp.name, pp.computed), Tgt::MaybeDefault(&pp.binding))
                            }
                        })
                        .collect();
                    let rest = o.rest.as_ref().map(|r| Tgt::Target(&r.target));
                    self.object_pattern(&props, rest, o.span.start)
                }
                AssignmentTarget::ArrayAssignmentTarget(a) => {
                    let elems: Vec<Option<Tgt<'a>>> = a.elements.iter().map(|e| e.as_ref().map(Tgt::MaybeDefault)).collect();
                    let rest = a.rest.as_ref().map(|r| Tgt::Target(&r.target));
                    self.array_pattern(&elems, rest, a.span.start)
                }
                other => Err(unsupported("TypeScript syntax", other.span().start)),
            },
            Tgt::MaybeDefault(md) => match md {
                AssignmentTargetMaybeDefault::AssignmentTargetWithDefault(d) => {
                    let hint = match &d.binding {
                        AssignmentTarget::AssignmentTargetIdentifier(id) => Some(id.name.as_str()),
                        _ => None,
                    };
                    self.apply_default(&d.init, hint)?;
                    self.destructure(Tgt::Target(&d.binding))
                }
                other => {
                    let at = other.as_assignment_target().ok_or_else(|| syntax_error("Invalid destructuring assignment target", other.span().start))?;
                    self.destructure(Tgt::Target(at))
                }
            },
            Tgt::IdentDefault(id, init) => {
                if let Some(init) = init {
                    self.apply_default(init, Some(id.name.as_str()))?;
                }
                self.store_ident(id)
            }
        }
    }

    fn object_pattern(&mut self, props: &[(PatKey<'a>, Tgt<'a>)], rest: Option<Tgt<'a>>, pos: u32) -> Res<()> {
        let m = self.f.mark();
        let src = self.f.alloc()?;
        self.f.emit(Op::Star(src));
        if props.is_empty() {
            // RequireObjectCoercible (non-empty patterns fail in the property load).
            let ok = self.f.new_label();
            self.f.jump_if_not_nullish(ok);
            let c = self.str_const("Cannot destructure 'undefined' or 'null'.");
            self.f.emit_at(Op::ThrowTypeError(c), pos);
            self.f.bind(ok);
        }
        let keys: Option<Reg> = if rest.is_some() { Some(self.f.alloc_n(props.len() as u32)?) } else { None };
        for (i, &(key, tgt)) in props.iter().enumerate() {
            let pm = self.f.mark();
            // The key is evaluated before the target reference and the value.
            let mut static_name = None;
            let mut key_reg = None;
            match key {
                PatKey::Name(n) => static_name = Some(self.str_const(n)),
                PatKey::Key(k, computed) => match self.static_key(k, computed)? {
                    Some((c, _)) => static_name = Some(c),
                    None => {
                        let r = match keys {
                            Some(base) => base + i as Reg,
                            None => self.f.alloc()?,
                        };
                        self.prop_key(k, computed)?;
                        self.f.emit(Op::Star(r));
                        key_reg = Some(r);
                    }
                },
            }
            if let (Some(c), Some(base)) = (static_name, keys) {
                self.f.emit(Op::LdaConst(c));
                self.f.emit(Op::Star(base + i as Reg));
            }
            let prep = self.prepare_target(tgt)?;
            let at = match key {
                PatKey::Key(k, _) => k.span().start,
                PatKey::Name(_) => pos,
            };
            match (static_name, key_reg) {
                (Some(name), _) => {
                    let ic = self.f.new_ic();
                    self.f.emit_at(Op::GetNamed { obj: src, name, ic }, at);
                }
                (None, Some(k)) => {
                    self.f.emit(Op::Ldar(k));
                    self.f.emit_at(Op::GetKeyed { obj: src }, at);
                }
                (None, None) => unreachable!(),
            }
            self.finish_target(tgt, prep)?;
            self.f.release(pm);
        }
        if let Some(rest) = rest {
            let prep = self.prepare_target(rest)?;
            let excl = keys.unwrap_or(src);
            self.f.emit_at(Op::ObjectRest { source: src, excl, count: props.len() as u16 }, pos);
            self.finish_target(rest, prep)?;
        }
        self.f.release(m);
        Ok(())
    }

    fn array_pattern(&mut self, elems: &[Option<Tgt<'a>>], rest: Option<Tgt<'a>>, pos: u32) -> Res<()> {
        let m = self.f.mark();
        let iter = self.f.alloc_n(2)?;
        let done = self.f.alloc()?;
        let tmp = self.f.alloc()?;
        let saved = self.f.alloc()?;
        self.f.emit_at(Op::GetIterator(iter), pos);
        self.f.emit(Op::LdaFalse);
        self.f.emit(Op::Star(done));
        self.f.emit(Op::SaveEnv(saved));
        // In a generator, a `yield` inside the pattern can be resumed with
        // return(): that return closes the iterator (unless it is done).
        let return_val = if self.f.generator.is_some() {
            let val = self.f.alloc()?;
            self.f.ctl.push(Ctl::IterClose { val, pending: Vec::new() });
            Some(val)
        } else {
            None
        };
        let start = self.f.here();
        for el in elems {
            let pm = self.f.mark();
            match el {
                None => {
                    let skip = self.f.new_label();
                    self.f.emit(Op::Ldar(done));
                    self.f.jump_if_true(skip);
                    self.f.emit(Op::LdaTrue);
                    self.f.emit(Op::Star(done));
                    self.f.iterator_step(iter, skip);
                    self.f.emit(Op::LdaFalse);
                    self.f.emit(Op::Star(done));
                    self.f.bind(skip);
                }
                Some(t) => {
                    let prep = self.prepare_target(*t)?;
                    let undef = self.f.new_label();
                    let have = self.f.new_label();
                    self.f.emit(Op::Ldar(done));
                    self.f.jump_if_true(undef);
                    self.f.emit(Op::LdaTrue);
                    self.f.emit(Op::Star(done));
                    self.f.iterator_step(iter, undef);
                    self.f.emit(Op::Star(tmp));
                    self.f.emit(Op::LdaFalse);
                    self.f.emit(Op::Star(done));
                    self.f.emit(Op::Ldar(tmp));
                    self.f.jump(have);
                    self.f.bind(undef);
                    self.f.emit(Op::LdaUndefined);
                    self.f.bind(have);
                    self.finish_target(*t, prep)?;
                }
            }
            self.f.release(pm);
        }
        if let Some(r) = rest {
            let pm = self.f.mark();
            let prep = self.prepare_target(r)?;
            let arr = self.f.alloc()?;
            self.f.emit(Op::CreateArray);
            self.f.emit(Op::Star(arr));
            let fin = self.f.new_label();
            self.f.emit(Op::Ldar(done));
            self.f.jump_if_true(fin);
            self.f.emit(Op::LdaTrue);
            self.f.emit(Op::Star(done));
            let lp = self.f.here();
            self.f.iterator_step(iter, fin);
            self.f.emit(Op::ArrayPush(arr));
            self.f.jump(lp);
            self.f.bind(fin);
            self.f.emit(Op::Ldar(arr));
            self.finish_target(r, prep)?;
            self.f.release(pm);
        }
        let end = self.f.here();
        let pending = if return_val.is_some() {
            let Some(Ctl::IterClose { pending, .. }) = self.f.ctl.pop() else { unreachable!("pattern control entry") };
            pending
        } else {
            Vec::new()
        };
        let out = self.f.new_label();
        self.f.emit(Op::Ldar(done));
        self.f.jump_if_true(out);
        self.f.emit_at(Op::IteratorClose(iter), pos);
        self.f.jump(out);
        for (l, j) in pending {
            self.f.bind(l);
            let skip = self.f.new_label();
            self.f.emit(Op::Ldar(done));
            self.f.jump_if_true(skip);
            self.f.emit(Op::IteratorClose(iter));
            self.f.bind(skip);
            if let (Jump::Return, Some(val)) = (j, return_val) {
                self.f.emit(Op::Ldar(val));
            }
            self.jump_out(j, self.f.ctl.len())?;
        }
        // Abrupt completion inside the pattern: close the iterator unless it is done
        // (errors from closing are ignored), then rethrow.
        let handler = self.f.here();
        self.f.emit(Op::RestoreEnv(saved));
        self.f.emit(Op::Star(tmp));
        let rethrow = self.f.new_label();
        self.f.emit(Op::Ldar(done));
        self.f.jump_if_true(rethrow);
        let cs = self.f.here();
        self.f.emit(Op::IteratorClose(iter));
        let ce = self.f.here();
        self.f.bind(rethrow);
        self.f.emit(Op::Ldar(tmp));
        self.f.emit(Op::Throw);
        self.f.add_handler(cs, ce, rethrow);
        self.f.add_handler(start, end, handler);
        self.f.bind(out);
        self.f.release(m);
        Ok(())
    }
}
