//! The committed golden fixtures are exactly what `kafka-cli generate` writes today.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn files_under(root: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    out
}

#[test]
fn committed_fixtures_equal_a_fresh_generate() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/wire");
    let tmp = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_kafka-cli"))
        .args(["generate", "--out"])
        .arg(tmp.path())
        .status()
        .unwrap();
    assert!(status.success());
    let fresh = tmp.path().join("wire");
    let (a, b) = (files_under(&committed), files_under(&fresh));
    assert_eq!(a, b, "committed and generated fixture sets differ: run `cargo run -p kafka-cli -- generate --out fixtures`");
    assert!(a.len() > 350, "{} files", a.len());
    for f in &a {
        let (x, y) = (
            std::fs::read(committed.join(f)).unwrap(),
            std::fs::read(fresh.join(f)).unwrap(),
        );
        assert!(x == y, "{} differs from a fresh generate", f.display());
    }
}
