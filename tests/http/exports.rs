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
