//! The code's structure, checked: layers import downwards only, SQL lives in `store/`,
//! and a figure's review status is never compared as a string. Read from the source, so
//! a change that breaks a rule fails here with the file and line.

use std::path::{Path, PathBuf};

/// Each top-level module's layer; a module may use only modules of a lower layer (and
/// itself). `api` sits above `web` because it uses web's state and extractors; `web`
/// never uses `api` (`lib.rs` puts the two routers together).
const LAYERS: [(&str, u8); 14] = [
    ("plan", 0),
    ("charts", 0),
    ("sheet", 0),
    ("hash", 0),
    ("error", 1),
    // Finds a font file for the charts: reads the disk, so not among the pure ones.
    ("fonts", 1),
    ("auth", 2),
    ("demo", 2),
    ("store", 3),
    ("report", 4),
    ("setup", 4),
    ("scale", 4),
    ("web", 5),
    ("api", 6),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Library source files with their top-level module (`src/store/values.rs` → `store`);
/// the binary's own files (`main.rs`, `users.rs`) and `lib.rs` stand above all layers.
fn library_files() -> Vec<(String, PathBuf, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let rel = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            let top = rel.split('/').next().unwrap().trim_end_matches(".rs").to_owned();
            if matches!(top.as_str(), "main" | "users" | "lib") {
                return None;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            Some((top, path, text))
        })
        .collect()
}

/// Lines of code outside comments and outside `#[cfg(test)]` modules (which sit at the end
/// of a file by convention here).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| !l.trim_start().starts_with("#[cfg(test)]"))
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l))
}

#[test]
fn layers_import_downwards_only() {
    let mut broken = Vec::new();
    for (top, path, text) in library_files() {
        let own = layer(&top).unwrap_or_else(|| panic!("{}: module `{top}` has no layer in LAYERS", path.display()));
        for (n, line) in code_lines(&text) {
            for used in line.split("crate::").skip(1) {
                let name: String = used.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                if name.is_empty() || name == top {
                    continue;
                }
                match layer(&name) {
                    Some(l) if l < own => {}
                    _ => broken.push(format!("{}:{n}: `{top}` uses `crate::{name}`", path.display())),
                }
            }
        }
    }
    assert!(broken.is_empty(), "imports against the layers:\n{}", broken.join("\n"));
}

#[test]
fn sql_lives_in_the_store_only() {
    const SQL: [&str; 8] =
        ["SELECT ", "INSERT ", "UPDATE ", "DELETE FROM", ".execute(", ".query_row(", ".prepare(", ".prepare_cached("];
    let mut found = Vec::new();
    for (top, path, text) in library_files() {
        if top == "store" {
            continue;
        }
        for (n, line) in code_lines(&text) {
            if let Some(sql) = SQL.iter().find(|s| line.contains(*s)) {
                found.push(format!("{}:{n}: {sql}", path.display()));
            }
        }
    }
    assert!(found.is_empty(), "SQL outside store/:\n{}", found.join("\n"));
}

#[test]
fn review_status_is_never_compared_as_a_string() {
    let mut found = Vec::new();
    for (top, path, text) in library_files() {
        if top == "store" || path.ends_with("plan/review.rs") {
            continue;
        }
        for (n, line) in code_lines(&text) {
            let compared = ["pending", "approved", "returned"].iter().any(|s| {
                [format!("== \"{s}\""), format!("!= \"{s}\""), format!("Some(\"{s}\")"), format!("\"{s}\" =>")]
                    .iter()
                    .any(|p| line.contains(p.as_str()))
            });
            if compared {
                found.push(format!("{}:{n}: {}", path.display(), line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "review status compared as a string:\n{}", found.join("\n"));
}
