//! rota: who is on call in a given ISO week, from a TOML rota file.
use serde::Deserialize;
use std::{env, fs, process};

const DEFAULT_CONFIG: &str = "/etc/rota/rota.toml";

#[derive(Debug, Deserialize)]
struct Rota {
    team: String,
    handover: String,
    #[serde(rename = "member")]
    members: Vec<Member>,
}

#[derive(Debug, Deserialize)]
struct Member {
    name: String,
    phone: String,
}

fn usage() -> ! {
    eprintln!("usage: rota [--config FILE] [--week N | --weeks N]");
    process::exit(2)
}

fn main() {
    let mut config = env::var("ROTA_CONFIG").unwrap_or_else(|_| DEFAULT_CONFIG.to_string());
    let mut first = 1u32;
    let mut count = 1u32;
    let mut args = env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--config" => config = args.next().unwrap_or_else(|| usage()),
            "--week" => first = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage()),
            "--weeks" => count = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage()),
            "--version" => {
                println!("rota {}", env!("CARGO_PKG_VERSION"));
                return;
            }
            _ => usage(),
        }
    }
    let text = fs::read_to_string(&config).unwrap_or_else(|e| {
        eprintln!("rota: cannot read {}: {}", config, e);
        process::exit(1)
    });
    let rota: Rota = toml::from_str(&text).unwrap_or_else(|e| {
        eprintln!("rota: {}: {}", config, e);
        process::exit(1)
    });
    if rota.members.is_empty() || first == 0 || first > 53 {
        usage();
    }
    println!("team {} (handover {}), from {}", rota.team, rota.handover, config);
    for w in first..first + count {
        let m = &rota.members[((w - 1) as usize) % rota.members.len()];
        println!("week {:2}: {} ({})", w, m.name, m.phone);
    }
}
