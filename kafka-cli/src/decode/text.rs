//! Hex text as people paste it: plain hex (`00 00 00 12`, `0x0000…`, `\x00`), `xxd`,
//! `hexdump -C` (including its `*` for repeated lines) and Wireshark/tshark `-x` dumps (one
//! section per packet, `Reassembled TCP (N bytes):` labels).
//!
//! The result is a list of sections: a dump restarting at offset 0, a blank line after a dump,
//! or a label starts a new one, so a multi-packet tshark paste keeps its packets apart.

use std::fmt;

/// One contiguous run of bytes from the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// The label line before it (`Frame (74 bytes):`), if any.
    pub label: Option<String>,
    /// Whether it came from an offset-led dump (xxd, hexdump, tshark) rather than plain hex.
    pub dump: bool,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Why the text is not hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong on it.
    pub reason: String,
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for TextError {}

fn hex_val(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Append the bytes of an even-length hex string.
fn push_hex(out: &mut Vec<u8>, s: &str) -> Option<()> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    for pair in b.chunks_exact(2) {
        let &[hi, lo] = pair else {
            return None;
        };
        out.push(hex_val(hi)? << 4 | hex_val(lo)?);
    }
    Some(())
}

/// An offset-led dump line: its offset and its bytes.
fn dump_line(line: &str) -> Option<(usize, Vec<u8>)> {
    let off_len = line.bytes().take_while(u8::is_ascii_hexdigit).count();
    if off_len < 4 {
        return None;
    }
    let offset = usize::from_str_radix(line.get(..off_len)?, 16).ok()?;
    let rest = line.get(off_len..)?;
    // xxd: "00000010: 6162 6364  abcd" (ASCII after two spaces); hexdump -C and tshark:
    // "0010  61 62 63 64   abcd" or "…  |abcd|" (a two-space gap may split the hex).
    let (hex, end_gap) = if let Some(r) = rest.strip_prefix(": ") {
        (r, "  ")
    } else if let Some(r) = rest.strip_prefix("  ") {
        (r.split('|').next().unwrap_or(r), "   ")
    } else {
        return None;
    };
    let hex = hex.split(end_gap).next().unwrap_or(hex);
    let mut bytes = Vec::new();
    for tok in hex.split_whitespace() {
        if tok.len() > 8 {
            return None;
        }
        push_hex(&mut bytes, tok)?;
    }
    Some((offset, bytes))
}

/// Plain hex: whitespace, commas, `0x` and `\x` prefixes are ignored.
fn plain_line(line: &str, out: &mut Vec<u8>) -> Option<()> {
    let cleaned: String = line
        .replace("0x", " ")
        .replace("0X", " ")
        .replace("\\x", " ")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != ':')
        .collect();
    // A byte may be split across a line break in long pastes; keep nibbles together.
    push_hex(out, &cleaned)
}

/// Parse hex text into sections.
pub fn parse(text: &str) -> Result<Vec<Section>, TextError> {
    let mut sections: Vec<Section> = Vec::new();
    let mut cur = Section::default();
    let mut plain = String::new();
    let mut last_line: Vec<u8> = Vec::new();
    let mut repeat = false;
    let flush = |cur: &mut Section, sections: &mut Vec<Section>| {
        if !cur.bytes.is_empty() {
            sections.push(std::mem::take(cur));
        }
        *cur = Section::default();
    };
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let lineno = n + 1;
        let err = |reason: String| TextError {
            line: lineno,
            reason,
        };
        if line.trim().is_empty() {
            if cur.dump {
                flush(&mut cur, &mut sections);
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.ends_with("):") || trimmed.ends_with("bytes):") {
            flush(&mut cur, &mut sections);
            cur.label = Some(trimmed.trim_end_matches(':').to_string());
            continue;
        }
        if trimmed == "*" {
            repeat = true;
            continue;
        }
        // hexdump -C ends with a line holding only the total length.
        if cur.dump && trimmed.len() >= 7 && trimmed.bytes().all(|c| c.is_ascii_hexdigit()) {
            let end = usize::from_str_radix(trimmed, 16).map_err(|e| err(e.to_string()))?;
            fill_repeats(&mut cur.bytes, &last_line, end, &mut repeat);
            continue;
        }
        if let Some((offset, bytes)) = dump_line(line) {
            if offset == 0 && !cur.bytes.is_empty() {
                flush(&mut cur, &mut sections);
            }
            fill_repeats(&mut cur.bytes, &last_line, offset, &mut repeat);
            if offset != cur.bytes.len() {
                return Err(err(format!(
                    "dump offset {offset:#x} but {:#x} bytes read so far",
                    cur.bytes.len()
                )));
            }
            cur.dump = true;
            cur.bytes.extend_from_slice(&bytes);
            last_line = bytes;
            continue;
        }
        if cur.dump {
            return Err(err(format!("not a dump line: {line:?}")));
        }
        plain.push_str(line);
        plain.push(' ');
    }
    if !plain.trim().is_empty() {
        let mut bytes = Vec::new();
        plain_line(&plain, &mut bytes).ok_or_else(|| TextError {
            line: 1,
            reason:
                "not hex (expected pairs of hex digits, or an xxd / hexdump -C / tshark -x dump)"
                    .into(),
        })?;
        cur.bytes = bytes;
    }
    flush(&mut cur, &mut sections);
    Ok(sections)
}

/// Expand hexdump's `*` (previous line repeated) up to `until`.
fn fill_repeats(bytes: &mut Vec<u8>, line: &[u8], until: usize, repeat: &mut bool) {
    if std::mem::take(repeat) && !line.is_empty() {
        while bytes.len() + line.len() <= until {
            bytes.extend_from_slice(line);
        }
    }
}

/// Whether `data` looks like text (so it is parsed as hex) rather than raw binary frames.
pub fn looks_like_text(data: &[u8]) -> bool {
    !data.is_empty()
        && data
            .iter()
            .all(|&c| c.is_ascii_graphic() || c.is_ascii_whitespace())
}
