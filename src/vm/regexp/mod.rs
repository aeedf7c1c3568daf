//! Sable's own RegExp engine, behind the RegExp builtins: a parser
//! ([`parser`]) to a pattern tree ([`ast`]), a compiler ([`compiler`]) to
//! regexp bytecode ([`program`]), and a backtracking matcher ([`matcher`])
//! with a bounded backtrack stack and interrupt checks, which hands a match
//! that backtracks too much to a linear-time matcher ([`pike`]) when the
//! pattern allows (no back references or lookarounds); Unicode data comes
//! from ICU4X and, for the emoji sequences, build.rs ([`unicode`],
//! [`fold`]).

pub(crate) mod ast;
pub(crate) mod compiler;
pub(crate) mod fold;
pub(crate) mod matcher;
pub(crate) mod parser;
pub(crate) mod pike;
pub(crate) mod program;
#[cfg(test)]
mod tests;
pub(crate) mod unicode;

/// The flags of a regular expression (`dgimsuvy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags {
    pub has_indices: bool,
    pub global: bool,
    pub ignore_case: bool,
    pub multiline: bool,
    pub dot_all: bool,
    pub unicode: bool,
    pub unicode_sets: bool,
    pub sticky: bool,
}

impl Flags {
    /// Parses a flags string; None if it has an unknown or repeated flag, or
    /// both `u` and `v`.
    pub fn parse(text: &[u16]) -> Option<Flags> {
        let mut f = Flags::default();
        for &unit in text {
            let slot = match char::from_u32(u32::from(unit))? {
                'd' => &mut f.has_indices,
                'g' => &mut f.global,
                'i' => &mut f.ignore_case,
                'm' => &mut f.multiline,
                's' => &mut f.dot_all,
                'u' => &mut f.unicode,
                'v' => &mut f.unicode_sets,
                'y' => &mut f.sticky,
                _ => return None,
            };
            if *slot {
                return None;
            }
            *slot = true;
        }
        (!(f.unicode && f.unicode_sets)).then_some(f)
    }

    /// `u` or `v`: the pattern and the subject are read as code points.
    pub fn either_unicode(self) -> bool {
        self.unicode || self.unicode_sets
    }
}

/// The characters of a pattern as the parser reads them: code points with
/// `u` or `v` (surrogate pairs combined, lone surrogates kept), code units
/// otherwise.
pub(crate) fn pattern_chars(units: &[u16], unicode: bool) -> Vec<u32> {
    if !unicode {
        return units.iter().map(|&u| u32::from(u)).collect();
    }
    char::decode_utf16(units.iter().copied())
        .map(|r| match r {
            Ok(c) => c as u32,
            Err(e) => u32::from(e.unpaired_surrogate()),
        })
        .collect()
}

/// Why a pattern was not compiled: an early error, thrown as a
/// SyntaxError.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CompileError(pub &'static str);

/// A compiled regular expression.
#[derive(Debug)]
pub(crate) struct Regex {
    pub flags: Flags,
    pub program: program::Program,
    /// The program for the linear-time matcher, when the pattern has one
    /// ([`compiler::compile_linear`]).
    pub linear: Option<program::Program>,
    /// Some match of this pattern went past its backtracking budget: later
    /// ones get a small budget. (split and global replace match the same
    /// pattern at many positions; each spending the full budget first
    /// would make a runaway pattern cost 65,536 backtracks per position.)
    pub ran_away: std::sync::atomic::AtomicBool,
    pub capture_count: u32,
    /// Group names and their group indices, in pattern order.
    pub names: Vec<(String, u32)>,
}

/// Parses and compiles `pattern` (UTF-16) with `flags`.
pub(crate) fn compile(pattern: &[u16], flags: Flags) -> Result<Regex, CompileError> {
    let chars = pattern_chars(pattern, flags.either_unicode());
    let parsed = parser::parse(&chars, flags.unicode, flags.unicode_sets).map_err(|e| CompileError(e.0))?;
    let program = compiler::compile(&parsed, flags);
    let linear = compiler::compile_linear(&parsed, flags);
    Ok(Regex { flags, program, linear, ran_away: Default::default(), capture_count: parsed.capture_count, names: parsed.names })
}

/// Backtracks a match may take before the linear matcher takes over: a
/// fixed allowance plus some per code unit of the subject after the start,
/// so that scanning a long subject, which backtracks a little at every
/// position, stays with the (faster) backtracker, while exponential and
/// quadratic blow-ups switch early. A pattern that ran away before gets
/// the small allowance.
fn backtrack_budget(remaining: usize, ran_away: bool) -> u64 {
    if ran_away { (1 << 10) + remaining as u64 } else { (1 << 16) + 16 * remaining as u64 }
}

impl Regex {
    /// Looks for a match in `s` from code unit `start` (only at `start` when
    /// `sticky`): the capture slots (two per group, group 0 first;
    /// [`matcher::UNSET`] where a group took no part). The backtracker runs
    /// first; past its budget, a pattern with a linear program is matched
    /// again from `start` by the linear-time matcher, with the same answer
    /// (`linear_first`: by the linear matcher alone). `limit` bounds the
    /// backtrack stack; `interrupt` is polled every few thousand steps and
    /// stops the match by returning true.
    pub(crate) fn exec<S: matcher::Subject + ?Sized>(
        &self,
        s: &S,
        start: usize,
        sticky: bool,
        limit: usize,
        linear_first: bool,
        interrupt: &mut dyn FnMut() -> bool,
    ) -> Result<Option<Vec<usize>>, matcher::MatchError> {
        let Some(linear) = &self.linear else {
            return matcher::exec(&self.program, s, start, sticky, limit, u64::MAX, interrupt);
        };
        if linear_first {
            return pike::exec(linear, s, start, sticky, interrupt);
        }
        use std::sync::atomic::Ordering::Relaxed;
        let budget = backtrack_budget(s.len().saturating_sub(start), self.ran_away.load(Relaxed));
        match matcher::exec(&self.program, s, start, sticky, limit, budget, interrupt) {
            Err(matcher::MatchError::OverBudget | matcher::MatchError::BacktrackLimit) => {
                self.ran_away.store(true, Relaxed);
                pike::exec(linear, s, start, sticky, interrupt)
            }
            other => other,
        }
    }
}

/// Compiled regular expressions by source and flags, as engines keep them:
/// literals evaluated in a loop and `new RegExp(s)` with a repeated `s`
/// compile once. Bounded: when full it starts over.
#[derive(Default)]
pub(crate) struct Cache {
    /// By source; one entry per flags used with it.
    entries: std::collections::HashMap<Box<[u16]>, Vec<std::sync::Arc<Regex>>>,
    len: usize,
}

impl Cache {
    /// Entries kept before the cache starts over.
    const CAPACITY: usize = 256;
    /// Sources longer than this are compiled every time (and not kept).
    const MAX_SOURCE: usize = 4096;

    pub(crate) fn get(&self, source: &[u16], flags: Flags) -> Option<std::sync::Arc<Regex>> {
        self.entries.get(source)?.iter().find(|r| r.flags == flags).cloned()
    }

    pub(crate) fn insert(&mut self, source: &[u16], regex: std::sync::Arc<Regex>) {
        if source.len() > Self::MAX_SOURCE {
            return;
        }
        if self.len >= Self::CAPACITY {
            self.entries.clear();
            self.len = 0;
        }
        self.entries.entry(Box::from(source)).or_default().push(regex);
        self.len += 1;
    }
}
