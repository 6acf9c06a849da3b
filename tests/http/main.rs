//! Integration tests: each starts the real server on a temporary database and speaks
//! HTTP to it. One binary, so the crate links once.

mod admin;
mod annual;
mod api;
mod auth;
mod browser;
mod cache;
mod cli;
mod dashboard;
mod demo;
mod entry;
mod evaluation;
mod evaluation_docx;
mod exports;
mod first_start;
mod hardening;
mod helpers;
mod lang;
mod layers;
mod limits;
mod metrics;
mod plans_life;
mod plausibility;
mod process;
mod propose;
mod propose_page;
mod review;
mod roles;
mod sheets;
mod startup;
mod times;
mod units;
mod wide;
mod workbooks;
