//! A plan back to its seed file: what `parse` reads, written so that it reads back to the
//! same plan (the round trip is tested), for downloading a plan and for `propose`.

use std::fmt::Write;

use chrono::NaiveDate;

use super::{MetricDef, PlanDef};
use crate::plan::{Frequency, Kind};

/// `def` as a seed file's text.
pub fn to_toml(def: &PlanDef) -> String {
    let mut out = String::new();
    let w = &mut out;
    line(w, &format!("# {}", one_line(&def.title)));
    line(w, "# 种子文件:每个 [[chapters.metrics]] 是一个指标;source 为规划原文。");
    line(w, "");
    line(w, "[plan]");
    string(w, "key", &def.key);
    string(w, "title", &def.title);
    string(w, "issuer", &def.issuer);
    string(w, "document_number", &def.document_number);
    if let Some(d) = def.issued_on {
        date(w, "issued_on", d);
    }
    date(w, "period_start", def.period_start);
    date(w, "period_end", def.period_end);
    if let Some(d) = def.midterm_on {
        date(w, "midterm_on", d);
    }
    string(w, "source", &def.source);
    for ch in &def.chapters {
        line(w, "");
        line(w, "[[chapters]]");
        string(w, "title", &ch.title);
        if let Some(en) = &ch.title_en {
            string(w, "title_en", en);
        }
        for m in &ch.metrics {
            line(w, "");
            metric(w, m);
        }
    }
    out
}

fn metric(w: &mut String, m: &MetricDef) {
    line(w, "[[chapters.metrics]]");
    string(w, "key", &m.key);
    string(w, "name", &m.name);
    if let Some(en) = &m.name_en {
        string(w, "name_en", en);
    }
    string(w, "unit", &m.unit);
    string(w, "kind", m.kind.as_str());
    string(w, "direction", m.direction.as_str());
    if let Some(b) = m.baseline {
        number(w, "baseline", b);
    }
    // Always written: the plan-wide default it may have come from is not kept.
    date(w, "baseline_date", m.baseline_date);
    // A milestone's target is implied (100 %); the parser refuses one written out.
    if let Some(t) = m.target.filter(|_| m.kind != Kind::Milestone) {
        if t.low == t.high {
            number(w, "target", t.low);
        } else {
            let _ = writeln!(w, "target = [{}, {}]", num(t.low), num(t.high));
        }
    }
    date(w, "target_date", m.target_date);
    if let Some(v) = m.min {
        number(w, "min", v);
    }
    if let Some(v) = m.max {
        number(w, "max", v);
    }
    if m.frequency != Frequency::Quarterly {
        string(w, "frequency", m.frequency.as_str());
    }
    string(w, "source", &m.source);
    if !m.notes.is_empty() {
        string(w, "notes", &m.notes);
    }
    if let Some(k) = &m.continues {
        string(w, "continues", k);
    }
    if let Some(r) = &m.retired {
        date(w, "retired_on", r.on);
        if !r.reason.is_empty() {
            string(w, "retired_reason", &r.reason);
        }
    }
}

fn line(w: &mut String, s: &str) {
    w.push_str(s);
    w.push('\n');
}

fn string(w: &mut String, key: &str, value: &str) {
    // toml's own quoting: escapes quotes, backslashes and control characters.
    let _ = writeln!(w, "{key} = {}", toml::Value::String(value.to_owned()));
}

fn date(w: &mut String, key: &str, d: NaiveDate) {
    let _ = writeln!(w, "{key} = {}", d.format("%Y-%m-%d"));
}

fn number(w: &mut String, key: &str, v: f64) {
    let _ = writeln!(w, "{key} = {}", num(v));
}

/// Rust's shortest representation that reads back to the same `f64`.
fn num(v: f64) -> String {
    format!("{v}")
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::seed::parse;

    #[test]
    fn the_embedded_seed_reads_back_to_the_same_plan() {
        let text = include_str!("../../../seeds/qijiang-meteorology-14.toml");
        let def = parse("q.toml", text).unwrap();
        let again = parse("again.toml", &to_toml(&def)).unwrap();
        assert_eq!(again, def);
    }

    #[test]
    fn awkward_texts_and_numbers_survive() {
        let text = include_str!("../../../seeds/qijiang-meteorology-14.toml");
        let mut def = parse("q.toml", text).unwrap();
        def.title = "规划 \"引号\" \\ 反斜杠\n第二行".into();
        let m = &mut def.chapters[0].metrics[0];
        m.notes = "tab\there; 'single' \"double\" \u{7}".into();
        m.baseline = Some(0.1 + 0.2);
        m.min = Some(-1e-7);
        m.continues = Some("older-key".into());
        m.retired = Some(crate::plan::Retired {
            on: NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
            reason: "并入\"新\"指标".into(),
        });
        let again = parse("again.toml", &to_toml(&def)).unwrap();
        assert_eq!(again, def);
    }
}
