//! What several of replay's tests share: the scenarios they play.

use std::path::Path;

/// The built-in scenarios (`cargo replay`, `cargo replay --storm`), then every `.jsonl` of
/// `folders` (relative to replay/), each folder's in name order; the hexadecimal form
/// (`*.hex.jsonl`) too when `hex`.
pub fn scenarios(folders: &[&str], hex: bool) -> Vec<(String, String)> {
    let mut all = vec![
        (
            "cargo replay".to_owned(),
            netnotify_replay::LAPTOP_JOINS_WIFI.to_owned(),
        ),
        (
            "cargo replay --storm".to_owned(),
            netnotify_replay::VPN_ROUTE_STORM.to_owned(),
        ),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for folder in folders {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(folder))
            .expect("a scenario folder")
            .map(|entry| entry.expect("entry").path())
            .filter(|path| {
                path.extension().is_some_and(|ext| ext == "jsonl")
                    && (hex || !path.to_string_lossy().ends_with(".hex.jsonl"))
            })
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("scenario");
            all.push((path.display().to_string(), text));
        }
    }
    all
}
