//! `cargo xtask codegen [--check] [--spec DIR]`: generate kafka-wire's message modules from
//! Apache Kafka's JSON definitions (kept beside the repository in `../shared/`, not in it).

mod emit;
mod index;
mod spec;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

/// The APIs kafka-wire serves. Adding an API is adding its name here (and to the served table
/// in `kafka-wire/src/api.rs`).
const APIS: &[&str] = &[
    "Produce",
    "Fetch",
    "ListOffsets",
    "Metadata",
    "OffsetCommit",
    "OffsetFetch",
    "FindCoordinator",
    "JoinGroup",
    "Heartbeat",
    "LeaveGroup",
    "SyncGroup",
    "DescribeGroups",
    "ListGroups",
    "SaslHandshake",
    "ApiVersions",
    "CreateTopics",
    "DeleteTopics",
    "DeleteRecords",
    "InitProducerId",
    "OffsetForLeaderEpoch",
    "DescribeAcls",
    "CreateAcls",
    "DeleteAcls",
    "DescribeConfigs",
    "SaslAuthenticate",
    "CreatePartitions",
    "DeleteGroups",
    "OffsetDelete",
    "DescribeCluster",
    "DescribeTopicPartitions",
    "AlterConfigs",
    "IncrementalAlterConfigs",
    "DescribeLogDirs",
    "DescribeProducers",
    "DescribeUserScramCredentials",
    "AlterUserScramCredentials",
    "DescribeClientQuotas",
    "AlterClientQuotas",
    "ListPartitionReassignments",
    "AlterPartitionReassignments",
    "ElectLeaders",
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Default location of the definitions: `../shared/kafka-protocol-spec` beside the checkout.
pub fn default_spec_dir() -> PathBuf {
    workspace_root().join("../shared/kafka-protocol-spec")
}

fn rustfmt(code: &str) -> Result<String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .current_dir(workspace_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running rustfmt")?;
    use std::io::Write;
    child
        .stdin
        .take()
        .context("rustfmt stdin")?
        .write_all(code.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("rustfmt failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// Generate every file: (path relative to the workspace root, contents).
pub fn generate(spec_dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    let mut apis = Vec::new();
    for name in APIS {
        let request = spec::load(&spec_dir.join(format!("{name}Request.json")))?;
        let response = spec::load(&spec_dir.join(format!("{name}Response.json")))?;
        if request.kind != "request" || response.kind != "response" {
            bail!("{name}: unexpected message types");
        }
        apis.push(emit::Api {
            name: name.to_string(),
            module: emit::snake(name),
            request,
            response,
        });
    }
    let dir = PathBuf::from("kafka-wire/src/messages");
    let mut files = Vec::new();
    for api in &apis {
        files.push((
            dir.join(format!("{}.rs", api.module)),
            rustfmt(&emit::module(api)?)?,
        ));
    }
    files.push((dir.join("mod.rs"), rustfmt(&index::index(&apis)?)?));
    Ok(files)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        bail!("usage: cargo xtask codegen [--check] [--spec DIR]");
    };
    if cmd != "codegen" {
        bail!("unknown task {cmd}; the only task is `codegen`");
    }
    let check = args.iter().any(|a| a == "--check");
    let spec_dir = args
        .iter()
        .position(|a| a == "--spec")
        .and_then(|n| args.get(n + 1))
        .map(PathBuf::from)
        .unwrap_or_else(default_spec_dir);
    let root = workspace_root();
    let mut stale = Vec::new();
    for (path, code) in generate(&spec_dir)? {
        let full = root.join(&path);
        let current = std::fs::read_to_string(&full).unwrap_or_default();
        if current != code {
            if check {
                stale.push(path.display().to_string());
            } else {
                std::fs::write(&full, code)?;
                println!("wrote {}", path.display());
            }
        }
    }
    if !stale.is_empty() {
        bail!(
            "generated code is stale (run `cargo xtask codegen`): {}",
            stale.join(", ")
        );
    }
    Ok(())
}
