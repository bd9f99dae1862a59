//! `kafka-cli user add`: put a user's salted SCRAM credential into the gateway's users file
//! (`kafka-gateway serve --users FILE`). The password is read from standard input (one line),
//! so it appears in neither the process list nor the shell history, and is never written.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use kafka_gateway::auth::scram::{Credential, Mechanism, MIN_ITERATIONS};
use kafka_gateway::auth::users::Users;

/// Arguments of `user`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Add a user, or replace its credential for the mechanism; the password is read from stdin.
    Add {
        /// User name.
        name: String,
        /// SCRAM-SHA-256 or SCRAM-SHA-512 (PLAIN logins are checked against either).
        #[arg(long, default_value = "SCRAM-SHA-512")]
        mechanism: String,
        /// PBKDF2 iterations (at least 4096).
        #[arg(long, default_value_t = 8192)]
        iterations: u32,
        /// The users file (created if missing).
        #[arg(long)]
        users: PathBuf,
    },
    /// List the users in a users file and their mechanisms.
    List {
        /// The users file.
        #[arg(long)]
        users: PathBuf,
    },
}

/// Run `user`.
pub fn run(args: &Args) -> Result<()> {
    match &args.action {
        Action::Add {
            name,
            mechanism,
            iterations,
            users,
        } => {
            let m = Mechanism::from_name(mechanism)
                .with_context(|| format!("{mechanism}: expected SCRAM-SHA-256 or SCRAM-SHA-512"))?;
            if *iterations < MIN_ITERATIONS {
                bail!("--iterations {iterations}: at least {MIN_ITERATIONS}");
            }
            if name.is_empty() {
                bail!("the user name is empty");
            }
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            if password.is_empty() {
                bail!("no password on standard input");
            }
            let mut all = Users::load(users)?;
            all.set(name, Credential::generate(m, password, *iterations));
            all.save(users)?;
            eprintln!(
                "{name}: {} credential written to {}",
                m.name(),
                users.display()
            );
            Ok(())
        }
        Action::List { users } => {
            let all = Users::load(users)?;
            for name in all.names() {
                let mechs: Vec<&str> = [Mechanism::Sha256, Mechanism::Sha512]
                    .into_iter()
                    .filter(|m| all.credential(name, *m).is_some())
                    .map(Mechanism::name)
                    .collect();
                println!("{name}\t{}", mechs.join(","));
            }
            Ok(())
        }
    }
}
