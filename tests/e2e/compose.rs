//! compose.yaml describes the production stack with the variables the binaries read.

use std::collections::BTreeSet;

#[test]
fn every_agora_variable_in_compose_is_a_known_setting() {
    let text = std::fs::read_to_string(agora_tests::root().join("compose.yaml")).unwrap();
    let mut compose: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    compose.apply_merge().expect("merge keys resolve");
    let known: BTreeSet<String> = agora_core::config::known_env_vars().into_iter().collect();
    let services = compose["services"].as_mapping().expect("services");
    for name in [
        "postgres",
        "redis",
        "meilisearch",
        "s3",
        "smtp",
        "api",
        "worker",
    ] {
        assert!(
            services.contains_key(name),
            "compose.yaml lacks the {name} service"
        );
    }
    let mut seen = 0;
    for (name, service) in services {
        let Some(env) = service.get("environment") else {
            continue;
        };
        let vars: Vec<String> = match env {
            serde_yaml_ng::Value::Mapping(m) => m
                .keys()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect(),
            serde_yaml_ng::Value::Sequence(s) => s
                .iter()
                .filter_map(|v| v.as_str().map(|v| v.split('=').next().unwrap().to_owned()))
                .collect(),
            _ => vec![],
        };
        for var in vars.into_iter().filter(|v| v.starts_with("AGORA_")) {
            assert!(
                known.contains(&var),
                "service {name:?} sets {var}, which no setting reads"
            );
            seen += 1;
        }
        assert!(
            service.get("healthcheck").is_some(),
            "service {name:?} has no health check"
        );
    }
    assert!(
        seen >= 10,
        "the api and worker services should be configured through AGORA_* variables"
    );
}
