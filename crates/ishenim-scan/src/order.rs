//! Reading order of the lines Tesseract found.
//!
//! Tesseract reads a page block by block. On a torn or curled sheet its layout analysis
//! sometimes puts one body line into the block of the torn edge's teeth (a thin block
//! running down the whole page) and reads that block after the signature: the line is then
//! out of its place in the letter. A line that lies *between* two lines read one after the
//! other, and under them (their columns overlap), can only belong there, so it is moved
//! there. Lines beside others (a second column, the addressee block at the right) do not
//! overlap them across and keep Tesseract's order.

use ishenim_ocr::RawWord;

/// One text line: its block, its box and where its words are in the page's word list.
#[derive(Debug, Clone)]
struct Line {
    block: u32,
    bbox: [i32; 4],
    words: std::ops::Range<usize>,
}

impl Line {
    fn cy(&self) -> i32 {
        (self.bbox[1] + self.bbox[3]) / 2
    }
    fn height(&self) -> i32 {
        (self.bbox[3] - self.bbox[1]).max(1)
    }
    fn width(&self) -> i32 {
        (self.bbox[2] - self.bbox[0]).max(1)
    }
}

/// Share of the narrower of two lines that the other covers across (x).
fn x_overlap(a: &Line, b: &Line) -> f32 {
    let o = a.bbox[2].min(b.bbox[2]) - a.bbox[0].max(b.bbox[0]);
    o.max(0) as f32 / a.width().min(b.width()) as f32
}

/// Share of the lower of two lines that the other covers in height (y).
fn y_overlap(a: &Line, b: &Line) -> f32 {
    let o = a.bbox[3].min(b.bbox[3]) - a.bbox[1].max(b.bbox[1]);
    o.max(0) as f32 / a.height().min(b.height()) as f32
}

/// A line "under" the lines above and below it in a column shares at least this much of the
/// narrower line's width with each. Columns side by side share nothing; a short line at the
/// end of a paragraph shares all of its width.
const MIN_X_OVERLAP: f32 = 0.3;

/// A line "between" two others overlaps each of them by less than this share of height
/// (curled lines' boxes overlap a little; a line split in two by Tesseract overlaps fully).
const MAX_Y_OVERLAP: f32 = 0.5;

/// Groups the words (in Tesseract's order) into lines. A line's top and bottom are the
/// median of its words' (a tooth of a torn edge read as a tall "word" would stretch it).
fn lines_of(words: &[RawWord]) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        match lines.last_mut() {
            Some(l) if words[l.words.start].line == w.line => {
                l.words.end = i + 1;
                l.bbox[0] = l.bbox[0].min(w.bbox[0]);
                l.bbox[2] = l.bbox[2].max(w.bbox[2]);
            }
            _ => lines.push(Line {
                block: w.block,
                bbox: w.bbox,
                words: i..i + 1,
            }),
        }
    }
    for l in &mut lines {
        let median = |k: usize| {
            let mut v: Vec<i32> = words[l.words.clone()].iter().map(|w| w.bbox[k]).collect();
            v.sort_unstable();
            v[v.len() / 2]
        };
        l.bbox[1] = median(1);
        l.bbox[3] = median(3).max(l.bbox[1] + 1);
    }
    lines
}

/// For line `l`, the line it belongs after: the first of two lines read one after the other
/// (neither of `l`'s block) that `l` lies between and under (the closest such pair).
fn anchor(lines: &[Line], l: usize) -> Option<usize> {
    let me = &lines[l];
    lines
        .windows(2)
        .enumerate()
        .filter(|(_, p)| p.iter().all(|o| o.block != me.block))
        .filter(|(_, p)| p[0].cy() < me.cy() && me.cy() < p[1].cy())
        .filter(|(_, p)| p.iter().all(|o| y_overlap(me, o) < MAX_Y_OVERLAP))
        .filter(|(_, p)| p.iter().all(|o| x_overlap(me, o) >= MIN_X_OVERLAP))
        .min_by_key(|(_, p)| p[1].cy() - p[0].cy())
        .map(|(i, _)| i)
}

/// Puts every line that lies between two lines read one after the other in its place (see the
/// module comment) and numbers the lines again in the new order. Returns how many lines
/// moved. Words inside a line keep their order.
pub fn fix_reading_order(words: &mut Vec<RawWord>) -> usize {
    let lines = lines_of(words);
    let anchors: Vec<Option<usize>> = (0..lines.len()).map(|l| anchor(&lines, l)).collect();
    // A line that moves is no anchor for another (its own place is being changed).
    let moves: Vec<Option<usize>> = anchors
        .iter()
        .map(|a| a.filter(|&p| anchors[p].is_none()))
        .collect();
    let moved = moves.iter().filter(|m| m.is_some()).count();
    if moved == 0 {
        return 0;
    }
    let mut order = Vec::with_capacity(lines.len());
    for (i, _) in lines
        .iter()
        .enumerate()
        .filter(|(i, _)| moves[*i].is_none())
    {
        order.push(i);
        let mut after: Vec<usize> = (0..lines.len()).filter(|&j| moves[j] == Some(i)).collect();
        after.sort_by_key(|&j| lines[j].cy());
        order.extend(after);
    }
    put_in_order(words, &lines, &order);
    moved
}

/// Rebuilds `words` with the lines in `order`, numbered again.
fn put_in_order(words: &mut Vec<RawWord>, lines: &[Line], order: &[usize]) {
    let mut old: Vec<Option<RawWord>> = std::mem::take(words).into_iter().map(Some).collect();
    for (n, &l) in order.iter().enumerate() {
        for k in lines[l].words.clone() {
            if let Some(mut w) = old[k].take() {
                w.line = n as u32;
                words.push(w);
            }
        }
    }
}

/// A block of lines read right after a block it lies wholly above (its last line ends
/// before the other's first begins) goes before it: a date standing alone above the
/// signature was read after it (seed 11 H011p2). Columns side by side and a date on the
/// signature's row overlap in height and keep their order. Returns how many swaps.
pub fn raise_blocks_above(words: &mut Vec<RawWord>) -> usize {
    let lines = lines_of(words);
    // Runs of consecutive lines of one block: (top, bottom, lines).
    let mut runs: Vec<(i32, i32, Vec<usize>)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        match runs.last_mut() {
            Some(r) if lines[r.2[0]].block == l.block => {
                r.0 = r.0.min(l.bbox[1]);
                r.1 = r.1.max(l.bbox[3]);
                r.2.push(i);
            }
            _ => runs.push((l.bbox[1], l.bbox[3], vec![i])),
        }
    }
    let mut swaps = 0;
    for _ in 0..runs.len() {
        let before = swaps;
        for k in 1..runs.len() {
            if runs[k].1 < runs[k - 1].0 {
                runs.swap(k - 1, k);
                swaps += 1;
            }
        }
        if swaps == before {
            break;
        }
    }
    if swaps > 0 {
        let order: Vec<usize> = runs.iter().flat_map(|r| r.2.iter().copied()).collect();
        put_in_order(words, &lines, &order);
    }
    swaps
}

/// The words at the end of a line that belong to the end of the line before: Tesseract
/// sometimes follows a bent or tilted line into the next one (seed 1 H046, a curled photo:
/// the line's last words were read after the first word of the line below, and the line
/// below counted as lost). A tail of words starting a word gap right of the previous line's
/// last word, each centred above the line's first word and within the height of the word
/// before it, goes back to the end of the previous line. Returns how many words moved.
pub fn lift_line_tails(words: &mut [RawWord]) -> usize {
    let mut moved = 0;
    let mut i = 1;
    while i < words.len() {
        // `i` starts a line and `i - 1` ends the previous one.
        if words[i].line == words[i - 1].line {
            i += 1;
            continue;
        }
        let (prev, head) = (words[i - 1].bbox, words[i].bbox);
        let end = (i..words.len())
            .find(|&k| words[k].line != words[i].line)
            .unwrap_or(words.len());
        let start = (i + 1..end)
            .find(|&k| {
                // Right after the previous line's last word, a word gap away (a curled
                // line's own tail rises too, but far from where the line above ends).
                let gap = words[k].bbox[0] - prev[2];
                gap >= -(prev[3] - prev[1]) / 2
                    && gap <= 2 * (head[3] - head[1])
                    && (k..end).all(|j| {
                        // Each on the height of the word before it (the chain follows a
                        // bent line), above the line's first word (descenders may reach it).
                        let before = if j == k { prev } else { words[j - 1].bbox };
                        let cy = (words[j].bbox[1] + words[j].bbox[3]) / 2;
                        cy < head[1] && cy >= before[1] && cy <= before[3]
                    })
            })
            .unwrap_or(end);
        if start < end {
            let line = words[i - 1].line;
            for w in &mut words[start..end] {
                w.line = line;
                w.para_start = false;
            }
            // The tail goes right after the previous line's last word.
            words[i..end].rotate_right(end - start);
            moved += end - start;
        }
        i = end;
    }
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line of three words at row `y` (line height 40) from `x0` to `x1`.
    fn line(words: &mut Vec<RawWord>, text: &str, block: u32, x0: i32, x1: i32, y: i32) {
        let line = words.last().map_or(0, |w| w.line + 1);
        let step = (x1 - x0) / 3;
        for k in 0..3 {
            words.push(RawWord {
                text: format!("{text}{k}"),
                conf: 90.0,
                bbox: [x0 + k * step, y, x0 + (k + 1) * step - 10, y + 40],
                line,
                para_start: k == 0,
                block,
                char_boxes: Vec::new(),
            });
        }
    }

    /// The first word of each line, in order.
    fn heads(words: &[RawWord]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut last = None;
        for w in words {
            if last != Some(w.line) {
                out.push(w.text.trim_end_matches(char::is_numeric).to_string());
                last = Some(w.line);
            }
        }
        out
    }

    /// A word at `x0..x1`, rows `y..y + 40`, on `line`.
    fn wd(text: &str, line: u32, x0: i32, x1: i32, y: i32) -> RawWord {
        RawWord {
            text: text.into(),
            conf: 90.0,
            bbox: [x0, y, x1, y + 40],
            line,
            para_start: false,
            block: 1,
            char_boxes: Vec::new(),
        }
    }

    #[test]
    fn words_of_a_line_read_after_the_next_line_s_start_go_back() {
        // A page as Tesseract read seed 1 H046: "... Калы" | "Эрлан бек уулу", where "бек
        // уулу" sits on the first line's height, right after "Калы".
        let mut w = vec![
            wd("a", 0, 100, 300, 100),
            wd("b", 0, 320, 500, 102),
            wd("c", 1, 100, 250, 160),
            wd("d", 1, 510, 600, 104),
            wd("e", 1, 610, 700, 108),
            wd("f", 2, 100, 400, 220),
        ];
        assert_eq!(lift_line_tails(&mut w), 2);
        let got: Vec<(&str, u32)> = w.iter().map(|w| (w.text.as_str(), w.line)).collect();
        assert_eq!(
            got,
            vec![("a", 0), ("b", 0), ("d", 0), ("e", 0), ("c", 1), ("f", 2)]
        );
        // A second column on the next line's height, a word raised a little (a superscript,
        // a curl), a tail left of the previous line's end: all kept.
        let keep = vec![
            wd("a", 0, 100, 300, 100),
            wd("b", 1, 100, 250, 160),
            wd("c", 1, 600, 700, 160),
            wd("d", 2, 100, 250, 220),
            wd("e", 2, 300, 400, 205),
            wd("f", 3, 100, 250, 280),
            wd("g", 4, 100, 250, 340),
            wd("h", 4, 120, 200, 282),
        ];
        let mut w = keep.clone();
        assert_eq!(lift_line_tails(&mut w), 0);
        assert_eq!(w, keep);
        // Raised words far right of where the line above ends (seed 11 H028, a curled photo:
        // the line's own tail rising with the curl): kept.
        let curl = vec![
            wd("a", 0, 100, 300, 100),
            wd("b", 1, 100, 250, 160),
            wd("c", 1, 700, 800, 104),
        ];
        let mut w = curl.clone();
        assert_eq!(lift_line_tails(&mut w), 0);
        assert_eq!(w, curl);
    }

    #[test]
    fn a_block_read_after_a_block_below_it_goes_first() {
        let mut w = Vec::new();
        line(&mut w, "sig", 1, 1000, 1900, 311);
        line(&mut w, "date", 2, 400, 800, 190);
        assert_eq!(raise_blocks_above(&mut w), 1);
        assert_eq!(heads(&w), vec!["date", "sig"]);
        assert_eq!(w[0].line, 0);
        // Two columns side by side, the right one read second, and a date read after the
        // signature on its row: overlapping in height, kept.
        let mut w = Vec::new();
        line(&mut w, "left", 0, 100, 900, 100);
        line(&mut w, "left", 0, 100, 900, 160);
        line(&mut w, "right", 1, 1000, 1900, 100);
        line(&mut w, "sig", 2, 100, 900, 400);
        line(&mut w, "date", 3, 1000, 1900, 405);
        let before = w.clone();
        assert_eq!(raise_blocks_above(&mut w), 0);
        assert_eq!(w, before);
    }

    #[test]
    fn a_body_line_read_last_goes_back_between_its_neighbours() {
        let mut w = Vec::new();
        line(&mut w, "a", 0, 300, 1800, 100);
        line(&mut w, "b", 0, 300, 1800, 160);
        // Tesseract made the next paragraph and the signature blocks of their own.
        line(&mut w, "d", 1, 300, 900, 280);
        line(&mut w, "sign", 2, 900, 1800, 400);
        // The torn edge's teeth and the lost line, read as one block after the signature;
        // a tooth read as a tall word at the start of the lost line.
        line(&mut w, "tooth", 3, 0, 40, 150);
        line(&mut w, "c", 3, 300, 1780, 220);
        let mut tall = w[w.len() - 3].clone();
        tall.bbox = [0, 200, 30, 330];
        w.insert(w.len() - 3, tall);
        assert_eq!(fix_reading_order(&mut w), 1);
        assert_eq!(heads(&w), ["a", "b", "c", "d", "sign", "tooth"]);
        // Lines are numbered again in the new order, words of a line stay together.
        let lines: Vec<u32> = w.iter().map(|x| x.line).collect();
        assert!(lines.windows(2).all(|p| p[1] == p[0] || p[1] == p[0] + 1));
        assert_eq!(w[6].bbox, [0, 200, 30, 330]);
        assert!(w[6..10].iter().all(|x| x.line == w[6].line));
    }

    #[test]
    fn a_line_of_its_own_block_is_left_to_tesseract() {
        let mut w = Vec::new();
        line(&mut w, "a", 0, 300, 1800, 100);
        line(&mut w, "c", 0, 300, 1800, 220);
        line(&mut w, "b", 0, 300, 1800, 160);
        let before = heads(&w);
        assert_eq!(fix_reading_order(&mut w), 0);
        assert_eq!(heads(&w), before);
    }

    #[test]
    fn two_columns_side_by_side_keep_their_order() {
        let mut w = Vec::new();
        for (k, y) in [100, 160, 220, 280].iter().enumerate() {
            line(&mut w, &format!("left{k}_"), 0, 100, 900, *y);
        }
        // The right column's lines sit between the left ones' rows, offset by half a line.
        for (k, y) in [130, 190, 250].iter().enumerate() {
            line(&mut w, &format!("right{k}_"), 1, 1000, 1800, *y);
        }
        let before = heads(&w);
        assert_eq!(fix_reading_order(&mut w), 0);
        assert_eq!(heads(&w), before);
    }

    #[test]
    fn a_header_block_at_the_right_keeps_its_place() {
        let mut w = Vec::new();
        // Addressee block at the right, then the sender's name at the left between its lines.
        line(&mut w, "to", 0, 1100, 1800, 100);
        line(&mut w, "council", 0, 1100, 1800, 160);
        line(&mut w, "city", 1, 100, 500, 130);
        line(&mut w, "body", 2, 100, 1800, 300);
        line(&mut w, "body", 2, 100, 1800, 360);
        let before = heads(&w);
        assert_eq!(fix_reading_order(&mut w), 0);
        assert_eq!(heads(&w), before);
    }

    #[test]
    fn a_line_beside_another_on_the_same_row_is_not_moved() {
        let mut w = Vec::new();
        line(&mut w, "a", 0, 100, 1800, 100);
        line(&mut w, "b", 0, 100, 1000, 160);
        line(&mut w, "c", 0, 100, 1800, 220);
        // The date at the end of line b, read as its own block, on b's row.
        line(&mut w, "date", 1, 1200, 1800, 165);
        let before = heads(&w);
        assert_eq!(fix_reading_order(&mut w), 0);
        assert_eq!(heads(&w), before);
    }

    #[test]
    fn a_page_in_order_is_unchanged() {
        let mut w = Vec::new();
        line(&mut w, "a", 0, 100, 1800, 100);
        line(&mut w, "b", 1, 100, 1800, 160);
        line(&mut w, "c", 2, 100, 1800, 220);
        let before = w.clone();
        assert_eq!(fix_reading_order(&mut w), 0);
        assert_eq!(w.len(), before.len());
        assert!(w
            .iter()
            .zip(&before)
            .all(|(a, b)| a.text == b.text && a.line == b.line));
    }
}
