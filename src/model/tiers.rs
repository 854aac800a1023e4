//! The model tiers cria knows by name, and where `scripts/fetch-model` puts them.

use std::path::PathBuf;

pub struct Tier {
    pub name: &'static str,
    pub file: &'static str,
    pub description: &'static str,
}

pub const TIERS: &[Tier] = &[
    Tier {
        name: "test",
        file: "SmolLM2-135M-Instruct.Q4_1.gguf",
        description: "SmolLM2 135M (98 MB): for tests only",
    },
    Tier {
        name: "nano",
        file: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        description: "Qwen2.5-Coder 0.5B Instruct (491 MB)",
    },
    Tier {
        name: "mini",
        file: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        description: "Qwen2.5-Coder 1.5B Instruct (1.1 GB): the default",
    },
];

pub const DEFAULT_TIER: &str = "mini";

pub fn models_dir() -> PathBuf {
    crate::state::cache_dir().join("models")
}

/// A `--model` value: a tier name, or a path to any GGUF file.
pub fn resolve(spec: &str) -> (PathBuf, Option<&'static str>) {
    match TIERS.iter().find(|t| t.name == spec) {
        Some(t) => (models_dir().join(t.file), Some(t.name)),
        None => (PathBuf::from(spec), None),
    }
}
