//! Sets of characters as sorted ranges, and the Unicode data the RegExp
//! engine needs (ICU4X): property escapes `\p{...}` and the identifier
//! characters of group names.

use icu_properties::props::{GeneralCategory, GeneralCategoryGroup, IdContinue, IdStart, Script};
use icu_properties::script::ScriptWithExtensions;
use icu_properties::{CodePointMapData, CodePointSetData, PropertyParser};

/// The largest code point.
pub(crate) const MAX_CHAR: u32 = 0x10FFFF;

/// A UTF-16 lead (high) surrogate.
pub(crate) fn is_lead(c: u32) -> bool {
    (0xD800..0xDC00).contains(&c)
}

/// A UTF-16 trail (low) surrogate.
pub(crate) fn is_trail(c: u32) -> bool {
    (0xDC00..0xE000).contains(&c)
}

/// The code point a lead and a trail surrogate stand for.
pub(crate) fn combine_surrogates(lead: u32, trail: u32) -> u32 {
    0x10000 + ((lead - 0xD800) << 10) + (trail - 0xDC00)
}

/// A set of characters (code points, or code units below 0x10000): sorted,
/// disjoint, non-adjacent inclusive ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CharSet {
    ranges: Vec<(u32, u32)>,
}

impl CharSet {
    pub(crate) fn new() -> CharSet {
        CharSet::default()
    }

    /// The set of `from..=to`.
    pub(crate) fn range(from: u32, to: u32) -> CharSet {
        CharSet { ranges: vec![(from, to)] }
    }

    /// A set from ranges in any order, overlapping or not.
    pub(crate) fn from_ranges(ranges: impl IntoIterator<Item = (u32, u32)>) -> CharSet {
        let mut all: Vec<(u32, u32)> = ranges.into_iter().filter(|&(a, b)| a <= b).collect();
        all.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(all.len());
        for (a, b) in all {
            match out.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        CharSet { ranges: out }
    }

    pub(crate) fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    pub(crate) fn contains(&self, c: u32) -> bool {
        self.ranges
            .binary_search_by(|&(a, b)| {
                if b < c {
                    std::cmp::Ordering::Less
                } else if a > c {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    pub(crate) fn union(&self, other: &CharSet) -> CharSet {
        CharSet::from_ranges(self.ranges.iter().chain(other.ranges.iter()).copied())
    }

    /// Every character up to `max` not in the set.
    pub(crate) fn complement(&self, max: u32) -> CharSet {
        let mut out = Vec::with_capacity(self.ranges.len() + 1);
        let mut next = 0u32;
        for &(a, b) in &self.ranges {
            if a > max {
                break;
            }
            if a > next {
                out.push((next, a - 1));
            }
            next = b.saturating_add(1);
        }
        // (`next` saturates only past MAX_CHAR, above any `max` used.)
        if next <= max && next != u32::MAX {
            out.push((next, max));
        }
        CharSet { ranges: out }
    }

    pub(crate) fn intersection(&self, other: &CharSet) -> CharSet {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a0, a1) = self.ranges[i];
            let (b0, b1) = other.ranges[j];
            let (lo, hi) = (a0.max(b0), a1.min(b1));
            if lo <= hi {
                out.push((lo, hi));
            }
            if a1 < b1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        CharSet { ranges: out }
    }

    pub(crate) fn subtract(&self, other: &CharSet) -> CharSet {
        self.intersection(&other.complement(MAX_CHAR))
    }
}

fn set_of(ranges: impl Iterator<Item = std::ops::RangeInclusive<u32>>) -> CharSet {
    CharSet::from_ranges(ranges.map(|r| (*r.start(), *r.end())))
}

/// Whether `c` may start a group name (ID_Start, `$`, `_`).
pub(crate) fn is_id_start(c: u32) -> bool {
    c == u32::from(b'$') || c == u32::from(b'_') || CodePointSetData::new::<IdStart>().contains32(c)
}

/// Whether `c` may continue a group name (ID_Continue, `$`, ZWNJ, ZWJ).
pub(crate) fn is_id_continue(c: u32) -> bool {
    c == u32::from(b'$') || c == 0x200C || c == 0x200D || CodePointSetData::new::<IdContinue>().contains32(c)
}

/// The code points of `\p{name=value}` or `\p{value}` (strict names, as
/// ECMA-262 requires: no loose matching). None if the property or its value
/// is unknown.
pub(crate) fn property(name: Option<&str>, value: &str) -> Option<CharSet> {
    match name {
        Some("General_Category" | "gc") => general_category(value),
        Some("Script" | "sc") => {
            let script = PropertyParser::<Script>::new().get_strict(value)?;
            Some(set_of(CodePointMapData::<Script>::new().iter_ranges_for_value(script)))
        }
        Some("Script_Extensions" | "scx") => {
            let script = PropertyParser::<Script>::new().get_strict(value)?;
            Some(set_of(ScriptWithExtensions::new().get_script_extensions_ranges(script)))
        }
        Some(_) => None,
        None => match value {
            "Any" => Some(CharSet::range(0, MAX_CHAR)),
            "ASCII" => Some(CharSet::range(0, 0x7F)),
            "Assigned" => Some(set_of(CodePointMapData::<GeneralCategory>::new().iter_ranges_for_value_complemented(GeneralCategory::Unassigned))),
            // ECMA-262's table gives White_Space a third alias, `space`,
            // that ICU4X's name lookup lacks.
            "space" => property(None, "White_Space"),
            _ => general_category(value).or_else(|| CodePointSetData::new_for_ecma262(value.as_bytes()).map(|set| set_of(set.iter_ranges()))),
        },
    }
}

fn general_category(value: &str) -> Option<CharSet> {
    let group = PropertyParser::<GeneralCategoryGroup>::new().get_strict(value)?;
    Some(set_of(CodePointMapData::<GeneralCategory>::new().iter_ranges_for_group(group)))
}

/// The properties of strings `v` allows in `\p{...}` (never negated).
pub(crate) fn is_property_of_strings(value: &str) -> bool {
    matches!(
        value,
        "Basic_Emoji"
            | "Emoji_Keycap_Sequence"
            | "RGI_Emoji_Modifier_Sequence"
            | "RGI_Emoji_Flag_Sequence"
            | "RGI_Emoji_Tag_Sequence"
            | "RGI_Emoji_ZWJ_Sequence"
            | "RGI_Emoji"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let a = CharSet::from_ranges([(10, 20), (5, 7), (8, 9), (30, 30)]);
        assert_eq!(a.ranges(), &[(5, 20), (30, 30)]);
        assert!(a.contains(5) && a.contains(20) && a.contains(30) && !a.contains(21) && !a.contains(4));
        assert_eq!(a.complement(40).ranges(), &[(0, 4), (21, 29), (31, 40)]);
        assert_eq!(CharSet::range(0, 40).complement(40).ranges(), &[]);
        assert_eq!(CharSet::new().complement(9).ranges(), &[(0, 9)]);
        assert_eq!(CharSet::from_ranges([(5, 5), (100, 200)]).complement(40).ranges(), &[(0, 4), (6, 40)]);
        let b = CharSet::from_ranges([(0, 6), (15, 35)]);
        assert_eq!(a.intersection(&b).ranges(), &[(5, 6), (15, 20), (30, 30)]);
        assert_eq!(a.subtract(&b).ranges(), &[(7, 14)]);
        assert_eq!(a.union(&b).ranges(), &[(0, 35)]);
    }

    #[test]
    fn properties_by_strict_name() {
        let greek = property(Some("Script"), "Greek").unwrap();
        assert!(greek.contains(0x3B1) && !greek.contains(u32::from(b'a')));
        assert_eq!(property(Some("sc"), "Grek"), Some(greek));
        assert!(property(Some("Script"), "greek").is_none(), "loose matching is not ECMAScript's");
        let letters = property(None, "L").unwrap();
        assert!(letters.contains(u32::from(b'a')) && !letters.contains(u32::from(b'1')));
        assert_eq!(property(Some("General_Category"), "Letter"), Some(letters));
        assert!(property(None, "Alphabetic").unwrap().contains(u32::from(b'A')));
        assert!(property(None, "ASCII_Hex_Digit").unwrap().contains(u32::from(b'f')));
        assert!(property(None, "Assigned").unwrap().contains(u32::from(b'A')));
        assert!(!property(None, "Assigned").unwrap().contains(0x378));
        assert!(property(None, "Nope").is_none());
        assert!(property(Some("Alphabetic"), "Yes").is_none());
        // Script_Extensions is wider than Script.
        let scx = property(Some("scx"), "Deva").unwrap();
        assert!(scx.contains(0x964) && !property(Some("sc"), "Deva").unwrap().contains(0x964));
        assert!(is_id_start(u32::from(b'a')) && !is_id_start(u32::from(b'1')) && is_id_continue(u32::from(b'1')));
    }
}
