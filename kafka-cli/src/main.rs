//! `kafka-cli`: the Kafka wire toolbox.

mod generate;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Inspect and exercise the Kafka wire protocol.
#[derive(Parser)]
#[command(name = "kafka-cli", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the golden wire fixtures: one request and one response frame per (API, version).
    ///
    /// Example: kafka-cli generate --out fixtures/
    Generate(generate::Args),
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Generate(args) => generate::run(&args),
    }
}
