//! The pages staff open on a phone, at 390 CSS pixels wide (a common phone's width): the
//! page itself never scrolls sideways (wide tables scroll inside their own box), names
//! are not broken a character a line, status labels are whole, and a figure input holds
//! `1,000`.

use fantoccini::Client;
use plantrack::auth::Role;
use serde::Deserialize;

use super::{browser, css, screenshot, set_value, sign_in, text};
use crate::helpers::LEAD;

const PHONE_WIDTH: u32 = 390;

/// What a page looks like at phone width.
#[derive(Debug, Deserialize)]
struct Fit {
    /// `document.documentElement.scrollWidth`: wider than the window means sideways scrolling.
    scroll_width: f64,
    inner_width: f64,
    /// How many names were measured, and the narrowest, in characters of its font.
    names: usize,
    narrowest_name: f64,
    /// Status labels whose text is wider than the label.
    cut_labels: Vec<String>,
}

const MEASURE: &str = "const [names] = arguments;
  const els = [...document.querySelectorAll(names)];
  const ems = els.map(e => {
    const chars = [...e.textContent.trim()].length;
    // A name shorter than four characters needs no more room than it has characters.
    return e.getBoundingClientRect().width / parseFloat(getComputedStyle(e).fontSize) / Math.min(1, chars / 4);
  });
  return {
    scroll_width: document.documentElement.scrollWidth,
    inner_width: window.innerWidth,
    names: els.length,
    narrowest_name: els.length ? Math.min(...ems) : 0,
    cut_labels: [...document.querySelectorAll('.status, .value-state, .tag-pending, .tag-stale')]
      .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent),
  };";

async fn fit(c: &Client, names: &str) -> Fit {
    let v = c.execute(MEASURE, vec![names.into()]).await.unwrap();
    serde_json::from_value(v).unwrap()
}

/// Checks the page in the browser now, saves its phone screenshot (scrolled to `shot`) and
/// says what it measured.
async fn check(c: &Client, name: &str, names: &str, shot: &str) -> Fit {
    let f = fit(c, names).await;
    eprintln!("phone {name}: {f:?}");
    c.execute("document.querySelector(arguments[0]).scrollIntoView()", vec![shot.into()]).await.unwrap();
    screenshot(c, &format!("phone-{name}")).await;
    assert_eq!(f.inner_width, f64::from(PHONE_WIDTH), "{name}: the window is a phone's width");
    assert!(f.scroll_width <= f64::from(PHONE_WIDTH), "{name}: the page scrolls sideways: {f:?}");
    assert!(f.names > 0, "{name}: names found with {names}");
    assert!(f.narrowest_name >= 3.5, "{name}: a name is squeezed to {:.1} characters a line", f.narrowest_name);
    assert!(f.cut_labels.is_empty(), "{name}: labels cut: {:?}", f.cut_labels);
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_staff_use_fit_a_390_pixel_phone_without_sideways_scrolling() {
    let Some(browser) = browser().await else { return };
    let c = &browser.client;
    let (app, plan) = super::demo_with_waiting_figures().await;
    let base = app.url("");
    sign_in(c, &base, Role::Admin.as_str()).await;
    c.set_window_size(PHONE_WIDTH, 844).await.unwrap();

    c.goto(&format!("{base}/")).await.unwrap();
    check(c, "dashboard", "table.metrics tbody th a", ".status-counts").await;

    c.goto(&format!("{base}/metrics/{LEAD}")).await.unwrap();
    check(c, "metric", "h1", "h1").await;

    // The grid as it comes back with a wrong figure, its message beside the input.
    c.goto(&format!("{base}/plans/{plan}/entry/2023Q3")).await.unwrap();
    set_value(c, "#v-fibre-bandwidth", "abc").await;
    css(c, "form.entry button.primary").await.click().await.unwrap();
    assert!(text(c, "#e-fibre-bandwidth").await.contains("不是数字"));
    set_value(c, &format!("#v-{LEAD}"), "1,000").await;
    check(c, "entry", "table.entry-grid tbody th label", "tr.has-error").await;
    let holds: bool = serde_json::from_value(
        c.execute(
            "return [...document.querySelectorAll('table.entry-grid input[name^=\"v.\"]')]
               .every(i => { const was = i.value; i.value = '1,000'; const ok = i.scrollWidth <= i.clientWidth; i.value = was; return ok; });",
            vec![],
        )
        .await
        .unwrap(),
    )
    .unwrap();
    assert!(holds, "every figure input shows 1,000 whole");

    c.goto(&format!("{base}/plans/{plan}/review")).await.unwrap();
    check(c, "review", "table.review tbody th a", "h1").await;

    c.goto(&format!("{base}/plans/{plan}/evaluation")).await.unwrap();
    check(c, "evaluation", "table.report-table tbody th a", ".report-chapter").await;
    browser.client.clone().close().await.unwrap();
}
