//! habits: track daily habits in a SQLite file.
//!
//!   habits [--db FILE] done HABIT DATE
//!   habits [--db FILE] streaks
//!   habits selftest
use rusqlite::{params, Connection, Result};
use std::env;
use std::process::exit;

fn open(path: &str) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS done (
             habit TEXT NOT NULL,
             day   TEXT NOT NULL,          -- YYYY-MM-DD
             PRIMARY KEY (habit, day)
         );",
    )?;
    Ok(conn)
}

fn mark(conn: &Connection, habit: &str, day: &str) -> Result<()> {
    conn.execute("INSERT OR IGNORE INTO done (habit, day) VALUES (?1, ?2)", params![habit, day])?;
    Ok(())
}

/// Longest run of consecutive days per habit (gaps-and-islands with julianday).
fn streaks(conn: &Connection) -> Result<Vec<(String, i64, i64)>> {
    let mut st = conn.prepare(
        "WITH d AS (
             SELECT habit, day,
                    julianday(day) - ROW_NUMBER() OVER (PARTITION BY habit ORDER BY day) AS grp
             FROM done)
         SELECT habit, MAX(n), SUM(n) FROM
             (SELECT habit, COUNT(*) AS n FROM d GROUP BY habit, grp)
         GROUP BY habit ORDER BY habit",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

fn print_streaks(conn: &Connection) -> Result<()> {
    for (habit, best, total) in streaks(conn)? {
        println!("{habit}: best streak {best} days, {total} days in all");
    }
    Ok(())
}

fn run(args: &[String]) -> Result<i32> {
    let mut db = env::var("HABITS_DB").unwrap_or_else(|_| "/var/lib/habits/habits.db".into());
    let mut rest = args;
    if rest.len() >= 2 && rest[0] == "--db" {
        db = rest[1].clone();
        rest = &rest[2..];
    }
    match rest.first().map(String::as_str) {
        Some("done") if rest.len() == 3 => {
            mark(&open(&db)?, &rest[1], &rest[2])?;
        }
        Some("streaks") => print_streaks(&open(&db)?)?,
        Some("selftest") => {
            let conn = open(":memory:")?;
            let v: String = conn.query_row("SELECT sqlite_version()", [], |r| r.get(0))?;
            println!("habits {} with SQLite {} (rusqlite, system libsqlite3)", env!("CARGO_PKG_VERSION"), v);
            for day in ["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-05", "2024-03-06"] {
                mark(&conn, "run", day)?;
            }
            for day in ["2024-03-01", "2024-03-03"] {
                mark(&conn, "read", day)?;
            }
            mark(&conn, "run", "2024-03-02")?; // duplicate, ignored
            print_streaks(&conn)?;
        }
        _ => {
            eprintln!("usage: habits [--db FILE] done HABIT YYYY-MM-DD | streaks | selftest");
            return Ok(2);
        }
    }
    Ok(0)
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => exit(code),
        Err(e) => {
            eprintln!("habits: {e}");
            exit(1)
        }
    }
}
