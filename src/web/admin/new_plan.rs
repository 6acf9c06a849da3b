//! `/admin/plans/new`: a new plan from the text the government published. The text is
//! pasted or uploaded, [`propose`] reads what it can, and the proposal page lets the
//! administrator correct every field, drop rows, move them between chapters and add those
//! the rules missed, before the plan is saved as a draft. Nothing is kept on the server
//! between these requests: the whole proposal travels in the form.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Form, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::proposal_form::{ProposalForm, RowForm, field_label};
use crate::error::{Error, Result};
use crate::plan::propose::{self, Proposal};
use crate::plan::{Direction, Frequency, Kind};
use crate::store;
use crate::web::auth::{Actor, Admin, CurrentUser, Principal};
use crate::web::flash::{self, Flash};
use crate::web::{AppState, Layout, off_workers, render};

/// The largest plan text taken, pasted or uploaded: a plan is some tens of kilobytes, a
/// `.docx` with pictures a few megabytes at most.
pub const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;

#[derive(Template)]
#[template(path = "pages/admin/new_plan.html")]
struct NewPlanPage {
    layout: Layout,
    csrf: String,
    text: String,
    error: String,
    max_mb: usize,
}

#[derive(Template)]
#[template(path = "pages/admin/proposal.html")]
struct ProposalPage {
    layout: Layout,
    csrf: String,
    form: ProposalForm,
    /// How many rows the text gave, when the page comes straight from it.
    proposed: Option<usize>,
}

impl ProposalPage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        Kind::ALL.into_iter().map(|k| (k.as_str(), k.label_zh())).collect()
    }

    fn directions(&self) -> [(&'static str, &'static str); 2] {
        [(Direction::Higher.as_str(), "越高越好"), (Direction::Lower.as_str(), "越低越好")]
    }

    fn frequencies(&self) -> [(&'static str, &'static str); 2] {
        [(Frequency::Quarterly.as_str(), "季度"), (Frequency::Annual.as_str(), "年度")]
    }

    fn label<'a>(&self, field: &'a str) -> &'a str {
        field_label(field)
    }

    fn accepted(&self) -> usize {
        self.form.rows.iter().filter(|r| r.accept).count()
    }

    /// Whether `row` is in `chapter` (a new chapter's name wins over the select).
    fn in_chapter(&self, row: &RowForm, chapter: &str) -> bool {
        row.chapter_title() == chapter
    }
}

fn new_plan_page(state: &AppState, p: Principal, text: String, error: String) -> NewPlanPage {
    NewPlanPage {
        csrf: p.csrf().to_owned(),
        layout: Layout::new(state, &CurrentUser(Some(p)), "新建规划"),
        text,
        error,
        max_mb: MAX_TEXT_BYTES / (1024 * 1024),
    }
}

fn proposal_page(state: &AppState, p: Principal, form: ProposalForm, proposed: Option<usize>) -> ProposalPage {
    ProposalPage {
        csrf: p.csrf().to_owned(),
        layout: Layout::new(state, &CurrentUser(Some(p)), "新建规划:核对指标"),
        form,
        proposed,
    }
}

async fn taken_keys(state: &AppState) -> Result<HashSet<String>> {
    state.store.read(store::proposals::taken_keys).await
}

pub async fn show_new_plan(State(state): State<AppState>, Admin(p): Admin) -> Result<Response> {
    Ok(render(&new_plan_page(&state, p, String::new(), String::new()))?.into_response())
}

#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
}

/// The pasted text's proposal.
pub async fn propose_from_text(
    State(state): State<AppState>,
    Admin(p): Admin,
    Form(form): Form<TextForm>,
) -> Result<Response> {
    if form.text.trim().is_empty() {
        let page = new_plan_page(&state, p, form.text, "请粘贴规划全文,或上传规划文件".into());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    if form.text.len() > MAX_TEXT_BYTES {
        let page = new_plan_page(&state, p, String::new(), too_big());
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, render(&page)?).into_response());
    }
    proposal_of(&state, p, form.text).await
}

fn too_big() -> String {
    format!("规划文本过大:不能超过 {} MB。请只粘贴或上传规划正文", MAX_TEXT_BYTES / (1024 * 1024))
}

/// The uploaded file's proposal: `.txt` (UTF-8 or GBK) or `.docx`.
pub async fn propose_from_upload(
    State(state): State<AppState>,
    Admin(p): Admin,
    mut multipart: Multipart,
) -> Result<Response> {
    let unreadable = |e: axum::extract::multipart::MultipartError| Error::BadRequest(format!("上传内容无法读取:{e}"));
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("").to_owned();
        let mut bytes = Vec::new();
        // Read in chunks so an oversized file is refused once it passes the bound, not
        // after it was all held in memory.
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if bytes.len() + chunk.len() > MAX_TEXT_BYTES {
                let page = new_plan_page(&state, p, String::new(), format!("文件 {name} {}", too_big()));
                return Ok((StatusCode::PAYLOAD_TOO_LARGE, render(&page)?).into_response());
            }
            bytes.extend_from_slice(&chunk);
        }
        file = Some((name, bytes));
    }
    let refuse = |p: Principal, message: String| -> Result<Response> {
        let page = new_plan_page(&state, p, String::new(), message);
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refuse(p, "请选择要上传的规划文件(.txt 或 .docx)".into());
    };
    let lower = name.to_lowercase();
    if !(lower.ends_with(".txt") || lower.ends_with(".docx")) {
        return refuse(p, format!("文件 {name} 的类型不受支持:只接受 .txt(UTF-8 或 GBK 编码)或 .docx 文件"));
    }
    let decoded =
        off_workers(move || Ok(propose::decode_text(&name, &bytes).map_err(|e| format!("文件 {name}:{e}")))).await?;
    match decoded {
        Ok(text) if !text.trim().is_empty() => proposal_of(&state, p, text).await,
        Ok(_) => refuse(p, "文件中没有文字".into()),
        Err(message) => refuse(p, message),
    }
}

async fn proposal_of(state: &AppState, p: Principal, text: String) -> Result<Response> {
    // The rules read the whole text: CPU work, off the async workers.
    let proposal: Proposal = off_workers(move || Ok(propose::propose(&text))).await?;
    let taken = taken_keys(state).await?;
    let mut form = ProposalForm::of(&proposal, &taken);
    let proposed = form.rows.len();
    if form.rows.is_empty() {
        // Nothing found is still a start: one row to fill in by hand.
        form.add_row(&taken);
    }
    let form = with_candidates(state, form, true).await?;
    Ok(render(&proposal_page(state, p, form, Some(proposed)))?.into_response())
}

/// Fills each row's older metrics it may continue (by name, from plans that started before
/// the new one); on a fresh proposal a metric of the same name is chosen, for the
/// administrator to confirm or clear.
async fn with_candidates(state: &AppState, mut form: ProposalForm, choose_same_name: bool) -> Result<ProposalForm> {
    let Ok(start) = NaiveDate::parse_from_str(form.period_start.trim(), "%Y-%m-%d") else {
        return Ok(form);
    };
    state
        .store
        .read(move |c| {
            let names: Vec<&str> = form.rows.iter().map(|r| r.name.as_str()).collect();
            let all = store::drafts::continuation_candidates(c, start, &names)?;
            for (row, found) in form.rows.iter_mut().zip(all) {
                if choose_same_name
                    && row.continues.is_empty()
                    && let Some((key, _, _)) = found.iter().find(|(_, name, _)| name == row.name.trim())
                {
                    row.continues = key.clone();
                }
                row.candidates = found.into_iter().map(|(key, name, plan)| (key, format!("{name}({plan})"))).collect();
                if !row.continues.is_empty() && !row.candidates.iter().any(|(k, _)| *k == row.continues) {
                    // Kept as posted; create_draft checks it.
                    row.candidates.push((row.continues.clone(), row.continues.clone()));
                }
            }
            Ok(form)
        })
        .await
}

/// 手工添加一项 posts the page back for one more row; 保存为草稿 checks and saves.
pub async fn save_proposal(
    State(state): State<AppState>,
    Actor { name: actor, addr }: Actor,
    Admin(p): Admin,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let action = fields.iter().find(|(k, _)| k == "action").map_or("save", |(_, v)| v.as_str()).to_owned();
    let mut form = ProposalForm::from_fields(&fields);
    let taken = taken_keys(&state).await?;
    if action == "add" {
        form.add_row(&taken);
        let form = with_candidates(&state, form, false).await?;
        return Ok(render(&proposal_page(&state, p, form, None))?.into_response());
    }
    let Some(def) = form.check(&taken) else {
        let form = with_candidates(&state, form, false).await?;
        let page = proposal_page(&state, p, form, None);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    // create_draft records the draft in the audit log, with this address. What it refuses
    // (a continued metric that is not an earlier plan's, a key taken meanwhile) brings the
    // page back with the message, as any other mistake does.
    let saved = state.store.write(move |tx| store::drafts::create_draft(tx, &def, &actor, &addr)).await;
    let id = match saved {
        Ok(id) => id,
        Err(Error::Refused(message) | Error::BadRequest(message)) => {
            form.errors.push(message);
            let form = with_candidates(&state, form, false).await?;
            let page = proposal_page(&state, p, form, None);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        Err(e) => return Err(e),
    };
    Ok(flash::redirect(&state, &format!("/?plan={id}"), Flash::DraftSaved))
}
