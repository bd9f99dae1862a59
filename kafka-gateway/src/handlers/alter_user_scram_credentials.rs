//! AlterUserScramCredentials (51): delete and upsert SCRAM credentials in the users file, checked
//! per user as Kafka's controller checks them (one change per user per request, name, mechanism,
//! iterations); the client sends the salted password, of which only the derived keys are kept.
//! The file is written before the answer, and logins see the change at once.

use std::collections::BTreeMap;

use kafka_wire::messages::alter_user_scram_credentials::{
    AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse,
    AlterUserScramCredentialsResult,
};
use kafka_wire::ErrorCode;

use crate::acl::{Access, Operation};
use crate::auth::scram::{Credential, Mechanism, MAX_ITERATIONS, MIN_ITERATIONS};
use crate::auth::users::Users;
use crate::server::Ctx;

/// One accepted change.
enum Change {
    Delete(Mechanism),
    Upsert(Credential),
}

type Refused = (ErrorCode, String);

/// Kafka's checks, per user in request order: deletions first, then upsertions. Returns the
/// accepted changes (one per user) in that order and the refusals by user.
fn plan(
    req: &AlterUserScramCredentialsRequest,
    users: &Users,
) -> (Vec<(String, Change)>, BTreeMap<String, Refused>) {
    let mut accepted: Vec<(String, Change)> = Vec::new();
    let mut refused: BTreeMap<String, Refused> = BTreeMap::new();
    let twice = || {
        (
            ErrorCode::DUPLICATE_RESOURCE,
            "A user credential cannot be altered twice in the same request".to_string(),
        )
    };
    let checked = |name: &str, code: i8| -> Result<Mechanism, Refused> {
        if name.is_empty() {
            return Err((
                ErrorCode::UNACCEPTABLE_CREDENTIAL,
                "Username must not be empty".into(),
            ));
        }
        Mechanism::from_code(code).ok_or((
            ErrorCode::UNSUPPORTED_SASL_MECHANISM,
            "Unknown SCRAM mechanism".into(),
        ))
    };
    let mut decide = |name: &str, outcome: Result<Change, Refused>| {
        if refused.contains_key(name) {
            return;
        }
        if let Some(i) = accepted.iter().position(|(n, _)| n == name) {
            accepted.remove(i);
            refused.insert(name.to_string(), twice());
            return;
        }
        match outcome {
            Ok(change) => accepted.push((name.to_string(), change)),
            Err(r) => {
                refused.insert(name.to_string(), r);
            }
        }
    };
    for d in &req.deletions {
        let outcome =
            checked(&d.name, d.mechanism).and_then(|m| match users.credential(&d.name, m) {
                Some(_) => Ok(Change::Delete(m)),
                None => Err((
                    ErrorCode::RESOURCE_NOT_FOUND,
                    "Attempt to delete a user credential that does not exist".into(),
                )),
            });
        decide(&d.name, outcome);
    }
    for u in &req.upsertions {
        let outcome = checked(&u.name, u.mechanism).and_then(|m| {
            let iterations = u32::try_from(u.iterations).unwrap_or(0);
            if iterations < MIN_ITERATIONS {
                return Err((
                    ErrorCode::UNACCEPTABLE_CREDENTIAL,
                    "Too few iterations".into(),
                ));
            }
            if iterations > MAX_ITERATIONS {
                return Err((
                    ErrorCode::UNACCEPTABLE_CREDENTIAL,
                    "Too many iterations".into(),
                ));
            }
            Ok(Change::Upsert(Credential::from_salted(
                m,
                &u.salted_password,
                &u.salt,
                iterations,
            )))
        });
        decide(&u.name, outcome);
    }
    (accepted, refused)
}

fn result(
    user: String,
    code: ErrorCode,
    message: Option<String>,
) -> AlterUserScramCredentialsResult {
    AlterUserScramCredentialsResult {
        user,
        error_code: code.0,
        error_message: message,
        ..Default::default()
    }
}

/// Answer an AlterUserScramCredentials request.
pub fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: AlterUserScramCredentialsRequest,
) -> AlterUserScramCredentialsResponse {
    if !access.cluster(Operation::Alter) {
        let mut names: Vec<String> = req
            .deletions
            .iter()
            .map(|d| d.name.clone())
            .chain(req.upsertions.iter().map(|u| u.name.clone()))
            .collect();
        names.sort();
        names.dedup();
        let denial = super::needs_permission("ALTER");
        return AlterUserScramCredentialsResponse {
            results: names
                .into_iter()
                .map(|n| {
                    result(
                        n,
                        ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
                        Some(denial.clone()),
                    )
                })
                .collect(),
            ..Default::default()
        };
    }
    let (accepted, refused) = plan(&req, &ctx.users.get());
    let names: Vec<String> = accepted.iter().map(|(n, _)| n.clone()).collect();
    let saved = ctx.users.update(|users| {
        for (name, change) in accepted {
            match change {
                Change::Delete(m) => {
                    users.remove(&name, m);
                }
                Change::Upsert(c) => users.set(&name, c),
            }
        }
    });
    let mut results: Vec<AlterUserScramCredentialsResult> = match saved {
        Ok(()) => names
            .into_iter()
            .map(|n| result(n, ErrorCode::NONE, None))
            .collect(),
        Err(e) => names
            .into_iter()
            .map(|n| result(n, ErrorCode::KAFKA_STORAGE_ERROR, Some(e.to_string())))
            .collect(),
    };
    results.extend(
        refused
            .into_iter()
            .map(|(n, (code, message))| result(n, code, Some(message))),
    );
    AlterUserScramCredentialsResponse {
        results,
        ..Default::default()
    }
}
