//! thousands: print integers with thousands separators, e.g. `thousands 1234567` -> 1,234,567.
use std::env;
use std::process::ExitCode;

fn group(n: i128, sep: char) -> String {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(n.unsigned_abs());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let args = if args.is_empty() { vec!["1234567".to_string()] } else { args };
    for a in &args {
        match a.parse::<i128>() {
            Ok(n) => println!("{}", group(n, ',')),
            Err(e) => {
                eprintln!("thousands: {a}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups() {
        assert_eq!(super::group(0, ','), "0");
        assert_eq!(super::group(-1000, ','), "-1,000");
        assert_eq!(super::group(999, ','), "999");
    }
}
