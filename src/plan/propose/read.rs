//! Reading a plan's body: each sentence's figures become targets, or, where the text tells
//! what the previous period achieved, reference figures and baselines.

use chrono::{Datelike, NaiveDate};

use super::names::{likeness, name};
use super::numbers::{Figure, is_counter, scan};
use super::sections::{clauses, heading, is_review, sentences};
use super::words::{counts_from_zero, direction, is_past, ordinal_year, target_year};
use super::{Header, Proposed};
use crate::plan::{Direction, Kind, Target};

/// A proposal on its way: what else the rules need to know of it.
struct Found {
    p: Proposed,
    /// Read from the review of the previous period (or a sentence about what is done).
    past: bool,
    /// The text said which way is better, rather than the rules assuming higher.
    said_direction: bool,
    used: bool,
}

/// The ordinal (十四五) of the period starting in `start`, and of the one before.
fn ordinals(header: &Header) -> (Option<String>, Option<String>) {
    let Some(start) = header.period_start else { return (None, None) };
    let n = (start.year() - 1981).div_euclid(5) + 6;
    let name = |n: i32| -> Option<String> {
        let d = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
        (11..20).contains(&n).then(|| format!("十{}五", d[(n - 10) as usize]))
    };
    (name(n), name(n - 1))
}

fn dec31(y: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, 12, 31)
}

pub fn read(text: &str, header: &Header) -> Vec<Proposed> {
    let (this, previous) = ordinals(header);
    let start_year = header.period_start.map(|d| d.year());
    let review_date = header.period_start.and_then(|d| d.pred_opt());
    let mut found: Vec<Found> = Vec::new();
    let mut chapter = String::new();
    let mut review_level: Option<u8> = None;
    let mut section_year: Option<i32> = None;
    for line in text.lines() {
        if let Some((level, title)) = heading(line) {
            if level == 1 {
                chapter = title.clone();
            }
            if review_level.is_some_and(|r| level <= r) {
                review_level = None;
            }
            if is_review(&title, previous.as_deref()) {
                review_level = Some(level);
            }
            section_year = None;
            continue;
        }
        if review_level.is_none()
            && let Some(row) = super::table::row(line)
        {
            found.push(from_row(row, line.trim(), &chapter, section_year.and_then(dec31)));
            continue;
        }
        for s in sentences(line) {
            let own_year = target_year(s).or_else(|| ordinal_year(s, this.as_deref(), header.period_end));
            let earlier = own_year.zip(start_year).is_some_and(|(y, start)| y < start);
            if own_year.is_some() && !earlier {
                section_year = own_year;
            }
            let past = review_level.is_some() || earlier || is_past(s, previous.as_deref(), own_year.is_some());
            let at = Place {
                chapter: &chapter,
                past,
                target_date: if past { None } else { own_year.or(section_year).and_then(dec31) },
                baseline_date: if past { own_year.and_then(dec31).or(review_date) } else { None },
            };
            figures(s, &at, &mut found);
            if !past {
                others(s, &at, &mut found);
            }
        }
    }
    baselines(&mut found);
    let mut out: Vec<Proposed> = Vec::new();
    for f in found {
        if f.used && f.past {
            continue;
        }
        let same = |o: &Proposed| {
            o.chapter == f.p.chapter
                && o.kind == f.p.kind
                && o.unit == f.p.unit
                && o.target == f.p.target
                && (f.p.kind != Kind::Context || o.baseline == f.p.baseline)
                && likeness(&o.name, &f.p.name) >= 0.5
        };
        // The same target in a chapter's text and in its 专栏 box: the first is kept.
        if !out.iter().any(same) {
            out.push(f.p);
        }
    }
    out
}

/// A row of a table of indicators: its baseline is the previous period's end.
fn from_row(row: super::table::Row, line: &str, chapter: &str, target_date: Option<NaiveDate>) -> Found {
    let mut from = 0;
    let mut figures = Vec::new();
    for cell in &row.cells {
        if let Some(at) = line[from..].find(cell.as_str()) {
            figures.push(from + at..from + at + cell.len());
            from += at + cell.len();
        }
    }
    Found {
        p: Proposed {
            chapter: chapter.to_owned(),
            name: row.name,
            unit: row.unit,
            kind: row.kind,
            direction: row.direction,
            baseline: row.baseline,
            baseline_date: None,
            target: Some(row.target),
            target_date,
            source: line.to_owned(),
            figures,
        },
        past: false,
        said_direction: true,
        used: false,
    }
}

struct Place<'a> {
    chapter: &'a str,
    past: bool,
    target_date: Option<NaiveDate>,
    baseline_date: Option<NaiveDate>,
}

/// Each figure of `s` with a unit, as a target or (in the past) a reference figure.
fn figures(s: &str, at: &Place, found: &mut Vec<Found>) {
    let figs = scan(s);
    for c in clauses(s) {
        let in_clause: Vec<&Figure> = figs.iter().filter(|f| c.contains(&f.span.start)).collect();
        // A clause that names no subject (至2020年达339天) takes the one before it.
        let mut previous_name: Option<String> = clauses(s)
            .into_iter()
            .take_while(|p| p.end <= c.start)
            .last()
            .map(|p| name(&s[p], "", None))
            .filter(|n| n != "指标");
        let mut from: Option<&Figure> = None;
        for (k, f) in in_clause.iter().enumerate() {
            let lead_start = if k == 0 { c.start } else { in_clause[k - 1].span.end };
            let lead = &s[lead_start..f.span.start];
            let tail_end = in_clause.get(k + 1).map_or(c.end, |n| n.span.start).max(f.span.end);
            let tail = &s[f.span.end..tail_end];
            // 从60提升至300, 从90%提高3个百分点: the first figure is the second's baseline.
            if in_clause.get(k + 1).is_some_and(|n| {
                let between = &s[f.span.end..n.span.start];
                lead.trim_end().ends_with(['从', '由'])
                    && between.chars().count() <= 6
                    && ((between.contains('到') || between.contains('至')) && n.unit == f.unit
                        // 从90%提高3个百分点: the change is counted from the first.
                        || n.unit == "个百分点" && f.unit == "%")
            }) {
                from = Some(f);
                continue;
            }
            let full_lead = &s[c.start..f.span.start];
            let lead_for_name = if from.is_some() { &s[c.start..from.map_or(c.start, |f| f.span.start)] } else { lead };
            let nm = name(lead_for_name.trim_end_matches(['从', '由']), tail, previous_name.as_deref());
            previous_name = Some(nm.clone());
            let (dir, said) = direction(full_lead, f, &nm);
            let kind = if at.past {
                Kind::Context
            } else if is_counter(&f.unit) {
                Kind::Count
            } else {
                Kind::Level
            };
            if at.past && f.is_range() {
                continue;
            }
            // 缩短10分钟 from no stated start is the change itself, counted from 0; read as
            // a level it would set a target of 10 minutes. (个百分点 is mended in fix_up.)
            let change = (kind == Kind::Level && from.is_none() && f.unit != "个百分点" && !at.past)
                .then(|| super::words::change_by(lead))
                .flatten();
            let (nm, dir) = match change {
                Some(verb) => (format!("{nm}(较基期{verb}幅度)"), Direction::Higher),
                None => (nm, dir),
            };
            let mut spans = vec![f.span.clone()];
            let baseline = match from.take() {
                Some(b) => {
                    spans.insert(0, b.span.clone());
                    Some(b.low)
                }
                None if at.past => Some(f.low),
                None if change.is_some() => Some(0.0),
                None if kind == Kind::Count && counts_from_zero(full_lead, f) => Some(0.0),
                None => None,
            };
            found.push(Found {
                p: Proposed {
                    chapter: at.chapter.to_owned(),
                    name: nm,
                    unit: f.unit.clone(),
                    kind,
                    direction: dir,
                    baseline,
                    baseline_date: at.baseline_date,
                    target: (!at.past).then_some(Target { low: f.low, high: f.high }),
                    target_date: at.target_date,
                    source: s.to_owned(),
                    figures: spans,
                },
                past: at.past,
                said_direction: said,
                used: false,
            });
        }
    }
}

/// Facilities a list of names may end in: 古南、三角标准化炮站 are two 炮站.
const FACILITIES: [&str; 14] = [
    "炮站",
    "基地",
    "中心",
    "观测站",
    "气象站",
    "站",
    "园区",
    "水库",
    "电站",
    "馆",
    "展厅",
    "平台",
    "示范区",
    "示范点",
];

/// Targets a sentence states without a figure: a list of named facilities (a count), and
/// one named thing to build or finish (a milestone).
fn others(s: &str, at: &Place, found: &mut Vec<Found>) {
    for c in clauses(s) {
        let clause = &s[c.clone()];
        // A clause with a figure of its own was read as one (新建站30个,建成中心: the
        // centre is a milestone beside the count).
        if !scan(clause).is_empty() {
            continue;
        }
        if let Some((n, nm, span)) = listed(clause) {
            let span = c.start + span.start..c.start + span.end;
            found.push(target(at, s, nm, "个", Kind::Count, Some(Target::single(n as f64)), vec![span]));
        } else if let Some(nm) = milestone(clause) {
            found.push(target(at, s, nm, "%", Kind::Milestone, None, Vec::new()));
        }
    }
}

fn target(
    at: &Place,
    s: &str,
    name: String,
    unit: &str,
    kind: Kind,
    t: Option<Target>,
    figures: Vec<std::ops::Range<usize>>,
) -> Found {
    Found {
        p: Proposed {
            chapter: at.chapter.to_owned(),
            name,
            unit: unit.to_owned(),
            kind,
            direction: Direction::Higher,
            baseline: (kind == Kind::Milestone).then_some(0.0),
            baseline_date: None,
            target: t,
            target_date: at.target_date,
            source: s.to_owned(),
            figures,
        },
        past: false,
        said_direction: true,
        used: false,
    }
}

/// Verbs after which a list of names starts.
const LIST_VERBS: [&str; 9] = ["对", "发展", "改造", "建设", "推进", "完成", "建成", "实施", "新建"];

/// A list of two or more short names ending in a facility: `(how many, name, bytes)`.
fn listed(clause: &str) -> Option<(usize, String, std::ops::Range<usize>)> {
    let parts: Vec<&str> = clause.split('、').collect();
    if parts.len() < 2 || clause.contains('等') {
        return None;
    }
    let first = parts[0];
    let item_at = LIST_VERBS.iter().filter_map(|v| first.rfind(v).map(|at| at + v.len())).max()?;
    let item = &first[item_at..];
    let short = |p: &str| (1..=10).contains(&p.chars().count()) && !p.chars().any(|c| c.is_ascii_digit());
    // A shared head: no part but the last names a facility of its own.
    if parts[..parts.len() - 1].iter().any(|p| FACILITIES.iter().any(|f| p.contains(f))) {
        return None;
    }
    if !short(item) || !parts[1..parts.len() - 1].iter().all(|p| short(p)) {
        return None;
    }
    let last = parts[parts.len() - 1];
    let (at, noun) = FACILITIES.iter().filter_map(|f| last.find(f).map(|at| (at, *f))).min_by_key(|(at, _)| *at)?;
    let head = &last[..at + noun.len()];
    if head.chars().count() > 18 {
        return None;
    }
    let extra = head.matches('和').count();
    let start = clause.len() - clause[item_at..].len();
    let end = clause.len() - last.len() + head.len();
    let name = clause[start..end].to_owned();
    Some((parts.len() + extra, name, start..end))
}

/// One named thing to build or to finish: 建成X, 完成X, or 建设X where X is a facility.
fn milestone(clause: &str) -> Option<String> {
    let mut c = super::names::strip_year(clause.trim());
    for w in ["力争", "争取", "推动", "推进", "加快", "全面", "基本", "持续", "确保"] {
        c = c.strip_prefix(w).unwrap_or(c);
    }
    let (object, done) = if let Some(o) = c.strip_prefix("建成") {
        (o, "建成")
    } else if let Some(o) = c.strip_prefix("完成") {
        (o, "完成")
    } else {
        let o = c.strip_prefix("建设")?;
        FACILITIES.iter().any(|f| o.ends_with(f)).then_some((o, "建成"))?
    };
    let n = object.chars().count();
    ((4..=24).contains(&n) && !object.contains(['、', '等', '和'])).then(|| format!("{object}{done}"))
}

/// Baselines from the review: the figure the previous period reached for the same subject.
fn baselines(found: &mut [Found]) {
    for i in 0..found.len() {
        if found[i].past || found[i].p.baseline.is_some() || found[i].p.kind == Kind::Milestone {
            continue;
        }
        let t = &found[i].p;
        let best = found
            .iter()
            .enumerate()
            .filter(|(_, r)| r.past && fits(&t.unit, &r.p.unit))
            .map(|(j, r)| (j, likeness(&t.name, &r.p.name)))
            .filter(|(_, score)| *score >= 0.5)
            // The first of equals: 分别达到2.5公里和45公里 names the first subject first.
            .fold(None, |best: Option<(usize, f64)>, x| if best.is_none_or(|b| x.1 > b.1) { Some(x) } else { best });
        let Some((j, _)) = best else { continue };
        let (value, date, unit) = (found[j].p.baseline, found[j].p.baseline_date, found[j].p.unit.clone());
        found[j].used = true;
        let f = &mut found[i];
        f.p.baseline = value;
        f.p.baseline_date = date;
        // 160个单位 counted in the review as 160家: the more specific word.
        if f.p.unit == "个" && unit != "个" {
            f.p.unit = unit;
        }
        if let (Some(b), Some(t)) = (value, f.p.target)
            && !f.said_direction
            && t.high < b
        {
            f.p.direction = Direction::Lower;
        }
    }
}

/// Whether a reference figure in `past` can be the baseline of a target in `unit`.
fn fits(unit: &str, past: &str) -> bool {
    unit == past || matches!((unit, past), ("分", "%") | ("%", "分")) || (unit == "个" && is_counter(past))
}
