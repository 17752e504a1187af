//! Aliases through the Rust `aws-sdk-lambda` against a real server: CreateAlias, GetAlias, UpdateAlias,
//! DeleteAlias and ListAliases, their routing rules, RevisionIds and AWS's error texts (SPEC §5.2, §11, §13.2).

mod common;

use std::collections::HashMap;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::operation::create_alias::CreateAliasError;
use aws_sdk_lambda::operation::delete_alias::DeleteAliasError;
use aws_sdk_lambda::operation::get_alias::GetAliasError;
use aws_sdk_lambda::operation::get_policy::GetPolicyError;
use aws_sdk_lambda::operation::list_aliases::ListAliasesError;
use aws_sdk_lambda::operation::update_alias::UpdateAliasError;
use aws_sdk_lambda::types::AliasRoutingConfiguration;
use aws_sdk_lambda::Client;

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:000000000000:function:{name}")
}

fn weights(version: &str, weight: f64) -> AliasRoutingConfiguration {
    AliasRoutingConfiguration::builder()
        .set_additional_version_weights(Some(HashMap::from([(version.to_owned(), weight)])))
        .build()
}

/// A function with versions 1..=n published.
async fn function_with_versions(client: &Client, n: i32) -> String {
    let name = common::unique("fn");
    common::create_function(client, &name).await;
    for t in 0..n {
        client.update_function_configuration().function_name(&name).timeout(10 + t).send().await.unwrap();
        client.publish_version().function_name(&name).send().await.unwrap();
    }
    name
}

#[tokio::test]
async fn create_and_get_alias() {
    let server = common::start().await;
    let client = server.client();
    let name = function_with_versions(&client, 2).await;
    let before = client.get_function_configuration().function_name(&name).send().await.unwrap();
    let created = client
        .create_alias()
        .function_name(&name)
        .name("2025-06-30")
        .function_version("1")
        .routing_config(weights("2", 0.25))
        .send()
        .await
        .unwrap();
    assert_eq!(created.alias_arn(), Some(format!("{}:2025-06-30", arn(&name)).as_str()));
    assert_eq!(created.function_version(), Some("1"));
    assert_eq!(created.description(), Some(""));
    assert_eq!(created.routing_config().unwrap().additional_version_weights().unwrap().get("2"), Some(&0.25));
    assert_eq!(created.revision_id().unwrap().len(), 36);
    // CreateAlias changes no function RevisionId.
    let after = client.get_function_configuration().function_name(&name).send().await.unwrap();
    assert_eq!(after.revision_id(), before.revision_id());

    let got = client.get_alias().function_name(&name).name("2025-06-30").send().await.unwrap();
    assert_eq!(got.revision_id(), created.revision_id());
    assert_eq!(got.routing_config(), created.routing_config());

    let plain = client
        .create_alias()
        .function_name(arn(&name))
        .name("latest")
        .function_version("$LATEST")
        .send()
        .await
        .unwrap();
    assert!(plain.routing_config().is_none());
    // An empty weights map is accepted and stored as no routing.
    let empty = client
        .create_alias()
        .function_name(&name)
        .name("empty")
        .function_version("1")
        .routing_config(
            AliasRoutingConfiguration::builder().set_additional_version_weights(Some(HashMap::new())).build(),
        )
        .send()
        .await
        .unwrap();
    assert!(empty.routing_config().is_none());
}

#[tokio::test]
async fn create_alias_errors() {
    let server = common::start().await;
    let client = server.client();
    let name = function_with_versions(&client, 2).await;
    let create =
        |alias: &str, version: &str| client.create_alias().function_name(&name).name(alias).function_version(version);
    create("live", "1").send().await.unwrap();

    let err = create("live", "1").send().await.unwrap_err().into_service_error();
    let CreateAliasError::ResourceConflictException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Alias already exists: {}:live", arn(&name)).as_str()));
    let err = create("other", "9").send().await.unwrap_err().into_service_error();
    let CreateAliasError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}:9", arn(&name)).as_str()));
    let err = client.create_alias().function_name("nope").name("a").function_version("1").send().await.unwrap_err();
    let err = err.into_service_error();
    let CreateAliasError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}:1", arn("nope")).as_str()));

    let err = create("123", "1").send().await.unwrap_err().into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(
        err.message(),
        Some("1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
    );

    let routed = |w: AliasRoutingConfiguration, version: &str| create("routed", version).routing_config(w);
    let two = AliasRoutingConfiguration::builder()
        .set_additional_version_weights(Some(HashMap::from([("1".to_owned(), 0.1), ("2".to_owned(), 0.2)])))
        .build();
    let err = routed(two, "1").send().await.unwrap_err().into_service_error();
    let CreateAliasError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("Number of items in AdditionalVersionWeights cannot be greater than 1"));
    let err = routed(weights("2", 1.5), "1").send().await.unwrap_err().into_service_error();
    assert_eq!(
        err.message(),
        Some("1 validation error detected: Value '{2=1.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]")
    );
    let err = routed(weights("$LATEST", 0.3), "1").send().await.unwrap_err().into_service_error();
    assert_eq!(
        err.message(),
        Some("1 validation error detected: Value '{$LATEST=0.3}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]")
    );
    let err = routed(weights("1", 0.3), "1").send().await.unwrap_err().into_service_error();
    let CreateAliasError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(
        e.message(),
        Some("Invalid function version 1. Function version 1 is already included in routing configuration.")
    );
    let err = routed(weights("1", 0.3), "$LATEST").send().await.unwrap_err().into_service_error();
    let CreateAliasError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("$LATEST is not supported for an alias pointing to more than 1 version"));
    let err = routed(weights("7", 0.3), "1").send().await.unwrap_err().into_service_error();
    let CreateAliasError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}:7", arn(&name)).as_str()));
}

#[tokio::test]
async fn get_alias_errors() {
    let server = common::start().await;
    let client = server.client();
    let name = function_with_versions(&client, 1).await;
    let err = client.get_alias().function_name(&name).name("nope").send().await.unwrap_err().into_service_error();
    let GetAliasError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Cannot find alias arn: {}:nope", arn(&name)).as_str()));
    let err = client.get_alias().function_name("missing").name("a").send().await.unwrap_err().into_service_error();
    let GetAliasError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}", arn("missing")).as_str()));
}

#[tokio::test]
async fn update_alias_changes_present_members_and_always_the_revision() {
    let server = common::start().await;
    let client = server.client();
    let name = function_with_versions(&client, 3).await;
    let created = client
        .create_alias()
        .function_name(&name)
        .name("live")
        .function_version("1")
        .description("d")
        .send()
        .await
        .unwrap();

    // A call that changes nothing still gets a new RevisionId.
    let same = client.update_alias().function_name(&name).name("live").send().await.unwrap();
    assert_ne!(same.revision_id(), created.revision_id());
    assert_eq!((same.function_version(), same.description()), (Some("1"), Some("d")));

    let routed = client
        .update_alias()
        .function_name(&name)
        .name("live")
        .function_version("2")
        .routing_config(weights("3", 0.5))
        .revision_id(same.revision_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(routed.function_version(), Some("2"));
    assert_eq!(routed.description(), Some("d"));
    assert_eq!(routed.routing_config().unwrap().additional_version_weights().unwrap().get("3"), Some(&0.5));
    // A version that only a routing weight references cannot be deleted either [inferred].
    let err = client.delete_function().function_name(&name).qualifier("3").send().await.unwrap_err();
    assert_eq!(
        err.into_service_error().message(),
        Some("Unable to delete version because the following aliases reference it: [live]")
    );
    // Without RoutingConfig the routing stays; with an empty map it goes.
    let kept = client.update_alias().function_name(&name).name("live").description("e").send().await.unwrap();
    assert!(kept.routing_config().is_some());
    let cleared = client
        .update_alias()
        .function_name(&name)
        .name("live")
        .routing_config(
            AliasRoutingConfiguration::builder().set_additional_version_weights(Some(HashMap::new())).build(),
        )
        .send()
        .await
        .unwrap();
    assert!(cleared.routing_config().is_none());
    let got = client.get_alias().function_name(&name).name("live").send().await.unwrap();
    assert_eq!(got.revision_id(), cleared.revision_id());
    assert_eq!(got.description(), Some("e"));
    // GetFunction through the alias follows the new target.
    let cfg = client.get_function_configuration().function_name(format!("{name}:live")).send().await.unwrap();
    assert_eq!(cfg.version(), Some("2"));
}

#[tokio::test]
async fn update_alias_errors() {
    let server = common::start().await;
    let client = server.client();
    let name = function_with_versions(&client, 2).await;
    client.create_alias().function_name(&name).name("live").function_version("1").send().await.unwrap();

    let err = client.update_alias().function_name(&name).name("nope").send().await.unwrap_err().into_service_error();
    let UpdateAliasError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Alias not found: {}:nope", arn(&name)).as_str()));
    let err = client.update_alias().function_name(&name).name("live").revision_id("wrong").send().await.unwrap_err();
    let err = err.into_service_error();
    let UpdateAliasError::PreconditionFailedException(e) = &err else { panic!("{err:?}") };
    assert_eq!(
        e.message(),
        Some("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
    );
    let err = client.update_alias().function_name(&name).name("live").function_version("5").send().await.unwrap_err();
    let err = err.into_service_error();
    let UpdateAliasError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}:5", arn(&name)).as_str()));
    let err = client
        .update_alias()
        .function_name(&name)
        .name("live")
        .routing_config(weights("1", 0.5))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let UpdateAliasError::InvalidParameterValueException(e) = &err else { panic!("{err:?}") };
    assert_eq!(
        e.message(),
        Some("Invalid function version 1. Function version 1 is already included in routing configuration.")
    );
    let err =
        client.update_alias().function_name("missing").name("live").send().await.unwrap_err().into_service_error();
    let UpdateAliasError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}", arn("missing")).as_str()));
    let err = client.update_alias().function_name(&name).name("live").function_version("x").send().await.unwrap_err();
    assert_eq!(
        err.into_service_error().message(),
        Some(
            r"1 validation error detected: Value 'x' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\$LATEST(\.PUBLISHED)?|[0-9]+)"
        )
    );
    // The failures left the alias as it was.
    let got = client.get_alias().function_name(&name).name("live").send().await.unwrap();
    assert_eq!(got.function_version(), Some("1"));
}

#[tokio::test]
async fn delete_alias_is_idempotent_and_takes_its_policy() {
    let server = common::start().await;
    let client = server.client();
    let name = function_with_versions(&client, 1).await;
    client.create_alias().function_name(&name).name("live").function_version("1").send().await.unwrap();
    client
        .add_permission()
        .function_name(&name)
        .qualifier("live")
        .statement_id("s")
        .action("lambda:InvokeFunction")
        .principal("*")
        .send()
        .await
        .unwrap();
    client.delete_alias().function_name(&name).name("live").send().await.unwrap();
    client.delete_alias().function_name(&name).name("live").send().await.unwrap();
    let err = client.get_alias().function_name(&name).name("live").send().await.unwrap_err().into_service_error();
    assert!(matches!(err, GetAliasError::ResourceNotFoundException(_)), "{err:?}");
    // A new alias of the same name starts without the old policy.
    client.create_alias().function_name(&name).name("live").function_version("1").send().await.unwrap();
    let err = client.get_policy().function_name(&name).qualifier("live").send().await.unwrap_err().into_service_error();
    let GetPolicyError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("The resource you requested does not exist."));
    // Version 1 is free to delete once no alias references it.
    client.delete_alias().function_name(&name).name("live").send().await.unwrap();
    client.delete_function().function_name(&name).qualifier("1").send().await.unwrap();

    let err =
        client.delete_alias().function_name("missing").name("live").send().await.unwrap_err().into_service_error();
    let DeleteAliasError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}", arn("missing")).as_str()));
}

#[tokio::test]
async fn list_aliases_filters_and_pages() {
    let server = common::start().await;
    let client = server.client();
    let name = function_with_versions(&client, 2).await;
    for (alias, version) in [("c", "1"), ("a", "2"), ("b", "1"), ("d", "$LATEST")] {
        client.create_alias().function_name(&name).name(alias).function_version(version).send().await.unwrap();
    }
    let all = client.list_aliases().function_name(&name).send().await.unwrap();
    let names: Vec<_> = all.aliases().iter().map(|a| a.name().unwrap()).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert!(all.next_marker().is_none());
    let v1 = client.list_aliases().function_name(&name).function_version("1").send().await.unwrap();
    let names: Vec<_> = v1.aliases().iter().map(|a| a.name().unwrap()).collect();
    assert_eq!(names, ["b", "c"]);

    let mut seen = Vec::new();
    let mut marker = None;
    loop {
        let page =
            client.list_aliases().function_name(&name).max_items(1).set_marker(marker.clone()).send().await.unwrap();
        assert!(page.aliases().len() <= 1);
        seen.extend(page.aliases().iter().map(|a| a.name().unwrap().to_owned()));
        marker = page.next_marker().map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["a", "b", "c", "d"]);

    let err = client.list_aliases().function_name("missing").send().await.unwrap_err().into_service_error();
    let ListAliasesError::ResourceNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some(format!("Function not found: {}", arn("missing")).as_str()));
}

#[tokio::test]
async fn alias_reads_follow_an_arn_into_another_account_when_granted_but_writes_are_denied() {
    let server = common::start().await;
    let owner = server.client_as("111111111111", "us-east-1");
    let other = server.client_as("222222222222", "us-east-1");
    common::create_function(&owner, "shared").await;
    owner.create_alias().function_name("shared").name("live").function_version("$LATEST").send().await.unwrap();
    let partial = "111111111111:function:shared";
    // Reading needs a grant of the read action in the function's policy.
    let err = other.get_alias().function_name(partial).name("live").send().await.unwrap_err().into_service_error();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    assert_eq!(
        err.message(),
        Some("User: arn:aws:iam::222222222222:root is not authorized to perform: lambda:GetAlias on resource: arn:aws:lambda:us-east-1:111111111111:function:shared because no resource-based policy allows the lambda:GetAlias action")
    );
    let err = other.list_aliases().function_name(partial).send().await.unwrap_err().into_service_error();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    for (sid, action) in [("get", "lambda:GetAlias"), ("list", "lambda:ListAliases")] {
        owner
            .add_permission()
            .function_name("shared")
            .statement_id(sid)
            .action(action)
            .principal("222222222222")
            .send()
            .await
            .unwrap();
    }
    let got = other.get_alias().function_name(partial).name("live").send().await.unwrap();
    assert_eq!(got.alias_arn(), Some("arn:aws:lambda:us-east-1:111111111111:function:shared:live"));
    assert_eq!(other.list_aliases().function_name(partial).send().await.unwrap().aliases().len(), 1);
    let err = other.update_alias().function_name(partial).name("live").send().await.unwrap_err().into_service_error();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    let err = other.delete_alias().function_name(partial).name("live").send().await.unwrap_err().into_service_error();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    // The same name in the other account is a different function.
    let err = other.list_aliases().function_name("shared").send().await.unwrap_err().into_service_error();
    assert!(matches!(err, ListAliasesError::ResourceNotFoundException(_)), "{err:?}");
}

#[tokio::test]
async fn routing_violations_show_the_whole_map_once_per_kind() {
    let server = common::start().await;
    let client = server.client();
    let name = function_with_versions(&client, 2).await;
    let map = |entries: &[(&str, f64)]| {
        AliasRoutingConfiguration::builder()
            .set_additional_version_weights(Some(entries.iter().map(|(k, w)| ((*k).to_owned(), *w)).collect()))
            .build()
    };
    let create = |w| client.create_alias().function_name(&name).name("live").function_version("1").routing_config(w);
    // The value of a map member is the map: a valid entry is echoed next to the failing one, and two failing
    // weights make one violation, not two.
    let err = create(map(&[("2", 0.5), ("3", 1.5), ("4", -1.0)])).send().await.unwrap_err().into_service_error();
    assert_eq!(
        err.message(),
        Some("1 validation error detected: Value '{2=0.5, 3=1.5, 4=-1.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]")
    );
    // A bad key and a bad weight: both kinds, keys first.
    let err = create(map(&[("x", 0.5), ("2", 2.0)])).send().await.unwrap_err().into_service_error();
    assert_eq!(
        err.message(),
        Some("2 validation errors detected: Value '{2=2.0, x=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]; Value '{2=2.0, x=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]")
    );
    let err = client.get_alias().function_name(&name).name("live").send().await.unwrap_err().into_service_error();
    assert!(matches!(err, GetAliasError::ResourceNotFoundException(_)), "{err:?}");
}
