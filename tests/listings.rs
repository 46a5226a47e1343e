//! The listings in `chapters/*.md` are copies of regions of the real sources: this test
//! keeps them in step.
//!
//! A listing is an HTML comment naming a file and an anchor, followed at once by a fenced
//! code block:
//!
//! ````text
//! <!-- listing: examples/ch09_3_sse_server.rs#stream -->
//! ```rust
//! ...
//! ```
//! ````
//!
//! The source marks the region with mdBook's anchor comments, `// ANCHOR: stream` and
//! `// ANCHOR_END: stream`. The block must equal the lines between them, with every anchor
//! line (of any name) left out and the indentation they share removed.

use std::fs;
use std::path::{Path, PathBuf};

/// The marker that starts a listing comment.
const LISTING: &str = "<!-- listing:";

/// One `<!-- listing: PATH#ANCHOR -->` and the block after it.
#[derive(Debug, PartialEq, Eq)]
struct Listing {
    /// 1-based line of the comment in the chapter.
    line: usize,
    path: String,
    anchor: String,
    /// The lines between the fences.
    body: Vec<String>,
}

/// What an anchor comment says.
#[derive(Debug, PartialEq, Eq)]
enum Marker<'a> {
    Start(&'a str),
    End(&'a str),
}

/// Reads an `ANCHOR: name` or `ANCHOR_END: name` marker from a comment line (`//`, `#`,
/// `/*` or `<!--`), as mdBook writes them in any language.
fn marker(line: &str) -> Option<Marker<'_>> {
    let trimmed = line.trim_start();
    if !["//", "#", "/*", "<!--"]
        .iter()
        .any(|c| trimmed.starts_with(c))
    {
        return None;
    }
    let name_after = |tag: &str| {
        let rest = trimmed[trimmed.find(tag)? + tag.len()..].trim_start();
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    };
    // "ANCHOR_END:" does not contain "ANCHOR:", so the two cannot be confused.
    if let Some(name) = name_after("ANCHOR_END:") {
        Some(Marker::End(name))
    } else {
        name_after("ANCHOR:").map(Marker::Start)
    }
}

/// Every anchor in `source` must be closed, once, after it opens.
fn check_anchors(source: &str) -> Result<(), String> {
    let mut open: Vec<(&str, usize)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (i, line) in source.lines().enumerate() {
        match marker(line) {
            Some(Marker::Start(name)) => {
                if seen.contains(&name) {
                    return Err(format!("line {}: anchor `{name}` opened twice", i + 1));
                }
                seen.push(name);
                open.push((name, i + 1));
            }
            Some(Marker::End(name)) => match open.iter().position(|&(n, _)| n == name) {
                Some(at) => {
                    open.remove(at);
                }
                None => {
                    return Err(format!(
                        "line {}: ANCHOR_END `{name}` without an ANCHOR before it",
                        i + 1
                    ));
                }
            },
            None => {}
        }
    }
    match open.first() {
        Some((name, line)) => Err(format!("line {line}: ANCHOR `{name}` has no ANCHOR_END")),
        None => Ok(()),
    }
}

/// The lines of region `anchor` in `source`: anchor lines dropped, shared indentation
/// removed.
fn extract(source: &str, anchor: &str) -> Result<Vec<String>, String> {
    extract_with_lines(source, anchor).map(|(body, _)| body)
}

/// Like [`extract`], and also the 1-based lines of the two anchor comments.
fn extract_with_lines(source: &str, anchor: &str) -> Result<(Vec<String>, (usize, usize)), String> {
    check_anchors(source)?;
    let lines: Vec<&str> = source.lines().collect();
    let start = lines
        .iter()
        .position(|l| marker(l) == Some(Marker::Start(anchor)))
        .ok_or_else(|| format!("no `ANCHOR: {anchor}` in the file"))?;
    let end = start
        + lines[start..]
            .iter()
            .position(|l| marker(l) == Some(Marker::End(anchor)))
            .ok_or_else(|| format!("`ANCHOR: {anchor}` has no ANCHOR_END"))?;
    let body: Vec<&str> = lines[start + 1..end]
        .iter()
        .copied()
        .filter(|l| marker(l).is_none())
        .collect();
    Ok((dedent(&body), (start + 1, end + 1)))
}

/// Removes the leading whitespace every non-blank line shares; blank lines become empty.
fn dedent(lines: &[&str]) -> Vec<String> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let common = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent(l))
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                // The shared prefix is whitespace, so `common` is a character boundary.
                l[common..].to_string()
            }
        })
        .collect()
}

/// Finds the listings of a chapter; a malformed one is an error.
fn listings(chapter: &str) -> Result<Vec<Listing>, String> {
    let lines: Vec<&str> = chapter.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        i += 1;
        if !line.starts_with(LISTING) {
            continue;
        }
        let at = i; // 1-based line of the comment
        let spec = line[LISTING.len()..]
            .strip_suffix("-->")
            .ok_or_else(|| format!("line {at}: listing comment must end with `-->` on its line"))?
            .trim();
        let (path, anchor) = spec
            .split_once('#')
            .filter(|(p, a)| !p.is_empty() && !a.is_empty())
            .ok_or_else(|| format!("line {at}: expected `{LISTING} PATH#ANCHOR -->`"))?;
        let fence = lines.get(i).map(|l| l.trim_end()).unwrap_or_default();
        if !fence.starts_with("```") {
            return Err(format!(
                "line {at}: the listing comment must be followed at once by a ``` block"
            ));
        }
        let ticks = fence.len() - fence.trim_start_matches('`').len();
        let close = lines[i + 1..]
            .iter()
            .position(|l| {
                let l = l.trim_end();
                l.len() >= ticks && l.bytes().all(|b| b == b'`')
            })
            .ok_or_else(|| format!("line {at}: the code block is never closed"))?;
        let body = lines[i + 1..i + 1 + close]
            .iter()
            .map(|l| l.to_string())
            .collect();
        found.push(Listing {
            line: at,
            path: path.to_string(),
            anchor: anchor.to_string(),
            body,
        });
        i += close + 2;
    }
    Ok(found)
}

/// Where `expected` and `found` first differ, for the failure message.
fn diff_hint(expected: &[String], found: &[String]) -> String {
    let first = expected
        .iter()
        .zip(found)
        .position(|(e, f)| e != f)
        .unwrap_or(expected.len().min(found.len()));
    let show = |lines: &[String]| match lines.get(first) {
        Some(l) => format!("{l:?}"),
        None => "(no line: the text ends here)".to_string(),
    };
    format!(
        "first difference at line {} of the block (source has {} lines, chapter has {}):\n  \
         source:  {}\n  chapter: {}",
        first + 1,
        expected.len(),
        found.len(),
        show(expected),
        show(found),
    )
}

/// Checks every listing of one chapter; `read` gives a source file by its path.
fn check_chapter(name: &str, chapter: &str, read: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let listings = match listings(chapter) {
        Ok(listings) => listings,
        Err(e) => return vec![format!("{name}: {e}")],
    };
    let mut errors = Vec::new();
    for listing in listings {
        let here = format!(
            "{name}:{}: listing {}#{}",
            listing.line, listing.path, listing.anchor
        );
        let Some(source) = read(&listing.path) else {
            errors.push(format!("{here}: no such file {}", listing.path));
            continue;
        };
        match extract_with_lines(&source, &listing.anchor) {
            Err(e) => errors.push(format!("{here}: {}: {e}", listing.path)),
            Ok((expected, (from, to))) if expected != listing.body => errors.push(format!(
                "{here}: the block differs from the region at {}:{from}-{to}\n{}",
                listing.path,
                diff_hint(&expected, &listing.body)
            )),
            Ok(_) => {}
        }
    }
    errors
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads a file named relative to the crate root; only plain relative paths are allowed.
fn read_source(path: &str) -> Option<String> {
    let relative = Path::new(path);
    if relative.is_absolute() || path.split('/').any(|part| part == "..") {
        return None;
    }
    fs::read_to_string(root().join(relative)).ok()
}

/// The files of `dir` (recursively) whose names end in one of `extensions`.
fn files_under(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, extensions, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e))
        {
            out.push(path);
        }
    }
}

#[test]
fn chapter_listings_match_the_sources() {
    let mut chapters = Vec::new();
    files_under(&root().join("chapters"), &["md"], &mut chapters);
    chapters.sort();
    assert!(!chapters.is_empty(), "no chapters/*.md found");
    let mut errors = Vec::new();
    let mut count = 0;
    for path in &chapters {
        let name = path
            .strip_prefix(root())
            .unwrap_or(path)
            .display()
            .to_string();
        let text = fs::read_to_string(path).unwrap();
        count += listings(&text).map(|l| l.len()).unwrap_or(0);
        errors.extend(check_chapter(&name, &text, read_source));
    }
    assert!(count > 0, "the chapters contain no listings at all");
    assert!(errors.is_empty(), "\n{}\n", errors.join("\n\n"));
}

#[test]
fn every_anchor_in_the_sources_is_closed() {
    let mut sources = Vec::new();
    for dir in ["src", "examples", "benches"] {
        files_under(&root().join(dir), &["rs", "html"], &mut sources);
    }
    sources.sort();
    let errors: Vec<String> = sources
        .iter()
        .filter_map(|path| {
            let text = fs::read_to_string(path).ok()?;
            let name = path.strip_prefix(root()).unwrap_or(path).display();
            check_anchors(&text).err().map(|e| format!("{name}: {e}"))
        })
        .collect();
    assert!(errors.is_empty(), "\n{}\n", errors.join("\n"));
}

// The checker itself, on inline text: it must be able to fail.

const SOURCE: &str = "\
fn outside() {}
impl Thing {
    // ANCHOR: method
    fn method(&self) {
        // ANCHOR: inner
        work();
        // ANCHOR_END: inner

        done();
    }
    // ANCHOR_END: method
}
";

fn chapter_with(block: &str) -> String {
    format!(
        "# Title\n\nText.\n\n<!-- listing: src/thing.rs#method -->\n```rust\n{block}```\n\nMore.\n"
    )
}

fn check(chapter: &str, source: &str) -> Vec<String> {
    check_chapter("chapters/test.md", chapter, |path| {
        (path == "src/thing.rs").then(|| source.to_string())
    })
}

#[test]
fn extract_drops_nested_anchors_and_shared_indentation() {
    let body = extract(SOURCE, "method").unwrap();
    assert_eq!(
        body,
        ["fn method(&self) {", "    work();", "", "    done();", "}"]
    );
    assert_eq!(extract(SOURCE, "inner").unwrap(), ["work();"]);
}

#[test]
fn a_matching_block_passes() {
    let chapter = chapter_with("fn method(&self) {\n    work();\n\n    done();\n}\n");
    assert_eq!(check(&chapter, SOURCE), Vec::<String>::new());
}

#[test]
fn a_changed_line_is_reported_with_chapter_file_and_anchor() {
    let chapter = chapter_with("fn method(&self) {\n    work();\n\n    finish();\n}\n");
    let errors = check(&chapter, SOURCE);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert!(e.contains("chapters/test.md:5"), "{e}");
    assert!(e.contains("src/thing.rs#method"), "{e}");
    assert!(e.contains("src/thing.rs:3-11"), "{e}");
    assert!(e.contains("line 4 of the block"), "{e}");
    assert!(
        e.contains("\"    done();\"") && e.contains("\"    finish();\""),
        "{e}"
    );
}

#[test]
fn a_missing_or_extra_line_is_reported() {
    let shorter = chapter_with("fn method(&self) {\n    work();\n}\n");
    assert_eq!(check(&shorter, SOURCE).len(), 1);
    let longer = chapter_with("fn method(&self) {\n    work();\n\n    done();\n}\n// more\n");
    assert_eq!(check(&longer, SOURCE).len(), 1);
    // Indentation counts: a block indented one level deeper is not the same text.
    let indented =
        chapter_with("    fn method(&self) {\n        work();\n\n        done();\n    }\n");
    assert_eq!(check(&indented, SOURCE).len(), 1);
}

#[test]
fn a_missing_anchor_or_file_is_reported() {
    let chapter = "<!-- listing: src/thing.rs#nope -->\n```rust\n```\n";
    let errors = check(chapter, SOURCE);
    assert!(
        errors.len() == 1 && errors[0].contains("no `ANCHOR: nope`"),
        "{errors:?}"
    );
    let chapter = "<!-- listing: src/other.rs#method -->\n```rust\n```\n";
    let errors = check(chapter, SOURCE);
    assert!(
        errors.len() == 1 && errors[0].contains("no such file src/other.rs"),
        "{errors:?}"
    );
}

#[test]
fn an_unclosed_anchor_is_reported() {
    let source = "// ANCHOR: a\nx();\n// ANCHOR: b\ny();\n// ANCHOR_END: a\n";
    let e = check_anchors(source).unwrap_err();
    assert!(
        e.contains("line 3") && e.contains("`b` has no ANCHOR_END"),
        "{e}"
    );
    assert!(extract(source, "a").is_err());
    assert!(check_anchors("// ANCHOR_END: a\n").is_err());
    assert!(
        check_anchors("// ANCHOR: a\n// ANCHOR_END: a\n// ANCHOR: a\n// ANCHOR_END: a\n").is_err()
    );
}

#[test]
fn malformed_listings_are_reported() {
    let table = [
        "<!-- listing: src/thing.rs -->\n```rust\n```\n",
        "<!-- listing: src/thing.rs#method\n```rust\n```\n",
        "<!-- listing: src/thing.rs#method -->\n\n```rust\n```\n",
        "<!-- listing: src/thing.rs#method -->\n```rust\nfn never_closed() {}\n",
    ];
    for chapter in table {
        assert_eq!(check(chapter, SOURCE).len(), 1, "{chapter:?}");
    }
}

#[test]
fn markers_are_read_from_comments_of_any_language() {
    assert_eq!(
        marker("    // ANCHOR: stream"),
        Some(Marker::Start("stream"))
    );
    assert_eq!(marker("// ANCHOR_END: stream"), Some(Marker::End("stream")));
    assert_eq!(marker("<!-- ANCHOR: page -->"), Some(Marker::Start("page")));
    assert_eq!(marker("# ANCHOR_END: run-it"), Some(Marker::End("run-it")));
    assert_eq!(marker("let anchor = \"ANCHOR: x\";"), None);
    assert_eq!(marker("// ANCHOR:"), None);
}

#[test]
fn longer_fences_and_other_languages_work() {
    let source =
        "<div>\n  <!-- ANCHOR: page -->\n  <p>hi</p>\n  <!-- ANCHOR_END: page -->\n</div>\n";
    let chapter = "<!-- listing: src/thing.rs#page -->\n````html\n<p>hi</p>\n````\n";
    assert_eq!(check(chapter, source), Vec::<String>::new());
}
