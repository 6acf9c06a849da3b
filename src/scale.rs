//! Synthetic plans for load and scale tests (规模测试数据): many plans, many metrics, every
//! quarter reported and corrected, written through the same store functions as real figures
//! so every constraint and history trigger holds. Deterministic: no randomness, only a hash
//! of the metric key and quarter.
//!
//! Never for a real database: [`generate`] and [`fill_existing`] refuse a database holding
//! any figure of a plan that is not a `scale-` plan.

use std::fmt;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::plan::entry::Accepted;
use crate::plan::seed::{ChapterDef, MetricDef, PlanDef};
use crate::plan::{Direction, Kind, Metric, Quarter, Reported, Target};
use crate::{demo, store};

/// Every synthetic plan's key starts with this; the guard tells them from real plans by it.
pub const KEY_PREFIX: &str = "scale-";

/// Who the history names for synthetic entries and approvals.
const ENTERED_BY: &str = "规模测试-填报";
const APPROVED_BY: &str = "规模测试-审核";
const NOTE: &str = "规模测试数据";

/// How much synthetic data to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleSpec {
    /// Synthetic plans to create (`scale-district-01` …).
    pub plans: usize,
    /// Metrics per plan, spread over five chapters.
    pub metrics: usize,
    /// Quarters of approved figures per metric, from 2021Q1 (at most 20).
    pub quarters: usize,
    /// Extra corrections (entered and approved again) per figure, kept in the history.
    pub changes_per_value: usize,
}

impl Default for ScaleSpec {
    fn default() -> Self {
        Self { plans: 40, metrics: 50, quarters: 20, changes_per_value: 1 }
    }
}

/// What [`generate`] (or [`fill_existing`]) wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScaleReport {
    pub plans: usize,
    pub metrics: usize,
    /// Stored figures (one per metric and quarter).
    pub figures: usize,
    /// Rows the history triggers added to `value_history`.
    pub history_rows: usize,
    pub elapsed: Duration,
}

impl fmt::Display for ScaleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} 个规划,{} 个指标,{} 个季度数值,{} 条历史记录,用时 {:.2} 秒",
            self.plans,
            self.metrics,
            self.figures,
            self.history_rows,
            self.elapsed.as_secs_f64()
        )
    }
}

/// First and last day of every synthetic plan: 20 quarters.
fn period() -> (NaiveDate, NaiveDate) {
    (NaiveDate::from_ymd_opt(2021, 1, 1).expect("date"), NaiveDate::from_ymd_opt(2025, 12, 31).expect("date"))
}

/// Refuses a database that holds a figure of any plan that is not a synthetic one.
pub fn refuse_real_figures(conn: &Connection) -> Result<()> {
    refuse(store::synthetic::figures_outside(conn, KEY_PREFIX)?)
}

/// Refuses the database file at `path` if it holds real figures, reading it without
/// writing anything (not even a migration). A file that does not exist yet is fine.
pub fn refuse_real_database(path: &std::path::Path) -> Result<()> {
    refuse(store::synthetic::figures_outside_in_file(path, KEY_PREFIX)?)
}

fn refuse(real_figures: i64) -> Result<()> {
    if real_figures > 0 {
        return Err(Error::Refused(format!(
            "该数据库已有 {real_figures} 个真实规划的填报数值,不能写入规模测试数据:请用 --db 指定一个新的数据库文件"
        )));
    }
    Ok(())
}

/// Creates `spec.plans` synthetic plans with their figures and history, in one transaction.
pub fn generate(conn: &mut Connection, spec: &ScaleSpec) -> Result<ScaleReport> {
    let started = Instant::now();
    let (start, end) = period();
    let max_quarters = Quarter::range(Quarter::containing(start), Quarter::containing(end)).count();
    if spec.quarters > max_quarters {
        return Err(Error::BadRequest(format!("季度数 {} 超出规划期(最多 {max_quarters} 个季度)", spec.quarters)));
    }
    if spec.plans > 0 && spec.metrics == 0 {
        return Err(Error::BadRequest("每个规划至少需要 1 个指标".into()));
    }
    let mut report =
        store::synthetic::for_bulk_writes(conn, |conn| store::in_transaction(conn, |tx| generate_in(tx, spec)))?;
    report.elapsed = started.elapsed();
    Ok(report)
}

fn generate_in(tx: &rusqlite::Transaction, spec: &ScaleSpec) -> Result<ScaleReport> {
    {
        refuse_real_figures(tx)?;
        let history_before = store::synthetic::totals(tx)?.history;
        let mut report = ScaleReport::default();
        for n in 1..=spec.plans {
            let def = plan_def(n, spec.metrics);
            store::seed::load(tx, &def)?;
            let plan_id = store::synthetic::plan_id(tx, &def.key)?;
            let plan = store::plans::get(tx, plan_id)?;
            let metrics = store::plans::metrics(tx, plan_id)?;
            report.plans += 1;
            report.metrics += metrics.len();
            report.figures += write_figures(tx, &plan, &metrics, spec.quarters, spec.changes_per_value)?;
        }
        report.history_rows = store::synthetic::totals(tx)?.history - history_before;
        Ok(report)
    }
}

/// Fills every plan that is not synthetic (the real seed plans) with `quarters` quarters of
/// approved figures from its first quarter, in one transaction; refused like [`generate`].
pub fn fill_existing(conn: &mut Connection, quarters: usize, changes_per_value: usize) -> Result<ScaleReport> {
    let started = Instant::now();
    let mut report = store::in_transaction(conn, |tx| {
        refuse_real_figures(tx)?;
        let history_before = store::synthetic::totals(tx)?.history;
        let mut report = ScaleReport::default();
        for plan in store::plans::list(tx)?.into_iter().filter(|p| !p.key.starts_with(KEY_PREFIX)) {
            let metrics = store::plans::metrics(tx, plan.id)?;
            report.plans += 1;
            report.metrics += metrics.len();
            report.figures += write_figures(tx, &plan, &metrics, quarters, changes_per_value)?;
        }
        report.history_rows = store::synthetic::totals(tx)?.history - history_before;
        Ok(report)
    })?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Writes the figures of `metrics`, each as production does: entered, approved, and
/// `changes` times corrected and approved again. Returns the number of figures.
fn write_figures(
    conn: &Connection,
    plan: &crate::plan::Plan,
    metrics: &[Metric],
    quarters: usize,
    changes: usize,
) -> Result<usize> {
    let mut figures = 0;
    for m in metrics {
        let values = series(m, plan.period_start, plan.default_baseline_date(), plan.period_end, quarters);
        let quarters: Vec<Quarter> = values.iter().map(|v| v.quarter).collect();
        // Each of the metric's quarters at once, one statement per step: the triggers still
        // write each figure's history row by row.
        // Drafts furthest from the final figure first, so each correction is a change.
        for j in (1..=changes).rev() {
            let note = format!("{NOTE}(第 {} 次填报)", changes - j + 1);
            let drafts: Vec<Accepted> = values
                .iter()
                .map(|v| {
                    let (value, done) = draft(m, v.value, j);
                    Accepted { value, done, note: note.clone() }
                })
                .collect();
            let entries: Vec<(Quarter, &Accepted)> = quarters.iter().copied().zip(&drafts).collect();
            store::values::enter_many(conn, m.id, &entries, ENTERED_BY, "create")?;
            store::values::approve_many(conn, m.id, &quarters, APPROVED_BY)?;
        }
        let note = if changes > 0 { format!("{NOTE}(更正)") } else { NOTE.to_owned() };
        let finals: Vec<Accepted> =
            values.iter().map(|v| Accepted { value: v.value, done: v.done, note: note.clone() }).collect();
        let entries: Vec<(Quarter, &Accepted)> = quarters.iter().copied().zip(&finals).collect();
        store::values::enter_many(conn, m.id, &entries, ENTERED_BY, "create")?;
        store::values::approve_many(conn, m.id, &quarters, APPROVED_BY)?;
        figures += values.len();
    }
    Ok(figures)
}

/// The scale data's tuning of the demo's generator: its own paces and wobble, so that
/// neither set of figures moves when the other is tuned, and no level below zero.
const STYLE: demo::Style = demo::Style {
    paces: &[1.2, 1.02, 0.95, 0.75, 0.45],
    wobble: 0.08,
    wobble_by_quarter: true,
    context_drift: 0.008,
    context_wobble: 0.2,
    fallback_start: 10.0,
    never_negative: true,
    note: NOTE,
};

fn is_percent(unit: &str) -> bool {
    unit.contains('%')
}

/// Plausible approved figures of `m` for its plan's first `quarters` quarters, oldest first:
/// counts whole and never falling, percentages within 0–100, milestones in steps of 5 %.
/// Deterministic: a hash of the metric key and the quarter.
pub fn series(
    m: &Metric,
    period_start: NaiveDate,
    default_baseline: NaiveDate,
    default_target: NaiveDate,
    quarters: usize,
) -> Vec<Reported> {
    let period = Quarter::range(Quarter::containing(period_start), Quarter::containing(default_target));
    demo::series(m, &STYLE, default_baseline, default_target, period.take(quarters))
}

/// The `j`-th draft of a figure whose final value is `value`: wrong by `j` steps, always
/// different from the final value and from the other drafts.
fn draft(m: &Metric, value: f64, j: usize) -> (f64, Option<bool>) {
    let j = j as f64;
    match m.kind {
        Kind::Milestone => {
            let pct = if value >= 5.0 * j { value - 5.0 * j } else { value + 5.0 * j };
            (pct, Some(pct >= 100.0))
        }
        Kind::Count => (value + j, None),
        Kind::Level | Kind::Context => {
            let step = ((value.abs() * 0.02).max(0.1) * 10.0).round() / 10.0 * j;
            let up = value + step;
            (if is_percent(&m.unit) && up > 100.0 { value - step } else { up }, None)
        }
    }
}

/// A synthetic metric's shape: (key part, name, unit, kind, direction, baseline, target).
type Template = (&'static str, &'static str, &'static str, Kind, Direction, Option<f64>, Option<(f64, f64)>);

/// The mix of a real meteorology plan: levels both ways, counts with range targets,
/// milestones, context metrics, some without a baseline. The first three already differ.
const TEMPLATES: [Template; 12] = [
    ("warning-accuracy", "暴雨预警准确率", "分", Kind::Level, Direction::Higher, Some(81.2), Some((92.0, 92.0))),
    ("regional-stations", "新建区域自动气象站", "个", Kind::Count, Direction::Higher, Some(0.0), Some((3.0, 5.0))),
    ("warning-terminal-online-rate", "预警终端在线率", "%", Kind::Context, Direction::Higher, Some(94.7), None),
    ("grid-resolution", "智能网格预报分辨率", "公里", Kind::Level, Direction::Lower, Some(2.5), Some((1.0, 1.0))),
    ("warning-signals", "乡镇预警信号发布能力建设", "%", Kind::Milestone, Direction::Higher, Some(0.0), None),
    (
        "convection-lead-time",
        "强对流天气预警提前量",
        "分钟",
        Kind::Level,
        Direction::Higher,
        Some(37.0),
        Some((48.0, 48.0)),
    ),
    ("flood-points", "山洪灾害预警覆盖点", "个", Kind::Count, Direction::Higher, None, Some((160.0, 160.0))),
    ("update-interval", "短时临近预报更新间隔", "小时", Kind::Level, Direction::Lower, None, Some((1.0, 1.0))),
    ("research-projects", "气象科研项目", "项", Kind::Context, Direction::Higher, Some(16.0), None),
    ("senior-engineers", "正研级高级工程师", "名", Kind::Count, Direction::Higher, Some(0.0), Some((2.0, 3.0))),
    ("public-satisfaction", "公众气象服务满意度", "%", Kind::Level, Direction::Higher, Some(88.0), Some((92.0, 95.0))),
    (
        "disaster-loss-share",
        "气象灾害直接经济损失占GDP比重",
        "%",
        Kind::Level,
        Direction::Lower,
        Some(1.2),
        Some((0.8, 1.0)),
    ),
];

const CHAPTERS: [(&str, &str); 5] = [
    ("第一章 科技创新和人才队伍", "Science and talent"),
    ("第二章 综合气象观测", "Observation"),
    ("第三章 预报预警能力", "Forecasting and warning"),
    ("第四章 气象防灾减灾", "Disaster reduction"),
    ("第五章 公共气象服务", "Public services"),
];

/// Synthetic plan number `n` with `metrics` metrics, as a seed file would describe it.
fn plan_def(n: usize, metrics: usize) -> PlanDef {
    let (period_start, period_end) = period();
    let baseline_date = period_start.pred_opt().expect("date");
    let chapter_count = CHAPTERS.len().min(metrics).max(1);
    let mut chapters: Vec<ChapterDef> = CHAPTERS[..chapter_count]
        .iter()
        .map(|(title, en)| ChapterDef { title: (*title).into(), title_en: Some((*en).into()), metrics: Vec::new() })
        .collect();
    for i in 0..metrics {
        let (slug, name, unit, kind, direction, baseline, target) = TEMPLATES[i % TEMPLATES.len()];
        let round = i / TEMPLATES.len();
        let name = if round == 0 { name.to_owned() } else { format!("{name}(第{}组)", round + 1) };
        let target = target.map(|(low, high)| Target { low, high });
        let target_text = match target {
            Some(t) => format!("达到{t}{unit}"),
            None if kind == Kind::Milestone => "全面完成".to_owned(),
            None => "保持稳定".to_owned(),
        };
        chapters[i * chapter_count / metrics].metrics.push(MetricDef {
            key: format!("{KEY_PREFIX}{n:02}-{slug}-{:03}", i + 1),
            name: name.clone(),
            name_en: None,
            unit: unit.into(),
            kind,
            direction,
            baseline,
            baseline_date,
            target: if kind == Kind::Milestone { Some(Target::single(100.0)) } else { target },
            target_date: period_end,
            source: format!("到2025年,{name}{target_text}。"),
            notes: "规模测试用合成指标".into(),
            min: None,
            max: None,
            continues: None,
            retired: None,
            frequency: Default::default(),
        });
    }
    PlanDef {
        key: format!("{KEY_PREFIX}district-{n:02}"),
        title: format!("规模测试区{n}气象发展规划(第{n}号)"),
        issuer: format!("规模测试区{n}人民政府办公室"),
        document_number: format!("规测府办发〔2021〕{n}号"),
        issued_on: NaiveDate::from_ymd_opt(2021, 6, 30),
        period_start,
        period_end,
        midterm_on: NaiveDate::from_ymd_opt(2023, 6, 30),
        source: "规模测试用合成数据,不是真实规划".into(),
        chapters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrations;
    use crate::store::values::View;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrations::migrate(&mut conn).unwrap();
        conn
    }

    fn totals(conn: &Connection) -> store::synthetic::Totals {
        store::synthetic::totals(conn).unwrap()
    }

    #[test]
    fn a_tiny_spec_writes_exactly_its_rows() {
        let mut conn = db();
        let spec = ScaleSpec { plans: 2, metrics: 3, quarters: 4, changes_per_value: 1 };
        let r = generate(&mut conn, &spec).unwrap();
        assert_eq!((r.plans, r.metrics, r.figures), (2, 6, 24));
        // Each figure: entered and approved, then corrected and approved again.
        assert_eq!(r.history_rows, 24 * 4);
        let t = totals(&conn);
        assert_eq!(t.plans, 2);
        assert_eq!(t.metrics, 6);
        assert_eq!(t.figures, 24);
        assert_eq!(t.history, 96);
        assert_eq!(t.unapproved, 0);

        for plan in store::plans::list(&conn).unwrap() {
            assert!(plan.key.starts_with("scale-district-"));
            let snap = store::plans::snapshot(&conn, plan.id, View::Approved).unwrap();
            assert_eq!(snap.metrics.len(), 3);
            assert_eq!(snap.chapters.len(), 3);
            let kinds: Vec<Kind> = snap.metrics.iter().map(|m| m.kind).collect();
            assert_eq!(kinds, [Kind::Level, Kind::Count, Kind::Context]);
            for m in &snap.metrics {
                let quarters: Vec<String> = snap.values_of(m.id).iter().map(|v| v.quarter.to_string()).collect();
                assert_eq!(quarters, ["2021Q1", "2021Q2", "2021Q3", "2021Q4"], "{}", m.key);
                // The approved figure is the corrected one, not the draft.
                assert!(snap.values_of(m.id).iter().all(|v| v.note.ends_with("(更正)")));
            }
        }
    }

    #[test]
    fn the_same_spec_gives_the_same_figures() {
        let spec = ScaleSpec { plans: 1, metrics: 12, quarters: 20, changes_per_value: 0 };
        let figures = |conn: &Connection| store::values::of_plan(conn, 1, View::Approved).unwrap();
        let (mut a, mut b) = (db(), db());
        let r = generate(&mut a, &spec).unwrap();
        generate(&mut b, &spec).unwrap();
        assert_eq!(r.history_rows, 12 * 20 * 2);
        assert_eq!(figures(&a), figures(&b));
    }

    #[test]
    fn figures_keep_the_entry_rules() {
        let mut conn = db();
        generate(&mut conn, &ScaleSpec { plans: 1, metrics: 24, quarters: 20, changes_per_value: 2 }).unwrap();
        let snap = store::plans::snapshot(&conn, 1, View::Approved).unwrap();
        for m in &snap.metrics {
            let values = snap.values_of(m.id);
            assert_eq!(values.len(), 20);
            for v in values {
                assert!(v.value >= 0.0, "{} {}", m.key, v.value);
                if is_percent(&m.unit) {
                    assert!(v.value <= 100.0, "{} {}", m.key, v.value);
                }
            }
            if m.kind == Kind::Count {
                assert!(values.windows(2).all(|w| w[1].value >= w[0].value && w[1].value.fract() == 0.0));
            }
        }
    }

    #[test]
    fn a_database_with_real_figures_is_refused_and_left_alone() {
        let mut conn = db();
        let real = crate::store::seed::parse_all(&crate::store::seed::embedded()).unwrap();
        crate::store::seed::load_all(&mut conn, &real).unwrap();
        let m = store::plans::metric_by_key(&conn, "severe-convection-warning-lead-time").unwrap();
        let v = Reported {
            quarter: "2021Q1".parse().unwrap(),
            value: 38.0,
            done: None,
            note: String::new(),
            pending: false,
        };
        store::values::put_approved(&conn, m.id, &v, "t", "create").unwrap();
        let plans = totals(&conn).plans;
        let err = generate(&mut conn, &ScaleSpec { plans: 1, metrics: 2, quarters: 1, changes_per_value: 0 });
        assert!(matches!(err, Err(Error::Refused(_))));
        assert!(matches!(fill_existing(&mut conn, 4, 0), Err(Error::Refused(_))));
        assert_eq!(totals(&conn).plans, plans);
        assert_eq!(totals(&conn).figures, 1);
    }

    #[test]
    fn fill_existing_reports_the_real_plans_only() {
        let mut conn = db();
        let real = crate::store::seed::parse_all(&crate::store::seed::embedded()).unwrap();
        crate::store::seed::load_all(&mut conn, &real).unwrap();
        generate(&mut conn, &ScaleSpec { plans: 1, metrics: 2, quarters: 2, changes_per_value: 0 }).unwrap();
        let r = fill_existing(&mut conn, 20, 0).unwrap();
        assert_eq!(r.plans, 1);
        assert_eq!(r.figures, r.metrics * 20);
        assert_eq!(totals(&conn).figures, 4 + r.figures);
    }

    #[test]
    fn too_many_quarters_are_refused() {
        let mut conn = db();
        let err = generate(&mut conn, &ScaleSpec { quarters: 21, ..ScaleSpec::default() });
        assert!(matches!(err, Err(Error::BadRequest(_))));
        assert_eq!(totals(&conn).plans, 0);
    }
}
