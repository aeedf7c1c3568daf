//! The backtracking matcher: runs a [`Program`] over a one-byte or a
//! two-byte subject with an explicit backtrack stack on the Rust heap (its
//! size is bounded, and running past the bound is an error, never a native
//! stack overflow) and a call to the caller's interrupt check every few
//! thousand steps, so termination reaches a runaway match.

use super::program::{FirstUnits, Inst, Program};
use super::unicode::{combine_surrogates, is_lead, is_trail};

/// A subject string: its code units.
pub(crate) trait Subject {
    fn len(&self) -> usize;
    fn unit(&self, i: usize) -> u32;

    /// The first position from `from` whose unit may start a match.
    #[inline]
    fn find_start(&self, from: usize, first: &FirstUnits) -> Option<usize> {
        (from..self.len()).find(|&i| first.accepts(self.unit(i)))
    }
}

impl Subject for [u8] {
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }
    #[inline]
    fn unit(&self, i: usize) -> u32 {
        u32::from(self[i])
    }
    #[inline]
    fn find_start(&self, from: usize, first: &FirstUnits) -> Option<usize> {
        let rest = self.get(from..)?;
        match first.only {
            Some(b) => rest.iter().position(|&c| c == b),
            None => rest.iter().position(|&c| first.low.contains(u32::from(c))),
        }
        .map(|i| from + i)
    }
}

impl Subject for [u16] {
    fn len(&self) -> usize {
        <[u16]>::len(self)
    }
    #[inline]
    fn unit(&self, i: usize) -> u32 {
        u32::from(self[i])
    }
}

/// Why a match stopped without an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MatchError {
    /// The interrupt check asked to stop (termination).
    Interrupted,
    /// The backtrack stack reached its bound.
    BacktrackLimit,
    /// Backtracking went past its budget ([`exec`]'s `budget`): the caller
    /// has the linear matcher take over.
    OverBudget,
}

/// A capture slot with no position.
pub(crate) const UNSET: usize = usize::MAX;

/// How many steps (backtracks, loop iterations, characters of a greedy
/// loop) pass between two interrupt checks.
const INTERRUPT_INTERVAL: u32 = 1 << 14;

/// Entries of the backtrack stack: where to resume, and what to undo on
/// the way there.
#[derive(Clone, Copy, Debug)]
enum Entry {
    Branch {
        pc: u32,
        pos: usize,
    },
    Slot {
        slot: u32,
        old: usize,
    },
    Register {
        reg: u32,
        old: usize,
    },
    Counter {
        counter: u32,
        old: u32,
    },
    /// A lookaround in progress: for a negative one, the body failing means
    /// going on at `end` from `pos`.
    Look {
        negated: bool,
        end: u32,
        pos: usize,
    },
    /// A greedy single-character loop that can still give back characters,
    /// down to (or, matching backward, up to) `bound`.
    Greedy {
        pc: u32,
        bound: usize,
        pos: usize,
        back: bool,
    },
}

pub(super) fn is_line_terminator(c: u32) -> bool {
    matches!(c, 0x0A | 0x0D | 0x2028 | 0x2029)
}

fn is_word(c: u32) -> bool {
    matches!(c, 0x30..=0x39 | 0x41..=0x5A | 0x5F | 0x61..=0x7A)
}

/// Where a match from `start` begins: with `unicode`, an index inside a
/// surrogate pair stands for the pair.
#[inline]
pub(super) fn start_position<S: Subject + ?Sized>(s: &S, unicode: bool, start: usize) -> usize {
    if unicode && start > 0 && start < s.len() && is_trail(s.unit(start)) && is_lead(s.unit(start - 1)) { start - 1 } else { start }
}

/// The character at `pos` and the position after it (with `unicode`, a
/// surrogate pair is one character).
#[inline]
pub(super) fn next_char<S: Subject + ?Sized>(s: &S, unicode: bool, pos: usize) -> Option<(u32, usize)> {
    let len = s.len();
    if pos >= len {
        return None;
    }
    let u = s.unit(pos);
    if unicode && is_lead(u) && pos + 1 < len {
        let t = s.unit(pos + 1);
        if is_trail(t) {
            return Some((combine_surrogates(u, t), pos + 2));
        }
    }
    Some((u, pos + 1))
}

/// Whether the one-character matcher `inst` (Char, Set, Dot or Any)
/// accepts `c`.
#[inline]
pub(super) fn accepts(prog: &Program, inst: &Inst, c: u32) -> bool {
    match *inst {
        Inst::Char { c: want, .. } => c == want,
        Inst::Set { set, .. } => {
            if c < 0x100 {
                prog.latin1[set as usize].contains(c)
            } else {
                prog.sets[set as usize].contains(c)
            }
        }
        Inst::Dot { .. } => !is_line_terminator(c),
        Inst::Any { .. } => true,
        _ => false,
    }
}

/// Whether the assertion `inst` (LineStart, LineEnd, WordBoundary) holds
/// at `pos`; None for other instructions.
#[inline]
pub(super) fn assertion_holds<S: Subject + ?Sized>(inst: &Inst, s: &S, pos: usize) -> Option<bool> {
    let len = s.len();
    Some(match *inst {
        Inst::LineStart { multiline } => pos == 0 || (multiline && is_line_terminator(s.unit(pos - 1))),
        Inst::LineEnd { multiline } => pos == len || (multiline && is_line_terminator(s.unit(pos))),
        Inst::WordBoundary { negated, extra } => {
            let word = |c: u32| is_word(c) || (extra && (c == 0x17F || c == 0x212A));
            let before = pos > 0 && word(s.unit(pos - 1));
            let after = pos < len && word(s.unit(pos));
            (before != after) != negated
        }
        _ => return None,
    })
}

struct Matcher<'a, S: Subject + ?Sized> {
    prog: &'a Program,
    s: &'a S,
    slots: Vec<usize>,
    registers: Vec<usize>,
    counters: Vec<u32>,
    stack: Vec<Entry>,
    /// Bound on `stack.len()`.
    limit: usize,
    steps: u32,
    /// Backtracks so far, and how many are allowed before `OverBudget`.
    backtracks: u64,
    budget: u64,
    interrupt: &'a mut dyn FnMut() -> bool,
}

/// Looks for a match of `prog` in `s` from code unit `start` (only at
/// `start` when `sticky`). Returns the capture slots (two per group, group
/// 0 first; [`UNSET`] where a group took no part), or None.
/// `interrupt` is called every few thousand steps and stops the match by
/// returning true; the backtrack stack holds at most `limit` entries, and
/// past `budget` backtracks the match stops with `OverBudget`.
pub(crate) fn exec<S: Subject + ?Sized>(
    prog: &Program,
    s: &S,
    start: usize,
    sticky: bool,
    limit: usize,
    budget: u64,
    interrupt: &mut dyn FnMut() -> bool,
) -> Result<Option<Vec<usize>>, MatchError> {
    let mut m = Matcher {
        prog,
        s,
        slots: vec![UNSET; prog.slots as usize],
        registers: vec![0; prog.registers as usize],
        counters: vec![0; prog.counters as usize],
        stack: Vec::new(),
        limit,
        steps: 0,
        backtracks: 0,
        budget,
        interrupt,
    };
    let len = s.len();
    let mut at = start_position(s, prog.unicode, start);
    loop {
        if at > len {
            return Ok(None);
        }
        if let Some(first) = &prog.first {
            // Every match starts with one of these units (and none is
            // empty): skip to the next place one is.
            if sticky {
                if at >= len || !first.accepts(s.unit(at)) {
                    return Ok(None);
                }
            } else {
                match s.find_start(at, first) {
                    Some(next) => at = next,
                    None => return Ok(None),
                }
            }
        }
        m.slots.fill(UNSET);
        m.stack.clear();
        if m.run(0, at)? {
            return Ok(Some(m.slots));
        }
        if sticky || at >= len {
            return Ok(None);
        }
        at = m.next_char(at).map_or(at + 1, |(_, next)| next);
        m.tick()?;
    }
}

impl<S: Subject + ?Sized> Matcher<'_, S> {
    #[inline]
    fn next_char(&self, pos: usize) -> Option<(u32, usize)> {
        next_char(self.s, self.prog.unicode, pos)
    }

    #[inline]
    fn prev_char(&self, pos: usize) -> Option<(u32, usize)> {
        if pos == 0 {
            return None;
        }
        let u = self.s.unit(pos - 1);
        if self.prog.unicode && is_trail(u) && pos >= 2 {
            let l = self.s.unit(pos - 2);
            if is_lead(l) {
                return Some((combine_surrogates(l, u), pos - 2));
            }
        }
        Some((u, pos - 1))
    }

    /// Counts a step; every INTERRUPT_INTERVAL steps asks the caller
    /// whether to stop.
    #[inline]
    fn tick(&mut self) -> Result<(), MatchError> {
        self.steps = self.steps.wrapping_add(1);
        if self.steps.is_multiple_of(INTERRUPT_INTERVAL) { self.poll() } else { Ok(()) }
    }

    #[cold]
    fn poll(&mut self) -> Result<(), MatchError> {
        if (self.interrupt)() { Err(MatchError::Interrupted) } else { Ok(()) }
    }

    #[inline]
    fn push(&mut self, e: Entry) -> Result<(), MatchError> {
        if self.stack.len() >= self.limit {
            return Err(MatchError::BacktrackLimit);
        }
        self.stack.push(e);
        Ok(())
    }

    /// One character matcher (Char, Set, Dot, Any) at `pos`: the position
    /// after it, or None.
    #[inline]
    fn step(&self, inst: &Inst, pos: usize) -> Option<usize> {
        let back = match *inst {
            Inst::Char { back, .. } | Inst::Set { back, .. } | Inst::Dot { back } | Inst::Any { back } => back,
            _ => return None,
        };
        let (c, next) = if back { self.prev_char(pos) } else { self.next_char(pos) }?;
        accepts(self.prog, inst, c).then_some(next)
    }

    /// Whether the `n` units at `a` and at `b` are the same text (ignoring
    /// case: the same canonical characters).
    fn same_text(&self, a: usize, b: usize, n: usize, ignore_case: bool) -> bool {
        if !ignore_case {
            return (0..n).all(|k| self.s.unit(a + k) == self.s.unit(b + k));
        }
        let mut k = 0;
        while k < n {
            let (Some((x, next_a)), Some((y, next_b))) = (self.next_char(a + k), self.next_char(b + k)) else { return false };
            if next_a - a != next_b - b || super::fold::canonicalize(x, self.prog.unicode) != super::fold::canonicalize(y, self.prog.unicode) {
                return false;
            }
            k = next_a - a;
        }
        true
    }

    fn undo(&mut self, e: Entry) {
        match e {
            Entry::Slot { slot, old } => self.slots[slot as usize] = old,
            Entry::Register { reg, old } => self.registers[reg as usize] = old,
            Entry::Counter { counter, old } => self.counters[counter as usize] = old,
            Entry::Branch { .. } | Entry::Look { .. } | Entry::Greedy { .. } => {}
        }
    }

    /// Pops the stack to the next place to resume, undoing on the way.
    fn backtrack(&mut self) -> Result<Option<(u32, usize)>, MatchError> {
        self.tick()?;
        self.backtracks += 1;
        if self.backtracks > self.budget {
            return Err(MatchError::OverBudget);
        }
        while let Some(e) = self.stack.pop() {
            match e {
                Entry::Branch { pc, pos } => return Ok(Some((pc, pos))),
                Entry::Look { negated: true, end, pos } => return Ok(Some((end, pos))),
                Entry::Look { negated: false, .. } => {}
                Entry::Greedy { pc, bound, pos, back } => {
                    // Give back one character, never past the bound.
                    let next =
                        if back { self.next_char(pos).map_or(bound, |(_, p)| p.min(bound)) } else { self.prev_char(pos).map_or(bound, |(_, p)| p.max(bound)) };
                    if next != bound {
                        self.stack.push(Entry::Greedy { pc, bound, pos: next, back });
                    }
                    return Ok(Some((pc, next)));
                }
                e => self.undo(e),
            }
        }
        Ok(None)
    }

    fn run(&mut self, mut pc: u32, mut pos: usize) -> Result<bool, MatchError> {
        let prog = self.prog;
        let len = self.s.len();
        loop {
            let inst = &prog.insts[pc as usize];
            let matched = match inst {
                Inst::Char { .. } | Inst::Set { .. } | Inst::Dot { .. } | Inst::Any { .. } => match self.step(inst, pos) {
                    Some(next) => {
                        pos = next;
                        pc += 1;
                        true
                    }
                    None => false,
                },
                Inst::LineStart { .. } | Inst::LineEnd { .. } | Inst::WordBoundary { .. } => {
                    pc += 1;
                    assertion_holds(inst, self.s, pos).unwrap_or(false)
                }
                Inst::Split { alt } => {
                    self.push(Entry::Branch { pc: *alt, pos })?;
                    pc += 1;
                    true
                }
                Inst::Jump(target) => {
                    pc = *target;
                    self.tick()?;
                    true
                }
                Inst::Save(slot) => {
                    let old = self.slots[*slot as usize];
                    self.push(Entry::Slot { slot: *slot, old })?;
                    self.slots[*slot as usize] = pos;
                    pc += 1;
                    true
                }
                Inst::ClearCaptures { from, to } => {
                    for slot in *from..*to {
                        let old = self.slots[slot as usize];
                        if old != UNSET {
                            self.push(Entry::Slot { slot, old })?;
                            self.slots[slot as usize] = UNSET;
                        }
                    }
                    pc += 1;
                    true
                }
                Inst::BackReference { groups, back, ignore_case } => {
                    pc += 1;
                    match groups.iter().find(|&&g| self.slots[2 * g as usize] != UNSET && self.slots[2 * g as usize + 1] != UNSET) {
                        None => true,
                        Some(&g) => {
                            let (from, to) = (self.slots[2 * g as usize], self.slots[2 * g as usize + 1]);
                            let n = to - from;
                            let at = if *back { pos.checked_sub(n) } else { (pos + n <= len).then_some(pos) };
                            match at {
                                Some(at) if self.same_text(from, at, n, *ignore_case) => {
                                    pos = if *back { at } else { pos + n };
                                    true
                                }
                                _ => false,
                            }
                        }
                    }
                }
                Inst::SetRegister(reg) => {
                    let old = self.registers[*reg as usize];
                    self.push(Entry::Register { reg: *reg, old })?;
                    self.registers[*reg as usize] = pos;
                    pc += 1;
                    true
                }
                Inst::CounterInit(counter) => {
                    let old = self.counters[*counter as usize];
                    self.push(Entry::Counter { counter: *counter, old })?;
                    self.counters[*counter as usize] = 0;
                    pc += 1;
                    true
                }
                Inst::CounterIncrement(counter) => {
                    let old = self.counters[*counter as usize];
                    self.push(Entry::Counter { counter: *counter, old })?;
                    self.counters[*counter as usize] = old.saturating_add(1);
                    pc += 1;
                    true
                }
                Inst::LoopHead { counter, min, max, greedy, exit } => {
                    let n = self.counters[*counter as usize];
                    if n < *min {
                        pc += 1;
                    } else if n >= *max {
                        pc = *exit;
                    } else if *greedy {
                        self.push(Entry::Branch { pc: *exit, pos })?;
                        pc += 1;
                    } else {
                        self.push(Entry::Branch { pc: pc + 1, pos })?;
                        pc = *exit;
                    }
                    true
                }
                Inst::CheckProgress { reg, counter, min } => {
                    pc += 1;
                    !(pos == self.registers[*reg as usize] && self.counters[*counter as usize] >= *min)
                }
                Inst::GreedyLoop { inst, min, max } => {
                    let back =
                        matches!(**inst, Inst::Char { back: true, .. } | Inst::Set { back: true, .. } | Inst::Dot { back: true } | Inst::Any { back: true });
                    let mut n = 0u32;
                    let mut at = pos;
                    let mut bound = pos;
                    while n < *max {
                        let Some(next) = self.step(inst, at) else { break };
                        at = next;
                        n += 1;
                        if n == *min {
                            bound = at;
                        }
                        if n.is_multiple_of(INTERRUPT_INTERVAL) {
                            self.poll()?;
                        }
                    }
                    pc += 1;
                    if n < *min {
                        false
                    } else {
                        if n > *min {
                            self.push(Entry::Greedy { pc, bound, pos: at, back })?;
                        }
                        pos = at;
                        true
                    }
                }
                Inst::LookStart { negated, end } => {
                    self.push(Entry::Look { negated: *negated, end: *end, pos })?;
                    pc += 1;
                    true
                }
                Inst::LookEnd { negated } => {
                    let Some(k) = self.stack.iter().rposition(|e| matches!(e, Entry::Look { .. })) else {
                        return Ok(false);
                    };
                    let Entry::Look { pos: look_pos, .. } = self.stack[k] else { return Ok(false) };
                    if *negated {
                        // The body matched: the negative lookaround fails,
                        // and whatever the body did is undone.
                        while self.stack.len() > k + 1 {
                            if let Some(e) = self.stack.pop() {
                                self.undo(e);
                            }
                        }
                        self.stack.pop();
                        false
                    } else {
                        // Keep the body's captures (and how to undo them),
                        // drop its alternatives: a lookaround is atomic.
                        let mut w = k;
                        for r in k + 1..self.stack.len() {
                            let e = self.stack[r];
                            if matches!(e, Entry::Slot { .. } | Entry::Register { .. } | Entry::Counter { .. }) {
                                self.stack[w] = e;
                                w += 1;
                            }
                        }
                        self.stack.truncate(w);
                        pos = look_pos;
                        pc += 1;
                        true
                    }
                }
                Inst::Match => return Ok(true),
            };
            if !matched {
                match self.backtrack()? {
                    Some((p, q)) => {
                        pc = p;
                        pos = q;
                    }
                    None => return Ok(false),
                }
            }
        }
    }
}
