//! One sentence of assessment per metric, in Chinese, generated from its figures, e.g.
//! "较基期提高8分钟,完成目标进度73%,快于时序进度(50%);按当前趋势预计2024年第三季度达标。"

use crate::plan::progress::{Assessment, NoProjection, NotApplicable, Status};
use crate::plan::{Kind, Metric, Reported, fmt_num};

/// Progress within half a percentage point of the expected counts as level with it.
const LEVEL: f64 = 0.005;

/// The assessment sentence for `m` as assessed in `a`. A stale figure (数据滞后) is named
/// with its quarter before anything is said on it.
pub fn sentence(m: &Metric, a: &Assessment) -> String {
    let Some(latest) = &a.latest else {
        return "暂无已审核数据。".into();
    };
    let body = body(m, a, latest);
    if a.is_stale() {
        format!("数据滞后(最新已审核数据为{}):{body}", latest.quarter.label_zh())
    } else {
        body
    }
}

fn body(m: &Metric, a: &Assessment, latest: &Reported) -> String {
    if m.kind == Kind::Milestone {
        return milestone(a, latest.done == Some(true), latest.value);
    }
    let change = change(m, a, latest.value);
    if m.kind == Kind::Context {
        return match (a.projection, a.forecast()) {
            (Some(_), Some(v)) => format!("{change}(参考指标,不设目标);按当前趋势期末约为{}{}。", fmt_num(v), unit(m)),
            // The period is over: the figures say where it ended.
            (Some(_), None) => format!("{change}(参考指标,不设目标)。"),
            (None, _) => format!("{change}(参考指标,不设目标);数据不足,暂无法判断趋势。"),
        };
    }
    let progress = match a.progress {
        Ok(p) => {
            let pace = match a.expected {
                Some(e) if p >= e + LEVEL => format!(",快于时序进度({})", pct(e)),
                Some(e) if p <= e - LEVEL => format!(",慢于时序进度({})", pct(e)),
                Some(e) => format!(",与时序进度持平({})", pct(e)),
                None => String::new(),
            };
            format!("完成目标进度{}{pace}", pct(p))
        }
        Err(NotApplicable::TargetEqualsBaseline) => "未保持基期水平".into(),
        Err(na) => na.reason_zh().into(),
    };
    let outlook = match (a.status, a.reach()) {
        (Status::Achieved, Some(q)) if a.exceeded => format!("已于{}达标,并超额完成", q.label_zh()),
        (Status::Achieved, _) if a.exceeded => "已达标,并超额完成".into(),
        (Status::Achieved, Some(q)) => format!("已于{}达标", q.label_zh()),
        (Status::Achieved, None) => "已达标".into(),
        (_, Some(q)) if q.end() > a.target_date => format!("按当前趋势预计{}达标,晚于目标期限", q.label_zh()),
        (_, Some(q)) => format!("按当前趋势预计{}达标", q.label_zh()),
        (_, None) => match (a.projection, a.forecast()) {
            (Some(_), Some(v)) => format!("按当前趋势期末约为{}{},难以达标", fmt_num(v), unit(m)),
            (Some(_), None) => "按当前趋势难以达标".into(),
            (None, _) => a.projection_na.unwrap_or(NoProjection::TooFewFigures).reason_zh().into(),
        },
    };
    format!("{change},{progress};{outlook}。")
}

fn milestone(a: &Assessment, done: bool, percent: f64) -> String {
    if done {
        return "已完成。".into();
    }
    let pace = match a.expected {
        Some(e) if percent / 100.0 >= e + LEVEL => format!(",快于时序进度({})", pct(e)),
        Some(e) if percent / 100.0 <= e - LEVEL => format!(",慢于时序进度({})", pct(e)),
        Some(e) => format!(",与时序进度持平({})", pct(e)),
        None => String::new(),
    };
    let outlook = match (a.reach(), a.projection) {
        (Some(q), _) => format!("按当前进度预计{}完成", q.label_zh()),
        (None, Some(_)) => "按当前进度难以按期完成".into(),
        // One figure is no pace.
        (None, None) => "数据不足,暂无法预测进度".into(),
    };
    format!("已完成{}%{pace};{outlook}。", fmt_num(percent))
}

/// "较基期提高8分钟": the change from the baseline in use, in the metric's unit.
fn change(m: &Metric, a: &Assessment, latest: f64) -> String {
    let Some(b) = a.baseline else {
        return format!("最新值{}{}", fmt_num(latest), unit(m));
    };
    let from = if b.from_report { "较首次报告值" } else { "较基期" };
    let delta = latest - b.value;
    let size = format!("{}{}", fmt_num(delta.abs()), delta_unit(m));
    if delta.abs() < 1e-9 {
        format!("与{}持平", &from["较".len()..])
    } else if delta > 0.0 {
        format!("{from}提高{size}")
    } else {
        format!("{from}降低{size}")
    }
}

/// A difference of percentages is in percentage points.
fn delta_unit(m: &Metric) -> String {
    if m.unit == "%" { "个百分点".into() } else { unit(m) }
}

fn unit(m: &Metric) -> String {
    m.unit.clone()
}

fn pct(p: f64) -> String {
    format!("{}%", fmt_num((p * 100.0).round()))
}
