//! `kafka-cli`: the Kafka wire toolbox.

mod bench;
mod client;
mod decode;
mod generate;
mod send;
mod user;

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
    #[command(verbatim_doc_comment)]
    Generate(generate::Args),
    /// Load-generate against a broker: produce or fetch throughput and latency.
    ///
    /// Examples:
    ///   kafka-cli bench produce --bootstrap 127.0.0.1:9093 --topic bench --records 1000000 --record-size 1024 --batch-records 1000 --inflight 8
    ///   kafka-cli bench fetch --bootstrap 127.0.0.1:9093 --topic bench
    #[command(verbatim_doc_comment)]
    Bench(bench::Args),
    /// Decode Kafka frames from hex, a hex dump, raw bytes or a pcap/pcapng capture.
    ///
    /// Requests are recognised by their header; a response is paired with its request by
    /// correlation id (both in the input), else needs --api-key and --api-version. Errors
    /// name the byte offset (after the 4-byte size) and the field that failed.
    ///
    /// Examples:
    ///   kafka-cli decode --hex '0000001e00120003000000010009...'
    ///   xxd request.bin | kafka-cli decode
    ///   kafka-cli decode --response --api-key 18 --api-version 3 response.bin
    ///   kafka-cli decode --pcap capture.pcapng --port 9093 --json --records
    #[command(verbatim_doc_comment)]
    Decode(decode::Args),
    /// Fire one request at any Kafka-compatible broker and print the decoded response.
    ///
    /// Examples:
    ///   kafka-cli send --bootstrap 127.0.0.1:9093 api-versions
    ///   kafka-cli send metadata orders
    ///   kafka-cli send create-topic orders --partitions 3
    ///   kafka-cli send produce orders --partition 0 --key k1 hello world
    ///   kafka-cli send fetch orders --partition 0 --offset 0
    ///   kafka-cli send list-offsets orders --time earliest
    ///   kafka-cli send --json raw fixtures/wire/3-Metadata/v12-request.bin
    #[command(verbatim_doc_comment)]
    Send(send::Args),
    /// Manage the gateway's users file (salted SCRAM credentials; never passwords).
    ///
    /// Examples:
    ///   echo 'alice-secret' | kafka-cli user add alice --mechanism SCRAM-SHA-512 --users users.toml
    ///   kafka-cli user list --users users.toml
    #[command(verbatim_doc_comment)]
    User(user::Args),
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Generate(args) => generate::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Decode(args) => decode::run(&args),
        Command::Send(args) => send::run(&args),
        Command::User(args) => user::run(&args),
    }
}
