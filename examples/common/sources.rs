//! Leave-one-source-out on the bundled training kits, shared by the tuning examples: which
//! recording source each kit comes from, and the bundled clips with their sources.

use std::error::Error;

use cadena::audio::LoadConfig;
use cadena::audio::dataset::{DatasetConfig, load_dir};
use cadena::audio::features::FeatureSpec;
use cadena::data::Dataset;

use crate::case_study;

/// The recording source of a kit (kits of one source are one drum set or one author).
pub fn source(kit: &str) -> Option<&'static str> {
    Some(match kit {
        "ColomboAcousticDrumkit" => "colombo",
        "ElectricEmpireKit" | "HardElectro1" | "VariBreaks" => "artemio",
        "ForzeeStereo" => "forzee",
        "The_Black_Pearl_1.0" => "macarthur",
        k if k.starts_with("Millo") => "millo",
        _ => return None,
    })
}

/// The training kits' recording sources, each held out in turn.
pub const SOURCES: [&str; 5] = ["colombo", "artemio", "forzee", "macarthur", "millo"];

/// Each clip's recording source, `None` for the test kits.
pub type Sources = Vec<Option<&'static str>>;

/// The clips whose recording source passes `keep` (never a test kit's: they have none).
pub fn clips_of(sources: &[Option<&str>], keep: impl Fn(&str) -> bool) -> Vec<usize> {
    (0..sources.len())
        .filter(|&i| sources[i].is_some_and(&keep))
        .collect()
}

/// The bundled clips as `features` at the examples' default rate, with each clip's
/// recording source (the test kits have none and are never selected).
pub fn bundled(features: FeatureSpec) -> Result<(Dataset<f32>, Sources), Box<dyn Error>> {
    let config = DatasetConfig {
        load: LoadConfig {
            sr: Some(case_study::DEFAULT_SR),
        },
        features,
        cache_dir: Some("target/feature-cache".into()),
        verbose: false,
        ..DatasetConfig::default()
    };
    let set = load_dir(case_study::BUNDLED, &config)?;
    let sources = set
        .paths
        .iter()
        .map(|p| source(&case_study::kit_of(p)))
        .collect();
    let data = Dataset::classification(set.features, set.labels, set.class_names.len())?;
    Ok((data, sources))
}
