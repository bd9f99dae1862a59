//! `kafka-cli generate`: write the golden fixtures from `kafka_wire::golden` to disk.

use std::path::PathBuf;

use anyhow::{Context, Result};

/// Arguments of `generate`.
#[derive(clap::Args)]
pub struct Args {
    /// Root folder to write `wire/…` and `wire/MANIFEST` under.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: &Args) -> Result<()> {
    let fixtures = kafka_wire::golden::fixtures().context("encoding fixtures")?;
    for f in &fixtures {
        let path = args.out.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
        }
        std::fs::write(&path, &f.bytes).with_context(|| path.display().to_string())?;
    }
    let manifest = args.out.join("wire/MANIFEST");
    std::fs::write(&manifest, kafka_wire::golden::manifest(&fixtures))?;
    println!(
        "wrote {} fixtures and {}",
        fixtures.len(),
        manifest.display()
    );
    Ok(())
}
