//! Sets of characters as sorted ranges, and the Unicode data the RegExp
//! engine needs (ICU4X): property escapes `\p{...}` and the identifier
//! characters of group names.

use icu_properties::props::{BasicEmoji, GeneralCategory, GeneralCategoryGroup, IdContinue, IdStart, Script};
use icu_properties::script::ScriptWithExtensions;
use icu_properties::{CodePointMapData, CodePointSetData, EmojiSetData, PropertyParser};

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

/// The emoji sequence tables build.rs generates.
mod emoji {
    include!(concat!(env!("OUT_DIR"), "/emoji_sequences.rs"));
}

/// A property of strings that `v` allows in `\p{...}` (never negated): its
/// single code points and its longer strings. None if `value` names none.
pub(crate) fn property_of_strings(value: &str) -> Option<(CharSet, Vec<Vec<u32>>)> {
    let sequences: &[&[&str]] = match value {
        "Basic_Emoji" => return Some(basic_emoji()),
        "Emoji_Keycap_Sequence" => &[emoji::EMOJI_KEYCAP_SEQUENCE],
        "RGI_Emoji_Modifier_Sequence" => &[emoji::RGI_EMOJI_MODIFIER_SEQUENCE],
        "RGI_Emoji_Flag_Sequence" => &[emoji::RGI_EMOJI_FLAG_SEQUENCE],
        "RGI_Emoji_Tag_Sequence" => &[emoji::RGI_EMOJI_TAG_SEQUENCE],
        "RGI_Emoji_ZWJ_Sequence" => &[emoji::RGI_EMOJI_ZWJ_SEQUENCE],
        // UTS #51 ED-27: the union of the other six.
        "RGI_Emoji" => {
            let (set, mut strings) = basic_emoji();
            for table in [
                emoji::EMOJI_KEYCAP_SEQUENCE,
                emoji::RGI_EMOJI_MODIFIER_SEQUENCE,
                emoji::RGI_EMOJI_FLAG_SEQUENCE,
                emoji::RGI_EMOJI_TAG_SEQUENCE,
                emoji::RGI_EMOJI_ZWJ_SEQUENCE,
            ] {
                strings.extend(table.iter().map(|s| code_points_of(s)));
            }
            return Some((set, strings));
        }
        _ => return None,
    };
    Some((CharSet::new(), sequences.iter().flat_map(|t| t.iter()).map(|s| code_points_of(s)).collect()))
}

/// Basic_Emoji (ICU4X): single code points, and code points with U+FE0F.
fn basic_emoji() -> (CharSet, Vec<Vec<u32>>) {
    let data = EmojiSetData::new::<BasicEmoji>().static_to_owned();
    let list = data.to_code_point_inversion_list_string_list();
    let set = set_of(list.code_points().iter_ranges());
    (set, list.strings().iter().map(code_points_of).collect())
}

fn code_points_of(s: &str) -> Vec<u32> {
    s.chars().map(u32::from).collect()
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

    #[test]
    fn properties_of_strings() {
        let strings = |name| property_of_strings(name).unwrap();
        let has = |name, text: &str| {
            let (set, strings) = strings(name);
            let cps = code_points_of(text);
            if let [c] = cps.as_slice() { set.contains(*c) } else { strings.contains(&cps) }
        };
        // The twelve keycaps: #, * and the digits, then U+FE0F U+20E3.
        assert_eq!(strings("Emoji_Keycap_Sequence").1.len(), 12);
        assert!(has("Emoji_Keycap_Sequence", "#\u{FE0F}\u{20E3}") && !has("Emoji_Keycap_Sequence", "#\u{20E3}"));
        assert_eq!(strings("RGI_Emoji_Tag_Sequence").1.len(), 3, "England, Scotland, Wales");
        assert!(has("RGI_Emoji_Flag_Sequence", "\u{1F1FA}\u{1F1F3}"), "UN flag");
        assert!(!has("RGI_Emoji_Flag_Sequence", "\u{1F1E6}\u{1F1E6}"));
        assert!(has("RGI_Emoji_Modifier_Sequence", "\u{1F44D}\u{1F3FD}"));
        assert!(has("RGI_Emoji_ZWJ_Sequence", "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}"));
        assert!(has("Basic_Emoji", "\u{231A}") && has("Basic_Emoji", "\u{A9}\u{FE0F}") && !has("Basic_Emoji", "a"));
        // RGI_Emoji is the union of the other six.
        let (all_set, all_strings) = strings("RGI_Emoji");
        let mut count = 0;
        for name in [
            "Basic_Emoji",
            "Emoji_Keycap_Sequence",
            "RGI_Emoji_Modifier_Sequence",
            "RGI_Emoji_Flag_Sequence",
            "RGI_Emoji_Tag_Sequence",
            "RGI_Emoji_ZWJ_Sequence",
        ] {
            let (set, strings) = strings(name);
            assert_eq!(all_set.intersection(&set), set, "{name}");
            assert!(strings.iter().all(|s| all_strings.contains(s)), "{name}");
            count += strings.len();
        }
        assert_eq!(all_strings.len(), count);
        assert!(property_of_strings("Emoji").is_none() && property_of_strings("rgi_emoji").is_none());
    }
}
