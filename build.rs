//! Embeds every `seeds/*.toml` into the binary, so a fresh start needs no other file.
//! Adding a plan is adding a file: no code changes.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo::rerun-if-changed=seeds");
    let mut seeds: Vec<_> = fs::read_dir("seeds")
        .expect("seeds/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    seeds.sort();
    let mut out = String::from("&[\n");
    for path in seeds {
        println!("cargo::rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let abs = fs::canonicalize(&path).unwrap();
        out.push_str(&format!("    ({name:?}, include_str!({:?})),\n", abs.display().to_string()));
    }
    out.push(']');
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded_seeds.rs");
    fs::write(dest, out).unwrap();
}
