//! Unicode normalization (NFC, NFD, NFKC, NFKD) for String.prototype.normalize,
//! over UTF-16 with lone surrogates passed through unchanged.

use super::normalize_data::{CCC, COMPOSE, DATA, DECOMP};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
}

const S_BASE: u32 = 0xAC00;
const L_BASE: u32 = 0x1100;
const V_BASE: u32 = 0x1161;
const T_BASE: u32 = 0x11A7;
const L_COUNT: u32 = 19;
const V_COUNT: u32 = 21;
const T_COUNT: u32 = 28;
const N_COUNT: u32 = V_COUNT * T_COUNT;
const S_COUNT: u32 = L_COUNT * N_COUNT;

fn ccc(cp: u32) -> u8 {
    CCC.binary_search_by_key(&cp, |&(c, _)| c).map_or(0, |i| CCC[i].1)
}

fn decompose_into(cp: u32, compat: bool, out: &mut Vec<u32>) {
    if (S_BASE..S_BASE + S_COUNT).contains(&cp) {
        let s = cp - S_BASE;
        out.push(L_BASE + s / N_COUNT);
        out.push(V_BASE + (s % N_COUNT) / T_COUNT);
        let t = s % T_COUNT;
        if t != 0 {
            out.push(T_BASE + t);
        }
        return;
    }
    let start = DECOMP.partition_point(|&(c, _, _, _)| c < cp);
    let mut found: Option<(usize, usize)> = None;
    for &(c, k, off, len) in &DECOMP[start..] {
        if c != cp {
            break;
        }
        if !k || compat {
            found = Some((off as usize, len as usize));
        }
    }
    match found {
        Some((off, len)) => out.extend_from_slice(&DATA[off..off + len]),
        None => out.push(cp),
    }
}

fn compose_pair(a: u32, b: u32) -> Option<u32> {
    if (L_BASE..L_BASE + L_COUNT).contains(&a) && (V_BASE..V_BASE + V_COUNT).contains(&b) {
        return Some(S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT);
    }
    if (S_BASE..S_BASE + S_COUNT).contains(&a) && (a - S_BASE).is_multiple_of(T_COUNT) && (T_BASE + 1..T_BASE + T_COUNT).contains(&b) {
        return Some(a + (b - T_BASE));
    }
    COMPOSE.binary_search_by(|&(x, y, _)| (x, y).cmp(&(a, b))).ok().map(|i| COMPOSE[i].2)
}

/// Normalizes `units`; `None` when the result equals the input.
pub fn normalize(units: &[u16], form: Form) -> Option<Vec<u16>> {
    if units.iter().all(|&u| u < 0xA0) {
        return None;
    }
    let compat = matches!(form, Form::Nfkc | Form::Nfkd);
    let mut cps: Vec<u32> = Vec::with_capacity(units.len());
    for r in char::decode_utf16(units.iter().copied()) {
        match r {
            Ok(c) => decompose_into(c as u32, compat, &mut cps),
            Err(e) => cps.push(e.unpaired_surrogate() as u32),
        }
    }
    // Canonical ordering: stable sort of each run of non-starters by class.
    let mut i = 0;
    while i < cps.len() {
        if ccc(cps[i]) == 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < cps.len() && ccc(cps[i]) != 0 {
            i += 1;
        }
        cps[start..i].sort_by_key(|&c| ccc(c));
    }
    if matches!(form, Form::Nfc | Form::Nfkc) {
        let mut out: Vec<u32> = Vec::with_capacity(cps.len());
        let mut starter: Option<usize> = None;
        let mut last_cc: u8 = 0;
        for &cp in &cps {
            let cc = ccc(cp);
            if let Some(sp) = starter {
                let adjacent = out.len() - 1 == sp;
                if (adjacent || (last_cc != 0 && last_cc < cc))
                    && let Some(c) = compose_pair(out[sp], cp)
                {
                    out[sp] = c;
                    continue;
                }
            }
            if cc == 0 {
                starter = Some(out.len());
            }
            last_cc = cc;
            out.push(cp);
        }
        cps = out;
    }
    let mut result: Vec<u16> = Vec::with_capacity(cps.len());
    for cp in cps {
        if cp < 0x10000 {
            result.push(cp as u16);
        } else {
            let c = cp - 0x10000;
            result.push(0xD800 + (c >> 10) as u16);
            result.push(0xDC00 + (c & 0x3FF) as u16);
        }
    }
    if result == units { None } else { Some(result) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str, f: Form) -> String {
        let u: Vec<u16> = s.encode_utf16().collect();
        String::from_utf16(&normalize(&u, f).unwrap_or(u)).unwrap()
    }

    #[test]
    fn forms() {
        assert_eq!(n("\u{1E9B}\u{0323}", Form::Nfc), "\u{1E9B}\u{0323}");
        assert_eq!(n("\u{1E9B}\u{0323}", Form::Nfd), "\u{017F}\u{0323}\u{0307}");
        assert_eq!(n("\u{1E9B}\u{0323}", Form::Nfkc), "\u{1E69}");
        assert_eq!(n("\u{1E9B}\u{0323}", Form::Nfkd), "\u{0073}\u{0323}\u{0307}");
        assert_eq!(n("e\u{0301}", Form::Nfc), "\u{00E9}");
        assert_eq!(n("\u{D55C}", Form::Nfd), "\u{1112}\u{1161}\u{11AB}");
        assert_eq!(n("\u{1112}\u{1161}\u{11AB}", Form::Nfc), "\u{D55C}");
    }
}
