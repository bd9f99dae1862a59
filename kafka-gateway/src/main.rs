//! `kafka-gateway serve`: run the gateway until SIGINT or SIGTERM.

use anyhow::Result;
use clap::{Parser, Subcommand};
use kafka_gateway::config::{Config, ServeArgs};
use kafka_gateway::server::Server;

/// A Kafka-protocol gateway: unmodified Kafka clients produce and consume through it.
#[derive(Parser)]
#[command(name = "kafka-gateway", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Kafka protocol (default 0.0.0.0:9093, data in ./kafka-gateway-data).
    Serve(ServeArgs),
}

/// mimalloc rather than the system allocator: fetch buffers are allocated on tokio's blocking
/// threads and freed on its workers, and glibc's per-thread arenas then keep tens of MB of freed
/// buffers resident (measured: peak RSS 88 MiB with glibc; see docs/PERFORMANCE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return ctrl_c.await.unwrap_or(()),
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.unwrap_or(());
}

/// Log to stderr, filtered by `RUST_LOG` (default `info`); the filter can be replaced at runtime
/// through BROKER_LOGGER configs.
fn init_tracing() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{reload, EnvFilter};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let (filter, handle) = reload::Layer::new(filter);
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer())
        .init();
    kafka_gateway::dynamic::loggers::install(Box::new(move |directives| {
        let filter = EnvFilter::try_new(directives).map_err(|e| e.to_string())?;
        handle.reload(filter).map_err(|e| e.to_string())
    }));
}

#[tokio::main]
async fn main() -> Result<()> {
    init_tracing();
    let Command::Serve(args) = Cli::parse().command;
    let config = Config::resolve(args)?;
    let server = Server::bind(config).await?;
    server.run(shutdown_signal()).await?;
    Ok(())
}
