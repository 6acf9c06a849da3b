//! English subtitles, by choice: pages are in Chinese; a reader who chooses English sees
//! each metric's `name_en` and each chapter's `title_en` under the Chinese. The choice is
//! `?lang=en` on one page, or remembered in a cookie by the footer's link (`/lang/en`,
//! `/lang/zh`), so it holds for every page of that browser.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use super::AppState;
use crate::error::Error;

/// Where the choice is kept.
pub const LANG_COOKIE: &str = "plantrack_lang";

/// The subtitle language of a request: `?lang=` first, then the cookie, else Chinese only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    /// Chinese with English subtitles.
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// English subtitles are shown.
    pub fn en(self) -> bool {
        self == Lang::En
    }

    /// The subtitle `text` when English is chosen: what templates show under a name.
    pub fn subtitle(self, text: &Option<String>) -> Option<&str> {
        text.as_deref().filter(|t| self.en() && !t.trim().is_empty())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let asked = parts
            .uri
            .query()
            .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang"))
            .and_then(|(_, v)| Lang::parse(&v));
        let kept = || CookieJar::from_headers(&parts.headers).get(LANG_COOKIE).and_then(|c| Lang::parse(c.value()));
        Ok(asked.or_else(kept).unwrap_or_default())
    }
}

/// `/lang/{en|zh}`: remembers the choice and goes back to the page the link was on (its
/// path only, without a `lang=` that would override the new choice).
pub async fn choose_lang(
    State(state): State<AppState>,
    Path(code): Path<String>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let lang = Lang::parse(&code).ok_or_else(|| Error::not_found("没有这种语言选项"))?;
    // A year; parsed, since the cookie crate's `time` types are not re-exported to us.
    let mut cookie =
        Cookie::parse(format!("{LANG_COOKIE}={}; Max-Age={}", lang.as_str(), 365 * 24 * 3600)).expect("a valid cookie");
    cookie.set_path("/");
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_secure(state.config.secure_cookies);
    let back = headers.get(header::REFERER).and_then(|v| v.to_str().ok()).map_or_else(|| "/".to_owned(), back_to);
    Ok((jar.add(cookie), Redirect::to(&back)).into_response())
}

/// The local path and query of `referer`, less any `lang=`; `/` for anything else, so the
/// redirect never leaves the site.
fn back_to(referer: &str) -> String {
    let Some(rest) = referer.split_once("://").map(|(_, rest)| rest) else { return "/".into() };
    let Some(at) = rest.find('/') else { return "/".into() };
    let local = &rest[at..];
    let local = local.split('#').next().unwrap_or("/");
    if local.starts_with("//") || local.contains('\\') {
        return "/".into();
    }
    let (path, query) = local.split_once('?').unwrap_or((local, ""));
    let kept: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k != "lang")
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    if kept.is_empty() {
        return path.to_owned();
    }
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
    format!("{path}?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_is_the_referring_page_without_its_lang() {
        assert_eq!(back_to("http://127.0.0.1:8080/metrics/x?as_of=2023-06-30&lang=en"), "/metrics/x?as_of=2023-06-30");
        assert_eq!(back_to("https://plan.example/?lang=zh"), "/");
        assert_eq!(back_to("http://h/plans/1/entry/2023Q3#row-x"), "/plans/1/entry/2023Q3");
    }

    #[test]
    fn the_way_back_never_leaves_the_site() {
        assert_eq!(back_to("http://h//evil.example/x"), "/");
        assert_eq!(back_to("http://h/\\evil.example"), "/");
        assert_eq!(back_to("http://evil.example"), "/");
        assert_eq!(back_to("not a url"), "/");
    }
}
