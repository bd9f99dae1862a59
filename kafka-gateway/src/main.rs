//! `kafka-gateway`: the Kafka-protocol server. Issue 3 builds `serve` on top of `kafka-wire`.

fn main() -> anyhow::Result<()> {
    anyhow::bail!("kafka-gateway serve is not built yet; see the issue tracker")
}
