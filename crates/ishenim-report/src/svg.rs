//! Bar charts as hand-written SVG.
//!
//! Why not `plotters`: its SVG backend measures text through a font stack (font-kit /
//! ttf-parser and the system's fontconfig) or cannot lay out labels without one; our charts
//! are two kinds of bars, and writing them by hand keeps the output small, deterministic
//! (golden-testable), free of inline CSS (strict CSP) and lets every label go through one
//! escaping function. Only presentation attributes are used, so the charts print as they
//! show and need no stylesheet.

use crate::html::esc;
use std::fmt::Write;

/// One stacked series: its legend name and fill colour.
pub(crate) struct Series<'a> {
    pub name: &'a str,
    pub color: &'static str,
}

/// Fill colours (print well in colour and stay distinct in grey).
pub(crate) const BLUE: &str = "#1f5fa8";
pub(crate) const GREEN: &str = "#2e7d32";
pub(crate) const ORANGE: &str = "#e08a00";
pub(crate) const RED: &str = "#c62828";
pub(crate) const LIGHT_BLUE: &str = "#8fb3dd";
pub(crate) const PURPLE: &str = "#7b3fa0";

const W: f64 = 680.0;
const ROW_H: f64 = 22.0;
const BAR_H: f64 = 14.0;
/// Average advance of a 12 px DejaVu Sans / Arial character, Cyrillic included (generous).
const CHAR_W: f64 = 7.8;
const LEGEND_LINE: f64 = 18.0;
const MAX_LABEL: usize = 32;

fn open(out: &mut String, h: f64, label: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"report-chart\" width=\"{W}\" \
         height=\"{h:.0}\" viewBox=\"0 0 {W} {h:.0}\" role=\"img\" aria-label=\"{l}\" \
         font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\" fill=\"#222\">\
         <title>{l}</title>",
        l = esc(label)
    );
}

/// `s` cut to `n` characters with `…`.
fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// Legend entries laid out left to right, wrapping at the chart width: (x, line) each.
fn legend_layout(series: &[Series<'_>]) -> (Vec<(f64, usize)>, usize) {
    let mut out = Vec::with_capacity(series.len());
    let (mut x, mut line) = (4.0, 0usize);
    for s in series {
        let w = 16.0 + short(s.name, 40).chars().count() as f64 * CHAR_W + 18.0;
        if x > 4.0 && x + w > W {
            x = 4.0;
            line += 1;
        }
        out.push((x, line));
        x += w;
    }
    (out, line + 1)
}

/// Height taken by the legend (none for a single series).
fn legend_height(series: &[Series<'_>]) -> f64 {
    if series.len() > 1 {
        legend_layout(series).1 as f64 * LEGEND_LINE + 6.0
    } else {
        0.0
    }
}

fn legend(out: &mut String, series: &[Series<'_>], y0: f64) {
    let (pos, _) = legend_layout(series);
    for (s, (x, line)) in series.iter().zip(pos) {
        let y = y0 + line as f64 * LEGEND_LINE;
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            y,
            s.color,
            x + 16.0,
            y + 10.5,
            esc(&short(s.name, 40))
        );
    }
}

/// Horizontal bars, one per row, each stacked from `series` (values in series order), with
/// the row's total after the bar and the full label as a tooltip.
pub(crate) fn hbars(label: &str, rows: &[(String, Vec<u64>)], series: &[Series<'_>]) -> String {
    let longest = rows
        .iter()
        .map(|r| r.0.chars().count().min(MAX_LABEL))
        .max()
        .unwrap_or(0);
    let label_w = (longest as f64 * CHAR_W + 12.0).clamp(60.0, 280.0);
    let legend_h = legend_height(series);
    let h = legend_h + rows.len().max(1) as f64 * ROW_H + 8.0;
    let bar_max = W - label_w - 56.0;
    let max = rows
        .iter()
        .map(|r| r.1.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = String::with_capacity(512 + rows.len() * 256);
    open(&mut out, h, label);
    if series.len() > 1 {
        legend(&mut out, series, 4.0);
    }
    for (i, (name, values)) in rows.iter().enumerate() {
        let y = legend_h + i as f64 * ROW_H + 4.0;
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\"><title>{}</title>{}</text>",
            label_w - 6.0,
            y + 12.0,
            esc(name),
            esc(&short(name, MAX_LABEL))
        );
        let mut x = label_w;
        for (v, s) in values.iter().zip(series) {
            if *v == 0 {
                continue;
            }
            let w = *v as f64 / max as f64 * bar_max;
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{BAR_H}\" fill=\"{}\">\
                 <title>{}: {v}</title></rect>",
                y + 1.0,
                s.color,
                esc(s.name)
            );
            x += w;
        }
        let total: u64 = values.iter().sum();
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{total}</text>",
            x + 4.0,
            y + 12.0
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{label_w:.1}\" y1=\"{legend_h:.1}\" x2=\"{label_w:.1}\" y2=\"{:.1}\" \
         stroke=\"#555\" stroke-width=\"1\"/></svg>",
        h - 4.0
    );
    out
}

/// Vertical bars, one per row (e.g. month), stacked from `series`, total above each bar.
pub(crate) fn vbars(label: &str, rows: &[(String, Vec<u64>)], series: &[Series<'_>]) -> String {
    let legend_h = legend_height(series);
    let h = 220.0 + legend_h;
    let top = legend_h + 20.0;
    let plot_h = h - top - 26.0;
    let base = top + plot_h;
    let n = rows.len().max(1) as f64;
    let slot = (W - 20.0) / n;
    let bar_w = slot * 0.55;
    let max = rows
        .iter()
        .map(|r| r.1.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = String::with_capacity(512 + rows.len() * 320);
    open(&mut out, h, label);
    if series.len() > 1 {
        legend(&mut out, series, 4.0);
    }
    for (i, (name, values)) in rows.iter().enumerate() {
        let cx = 10.0 + i as f64 * slot + slot / 2.0;
        let x = cx - bar_w / 2.0;
        let mut y = base;
        for (v, s) in values.iter().zip(series) {
            if *v == 0 {
                continue;
            }
            let bh = *v as f64 / max as f64 * plot_h;
            y -= bh;
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{bh:.1}\" \
                 fill=\"{}\"><title>{}: {v}</title></rect>",
                s.color,
                esc(s.name)
            );
        }
        let total: u64 = values.iter().sum();
        let _ = write!(
            out,
            "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{total}</text>\
             <text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\"><title>{}</title>{}</text>",
            y - 5.0,
            base + 17.0,
            esc(name),
            esc(&short(name, (slot / CHAR_W) as usize))
        );
    }
    let _ = write!(
        out,
        "<line x1=\"10\" y1=\"{base:.1}\" x2=\"{:.1}\" y2=\"{base:.1}\" stroke=\"#555\" \
         stroke-width=\"1\"/></svg>",
        W - 10.0
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"))
    }

    fn texts(doc: &roxmltree::Document<'_>) -> Vec<String> {
        doc.descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text().map(str::to_string))
            .collect()
    }

    const HOSTILE: &str = "<script>alert('x')</script> & \"q\" \u{1}\u{8}";

    #[test]
    fn hbars_are_well_formed_and_escape_labels() {
        let two = [
            Series {
                name: "a<b",
                color: BLUE,
            },
            Series {
                name: "c",
                color: RED,
            },
        ];
        let rows = vec![
            (HOSTILE.to_string(), vec![3, 1]),
            ("Манас".to_string(), vec![0, 2]),
            ("ө".repeat(80), vec![0, 0]),
        ];
        let svg = hbars(HOSTILE, &rows, &two);
        let doc = parse(&svg);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert!(
            !doc.descendants().any(|n| n.tag_name().name() == "script"),
            "no script element"
        );
        assert!(!svg.contains("<script"), "{svg}");
        let t = texts(&doc);
        assert!(
            t.iter()
                .any(|s| s.starts_with("<script>alert('x')</script> & \"q\"")),
            "the label survives as text: {t:?}"
        );
        // 3 + 1 + 2 = three non-zero segments; the zero row has no bar.
        assert_eq!(
            doc.descendants()
                .filter(|n| n.tag_name().name() == "rect" && n.attribute("height") == Some("14"))
                .count(),
            3
        );
        assert!(t.iter().any(|s| s.ends_with('…')), "long labels are cut");
        assert!(!svg.contains("style="), "no inline CSS");
    }

    #[test]
    fn legend_wraps_within_the_width() {
        let names = [
            "Мөөнөтүндө жооп берилген",
            "Мөөнөтү өткөндөн кийин жооп берилген",
            "Каралууда, мөөнөтү өтүп кеткен",
            "Каралууда, мөөнөтү бүтө элек",
        ];
        let series: Vec<Series<'_>> = names
            .iter()
            .map(|n| Series {
                name: n,
                color: BLUE,
            })
            .collect();
        let (pos, lines) = legend_layout(&series);
        assert!(lines >= 2, "{pos:?}");
        for (n, (x, _)) in names.iter().zip(&pos) {
            assert!(
                x + 34.0 + n.chars().count() as f64 * CHAR_W <= W + 18.0,
                "{n}"
            );
        }
        let svg = hbars("x", &[("a".into(), vec![1, 2, 3, 4])], &series);
        let doc = parse(&svg);
        let h: f64 = doc
            .root_element()
            .attribute("height")
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            h >= lines as f64 * LEGEND_LINE + ROW_H,
            "room for the legend"
        );
    }

    #[test]
    fn vbars_scale_to_the_largest_stack() {
        let one = [Series {
            name: "n",
            color: BLUE,
        }];
        let rows: Vec<(String, Vec<u64>)> = (1..=6)
            .map(|m| (format!("Ай {m}"), vec![if m == 2 { 10 } else { m as u64 }]))
            .collect();
        let svg = vbars("Айлар", &rows, &one);
        let doc = parse(&svg);
        let heights: Vec<f64> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "rect")
            .filter_map(|n| n.attribute("height")?.parse().ok())
            .collect();
        assert_eq!(heights.len(), 6);
        let max = heights.iter().cloned().fold(0.0, f64::max);
        assert!((heights[1] - max).abs() < 1e-9, "{heights:?}");
        assert!((heights[0] * 10.0 - max).abs() < 0.6, "{heights:?}");
        // Empty input still gives a valid picture.
        parse(&vbars("x", &[], &one));
        parse(&hbars("x", &[], &one));
    }
}
