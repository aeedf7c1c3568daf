//! Case-insensitive matching: ECMA-262's Canonicalize (22.2.2.7.3) and the
//! case-equivalence classes it induces, from ICU4X's case mapping data.
//!
//! With `u` or `v`, two characters are equal ignoring case when their simple
//! case foldings (scf, ICU4X) are equal; without, when their uppercase
//! forms are (std's full mapping),
//! counting only mappings to a single code unit that do not map a non-ASCII
//! character into ASCII. The compiler turns a class (or a character) into the
//! set of every character equivalent to a member, so the matcher tests plain
//! membership; backreferences compare canonical forms.

use std::collections::HashMap;
use std::sync::OnceLock;

use icu_casemap::CaseMapper;

use super::unicode::CharSet;

/// Canonicalize(ch) with `u`/`v` (`unicode`) or without.
pub(crate) fn canonicalize(c: u32, unicode: bool) -> u32 {
    if unicode {
        char::from_u32(c).map_or(c, |ch| CaseMapper::new().simple_fold(ch) as u32)
    } else if c <= 0xFFFF {
        u32::from(non_unicode_table()[c as usize])
    } else {
        c
    }
}

/// Canonicalize without `u` for every code unit.
fn non_unicode_table() -> &'static [u16] {
    static TABLE: OnceLock<Box<[u16]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=0xFFFFu32)
            .map(|c| {
                let Some(ch) = char::from_u32(c) else { return c as u16 };
                // The full (unconditional) uppercase mapping; std's tables.
                let mut buf = [0u16; 2];
                let mut units = ch.to_uppercase().flat_map(|u| u.encode_utf16(&mut buf).to_vec());
                match (units.next(), units.next()) {
                    (Some(u), None) if !(c >= 128 && u < 128) => u,
                    _ => c as u16,
                }
            })
            .collect()
    })
}

/// The case-equivalence classes with more than one member.
struct Classes {
    /// (character, its canonical form), sorted by character: every member
    /// of a class with more than one member.
    members: Vec<(u32, u32)>,
    /// Canonical form -> the members of its class.
    by_canonical: HashMap<u32, Vec<u32>>,
}

fn classes(unicode: bool) -> &'static Classes {
    static UNICODE: OnceLock<Classes> = OnceLock::new();
    static UCS2: OnceLock<Classes> = OnceLock::new();
    let build = || {
        let max = if unicode { super::unicode::MAX_CHAR } else { 0xFFFF };
        let mut by_canonical: HashMap<u32, Vec<u32>> = HashMap::new();
        for c in 0..=max {
            let k = canonicalize(c, unicode);
            if k != c {
                by_canonical.entry(k).or_insert_with(|| vec![k]).push(c);
            }
        }
        // Each class lists its canonical form too (the `vec![k]` above).
        let mut members: Vec<(u32, u32)> = by_canonical.iter().flat_map(|(&k, cs)| cs.iter().map(move |&c| (c, k))).collect();
        members.sort_unstable();
        members.dedup();
        for list in by_canonical.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        Classes { members, by_canonical }
    };
    if unicode { UNICODE.get_or_init(build) } else { UCS2.get_or_init(build) }
}

/// Every character equal, ignoring case, to a member of `set`.
pub(crate) fn close(set: &CharSet, unicode: bool) -> CharSet {
    let cls = classes(unicode);
    let mut extra = Vec::new();
    for &(c, k) in &cls.members {
        if set.contains(c)
            && let Some(list) = cls.by_canonical.get(&k)
        {
            extra.extend(list.iter().map(|&m| (m, m)));
        }
    }
    if extra.is_empty() { set.clone() } else { set.union(&CharSet::from_ranges(extra)) }
}

/// The canonical forms of the members of `set` (MaybeSimpleCaseFolding,
/// for `v` class set operations).
pub(crate) fn fold(set: &CharSet, unicode: bool) -> CharSet {
    let cls = classes(unicode);
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for &(c, k) in &cls.members {
        if c != k && set.contains(c) {
            removed.push((c, c));
            added.push((k, k));
        }
    }
    set.subtract(&CharSet::from_ranges(removed)).union(&CharSet::from_ranges(added))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        let c = |ch: char, u| char::from_u32(canonicalize(ch as u32, u)).unwrap();
        assert_eq!(c('a', false), 'A');
        assert_eq!(c('A', true), 'a');
        // Without `u`: no mapping from non-ASCII into ASCII, and only
        // single-unit uppercase forms.
        assert_eq!(c('\u{17F}', false), '\u{17F}');
        assert_eq!(c('\u{17F}', true), 's');
        assert_eq!(c('ß', false), 'ß');
        assert_eq!(c('\u{1FB3}', false), '\u{1FB3}');
        assert_eq!(c('\u{212A}', true), 'k');
        let closed = close(&CharSet::range(u32::from(b'k'), u32::from(b'k')), true);
        assert_eq!(closed.ranges(), &[(0x4B, 0x4B), (0x6B, 0x6B), (0x212A, 0x212A)]);
        let closed = close(&CharSet::range(u32::from(b'k'), u32::from(b'k')), false);
        assert_eq!(closed.ranges(), &[(0x4B, 0x4B), (0x6B, 0x6B)]);
        assert_eq!(fold(&CharSet::range(0x41, 0x5A), true).ranges(), &[(0x61, 0x7A)]);
    }
}
