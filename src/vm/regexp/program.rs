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
    /// Each of `sets` below U+0100, as a bitmap: one-byte subjects never
    /// need the range search.
    pub latin1: Vec<UnitBitmap>,
    /// The code units a match can start with, when the analysis could tell
    /// ([`Program::analyze`]): the matcher skips other start positions.
    pub first: Option<FirstUnits>,
    /// Capture slots: 2 per group, group 0 (the match) included.
    pub slots: u32,
    pub registers: u32,
    pub counters: u32,
    /// `u` or `v`: the subject is read as code points.
    pub unicode: bool,
}

/// A set of code units below 0x100.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct UnitBitmap([u64; 4]);

impl UnitBitmap {
    fn of(set: &CharSet) -> UnitBitmap {
        let mut b = UnitBitmap::default();
        for &(from, to) in set.ranges() {
            for c in from..=to.min(0xFF) {
                b.insert(c);
            }
        }
        b
    }

    fn insert(&mut self, c: u32) {
        self.0[(c >> 6) as usize] |= 1 << (c & 63);
    }

    /// Whether `c` (below 0x100) is in the set.
    #[inline]
    pub fn contains(&self, c: u32) -> bool {
        self.0[(c >> 6) as usize] & (1 << (c & 63)) != 0
    }

    fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }
}

/// The code units a match can start with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FirstUnits {
    /// The units below 0x100.
    pub low: UnitBitmap,
    /// Whether some unit from 0x100 up may start a match (not told apart).
    pub high: bool,
    /// The only possible first unit, when there is just one below 0x100
    /// and none above: found with a plain search.
    pub only: Option<u8>,
}

impl FirstUnits {
    #[inline]
    pub fn accepts(&self, unit: u32) -> bool {
        if unit < 0x100 { self.low.contains(unit) } else { self.high }
    }
}

impl Program {
    /// Fills in what the matcher precomputes: the Latin-1 bitmaps of the
    /// sets and the possible first units.
    pub(crate) fn analyze(&mut self) {
        self.latin1 = self.sets.iter().map(UnitBitmap::of).collect();
        self.first = self.first_units();
    }

    /// Follows every path from the start to the first character it must
    /// consume. None if some path can match without consuming one, or
    /// meets an instruction the analysis does not follow (assertions,
    /// lookarounds, back references: they could start anywhere).
    fn first_units(&self) -> Option<FirstUnits> {
        let mut low = UnitBitmap::default();
        let mut high = false;
        let mut seen = vec![false; self.insts.len()];
        let mut todo = vec![0u32];
        let add = |low: &mut UnitBitmap, high: &mut bool, inst: &Inst| -> Option<()> {
            match inst {
                Inst::Char { c, back: false } => {
                    if *c < 0x100 {
                        low.insert(*c);
                    } else {
                        // An astral character starts with its lead surrogate.
                        *high = true;
                    }
                }
                Inst::Set { set, back: false } => {
                    let set = &self.sets[*set as usize];
                    let bits = UnitBitmap::of(set);
                    for (w, b) in low.0.iter_mut().zip(bits.0) {
                        *w |= b;
                    }
                    *high |= set.ranges().last().is_some_and(|&(_, to)| to >= 0x100);
                }
                _ => return None,
            }
            Some(())
        };
        while let Some(pc) = todo.pop() {
            if std::mem::replace(&mut seen[pc as usize], true) {
                continue;
            }
            let next = pc + 1;
            match &self.insts[pc as usize] {
                inst @ (Inst::Char { .. } | Inst::Set { .. }) => add(&mut low, &mut high, inst)?,
                Inst::Save(_) | Inst::ClearCaptures { .. } | Inst::SetRegister(_) | Inst::CounterInit(_) | Inst::CounterIncrement(_) => todo.push(next),
                Inst::CheckProgress { .. } => todo.push(next),
                Inst::Jump(target) => todo.push(*target),
                Inst::Split { alt } => todo.extend([next, *alt]),
                // Both ways, even with a minimum: the body may match the
                // empty string (`(?:a?){2}b` can start with `b`).
                Inst::LoopHead { exit, .. } => todo.extend([next, *exit]),
                Inst::GreedyLoop { inst, min, .. } => {
                    add(&mut low, &mut high, inst)?;
                    if *min == 0 {
                        todo.push(next);
                    }
                }
                _ => return None,
            }
        }
        let only = (!high && low.count() == 1).then(|| (0..0x100u32).find(|&c| low.contains(c)).map(|c| c as u8)).flatten();
        Some(FirstUnits { low, high, only })
    }
}
