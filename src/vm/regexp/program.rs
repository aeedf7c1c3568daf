//! Regexp bytecode: the instructions the compiler emits and the matcher
//! runs. Program counters are indices into [`Program::insts`].

use super::unicode::CharSet;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Inst {
    /// One character equal to `c`; `back` reads the one before the position
    /// (inside a lookbehind).
    Char {
        c: u32,
        back: bool,
    },
    /// One character in `sets[set]`.
    Set {
        set: u32,
        back: bool,
    },
    /// Any character but a line terminator (`.` without `s`).
    Dot {
        back: bool,
    },
    /// Any character (`.` with `s`).
    Any {
        back: bool,
    },
    /// `^` (`multiline`: also after a line terminator).
    LineStart {
        multiline: bool,
    },
    /// `$` (`multiline`: also before a line terminator).
    LineEnd {
        multiline: bool,
    },
    /// `\b`, or `\B` when `negated`; `extra` counts U+017F and U+212A as
    /// word characters (with `u` or `v` and ignoring case, they fold into
    /// ASCII word characters).
    WordBoundary {
        negated: bool,
        extra: bool,
    },
    /// Go on at the next instruction; on failure, resume at `alt`.
    Split {
        alt: u32,
    },
    Jump(u32),
    /// Capture slot `slot` := position (undone on backtracking).
    Save(u32),
    /// Unsets capture slots `from..to` (undone on backtracking): the
    /// captures of a quantified atom start fresh on each iteration.
    ClearCaptures {
        from: u32,
        to: u32,
    },
    /// The text of the first of these groups that took part (or nothing),
    /// compared by canonical forms when `ignore_case`.
    BackReference {
        groups: Box<[u32]>,
        back: bool,
        ignore_case: bool,
    },
    /// Register `reg` := position (undone on backtracking).
    SetRegister(u32),
    /// A quantifier's loop counter := 0 (undone on backtracking).
    CounterInit(u32),
    /// Counter + 1 (undone on backtracking).
    CounterIncrement(u32),
    /// Head of a quantifier's loop; the body follows, `exit` is after it.
    /// Below `min` iterations the body must run; at `max` the loop exits;
    /// otherwise both are tried, the body first when `greedy`.
    LoopHead {
        counter: u32,
        min: u32,
        max: u32,
        greedy: bool,
        exit: u32,
    },
    /// End of an iteration: fails if it matched the empty string once
    /// `min` iterations are done (ECMA-262 RepeatMatcher), as the position
    /// is still the one in `reg`.
    CheckProgress {
        reg: u32,
        counter: u32,
        min: u32,
    },
    /// A greedy loop over a single-character matcher (`inst`, one of
    /// Char/Set/Dot/Any): takes as many as it can up to `max`, at least
    /// `min`, then gives them back one at a time on backtracking.
    GreedyLoop {
        inst: Box<Inst>,
        min: u32,
        max: u32,
    },
    /// Starts a lookaround; `end` is the instruction after its LookEnd.
    LookStart {
        negated: bool,
        end: u32,
    },
    /// The lookaround's body matched.
    LookEnd {
        negated: bool,
    },
    Match,
}

/// A compiled pattern.
#[derive(Clone, Debug)]
pub(crate) struct Program {
    pub insts: Vec<Inst>,
    /// The character sets `Inst::Set` tests.
    pub sets: Vec<CharSet>,
    /// Capture slots: 2 per group, group 0 (the match) included.
    pub slots: u32,
    pub registers: u32,
    pub counters: u32,
    /// `u` or `v`: the subject is read as code points.
    pub unicode: bool,
}
