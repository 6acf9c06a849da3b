//! The layout every page shares (navigation, the signed-in user, flash messages) and how a
//! page's body, cached or not, is put into it and sent.

use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use super::{AppState, Lang, auth, cache, deflate, drafts, flash};
use crate::error::Error;
use crate::plan::time::{self, Tz};
/// What every page's layout needs.
pub struct Layout {
    pub title: String,
    /// The database holds example figures: a banner on every page says so.
    pub demo: bool,
    /// The signed-in user: name, role, CSRF token for the sign-out form.
    pub user: Option<LayoutUser>,
    /// What the POST that redirected here did, said once above the content.
    pub flash: Option<flash::Flash>,
    /// An editor's figures that reviewers returned, by plan and quarter (dashboard and
    /// entry pages only).
    pub returned: Vec<(i64, crate::plan::Quarter, usize)>,
    /// The subtitle language, on pages that show metric names or chapter headings: the
    /// footer then offers the other. `None` elsewhere.
    pub lang: Option<Lang>,
    /// The plan whose pages the bar under the header links to, each link only for the
    /// roles that may open its page (the dashboard's own body is cached for everyone).
    pub plan_nav: Option<i64>,
    /// Draft plans, for the banner on a draft's pages (only administrators reach them).
    hidden: Option<Arc<drafts::Hidden>>,
    /// The zone [`Layout::time`] shows times in.
    zone: Tz,
}

pub struct LayoutUser {
    pub name: String,
    pub role: crate::auth::Role,
    pub csrf: String,
}

impl Layout {
    pub fn new(state: &AppState, user: &auth::CurrentUser, title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            demo: state.info.demo,
            user: user.0.as_ref().map(|p| LayoutUser {
                name: p.account.name.clone(),
                role: p.account.role,
                csrf: p.csrf().to_owned(),
            }),
            flash: None,
            returned: Vec::new(),
            lang: None,
            plan_nav: None,
            hidden: state.hidden_now(),
            zone: state.config.timezone,
        }
    }

    /// Shows the language choice in the footer.
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }

    /// Shows the bar of `plan`'s pages under the header.
    pub fn with_plan_nav(mut self, plan_id: i64) -> Self {
        self.plan_nav = Some(plan_id);
        self
    }

    /// The plan of [`Layout::plan_nav`] when it is a draft.
    pub fn draft(&self) -> Option<i64> {
        self.plan_nav.filter(|id| self.hidden.as_ref().is_some_and(|h| h.plans.contains(id)))
    }

    /// How many of the editor's figures were returned, in all.
    pub fn returned_total(&self) -> usize {
        self.returned.iter().map(|(_, _, n)| n).sum()
    }

    /// Fills [`Layout::returned`] for a user who enters figures.
    pub async fn with_returned(mut self, state: &AppState, user: &auth::CurrentUser) -> Result<Self, Error> {
        if let Some(p) = user.0.as_ref().filter(|p| p.account.role.may_enter()) {
            let name = p.account.name.clone();
            self.returned = state.store.read(move |c| crate::store::values::returned_to(c, &name)).await?;
        }
        Ok(self)
    }

    /// A stored UTC time as the bureau reads it, `2026-11-29 15:15`: every page shows its
    /// times through this, so none is left in UTC.
    pub fn time(&self, stored: &str) -> String {
        time::local_time(stored, self.zone)
    }

    /// Whether the signed-in user's role passes `may`: pages show only the links and
    /// buttons the extractors will accept.
    fn user_may(&self, may: fn(crate::auth::Role) -> bool) -> bool {
        self.user.as_ref().is_some_and(|u| may(u.role))
    }

    pub fn may_enter(&self) -> bool {
        self.user_may(crate::auth::Role::may_enter)
    }

    pub fn may_review(&self) -> bool {
        self.user_may(crate::auth::Role::may_review)
    }

    pub fn may_administer(&self) -> bool {
        self.user_may(crate::auth::Role::may_administer)
    }

    /// Review lists and exports are open to anyone signed in.
    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }
}

/// A page whose body was rendered (and cached) on its own: the layout around it is
/// rendered per request, since it names the user.
#[derive(Template)]
#[template(path = "pages/shell.html")]
struct Shell<'a> {
    layout: Layout,
    body: ShellBody<'a>,
}

struct ShellBody<'a> {
    head: &'a str,
    body: &'a str,
}

/// Stands in for the body while the layout is rendered, so the layout comes out in the two
/// parts that go before and after the cached body.
const BODY_MARK: &str = "<!--plantrack:body-->";

/// A cached page in `layout`: one gzip member if the client takes gzip (the body as kept,
/// the layout around it uncompressed), else the page as text.
pub(crate) fn page_response(layout: Layout, page: &cache::Page, gzip: bool) -> Result<Response, Error> {
    let shell = Shell { layout, body: ShellBody { head: &page.head, body: BODY_MARK } }.render()?;
    let (before, after) = shell.split_once(BODY_MARK).ok_or_else(|| Error::Internal("layout without body".into()))?;
    Ok(deflated_response(before, &page.body, after, "text/html; charset=utf-8", gzip))
}

/// `before`, `body` and `after` as one response of type `content_type`.
pub(crate) fn deflated_response(
    before: &str,
    body: &deflate::Deflated,
    after: &str,
    content_type: &'static str,
    gzip: bool,
) -> Response {
    let ty = (header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let vary = (header::VARY, HeaderValue::from_static("accept-encoding"));
    if gzip {
        let gz = deflate::gzip_around(before, body, after);
        return ([ty, vary, (header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))], gz).into_response();
    }
    let mut text = Vec::with_capacity(before.len() + body.text_len() + after.len());
    text.extend_from_slice(before.as_bytes());
    body.inflate_into(&mut text);
    text.extend_from_slice(after.as_bytes());
    ([ty, vary], text).into_response()
}

/// Renders a page, turning a template failure into the error page.
pub fn render(page: &impl Template) -> Result<Html<String>, Error> {
    Ok(Html(page.render()?))
}
