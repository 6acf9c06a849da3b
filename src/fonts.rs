//! The CJK font the Word report's charts are drawn with, found on this machine once, the
//! first time a report asks for it.
//!
//! `PLANTRACK_CJK_FONT` names a font file (`path`, or `path#index` for a face of a
//! collection), or `none` for reports without charts. Otherwise the usual font folders are
//! searched (`/usr/share/fonts`, `/usr/local/share/fonts`, `~/.local/share/fonts`,
//! `~/.fonts`, macOS's and Windows' font folders): known Chinese sans-serif files first
//! (WenQuanYi Micro Hei, Noto Sans CJK / Source Han Sans SC, WenQuanYi Zen Hei, 微软雅黑,
//! 黑体, Droid Sans Fallback), then any other font file. The first face that has every
//! glyph the charts need wins ([`Font::from_bytes`]); with none, reports carry tables and
//! text only.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::charts::png::Font;

/// The environment variable that names the font, or `none`.
pub const ENV: &str = "PLANTRACK_CJK_FONT";

/// A usable font and where it came from.
pub struct Found {
    pub font: Font,
    pub path: PathBuf,
    /// The face within a collection (`.ttc`), 0 for a single font.
    pub index: u32,
}

/// The font for charts, found on first use and kept for the life of the process.
pub fn cjk() -> Option<&'static Found> {
    static FOUND: OnceLock<Option<Found>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let found = match std::env::var(ENV) {
                Ok(v) if v.trim().eq_ignore_ascii_case("none") => return None,
                Ok(v) if !v.trim().is_empty() => named(v.trim()),
                _ => search(&font_dirs()),
            };
            match &found {
                Some(f) => tracing::info!(
                    "Word reports draw their charts with {} ({}, face {})",
                    f.font.family,
                    f.path.display(),
                    f.index
                ),
                None => tracing::warn!("no CJK font found (set {ENV}): Word reports carry tables and text only"),
            }
            found
        })
        .as_ref()
}

/// The font `spec` names: `path` or `path#index`.
fn named(spec: &str) -> Option<Found> {
    let (path, index) = match spec.rsplit_once('#') {
        Some((p, i)) if i.parse::<u32>().is_ok() => (p, i.parse().ok()),
        _ => (spec, None),
    };
    let path = PathBuf::from(path);
    match index {
        Some(i) => Font::from_bytes(std::fs::read(&path).ok()?, i).map(|font| Found { font, path, index: i }),
        None => open(&path),
    }
}

/// The folders fonts are installed in, on Linux, macOS and Windows.
fn font_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        let data = std::env::var_os("XDG_DATA_HOME").map_or_else(|| home.join(".local/share"), PathBuf::from);
        dirs.extend([data.join("fonts"), home.join(".fonts"), home.join("Library/Fonts")]);
    }
    dirs.extend(
        ["/usr/local/share/fonts", "/usr/share/fonts", "/Library/Fonts", "/System/Library/Fonts"].map(PathBuf::from),
    );
    if let Some(windows) = std::env::var_os("WINDIR") {
        dirs.push(PathBuf::from(windows).join("Fonts"));
    }
    dirs
}

/// The first usable font under `dirs`, likeliest first.
pub fn search(dirs: &[PathBuf]) -> Option<Found> {
    let mut files = Vec::new();
    for dir in dirs {
        collect(dir, 0, &mut files);
    }
    files.sort_by_cached_key(|p| (rank(p), p.clone()));
    files.dedup();
    files.iter().find_map(|p| open(p))
}

/// Font files under `dir`, a few folders deep.
fn collect(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && depth < 5 {
            collect(&path, depth + 1, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["ttf", "ttc", "otf", "otc"].contains(&e.to_ascii_lowercase().as_str()))
        {
            out.push(path);
        }
    }
}

/// How likely a file is to be a Chinese sans-serif face, by its name: lower is likelier.
/// The charts are drawn in sans-serif on the page too.
fn rank(path: &Path) -> u8 {
    let name: String = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect())
        .unwrap_or_default();
    const KNOWN: [(&[&str], u8); 6] = [
        (&["wqymicrohei"], 0),
        (&["notosanscjksc", "notosanssc", "sourcehansanssc", "sourcehanssanscn"], 1),
        (&["notosanscjk", "sourcehansans"], 2),
        (&["wqyzenhei", "msyh", "simhei", "pingfang", "hiraginosansgb", "stheiti"], 3),
        (&["droidsansfallback"], 4),
        (&["cjk", "wqy", "hei", "song", "kai", "fang", "ming", "uming", "ukai", "han"], 5),
    ];
    KNOWN.iter().find(|(words, _)| words.iter().any(|w| name.contains(w))).map_or(6, |&(_, r)| r)
}

/// The best usable face of the font file at `path`: of a collection, a proportional
/// face, Simplified Chinese if it says so (Noto Sans CJK holds JP, KR, SC, TC and HK).
fn open(path: &Path) -> Option<Found> {
    let bytes = std::fs::read(path).ok()?;
    let count = ttf_parser::fonts_in_collection(&bytes).unwrap_or(1);
    let mut faces: Vec<(u8, u32)> = (0..count.min(64)).map(|i| (face_rank(&bytes, i), i)).collect();
    faces.sort();
    faces.into_iter().find_map(|(_, index)| {
        let font = Font::from_bytes(bytes.clone(), index)?;
        Some(Found { font, path: path.to_owned(), index })
    })
}

fn face_rank(bytes: &[u8], index: u32) -> u8 {
    let Ok(face) = ttf_parser::Face::parse(bytes, index) else { return u8::MAX };
    let names: Vec<String> = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::FAMILY)
        .filter_map(|n| n.to_string())
        .collect();
    let mono = names.iter().any(|n| n.contains("Mono"));
    let sc = names.iter().any(|n| n.ends_with(" SC") || n.contains(" SC ") || n.ends_with(" CN"));
    u8::from(mono) * 2 + u8::from(!sc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WQY: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

    #[test]
    fn chinese_sans_files_come_before_the_rest() {
        let r = |p: &str| rank(Path::new(p));
        assert!(r(WQY) < r("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"));
        assert!(r("/x/NotoSansCJK-Regular.ttc") < r("/x/wqy-zenhei.ttc"));
        assert!(r("/x/wqy-zenhei.ttc") < r("/x/DroidSansFallbackFull.ttf"));
        assert!(r("/x/DroidSansFallbackFull.ttf") < r("/x/DejaVuSans.ttf"));
        assert!(r("C:/Windows/Fonts/msyh.ttc") < r("C:/Windows/Fonts/arial.ttf"));
    }

    #[test]
    fn the_search_skips_fonts_without_chinese_and_finds_wenquanyi() {
        if !Path::new(WQY).exists() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let latin = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
        if latin.exists() {
            // Named to come first: it is read, and passed over.
            std::fs::copy(latin, dir.path().join("wqy-microhei-fake.ttf")).unwrap();
        }
        std::fs::create_dir(dir.path().join("wqy")).unwrap();
        std::fs::copy(WQY, dir.path().join("wqy/wqy-microhei.ttc")).unwrap();
        let found = search(&[dir.path().to_owned()]).expect("a CJK font");
        assert!(found.path.ends_with("wqy/wqy-microhei.ttc"), "{}", found.path.display());
        assert_eq!(found.index, 0, "the proportional face, not the Mono one");
        assert_eq!(found.font.family, "WenQuanYi Micro Hei");

        assert!(named(&format!("{WQY}#1")).is_some_and(|f| f.font.family.contains("Mono")));
        assert!(named("/nonexistent.ttf").is_none());
        std::fs::remove_dir_all(dir.path().join("wqy")).unwrap();
        assert!(search(&[dir.path().to_owned()]).is_none(), "DejaVu alone draws no 中文");
    }
}
