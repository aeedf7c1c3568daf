//! The parsed form of a regular expression pattern, as the parser leaves it
//! for the compiler: character classes keep their operands (what they match
//! depends on the case-folding flags in force where they appear).

/// A node of the pattern tree.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    /// Matches the empty string.
    Empty,
    /// One character: a code point with `u` or `v`, a code unit otherwise.
    Char(u32),
    /// `.`
    Dot,
    /// `[...]` and the escapes `\d \D \s \S \w \W \p{..} \P{..}` outside one.
    Class(Box<Class>),
    Assertion(Assertion),
    /// `(...)` or `(?<name>...)`: capture group `index` (1-based).
    Capture {
        index: u32,
        body: Box<Node>,
    },
    /// `(?:...)`, or `(?ims-ims:...)` when `modifiers` is set.
    Group {
        modifiers: Option<Modifiers>,
        body: Box<Node>,
    },
    /// `(?=...)`, `(?!...)`, `(?<=...)`, `(?<!...)`.
    Look {
        behind: bool,
        negated: bool,
        body: Box<Node>,
    },
    /// `\1` or `\k<name>`: the groups it refers to (several when duplicate
    /// names in different alternatives share the name).
    BackReference(Vec<u32>),
    /// `a|b|c`
    Alternation(Vec<Node>),
    /// `abc`
    Sequence(Vec<Node>),
    /// A quantified atom; `max` None is unbounded.
    Repeat {
        body: Box<Node>,
        min: u32,
        max: Option<u32>,
        greedy: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Assertion {
    /// `^`
    LineStart,
    /// `$`
    LineEnd,
    /// `\b`
    WordBoundary,
    /// `\B`
    NotWordBoundary,
}

/// The flags a modifier group turns on and off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Modifiers {
    pub add: ModifierFlags,
    pub remove: ModifierFlags,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ModifierFlags {
    pub ignore_case: bool,
    pub multiline: bool,
    pub dot_all: bool,
}

/// `[...]`, or a class escape standing alone.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Class {
    pub negated: bool,
    pub kind: ClassKind,
    pub operands: Vec<ClassOperand>,
}

/// How a class combines its operands (`&&` and `--` exist only with `v`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClassKind {
    Union,
    Intersection,
    Subtraction,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ClassOperand {
    /// `a`, or `a-z`: characters from..=to.
    Range(u32, u32),
    /// `\d \D \s \S \w \W`.
    Escape(ClassEscape),
    /// `\p{...}` or `\P{...}`, resolved to its code points.
    Property { set: super::unicode::CharSet, negated: bool },
    /// `\p{RGI_Emoji}` and the other properties of strings (with `v`): its
    /// single code points and its longer strings.
    StringProperty { set: super::unicode::CharSet, strings: Vec<Vec<u32>> },
    /// `\q{abc|d}` (with `v`): each alternative, single characters included.
    Strings(Vec<Vec<u32>>),
    /// `[...]` inside a class (with `v`).
    Nested(Box<Class>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClassEscape {
    Digit,
    NotDigit,
    Space,
    NotSpace,
    Word,
    NotWord,
}

/// A parsed pattern.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pattern {
    pub root: Node,
    /// Number of capture groups (group 0, the whole match, not counted).
    pub capture_count: u32,
    /// Group names in the order they appear, with their group index; a name
    /// appears once per group that has it.
    pub names: Vec<(String, u32)>,
}
