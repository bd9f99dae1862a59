//! `kafka-cli`: the Kafka wire toolbox.

mod bench;
mod client;
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
    /// Load-generate against a broker: produce or fetch throughput and latency.
    ///
    /// Examples:
    ///   kafka-cli bench produce --bootstrap 127.0.0.1:9093 --topic bench --records 1000000 --record-size 1024 --batch-records 1000 --inflight 8
    ///   kafka-cli bench fetch --bootstrap 127.0.0.1:9093 --topic bench
    Bench(bench::Args),
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Generate(args) => generate::run(&args),
        Command::Bench(args) => bench::run(&args),
    }
}
