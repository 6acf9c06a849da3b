//! A seed as JSON, for scripts: the fields and nesting of the TOML seed file.

use serde_json::{Value, json};

use crate::plan::seed::PlanDef;

pub fn seed_json(def: &PlanDef) -> Value {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    let chapters: Vec<Value> = def
        .chapters
        .iter()
        .map(|c| {
            let metrics: Vec<Value> = c
                .metrics
                .iter()
                .map(|m| {
                    json!({
                        "key": m.key,
                        "name": m.name,
                        "unit": m.unit,
                        "kind": m.kind.as_str(),
                        "direction": m.direction.as_str(),
                        "baseline": m.baseline,
                        "baseline_date": m.baseline_date.to_string(),
                        // A milestone's target is implied (100 % done) and not written.
                        "target": m.target.filter(|_| m.kind != crate::plan::Kind::Milestone)
                            .map(|t| if t.is_range() { json!([t.low, t.high]) } else { json!(t.low) }),
                        "target_date": m.target_date.to_string(),
                        "source": m.source,
                    })
                })
                .collect();
            json!({ "title": c.title, "metrics": metrics })
        })
        .collect();
    json!({
        "plan": {
            "key": def.key,
            "title": def.title,
            "issuer": def.issuer,
            "document_number": def.document_number,
            "issued_on": date(def.issued_on),
            "period_start": def.period_start.to_string(),
            "period_end": def.period_end.to_string(),
            "midterm_on": date(def.midterm_on),
            "source": def.source,
        },
        "chapters": chapters,
    })
}
