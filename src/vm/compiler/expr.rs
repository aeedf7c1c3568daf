//! Expressions: literals, operators, property access, calls (with `this`),
//! optional chains, assignments and updates, templates and literals of
//! objects and arrays. Every expression leaves its value in the accumulator.

use oxc_ast::ast::*;
use oxc_span::GetSpan;
use oxc_syntax::operator::{AssignmentOperator, BinaryOperator, LogicalOperator, UnaryOperator, UpdateOperator};

use crate::vm::bytecode::{Op, Reg};
use crate::vm::object::{JsObject, ObjectKind};
use crate::vm::value::Value;

use super::builder::Label;
use super::pattern::Tgt;
use super::{Compiler, Res, not_supported, syntax_error, unsupported};

/// An evaluated property reference (object and key already in registers).
#[derive(Clone, Copy, Debug)]
pub(crate) enum MemberRef {
    Named { obj: Reg, name: u32 },
    Keyed { obj: Reg, key: Reg },
    Super { key: Reg },
}

/// The name given to an anonymous function/class by its context.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NameHint<'n> {
    Static(&'n str),
    /// A computed property key in a register (SetFunctionName at run time).
    Key(Reg),
}

pub(crate) fn strip_parens<'b, 'a>(mut e: &'b Expression<'a>) -> &'b Expression<'a> {
    while let Expression::ParenthesizedExpression(p) = e {
        e = &p.expression;
    }
    e
}

/// Expressions whose evaluation cannot change any binding (so a register read
/// before them still holds the same value afterwards).
pub(crate) fn is_pure_simple(e: &Expression<'_>) -> bool {
    matches!(
        e,
        Expression::NumericLiteral(_)
            | Expression::StringLiteral(_)
            | Expression::BooleanLiteral(_)
            | Expression::NullLiteral(_)
            | Expression::Identifier(_)
            | Expression::ThisExpression(_)
    )
}

pub(crate) fn is_anonymous_fn(e: &Expression<'_>) -> bool {
    match strip_parens(e) {
        Expression::FunctionExpression(f) => f.id.is_none(),
        Expression::ArrowFunctionExpression(_) => true,
        Expression::ClassExpression(c) => c.id.is_none(),
        _ => false,
    }
}

/// Decodes oxc's lone-surrogate encoding (U+FFFD followed by 4 hex digits) to UTF-16.
pub(crate) fn decode_lone_surrogates(s: &str) -> Vec<u16> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{FFFD}' {
            let hex: String = chars.by_ref().take(4).collect();
            match u16::from_str_radix(&hex, 16) {
                Ok(u) if hex.len() == 4 => out.push(u),
                _ => {
                    out.push(0xFFFD);
                    out.extend(hex.encode_utf16());
                }
            }
        } else {
            let mut buf = [0u16; 2];
            out.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    out
}

impl<'a> Compiler<'a, '_> {
    // ----- constants -----

    pub(crate) fn string_value(&mut self, s: &str, lone_surrogates: bool) -> Value {
        if lone_surrogates {
            let units = decode_lone_surrogates(s);
            self.vm.atoms.intern_units(&mut self.vm.heap, &units).value()
        } else {
            self.vm.atom(s).value()
        }
    }

    pub(crate) fn load_number(&mut self, d: f64) {
        let i = d as i32;
        if i as f64 == d && (i != 0 || d.to_bits() == 0) {
            self.f.emit(Op::LdaInt(i));
        } else {
            let c = self.num_const(d);
            self.f.emit(Op::LdaConst(c));
        }
    }

    pub(crate) fn emit_this(&mut self) {
        self.f.emit(Op::LdaThis);
        self.f.flags.uses_this = true;
        if self.f.flags.arrow {
            for outer in self.outer.iter_mut().rev() {
                outer.flags.uses_this = true;
                if !outer.flags.arrow {
                    break;
                }
            }
        }
    }

    // ----- entry points -----

    /// Compiles an expression that may be an anonymous function definition named by its context.
    pub(crate) fn expr_named(&mut self, e: &'a Expression<'a>, name: Option<&str>) -> Res<()> {
        match name {
            Some(n) => self.expr_hint(e, NameHint::Static(n)),
            None => self.expr(e),
        }
    }

    pub(crate) fn expr_hint(&mut self, e: &'a Expression<'a>, hint: NameHint<'_>) -> Res<()> {
        if !is_anonymous_fn(e) {
            return self.expr(e);
        }
        let name = match hint {
            NameHint::Static(n) => Some(n),
            _ => None,
        };
        match strip_parens(e) {
            Expression::FunctionExpression(f) => self.function_expr(f, name)?,
            Expression::ArrowFunctionExpression(a) => self.arrow_expr(a, name)?,
            Expression::ClassExpression(c) => self.class(c, name, None)?,
            _ => unreachable!(),
        }
        if let NameHint::Key(k) = hint {
            self.f.emit(Op::SetFunctionName { key: k, prefix: 0 });
        }
        Ok(())
    }

    pub(crate) fn expr(&mut self, e: &'a Expression<'a>) -> Res<()> {
        self.check_stack(e.span().start)?;
        match e {
            Expression::BooleanLiteral(b) => {
                self.f.emit(if b.value { Op::LdaTrue } else { Op::LdaFalse });
            }
            Expression::NullLiteral(_) => {
                self.f.emit(Op::LdaNull);
            }
            Expression::NumericLiteral(n) => self.load_number(n.value),
            Expression::BigIntLiteral(b) => {
                // oxc gives the value in base 10 without separators.
                let Some(n) = num_bigint::BigInt::parse_bytes(b.value.as_str().as_bytes(), 10) else {
                    return Err(unsupported("this BigInt literal", b.span.start));
                };
                let v = self.vm.bigint_value(n);
                let c = self.f.add_const(v);
                self.f.emit(Op::LdaConst(c));
            }
            Expression::RegExpLiteral(r) => self.regexp(r)?,
            Expression::StringLiteral(s) => {
                let v = self.string_value(s.value.as_str(), s.lone_surrogates);
                let c = self.f.add_const(v);
                self.f.emit(Op::LdaConst(c));
            }
            Expression::TemplateLiteral(t) => self.template(t)?,
            Expression::Identifier(id) => {
                if id.name == "undefined" && self.ref_key(id).is_none() {
                    self.f.emit(Op::LdaUndefined);
                } else {
                    self.load_ident(id)?;
                }
            }
            Expression::Super(s) => {
                return Err(syntax_error("'super' keyword unexpected here", s.span.start));
            }
            Expression::ArrayExpression(a) => self.array_literal(a)?,
            Expression::ArrowFunctionExpression(a) => self.arrow_expr(a, None)?,
            Expression::AssignmentExpression(a) => self.assignment(a)?,
            Expression::AwaitExpression(a) => self.await_expr(a)?,
            Expression::BinaryExpression(b) => self.binary(b)?,
            Expression::CallExpression(c) => self.call(c, None)?,
            Expression::ChainExpression(c) => self.chain(c)?,
            Expression::ClassExpression(c) => self.class(c, None, None)?,
            Expression::ConditionalExpression(c) => {
                let else_l = self.f.new_label();
                let end = self.f.new_label();
                self.expr(&c.test)?;
                self.f.jump_if_false(else_l);
                self.expr(&c.consequent)?;
                self.f.jump(end);
                self.f.bind(else_l);
                self.expr(&c.alternate)?;
                self.f.bind(end);
            }
            Expression::FunctionExpression(f) => self.function_expr(f, None)?,
            Expression::ImportExpression(i) => return Err(unsupported("import()", i.span.start)),
            Expression::LogicalExpression(l) => {
                // Left-nested chains (`a || b || c`) are compiled iteratively.
                let mut spine = vec![&**l];
                let mut leftmost = &l.left;
                while let Expression::LogicalExpression(inner) = leftmost {
                    spine.push(inner);
                    leftmost = &inner.left;
                }
                self.expr(leftmost)?;
                for node in spine.into_iter().rev() {
                    let end = self.f.new_label();
                    match node.operator {
                        LogicalOperator::And => self.f.jump_if_false(end),
                        LogicalOperator::Or => self.f.jump_if_true(end),
                        LogicalOperator::Coalesce => self.f.jump_if_not_nullish(end),
                    }
                    self.expr(&node.right)?;
                    self.f.bind(end);
                }
            }
            Expression::NewExpression(n) => self.new_expr(n)?,
            Expression::ObjectExpression(o) => self.object_literal(o)?,
            Expression::ParenthesizedExpression(p) => self.expr(&p.expression)?,
            Expression::SequenceExpression(s) => {
                let n = s.expressions.len();
                for (i, e) in s.expressions.iter().enumerate() {
                    if i + 1 < n {
                        self.expr_discard(e)?;
                    } else {
                        self.expr(e)?;
                    }
                }
            }
            Expression::TaggedTemplateExpression(t) => self.tagged_template(t)?,
            Expression::ThisExpression(_) => self.emit_this(),
            Expression::UnaryExpression(u) => self.unary(u)?,
            Expression::UpdateExpression(u) => self.update(u)?,
            Expression::YieldExpression(y) => self.yield_expr(y)?,
            Expression::PrivateInExpression(p) => {
                return Err(not_supported("private class members are not supported yet", p.span.start));
            }
            Expression::ImportMeta(i) => {
                return Err(not_supported("modules are not supported yet", i.span.start));
            }
            Expression::NewTarget(_) => {
                self.f.emit(Op::LdaNewTarget);
            }
            Expression::StaticMemberExpression(_) | Expression::ComputedMemberExpression(_) | Expression::PrivateFieldExpression(_) => {
                self.member(e.as_member_expression().unwrap(), None)?;
            }
            Expression::V8IntrinsicExpression(v) => {
                return Err(unsupported("V8 intrinsics", v.span.start));
            }
            _ => return Err(unsupported("JSX/TypeScript syntax", e.span().start)),
        }
        Ok(())
    }

    /// Like `expr`, but members and calls on the optional-chain path jump to `chain` on nullish.
    fn expr_in_chain(&mut self, e: &'a Expression<'a>, chain: Option<Label>) -> Res<()> {
        match e {
            Expression::StaticMemberExpression(_) | Expression::ComputedMemberExpression(_) | Expression::PrivateFieldExpression(_) => {
                self.member(e.as_member_expression().unwrap(), chain)
            }
            Expression::CallExpression(c) => self.call(c, chain),
            _ => self.expr(e),
        }
    }

    fn regexp(&mut self, r: &'a RegExpLiteral<'a>) -> Res<()> {
        let raw = &self.text[r.span.start as usize..r.span.end as usize];
        let close = raw.rfind('/').unwrap_or(0);
        let pattern = &raw[1.min(raw.len())..close.max(1)];
        let flags = &raw[close + 1..];
        let p = self.str_const(pattern);
        let fl = self.str_const(flags);
        self.f.emit_at(Op::CreateRegExp { pattern: p, flags: fl }, r.span.start);
        Ok(())
    }

    fn template(&mut self, t: &'a TemplateLiteral<'a>) -> Res<()> {
        let cooked = |q: &TemplateElement<'a>| q.value.cooked.map(|c| c.as_str()).unwrap_or("");
        if t.expressions.is_empty() {
            let q = &t.quasis[0];
            let v = self.string_value(cooked(q), q.lone_surrogates);
            let c = self.f.add_const(v);
            self.f.emit(Op::LdaConst(c));
            return Ok(());
        }
        let m = self.f.mark();
        let acc_reg = self.f.alloc()?;
        let mut have = false;
        let q0 = &t.quasis[0];
        if !cooked(q0).is_empty() {
            let v = self.string_value(cooked(q0), q0.lone_surrogates);
            let c = self.f.add_const(v);
            self.f.emit(Op::LdaConst(c));
            have = true;
        }
        for (i, e) in t.expressions.iter().enumerate() {
            if have {
                self.f.emit(Op::Star(acc_reg));
            }
            self.expr(e)?;
            self.f.emit_at(Op::ToStringOp, e.span().start);
            if have {
                self.f.emit(Op::Add(acc_reg));
            }
            have = true;
            let q = &t.quasis[i + 1];
            if !cooked(q).is_empty() {
                self.f.emit(Op::Star(acc_reg));
                let v = self.string_value(cooked(q), q.lone_surrogates);
                let c = self.f.add_const(v);
                self.f.emit(Op::LdaConst(c));
                self.f.emit(Op::Add(acc_reg));
            }
        }
        self.f.release(m);
        Ok(())
    }

    fn tagged_template(&mut self, t: &'a TaggedTemplateExpression<'a>) -> Res<()> {
        let m = self.f.mark();
        let callee = self.f.alloc()?;
        let this = self.f.alloc()?;
        self.callee_and_this(&t.tag, callee, this, None)?;
        let mut list = Vec::with_capacity(t.quasi.quasis.len() * 2);
        for q in &t.quasi.quasis {
            let cooked = match q.value.cooked {
                Some(c) => self.string_value(c.as_str(), q.lone_surrogates),
                None => Value::UNDEFINED,
            };
            let raw_text = q.value.raw.as_str().replace("\r\n", "\n").replace('\r', "\n");
            let raw = self.vm.atom(&raw_text).value();
            list.push(cooked);
            list.push(raw);
        }
        let obj = JsObject::new(&mut self.vm.heap, self.vm.null_root_shape, ObjectKind::List(list));
        let list_c = self.f.add_unique_const(obj.value());
        let slot = self.f.templates;
        self.f.templates += 1;
        let argc = t.quasi.expressions.len() + 1;
        let args = self.f.alloc_n(argc as u32)?;
        self.f.emit(Op::GetTemplateObject { list: list_c, slot });
        self.f.emit(Op::Star(args));
        for (i, e) in t.quasi.expressions.iter().enumerate() {
            self.expr(e)?;
            self.f.emit(Op::Star(args + 1 + i as Reg));
        }
        let pc = self.f.emit_at(Op::Call { callee, this, args, argc: argc as u16 }, t.span.start);
        self.f.callee_span(pc, t.tag.span());
        self.f.release(m);
        Ok(())
    }

    // ----- literals -----

    fn array_literal(&mut self, a: &'a ArrayExpression<'a>) -> Res<()> {
        let m = self.f.mark();
        let arr = self.f.alloc()?;
        self.f.emit(Op::CreateArray);
        self.f.emit(Op::Star(arr));
        for el in &a.elements {
            match el {
                ArrayExpressionElement::SpreadElement(s) => {
                    self.expr(&s.argument)?;
                    self.f.emit_at(Op::ArraySpread(arr), s.span.start);
                }
                ArrayExpressionElement::Elision(_) => {
                    self.f.emit(Op::ArrayPushHole(arr));
                }
                _ => {
                    self.expr(el.to_expression())?;
                    self.f.emit(Op::ArrayPush(arr));
                }
            }
        }
        self.f.emit(Op::Ldar(arr));
        self.f.release(m);
        Ok(())
    }

    /// The constant of a non-computed property key (identifier, string or number literal).
    pub(crate) fn static_key(&mut self, key: &'a PropertyKey<'a>, computed: bool) -> Res<Option<(u32, Option<String>)>> {
        if computed {
            return Ok(None);
        }
        Ok(Some(match key {
            PropertyKey::StaticIdentifier(id) => (self.str_const(id.name.as_str()), Some(id.name.to_string())),
            PropertyKey::PrivateIdentifier(p) => {
                return Err(not_supported("private class members are not supported yet", p.span.start));
            }
            PropertyKey::StringLiteral(s) => {
                let v = self.string_value(s.value.as_str(), s.lone_surrogates);
                let name = if s.lone_surrogates { None } else { Some(s.value.to_string()) };
                (self.f.add_const(v), name)
            }
            PropertyKey::NumericLiteral(n) => {
                let s = crate::vm::runtime::number::number_to_string(n.value);
                (self.str_const(&s), Some(s))
            }
            PropertyKey::BigIntLiteral(b) => {
                let s = b.value.as_str().to_string();
                (self.str_const(&s), Some(s))
            }
            _ => return Ok(None),
        }))
    }

    /// acc = the property key (constant, or computed expression + ToPropertyKey).
    pub(crate) fn prop_key(&mut self, key: &'a PropertyKey<'a>, computed: bool) -> Res<Option<String>> {
        if let Some((c, name)) = self.static_key(key, computed)? {
            self.f.emit(Op::LdaConst(c));
            return Ok(name);
        }
        let e = key.as_expression().ok_or_else(|| syntax_error("invalid property key", key.span().start))?;
        self.expr(e)?;
        self.f.emit_at(Op::ToPropertyKey, e.span().start);
        Ok(None)
    }

    fn object_literal(&mut self, o: &'a ObjectExpression<'a>) -> Res<()> {
        let m = self.f.mark();
        let obj = self.f.alloc()?;
        self.f.emit(Op::CreateObject);
        self.f.emit(Op::Star(obj));
        for p in &o.properties {
            let pm = self.f.mark();
            match p {
                ObjectPropertyKind::SpreadProperty(s) => {
                    self.expr(&s.argument)?;
                    self.f.emit_at(Op::CopyDataProperties { target: obj }, s.span.start);
                }
                ObjectPropertyKind::ObjectProperty(p) => {
                    let is_accessor = !matches!(p.kind, PropertyKind::Init);
                    if p.method || is_accessor {
                        let key = self.f.alloc()?;
                        let name = self.prop_key(&p.key, p.computed)?;
                        self.f.emit(Op::Star(key));
                        let Expression::FunctionExpression(func) = &p.value else {
                            return Err(syntax_error("invalid method", p.span.start));
                        };
                        let code = self.compile_function(func, name.as_deref(), super::func::FnKind::Method, Some(p.span))?;
                        let c = self.f.add_unique_const(code.value());
                        self.f.emit(Op::CreateClosure(c));
                        self.f.emit(Op::SetHomeObject(obj));
                        let kind = match p.kind {
                            PropertyKind::Init => 0,
                            PropertyKind::Get => 1,
                            PropertyKind::Set => 2,
                        };
                        self.f.emit(Op::DefineMethod { obj, key, kind, enumerable: true });
                    } else if !p.computed && !p.shorthand && p.key.is_specific_static_name("__proto__") {
                        // `__proto__: v` sets the prototype. There is no dedicated op: this goes
                        // through the Object.prototype.__proto__ setter (same effect unless that
                        // accessor was removed or replaced).
                        self.expr(&p.value)?;
                        let name = self.str_const("__proto__");
                        let ic = self.f.new_ic();
                        self.f.emit_at(Op::SetNamed { obj, name, ic, strict: false }, p.span.start);
                    } else if let Some((c, name)) = self.static_key(&p.key, p.computed)? {
                        self.expr_named(&p.value, name.as_deref())?;
                        self.f.emit(Op::DefineNamed { obj, name: c });
                    } else {
                        let key = self.f.alloc()?;
                        self.prop_key(&p.key, p.computed)?;
                        self.f.emit(Op::Star(key));
                        self.expr_hint(&p.value, NameHint::Key(key))?;
                        self.f.emit(Op::DefineKeyed { obj, key });
                    }
                }
            }
            self.f.release(pm);
        }
        self.f.emit(Op::Ldar(obj));
        self.f.release(m);
        Ok(())
    }

    // ----- operators -----

    /// Binary operators; left-nested chains (`a + b + c`) are compiled iteratively.
    fn binary(&mut self, b: &'a BinaryExpression<'a>) -> Res<()> {
        let mut spine = vec![b];
        let mut leftmost = &b.left;
        while let Expression::BinaryExpression(inner) = leftmost {
            spine.push(inner);
            leftmost = &inner.left;
        }
        let m = self.f.mark();
        let mut first = true;
        let mut l = 0;
        for node in spine.into_iter().rev() {
            if first {
                l = match self.direct_reg(leftmost) {
                    Some(r) if is_pure_simple(&node.right) => r,
                    _ => {
                        self.expr(leftmost)?;
                        let l = self.f.alloc()?;
                        self.f.emit(Op::Star(l));
                        l
                    }
                };
                first = false;
            } else {
                if (l as u32) < m {
                    l = self.f.alloc()?;
                }
                self.f.emit(Op::Star(l));
            }
            self.expr(&node.right)?;
            self.binary_op(node, l);
        }
        self.f.release(m);
        Ok(())
    }

    fn binary_op(&mut self, b: &'a BinaryExpression<'a>, l: Reg) {
        let op = match b.operator {
            BinaryOperator::Equality => Op::Eq(l),
            BinaryOperator::Inequality => Op::Ne(l),
            BinaryOperator::StrictEquality => Op::StrictEq(l),
            BinaryOperator::StrictInequality => Op::StrictNe(l),
            BinaryOperator::LessThan => Op::Lt(l),
            BinaryOperator::LessEqualThan => Op::Le(l),
            BinaryOperator::GreaterThan => Op::Gt(l),
            BinaryOperator::GreaterEqualThan => Op::Ge(l),
            BinaryOperator::Addition => Op::Add(l),
            BinaryOperator::Subtraction => Op::Sub(l),
            BinaryOperator::Multiplication => Op::Mul(l),
            BinaryOperator::Division => Op::Div(l),
            BinaryOperator::Remainder => Op::Mod(l),
            BinaryOperator::Exponential => Op::Exp(l),
            BinaryOperator::ShiftLeft => Op::Shl(l),
            BinaryOperator::ShiftRight => Op::Shr(l),
            BinaryOperator::ShiftRightZeroFill => Op::UShr(l),
            BinaryOperator::BitwiseOR => Op::BitOr(l),
            BinaryOperator::BitwiseXOR => Op::BitXor(l),
            BinaryOperator::BitwiseAnd => Op::BitAnd(l),
            BinaryOperator::In => Op::In(l),
            BinaryOperator::Instanceof => Op::InstanceOf(l),
        };
        self.f.emit_at(op, b.span.start);
    }

    fn binop_for(op: AssignmentOperator, r: Reg) -> Option<Op> {
        Some(match op {
            AssignmentOperator::Addition => Op::Add(r),
            AssignmentOperator::Subtraction => Op::Sub(r),
            AssignmentOperator::Multiplication => Op::Mul(r),
            AssignmentOperator::Division => Op::Div(r),
            AssignmentOperator::Remainder => Op::Mod(r),
            AssignmentOperator::Exponential => Op::Exp(r),
            AssignmentOperator::ShiftLeft => Op::Shl(r),
            AssignmentOperator::ShiftRight => Op::Shr(r),
            AssignmentOperator::ShiftRightZeroFill => Op::UShr(r),
            AssignmentOperator::BitwiseOR => Op::BitOr(r),
            AssignmentOperator::BitwiseXOR => Op::BitXor(r),
            AssignmentOperator::BitwiseAnd => Op::BitAnd(r),
            _ => return None,
        })
    }

    fn unary(&mut self, u: &'a UnaryExpression<'a>) -> Res<()> {
        match u.operator {
            UnaryOperator::Typeof => {
                if let Expression::Identifier(id) = strip_parens(&u.argument) {
                    self.load_ident_typeof(id)?;
                } else {
                    self.expr(&u.argument)?;
                }
                self.f.emit(Op::TypeOf);
            }
            UnaryOperator::Delete => self.delete(u)?,
            UnaryOperator::Void => {
                self.expr(&u.argument)?;
                self.f.emit(Op::LdaUndefined);
            }
            op => {
                self.expr(&u.argument)?;
                let op = match op {
                    UnaryOperator::UnaryNegation => Op::Neg,
                    UnaryOperator::UnaryPlus => Op::ToNumber,
                    UnaryOperator::LogicalNot => Op::Not,
                    UnaryOperator::BitwiseNot => Op::BitNot,
                    _ => unreachable!(),
                };
                self.f.emit_at(op, u.span.start);
            }
        }
        Ok(())
    }

    fn delete(&mut self, u: &'a UnaryExpression<'a>) -> Res<()> {
        let strict = self.f.strict();
        let m = self.f.mark();
        match strip_parens(&u.argument) {
            Expression::Identifier(id) => {
                let global = match self.ref_key(id) {
                    None => true,
                    Some(k) => self.binds.get(&k).is_some_and(|b| b.loc == super::scope::Loc::Global && !b.kind.lexical()),
                };
                if global {
                    // Sloppy `delete x` of a global: delete the global object's property.
                    let g = self.f.alloc()?;
                    let gname = self.str_const("globalThis");
                    let ic = self.f.new_ic();
                    self.f.emit(Op::LdaGlobal { name: gname, ic });
                    self.f.emit(Op::Star(g));
                    let name = self.str_const(id.name.as_str());
                    self.f.emit_at(Op::DeleteNamed { obj: g, name, strict: false }, u.span.start);
                } else {
                    self.f.emit(Op::LdaFalse);
                }
            }
            Expression::StaticMemberExpression(mem) if !matches!(mem.object, Expression::Super(_)) => {
                self.expr(&mem.object)?;
                let obj = self.f.alloc()?;
                self.f.emit(Op::Star(obj));
                let name = self.str_const(mem.property.name.as_str());
                self.f.emit_at(Op::DeleteNamed { obj, name, strict }, u.span.start);
            }
            Expression::ComputedMemberExpression(mem) if !matches!(mem.object, Expression::Super(_)) => {
                self.expr(&mem.object)?;
                let obj = self.f.alloc()?;
                self.f.emit(Op::Star(obj));
                self.expr(&mem.expression)?;
                self.f.emit_at(Op::DeleteKeyed { obj, strict }, u.span.start);
            }
            Expression::StaticMemberExpression(_) | Expression::ComputedMemberExpression(_) => {
                // `delete super.x`: evaluate `this` and the key, then throw a ReferenceError.
                // There is no op for that: ThrowIfEmpty on EMPTY throws a ReferenceError.
                self.emit_this();
                if let Expression::ComputedMemberExpression(mem) = strip_parens(&u.argument) {
                    self.expr(&mem.expression)?;
                }
                let c = self.str_const("super");
                self.f.emit(Op::LdaEmpty);
                self.f.emit_at(Op::ThrowIfEmpty(c), u.span.start);
            }
            Expression::PrivateFieldExpression(p) => {
                return Err(not_supported("private class members are not supported yet", p.span.start));
            }
            Expression::ChainExpression(ch) => {
                // delete a?.b: true when the chain short-circuits.
                let exit = self.f.new_label();
                let end = self.f.new_label();
                let Some(mem) = ch.expression.as_member_expression() else {
                    self.chain(ch)?;
                    self.f.emit(Op::LdaTrue);
                    self.f.release(m);
                    return Ok(());
                };
                self.expr_in_chain(mem.object(), Some(exit))?;
                if mem.optional() {
                    self.f.jump_if_nullish(exit);
                }
                let obj = self.f.alloc()?;
                self.f.emit(Op::Star(obj));
                match mem {
                    MemberExpression::StaticMemberExpression(s) => {
                        let name = self.str_const(s.property.name.as_str());
                        self.f.emit_at(Op::DeleteNamed { obj, name, strict }, u.span.start);
                    }
                    MemberExpression::ComputedMemberExpression(c) => {
                        self.expr(&c.expression)?;
                        self.f.emit_at(Op::DeleteKeyed { obj, strict }, u.span.start);
                    }
                    MemberExpression::PrivateFieldExpression(p) => {
                        return Err(not_supported("private class members are not supported yet", p.span.start));
                    }
                }
                self.f.jump(end);
                self.f.bind(exit);
                self.f.emit(Op::LdaTrue);
                self.f.bind(end);
            }
            other => {
                self.expr(other)?;
                self.f.emit(Op::LdaTrue);
            }
        }
        self.f.release(m);
        Ok(())
    }

    // ----- property access -----

    /// Evaluates the object (and key) of a member expression into fresh registers.
    pub(crate) fn member_ref(&mut self, mem: &'a MemberExpression<'a>, chain: Option<Label>, key_to_prop: bool) -> Res<MemberRef> {
        // Member and call chains recurse here without passing through `expr`.
        self.check_stack(mem.span().start)?;
        match mem {
            MemberExpression::StaticMemberExpression(s) => {
                let name = self.str_const(s.property.name.as_str());
                if let Expression::Super(_) = s.object {
                    let key = self.f.alloc()?;
                    self.f.emit(Op::LdaConst(name));
                    self.f.emit(Op::Star(key));
                    return Ok(MemberRef::Super { key });
                }
                self.expr_in_chain(&s.object, chain)?;
                if s.optional {
                    self.f.jump_if_nullish(chain.expect("optional member outside a chain"));
                }
                let obj = self.f.alloc()?;
                self.f.emit(Op::Star(obj));
                Ok(MemberRef::Named { obj, name })
            }
            MemberExpression::ComputedMemberExpression(c) => {
                if let Expression::Super(_) = c.object {
                    let key = self.f.alloc()?;
                    // `this` is resolved before the key is evaluated (throws before super()).
                    self.emit_this();
                    self.expr(&c.expression)?;
                    if key_to_prop {
                        self.f.emit_at(Op::ToPropertyKey, c.expression.span().start);
                    }
                    self.f.emit(Op::Star(key));
                    return Ok(MemberRef::Super { key });
                }
                self.expr_in_chain(&c.object, chain)?;
                if c.optional {
                    self.f.jump_if_nullish(chain.expect("optional member outside a chain"));
                }
                let obj = self.f.alloc()?;
                self.f.emit(Op::Star(obj));
                let key = self.f.alloc()?;
                self.expr(&c.expression)?;
                if key_to_prop {
                    // Read-modify-write: the key is converted once, after the base
                    // is checked (ToObject comes before ToPropertyKey).
                    self.f.emit(Op::Star(key));
                    let ok = self.f.new_label();
                    self.f.emit(Op::Ldar(obj));
                    self.f.jump_if_not_nullish(ok);
                    let msg = self.str_const("Cannot read properties of null or undefined");
                    self.f.emit_at(Op::ThrowTypeError(msg), c.span.start);
                    self.f.bind(ok);
                    self.f.emit(Op::Ldar(key));
                    self.f.emit_at(Op::ToPropertyKey, c.expression.span().start);
                }
                self.f.emit(Op::Star(key));
                Ok(MemberRef::Keyed { obj, key })
            }
            MemberExpression::PrivateFieldExpression(p) => Err(not_supported("private class members are not supported yet", p.span.start)),
        }
    }

    /// acc = value of the reference.
    pub(crate) fn get_ref(&mut self, r: MemberRef, pos: u32) {
        match r {
            MemberRef::Named { obj, name } => {
                let ic = self.f.new_ic();
                self.f.emit_at(Op::GetNamed { obj, name, ic }, pos);
            }
            MemberRef::Keyed { obj, key } => {
                self.f.emit(Op::Ldar(key));
                self.f.emit_at(Op::GetKeyed { obj }, pos);
            }
            MemberRef::Super { key } => {
                self.f.emit_at(Op::GetSuper { key }, pos);
            }
        }
    }

    /// reference = acc (acc preserved).
    pub(crate) fn set_ref(&mut self, r: MemberRef, pos: u32) {
        let strict = self.f.strict();
        match r {
            MemberRef::Named { obj, name } => {
                let ic = self.f.new_ic();
                self.f.emit_at(Op::SetNamed { obj, name, ic, strict }, pos);
            }
            MemberRef::Keyed { obj, key } => {
                self.f.emit_at(Op::SetKeyed { obj, key, strict }, pos);
            }
            MemberRef::Super { key } => {
                self.f.emit_at(Op::SetSuper { key, strict }, pos);
            }
        }
    }

    fn member(&mut self, mem: &'a MemberExpression<'a>, chain: Option<Label>) -> Res<()> {
        let m = self.f.mark();
        if let MemberExpression::StaticMemberExpression(_) | MemberExpression::ComputedMemberExpression(_) = mem
            && matches!(mem.object(), Expression::Super(_))
        {
            self.emit_this_for_super();
        }
        match mem {
            MemberExpression::StaticMemberExpression(s) if !s.optional && self.direct_reg(&s.object).is_some() => {
                let obj = self.direct_reg(&s.object).unwrap();
                let name = self.str_const(s.property.name.as_str());
                let ic = self.f.new_ic();
                self.f.emit_at(Op::GetNamed { obj, name, ic }, s.span.start);
            }
            MemberExpression::ComputedMemberExpression(c) if !c.optional && is_pure_simple(&c.expression) && self.direct_reg(&c.object).is_some() => {
                let obj = self.direct_reg(&c.object).unwrap();
                self.expr(&c.expression)?;
                self.f.emit_at(Op::GetKeyed { obj }, c.span.start);
            }
            MemberExpression::ComputedMemberExpression(c) if !matches!(c.object, Expression::Super(_)) => {
                // acc-keyed load: no key register needed.
                self.expr_in_chain(&c.object, chain)?;
                if c.optional {
                    self.f.jump_if_nullish(chain.expect("optional member outside a chain"));
                }
                let obj = self.f.alloc()?;
                self.f.emit(Op::Star(obj));
                self.expr(&c.expression)?;
                self.f.emit_at(Op::GetKeyed { obj }, c.span.start);
            }
            _ => {
                let r = self.member_ref(mem, chain, false)?;
                self.get_ref(r, mem.span().start);
            }
        }
        self.f.release(m);
        Ok(())
    }

    /// Marks `this` as used by a super property access (the interpreter needs the receiver).
    fn emit_this_for_super(&mut self) {
        self.f.flags.uses_this = true;
    }

    fn chain(&mut self, ch: &'a ChainExpression<'a>) -> Res<()> {
        let exit = self.f.new_label();
        let end = self.f.new_label();
        match &ch.expression {
            ChainElement::CallExpression(c) => self.call(c, Some(exit))?,
            ChainElement::TSNonNullExpression(t) => {
                return Err(unsupported("TypeScript syntax", t.span.start));
            }
            el => self.member(el.as_member_expression().unwrap(), Some(exit))?,
        }
        self.f.jump(end);
        self.f.bind(exit);
        self.f.emit(Op::LdaUndefined);
        self.f.bind(end);
        Ok(())
    }

    // ----- calls -----

    /// Evaluates a callee into `rc` and its `this` value into `rt`.
    pub(crate) fn callee_and_this(&mut self, callee: &'a Expression<'a>, rc: Reg, rt: Reg, chain: Option<Label>) -> Res<()> {
        self.check_stack(callee.span().start)?;
        let inner = strip_parens(callee);
        // Keep `chain` only when the callee is not parenthesised.
        let chain = if std::ptr::eq(inner, callee) { chain } else { None };
        match inner {
            Expression::StaticMemberExpression(s) if !s.optional && self.direct_reg(&s.object).is_some() => {
                let obj = self.direct_reg(&s.object).unwrap();
                self.f.emit(Op::Mov(obj, rt));
                let name = self.str_const(s.property.name.as_str());
                let ic = self.f.new_ic();
                self.f.emit_at(Op::GetNamed { obj, name, ic }, s.span.start);
                self.f.emit(Op::Star(rc));
            }
            Expression::StaticMemberExpression(_) | Expression::ComputedMemberExpression(_) => {
                let mem = inner.as_member_expression().unwrap();
                let m = self.f.mark();
                let r = self.member_ref(mem, chain, false)?;
                match r {
                    MemberRef::Named { obj, .. } | MemberRef::Keyed { obj, .. } => {
                        self.f.emit(Op::Mov(obj, rt));
                    }
                    MemberRef::Super { .. } => {
                        self.emit_this();
                        self.f.emit(Op::Star(rt));
                    }
                }
                self.get_ref(r, mem.span().start);
                self.f.emit(Op::Star(rc));
                self.f.release(m);
            }
            Expression::PrivateFieldExpression(p) => {
                return Err(not_supported("private class members are not supported yet", p.span.start));
            }
            Expression::ChainExpression(ch) if ch.expression.as_member_expression().is_some() => {
                // `(a?.b)()`: this = a; short-circuit gives an undefined callee.
                let mem = ch.expression.as_member_expression().unwrap();
                let exit = self.f.new_label();
                let end = self.f.new_label();
                let m = self.f.mark();
                let r = self.member_ref(mem, Some(exit), false)?;
                if let MemberRef::Named { obj, .. } | MemberRef::Keyed { obj, .. } = r {
                    self.f.emit(Op::Mov(obj, rt));
                }
                self.get_ref(r, mem.span().start);
                self.f.emit(Op::Star(rc));
                self.f.release(m);
                self.f.jump(end);
                self.f.bind(exit);
                self.f.emit(Op::LdaUndefined);
                self.f.emit(Op::Star(rc));
                self.f.emit(Op::Star(rt));
                self.f.bind(end);
            }
            _ => {
                self.expr_in_chain(inner, chain)?;
                self.f.emit(Op::Star(rc));
                self.f.emit(Op::LdaUndefined);
                self.f.emit(Op::Star(rt));
            }
        }
        Ok(())
    }

    /// Builds an array from arguments with spread elements; returns its register.
    fn spread_args(&mut self, args: &'a [Argument<'a>]) -> Res<Reg> {
        let arr = self.f.alloc()?;
        self.f.emit(Op::CreateArray);
        self.f.emit(Op::Star(arr));
        for a in args {
            match a {
                Argument::SpreadElement(s) => {
                    self.expr(&s.argument)?;
                    self.f.emit_at(Op::ArraySpread(arr), s.span.start);
                }
                _ => {
                    self.expr(a.to_expression())?;
                    self.f.emit(Op::ArrayPush(arr));
                }
            }
        }
        Ok(arr)
    }

    /// Evaluates plain arguments into consecutive registers; returns (first, count).
    fn plain_args(&mut self, args: &'a [Argument<'a>]) -> Res<(Reg, u16)> {
        let n = args.len() as u32;
        let base = self.f.alloc_n(n)?;
        for (i, a) in args.iter().enumerate() {
            self.expr(a.to_expression())?;
            self.f.emit(Op::Star(base + i as Reg));
        }
        Ok((base, n as u16))
    }

    fn call(&mut self, c: &'a CallExpression<'a>, chain: Option<Label>) -> Res<()> {
        let has_spread = c.arguments.iter().any(|a| matches!(a, Argument::SpreadElement(_)));
        let m = self.f.mark();
        if let Expression::Super(_) = c.callee {
            if has_spread {
                let arr = self.spread_args(&c.arguments)?;
                self.f.emit_at(Op::SuperCallSpread { args: arr }, c.span.start);
            } else {
                let (args, argc) = self.plain_args(&c.arguments)?;
                self.f.emit_at(Op::SuperCall { args, argc }, c.span.start);
            }
            self.f.flags.uses_this = true;
            self.f.release(m);
            return Ok(());
        }
        if let Expression::Identifier(id) = &c.callee
            && id.name == "eval"
            && !c.optional
            && !has_spread
        {
            let callee = self.f.alloc()?;
            self.load_ident(id)?;
            self.f.emit(Op::Star(callee));
            let (args, argc) = self.plain_args(&c.arguments)?;
            let pc = self.f.emit_at(Op::CallEval { callee, args, argc }, c.span.start);
            self.f.callee_span(pc, c.callee.span());
            self.f.release(m);
            return Ok(());
        }
        let callee = self.f.alloc()?;
        let this = self.f.alloc()?;
        self.callee_and_this(&c.callee, callee, this, chain)?;
        if c.optional {
            self.f.emit(Op::Ldar(callee));
            self.f.jump_if_nullish(chain.expect("optional call outside a chain"));
        }
        if has_spread {
            let arr = self.spread_args(&c.arguments)?;
            let pc = self.f.emit_at(Op::CallSpread { callee, this, args: arr }, c.span.start);
            self.f.callee_span(pc, c.callee.span());
        } else {
            let (args, argc) = self.plain_args(&c.arguments)?;
            let pc = self.f.emit_at(Op::Call { callee, this, args, argc }, c.span.start);
            self.f.callee_span(pc, c.callee.span());
        }
        self.f.release(m);
        Ok(())
    }

    fn new_expr(&mut self, n: &'a NewExpression<'a>) -> Res<()> {
        let m = self.f.mark();
        let callee = self.f.alloc()?;
        self.expr(&n.callee)?;
        self.f.emit(Op::Star(callee));
        if n.arguments.iter().any(|a| matches!(a, Argument::SpreadElement(_))) {
            let arr = self.spread_args(&n.arguments)?;
            let pc = self.f.emit_at(Op::NewSpread { callee, args: arr }, n.span.start);
            self.f.callee_span(pc, n.callee.span());
        } else {
            let (args, argc) = self.plain_args(&n.arguments)?;
            let pc = self.f.emit_at(Op::New { callee, args, argc }, n.span.start);
            self.f.callee_span(pc, n.callee.span());
        }
        self.f.release(m);
        Ok(())
    }

    // ----- assignment -----

    fn assignment(&mut self, a: &'a AssignmentExpression<'a>) -> Res<()> {
        let m = self.f.mark();
        let pos = a.span.start;
        match a.operator {
            AssignmentOperator::Assign => match &a.left {
                AssignmentTarget::AssignmentTargetIdentifier(id) => {
                    // `(x) = function () {}` does not name the function.
                    let hint = (id.span.start == a.span.start).then(|| id.name.as_str());
                    self.expr_named(&a.right, hint)?;
                    self.store_ident(id)?;
                }
                AssignmentTarget::ArrayAssignmentTarget(_) | AssignmentTarget::ObjectAssignmentTarget(_) => {
                    self.expr(&a.right)?;
                    let t = self.f.alloc()?;
                    self.f.emit(Op::Star(t));
                    self.destructure(Tgt::Target(&a.left))?;
                    self.f.emit(Op::Ldar(t));
                }
                target => {
                    let Some(mem) = target.as_member_expression() else {
                        return Err(unsupported("TypeScript syntax", pos));
                    };
                    let r = self.member_ref(mem, None, false)?;
                    if let MemberRef::Super { .. } = r {
                        self.emit_this_for_super();
                    }
                    self.expr(&a.right)?;
                    self.set_ref(r, pos);
                }
            },
            op => {
                let logical = matches!(op, AssignmentOperator::LogicalAnd | AssignmentOperator::LogicalOr | AssignmentOperator::LogicalNullish);
                let ident = match &a.left {
                    AssignmentTarget::AssignmentTargetIdentifier(id) => Some(&**id),
                    _ => None,
                };
                let r = match ident {
                    Some(id) => {
                        self.load_ident(id)?;
                        None
                    }
                    None => {
                        let Some(mem) = a.left.as_member_expression() else {
                            return Err(syntax_error("Invalid left-hand side in assignment", pos));
                        };
                        let r = self.member_ref(mem, None, true)?;
                        if let MemberRef::Super { .. } = r {
                            self.emit_this_for_super();
                        }
                        self.get_ref(r, pos);
                        Some(r)
                    }
                };
                if logical {
                    let end = self.f.new_label();
                    match op {
                        AssignmentOperator::LogicalAnd => self.f.jump_if_false(end),
                        AssignmentOperator::LogicalOr => self.f.jump_if_true(end),
                        _ => self.f.jump_if_not_nullish(end),
                    }
                    let hint = ident.filter(|i| i.span.start == a.span.start).map(|i| i.name.as_str());
                    self.expr_named(&a.right, hint)?;
                    match r {
                        None => self.store_ident(ident.unwrap())?,
                        Some(r) => self.set_ref(r, pos),
                    }
                    self.f.bind(end);
                } else {
                    let l = self.f.alloc()?;
                    self.f.emit(Op::Star(l));
                    self.expr(&a.right)?;
                    let bop = Self::binop_for(op, l).expect("arithmetic assignment operator");
                    self.f.emit_at(bop, pos);
                    match r {
                        None => self.store_ident(ident.unwrap())?,
                        Some(r) => self.set_ref(r, pos),
                    }
                }
            }
        }
        self.f.release(m);
        Ok(())
    }

    /// Compiles an expression whose value is not used.
    pub(crate) fn expr_discard(&mut self, e: &'a Expression<'a>) -> Res<()> {
        match e {
            Expression::UpdateExpression(u) => self.update_inner(u, false),
            Expression::SequenceExpression(s) => {
                for e in &s.expressions {
                    self.expr_discard(e)?;
                }
                Ok(())
            }
            Expression::ParenthesizedExpression(p) => self.expr_discard(&p.expression),
            _ => self.expr(e),
        }
    }

    fn update(&mut self, u: &'a UpdateExpression<'a>) -> Res<()> {
        self.update_inner(u, true)
    }

    fn update_inner(&mut self, u: &'a UpdateExpression<'a>, want_value: bool) -> Res<()> {
        let m = self.f.mark();
        let pos = u.span.start;
        let ident = match &u.argument {
            SimpleAssignmentTarget::AssignmentTargetIdentifier(id) => Some(&**id),
            _ => None,
        };
        let r = match ident {
            Some(id) => {
                self.load_ident(id)?;
                None
            }
            None => {
                let Some(mem) = u.argument.as_member_expression() else {
                    return Err(syntax_error("Invalid left-hand side expression in update operation", pos));
                };
                let r = self.member_ref(mem, None, true)?;
                if let MemberRef::Super { .. } = r {
                    self.emit_this_for_super();
                }
                self.get_ref(r, pos);
                Some(r)
            }
        };
        let old = if u.prefix || !want_value {
            None
        } else {
            self.f.emit_at(Op::ToNumeric, pos);
            let old = self.f.alloc()?;
            self.f.emit(Op::Star(old));
            Some(old)
        };
        self.f.emit_at(if u.operator == UpdateOperator::Increment { Op::Inc } else { Op::Dec }, pos);
        match r {
            None => self.store_ident(ident.unwrap())?,
            Some(r) => self.set_ref(r, pos),
        }
        if let Some(old) = old {
            self.f.emit(Op::Ldar(old));
        }
        self.f.release(m);
        Ok(())
    }
}
