//! What the check page shows of an uploaded sheet: each row's (or, in the wide layout, each
//! cell's) outcome or error, the figure it replaces, and the names only proposed.

use std::collections::HashMap;

use super::{PayloadRow, RowChecks, RowResult};
use crate::plan::entry::Outcome;
use crate::plan::{fmt_num, names, number};

/// The result of checking an uploaded sheet.
pub(super) struct Checked {
    pub(super) file: String,
    pub(super) rows: Vec<CheckedRow>,
    /// Names in the sheet that match no metric exactly, each with the metric proposed for it
    /// (by [`names::closest`]): applied only when ticked.
    pub(super) proposals: Vec<(String, names::Proposal)>,
    pub(super) errors: usize,
    pub(super) changes: usize,
    /// Names the checked rows kept on the server, for the apply request.
    pub(super) token: String,
}

pub(super) struct CheckedRow {
    pub(super) row: usize,
    /// The figure's cell (`F7`) in a wide sheet; empty in a long one.
    pub(super) cell: String,
    /// The metric proposed for a name that matched none exactly: `名称(代码)`.
    pub(super) proposed: String,
    pub(super) metric: String,
    pub(super) quarter: String,
    pub(super) value: String,
    pub(super) note: String,
    /// The figure stored now for the row's metric and quarter, if any.
    pub(super) before: Option<Before>,
    /// The figure the row would store, as it would be saved (`1,000` → `1000`); `None`
    /// unless the row adds or changes a figure.
    pub(super) after: Option<String>,
    /// The row changes only the note (or resubmits a returned figure) of an equal value.
    pub(super) same_value: bool,
    pub(super) outcome: String,
    pub(super) error: String,
}

/// A stored figure as the check page shows it beside the new one.
pub(super) struct Before {
    pub(super) value: String,
    /// 待审核, 已审核 or 已退回: an approved figure replaced goes back to review.
    pub(super) state: &'static str,
}

pub(super) fn summarise(file: String, rows: &[PayloadRow], checks: RowChecks, token: String) -> Checked {
    let by_row: HashMap<usize, RowResult> = checks.results.into_iter().collect();
    let mut errors = 0;
    let mut changes = 0;
    let mut proposals: Vec<(String, names::Proposal)> = Vec::new();
    let checked = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if let Some(p) = &r.proposal
                && !proposals.iter().any(|(name, _)| *name == r.metric)
            {
                proposals.push((r.metric.clone(), p.clone()));
            }
            let stored = checks.before.get(&i);
            // A row that adds or changes a figure passed the save path's parse: read it the same way.
            let new = match by_row.get(&i) {
                Some(Ok(Some(Outcome::Created | Outcome::Changed))) => Some(number::parse(&r.value)),
                _ => None,
            };
            let same_value = matches!((stored, &new), (Some(s), Some(Ok(v))) if s.value == *v);
            let after = new.map(|v| v.map_or_else(|_| r.value.clone(), fmt_num));
            let (outcome, error) = match by_row.get(&i) {
                Some(Ok(Some(o))) => {
                    if *o != Outcome::Unchanged {
                        changes += 1;
                    }
                    (o.label_zh().to_owned(), String::new())
                }
                Some(Ok(None)) => ("跳过(无数值)".to_owned(), String::new()),
                Some(Err(e)) => {
                    errors += 1;
                    ("错误".to_owned(), e.clone())
                }
                None => (String::new(), String::new()),
            };
            CheckedRow {
                row: r.row,
                cell: r.cell.clone(),
                proposed: r.proposal.as_ref().map(|p| format!("{}({})", p.name, p.key)).unwrap_or_default(),
                metric: r.metric.clone(),
                quarter: r.quarter.clone(),
                value: r.value.clone(),
                note: r.note.clone(),
                before: stored.map(|s| Before { value: fmt_num(s.value), state: s.status.label_zh() }),
                after,
                same_value,
                outcome,
                error,
            }
        })
        .collect();
    Checked { file, rows: checked, proposals, errors, changes, token }
}
