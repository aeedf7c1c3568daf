//! The linear-time matcher: a Pike VM (Thompson's construction simulated
//! with one thread per instruction, each carrying its capture slots) over a
//! program from [`super::compiler::compile_linear`]. Threads are kept in
//! priority order and the first to reach an instruction at a position wins,
//! so the answer is the backtracker's (leftmost, then the backtracker's
//! preference among alternatives and quantifiers), in time proportional to
//! the subject's length times the program's size. The builtins switch to it
//! when backtracking passes its budget.

use super::matcher::{MatchError, Subject, UNSET, accepts, assertion_holds, next_char, start_position};
use super::program::{Inst, Program};

/// Threads examined between two interrupt checks.
const INTERRUPT_INTERVAL: u32 = 1 << 14;

/// The threads at one position, in priority order: those waiting on a
/// character matcher or at Match, each with its capture slots. `seen`
/// marks every instruction some thread reached at this position (a sparse
/// set: clearing is O(1)).
struct Threads {
    pcs: Vec<u32>,
    caps: Vec<usize>,
    dense: Vec<u32>,
    sparse: Vec<u32>,
}

impl Threads {
    fn new(insts: usize) -> Threads {
        Threads { pcs: Vec::new(), caps: Vec::new(), dense: Vec::with_capacity(insts), sparse: vec![0; insts] }
    }

    fn clear(&mut self) {
        self.pcs.clear();
        self.caps.clear();
        self.dense.clear();
    }

    /// Marks `pc` as reached; false if it already was.
    fn visit(&mut self, pc: u32) -> bool {
        let i = self.sparse[pc as usize] as usize;
        if i < self.dense.len() && self.dense[i] == pc {
            return false;
        }
        self.sparse[pc as usize] = self.dense.len() as u32;
        self.dense.push(pc);
        true
    }
}

/// Work of the epsilon closure: an instruction to follow, or a capture
/// slot to restore once the branch that changed it is done.
enum Step {
    Explore(u32),
    Restore(u32, usize),
}

struct Pike<'a, S: Subject + ?Sized> {
    prog: &'a Program,
    s: &'a S,
    /// The capture slots of the path being followed.
    scratch: Vec<usize>,
    stack: Vec<Step>,
    steps: u32,
    interrupt: &'a mut dyn FnMut() -> bool,
}

/// Looks for a match of `prog` (a linear program) in `s` from code unit
/// `start` (only at `start` when `sticky`): the same answer as
/// [`super::matcher::exec`] on the pattern's backtracking program.
pub(crate) fn exec<S: Subject + ?Sized>(
    prog: &Program,
    s: &S,
    start: usize,
    sticky: bool,
    interrupt: &mut dyn FnMut() -> bool,
) -> Result<Option<Vec<usize>>, MatchError> {
    let len = s.len();
    let mut pos = start_position(s, prog.unicode, start);
    if pos > len {
        return Ok(None);
    }
    let start = pos;
    let nslots = prog.slots as usize;
    let mut p = Pike { prog, s, scratch: vec![UNSET; nslots], stack: Vec::new(), steps: 0, interrupt };
    let mut current = Threads::new(prog.insts.len());
    let mut next = Threads::new(prog.insts.len());
    let mut matched: Option<Vec<usize>> = None;
    loop {
        if matched.is_none() && (!sticky || pos == start) {
            if current.pcs.is_empty()
                && !sticky
                && let Some(first) = &prog.first
            {
                // No thread alive: skip to where a match can start. (The
                // list may still mark instructions reached at the old
                // position by paths that died: forget them.)
                match s.find_start(pos, first) {
                    Some(at) => pos = at,
                    None => return Ok(None),
                }
                current.clear();
            }
            // A new start, below every thread already running.
            p.scratch.fill(UNSET);
            p.add(&mut current, 0, pos)?;
        }
        if current.pcs.is_empty() && (matched.is_some() || sticky || pos >= len) {
            return Ok(matched);
        }
        let read = next_char(s, prog.unicode, pos);
        next.clear();
        for i in 0..current.pcs.len() {
            let pc = current.pcs[i];
            let inst = &prog.insts[pc as usize];
            if matches!(inst, Inst::Match) {
                // Threads after this one have lower priority: drop them.
                matched = Some(current.caps[i * nslots..(i + 1) * nslots].to_vec());
                break;
            }
            if let Some((c, after)) = read
                && accepts(prog, inst, c)
            {
                p.scratch.copy_from_slice(&current.caps[i * nslots..(i + 1) * nslots]);
                p.add(&mut next, pc + 1, after)?;
            }
        }
        std::mem::swap(&mut current, &mut next);
        match read {
            Some((_, after)) => pos = after,
            // The end of the subject: no thread can go on.
            None => return Ok(matched),
        }
    }
}

impl<S: Subject + ?Sized> Pike<'_, S> {
    /// Follows every path from `pc` at `pos` that consumes nothing, in
    /// priority order, starting from the slots in `scratch` (left as they
    /// were); adds a thread to `list` for each character matcher or Match
    /// reached first.
    fn add(&mut self, list: &mut Threads, pc: u32, pos: usize) -> Result<(), MatchError> {
        self.stack.push(Step::Explore(pc));
        while let Some(step) = self.stack.pop() {
            let mut pc = match step {
                Step::Restore(slot, old) => {
                    self.scratch[slot as usize] = old;
                    continue;
                }
                Step::Explore(pc) => pc,
            };
            loop {
                if !list.visit(pc) {
                    break;
                }
                self.steps = self.steps.wrapping_add(1);
                if self.steps.is_multiple_of(INTERRUPT_INTERVAL) && (self.interrupt)() {
                    self.stack.clear();
                    return Err(MatchError::Interrupted);
                }
                let inst = &self.prog.insts[pc as usize];
                match inst {
                    Inst::Char { .. } | Inst::Set { .. } | Inst::Dot { .. } | Inst::Any { .. } | Inst::Match => {
                        list.pcs.push(pc);
                        list.caps.extend_from_slice(&self.scratch);
                        break;
                    }
                    Inst::Save(slot) => {
                        self.stack.push(Step::Restore(*slot, self.scratch[*slot as usize]));
                        self.scratch[*slot as usize] = pos;
                        pc += 1;
                    }
                    Inst::ClearCaptures { from, to } => {
                        for slot in *from..*to {
                            let old = self.scratch[slot as usize];
                            if old != UNSET {
                                self.stack.push(Step::Restore(slot, old));
                                self.scratch[slot as usize] = UNSET;
                            }
                        }
                        pc += 1;
                    }
                    Inst::Split { alt } => {
                        self.stack.push(Step::Explore(*alt));
                        pc += 1;
                    }
                    Inst::Jump(target) => pc = *target,
                    _ => match assertion_holds(inst, self.s, pos) {
                        Some(true) => pc += 1,
                        // A failed assertion; or an instruction a linear
                        // program never holds (the compiler emits none).
                        _ => break,
                    },
                }
            }
        }
        Ok(())
    }
}
