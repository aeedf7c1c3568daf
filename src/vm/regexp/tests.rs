//! Tests of the RegExp parser: the tree it builds, and which patterns are
//! early errors in each mode.

use super::ast::{Assertion, ClassKind, ClassOperand, Node};
use super::parser::{MAX_NESTING, ParseError, parse};
use super::{Flags, pattern_chars};

fn units(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// Parses with flags "" ('n'), "u" or "v".
fn parse_in(pattern: &str, mode: char) -> Result<super::ast::Pattern, ParseError> {
    let unicode = mode != 'n';
    parse(&pattern_chars(&units(pattern), unicode), mode == 'u', mode == 'v')
}

fn ok(pattern: &str, modes: &str) {
    for mode in modes.chars() {
        if let Err(e) = parse_in(pattern, mode) {
            panic!("/{pattern}/ in mode {mode}: {e:?}");
        }
    }
}

fn err(pattern: &str, modes: &str) {
    for mode in modes.chars() {
        match parse_in(pattern, mode) {
            Err(ParseError(_)) => {}
            other => panic!("/{pattern}/ in mode {mode} should be a SyntaxError: {other:?}"),
        }
    }
}

#[test]
fn flags() {
    let f = Flags::parse(&units("dgimsuy")).unwrap();
    assert!(f.has_indices && f.global && f.ignore_case && f.multiline && f.dot_all && f.unicode && f.sticky && !f.unicode_sets);
    assert!(Flags::parse(&units("gg")).is_none());
    assert!(Flags::parse(&units("uv")).is_none());
    assert!(Flags::parse(&units("x")).is_none());
    assert!(Flags::parse(&units("v")).unwrap().either_unicode());
}

#[test]
fn tree() {
    let p = parse_in("a(b|c)*?d{2,}", 'n').unwrap();
    assert_eq!(p.capture_count, 1);
    let Node::Sequence(terms) = p.root else { panic!("{:?}", p.root) };
    assert_eq!(terms[0], Node::Char(u32::from(b'a')));
    let Node::Repeat { body, min: 0, max: None, greedy: false } = &terms[1] else { panic!("{:?}", terms[1]) };
    let Node::Capture { index: 1, body } = &**body else { panic!() };
    assert_eq!(**body, Node::Alternation(vec![Node::Char(u32::from(b'b')), Node::Char(u32::from(b'c'))]));
    assert!(matches!(terms[2], Node::Repeat { min: 2, max: None, greedy: true, .. }));
    // Huge counts saturate.
    let p = parse_in("a{99999999999}", 'n').unwrap();
    assert!(matches!(p.root, Node::Repeat { min: u32::MAX, max: Some(u32::MAX), .. }));
    let p = parse_in("^\\b$", 'u').unwrap();
    assert_eq!(
        p.root,
        Node::Sequence(vec![Node::Assertion(Assertion::LineStart), Node::Assertion(Assertion::WordBoundary), Node::Assertion(Assertion::LineEnd)])
    );
}

#[test]
fn escapes() {
    let char_of = |pattern: &str, mode: char| match parse_in(pattern, mode).unwrap().root {
        Node::Char(c) => c,
        other => panic!("/{pattern}/: {other:?}"),
    };
    assert_eq!(char_of("\\x41", 'n'), 0x41);
    assert_eq!(char_of("\\u0041", 'n'), 0x41);
    assert_eq!(char_of("\\u{1F600}", 'u'), 0x1F600);
    assert_eq!(char_of("\\uD83D\\uDE00", 'u'), 0x1F600);
    assert_eq!(char_of("\\cJ", 'n'), 10);
    assert_eq!(char_of("\\0", 'u'), 0);
    assert_eq!(char_of("\\/", 'u'), u32::from(b'/'));
    assert_eq!(char_of("😀", 'u'), 0x1F600);
    // Annex B: legacy octal and identity escapes without `u`.
    assert_eq!(char_of("\\01", 'n'), 1);
    assert_eq!(char_of("\\377", 'n'), 0o377);
    assert_eq!(char_of("\\8", 'n'), u32::from(b'8'));
    assert_eq!(char_of("\\a", 'n'), u32::from(b'a'));
    assert_eq!(char_of("\\k", 'n'), u32::from(b'k'));
    assert_eq!(char_of("\\p", 'n'), u32::from(b'p'));
    let p = parse_in("\\400", 'n').unwrap();
    assert_eq!(p.root, Node::Sequence(vec![Node::Char(0o40), Node::Char(u32::from(b'0'))]));
    let p = parse_in("\\c", 'n').unwrap();
    assert_eq!(p.root, Node::Sequence(vec![Node::Char(u32::from(b'\\')), Node::Char(u32::from(b'c'))]));
    // Without `u`, `\u{1F600}` is the letter `u` and then literal text
    // (`{1F600}` is no quantifier).
    let p = parse_in("\\u{1F600}", 'n').unwrap();
    assert!(matches!(p.root, Node::Sequence(ref t) if t[0] == Node::Char(u32::from(b'u')) && t.len() == 8));
    // Strict escapes with `u` and `v`.
    for bad in ["\\a", "\\-", "\\c", "\\c1", "\\x4", "\\u12", "\\u{110000}", "\\01", "\\8", "\\k", "\\p", "\\p{}", "\\p{Nope}", "\\P{Script}"] {
        err(bad, "uv");
    }
    err("\\", "nuv");
}

#[test]
fn backreferences() {
    let p = parse_in("\\2(a)(b)", 'n').unwrap();
    let Node::Sequence(t) = p.root else { panic!() };
    assert_eq!(t[0], Node::BackReference(vec![2]));
    // More than the groups: an octal escape without `u`, an error with it.
    let p = parse_in("(a)\\2", 'n').unwrap();
    let Node::Sequence(t) = p.root else { panic!() };
    assert_eq!(t[1], Node::Char(2));
    err("(a)\\2", "uv");
    // Named.
    let p = parse_in("(?<x>a)\\k<x>", 'n').unwrap();
    assert_eq!(p.names, vec![("x".to_string(), 1)]);
    let Node::Sequence(t) = p.root else { panic!() };
    assert_eq!(t[1], Node::BackReference(vec![1]));
    ok("\\k<x>(?<x>a)", "nuv");
    // With named groups, `\k` must be a reference even without `u`.
    err("(?<x>a)\\k", "nuv");
    err("(?<x>a)\\k<y>", "nuv");
    err("(?<x>a)[\\k]", "n");
    ok("\\k<x>", "n");
    err("\\k<x>", "uv");
}

#[test]
fn group_names() {
    ok("(?<$a_1>.)", "nuv");
    ok("(?<\\u0061>.)", "nuv");
    ok("(?<\\u{61}>.)", "nuv");
    ok("(?<a\\uD835\\uDC9C>.)", "nuv");
    ok("(?<𝒜>.)", "nuv");
    err("(?<1a>.)", "nuv");
    err("(?<>.)", "nuv");
    err("(?<a.)", "nuv");
    // Duplicates only in different alternatives.
    ok("(?<a>x)|(?<a>y)", "nuv");
    ok("((?<a>x)|(?<a>y))|(?<a>z)", "nuv");
    err("(?<a>x)(?<a>y)", "nuv");
    err("(?<a>x)|((?<a>y)(?<a>z))", "nuv");
    err("((?<a>x)|y)(?<a>z)", "nuv");
    let p = parse_in("(?<a>x)|(?<a>y)\\k<a>", 'n').unwrap();
    let Node::Alternation(alts) = p.root else { panic!() };
    let Node::Sequence(t) = &alts[1] else { panic!() };
    assert_eq!(t[1], Node::BackReference(vec![1, 2]));
}

#[test]
fn quantifiers_and_brackets() {
    for bad in ["*", "a**", "+a", "?", "a|*", "(*)", "^*", "$+", "\\b*", "a{2,1}", "(?<=a)*"] {
        err(bad, "nuv");
    }
    // Annex B: braces and `]` are characters when not a quantifier.
    ok("{", "n");
    ok("a{", "n");
    ok("a{1", "n");
    ok("a{,5}", "n");
    ok("}", "n");
    ok("]", "n");
    ok("(?=a)*", "n");
    err("{1}", "n");
    for bad in ["{", "a{", "a{1", "a{,5}", "}", "]", "(?=a)*"] {
        err(bad, "uv");
    }
    err("(", "nuv");
    err(")", "nuv");
    err("(?", "nuv");
    err("(?x)", "nuv");
}

#[test]
fn modifiers() {
    ok("(?i:a)", "nuv");
    ok("(?-i:a)", "nuv");
    ok("(?im-s:a)", "nuv");
    ok("(?i-:a)", "nuv");
    err("(?-:a)", "nuv");
    err("(?ii:a)", "nuv");
    err("(?i-i:a)", "nuv");
    err("(?g:a)", "nuv");
    err("(?i)", "nuv");
}

#[test]
fn classes() {
    let p = parse_in("[^a-c\\d]", 'n').unwrap();
    let Node::Class(c) = p.root else { panic!() };
    assert!(c.negated);
    assert_eq!(c.operands, vec![ClassOperand::Range(97, 99), ClassOperand::Escape(super::ast::ClassEscape::Digit)]);
    ok("[]", "nuv");
    ok("[^]", "nuv");
    ok("[a-]", "nu");
    ok("[-a]", "nu");
    ok("[\\b]", "nuv");
    ok("[\\-]", "nuv");
    ok("[\\d-a]", "n");
    ok("[\\c_]", "n");
    ok("[\\c]", "n");
    err("[b-a]", "nuv");
    err("[\\d-a]", "uv");
    err("[a", "nuv");
    err("[\\c_]", "uv");
    ok("[\\p{L}--\\p{Lu}]", "v");
    ok("[\\p{L}&&\\p{Lu}]", "v");
    ok("[[a-z]--[aeiou]]", "v");
    ok("[\\q{abc|d}]", "v");
    ok("[^\\q{a|b}]", "v");
    err("[^\\q{ab}]", "v");
    err("[a-]", "v");
    err("[(]", "v");
    err("[a&&&b]", "v");
    err("[a&&b--c]", "v");
    err("[ab&&c]", "v");
    err("[a-z&&b]", "v");
    err("[a!!b]", "v");
    err("[\\q{a}]", "u");
    ok("[\\q{a}]", "n");
    ok("[\\&\\!]", "v");
    let p = parse_in("[[a-c]&&[b-d]]", 'v').unwrap();
    let Node::Class(c) = p.root else { panic!() };
    assert_eq!(c.kind, ClassKind::Intersection);
    assert_eq!(c.operands.len(), 2);
}

#[test]
fn properties() {
    ok("\\p{L}\\P{Lu}\\p{Script=Greek}\\p{scx=Deva}\\p{gc=Nd}\\p{Any}\\p{ASCII}\\p{Assigned}\\p{Emoji}", "uv");
    for bad in [
        "\\p{L",
        "\\p{lowercase}",
        "\\p{Script}",
        "\\p{Script=}",
        "\\p{=Greek}",
        "\\p{Block=Basic_Latin}",
        "\\p{gc=Greek}",
        "\\P{RGI_Emoji}",
        "[^\\p{RGI_Emoji}]",
    ] {
        err(bad, "v");
    }
    err("\\p{RGI_Emoji}", "u");
    assert!(parse_in("\\p{RGI_Emoji}", 'v').is_ok());
}

#[test]
fn nesting_is_bounded() {
    let deep = |n: usize| format!("{}a{}", "(".repeat(n), ")".repeat(n));
    let p = parse_in(&deep(MAX_NESTING as usize), 'n').unwrap();
    assert_eq!(p.capture_count, MAX_NESTING);
    // 100,000 nested groups: a SyntaxError, not a stack overflow. The parser
    // stops at the limit, so this needs little stack.
    err(&deep(100_000), "nuv");
    err(&format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)), "v");
}

/// Every regular expression literal in test262's RegExp tests: the parser
/// accepts those of positive tests and rejects at least one in each test
/// that expects an early SyntaxError. (The literals come from oxc's parser
/// with its own regexp validation off, so ours is the only judge.)
#[test]
fn agrees_with_test262_on_regexp_literals() {
    use oxc_allocator::Allocator;
    use oxc_ast::AstKind;
    use oxc_parser::{ParseOptions, Parser};
    use oxc_semantic::SemanticBuilder;
    use oxc_span::SourceType;

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/test262");
    if !root.join("test").is_dir() {
        assert!(std::env::var("SABLE_REQUIRE_TEST262").as_deref() != Ok("1"), "SABLE_REQUIRE_TEST262=1 but {} is missing", root.display());
        println!("agrees_with_test262_on_regexp_literals: NOT RUN: no test262 at {}", root.display());
        return;
    }
    let mut files = Vec::new();
    let mut dirs: Vec<std::path::PathBuf> =
        ["test/language/literals/regexp", "test/built-ins/RegExp", "test/annexB/language/literals/regexp", "test/annexB/built-ins/RegExp"]
            .iter()
            .map(|d| root.join(d))
            .collect();
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "js") && !p.to_string_lossy().contains("_FIXTURE") {
                files.push(p);
            }
        }
    }
    files.sort();
    let (mut literals, mut negative_files) = (0, 0);
    let mut wrong = Vec::new();
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        let negative = src.contains("negative:") && src.contains("phase: parse") && src.contains("type: SyntaxError");
        let allocator = Allocator::default();
        let options = ParseOptions { parse_regular_expression: false, ..ParseOptions::default() };
        let ret = Parser::new(&allocator, &src, SourceType::script()).with_options(options).parse();
        if ret.panicked {
            continue;
        }
        let other_errors = ret.diagnostics.errors().next().is_some();
        let program = allocator.alloc(ret.program);
        let semantic = SemanticBuilder::new().with_build_nodes(true).build(program).semantic;
        let mut rejected = false;
        for node in semantic.nodes().iter() {
            let AstKind::RegExpLiteral(lit) = node.kind() else { continue };
            literals += 1;
            let flags = lit.regex.flags.to_string();
            let units: Vec<u16> = lit.regex.pattern.text.encode_utf16().collect();
            let Some(f) = Flags::parse(&flags.encode_utf16().collect::<Vec<_>>()) else {
                rejected = true;
                continue;
            };
            let chars = pattern_chars(&units, f.either_unicode());
            match parse(&chars, f.unicode, f.unicode_sets) {
                Ok(_) => {}
                Err(ParseError(e)) => {
                    rejected = true;
                    if !negative {
                        wrong.push(format!("rejected /{}/{flags} ({e}) in {}", lit.regex.pattern.text, path.display()));
                    }
                }
            }
        }
        if negative {
            negative_files += 1;
            if !rejected && !other_errors && semantic.nodes().iter().any(|n| matches!(n.kind(), AstKind::RegExpLiteral(_))) {
                wrong.push(format!("accepted every literal of negative test {}", path.display()));
            }
        }
    }
    println!("{} files, {literals} literals, {negative_files} negative tests, {} wrong", files.len(), wrong.len());
    assert!(wrong.is_empty(), "{} disagreements:\n{}", wrong.len(), wrong.join("\n"));
}

/// A JSON value, as much of JSON as `tests/data/regexp_cases.txt` uses:
/// arrays, strings (kept as UTF-16, lone surrogates included), integers
/// and null.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Number(usize),
    Str(Vec<u16>),
    Array(Vec<Json>),
}

fn parse_json(text: &[u8], i: &mut usize) -> Json {
    match text[*i] {
        b'[' => {
            *i += 1;
            let mut items = Vec::new();
            while text[*i] != b']' {
                items.push(parse_json(text, i));
                if text[*i] == b',' {
                    *i += 1;
                }
            }
            *i += 1;
            Json::Array(items)
        }
        b'"' => {
            *i += 1;
            let mut out = Vec::new();
            loop {
                match text[*i] {
                    b'"' => break,
                    b'\\' => {
                        *i += 1;
                        let c = text[*i];
                        *i += 1;
                        match c {
                            b'n' => out.push(10),
                            b'r' => out.push(13),
                            b't' => out.push(9),
                            b'b' => out.push(8),
                            b'f' => out.push(12),
                            b'u' => {
                                let hex = std::str::from_utf8(&text[*i..*i + 4]).unwrap();
                                out.push(u16::from_str_radix(hex, 16).unwrap());
                                *i += 4;
                            }
                            c => out.push(u16::from(c)),
                        }
                    }
                    _ => {
                        // One UTF-8 character.
                        let rest = std::str::from_utf8(&text[*i..]).unwrap_or_else(|e| std::str::from_utf8(&text[*i..*i + e.valid_up_to()]).unwrap());
                        let c = rest.chars().next().unwrap();
                        *i += c.len_utf8();
                        let mut buf = [0u16; 2];
                        out.extend_from_slice(c.encode_utf16(&mut buf));
                    }
                }
            }
            *i += 1;
            Json::Str(out)
        }
        b'n' => {
            *i += 4;
            Json::Null
        }
        _ => {
            let start = *i;
            while text[*i].is_ascii_digit() {
                *i += 1;
            }
            Json::Number(std::str::from_utf8(&text[start..*i]).unwrap().parse().unwrap())
        }
    }
}

/// A match: its index and each capture (None where a group took no part).
type Found = (usize, Vec<Option<Vec<u16>>>);

/// Runs `pattern` over `subject` from `start`.
fn run(pattern: &[u16], flags: &str, subject: &[u16], start: usize) -> Result<Option<Found>, super::CompileError> {
    let f = Flags::parse(&units(flags)).unwrap();
    let re = super::compile(pattern, f)?;
    let slots = super::matcher::exec(&re.program, subject, start, f.sticky, 1 << 20, u64::MAX, &mut || false).unwrap();
    Ok(slots.map(|slots| found(&slots, subject)))
}

/// Capture slots as a match: the index and each capture's text.
fn found(slots: &[usize], subject: &[u16]) -> Found {
    let caps = slots.chunks(2).map(|p| (p[0] != super::matcher::UNSET && p[1] != super::matcher::UNSET).then(|| subject[p[0]..p[1]].to_vec())).collect();
    (slots[0], caps)
}

/// The matcher against node's answers (`tests/data/regexp_cases.js`
/// generates them), on two-byte subjects, and on one-byte subjects too
/// where every unit fits.
#[test]
fn matches_like_node() {
    let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/regexp_cases.txt")).unwrap();
    let mut checked = 0;
    let mut linear_checked = 0;
    for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let Json::Array(case) = parse_json(line, &mut 0) else { panic!() };
        let (Json::Str(p), Json::Str(f), Json::Str(s), Json::Number(start)) = (&case[0], &case[1], &case[2], &case[3]) else { panic!("{case:?}") };
        let flags = String::from_utf16(f).unwrap();
        let expected = match &case[4] {
            Json::Null => None,
            Json::Array(r) => {
                let Json::Number(index) = r[0] else { panic!() };
                let caps = r[1..].iter().map(|c| if let Json::Str(s) = c { Some(s.clone()) } else { None }).collect::<Vec<_>>();
                Some((index, caps))
            }
            other => panic!("{other:?}"),
        };
        let shown = format!("/{}/{flags} on {:?} from {start}", String::from_utf16_lossy(p), String::from_utf16_lossy(s));
        let got = run(p, &flags, s, *start).unwrap_or_else(|e| panic!("{shown}: {e:?}"));
        assert_eq!(got, expected, "{shown}");
        let f = Flags::parse(&units(&flags)).unwrap();
        if let Some(linear) = super::compile(p, f).unwrap().linear {
            let slots = super::pike::exec(&linear, s.as_slice(), *start, f.sticky, &mut || false).unwrap();
            assert_eq!(slots.map(|slots| found(&slots, s)), expected, "{shown} (linear matcher)");
            linear_checked += 1;
        }
        if s.iter().all(|&u| u < 256) {
            let one_byte: Vec<u8> = s.iter().map(|&u| u as u8).collect();
            let f = Flags::parse(&units(&flags)).unwrap();
            let re = super::compile(p, f).unwrap();
            let slots = super::matcher::exec(&re.program, one_byte.as_slice(), *start, f.sticky, 1 << 20, u64::MAX, &mut || false).unwrap();
            assert_eq!(slots.map(|s| s[0]), expected.as_ref().map(|e| e.0), "{shown} (one-byte subject)");
        }
        checked += 1;
    }
    assert!(checked >= 100, "only {checked} cases");
    assert!(linear_checked >= checked / 2, "only {linear_checked} of {checked} cases have a linear program");
}

/// Syntax newer than the node that generated the cases: expectations from
/// the specification.
#[test]
fn duplicate_names_and_modifiers_match() {
    let m = |p: &str, f: &str, s: &str| {
        run(&units(p), f, &units(s), 0).unwrap().map(|(i, caps)| (i, caps.into_iter().map(|c| c.map(|c| String::from_utf16(&c).unwrap())).collect::<Vec<_>>()))
    };
    let some = |s: &str| Some(s.to_string());
    let re = super::compile(&units("(?:(?<a>x)|(?<a>y))\\k<a>"), Flags::default()).unwrap();
    assert_eq!((re.capture_count, re.names), (2, vec![("a".to_string(), 1), ("a".to_string(), 2)]));
    assert_eq!(m("(?:(?<a>x)|(?<a>y))\\k<a>", "", "yy"), Some((0, vec![some("yy"), None, some("y")])));
    assert_eq!(m("(?:(?<a>x)|(?<a>y))\\k<a>", "", "xx"), Some((0, vec![some("xx"), some("x"), None])));
    assert_eq!(m("(?s:.)", "", "\n"), Some((0, vec![some("\n")])));
    assert_eq!(m("(?m:^b)", "", "a\nb"), Some((2, vec![some("b")])));
    assert_eq!(m("(?-s:.)", "s", "\n"), None);
    assert_eq!(m("(?-m:^b)", "m", "a\nb"), None);
}

/// A catastrophic pattern stops when the interrupt check says so, and a
/// match that needs more backtrack entries than the bound is an error.
#[test]
fn runaway_matches_stop() {
    let re = super::compile(&units("(a+)+$"), Flags::default()).unwrap();
    let subject: Vec<u16> = units(&format!("{}b", "a".repeat(40)));
    let mut calls = 0;
    let started = std::time::Instant::now();
    let r = super::matcher::exec(&re.program, subject.as_slice(), 0, false, 1 << 20, u64::MAX, &mut || {
        calls += 1;
        calls == 10
    });
    assert_eq!(r, Err(super::matcher::MatchError::Interrupted));
    assert_eq!(calls, 10);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    let re = super::compile(&units("(?:a|b)*c"), Flags::default()).unwrap();
    let subject = units(&"ab".repeat(100_000));
    let r = super::matcher::exec(&re.program, subject.as_slice(), 0, false, 10_000, u64::MAX, &mut || false);
    assert_eq!(r, Err(super::matcher::MatchError::BacktrackLimit));
    // A greedy loop over one character costs one entry, whatever it takes.
    let re = super::compile(&units("[ab]*c"), Flags::default()).unwrap();
    let r = super::matcher::exec(&re.program, subject.as_slice(), 0, true, 10, u64::MAX, &mut || false);
    assert_eq!(r, Ok(None));
}

/// The first units a match can start with, and that skipping to them finds
/// the same matches.
#[test]
fn first_units() {
    let first = |p: &str, f: &str| {
        let re = super::compile(&units(p), Flags::parse(&units(f)).unwrap()).unwrap();
        re.program
            .first
            .map(|first| ((0..0x100u32).filter(|&c| first.accepts(c)).map(|c| char::from_u32(c).unwrap()).collect::<String>(), first.high, first.only))
    };
    assert_eq!(first("abc", ""), Some(("a".to_string(), false, Some(b'a'))));
    assert_eq!(first("[ab]c|d", ""), Some(("abd".to_string(), false, None)));
    assert_eq!(first("a?b", ""), Some(("ab".to_string(), false, None)));
    assert_eq!(first("x*y+", ""), Some(("xy".to_string(), false, None)));
    assert_eq!(first("(?:a?){2}b", ""), Some(("ab".to_string(), false, None)));
    assert_eq!(first("a", "i"), Some(("Aa".to_string(), false, None)));
    assert_eq!(first("\\u{1F600}", "u"), Some((String::new(), true, None)));
    // Could match empty, or starts with an assertion: every position.
    for p in ["a*", "\\bfoo", "^a", "(?=a)a", "\\1(a)", "|a", "(?<=x)a"] {
        assert_eq!(first(p, ""), None, "{p}");
    }
    let at = |p: &str, f: &str, s: &str| run(&units(p), f, &units(s), 0).unwrap().map(|(i, _)| i);
    assert_eq!(at("(?:a?){2}b", "", "xxb"), Some(2));
    assert_eq!(at("abc", "", "ababc"), Some(2));
    assert_eq!(at("\\u{1F600}", "u", "xx\u{1F600}"), Some(2));
    assert_eq!(at("\\uDE00", "u", "\u{1F600}"), None, "never inside a pair with u");
    assert_eq!(at("\\uDE00", "", "\u{1F600}"), Some(1));
    assert_eq!(at("b", "y", "ab"), None);
}

/// Which patterns get a linear program, and that the builtins' entry point
/// answers catastrophic patterns with it, in linear time, as the
/// backtracker would have.
#[test]
fn linear_matcher_takes_over_runaway_backtracking() {
    let linear = |p: &str, f: &str| super::compile(&units(p), Flags::parse(&units(f)).unwrap()).unwrap().linear.is_some();
    for p in ["(a+)+$", "(?:a|b)*c", "(a|a)*b", "(\\w+\\s?)*$", "a{3}(b|c){2,5}?", "(){3}", "[\\q{ab|c}]", "^x$\\b"] {
        assert!(linear(p, if p.contains("\\q") { "v" } else { "" }), "{p} should have a linear program");
    }
    // Back references, lookarounds, quantified bodies that can be empty
    // (ECMAScript's empty check), unrolled programs over the size bound.
    for p in ["(a)\\1", "(?=a)a", "(?<!a)b", "(a*)*b", "(?:a|)+", "(?:\\b)+", "(a?){2,3}", "a{5000}", "(?:a{100}){100}"] {
        assert!(!linear(p, ""), "{p} should have no linear program");
    }
    assert!(!linear("[\\q{}]+", "v"), "a class of strings may hold the empty one");

    let exec = |p: &str, s: &str| {
        let re = super::compile(&units(p), Flags::default()).unwrap();
        let subject = units(s);
        let started = std::time::Instant::now();
        let r = re.exec(subject.as_slice(), 0, false, 1 << 20, false, &mut || false).unwrap().map(|slots| found(&slots, &subject));
        (r.map(|(i, caps)| (i, caps.into_iter().map(|c| c.map(|c| String::from_utf16(&c).unwrap())).collect::<Vec<_>>())), started.elapsed())
    };
    let long_a = "a".repeat(100_000);
    for (p, s) in [("(a+)+$", format!("{long_a}b")), ("(a|a)*b", long_a.clone()), ("(?:a|b)*c", "ab".repeat(200_000)), ("a*b", long_a.clone())] {
        let (r, took) = exec(p, &s);
        assert_eq!(r, None, "{p}");
        assert!(took < std::time::Duration::from_secs(2), "{p} took {took:?}");
    }
    // The answers once the linear matcher has taken over: captures of the
    // last iteration, the backtracker's choice among alternatives.
    let some = |s: &str| Some(s.to_string());
    let (r, _) = exec("(a+)+(b?)$", &format!("{long_a}b"));
    assert_eq!(r, Some((0, vec![some(&format!("{long_a}b")), some(&long_a), some("b")])));
    let (r, _) = exec("(?:(a)|(b))+?c", &format!("{}bc", "a".repeat(70_000)));
    assert_eq!(r, Some((0, vec![some(&format!("{}bc", "a".repeat(70_000))), None, some("b")])));
    let (r, _) = exec("x(?:a|ab)*$", &format!("x{}", "ab".repeat(50_000)));
    assert_eq!(r.map(|(i, _)| i), Some(0));
}
