//! The pattern parser: pattern text to [`Pattern`], with every early error
//! of ECMA-262 22.2.1 and Annex B.1.2 (the web-compatibility grammar used
//! without `u` and `v`), including duplicate named groups in different
//! alternatives and `(?ims-ims:...)` modifiers.
//!
//! The pattern arrives as characters: code points with `u` or `v`, UTF-16
//! code units otherwise. A first pass counts the capture groups and collects
//! their names, because a backreference may come before its group
//! (`\2(a)(b)`) and, without `u`, whether `\k` and `\8` are references at
//! all depends on the whole pattern. The parser recurses once per group and
//! nested class, at most [`MAX_NESTING`] deep.

use super::ast::{Assertion, Class, ClassEscape, ClassKind, ClassOperand, ModifierFlags, Modifiers, Node, Pattern};
use super::unicode::{self, combine_surrogates as combine, is_lead, is_trail};

/// Deepest nesting of groups and classes; deeper is a SyntaxError (the
/// parser and compiler recurse per level, on a stack sized for this).
pub(crate) const MAX_NESTING: u32 = 1000;

/// Why a pattern was rejected: an early error, thrown as a SyntaxError.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseError(pub &'static str);

/// Parses `pattern`; `unicode` is set for both `u` and `v`, `sets` for `v`.
pub(crate) fn parse(pattern: &[u32], unicode: bool, sets: bool) -> Result<Pattern, ParseError> {
    let names = prescan(pattern, sets);
    let mut p = Parser {
        s: pattern,
        i: 0,
        unicode: unicode || sets,
        sets,
        has_named_groups: !names.1.is_empty(),
        total_groups: names.0,
        all_names: names.1,
        groups: 0,
        names: Vec::new(),
        path: Vec::new(),
        disjunctions: 0,
        depth: 0,
    };
    let root = p.disjunction()?;
    if p.i < p.s.len() {
        // Only an unmatched `)` stops a top-level disjunction early.
        return Err(syntax("Unmatched ')'"));
    }
    Ok(Pattern { root, capture_count: p.groups, names: p.names.into_iter().map(|g| (g.name, g.index)).collect() })
}

fn syntax(message: &'static str) -> ParseError {
    ParseError(message)
}

type Res<T> = Result<T, ParseError>;

/// A named group seen so far, and where it sits: the (disjunction,
/// alternative) pairs from the root down to it.
struct NamedGroup {
    name: String,
    index: u32,
    path: Vec<(u32, u32)>,
}

struct Parser<'p> {
    s: &'p [u32],
    i: usize,
    unicode: bool,
    sets: bool,
    has_named_groups: bool,
    total_groups: u32,
    /// Every group name in the pattern with its group index (first pass).
    all_names: Vec<(String, u32)>,
    groups: u32,
    names: Vec<NamedGroup>,
    path: Vec<(u32, u32)>,
    disjunctions: u32,
    depth: u32,
}

const fn ch(c: u8) -> u32 {
    c as u32
}

fn is_syntax_char(c: u32) -> bool {
    matches!(char::from_u32(c), Some('^' | '$' | '\\' | '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|'))
}

fn is_digit(c: u32) -> bool {
    (ch(b'0')..=ch(b'9')).contains(&c)
}

fn hex_value(c: u32) -> Option<u32> {
    char::from_u32(c)?.to_digit(16)
}

/// First pass: the number of capture groups, and each group name with its
/// group index (names that do not parse are left for the real parse to
/// report).
fn prescan(s: &[u32], sets: bool) -> (u32, Vec<(String, u32)>) {
    let mut count = 0u32;
    let mut names = Vec::new();
    let mut class_depth = 0u32;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == ch(b'\\') {
            i += 2;
            continue;
        }
        if class_depth > 0 {
            if c == ch(b']') {
                class_depth -= 1;
            } else if c == ch(b'[') && sets {
                class_depth += 1;
            }
        } else if c == ch(b'[') {
            class_depth = 1;
        } else if c == ch(b'(') {
            if s.get(i + 1) != Some(&ch(b'?')) {
                count += 1;
            } else if s.get(i + 2) == Some(&ch(b'<')) && !matches!(s.get(i + 3), Some(&c) if c == ch(b'=') || c == ch(b'!')) {
                count += 1;
                let mut at = i + 3;
                if let Some(name) = group_name(s, &mut at) {
                    names.push((name, count));
                }
            }
        }
        i += 1;
    }
    (count, names)
}

/// A group name after `<` up to and including `>`, escapes decoded; None if
/// it is not a valid RegExpIdentifierName.
fn group_name(s: &[u32], at: &mut usize) -> Option<String> {
    let mut name = String::new();
    let mut i = *at;
    loop {
        let c = *s.get(i)?;
        i += 1;
        if c == ch(b'>') {
            break;
        }
        let c = if c == ch(b'\\') {
            if s.get(i) != Some(&ch(b'u')) {
                return None;
            }
            i += 1;
            unicode_escape_body(s, &mut i, true)?
        } else if is_lead(c) && s.get(i).is_some_and(|&t| is_trail(t)) {
            // Without `u` a pattern is code units: a surrogate pair still
            // spells one character of a name.
            i += 1;
            combine(c, s[i - 1])
        } else {
            c
        };
        let ok = if name.is_empty() { unicode::is_id_start(c) } else { unicode::is_id_continue(c) };
        if !ok {
            return None;
        }
        name.push(char::from_u32(c)?);
    }
    if name.is_empty() {
        return None;
    }
    *at = i;
    Some(name)
}

/// After `\u`: `XXXX` (a surrogate pair of escapes combined when `unicode`),
/// or with `unicode` also `{X...}`. None if malformed.
fn unicode_escape_body(s: &[u32], i: &mut usize, unicode: bool) -> Option<u32> {
    if unicode && s.get(*i) == Some(&ch(b'{')) {
        let mut j = *i + 1;
        let mut value = 0u32;
        let mut digits = 0;
        while let Some(d) = s.get(j).and_then(|&c| hex_value(c)) {
            value = value.checked_mul(16)?.checked_add(d)?;
            if value > unicode::MAX_CHAR {
                return None;
            }
            digits += 1;
            j += 1;
        }
        if digits == 0 || s.get(j) != Some(&ch(b'}')) {
            return None;
        }
        *i = j + 1;
        return Some(value);
    }
    let four = |at: usize| -> Option<u32> {
        let mut v = 0;
        for k in 0..4 {
            v = v * 16 + hex_value(*s.get(at + k)?)?;
        }
        Some(v)
    };
    let first = four(*i)?;
    *i += 4;
    if unicode
        && is_lead(first)
        && s.get(*i) == Some(&ch(b'\\'))
        && s.get(*i + 1) == Some(&ch(b'u'))
        && let Some(second) = four(*i + 2)
        && is_trail(second)
    {
        *i += 6;
        return Some(combine(first, second));
    }
    Some(first)
}

/// A class atom outside `v` mode: a character, or a class escape.
enum ClassAtom {
    Char(u32),
    Operand(ClassOperand),
}

impl Parser<'_> {
    fn peek(&self) -> Option<u32> {
        self.s.get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<u32> {
        self.s.get(self.i + k).copied()
    }

    fn at(&self, c: u8) -> bool {
        self.peek() == Some(ch(c))
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.at(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn enter(&mut self) -> Res<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING { Err(syntax("Regular expression too deeply nested")) } else { Ok(()) }
    }

    fn disjunction(&mut self) -> Res<Node> {
        let id = self.disjunctions;
        self.disjunctions += 1;
        let mut alternatives = Vec::new();
        loop {
            self.path.push((id, alternatives.len() as u32));
            let alternative = self.alternative();
            self.path.pop();
            alternatives.push(alternative?);
            if !self.eat(b'|') {
                break;
            }
        }
        Ok(if alternatives.len() == 1 { alternatives.pop().unwrap_or(Node::Empty) } else { Node::Alternation(alternatives) })
    }

    fn alternative(&mut self) -> Res<Node> {
        let mut terms = Vec::new();
        while let Some(c) = self.peek() {
            if c == ch(b'|') || c == ch(b')') {
                break;
            }
            terms.push(self.term()?);
        }
        Ok(match terms.len() {
            0 => Node::Empty,
            1 => terms.pop().unwrap_or(Node::Empty),
            _ => Node::Sequence(terms),
        })
    }

    fn term(&mut self) -> Res<Node> {
        let c = self.peek().unwrap_or(0);
        // Assertions.
        let assertion = match char::from_u32(c) {
            Some('^') => Some(Assertion::LineStart),
            Some('$') => Some(Assertion::LineEnd),
            Some('\\') if self.peek_at(1) == Some(ch(b'b')) => Some(Assertion::WordBoundary),
            Some('\\') if self.peek_at(1) == Some(ch(b'B')) => Some(Assertion::NotWordBoundary),
            _ => None,
        };
        if let Some(a) = assertion {
            self.i += if c == ch(b'\\') { 2 } else { 1 };
            if self.at_quantifier() {
                return Err(syntax("Nothing to repeat"));
            }
            return Ok(Node::Assertion(a));
        }
        if c == ch(b'(') && self.peek_at(1) == Some(ch(b'?')) {
            let look = match (self.peek_at(2).and_then(char::from_u32), self.peek_at(3).and_then(char::from_u32)) {
                (Some('='), _) => Some((false, false, 3)),
                (Some('!'), _) => Some((false, true, 3)),
                (Some('<'), Some('=')) => Some((true, false, 4)),
                (Some('<'), Some('!')) => Some((true, true, 4)),
                _ => None,
            };
            if let Some((behind, negated, skip)) = look {
                self.i += skip;
                let body = self.group_body()?;
                let node = Node::Look { behind, negated, body: Box::new(body) };
                // Annex B: without `u`, a lookahead may be quantified.
                if behind || self.unicode {
                    if self.at_quantifier() {
                        return Err(syntax("Invalid quantifier"));
                    }
                    return Ok(node);
                }
                return self.quantified(node);
            }
        }
        let atom = self.atom()?;
        self.quantified(atom)
    }

    /// Whether a quantifier starts here (for `{`, a complete one).
    fn at_quantifier(&self) -> bool {
        match self.peek().and_then(char::from_u32) {
            Some('*' | '+' | '?') => true,
            Some('{') => self.braced_quantifier(self.i).is_some(),
            _ => false,
        }
    }

    /// `{n}`, `{n,}` or `{n,m}` at `at`: (min, max, index after `}`).
    /// Values past u32 saturate (they repeat "forever" all the same).
    fn braced_quantifier(&self, at: usize) -> Option<(u64, Option<u64>, usize)> {
        let mut i = at + 1;
        let number = |i: &mut usize| -> Option<u64> {
            let start = *i;
            let mut v: u64 = 0;
            while let Some(&c) = self.s.get(*i) {
                if !is_digit(c) {
                    break;
                }
                v = v.saturating_mul(10).saturating_add(u64::from(c - ch(b'0')));
                *i += 1;
            }
            (*i > start).then_some(v)
        };
        let min = number(&mut i)?;
        let max = if self.s.get(i) == Some(&ch(b',')) {
            i += 1;
            if self.s.get(i) == Some(&ch(b'}')) { None } else { Some(number(&mut i)?) }
        } else {
            Some(min)
        };
        (self.s.get(i) == Some(&ch(b'}'))).then_some((min, max, i + 1))
    }

    fn quantified(&mut self, atom: Node) -> Res<Node> {
        let (min, max) = match self.peek().and_then(char::from_u32) {
            Some('*') => {
                self.i += 1;
                (0, None)
            }
            Some('+') => {
                self.i += 1;
                (1, None)
            }
            Some('?') => {
                self.i += 1;
                (0, Some(1))
            }
            Some('{') => match self.braced_quantifier(self.i) {
                Some((min, max, next)) => {
                    if max.is_some_and(|m| m < min) {
                        return Err(syntax("numbers out of order in {} quantifier"));
                    }
                    self.i = next;
                    (min, max)
                }
                None if self.unicode => return Err(syntax("Incomplete quantifier")),
                None => return Ok(atom),
            },
            _ => return Ok(atom),
        };
        let greedy = !self.eat(b'?');
        let clamp = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        Ok(Node::Repeat { body: Box::new(atom), min: clamp(min), max: max.map(clamp), greedy })
    }

    fn atom(&mut self) -> Res<Node> {
        let Some(c) = self.peek() else { return Err(syntax("Unexpected end of pattern")) };
        match char::from_u32(c) {
            Some('.') => {
                self.i += 1;
                Ok(Node::Dot)
            }
            Some('(') => self.group(),
            Some('[') => {
                self.i += 1;
                let class = if self.sets { self.class_v()? } else { self.class()? };
                Ok(Node::Class(Box::new(class)))
            }
            Some('\\') => self.atom_escape(),
            Some('*' | '+' | '?') => Err(syntax("Nothing to repeat")),
            Some('{') => {
                if self.unicode {
                    return Err(syntax("Lone quantifier brackets"));
                }
                if self.braced_quantifier(self.i).is_some() {
                    return Err(syntax("Nothing to repeat"));
                }
                self.i += 1;
                Ok(Node::Char(c))
            }
            Some('}' | ']') if self.unicode => Err(syntax("Lone quantifier brackets")),
            _ => {
                self.i += 1;
                Ok(Node::Char(c))
            }
        }
    }

    /// A group body up to and including its `)`.
    fn group_body(&mut self) -> Res<Node> {
        self.enter()?;
        let body = self.disjunction()?;
        self.depth -= 1;
        if !self.eat(b')') {
            return Err(syntax("Unterminated group"));
        }
        Ok(body)
    }

    fn group(&mut self) -> Res<Node> {
        self.i += 1;
        if !self.eat(b'?') {
            self.groups += 1;
            let index = self.groups;
            let body = self.group_body()?;
            return Ok(Node::Capture { index, body: Box::new(body) });
        }
        if self.eat(b':') {
            let body = self.group_body()?;
            return Ok(Node::Group { modifiers: None, body: Box::new(body) });
        }
        if self.eat(b'<') {
            let name = group_name(self.s, &mut self.i).ok_or(syntax("Invalid capture group name"))?;
            self.groups += 1;
            let index = self.groups;
            for other in self.names.iter().filter(|g| g.name == name) {
                if might_both_participate(&other.path, &self.path) {
                    return Err(syntax("Duplicate capture group name"));
                }
            }
            self.names.push(NamedGroup { name, index, path: self.path.clone() });
            let body = self.group_body()?;
            return Ok(Node::Capture { index, body: Box::new(body) });
        }
        let modifiers = self.modifiers()?;
        let body = self.group_body()?;
        Ok(Node::Group { modifiers: Some(modifiers), body: Box::new(body) })
    }

    /// After `(?`: `ims-ims:` (each part optional, not both empty with `-`).
    fn modifiers(&mut self) -> Res<Modifiers> {
        let mut m = Modifiers::default();
        let mut removing = false;
        let mut any = false;
        loop {
            let Some(c) = self.peek().and_then(char::from_u32) else { return Err(syntax("Invalid group")) };
            self.i += 1;
            let flags = if removing { &mut m.remove } else { &mut m.add };
            let slot = match c {
                'i' => &mut flags.ignore_case,
                'm' => &mut flags.multiline,
                's' => &mut flags.dot_all,
                '-' if !removing => {
                    removing = true;
                    continue;
                }
                ':' if any || !removing => break,
                _ => return Err(syntax("Invalid group")),
            };
            if *slot {
                return Err(syntax("Repeated flag in modifiers"));
            }
            *slot = true;
            any = true;
        }
        let both = |a: ModifierFlags, b: ModifierFlags| (a.ignore_case && b.ignore_case) || (a.multiline && b.multiline) || (a.dot_all && b.dot_all);
        if both(m.add, m.remove) {
            return Err(syntax("Repeated flag in modifiers"));
        }
        if !any {
            // `(?:` was handled by the caller; `(?-:` is an error.
            return Err(syntax("Invalid group"));
        }
        Ok(m)
    }

    fn atom_escape(&mut self) -> Res<Node> {
        self.i += 1;
        let Some(c) = self.peek() else { return Err(syntax("\\ at end of pattern")) };
        if (ch(b'1')..=ch(b'9')).contains(&c) {
            let start = self.i;
            let mut n: u64 = 0;
            while let Some(d) = self.peek().filter(|&d| is_digit(d)) {
                n = n.saturating_mul(10).saturating_add(u64::from(d - ch(b'0')));
                self.i += 1;
            }
            if n <= u64::from(self.total_groups) {
                return Ok(Node::BackReference(vec![n as u32]));
            }
            if self.unicode {
                return Err(syntax("Invalid escape"));
            }
            // Annex B: not a reference: a legacy octal escape, or `8`/`9`.
            self.i = start;
            return Ok(Node::Char(self.legacy_octal_or_identity()));
        }
        if c == ch(b'k') {
            if self.unicode || self.has_named_groups {
                self.i += 1;
                if !self.eat(b'<') {
                    return Err(syntax("Invalid named reference"));
                }
                let name = group_name(self.s, &mut self.i).ok_or(syntax("Invalid named reference"))?;
                let groups: Vec<u32> = self.all_names.iter().filter(|(n, _)| *n == name).map(|&(_, i)| i).collect();
                if groups.is_empty() {
                    return Err(syntax("Invalid named capture referenced"));
                }
                return Ok(Node::BackReference(groups));
            }
            self.i += 1;
            return Ok(Node::Char(c));
        }
        if let Some(operand) = self.class_escape()? {
            return Ok(Node::Class(Box::new(Class { negated: false, kind: ClassKind::Union, operands: vec![operand] })));
        }
        Ok(Node::Char(self.character_escape(false)?))
    }

    /// `\d \D \s \S \w \W`, and `\p{..} \P{..}` with `u`/`v` (after the `\`).
    fn class_escape(&mut self) -> Res<Option<ClassOperand>> {
        let Some(c) = self.peek().and_then(char::from_u32) else { return Ok(None) };
        let escape = match c {
            'd' => ClassEscape::Digit,
            'D' => ClassEscape::NotDigit,
            's' => ClassEscape::Space,
            'S' => ClassEscape::NotSpace,
            'w' => ClassEscape::Word,
            'W' => ClassEscape::NotWord,
            'p' | 'P' if self.unicode => {
                self.i += 1;
                return self.property(c == 'P').map(Some);
            }
            _ => return Ok(None),
        };
        self.i += 1;
        Ok(Some(ClassOperand::Escape(escape)))
    }

    /// After `\p` or `\P`: `{name=value}` or `{value}`.
    fn property(&mut self, negated: bool) -> Res<ClassOperand> {
        if !self.eat(b'{') {
            return Err(syntax("Invalid property name"));
        }
        let mut name = String::new();
        let mut value = None::<String>;
        loop {
            let Some(c) = self.peek().and_then(char::from_u32) else { return Err(syntax("Invalid property name")) };
            self.i += 1;
            match c {
                '}' => break,
                '=' if value.is_none() => value = Some(String::new()),
                c if c.is_ascii_alphanumeric() || c == '_' => value.as_mut().unwrap_or(&mut name).push(c),
                _ => return Err(syntax("Invalid property name")),
            }
        }
        let (name, value) = match value {
            Some(v) => (Some(name), v),
            None => (None, name),
        };
        if name.as_deref().is_some_and(str::is_empty) || value.is_empty() {
            return Err(syntax("Invalid property name"));
        }
        if name.is_none()
            && let Some((set, strings)) = unicode::property_of_strings(&value)
        {
            if !self.sets || negated {
                return Err(syntax("Invalid property name"));
            }
            return Ok(ClassOperand::StringProperty { set, strings });
        }
        let set = unicode::property(name.as_deref(), &value).ok_or(syntax("Invalid property name"))?;
        Ok(ClassOperand::Property { set, negated })
    }

    /// A CharacterEscape after `\` (the escapes that stand for one
    /// character), `in_class` for the class-only forms without `u`.
    fn character_escape(&mut self, in_class: bool) -> Res<u32> {
        let Some(c) = self.peek() else { return Err(syntax("\\ at end of pattern")) };
        self.i += 1;
        let simple = match char::from_u32(c) {
            Some('f') => Some(0x0C),
            Some('n') => Some(0x0A),
            Some('r') => Some(0x0D),
            Some('t') => Some(0x09),
            Some('v') => Some(0x0B),
            _ => None,
        };
        if let Some(v) = simple {
            return Ok(v);
        }
        match char::from_u32(c) {
            Some('c') => {
                let next = self.peek().and_then(char::from_u32);
                if let Some(l) = next.filter(char::is_ascii_alphabetic) {
                    self.i += 1;
                    return Ok(l as u32 % 32);
                }
                if self.unicode {
                    return Err(syntax("Invalid unicode escape"));
                }
                // Annex B: in a class, `\c` takes a digit or `_` too.
                if in_class && let Some(d) = next.filter(|&d| d.is_ascii_digit() || d == '_') {
                    self.i += 1;
                    return Ok(d as u32 % 32);
                }
                // Otherwise `\c` is a backslash, and the `c` comes next.
                self.i -= 1;
                Ok(ch(b'\\'))
            }
            Some('0') if !self.peek().is_some_and(is_digit) => Ok(0),
            Some('0'..='9') => {
                if self.unicode {
                    return Err(syntax("Invalid decimal escape"));
                }
                self.i -= 1;
                Ok(self.legacy_octal_or_identity())
            }
            Some('x') => {
                if let (Some(a), Some(b)) = (self.peek().and_then(hex_value), self.peek_at(1).and_then(hex_value)) {
                    self.i += 2;
                    return Ok(a * 16 + b);
                }
                if self.unicode { Err(syntax("Invalid escape")) } else { Ok(c) }
            }
            Some('u') => {
                let mut at = self.i;
                if let Some(v) = unicode_escape_body(self.s, &mut at, self.unicode) {
                    self.i = at;
                    return Ok(v);
                }
                if self.unicode { Err(syntax("Invalid Unicode escape")) } else { Ok(c) }
            }
            _ if self.unicode => {
                if is_syntax_char(c) || c == ch(b'/') || (in_class && c == ch(b'-')) {
                    Ok(c)
                } else {
                    Err(syntax("Invalid escape"))
                }
            }
            // Annex B identity escape: anything but `k` when the pattern has
            // named groups.
            _ if c == ch(b'k') && self.has_named_groups => Err(syntax("Invalid named reference")),
            _ => Ok(c),
        }
    }

    /// Annex B LegacyOctalEscapeSequence (up to 0o377), or `8`/`9` standing
    /// for themselves. At least one digit is next.
    fn legacy_octal_or_identity(&mut self) -> u32 {
        let first = self.peek().unwrap_or(0);
        self.i += 1;
        if first >= ch(b'8') {
            return first;
        }
        let mut v = first - ch(b'0');
        let max_digits = if first <= ch(b'3') { 3 } else { 2 };
        for _ in 1..max_digits {
            match self.peek() {
                Some(d) if (ch(b'0')..=ch(b'7')).contains(&d) => {
                    v = v * 8 + (d - ch(b'0'));
                    self.i += 1;
                }
                _ => break,
            }
        }
        v
    }

    // ----- classes without `v` -----

    /// After `[`, without `v`.
    fn class(&mut self) -> Res<Class> {
        let negated = self.eat(b'^');
        let mut operands = Vec::new();
        loop {
            if self.eat(b']') {
                break;
            }
            if self.peek().is_none() {
                return Err(syntax("Unterminated character class"));
            }
            let first = self.class_atom()?;
            if self.at(b'-') && self.peek_at(1).is_some_and(|c| c != ch(b']')) {
                self.i += 1;
                let second = self.class_atom()?;
                match (first, second) {
                    (ClassAtom::Char(a), ClassAtom::Char(b)) => {
                        if a > b {
                            return Err(syntax("Range out of order in character class"));
                        }
                        operands.push(ClassOperand::Range(a, b));
                    }
                    (first, second) => {
                        if self.unicode {
                            return Err(syntax("Invalid character class"));
                        }
                        // Annex B: a class escape at either end makes the
                        // `-` a plain character.
                        operands.push(atom_operand(first));
                        operands.push(ClassOperand::Range(ch(b'-'), ch(b'-')));
                        operands.push(atom_operand(second));
                    }
                }
            } else {
                operands.push(atom_operand(first));
            }
        }
        Ok(Class { negated, kind: ClassKind::Union, operands })
    }

    fn class_atom(&mut self) -> Res<ClassAtom> {
        let Some(c) = self.peek() else { return Err(syntax("Unterminated character class")) };
        if c != ch(b'\\') {
            self.i += 1;
            return Ok(ClassAtom::Char(c));
        }
        self.i += 1;
        if self.eat(b'b') {
            return Ok(ClassAtom::Char(0x08));
        }
        if self.unicode && self.eat(b'-') {
            return Ok(ClassAtom::Char(ch(b'-')));
        }
        if let Some(operand) = self.class_escape()? {
            return Ok(ClassAtom::Operand(operand));
        }
        Ok(ClassAtom::Char(self.character_escape(true)?))
    }

    // ----- classes with `v` -----

    /// After `[`, with `v`: a union, an intersection (`&&`) or a
    /// subtraction (`--`) of operands.
    fn class_v(&mut self) -> Res<Class> {
        self.enter()?;
        let negated = self.eat(b'^');
        let mut operands = Vec::new();
        let mut kind = ClassKind::Union;
        if !self.at(b']') {
            let first = self.class_set_operand(true)?;
            operands.push(first);
            if self.at_double(b'&') {
                kind = ClassKind::Intersection;
            } else if self.at_double(b'-') {
                kind = ClassKind::Subtraction;
            }
            match kind {
                ClassKind::Union => {
                    while !self.at(b']') {
                        if self.peek().is_none() {
                            return Err(syntax("Unterminated character class"));
                        }
                        if self.at_double(b'&') || self.at_double(b'-') {
                            return Err(syntax("Invalid set operation in character class"));
                        }
                        let operand = self.class_set_operand(true)?;
                        operands.push(operand);
                    }
                }
                ClassKind::Intersection | ClassKind::Subtraction => {
                    let op = if kind == ClassKind::Intersection { b'&' } else { b'-' };
                    if matches!(operands[0], ClassOperand::Range(a, b) if a != b) {
                        return Err(syntax("Invalid set operation in character class"));
                    }
                    while !self.at(b']') {
                        if !self.at_double(op) {
                            return Err(syntax("Invalid set operation in character class"));
                        }
                        self.i += 2;
                        if op == b'&' && self.at(b'&') {
                            return Err(syntax("Invalid character in character class"));
                        }
                        let operand = self.class_set_operand(false)?;
                        operands.push(operand);
                    }
                }
            }
        }
        if !self.eat(b']') {
            return Err(syntax("Unterminated character class"));
        }
        self.depth -= 1;
        let class = Class { negated, kind, operands };
        if negated && may_contain_strings(&class) {
            return Err(syntax("Negated character class may contain strings"));
        }
        Ok(class)
    }

    fn at_double(&self, c: u8) -> bool {
        self.at(c) && self.peek_at(1) == Some(ch(c))
    }

    /// A ClassSetOperand, or with `ranges` a ClassSetRange too.
    fn class_set_operand(&mut self, ranges: bool) -> Res<ClassOperand> {
        let Some(c) = self.peek() else { return Err(syntax("Unterminated character class")) };
        if c == ch(b'[') {
            self.i += 1;
            return Ok(ClassOperand::Nested(Box::new(self.class_v()?)));
        }
        if c == ch(b'\\') {
            if self.peek_at(1) == Some(ch(b'q')) {
                self.i += 2;
                return self.class_string_disjunction();
            }
            self.i += 1;
            if let Some(operand) = self.class_escape()? {
                return Ok(operand);
            }
            self.i -= 1;
        }
        let first = self.class_set_character()?;
        if ranges && self.at(b'-') && !self.at_double(b'-') {
            self.i += 1;
            let second = self.class_set_character()?;
            if first > second {
                return Err(syntax("Range out of order in character class"));
            }
            return Ok(ClassOperand::Range(first, second));
        }
        Ok(ClassOperand::Range(first, first))
    }

    /// A ClassSetCharacter: one character, escaped or not.
    fn class_set_character(&mut self) -> Res<u32> {
        let Some(c) = self.peek() else { return Err(syntax("Unterminated character class")) };
        if c == ch(b'\\') {
            self.i += 1;
            let Some(e) = self.peek() else { return Err(syntax("\\ at end of pattern")) };
            if e == ch(b'b') {
                self.i += 1;
                return Ok(0x08);
            }
            // ClassSetReservedPunctuator may be escaped.
            if char::from_u32(e).is_some_and(|e| "&-!#%,:;<=>@`~".contains(e)) {
                self.i += 1;
                return Ok(e);
            }
            return self.character_escape(true);
        }
        let next = self.peek_at(1);
        if char::from_u32(c).is_some_and(|c| "&!#$%*+,.:;<=>?@^`~".contains(c)) && next == Some(c) {
            return Err(syntax("Invalid set operation in character class"));
        }
        if char::from_u32(c).is_some_and(|c| "()[]{}/-|".contains(c)) {
            return Err(syntax("Invalid character in character class"));
        }
        self.i += 1;
        Ok(c)
    }

    /// After `\q`: `{a|bc|}`, each alternative a string of ClassSetCharacters.
    fn class_string_disjunction(&mut self) -> Res<ClassOperand> {
        if !self.eat(b'{') {
            return Err(syntax("Invalid escape"));
        }
        let mut strings = vec![Vec::new()];
        loop {
            match self.peek() {
                None => return Err(syntax("Unterminated character class")),
                Some(c) if c == ch(b'}') => {
                    self.i += 1;
                    break;
                }
                Some(c) if c == ch(b'|') => {
                    self.i += 1;
                    strings.push(Vec::new());
                }
                Some(_) => {
                    let c = self.class_set_character()?;
                    if let Some(last) = strings.last_mut() {
                        last.push(c);
                    }
                }
            }
        }
        Ok(ClassOperand::Strings(strings))
    }
}

fn atom_operand(atom: ClassAtom) -> ClassOperand {
    match atom {
        ClassAtom::Char(c) => ClassOperand::Range(c, c),
        ClassAtom::Operand(o) => o,
    }
}

/// MayContainStrings of a `v` class.
fn may_contain_strings(class: &Class) -> bool {
    let operand = |o: &ClassOperand| match o {
        ClassOperand::Strings(strings) => strings.iter().any(|s| s.len() != 1),
        ClassOperand::StringProperty { .. } => true,
        ClassOperand::Nested(c) => !c.negated && may_contain_strings(c),
        ClassOperand::Range(..) | ClassOperand::Escape(_) | ClassOperand::Property { .. } => false,
    };
    match class.kind {
        ClassKind::Union => class.operands.iter().any(operand),
        ClassKind::Intersection => class.operands.iter().all(operand),
        ClassKind::Subtraction => class.operands.first().is_some_and(operand),
    }
}

/// Two groups can both take part in one match unless some disjunction has
/// them in different alternatives.
fn might_both_participate(a: &[(u32, u32)], b: &[(u32, u32)]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            // Same disjunction, different alternatives: exclusive.
            return x.0 != y.0;
        }
    }
    true
}
