//! `plantrack propose`: a plan's text in, a seed file that passes `check-seeds` out.

use std::process::Command;

use crate::cli::BIN;

const PLAN_14: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/qijiang-14.txt");

#[test]
fn the_14th_plans_text_becomes_a_seed_file_that_check_seeds_accepts() {
    let out = Command::new(BIN).args(["propose", PLAN_14]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let toml = String::from_utf8(out.stdout).unwrap();
    assert!(toml.contains("key = \"meteorology-2021-2025\""), "{toml}");
    assert!(toml.contains("document_number = \"綦江府办发〔2021〕49号\""));
    // The built-in seed's keys are taken: the proposal's own carry the plan's year.
    assert!(toml.contains("key = \"senior-engineers-2025\""), "{toml}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("请逐条核对原文"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("proposed.toml"), &toml).unwrap();
    let check = Command::new(BIN).arg("check-seeds").arg(dir.path()).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    assert!(String::from_utf8_lossy(&check.stdout).starts_with("meteorology-2021-2025: 8 章"));
}

#[test]
fn json_for_scripts_and_a_key_of_ones_own() {
    let out = Command::new(BIN).args(["propose", PLAN_14, "--format", "json", "--key", "qijiang-15"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["plan"]["key"], "qijiang-15");
    assert_eq!(v["plan"]["period_start"], "2021-01-01");
    let metrics: Vec<&serde_json::Value> =
        v["chapters"].as_array().unwrap().iter().flat_map(|c| c["metrics"].as_array().unwrap()).collect();
    let storm = metrics.iter().find(|m| m["name"] == "暴雨过程预警准确率").unwrap();
    // The 14th plan's seed has rainstorm-warning-accuracy: the proposal's carries --key's tag.
    assert_eq!(storm["key"], "rainstorm-warning-accuracy-15");
    assert_eq!(
        (storm["target"].as_f64(), storm["baseline"].as_f64(), storm["unit"].as_str()),
        (Some(92.0), Some(81.2), Some("分"))
    );
    let engineers = metrics.iter().find(|m| m["name"] == "培养高级工程师").unwrap();
    assert_eq!(engineers["target"], serde_json::json!([2.0, 3.0]));
}

#[test]
fn a_gbk_text_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = "某区气象发展“十五五”规划\n第一章 目标\n到2030年,暴雨预警准确率达到95%,新建两个区域气象站。\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let file = dir.path().join("plan-gbk.txt");
    std::fs::write(&file, &gbk).unwrap();
    let out = Command::new(BIN).arg("propose").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let toml = String::from_utf8(out.stdout).unwrap();
    assert!(toml.contains("period_start = 2026-01-01") && toml.contains("target = 95"), "{toml}");
    assert!(toml.contains("name = \"新建区域气象站\""), "{toml}");
}

#[test]
fn a_file_that_is_no_plan_text_is_refused_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("plan.pdf", b"%PDF-1.7".to_vec(), "不支持 PDF"),
        ("plan.docx", b"not a zip".to_vec(), "不是有效的 .docx"),
        ("plan.txt", "关于做好防汛工作的通知\n各单位要加强值守。\n".as_bytes().to_vec(), "未找到任何量化目标"),
    ];
    for (name, bytes, message) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = Command::new(BIN).arg("propose").arg(&file).output().unwrap();
        assert!(!out.status.success(), "{name}");
        assert!(out.stdout.is_empty(), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{name}: {err}");
    }
    let missing = Command::new(BIN).args(["propose", "/nonexistent/plan.txt"]).output().unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("无法读取文件"));
}

#[test]
fn a_key_that_is_no_slug_is_refused() {
    let out = Command::new(BIN).args(["propose", PLAN_14, "--key", "Plan 15"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("应为小写字母、数字和连字符"));
}

#[test]
fn a_docx_is_read_paragraph_by_paragraph() {
    use std::io::Write;
    let paragraphs = ["某区气象发展“十五五”规划", "第四章 业务", "到2030年,强对流预警时间提前量达到50分钟。"];
    let body: String = paragraphs.iter().map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>")).collect();
    let xml = format!(r#"<?xml version="1.0"?><w:document xmlns:w="w"><w:body>{body}</w:body></w:document>"#);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    let docx = zip.finish().unwrap().into_inner();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("规划.docx");
    std::fs::write(&file, docx).unwrap();
    let out = Command::new(BIN).arg("propose").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let toml = String::from_utf8(out.stdout).unwrap();
    for line in [
        "title = \"第四章 业务\"",
        "name = \"强对流预警时间提前量\"",
        "unit = \"分钟\"",
        "target = 50",
        "target_date = 2030-12-31",
    ] {
        assert!(toml.contains(line), "{line}\n{toml}");
    }
}
