//! Parsing and scope analysis (oxc) on a native stack big enough for the
//! source text, so no source, however deeply nested, overflows the stack.
//!
//! oxc's parser, its regular-expression parser and its semantic visitor
//! recurse once per nesting level and have no depth guard. Every recursion
//! cycle consumes at least one token (a recursive-descent parser that
//! recursed without consuming input would loop forever), and every AST level
//! the visitor descends stands for at least one token, so the stack they need
//! is bounded by `tokens * STACK_PER_TOKEN`, where [`token_bound`] is a cheap
//! over-estimate of the token count. When that bound
//! fits in what is left of the current thread's stack the front end runs in
//! place; otherwise it runs on a fresh stack of that size, reserved without
//! committing memory (only the pages a deep parse really touches are ever
//! backed), on a helper thread the caller waits for. Nesting too deep for the
//! code generator is then reported by its own stack check as a RangeError.

use oxc_allocator::Allocator;
use oxc_ast::ast::Program;
use oxc_parser::{ParseOptions, Parser};
use oxc_semantic::{Semantic, SemanticBuilder};
use oxc_span::SourceType;

use super::{CompileError, Res, syntax_error};

/// Native stack the front end may use per token. The worst input measured
/// (50 shapes of nesting: brackets, prefix operators, keywords, arrows,
/// templates, patterns, classes, statements) is an unclosed run of `[` or
/// `(`: 1.6 KiB per token in a release build (parser frames for every
/// precedence level); this leaves a 2.5x margin. Unoptimised builds have far
/// larger frames.
const STACK_PER_TOKEN: usize = if cfg!(debug_assertions) { 32 << 10 } else { 4 << 10 };
/// Stack for the front end's fixed frames, whatever the source.
const STACK_BASE: usize = 256 << 10;

/// Parses `text` as a script and builds its scopes, symbols and early errors.
pub(crate) fn parse_and_analyze<'a>(allocator: &'a Allocator, text: &'a str) -> Res<(&'a Program<'a>, Semantic<'a>)> {
    let need = token_bound(text).saturating_mul(STACK_PER_TOKEN).saturating_add(STACK_BASE);
    match crate::vm::runtime::native_stack::run_with_native_stack(need, || front_end(allocator, text)) {
        Some(result) => result,
        None => Err(CompileError {
            kind: super::CompileErrorKind::RangeError,
            message: format!("Maximum call stack size exceeded (cannot reserve {} MiB of address space to parse {} bytes of source)", need >> 20, text.len()),
            offset: 0,
        }),
    }
}

/// An upper bound on the number of tokens in `text`, whatever the lexical
/// context: each ASCII punctuator byte counts one, each run of ASCII
/// identifier characters or digits one, each non-ASCII byte one (it may be
/// a separator, such as U+00A0), and ASCII whitespace nothing. Any token
/// holds a punctuator, a non-ASCII byte or a whole run of its own, so
/// mis-reading a regexp, string or comment can only over-count.
pub(crate) fn token_bound(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for &b in text.as_bytes() {
        let word = b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
        if word {
            count += usize::from(!in_word);
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            count += 1;
        }
        in_word = word;
    }
    count
}

fn front_end<'a>(allocator: &'a Allocator, text: &'a str) -> Res<(&'a Program<'a>, Semantic<'a>)> {
    let options = ParseOptions { parse_regular_expression: true, ..ParseOptions::default() };
    let ret = Parser::new(allocator, text, SourceType::script()).with_options(options).parse();
    if let Some(d) = ret.diagnostics.errors().next() {
        return Err(syntax_error(d.message.to_string(), d.labels.first().map_or(0, |l| l.offset())));
    }
    if ret.panicked {
        return Err(syntax_error("Unexpected token", 0));
    }
    let program = allocator.alloc(ret.program);
    let sem = SemanticBuilder::new().with_check_syntax_error(true).with_build_nodes(true).build(program);
    if let Some(d) = sem.diagnostics.errors().next() {
        return Err(syntax_error(d.message.to_string(), d.labels.first().map_or(0, |l| l.offset())));
    }
    Ok((program, sem.semantic))
}
