//! Repo map speed on a generated 5,000-file repository (Python, Rust, JavaScript, Go): tag
//! extraction cold (no cache) and warm (cache), ranking and packing, and peak memory.
//! `cargo bench --bench repo_map`. A benchmark, not a test: it prints, it asserts nothing.

use std::path::Path;
use std::time::Instant;

use cria::context::{index, pack, rank, scan};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn generate(root: &Path, n: usize) {
    for i in 0..n {
        let next = (i * 7 + 1) % n;
        let (ext, body) = match i % 4 {
            0 => ("py", (0..8).map(|f| format!("def handler_{i}_{f}(request):\n    value = handler_{next}_{f}(request)\n    if value is None:\n        return {f}\n    return value + {f}\n\n")).collect::<String>()),
            1 => ("rs", (0..8).map(|f| format!("pub fn handler_{i}_{f}(request: &Request) -> u32 {{\n    let value = handler_{next}_{f}(request);\n    value + {f}\n}}\n\n")).collect()),
            2 => ("js", (0..8).map(|f| format!("export function handler_{i}_{f}(request) {{\n  const value = handler_{next}_{f}(request);\n  return value + {f};\n}}\n\n")).collect()),
            _ => ("go", format!("package p{i}\n\n") + &(0..8).map(|f| format!("func Handler_{i}_{f}(r *Request) int {{\n\tv := Handler_{next}_{f}(r)\n\treturn v + {f}\n}}\n\n")).collect::<String>()),
        };
        write(
            root,
            &format!("pkg{}/sub{}/file_{i}.{ext}", i % 50, i % 7,),
            &body,
        );
    }
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    generate(&root, 5_000);
    let root = root.canonicalize().unwrap();
    let cache = dir.path().join("tags.json");
    let t = Instant::now();
    let (_, cold) = index::build_with_cache(&root, &cache);
    let cold_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (tags, warm) = index::build_with_cache(&root, &cache);
    let warm_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let files = scan::list_files(&root);
    let focus = "handler_1234_5 returns the wrong value for empty requests";
    let ranked = rank::rank(&root, &tags, &files, focus);
    let rank_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let packed = pack::pack(&root, &tags, &ranked, focus, 8_000, &mut |s: &str| {
        s.len().div_ceil(4)
    });
    let pack_s = t.elapsed().as_secs_f64();
    println!(
        "repo map, 5,000 files: tags cold {cold_s:.2} s ({} parsed), warm {warm_s:.2} s ({} from cache); rank {rank_s:.2} s; pack 8k tokens {pack_s:.2} s (top: {}); peak RSS {:.0} MB",
        cold.parsed,
        warm.reused,
        ranked.first().map(|r| r.path.as_str()).unwrap_or("-"),
        peak_rss_mb()
    );
    assert!(packed.tokens <= 8_000);
}
