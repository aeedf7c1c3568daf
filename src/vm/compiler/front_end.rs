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
//! backed), on a worker thread. Nesting too deep for the code generator is
//! then reported by its own stack check as a RangeError.
//!
//! oxc cannot be interrupted either, so a long source (1 MiB or more) is
//! parsed on such a worker too. The worker owns a copy of the text and its
//! own arena, while the caller serves termination and interrupt requests.
//! When the caller is terminated it stops waiting, and the worker finishes
//! alone and frees everything; otherwise the worker hands over its results
//! and keeps them alive, untouched, until the caller has compiled them.

use std::sync::mpsc;
use std::time::Duration;

use oxc_allocator::Allocator;
use oxc_ast::ast::Program;
use oxc_parser::{ParseOptions, Parser};
use oxc_semantic::{Semantic, SemanticBuilder};
use oxc_span::SourceType;

use super::parse_arena::{ParseArena, catch_exhaustion};
use super::{CompileError, Res, syntax_error};
use crate::vm::isolate::Vm;
use crate::vm::runtime::native_stack::{self, Worker};

/// Native stack the front end may use per token. The worst input measured
/// (50 shapes of nesting: brackets, prefix operators, keywords, arrows,
/// templates, patterns, classes, statements) is an unclosed run of `[` or
/// `(`: 1.6 KiB per token in a release build (parser frames for every
/// precedence level); this leaves a 2.5x margin. Unoptimised builds have far
/// larger frames.
const STACK_PER_TOKEN: usize = if cfg!(debug_assertions) { 32 << 10 } else { 4 << 10 };
/// Stack for the front end's fixed frames, whatever the source.
const STACK_BASE: usize = 256 << 10;

/// Sources at least this long are parsed on a worker thread while the
/// caller polls for termination (oxc parses about 1 MiB in 10 ms).
const PARSE_ON_WORKER_FROM: usize = 1 << 20;
/// How often the caller of a worker parse polls for termination.
const WORKER_POLL: Duration = Duration::from_millis(2);

/// The parsed program and its semantic analysis, lent by
/// [`FrontEnd::parts`] for no longer than the FrontEnd lives.
pub(crate) struct FrontEnd<'a>(Parsed<'a>);

enum Parsed<'a> {
    /// Parsed on this thread (or on a helper it waited for) into the
    /// caller's arena.
    Local(&'a Program<'a>, Box<Semantic<'a>>),
    /// Parsed on a worker, which keeps its arena and these values alive and
    /// untouched until `_worker` is dropped.
    Remote { program: &'a Program<'a>, semantic: &'a Semantic<'a>, _worker: HeldWorker },
}

impl FrontEnd<'_> {
    /// The program and its analysis.
    pub(crate) fn parts(&self) -> (&Program<'_>, &Semantic<'_>) {
        match &self.0 {
            Parsed::Local(program, semantic) => (program, &**semantic),
            Parsed::Remote { program, semantic, .. } => (program, semantic),
        }
    }
}

/// A worker that has handed over its results and waits for `release` to
/// close; dropping this closes it and leaves the worker to free the results
/// on its own thread.
struct HeldWorker {
    release: Option<mpsc::Sender<()>>,
    worker: Option<Worker>,
}

impl Drop for HeldWorker {
    fn drop(&mut self) {
        self.release.take();
        // Freeing a big arena and analysis takes a while (a third of a second
        // for 50 MB of source): the worker does it alone.
        if let Some(worker) = self.worker.take() {
            worker.detach();
        }
    }
}

/// What a worker sends its caller.
enum Handover {
    Parsed {
        program: SendPtr,
        semantic: SendPtr,
        release: mpsc::Sender<()>,
    },
    Failed(CompileError),
    /// Its arena ran out (see [`parse_and_analyze`]).
    Exhausted,
    Panicked(Box<dyn std::any::Any + Send>),
}

/// A pointer to a worker's results, sent to the caller.
struct SendPtr(*const ());
// SAFETY: the worker stops touching what it points to before sending it and
// until the caller closes the release channel; the caller is then its only
// user, and the channel orders every access of one thread before the other's.
unsafe impl Send for SendPtr {}

/// Parses `text` as a script and builds its scopes, symbols and early errors,
/// into `arena` or, on a worker, into one of the same capacity. None if that
/// arena is too small for the program. Returns early with
/// [`CompileErrorKind::Stopped`](super::CompileErrorKind) when termination is
/// requested while a long source is parsed.
pub(crate) fn parse_and_analyze<'a>(vm: &mut Vm, arena: &'a ParseArena, text: &'a str) -> Res<Option<FrontEnd<'a>>> {
    // Counted in 1 MiB chunks with a poll between them: a full pass over a
    // huge source takes a while too.
    let mut tokens = 0usize;
    let mut in_word = false;
    for chunk in text.as_bytes().chunks(1 << 20) {
        vm.poll_requests().map_err(CompileError::stopped)?;
        tokens += count_tokens(chunk, &mut in_word);
    }
    let need = tokens.saturating_mul(STACK_PER_TOKEN).saturating_add(STACK_BASE);
    // Deep nesting can make oxc slow as well as deep (its speculative parse
    // of `(a=(a=(a=...` grows faster than quadratically), so whatever needs a
    // stack of its own is parsed where termination can reach the caller.
    if text.len() >= PARSE_ON_WORKER_FROM || need > crate::vm::isolate::native_stack_available() {
        return parse_on_worker(vm, text, need, arena.capacity().unwrap_or(usize::MAX));
    }
    match catch_exhaustion(|| front_end(arena.allocator(), text)) {
        Some(parsed) => parsed.map(|(program, semantic)| Some(FrontEnd(Parsed::Local(program, Box::new(semantic))))),
        None => Ok(None),
    }
}

fn cannot_reserve(need: usize, len: usize) -> CompileError {
    CompileError {
        kind: super::CompileErrorKind::RangeError,
        message: format!("Maximum call stack size exceeded (cannot reserve {} MiB of address space to parse {len} bytes of source)", need >> 20),
        offset: 0,
    }
}

/// Runs the front end on a worker with a `need`-byte stack and an arena of
/// `capacity` bytes, and waits for it, serving termination and interrupt
/// requests meanwhile.
fn parse_on_worker<'a>(vm: &mut Vm, text: &str, need: usize, capacity: usize) -> Res<Option<FrontEnd<'a>>> {
    let (to_caller, from_worker) = mpsc::sync_channel::<Handover>(1);
    let owned: Box<str> = text.into();
    let work = move || {
        let arena = ParseArena::bounded(None, capacity);
        let outcome = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| catch_exhaustion(|| front_end(arena.allocator(), &owned)))) {
            Ok(Some(outcome)) => outcome,
            Ok(None) => {
                let _ = to_caller.send(Handover::Exhausted);
                return;
            }
            Err(panic) => {
                let _ = to_caller.send(Handover::Panicked(panic));
                return;
            }
        };
        match &outcome {
            Ok((program, semantic)) => {
                let (release, released) = mpsc::channel::<()>();
                let handover = Handover::Parsed {
                    program: SendPtr(*program as *const Program<'_> as *const ()),
                    semantic: SendPtr(semantic as *const Semantic<'_> as *const ()),
                    release,
                };
                // Wait until the caller is done with the results (recv fails
                // once it closes the channel), unless it is gone already.
                if to_caller.send(handover).is_ok() {
                    let _ = released.recv();
                }
            }
            Err(e) => {
                let _ = to_caller.send(Handover::Failed(e.clone()));
            }
        }
        // The results, then the arena and the text, are freed here.
    };
    let worker = native_stack::spawn_on_fresh_stack(need, work).ok_or_else(|| cannot_reserve(need, text.len()))?;
    loop {
        match from_worker.recv_timeout(WORKER_POLL) {
            Ok(Handover::Parsed { program, semantic, release }) => {
                // SAFETY: the worker built these in its arena from its copy of
                // the text, sent them, and now blocks until `release` closes,
                // which HeldWorker does before joining it; FrontEnd::parts
                // lends them for no longer than the FrontEnd lives.
                let (program, semantic) = unsafe { (&*(program.0 as *const Program<'a>), &*(semantic.0 as *const Semantic<'a>)) };
                let held = HeldWorker { release: Some(release), worker: Some(worker) };
                return Ok(Some(FrontEnd(Parsed::Remote { program, semantic, _worker: held })));
            }
            Ok(Handover::Failed(e)) => {
                worker.join();
                return Err(e);
            }
            Ok(Handover::Exhausted) => {
                // The worker unmaps its arena as it ends; do not wait for that.
                worker.detach();
                return Ok(None);
            }
            Ok(Handover::Panicked(panic)) => {
                worker.join();
                std::panic::resume_unwind(panic);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(unwind) = vm.poll_requests() {
                    // Dropping `from_worker` tells the worker nobody waits.
                    worker.detach();
                    return Err(CompileError::stopped(unwind));
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // The worker sends exactly one handover; ending without one
                // means its thread died.
                worker.join();
                return Err(CompileError { kind: super::CompileErrorKind::RangeError, message: "the parser thread ended without a result".into(), offset: 0 });
            }
        }
    }
}

/// An upper bound on the number of tokens in `text`, whatever the lexical
/// context: each ASCII punctuator byte counts one, each run of ASCII
/// identifier characters or digits one, each non-ASCII byte one (it may be
/// a separator, such as U+00A0), and ASCII whitespace nothing. Any token
/// holds a punctuator, a non-ASCII byte or a whole run of its own, so
/// mis-reading a regexp, string or comment can only over-count.
#[cfg(test)]
pub(crate) fn token_bound(text: &str) -> usize {
    count_tokens(text.as_bytes(), &mut false)
}

/// [`token_bound`] of a piece of the text, `in_word` carrying whether the
/// piece before ended inside a run of identifier characters (the compiler
/// counts a long source piece by piece, polling between pieces).
fn count_tokens(bytes: &[u8], in_word: &mut bool) -> usize {
    let mut count = 0;
    for &b in bytes {
        let word = b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
        if word {
            count += usize::from(!*in_word);
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            count += 1;
        }
        *in_word = word;
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
