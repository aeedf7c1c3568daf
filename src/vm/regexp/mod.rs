//! Sable's own RegExp engine, behind the RegExp builtins: a parser
//! ([`parser`]) to a pattern tree ([`ast`]), a compiler ([`compiler`]) to
//! regexp bytecode ([`program`]), and a backtracking matcher ([`matcher`])
//! with a bounded backtrack stack and interrupt checks; Unicode data comes
//! from ICU4X and, for the emoji sequences, build.rs ([`unicode`],
//! [`fold`]).

pub(crate) mod ast;
pub(crate) mod compiler;
pub(crate) mod fold;
pub(crate) mod matcher;
pub(crate) mod parser;
pub(crate) mod program;
#[cfg(test)]
mod tests;
pub(crate) mod unicode;

/// The flags of a regular expression (`dgimsuvy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
#[derive(Clone, Debug)]
pub(crate) struct Regex {
    pub program: program::Program,
    pub capture_count: u32,
    /// Group names and their group indices, in pattern order.
    pub names: Vec<(String, u32)>,
}

/// Parses and compiles `pattern` (UTF-16) with `flags`.
pub(crate) fn compile(pattern: &[u16], flags: Flags) -> Result<Regex, CompileError> {
    let chars = pattern_chars(pattern, flags.either_unicode());
    let parsed = parser::parse(&chars, flags.unicode, flags.unicode_sets).map_err(|e| CompileError(e.0))?;
    let program = compiler::compile(&parsed, flags);
    Ok(Regex { program, capture_count: parsed.capture_count, names: parsed.names })
}
