//! `/admin/plans/new`: from a plan's pasted or uploaded text to a saved draft. Most tests
//! post proposals they build themselves, so they hold whatever the text rules find; one
//! goes end to end from the text and takes any number of proposed rows.

use plantrack::auth::Role;
use reqwest::StatusCode;
use scraper::{Html, Selector};

use crate::helpers::{LEAD, SEED_PLAN, TestApp, User, count, input_value, status_and_page, texts};

/// A short plan in the gazette's manner.
pub const PLAN_TEXT: &str = "綦江区气象事业发展“十五五”规划\n\
綦江府办发〔2026〕12号\n\
重庆市綦江区人民政府办公室\n\
第三章 主要目标\n\
到2030年,灾害性天气监测率达到98%以上,天气预报准确率达到90%,\
预警信息公众覆盖率由2025年的95%提高到99%。\n\
第四章 重点任务\n\
新建区域自动气象站20个,强对流天气预警提前量达到60分钟。\n";

fn plans(app: &TestApp) -> (i64, i64) {
    (count(app, "SELECT count(*) FROM plan"), count(app, "SELECT count(*) FROM metric"))
}

/// A row of a proposal as the test posts it: (field, value) beside `m{i}.`.
fn row(i: usize, accept: bool, fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fields.iter().map(|(k, v)| (format!("m{i}.{k}"), v.to_string())).collect();
    if accept {
        out.push((format!("m{i}.accept"), "on".into()));
    }
    out
}

fn header(key: &str) -> Vec<(String, String)> {
    [
        ("plan_key", key),
        ("title", "綦江区气象事业发展“十五五”规划"),
        ("document_number", "綦江府办发〔2026〕12号"),
        ("issuer", "重庆市綦江区人民政府办公室"),
        ("issued_on", ""),
        ("period_start", "2026-01-01"),
        ("period_end", "2030-12-31"),
        ("midterm_on", "2028-06-30"),
        ("chapter", "第三章 主要目标"),
        ("chapter", "第四章 重点任务"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// A proposed row's fields, as the page renders them for a proposal.
fn proposed(
    key: &str,
    name: &str,
    unit: &str,
    target: &str,
    chapter: &str,
    source: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("key", key.into()),
        ("name", name.into()),
        ("unit", unit.into()),
        ("kind", "level".into()),
        ("direction", "higher".into()),
        ("baseline", "".into()),
        ("baseline_date", "2025-12-31".into()),
        ("target", target.into()),
        ("target_high", "".into()),
        ("target_date", "2030-12-31".into()),
        ("chapter", chapter.into()),
        ("new_chapter", "".into()),
        ("source", source.into()),
        ("figures", "".into()),
        ("frequency", "quarterly".into()),
    ]
}

fn as_refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn post(user: &User, fields: &[(String, String)]) -> reqwest::Response {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    user.post("/admin/plans/new/save", &refs).await
}

/// Every field the proposal form would send as shown, checkboxes as they are.
fn form_fields(doc: &Html) -> Vec<(String, String)> {
    let sel = Selector::parse("form.proposal input, form.proposal select, form.proposal textarea").unwrap();
    let opt = Selector::parse("option").unwrap();
    let mut out = Vec::new();
    for e in doc.select(&sel) {
        let v = e.value();
        let Some(name) = v.attr("name") else { continue };
        if name == "csrf" {
            continue;
        }
        let value = match v.name() {
            "select" => {
                let options: Vec<_> = e.select(&opt).collect();
                let chosen = options.iter().find(|o| o.value().attr("selected").is_some()).or(options.first());
                chosen.and_then(|o| o.value().attr("value")).unwrap_or("").to_owned()
            }
            "textarea" => e.text().collect(),
            _ if v.attr("type") == Some("checkbox") => {
                if v.attr("checked").is_none() {
                    continue;
                }
                "on".to_owned()
            }
            _ => v.attr("value").unwrap_or("").to_owned(),
        };
        out.push((name.to_owned(), value));
    }
    out
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some(f) => f.1 = value.to_owned(),
        None => fields.push((name.to_owned(), value.to_owned())),
    }
}

#[tokio::test]
async fn only_admins_open_the_new_plan_pages() {
    let app = TestApp::spawn().await;
    let res = app.anonymous().get("/admin/plans/new").await;
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"));
    let viewer = app.sign_in(Role::Viewer).await;
    assert_eq!(viewer.get("/admin/plans/new").await.status(), 403);
    assert_eq!(viewer.post("/admin/plans/new", &[("text", PLAN_TEXT)]).await.status(), 403);
    let before = plans(&app);
    let mut fields = header("plan-2026-2030");
    fields.extend(row(0, true, &as_refs(&proposed("x-m01", "甲", "个", "5", "第三章 主要目标", "甲达到5个"))));
    assert_eq!(post(&viewer, &fields).await.status(), 403);
    assert_eq!(plans(&app), before, "a viewer's post writes nothing");
    let editor = app.sign_in(Role::Editor).await;
    assert_eq!(editor.get("/admin/plans/new").await.status(), 403);
    let admin = app.sign_in(Role::Admin).await;
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(admin.post_raw("/admin/plans/new/save", &refs).await.status(), 403, "no CSRF token, no save");
    assert_eq!(plans(&app), before);
    let (status, doc) = admin.html("/admin/plans/new").await;
    assert_eq!(status, 200);
    assert_eq!(texts(&doc, "h1"), ["新建规划"]);
    assert!(!texts(&doc, "header.site nav a[href='/admin/plans/new']").is_empty(), "the admin nav links here");
}

#[tokio::test]
async fn pasted_text_becomes_a_proposal_that_saves_whatever_rows_it_has() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let (status, doc) = status_and_page(admin.post("/admin/plans/new", &[("text", PLAN_TEXT)]).await).await;
    assert_eq!(status, 200);
    for id in ["plan_key", "title", "document_number", "issuer", "period_start", "period_end", "midterm_on"] {
        assert!(input_value(&doc, &format!("input#{id}")).is_some(), "header field {id}");
    }
    assert_eq!(input_value(&doc, "input#plan_key").as_deref(), Some("plan-2026-2030"));
    let found = texts(&doc, "#proposed-count");
    let rows = texts(&doc, "fieldset.proposed legend").len();
    assert!(rows >= 1, "a row to fill in, proposed or empty");
    if found[0].contains("没有") {
        assert_eq!(rows, 1, "nothing proposed: one empty row to fill by hand");
    } else {
        assert!(found[0].contains(&format!("{rows} 项")), "{found:?}");
        assert_eq!(texts(&doc, "blockquote.source").len(), rows, "every proposed row shows its 原文");
    }

    // Fill what the rules left empty in a row added by hand, then save; a proposed row the
    // seed rules refuse is dropped, and the plan holds exactly the rows kept.
    let mut fields = form_fields(&doc);
    let manual: Vec<usize> = (0..rows).filter(|i| fields.iter().any(|(k, _)| *k == format!("m{i}.manual"))).collect();
    for i in &manual {
        for (f, v) in
            [("name", "区域自动气象站"), ("unit", "个"), ("target", "20"), ("source", "新建区域自动气象站20个")]
        {
            set(&mut fields, &format!("m{i}.{f}"), v);
        }
    }
    // The header too, where the rules did not find it.
    if fields.iter().any(|(k, v)| k == "title" && v.trim().is_empty()) {
        set(&mut fields, "title", "綦江区气象事业发展“十五五”规划");
    }
    fields.push(("action".into(), "save".into()));
    let mut res = post(&admin, &fields).await;
    if res.status() == StatusCode::UNPROCESSABLE_ENTITY {
        let doc = Html::parse_document(&res.text().await.unwrap());
        let sel = Selector::parse("fieldset.proposed").unwrap();
        let refused: Vec<String> = doc
            .select(&sel)
            .filter(|f| f.value().attr("class").unwrap_or("").contains("has-error"))
            .map(|f| f.value().attr("id").unwrap().to_owned())
            .collect();
        assert!(!refused.is_empty(), "a refusal names its rows: {:?}", texts(&doc, "#proposal-errors"));
        fields.retain(|(k, _)| !refused.iter().any(|r| *k == format!("{r}.accept")));
        res = post(&admin, &fields).await;
    }
    assert_eq!(res.status(), 303);
    let kept = fields.iter().filter(|(k, _)| k.ends_with(".accept")).count() as i64;
    let id = count(&app, "SELECT id FROM plan WHERE key = 'plan-2026-2030'");
    assert_eq!(res.headers()["location"], format!("/?plan={id}").as_str());
    assert_eq!(count(&app, &format!("SELECT count(*) FROM metric WHERE plan_id = {id}")), kept);
}

#[tokio::test]
async fn an_edited_proposal_saves_exactly_the_rows_kept_as_edited() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let (ch3, ch4) = ("第三章 主要目标", "第四章 重点任务");
    let mut fields = header("qijiang-15");
    let sentence = "灾害性天气监测率达到98%以上";
    let at = sentence.find("98").unwrap();
    let mut a = proposed("q15-monitoring", "灾害性天气监测率", "%", "98", ch3, sentence);
    a[1].1 = "灾害性天气监测率(修改)".into();
    a[13].1 = format!("{at}-{}", at + 2);
    fields.extend(row(0, true, &as_refs(&a)));
    fields.extend(row(
        1,
        false,
        &as_refs(&proposed("q15-accuracy", "天气预报准确率", "%", "90", ch3, "天气预报准确率达到90%")),
    ));
    let mut moved = proposed("q15-stations", "区域自动气象站", "个", "20", ch3, "新建区域自动气象站20个");
    moved[11].1 = "第五章 保障措施".into();
    // Stations are counted at year end: reported once a year from the start.
    moved[14].1 = "annual".into();
    fields.extend(row(2, true, &as_refs(&moved)));

    // 手工添加一项: the page comes back with one more, empty row and everything else kept.
    let mut with_add = fields.clone();
    with_add.push(("action".into(), "add".into()));
    let (status, doc) = status_and_page(post(&admin, &with_add).await).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&doc, "fieldset.proposed legend").len(), 4);
    assert_eq!(input_value(&doc, "#m0-name").as_deref(), Some("灾害性天气监测率(修改)"));
    assert_eq!(texts(&doc, "#m0 blockquote.source mark"), ["98"]);
    assert_eq!(input_value(&doc, "#m3-name").as_deref(), Some(""));
    assert_eq!(texts(&doc, "#m2-frequency option[selected]"), ["年度"], "the choice is carried through");
    assert_eq!(texts(&doc, "#m0-frequency option[selected]"), ["季度"]);
    assert_eq!(texts(&doc, "#m3-frequency option[selected]"), ["季度"], "a row added by hand");
    let new_key = input_value(&doc, "#m3-key").unwrap();
    assert!(new_key.starts_with("qijiang-15-m"), "{new_key}");
    assert!(
        texts(&doc, "#m2-chapter option[selected]") == ["第五章 保障措施"],
        "a new chapter is offered and chosen: {:?}",
        texts(&doc, "#m2-chapter option")
    );

    let mut fields = form_fields(&doc);
    for (f, v) in [
        ("name", "强对流天气预警提前量"),
        ("unit", "分钟"),
        ("baseline", "48"),
        ("target", "60"),
        ("chapter", ch4),
        ("source", "强对流天气预警提前量达到60分钟"),
    ] {
        set(&mut fields, &format!("m3.{f}"), v);
    }
    fields.push(("action".into(), "save".into()));
    let res = post(&admin, &fields).await;
    assert_eq!(res.status(), 303);
    let id = count(&app, "SELECT id FROM plan WHERE key = 'qijiang-15'");
    assert_eq!(res.headers()["location"], format!("/?plan={id}").as_str());

    let saved: Vec<(String, String, String, Option<f64>)> = app
        .store
        .with_conn(|c| {
            let mut s = c.prepare(
                "SELECT m.key, m.name, ch.title, m.target_low FROM metric m JOIN chapter ch ON ch.id = m.chapter_id \
                 WHERE m.plan_id = ?1 ORDER BY ch.ord, m.ord",
            )?;
            let rows = s.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap();
    let expected = [
        ("q15-monitoring", "灾害性天气监测率(修改)", ch3, 98.0),
        (new_key.as_str(), "强对流天气预警提前量", ch4, 60.0),
        ("q15-stations", "区域自动气象站", "第五章 保障措施", 20.0),
    ];
    let expected: Vec<(String, String, String, Option<f64>)> =
        expected.iter().map(|(k, n, c, t)| (k.to_string(), n.to_string(), c.to_string(), Some(*t))).collect();
    assert_eq!(saved, expected);
    assert_eq!(count(&app, "SELECT count(*) FROM metric WHERE key = 'q15-accuracy'"), 0, "the dropped row");
    let annual =
        |key: &str| count(&app, &format!("SELECT count(*) FROM metric WHERE key = '{key}' AND frequency = 'annual'"));
    assert_eq!((annual("q15-stations"), annual("q15-monitoring"), annual(&new_key)), (1, 0, 0));
    assert_eq!(count(&app, "SELECT count(*) FROM audit WHERE action = 'plan_drafted' AND subject = 'qijiang-15'"), 1);
    assert_eq!(count(&app, &format!("SELECT count(*) FROM plan WHERE id = {id} AND midterm_on = '2028-06-30'")), 1);

    let (status, dash) = admin.html(&format!("/?plan={id}")).await;
    assert_eq!(status, 200);
    assert!(texts(&dash, ".message-ok")[0].contains("草稿"));
    assert!(dash.html().contains("强对流天气预警提前量"));
}

#[tokio::test]
async fn a_bad_field_comes_back_with_the_input_kept_and_nothing_written() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let before = plans(&app);
    let ch = "第三章 主要目标";
    let mut fields = header("qijiang-15");
    fields.extend(row(0, true, &as_refs(&proposed("q15-coverage", "公众覆盖率(改)", "%", "150", ch, "覆盖率达到99%"))));
    fields.extend(row(1, true, &as_refs(&proposed(LEAD, "预警提前量", "分钟", "60", ch, "提前量达到60分钟"))));
    fields.push(("action".into(), "save".into()));
    let (status, doc) = status_and_page(post(&admin, &fields).await).await;
    assert_eq!(status, 422);
    assert!(texts(&doc, "#m0-target-error")[0].contains("150"), "{:?}", texts(&doc, ".row-errors"));
    assert!(texts(&doc, "#m1-key-error")[0].contains("已被使用"));
    assert!(texts(&doc, "#m0-frequency-error").is_empty());

    // A frequency the page does not offer is refused beside its select.
    let mut monthly = fields.clone();
    set(&mut monthly, "m0.frequency", "monthly");
    let (status, doc) = status_and_page(post(&admin, &monthly).await).await;
    assert_eq!(status, 422);
    assert!(texts(&doc, "#m0-frequency-error")[0].contains("填报频率"), "{:?}", texts(&doc, ".row-errors"));
    assert_eq!(input_value(&doc, "#m0-name").as_deref(), Some("公众覆盖率(改)"), "what was typed is kept");
    assert_eq!(input_value(&doc, "#m0-target").as_deref(), Some("150"));
    assert_eq!(input_value(&doc, "#midterm_on").as_deref(), Some("2028-06-30"));
    assert_eq!(plans(&app), before);

    // A plan key in use, and a field the seed rules refuse (no unit), each said.
    let mut fields = header(SEED_PLAN);
    fields.extend(row(0, true, &as_refs(&proposed("q15-x", "某指标", "", "5", ch, "某指标达到5"))));
    let (status, doc) = status_and_page(post(&admin, &fields).await).await;
    assert_eq!(status, 422);
    assert!(texts(&doc, "#m0-unit-error")[0].contains("单位"), "{:?}", texts(&doc, ".row-errors"));
    set(&mut fields, "m0.unit", "个");
    let (status, doc) = status_and_page(post(&admin, &fields).await).await;
    assert_eq!(status, 422);
    assert!(texts(&doc, "#proposal-errors li")[0].contains(SEED_PLAN));

    // A continued key that is no earlier plan's metric (the select only offers those; a
    // hand-made request may not) comes back the same way, not as an error page.
    let mut fields = header("qijiang-15");
    fields.extend(row(0, true, &as_refs(&proposed("q15-y", "某指标", "个", "5", ch, "某指标达到5"))));
    fields.push(("m0.continues".into(), "no-such-metric".into()));
    let (status, doc) = status_and_page(post(&admin, &fields).await).await;
    assert_eq!(status, 422);
    assert!(texts(&doc, "#proposal-errors li")[0].contains("no-such-metric"), "{:?}", texts(&doc, "#proposal-errors"));
    assert_eq!(input_value(&doc, "#m0-name").as_deref(), Some("某指标"), "what was typed is kept");
    assert_eq!(plans(&app), before);
    assert_eq!(count(&app, "SELECT count(*) FROM audit WHERE action = 'plan_drafted'"), 0);
}

#[tokio::test]
async fn the_source_sentence_is_escaped_and_only_good_figure_ranges_are_marked() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let source = "<script>alert(1)</script>监测率达到95%";
    let at = source.find("95").unwrap();
    let inside_a_char = source.find('监').unwrap() + 1;
    let figures = format!("{at}-{},{inside_a_char}-{},900-905", at + 2, inside_a_char + 1);
    let mut a = proposed("q15-a", "监测率", "%", "95", "第三章 主要目标", source);
    a[13].1 = figures;
    let mut fields = header("qijiang-15");
    fields.extend(row(0, true, &as_refs(&a)));
    fields.push(("action".into(), "add".into()));
    let res = post(&admin, &fields).await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(!body.contains("<script>alert"), "the sentence is escaped");
    let doc = Html::parse_document(&body);
    assert!(texts(&doc, "main script").is_empty(), "no script element on the page");
    assert!(texts(&doc, "#m0 blockquote.source")[0].contains("<script>alert(1)</script>"), "shown as text");
    assert_eq!(texts(&doc, "#m0 blockquote.source mark"), ["95"]);
    assert!(texts(&doc, "#m0 blockquote.source")[0].ends_with("监测率达到95%"));
}

async fn upload(user: &User, app: &TestApp, name: &str, bytes: Vec<u8>) -> (StatusCode, Html) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    let url = app.url(&format!("/admin/plans/new/upload?csrf={}", user.csrf));
    status_and_page(user.client.post(url).multipart(form).send().await.unwrap()).await
}

/// Uploads `bytes` as `name` and checks the proposal is the pasted text's.
async fn upload_reads_like_pasted(name: &str, bytes: Vec<u8>) {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let (status, doc) = upload(&admin, &app, name, bytes).await;
    assert_eq!(status, 200, "{:?}", texts(&doc, "#new-plan-error"));
    let (_, pasted) = status_and_page(admin.post("/admin/plans/new", &[("text", PLAN_TEXT)]).await).await;
    assert_eq!(form_fields(&doc), form_fields(&pasted), "the same proposal as the pasted text");
}

#[tokio::test]
async fn a_utf8_text_file_is_read_like_pasted_text() {
    upload_reads_like_pasted("规划.TXT", PLAN_TEXT.as_bytes().to_vec()).await;
}

#[tokio::test]
async fn a_gbk_text_file_is_read_like_pasted_text() {
    let (gbk, _, lossy) = encoding_rs::GBK.encode(PLAN_TEXT);
    assert!(!lossy && std::str::from_utf8(&gbk).is_err(), "the file is GBK, not UTF-8");
    upload_reads_like_pasted("规划.txt", gbk.into_owned()).await;
}

#[tokio::test]
async fn a_docx_file_is_read_like_pasted_text() {
    use docx_rs::{Docx, Paragraph, Run};
    let doc = PLAN_TEXT
        .lines()
        .fold(Docx::new(), |d, line| d.add_paragraph(Paragraph::new().add_run(Run::new().add_text(line))));
    let mut bytes = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut bytes).unwrap();
    upload_reads_like_pasted("规划.docx", bytes.into_inner()).await;
}

#[tokio::test]
async fn an_oversized_wrong_or_empty_upload_is_refused_with_a_message() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(Role::Admin).await;
    let before = plans(&app);
    let (status, doc) = upload(&admin, &app, "plan.txt", vec![b'a'; 5 * 1024 * 1024]).await;
    assert_eq!(status, 413);
    assert!(texts(&doc, "#new-plan-error")[0].contains("不能超过 4 MB"), "{:?}", texts(&doc, "#new-plan-error"));
    let (status, doc) = upload(&admin, &app, "plan.pdf", b"%PDF-1.7".to_vec()).await;
    assert_eq!(status, 422);
    assert!(texts(&doc, "#new-plan-error")[0].contains("只接受 .txt"));
    let (status, doc) = upload(&admin, &app, "plan.txt", Vec::new()).await;
    assert_eq!(status, 422);
    assert!(texts(&doc, "#new-plan-error")[0].contains("请选择"));
    let (status, doc) = status_and_page(admin.post("/admin/plans/new", &[("text", "  ")]).await).await;
    assert_eq!(status, 422);
    assert!(texts(&doc, "#new-plan-error")[0].contains("请粘贴"));
    assert_eq!(plans(&app), before);
}

/// A proposed metric named as an older plan's is proposed to continue it; once saved it
/// carries on from that metric's last approved figure, and clearing the choice keeps none.
#[tokio::test]
async fn a_metric_named_as_an_older_plans_is_proposed_to_continue_it() {
    let app = TestApp::spawn().await;
    app.put_value("rainstorm-warning-accuracy", "2025Q4", 90.5);
    let admin = app.sign_in(Role::Admin).await;
    let text = "綦江区气象事业发展“十五五”规划\n第二章 发展目标\n到2030年,暴雨过程预警准确率达到95分,人工影响天气作业点达到30个。\n";
    let (status, doc) = status_and_page(admin.post("/admin/plans/new", &[("text", text)]).await).await;
    assert_eq!(status, 200);
    let mut fields = form_fields(&doc);
    let row_of = |fields: &[(String, String)], name: &str| {
        fields
            .iter()
            .find(|(k, v)| k.ends_with(".name") && v == name)
            .map(|(k, _)| k.trim_end_matches(".name").to_owned())
            .unwrap_or_else(|| panic!("a row named {name}: {fields:?}"))
    };
    let storm = row_of(&fields, "暴雨过程预警准确率");
    let chosen = fields.iter().find(|(k, _)| *k == format!("{storm}.continues")).map(|(_, v)| v.clone());
    assert_eq!(chosen.as_deref(), Some("rainstorm-warning-accuracy"), "the same name is chosen, to confirm");
    let options = texts(&doc, &format!("select#{storm}-continues option"));
    assert!(options.iter().any(|o| o.contains("十四五")), "the choice names the older plan: {options:?}");
    // The administrator keeps the rainstorm metric's choice; the other row continues nothing.
    let other = row_of(&fields, "人工影响天气作业点");
    set(&mut fields, &format!("{other}.continues"), "");
    set(&mut fields, &format!("{storm}.baseline"), "");
    fields.push(("action".into(), "save".into()));
    let res = post(&admin, &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let key = fields.iter().find(|(k, _)| *k == format!("{storm}.key")).unwrap().1.clone();
    let (_, m) = admin_json(&admin, &format!("/api/metrics/{key}")).await;
    assert_eq!(m["continues"], "rainstorm-warning-accuracy", "{m}");
    assert_eq!(m["baseline"], 90.5, "the baseline is the old metric's last approved figure: {m}");
    let other_key = fields.iter().find(|(k, _)| *k == format!("{other}.key")).unwrap().1.clone();
    let (_, o) = admin_json(&admin, &format!("/api/metrics/{other_key}")).await;
    assert!(o["continues"].is_null(), "{o}");
}

async fn admin_json(user: &User, path: &str) -> (StatusCode, serde_json::Value) {
    let res = user.get(path).await;
    (res.status(), res.json().await.unwrap())
}
