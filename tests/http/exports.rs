//! Exports that must not change data: whatever a note says, it comes back as typed.

use plantrack::auth::Role;
use plantrack::sheet;

use crate::helpers::{LEAD, TestApp, seed_plan_id};

#[tokio::test]
async fn notes_that_look_like_numbers_stay_text_in_csv_and_xlsx_exports() {
    let app = TestApp::spawn().await;
    let notes = ["NaN", "inf", "1e400", "0012", "-0", " 12 ", "=1+1"];
    let quarters = ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2", "2022Q3"];
    app.store
        .with_conn(|c| {
            let m = plantrack::store::plans::metric_by_key(c, LEAD)?;
            for (q, note) in quarters.iter().zip(notes) {
                let v = plantrack::plan::Reported {
                    quarter: q.parse().unwrap(),
                    value: 40.0,
                    done: None,
                    note: note.into(),
                    pending: false,
                };
                plantrack::store::values::put_approved(c, m.id, &v, "test", "create")?;
            }
            Ok(())
        })
        .unwrap();
    let editor = app.sign_in(Role::Editor).await;
    for format in ["csv", "xlsx"] {
        let res = editor.get(&format!("/plans/{}/export?layout=long&format={format}", seed_plan_id(&app))).await;
        assert_eq!(res.status(), 200);
        let bytes = res.bytes().await.unwrap().to_vec();
        let rows = if format == "csv" { sheet::read_csv(&bytes) } else { sheet::read_xlsx(&bytes) }.unwrap();
        let read: Vec<(String, String, String)> = rows.into_iter().map(|r| (r.quarter, r.value, r.note)).collect();
        let expected: Vec<(String, String, String)> =
            quarters.iter().zip(notes).map(|(q, n)| (q.to_string(), "40".to_owned(), n.trim().to_owned())).collect();
        assert_eq!(read, expected, "{format}");
    }
}

#[tokio::test]
async fn hostile_export_parameters_are_refused_cleanly_and_names_are_encoded() {
    let app = TestApp::spawn().await;
    let editor = app.sign_in(Role::Editor).await;
    let plan = seed_plan_id(&app);
    for quarter in ["2022Q3%0D%0ASet-Cookie:%20x=y", "%00", "2022Q3%00", "%E2%80%AE2022Q3"] {
        let res = editor.get(&format!("/plans/{plan}/export?layout=template&format=csv&quarter={quarter}")).await;
        assert_eq!(res.status(), 400, "{quarter}");
        assert!(res.headers().get("set-cookie").is_none(), "{quarter}");
    }
    // Surrounding whitespace is forgiven by the quarter's parser: only the parsed quarter
    // reaches the file name.
    let res = editor.get(&format!("/plans/{plan}/export?layout=template&format=xlsx&quarter=%092022Q3%09")).await;
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains("filename*=UTF-8''") && disposition.contains("2022Q3.xlsx"), "{disposition}");
}
