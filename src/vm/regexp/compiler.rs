//! Pattern tree to regexp bytecode. The compiler recurses once per nesting
//! level of the tree, which the parser bounds.
//!
//! Ignoring case (`i`, `(?i:...)`), a character or class becomes the set
//! of every character equivalent to a member ([`super::fold`]).

use std::collections::HashSet;

use super::ast::{Assertion, Class, ClassEscape, ClassKind, ClassOperand, Node, Pattern};
use super::fold;
use super::program::{Inst, Program};
use super::unicode::{CharSet, MAX_CHAR};

/// The flags that change how a node compiles; modifier groups change them
/// for their body.
#[derive(Clone, Copy)]
struct Mode {
    ignore_case: bool,
    multiline: bool,
    dot_all: bool,
    /// Inside a lookbehind: match right to left.
    backward: bool,
}

pub(crate) fn compile(pattern: &Pattern, flags: super::Flags) -> Program {
    let mut c = Compiler::new(pattern, flags, false);
    let mode = Mode { ignore_case: flags.ignore_case, multiline: flags.multiline, dot_all: flags.dot_all, backward: false };
    c.emit(Inst::Save(0));
    c.node(&pattern.root, mode);
    c.emit(Inst::Save(1));
    c.emit(Inst::Match);
    c.p.analyze();
    c.p
}

/// The most instructions a linear program may have: quantifiers are
/// unrolled into copies of their body, and the linear matcher's state is
/// per instruction.
const LINEAR_MAX_INSTS: usize = 4096;
/// The most (instructions x capture slots) of a linear program: each
/// thread of the linear matcher carries its own capture slots.
const LINEAR_MAX_STATE: usize = 1 << 18;

/// The program for [`super::pike`], the linear-time matcher: only
/// characters, assertions, captures, splits and jumps, with quantifiers
/// unrolled (no counters, no registers). None when the pattern needs more
/// than those give the same answers with: back references, lookarounds,
/// or a quantified body that can match the empty string (ECMAScript stops
/// such an iteration: RepeatMatcher's empty check), or when the unrolled
/// program would be too big.
pub(crate) fn compile_linear(pattern: &Pattern, flags: super::Flags) -> Option<Program> {
    if !linear_eligible(&pattern.root) {
        return None;
    }
    let mut c = Compiler::new(pattern, flags, true);
    let mode = Mode { ignore_case: flags.ignore_case, multiline: flags.multiline, dot_all: flags.dot_all, backward: false };
    c.emit(Inst::Save(0));
    c.node(&pattern.root, mode);
    c.emit(Inst::Save(1));
    c.emit(Inst::Match);
    if c.too_big || c.p.insts.len() > LINEAR_MAX_INSTS || c.p.insts.len() * c.p.slots as usize > LINEAR_MAX_STATE {
        return None;
    }
    c.p.analyze();
    Some(c.p)
}

/// Whether the linear matcher gives the backtracker's answers for `node`
/// (see [`compile_linear`]).
fn linear_eligible(node: &Node) -> bool {
    match node {
        Node::Empty | Node::Char(_) | Node::Dot | Node::Class(_) | Node::Assertion(_) => true,
        Node::Look { .. } | Node::BackReference(_) => false,
        Node::Capture { body, .. } | Node::Group { body, .. } => linear_eligible(body),
        Node::Alternation(nodes) | Node::Sequence(nodes) => nodes.iter().all(linear_eligible),
        Node::Repeat { body, min, max, .. } => {
            let optional_iterations = max.is_none_or(|max| max > *min);
            linear_eligible(body) && !(optional_iterations && nullable(body))
        }
    }
}

/// Whether `node` may match the empty string (true when unsure).
fn nullable(node: &Node) -> bool {
    match node {
        Node::Char(_) | Node::Dot => false,
        // A `v` class with strings may hold the empty one (`\q{}`).
        Node::Class(class) => class.operands.iter().any(|o| !matches!(o, ClassOperand::Range(..) | ClassOperand::Escape(_) | ClassOperand::Property { .. })),
        Node::Empty | Node::Assertion(_) | Node::Look { .. } | Node::BackReference(_) => true,
        Node::Capture { body, .. } | Node::Group { body, .. } => nullable(body),
        Node::Alternation(nodes) => nodes.iter().any(nullable),
        Node::Sequence(nodes) => nodes.iter().all(nullable),
        Node::Repeat { body, min, .. } => *min == 0 || nullable(body),
    }
}

impl Compiler {
    fn new(pattern: &Pattern, flags: super::Flags, linear: bool) -> Compiler {
        let unicode = flags.either_unicode();
        Compiler {
            p: Program {
                insts: Vec::new(),
                sets: Vec::new(),
                latin1: Vec::new(),
                first: None,
                slots: 2 * (pattern.capture_count + 1),
                registers: 0,
                counters: 0,
                unicode,
            },
            sets_mode: flags.unicode_sets,
            linear,
            too_big: false,
        }
    }
}

struct Compiler {
    p: Program,
    /// `v`: classes may combine operands and hold strings.
    sets_mode: bool,
    /// Compiling for the linear matcher ([`compile_linear`]).
    linear: bool,
    /// The linear program outgrew [`LINEAR_MAX_INSTS`]; compiling stops.
    too_big: bool,
}

/// Whether a node is one character matcher (for [`Inst::GreedyLoop`]).
fn single_char(inst: &Inst) -> bool {
    matches!(inst, Inst::Char { .. } | Inst::Set { .. } | Inst::Dot { .. } | Inst::Any { .. })
}

/// The capture groups inside a node: (first, last + 1), or None.
fn captures_in(node: &Node) -> Option<(u32, u32)> {
    match node {
        Node::Capture { index, body } => {
            let inner = captures_in(body);
            Some((*index, inner.map_or(index + 1, |(_, to)| to.max(index + 1))))
        }
        Node::Group { body, .. } | Node::Look { body, .. } | Node::Repeat { body, .. } => captures_in(body),
        Node::Alternation(nodes) | Node::Sequence(nodes) => nodes.iter().filter_map(captures_in).reduce(|(a0, a1), (b0, b1)| (a0.min(b0), a1.max(b1))),
        _ => None,
    }
}

impl Compiler {
    fn emit(&mut self, inst: Inst) -> u32 {
        self.p.insts.push(inst);
        (self.p.insts.len() - 1) as u32
    }

    fn here(&self) -> u32 {
        self.p.insts.len() as u32
    }

    fn patch_alt(&mut self, at: u32, target: u32) {
        match &mut self.p.insts[at as usize] {
            Inst::Split { alt } | Inst::Jump(alt) => *alt = target,
            Inst::LoopHead { exit, .. } => *exit = target,
            Inst::LookStart { end, .. } => *end = target,
            _ => {}
        }
    }

    fn max_char(&self) -> u32 {
        if self.p.unicode { MAX_CHAR } else { 0xFFFF }
    }

    fn node(&mut self, node: &Node, mode: Mode) {
        if self.too_big {
            return;
        }
        match node {
            Node::Empty => {}
            Node::Char(c) => {
                let variants = if mode.ignore_case { fold::close(&CharSet::range(*c, *c), self.p.unicode) } else { CharSet::range(*c, *c) };
                if variants.ranges() == [(*c, *c)] {
                    self.emit(Inst::Char { c: *c, back: mode.backward });
                } else {
                    let set = self.p.sets.len() as u32;
                    self.p.sets.push(variants);
                    self.emit(Inst::Set { set, back: mode.backward });
                }
            }
            Node::Dot => {
                self.emit(if mode.dot_all { Inst::Any { back: mode.backward } } else { Inst::Dot { back: mode.backward } });
            }
            Node::Class(class) => self.class(class, mode),
            Node::Assertion(a) => {
                self.emit(match a {
                    Assertion::LineStart => Inst::LineStart { multiline: mode.multiline },
                    Assertion::LineEnd => Inst::LineEnd { multiline: mode.multiline },
                    Assertion::WordBoundary => Inst::WordBoundary { negated: false, extra: mode.ignore_case && self.p.unicode },
                    Assertion::NotWordBoundary => Inst::WordBoundary { negated: true, extra: mode.ignore_case && self.p.unicode },
                });
            }
            Node::Capture { index, body } => {
                let (first, second) = if mode.backward { (2 * index + 1, 2 * index) } else { (2 * index, 2 * index + 1) };
                self.emit(Inst::Save(first));
                self.node(body, mode);
                self.emit(Inst::Save(second));
            }
            Node::Group { modifiers, body } => {
                let mut inner = mode;
                if let Some(m) = modifiers {
                    let apply = |flag: &mut bool, add: bool, remove: bool| {
                        if add {
                            *flag = true;
                        }
                        if remove {
                            *flag = false;
                        }
                    };
                    apply(&mut inner.ignore_case, m.add.ignore_case, m.remove.ignore_case);
                    apply(&mut inner.multiline, m.add.multiline, m.remove.multiline);
                    apply(&mut inner.dot_all, m.add.dot_all, m.remove.dot_all);
                }
                self.node(body, inner);
            }
            Node::Look { behind, negated, body } => {
                let start = self.emit(Inst::LookStart { negated: *negated, end: 0 });
                self.node(body, Mode { backward: *behind, ..mode });
                self.emit(Inst::LookEnd { negated: *negated });
                let end = self.here();
                self.patch_alt(start, end);
            }
            Node::BackReference(groups) => {
                self.emit(Inst::BackReference { groups: groups.clone().into_boxed_slice(), back: mode.backward, ignore_case: mode.ignore_case });
            }
            Node::Alternation(alternatives) => {
                let mut jumps = Vec::new();
                for (i, alternative) in alternatives.iter().enumerate() {
                    let split = (i + 1 < alternatives.len()).then(|| self.emit(Inst::Split { alt: 0 }));
                    self.node(alternative, mode);
                    if let Some(split) = split {
                        jumps.push(self.emit(Inst::Jump(0)));
                        let next = self.here();
                        self.patch_alt(split, next);
                    }
                }
                let end = self.here();
                for j in jumps {
                    self.patch_alt(j, end);
                }
            }
            Node::Sequence(terms) => {
                if mode.backward {
                    for t in terms.iter().rev() {
                        self.node(t, mode);
                    }
                } else {
                    for t in terms {
                        self.node(t, mode);
                    }
                }
            }
            Node::Repeat { body, min, max, greedy } => self.repeat(body, *min, max.unwrap_or(u32::MAX), *greedy, mode),
        }
    }

    fn repeat(&mut self, body: &Node, min: u32, max: u32, greedy: bool, mode: Mode) {
        if max == 0 {
            return;
        }
        let captures = captures_in(body);
        if self.linear {
            return self.unrolled_repeat(body, min, max, greedy, captures, mode);
        }
        // A greedy loop over one character matcher needs no per-iteration
        // state: one instruction, one backtrack entry.
        if greedy && captures.is_none() {
            let mark = self.here();
            self.node(body, mode);
            if self.here() == mark + 1 && single_char(&self.p.insts[mark as usize]) {
                let inst = self.p.insts.pop().unwrap_or(Inst::Match);
                self.emit(Inst::GreedyLoop { inst: Box::new(inst), min, max });
                return;
            }
            self.p.insts.truncate(mark as usize);
        }
        let counter = self.p.counters;
        self.p.counters += 1;
        let reg = self.p.registers;
        self.p.registers += 1;
        self.emit(Inst::CounterInit(counter));
        let head = self.emit(Inst::LoopHead { counter, min, max, greedy, exit: 0 });
        self.emit(Inst::SetRegister(reg));
        if let Some((from, to)) = captures {
            self.emit(Inst::ClearCaptures { from: 2 * from, to: 2 * to });
        }
        self.node(body, mode);
        self.emit(Inst::CheckProgress { reg, counter, min });
        self.emit(Inst::CounterIncrement(counter));
        self.emit(Inst::Jump(head));
        let exit = self.here();
        self.patch_alt(head, exit);
    }

    /// A quantifier for the linear matcher: `min` copies of the body, then
    /// the optional iterations as splits (all leaving to the same exit),
    /// or one loop when `max` is unbounded. Each copy first clears the
    /// body's captures, as every iteration starts fresh.
    fn unrolled_repeat(&mut self, body: &Node, min: u32, max: u32, greedy: bool, captures: Option<(u32, u32)>, mode: Mode) {
        let copy = |c: &mut Compiler| {
            if let Some((from, to)) = captures {
                c.emit(Inst::ClearCaptures { from: 2 * from, to: 2 * to });
            }
            c.node(body, mode);
            if c.p.insts.len() > LINEAR_MAX_INSTS {
                c.too_big = true;
            }
        };
        for _ in 0..min {
            let before = self.here();
            copy(self);
            // Stop on overflow, and after a copy that emitted nothing (the
            // others would not either).
            if self.too_big || self.here() == before {
                break;
            }
        }
        if self.too_big {
            return;
        }
        let mut exits = Vec::new();
        if max == u32::MAX {
            // greedy: L: Split(exit); body; Jump L.  lazy: L: Split(B); Jump exit; B: body; Jump L.
            let head = self.emit(Inst::Split { alt: 0 });
            if greedy {
                exits.push(head);
            } else {
                exits.push(self.emit(Inst::Jump(0)));
                let b = self.here();
                self.patch_alt(head, b);
            }
            copy(self);
            self.emit(Inst::Jump(head));
        } else {
            for _ in min..max {
                if self.too_big {
                    return;
                }
                let split = self.emit(Inst::Split { alt: 0 });
                if greedy {
                    exits.push(split);
                } else {
                    exits.push(self.emit(Inst::Jump(0)));
                    let b = self.here();
                    self.patch_alt(split, b);
                }
                copy(self);
            }
        }
        let exit = self.here();
        for e in exits {
            self.patch_alt(e, exit);
        }
    }

    fn class(&mut self, class: &Class, mode: Mode) {
        let (mut set, strings) = self.class_contents(class, mode.ignore_case);
        if mode.ignore_case {
            set = fold::close(&set, self.p.unicode);
        }
        if class.negated {
            set = set.complement(self.max_char());
        }
        if strings.is_empty() {
            let index = self.p.sets.len() as u32;
            self.p.sets.push(set);
            self.emit(Inst::Set { set: index, back: mode.backward });
            return;
        }
        // `v` classes with strings: the longest string first, then the
        // single characters.
        let mut strings = strings;
        strings.sort_by_key(|s| std::cmp::Reverse(s.len()));
        strings.dedup();
        let mut alternatives: Vec<Node> = strings.into_iter().map(|s| Node::Sequence(s.into_iter().map(Node::Char).collect())).collect();
        alternatives.push(Node::Class(Box::new(Class {
            negated: false,
            kind: ClassKind::Union,
            operands: set.ranges().iter().map(|&(a, b)| ClassOperand::Range(a, b)).collect(),
        })));
        self.node(&Node::Alternation(alternatives), mode)
    }

    /// The characters and (with `v`) strings of a class, before negation.
    /// With `v`, ignoring case, the operands are case-folded before they
    /// are combined (MaybeSimpleCaseFolding).
    fn class_contents(&self, class: &Class, ignore_case: bool) -> (CharSet, Vec<Vec<u32>>) {
        let mut parts = Vec::with_capacity(class.operands.len());
        for operand in &class.operands {
            let (mut set, mut strings) = self.operand(operand, ignore_case);
            if ignore_case && self.sets_mode {
                set = fold::fold(&set, true);
                for s in &mut strings {
                    for c in s.iter_mut() {
                        *c = fold::canonicalize(*c, true);
                    }
                }
            }
            parts.push((set, strings));
        }
        let mut parts = parts.into_iter();
        let Some(first) = parts.next() else { return (CharSet::new(), Vec::new()) };
        parts.fold(first, |(set, strings), (s2, t2)| match class.kind {
            ClassKind::Union => (set.union(&s2), strings.into_iter().chain(t2).collect()),
            ClassKind::Intersection => {
                let other: HashSet<Vec<u32>> = t2.into_iter().collect();
                (set.intersection(&s2), strings.into_iter().filter(|s| other.contains(s)).collect())
            }
            ClassKind::Subtraction => {
                let other: HashSet<Vec<u32>> = t2.into_iter().collect();
                (set.subtract(&s2), strings.into_iter().filter(|s| !other.contains(s)).collect())
            }
        })
    }

    fn operand(&self, operand: &ClassOperand, ignore_case: bool) -> (CharSet, Vec<Vec<u32>>) {
        match operand {
            ClassOperand::Range(a, b) => (CharSet::range(*a, *b), Vec::new()),
            ClassOperand::Escape(e) => (self.escape_set(*e, ignore_case), Vec::new()),
            ClassOperand::Property { set, negated } => (if *negated { set.complement(MAX_CHAR) } else { set.clone() }, Vec::new()),
            ClassOperand::StringProperty { set, strings } => (set.clone(), strings.clone()),
            ClassOperand::Strings(strings) => {
                let mut set = CharSet::new();
                let mut longer = Vec::new();
                for s in strings {
                    match s.as_slice() {
                        [c] => set = set.union(&CharSet::range(*c, *c)),
                        _ => longer.push(s.clone()),
                    }
                }
                (set, longer)
            }
            ClassOperand::Nested(class) => {
                let (set, strings) = self.class_contents(class, ignore_case);
                // A nested negated class complements its folded contents
                // among the canonical characters (CharacterComplement).
                if class.negated {
                    let all = if ignore_case { fold::fold(&CharSet::range(0, MAX_CHAR), true) } else { CharSet::range(0, MAX_CHAR) };
                    (all.subtract(&set), Vec::new())
                } else {
                    (set, strings)
                }
            }
        }
    }

    /// `\d \s \w` and their complements. With `u`/`v` ignoring case, the
    /// word characters include U+017F and U+212A (WordCharacters).
    fn escape_set(&self, e: ClassEscape, ignore_case: bool) -> CharSet {
        let digit = CharSet::range(0x30, 0x39);
        // WhiteSpace and LineTerminator: the engine's one definition.
        static SPACE: std::sync::OnceLock<CharSet> = std::sync::OnceLock::new();
        let space = SPACE
            .get_or_init(|| {
                CharSet::from_ranges((0..=0xFFFFu16).filter(|&u| crate::vm::runtime::number::is_js_whitespace(u)).map(|u| (u32::from(u), u32::from(u))))
            })
            .clone();
        let mut word = CharSet::from_ranges([(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]);
        if ignore_case && self.p.unicode {
            word = word.union(&CharSet::from_ranges([(0x17F, 0x17F), (0x212A, 0x212A)]));
        }
        let max = self.max_char();
        match e {
            ClassEscape::Digit => digit,
            ClassEscape::NotDigit => digit.complement(max),
            ClassEscape::Space => space,
            ClassEscape::NotSpace => space.complement(max),
            ClassEscape::Word => word,
            ClassEscape::NotWord => word.complement(max),
        }
    }
}
