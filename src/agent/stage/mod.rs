//! The stages of a run and the verdicts between them, each acting on [`super::run::Run`]:
//! - `reproduce`: write a test that shows the bug when the project's tests miss it (`pooled`:
//!   candidates that fail on no value the issue states, kept together until a change tells);
//! - `cases`: the issue's own cases as tests cria writes itself (for `reproduce` and `accept`;
//!   `probed`: a case stated in prose, put to the functions the failing tests ran);
//! - `edit`: act on one reply — edits, tool calls, or nothing usable;
//! - `mutate`: before the first rewrite, try the one-token changes to the suspects;
//! - `rewrite`: ask for one whole corrected definition and put it in place;
//! - `judge`: run the tests on an applied edit, keep it, combine it, or revert it (`imported`:
//!   with the import it forgot added first);
//! - `lift`: a passing edit that special-cases a table's key, tried as the table's entry instead;
//! - `accept`: before "fixed", check the issue's own examples (`asked`: the model's test of them;
//!   `corrected`: its expected value put right).
//!
//! Which stage runs next is decided in [`super::session`] only.

mod accept;
mod asked;
mod cases;
mod corrected;
mod edit;
mod imported;
mod judge;
mod lift;
mod mutate;
mod pooled;
mod probed;
mod reproduce;
mod rewrite;

pub(super) use accept::OtherCases;
pub(super) use pooled::Pool;
