//! DescribeUserScramCredentials (50): each user's SCRAM mechanisms and iteration counts from the
//! users file (never a salt or key), with Kafka's errors for unknown and repeated users.

use kafka_wire::messages::describe_user_scram_credentials::{
    CredentialInfo, DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse,
    DescribeUserScramCredentialsResult,
};
use kafka_wire::ErrorCode;

use crate::acl::{Access, Operation};
use crate::server::Ctx;

/// Answer a DescribeUserScramCredentials request (no users named: every user).
pub fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: DescribeUserScramCredentialsRequest,
) -> DescribeUserScramCredentialsResponse {
    if !access.cluster(Operation::Describe) {
        // Kafka fills one nameless result per user asked for.
        let results = req
            .users
            .unwrap_or_default()
            .into_iter()
            .map(|_| DescribeUserScramCredentialsResult {
                error_code: ErrorCode::CLUSTER_AUTHORIZATION_FAILED.0,
                error_message: None,
                ..Default::default()
            })
            .collect();
        return DescribeUserScramCredentialsResponse {
            error_code: ErrorCode::CLUSTER_AUTHORIZATION_FAILED.0,
            error_message: None,
            results,
            ..Default::default()
        };
    }
    let users = ctx.users.get();
    let asked: Vec<String> = match req.users {
        Some(list) if !list.is_empty() => list.into_iter().map(|u| u.name).collect(),
        _ => users.names().map(str::to_string).collect(),
    };
    let mut results = Vec::with_capacity(asked.len());
    for (i, name) in asked.iter().enumerate() {
        if asked[..i].contains(name) {
            continue;
        }
        let result = if asked[i + 1..].contains(name) {
            DescribeUserScramCredentialsResult {
                user: name.clone(),
                error_code: ErrorCode::DUPLICATE_RESOURCE.0,
                error_message: Some(format!(
                    "Cannot describe SCRAM credentials for the same user twice in a single request: {name}"
                )),
                ..Default::default()
            }
        } else {
            match users.credentials(name) {
                [] => DescribeUserScramCredentialsResult {
                    user: name.clone(),
                    error_code: ErrorCode::RESOURCE_NOT_FOUND.0,
                    error_message: Some(format!(
                        "Attempt to describe a user credential that does not exist: {name}"
                    )),
                    ..Default::default()
                },
                creds => DescribeUserScramCredentialsResult {
                    user: name.clone(),
                    error_code: 0,
                    error_message: Some(String::new()),
                    credential_infos: creds
                        .iter()
                        .map(|c| CredentialInfo {
                            mechanism: c.mechanism.code(),
                            iterations: i32::try_from(c.iterations).unwrap_or(i32::MAX),
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                },
            }
        };
        results.push(result);
    }
    DescribeUserScramCredentialsResponse {
        error_code: 0,
        error_message: Some(String::new()),
        results,
        ..Default::default()
    }
}
