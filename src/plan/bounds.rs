//! What a figure can be, and what it is unlikely to be. One set of rules for every way a
//! figure comes in (form, API, sheet) and every place it is shown.
//!
//! - **Hard bounds** refuse a figure: a percentage or a score (分) outside 0–100, a
//!   milestone outside 0–100 % complete, more than 366 days in a year, a negative count or
//!   a negative amount of time, distance, bandwidth or things, a fraction of a thing that
//!   is counted whole (1.5 套), and a metric's own `min`/`max` from its seed file, which
//!   take precedence over the unit's (a score out of 120 says `max = 120`).
//! - **Soft flags** mark a figure that may be true but is surprising. A flagged figure is
//!   saved only with a note, and its flags are shown wherever it is reviewed. See [`flags`].

use serde::Serialize;

use super::progress::effective_target;
use super::{Direction, Kind, Metric, Quarter, fmt_num};

/// Units of things counted one by one: a figure in them is a whole number.
const WHOLE_UNITS: [&str; 22] = [
    "个", "名", "人", "套", "项", "家", "座", "部", "台", "处", "站", "所", "条", "类", "次", "块", "辆", "门", "间",
    "支", "户", "件",
];
/// Units of amounts that cannot be negative: time, distance, area, bandwidth, money, mass.
const NON_NEGATIVE_UNITS: [&str; 20] = [
    "秒",
    "分钟",
    "小时",
    "天",
    "日",
    "月",
    "年",
    "米",
    "公里",
    "千米",
    "平方公里",
    "公顷",
    "亩",
    "Mbps",
    "Gbps",
    "元",
    "万元",
    "亿元",
    "吨",
    "万吨",
];

/// Whether `unit` is a percentage (not a change in percentage points, which may be negative).
pub fn is_percent(unit: &str) -> bool {
    (unit.contains('%') || unit.contains('％') || unit == "百分比") && !unit.contains("百分点")
}

/// One end of a metric's range, with the reason it is there.
pub type Limit = Option<(f64, &'static str)>;

/// The range a metric's figures must lie in.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    pub min: Limit,
    pub max: Limit,
    /// Counted one by one: no fractions.
    pub whole: bool,
}

impl Bounds {
    /// `value` kept within the bounds (and whole if counted whole): what a projection may
    /// say the metric will be.
    pub fn clamp(&self, value: f64) -> f64 {
        let mut v = value;
        if let Some((min, _)) = self.min {
            v = v.max(min);
        }
        if let Some((max, _)) = self.max {
            v = v.min(max);
        }
        if self.whole { v.round() } else { v }
    }

    /// Why `value` cannot be true, in Chinese; `None` when it can.
    pub fn refusal(&self, value: f64) -> Option<String> {
        if !value.is_finite() {
            return Some("数值无效".into());
        }
        let below = self.min.filter(|(min, _)| value < *min);
        let above = self.max.filter(|(max, _)| value > *max);
        if let Some((_, why)) = below.or(above) {
            let range = match (self.min, self.max) {
                (Some((lo, _)), Some((hi, _))) => format!("取值范围为 {} 到 {}", fmt_num(lo), fmt_num(hi)),
                (Some((lo, _)), None) => format!("不能小于 {}", fmt_num(lo)),
                (None, Some((hi, _))) => format!("不能大于 {}", fmt_num(hi)),
                (None, None) => unreachable!("a bound was passed"),
            };
            return Some(format!("{} 不可能成立:本指标{range}({why})", fmt_num(value)));
        }
        if self.whole && value.fract() != 0.0 {
            return Some(format!("{} 不是整数:本指标按整数计数", fmt_num(value)));
        }
        None
    }
}

/// The bounds of `m`: its own `min`/`max` where set, else what its unit and kind allow.
pub fn bounds(m: &Metric) -> Bounds {
    bounds_for(&m.unit, m.kind, m.min, m.max)
}

/// [`bounds`] of a metric not stored yet (a seed's, a form's, a proposal's row), from the
/// only fields the rules read: unit, kind and the plan's own `min`/`max`.
pub fn bounds_for(unit: &str, kind: Kind, own_min: Option<f64>, own_max: Option<f64>) -> Bounds {
    let unit = unit.trim();
    let (mut min, mut max): (Limit, Limit) = match kind {
        Kind::Milestone => (Some((0.0, "完成百分比")), Some((100.0, "完成百分比"))),
        _ if is_percent(unit) => (Some((0.0, "百分比")), Some((100.0, "百分比"))),
        _ if unit == "分" => (Some((0.0, "百分制评分")), Some((100.0, "百分制评分"))),
        _ if unit == "天" || unit == "日" => (Some((0.0, "天数不能为负")), Some((366.0, "一年最多 366 天"))),
        Kind::Count => (Some((0.0, "累计数不能为负")), None),
        _ if NON_NEGATIVE_UNITS.contains(&unit) || WHOLE_UNITS.contains(&unit) => (Some((0.0, "数量不能为负")), None),
        _ => (None, None),
    };
    if let Some(v) = own_min {
        min = Some((v, "规划设定的下限"));
    }
    if let Some(v) = own_max {
        max = Some((v, "规划设定的上限"));
    }
    // Counts and reference totals of things (16 项) are whole; a level in 个 may be an average.
    let whole = matches!(kind, Kind::Count | Kind::Context) && WHOLE_UNITS.contains(&unit);
    Bounds { min, max, whole }
}

/// A surprising figure, by a stable code (`"jump"`, `"away_from_target"`,
/// `"beyond_twice_target"`) that the API and sheets carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// Changed far more than the metric usually changes in a quarter.
    Jump,
    /// A level moved away from its target by more than it ever moved before.
    AwayFromTarget,
    /// More than twice the target (or, lower being better, twice the larger of baseline and target).
    BeyondTwiceTarget,
}

impl FlagKind {
    pub fn code(self) -> &'static str {
        match self {
            FlagKind::Jump => "jump",
            FlagKind::AwayFromTarget => "away_from_target",
            FlagKind::BeyondTwiceTarget => "beyond_twice_target",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            FlagKind::Jump => "变化异常大",
            FlagKind::AwayFromTarget => "背离目标",
            FlagKind::BeyondTwiceTarget => "超过目标两倍",
        }
    }
}

/// One flag on a figure, with what made it surprising.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    pub code: FlagKind,
    pub message: String,
}

/// How many times the usual quarterly change a change must exceed to be a jump.
pub const JUMP_FACTOR: f64 = 4.0;
/// A change smaller than this share of the distance from baseline to target is never a jump.
pub const JUMP_FLOOR_SHARE: f64 = 0.1;

/// The soft checks on `value` for quarter `q` of `m`, against the figures reported for
/// earlier quarters (`earlier`, any order; only those before `q` count):
///
/// - **jump**: the change from the previous figure (the baseline when there is none) is
///   more than [`JUMP_FACTOR`] × the usual change per quarter × the quarters in between,
///   and more than [`JUMP_FLOOR_SHARE`] of the distance from baseline to target. The usual
///   change is the median of the earlier changes per quarter (baseline included) when there
///   are at least two; with fewer, a change larger than twice the whole distance from
///   baseline to target is a jump.
/// - **away_from_target**: a level (not a count, milestone or reference metric) moves
///   away from its target by more than the largest change before it, with at least one
///   change before it.
/// - **beyond_twice_target**: a count or level above twice its target (its upper end);
///   lower being better, above twice the larger of baseline and target.
pub fn flags(m: &Metric, earlier: &[(Quarter, f64)], q: Quarter, value: f64) -> Vec<Flag> {
    let mut out = Vec::new();
    if m.kind == Kind::Milestone {
        return out;
    }
    let target = effective_target(m);
    let goal = target.map(|t| t.met_at(m.direction));
    let mut series: Vec<(i64, f64)> = Vec::new();
    if let Some(b) = m.baseline {
        // The baseline stands one quarter before the first figure it is compared with.
        series.push((i64::MIN, b));
    }
    let mut before: Vec<(Quarter, f64)> = earlier.iter().copied().filter(|(eq, _)| *eq < q).collect();
    before.sort_by_key(|(eq, _)| *eq);
    series.extend(before.iter().map(|(eq, v)| (quarter_index(*eq), *v)));
    let steps: Vec<(f64, f64)> = series
        .windows(2)
        .map(|w| {
            let gap = if w[0].0 == i64::MIN { 1 } else { (w[1].0 - w[0].0).max(1) };
            (w[1].1 - w[0].1, gap as f64)
        })
        .collect();
    let span = match (goal, m.baseline) {
        (Some(g), Some(b)) => (g - b).abs(),
        (Some(g), None) => g.abs(),
        _ => 0.0,
    };
    let Some(&(prev_at, prev)) = series.last() else { return out };
    let gap = if prev_at == i64::MIN { 1.0 } else { (quarter_index(q) - prev_at).max(1) as f64 };
    let change = value - prev;
    let prev_text = match before.last() {
        Some((pq, _)) => format!("{} 的 {}", pq.label_zh(), fmt_num(prev)),
        None => format!("基期值 {}", fmt_num(prev)),
    };

    let jump = if steps.len() >= 2 {
        let mut per_quarter: Vec<f64> = steps.iter().map(|(d, g)| d.abs() / g).collect();
        per_quarter.sort_by(f64::total_cmp);
        let usual = per_quarter[per_quarter.len() / 2];
        let limit = (JUMP_FACTOR * usual * gap).max(JUMP_FLOOR_SHARE * span);
        (limit > 0.0 && change.abs() > limit).then(|| format!("通常每季度变化约 {}", fmt_num(usual)))
    } else {
        (span > 0.0 && change.abs() > 2.0 * span).then(|| format!("超过基期到目标全部差距 {} 的两倍", fmt_num(span)))
    };
    if let Some(why) = jump {
        out.push(Flag { code: FlagKind::Jump, message: format!("较{prev_text}变化 {},{why}", signed(change)) });
    }

    if m.kind == Kind::Level
        && goal.is_some()
        && let Some(largest) = steps.iter().map(|(d, _)| d.abs()).reduce(f64::max)
        && m.direction.sign() * change < 0.0
        && change.abs() > largest
    {
        out.push(Flag {
            code: FlagKind::AwayFromTarget,
            message: format!(
                "较{prev_text}向背离目标的方向变化 {},超过此前最大的一次变化 {}",
                signed(change),
                fmt_num(largest)
            ),
        });
    }

    if matches!(m.kind, Kind::Count | Kind::Level)
        && let Some(t) = target
    {
        let reference = match m.direction {
            Direction::Higher => t.high,
            Direction::Lower => t.high.max(m.baseline.unwrap_or(t.high)),
        };
        if reference > 0.0 && value > 2.0 * reference {
            let what = match m.direction {
                Direction::Higher => format!("目标值 {}", t),
                Direction::Lower => format!("基期值与目标值中较大者 {}", fmt_num(reference)),
            };
            out.push(Flag {
                code: FlagKind::BeyondTwiceTarget,
                message: format!("{} 超过{what}的两倍", fmt_num(value)),
            });
        }
    }
    out
}

fn quarter_index(q: Quarter) -> i64 {
    i64::from(q.year()) * 4 + i64::from(q.number())
}

fn signed(v: f64) -> String {
    if v > 0.0 { format!("+{}", fmt_num(v)) } else { fmt_num(v) }
}

#[cfg(test)]
mod tests;
